import { EquimolError } from '../errors.js';
// Periodic table up to xenon: enough for drug-like molecules and every dataset equimol reads.
const SYMBOLS = [
  'H', 'He', 'Li', 'Be', 'B', 'C', 'N', 'O', 'F', 'Ne', 'Na', 'Mg', 'Al', 'Si', 'P', 'S', 'Cl', 'Ar',
  'K', 'Ca', 'Sc', 'Ti', 'V', 'Cr', 'Mn', 'Fe', 'Co', 'Ni', 'Cu', 'Zn', 'Ga', 'Ge', 'As', 'Se', 'Br',
  'Kr', 'Rb', 'Sr', 'Y', 'Zr', 'Nb', 'Mo', 'Tc', 'Ru', 'Rh', 'Pd', 'Ag', 'Cd', 'In', 'Sn', 'Sb', 'Te',
  'I', 'Xe',
] as const;

const NUMBER_BY_SYMBOL = new Map<string, number>(SYMBOLS.map((s, i) => [s, i + 1]));

/** Thrown for an element symbol or atomic number equimol does not know. */
export class UnknownElementError extends EquimolError {
  constructor(what: string) {
    super(`unknown element ${JSON.stringify(what)}`);
    this.name = 'UnknownElementError';
  }
}

/** Atomic number of an element symbol (case as written in the periodic table, e.g. `Cl`). */
export function atomicNumber(symbol: string): number {
  const z = NUMBER_BY_SYMBOL.get(symbol);
  if (z === undefined) throw new UnknownElementError(symbol);
  return z;
}

/** Element symbol of an atomic number. */
export function elementSymbol(z: number): string {
  const s = SYMBOLS[z - 1];
  if (s === undefined) throw new UnknownElementError(String(z));
  return s;
}

/** Whether a string is a known element symbol. */
export function isElementSymbol(symbol: string): boolean {
  return NUMBER_BY_SYMBOL.has(symbol);
}

/**
 * The element symbol a file meant, in periodic-table case (`CL` and `cl` → `Cl`), or `undefined` when
 * it names no element (query atoms such as `A`, `Q`, `*`, pseudo-atoms, deuterium `D`). Never guesses.
 */
export function normalizeElementSymbol(raw: string): string | undefined {
  const s = raw.trim();
  if (s.length === 0 || s.length > 2) return undefined;
  const symbol = s[0]!.toUpperCase() + s.slice(1).toLowerCase();
  return NUMBER_BY_SYMBOL.has(symbol) ? symbol : undefined;
}
