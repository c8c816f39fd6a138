// A model that generates bonds, in the viewer (issue 21, pilot B) end to end in headless Chromium:
// Generate samples it on tfjs wasm in the page's worker, every frame is drawn with the bonds the model
// generated at that step (not perceived from the coordinates), and the SDF export writes the
// generated graph as `equimol sample` does. Checked against core's sampleMolecules in Node.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { browserSkipReason } from '../packages/viewer/test-support/browser.js';
import { useServedModel } from '../packages/viewer/test-support/servedModel.js';
import {
  type AtomEncoding,
  createModel,
  EDM_QM9_SCHEDULE,
  featureCount,
  finishGeneratedMolecule,
  kekuleBondEncoding,
  type Model,
  parseSdf,
  perceiveBonds,
  Rng,
  sampleMolecules,
} from '../packages/core/src/index.js';
import { tinyEgnnConfig, useTestBackend } from '../packages/core/src/testing/fixtures.js';

const skip = browserSkipReason();
if (skip) console.warn(`viewer bond-model tests skipped: ${skip}`);

/**
 * A tiny bond model with random weights (as core's bond tests make theirs), its bond head biased to
 * "single" so that the final graph of three atoms is a triangle: a graph the model generated, which
 * perception from its noise-like coordinates would not give.
 */
function tinyBondModel(): Model {
  const encoding: AtomEncoding = { elements: ['C', 'N', 'O'], includeCharges: true, normalization: [1, 4, 10], bonds: kekuleBondEncoding() };
  const model = createModel({
    name: 'tiny-bond-test-model',
    description: 'random weights, bonds biased to single, for testing the in-browser plumbing only',
    egnn: tinyEgnnConfig(featureCount(encoding), { bondClasses: 4 }),
    schedule: { ...EDM_QM9_SCHEDULE, timesteps: 40 },
    encoding,
    atomCountHistogram: [0, 0, 0, 1],
  });
  const layout = model.dynamics.layout;
  model.params.set(layout.initialise(new Rng(7)));
  const at = (name: string): number => layout.offsets[layout.specs.findIndex((s) => s.name === name)]!;
  model.params.fill(0, at('bondOut2.w'), at('bondOut2.b'));
  model.params.set([3, -3, 3, 3], at('bondOut2.b')); // ε̂ for "single" strongly negative: x̂ favours it
  return model;
}

describe.skipIf(skip !== undefined)('a bond model in the viewer (Chromium)', () => {
  const served = useServedModel(tinyBondModel);

  it('generates, draws every frame with its generated bonds, and exports the generated graph as SDF', async () => {
    const page = await served.browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(served.server.url);
    await page.waitForFunction(() => window.__equimol?.generationChecked === true, null, { timeout: 60_000 });
    const options = { count: 1, steps: 6, seed: 3, atomCount: 3, frames: 4 };
    const frames = await page.evaluate(async (o) => {
      const t = await window.__equimol!.generate!(o);
      return t.molecules[0]!.frames.map((f) => ({ elements: f.elements, positions: [...f.positions], bonds: f.bonds, formalCharges: f.formalCharges }));
    }, options);
    expect(await page.locator('#status').textContent()).toMatch(/generated 1 molecule\(s\) with tiny-bond-test-model \(tfjs wasm\)/);

    // Core in Node, same model, seed and steps: the same frames, each with the bonds of that step.
    await useTestBackend();
    const reference = await sampleMolecules(served.model, { count: 1, seed: 3, steps: 6, atoms: 3, trajectoryFrames: 4 });
    const expected = reference.trajectory!.molecules[0]!.frames;
    expect(frames).toHaveLength(4);
    expect(frames.map((f) => f.bonds)).toEqual(expected.map((f) => f.bonds));
    expect(frames.map((f) => f.formalCharges)).toEqual(expected.map((f) => f.formalCharges));
    const final = reference.molecules[0]!;
    expect(frames[3]!.bonds).toEqual(final.bonds);
    expect(final.bonds).toEqual([{ a: 0, b: 1, order: 1 }, { a: 0, b: 2, order: 1 }, { a: 1, b: 2, order: 1 }]);
    // NGL draws each frame's generated bonds: as many as the model made, whatever distances say.
    for (let f = 0; f < 4; f++) {
      await page.evaluate((k) => window.__equimol!.setFrame(k), f);
      const [shown] = await page.evaluate(() => window.__equimol!.shown());
      expect(shown!.bonds).toBe(frames[f]!.bonds!.length);
    }
    expect(perceiveBonds({ elements: final.elements, positions: final.positions })).not.toHaveLength(3);
    expect((await page.evaluate(() => window.__equimol!.panel())).bonds).toBe('3');

    // The SDF export is core's export of the generated graph, as `equimol sample` writes it.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-sdf').click()]);
    const [exported] = parseSdf(readFileSync((await download.path())!, 'utf8'));
    const finished = finishGeneratedMolecule(final).molecule;
    expect(exported!.bonds).toEqual(final.bonds);
    expect(exported!.formalCharges ?? [0, 0, 0]).toEqual(final.formalCharges);
    expect(exported!.properties).toMatchObject({ bonds: 'generated', valid: finished.properties!.valid, edm_valid: finished.properties!.edm_valid });
    expect(exported!.properties!.SMILES).toBe(finished.properties!.SMILES);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
