import { basename } from 'node:path';
import { type AtomEncoding, checkHeldAtoms, type HeldAtoms, heldAtomsFromMolecules, type Molecule } from '@equimol/core/node';
import { type GlobalArgs, note } from './context.js';
import { UsageError } from './errors.js';
import { readMoleculeFiles } from './files.js';
import { parseAtomSelection } from './options.js';

// `sample --fix FILE [--fix FILE] [--fix-atoms 1-6,9]`: the atoms to hold, read from the first record
// of each file. Problems with the command line are usage errors (exit 2); problems with the files'
// contents (atoms on top of each other, no 3D coordinates, unknown elements) come from core (exit 1).

/** The held atoms that `--fix` and `--fix-atoms` ask for, checked against the model's encoding. */
export async function readHeldAtoms(files: string[], fixAtoms: string | undefined, encoding: AtomEncoding, modelName: string, args: GlobalArgs): Promise<HeldAtoms> {
  const selection = parseAtomSelection(fixAtoms);
  const molecules: Molecule[] = [];
  for (const file of files) {
    let first: Molecule | undefined;
    for await (const m of readMoleculeFiles([file], { ...args, skipInvalid: false })) {
      first = m;
      break;
    }
    if (!first) throw new Error(`${file} holds no molecule to hold atoms of`);
    molecules.push(first);
  }
  const source = files.map((f) => basename(f)).join(' + ');
  const total = molecules.reduce((n, m) => n + m.elements.length, 0);
  const outside = selection?.find((i) => i > total);
  if (outside !== undefined) throw new UsageError(`--fix-atoms ${fixAtoms}: atom ${outside} is out of range (${source} has ${total} atoms)`);
  const { held, droppedHydrogens } = heldAtomsFromMolecules(molecules, encoding, selection?.map((i) => i - 1));
  if (held.elements.length === 0) {
    throw new UsageError(`${fixAtoms !== undefined ? `--fix-atoms ${fixAtoms}` : source}: nothing to hold${droppedHydrogens > 0 ? ` (only hydrogens, which ${modelName} does not generate)` : ''}`);
  }
  if (droppedHydrogens > 0) note(args, `${source}: ${droppedHydrogens} hydrogen(s) not held: ${modelName} generates heavy atoms (hydrogens are added again at export)`);
  checkHeldAtoms(held, encoding, source);
  return held;
}
