// SMILES files as chemists keep them (RDKit's .smi, EDM's train_smiles.txt): one `SMILES [name]` per
// line. One parser for every reader of such files, so that comments and a header mean the same to all.

/** One entry of a SMILES file. */
export interface SmilesEntry {
  smiles: string;
  /** The rest of the line after the SMILES, if any (e.g. a molecule name or id). */
  name?: string;
  /** 1-based line in the file, for messages. */
  line: number;
}

/**
 * The entries of a SMILES file: `SMILES [name]` per line, split at the first whitespace. Blank lines
 * and `#` comments are skipped, and so is a header line whose first column is `smiles` (as CSV-like
 * exports write it), which no SMILES parser would accept.
 */
export function parseSmilesFile(text: string): SmilesEntry[] {
  const entries: SmilesEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [smiles, ...rest] = line.split(/\s+/);
    if (entries.length === 0 && /^smiles$/i.test(smiles!)) return;
    const name = rest.join(' ');
    entries.push(name ? { smiles: smiles!, name, line: i + 1 } : { smiles: smiles!, line: i + 1 });
  });
  return entries;
}
