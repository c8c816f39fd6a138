import { Resources } from 'openchemlib';

let registered = false;

/**
 * Registers openchemlib's static resources (torsion library, MMFF94 tables) from its package files,
 * once per process (or worker thread). Conformer generation and force fields need them; SMILES,
 * canonical ids and valence checks do not.
 */
export function registerOpenchemlibResources(): void {
  if (registered) return;
  Resources.registerFromNodejs();
  registered = true;
}
