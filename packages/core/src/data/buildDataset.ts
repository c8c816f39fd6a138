import type { Molecule } from '../chem/molecule.js';
import { heavyAtomsOnly } from '../chem/perceiveBonds.js';
import { type AtomEncoding, EDM_NORMALIZATION } from './atomEncoding.js';
import { kekuleBondEncoding } from './bondEncoding.js';
import { type DatasetCard, MoleculeDataset } from './dataset.js';
import { MoleculePacker } from './moleculePacker.js';

/** Options for turning molecules into a training dataset. */
export interface BuildDatasetOptions {
  name: string;
  source: string;
  /** Drop hydrogens (EDM's heavy-atom QM9 variant). */
  removeHydrogens?: boolean;
  /** Element vocabulary; by default every element seen, ordered by atomic number. */
  elements?: string[];
  /** Append the atomic number as an integer feature (EDM: true). */
  includeCharges?: boolean;
  /** Numeric properties (SDF data fields) to keep, e.g. for conditioning. */
  properties?: string[];
  /** Skip molecules with more atoms than this (after hydrogen removal). */
  maxAtoms?: number;
  /**
   * Keep each molecule's bonds (Kekulé orders 1–3) and formal charges (−1, 0, +1) as the file gives
   * them, for models that generate bonds (dataset format v2). Never perceived: a molecule without a
   * bond block, an aromatic bond (type 4) or another charge is an error naming the molecule.
   */
  bonds?: boolean;
  /** Called every 10,000 molecules read. */
  onProgress?: (read: number) => void;
}

/**
 * Reads molecules (from any reader) into a packed dataset with a card describing what was done.
 * Deterministic: the same input and options give the same bytes (no build time in the card), so a
 * run's recorded dataset SHA-256 still matches after the dataset is rebuilt on another machine.
 */
export async function buildDataset(
  molecules: AsyncIterable<Molecule> | Iterable<Molecule>,
  options: BuildDatasetOptions,
): Promise<MoleculeDataset> {
  // Packed as they stream in: memory grows with the atoms kept, not with parsed Molecule objects.
  const bondEncoding = options.bonds ? kekuleBondEncoding() : undefined;
  const packer = new MoleculePacker(options.properties ?? [], options.elements, bondEncoding);
  let chargedAtoms = 0;
  let read = 0;
  let tooLarge = 0;
  for await (const original of molecules) {
    read++;
    if (options.onProgress && read % 10000 === 0) options.onProgress(read);
    const mol = options.removeHydrogens ? heavyAtomsOnly(original) : original;
    if (options.maxAtoms !== undefined && mol.elements.length > options.maxAtoms) {
      tooLarge++;
      continue;
    }
    if (mol.elements.length === 0) continue;
    packer.add(mol, `molecule ${read}${mol.title ? ` (${mol.title})` : ''}`);
    if (bondEncoding) chargedAtoms += (mol.formalCharges ?? []).filter((c) => c !== 0).length;
  }
  const encoding: AtomEncoding = {
    elements: options.elements ?? packer.elementsSeen(),
    includeCharges: options.includeCharges ?? true,
    normalization: [...EDM_NORMALIZATION],
    ...(bondEncoding ? { bonds: bondEncoding } : {}),
  };
  const filters: string[] = [];
  if (bondEncoding) filters.push(`bonds and formal charges as given in the file, never perceived (${chargedAtoms} atoms with a non-zero formal charge)`);
  if (options.removeHydrogens) filters.push('hydrogens removed');
  if (options.maxAtoms !== undefined) filters.push(`molecules with more than ${options.maxAtoms} atoms skipped (${tooLarge})`);
  const card: DatasetCard = {
    name: options.name,
    source: options.source,
    description: `${packer.count} of ${read} molecules read`,
    filters,
  };
  return MoleculeDataset.fromPacked(packer.finish(encoding), encoding, card);
}
