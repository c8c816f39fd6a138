import type { RdkitModule, RdkitMol } from '../chem/rdkit.js';
import { qed } from './qed.js';

// Descriptors medicinal chemists read (Lipinski/Veber-style), all from RDKit so that they match the
// numbers of RDKit-based papers and of the data's own reference figures, plus QED.

/** The drug-likeness descriptors equimol reports, in report order. */
export const DRUG_DESCRIPTORS = ['mw', 'clogp', 'tpsa', 'hbd', 'hba', 'rotatableBonds', 'rings', 'aromaticRings', 'fractionSp3', 'heavyAtoms', 'qed'] as const;

/** One of `DRUG_DESCRIPTORS`. */
export type DrugDescriptor = (typeof DRUG_DESCRIPTORS)[number];

/** Human names and units of the descriptors, for tables and plots. */
export const DRUG_DESCRIPTOR_LABELS: Readonly<Record<DrugDescriptor, string>> = {
  mw: 'molecular weight (Da)',
  clogp: 'cLogP (Crippen)',
  tpsa: 'TPSA (Å²)',
  hbd: 'H-bond donors',
  hba: 'H-bond acceptors',
  rotatableBonds: 'rotatable bonds',
  rings: 'rings',
  aromaticRings: 'aromatic rings',
  fractionSp3: 'fraction sp3',
  heavyAtoms: 'heavy atoms',
  qed: 'QED',
};

/**
 * Descriptors of a sanitised RDKit molecule without explicit hydrogens: average molecular weight,
 * Crippen logP, TPSA, Lipinski donors/acceptors (RDKit's NumHBD/NumHBA), strict rotatable bonds,
 * SSSR rings, aromatic rings, fraction of sp3 carbons, heavy atoms, QED.
 */
export function drugDescriptors(rdkit: RdkitModule, mol: RdkitMol): Record<DrugDescriptor, number> {
  const d = JSON.parse(mol.get_descriptors()) as Record<string, number>;
  return {
    mw: d.amw!,
    clogp: d.CrippenClogP!,
    tpsa: d.tpsa!,
    hbd: d.NumHBD!,
    hba: d.NumHBA!,
    rotatableBonds: d.NumRotatableBonds!,
    rings: d.NumRings!,
    aromaticRings: d.NumAromaticRings!,
    fractionSp3: d.FractionCSP3!,
    heavyAtoms: d.NumHeavyAtoms!,
    qed: qed(rdkit, mol),
  };
}
