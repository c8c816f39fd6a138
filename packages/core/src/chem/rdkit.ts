import type { MainModule, Mol as RdkitMol } from '@rdkit/rdkit';
import { formatMolfile } from '../io/sdf.js';
import type { Molecule } from './molecule.js';

// RDKit's official WebAssembly build (MinimalLib), for what openchemlib does differently from the
// tools drug-discovery users compare against: sanitisation, Crippen logP, TPSA, Lipinski counts and
// SMARTS matching for QED. Loaded on first use, since the module is 7 MB.

export type { MainModule as RdkitModule, RdkitMol };

let loading: Promise<MainModule> | undefined;

/** RDKit's WebAssembly module, loaded once per process (or worker, or page). */
export function loadRdkit(): Promise<MainModule> {
  loading ??= import('@rdkit/rdkit').then((m) => {
    const factory = ((m as { default?: unknown }).default ?? m) as (options?: unknown) => Promise<MainModule>;
    return factory();
  });
  return loading;
}

/**
 * An RDKit molecule of a molecule with bonds (its Lewis structure: bond orders, formal charges),
 * sanitised, hydrogens kept as atoms; `undefined` when RDKit rejects it (e.g. a valence RDKit does
 * not allow). The caller deletes it.
 */
export function rdkitMolecule(rdkit: MainModule, mol: Molecule): RdkitMol | undefined {
  const block = formatMolfile({ ...mol, properties: {} });
  const parsed = rdkit.get_mol(block, JSON.stringify({ removeHs: false }));
  if (parsed === null) return undefined;
  if (!parsed.is_valid()) {
    parsed.delete();
    return undefined;
  }
  return parsed;
}

/** Atoms of RDKit's JSON form: implicit hydrogens and radical electrons (defaults 0). */
export function rdkitAtoms(mol: RdkitMol): { z: number; impHs: number; nRad: number }[] {
  const json = JSON.parse(mol.get_json()) as {
    defaults: { atom: { z: number; impHs: number; nRad: number } };
    molecules: { atoms: Partial<{ z: number; impHs: number; nRad: number }>[]; bonds?: { atoms: [number, number] }[] }[];
  };
  const d = json.defaults.atom;
  return json.molecules[0]!.atoms.map((a) => ({ z: a.z ?? d.z, impHs: a.impHs ?? d.impHs, nRad: a.nRad ?? d.nRad }));
}

/** Bonds of RDKit's JSON form as atom pairs. */
export function rdkitBonds(mol: RdkitMol): [number, number][] {
  const json = JSON.parse(mol.get_json()) as { molecules: { bonds?: { atoms: [number, number] }[] }[] };
  return (json.molecules[0]!.bonds ?? []).map((b) => b.atoms);
}
