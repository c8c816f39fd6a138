import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { heldAtomsFromMolecules, parseSdf, perceiveBonds, qm9Encoding, type Molecule } from '@equimol/core';
import { atomsInBox, fragmentOf, HeldSelection, holdRequest, type HoldModel } from './hold.js';

const SCAFFOLDS = resolve(__dirname, '../../../data/fixtures/scaffolds');
const read = (name: string): Molecule => parseSdf(readFileSync(resolve(SCAFFOLDS, name), 'utf8'), { source: name })[0]!;
/** qm9-heavy's vocabulary and size histogram (largest molecules: 9 heavy atoms). */
const heavy: HoldModel = { name: 'qm9-heavy', encoding: qm9Encoding(false), atomCountHistogram: [0, 3, 5, 7, 28, 108, 525, 2559, 13896, 78075] };
const withH: HoldModel = { name: 'qm9-h', encoding: qm9Encoding(true), atomCountHistogram: [...new Array(29).fill(1)] };

describe('HeldSelection', () => {
  it('toggles atoms on click, adds boxes and fragments, holds all and clears', () => {
    const s = new HeldSelection(5);
    s.toggle(3);
    s.toggle(1);
    expect(s.atoms).toEqual([1, 3]);
    s.toggle(3);
    expect(s.atoms).toEqual([1]);
    s.add([4, 1, 0]);
    expect(s.atoms).toEqual([0, 1, 4]);
    expect(s.has(4) && !s.has(2)).toBe(true);
    s.all();
    expect(s.size).toBe(5);
    s.clear();
    expect(s.atoms).toEqual([]);
    expect(() => s.toggle(5)).toThrow(RangeError);
  });
});

describe('atomsInBox', () => {
  const points = [
    { x: 10, y: 10 },
    { x: 50, y: 40 },
    { x: 100, y: 100 },
    { x: 30, y: 90 },
  ];
  it('catches the atoms inside the box, whichever corner the drag started at, edges included', () => {
    expect(atomsInBox(points, { x: 0, y: 0 }, { x: 60, y: 50 })).toEqual([0, 1]);
    expect(atomsInBox(points, { x: 60, y: 50 }, { x: 0, y: 0 })).toEqual([0, 1]);
    expect(atomsInBox(points, { x: 30, y: 100 }, { x: 100, y: 90 })).toEqual([2, 3]);
    expect(atomsInBox(points, { x: 200, y: 200 }, { x: 300, y: 300 })).toEqual([]);
  });
});

describe('fragmentOf', () => {
  it("finds the connected piece an atom belongs to (a linker's two fragments)", () => {
    const mol = read('cyclopentane+nitrile.sdf');
    const bonds = perceiveBonds(mol);
    expect(fragmentOf(7, bonds, 0)).toEqual([0, 1]);
    expect(fragmentOf(7, bonds, 4)).toEqual([2, 3, 4, 5, 6]);
    expect(fragmentOf(3, [], 2)).toEqual([2]);
  });
});

describe('holdRequest', () => {
  const furan = read('furan-source.sdf'); // 7 heavy atoms, then 8 hydrogens

  it("holds the selected atoms at the file's coordinates, dropping hydrogens for a heavy-atom model with a notice", () => {
    const all = furan.elements.map((_, i) => i);
    const r = holdRequest(furan, all, heavy, { add: 2, resample: 3 });
    expect(r.atoms).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(r.fixed.elements).toEqual(['C', 'C', 'C', 'C', 'C', 'C', 'O']);
    expect(Array.from(r.fixed.positions)).toEqual(Array.from(furan.positions.slice(0, 21)));
    expect(r).toMatchObject({ atomCount: 9, resample: 3, notice: '8 hydrogen(s) not held: qm9-heavy generates heavy atoms only' });
    // Exactly what the CLI holds for the same atoms (core's selection).
    expect(r.fixed).toEqual(heldAtomsFromMolecules([furan], heavy.encoding, all).held);
    // A model with hydrogens holds them.
    const h = holdRequest(furan, [0, 7, 8], withH, { add: undefined, resample: 1 });
    expect(h.fixed.elements).toEqual(['C', 'H', 'H']);
    expect(h).toMatchObject({ atomCount: undefined, notice: undefined });
  });

  it('refuses an empty selection, or one of hydrogens only for a heavy-atom model', () => {
    expect(() => holdRequest(furan, [], heavy, { add: 2, resample: 1 })).toThrow(/^no atoms held: click atoms/);
    expect(() => holdRequest(furan, [7, 8], heavy, { add: 2, resample: 1 })).toThrow('nothing to hold: only hydrogens are held, and qm9-heavy generates heavy atoms only');
  });

  it('names an atom outside the vocabulary by its number in the file, with the vocabulary', () => {
    const thio: Molecule = { ...furan, elements: furan.elements.map((e) => (e === 'O' ? 'S' : e)) };
    expect(() => holdRequest(thio, [0, 6], heavy, { add: 1, resample: 1 })).toThrow('atom 7: element S is not in the vocabulary [C, N, O, F]');
  });

  it('refuses atoms closer than 0.7 Å, named by their numbers in the file', () => {
    const positions = Float64Array.from(furan.positions);
    positions.set([positions[3]! + 0.5, positions[4]!, positions[5]!], 3 * 4); // atom 5 onto atom 2
    expect(() => holdRequest({ ...furan, positions }, [1, 2, 4], heavy, { add: 1, resample: 1 })).toThrow(
      'held atoms 2 (C) and 5 (C) are 0.50 Å apart, closer than 0.7 Å',
    );
  });

  it('refuses a file with no 3D coordinates (all zero)', () => {
    const flat: Molecule = { ...furan, positions: new Float64Array(furan.positions.length) };
    expect(() => holdRequest(flat, [0, 1, 2], heavy, { add: 1, resample: 1 })).toThrow('the held atoms have no 3D coordinates (all zero)');
  });

  it('refuses a held part as large as the largest molecules of the model unless atoms to add are given', () => {
    const big: Molecule = { elements: new Array(9).fill('C'), positions: Float64Array.from({ length: 27 }, (_, i) => (i % 3 === 0 ? 1.5 * (i / 3) : 0)) };
    const all = big.elements.map((_, i) => i);
    expect(() => holdRequest(big, all, heavy, { add: undefined, resample: 1 })).toThrow(
      "the held part has 9 atoms, as many as the model's largest molecules (9); set how many atoms to add",
    );
    expect(holdRequest(big, all, heavy, { add: 1, resample: 1 }).atomCount).toBe(10);
    expect(() => holdRequest(big, all, heavy, { add: 0, resample: 1 })).toThrow('atoms to add must be a whole number ≥ 1, got 0');
    expect(() => holdRequest(big, all, heavy, { add: 1, resample: 0 })).toThrow('resampling jumps must be a whole number ≥ 1, got 0');
  });
});
