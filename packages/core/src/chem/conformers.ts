import { ConformerGenerator, ForceFieldMMFF94, Molecule as OclMolecule } from 'openchemlib';
import type { Molecule } from './molecule.js';
import { fromOcl } from './openchemlib.js';
import { EquimolError } from '../errors.js';

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
  /** MMFF94s+ energy in kcal/mol (after minimisation when it ran), when the force field gives one. */
  energy?: number;
  /** Whether the MMFF94s+ minimisation ran. */
  minimized: boolean;
  /** Why the conformer was not minimised, for a chemist. */
  warning?: string;
}

/** Thrown when no conformer can be made for a SMILES (unparsable, or the generator gives up). */
export class ConformerError extends EquimolError {
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
  // openchemlib takes seed 0 to mean "seed from the clock": shift so that every equimol seed is reproducible.
  const conformer = new ConformerGenerator((options.seed ?? 0) + 1).getOneConformerAsMolecule(parsed);
  if (!conformer) throw new ConformerError(smiles, 'the conformer generator found no clash-free 3D structure');
  const built = fromOcl(conformer);
  const forceField = new ForceFieldMMFF94(conformer, ForceFieldMMFF94.MMFF94SPLUS, {});
  const initial = forceField.getTotalEnergy();
  // openchemlib's MMFF94 has no finite energy for some structures (e.g. the linear C–C≡N of
  // acetonitrile): such conformers are kept as built from the torsion library, unminimised.
  if (!Number.isFinite(initial)) {
    return { molecule: built, minimized: false, warning: 'MMFF94s+ gives no finite energy for this structure; coordinates are unminimised' };
  }
  if (!(options.minimize ?? true)) return { molecule: built, energy: initial, minimized: false };
  forceField.minimise({ maxIts: options.maxIterations ?? 4000 });
  const energy = forceField.getTotalEnergy();
  const molecule = fromOcl(conformer);
  if (!Number.isFinite(energy) || !molecule.positions.every(Number.isFinite)) {
    return { molecule: built, energy: initial, minimized: false, warning: 'MMFF94s+ minimisation diverged; coordinates are unminimised' };
  }
  return { molecule, energy, minimized: true };
}
