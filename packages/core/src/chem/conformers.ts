import { ConformerGenerator, ForceFieldMMFF94, Molecule as OclMolecule } from 'openchemlib';
import type { Molecule } from './molecule.js';
import { fromOcl } from './openchemlib.js';

// 3D structures for users' own SMILES, so they can build a training set: openchemlib's conformer
// generator (torsion library + collision checks, hydrogens added) followed by an MMFF94s+ energy
// minimisation of all atoms. Both need openchemlib's static resources (torsion and force-field
// tables), registered once per process: `registerOpenchemlibResources()` in Node.

/** Options of `conformerFromSmiles`. */
export interface ConformerOptions {
  /** Seed of the conformer generator's torsion choices (same seed, same conformer). */
  seed?: number;
  /** Relax the conformer with MMFF94s+ (default true). */
  minimize?: boolean;
  /** Most minimiser iterations (openchemlib's default 4000). */
  maxIterations?: number;
}

/** A conformer and its force-field energy. */
export interface Conformer {
  /** All atoms, hydrogens included, with bonds, formal charges and 3D coordinates in Å. */
  molecule: Molecule;
  /** MMFF94s+ energy in kcal/mol (after minimisation when `minimize`). */
  energy: number;
}

/** Thrown when no conformer can be made for a SMILES (unparsable, or the generator gives up). */
export class ConformerError extends Error {
  constructor(
    readonly smiles: string,
    readonly reason: string,
  ) {
    super(`${smiles}: ${reason}`);
    this.name = 'ConformerError';
  }
}

/**
 * One low-energy 3D conformer of a SMILES: openchemlib's ConformerGenerator picks likely torsions
 * without clashes and adds explicit hydrogens; MMFF94s+ then relaxes bond lengths and angles, which
 * the torsion-library build leaves at idealised values.
 */
export function conformerFromSmiles(smiles: string, options: ConformerOptions = {}): Conformer {
  let parsed: OclMolecule;
  try {
    parsed = OclMolecule.fromSmiles(smiles);
  } catch (err) {
    // openchemlib's messages carry the name of the compiled Java class they come from.
    const reason = (err as Error).message.replace(/^Class\$\w+:\s*/, '');
    throw new ConformerError(smiles, `not a SMILES openchemlib can read (${reason})`);
  }
  if (parsed.getAllAtoms() === 0) throw new ConformerError(smiles, 'no atoms');
  const conformer = new ConformerGenerator(options.seed ?? 0).getOneConformerAsMolecule(parsed);
  if (!conformer) throw new ConformerError(smiles, 'the conformer generator found no clash-free 3D structure');
  const forceField = new ForceFieldMMFF94(conformer, ForceFieldMMFF94.MMFF94SPLUS, {});
  if (options.minimize ?? true) forceField.minimise({ maxIts: options.maxIterations ?? 4000 });
  const energy = forceField.getTotalEnergy();
  if (!Number.isFinite(energy)) throw new ConformerError(smiles, 'MMFF94 gave a non-finite energy');
  return { molecule: fromOcl(conformer), energy };
}
