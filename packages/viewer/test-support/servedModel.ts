// A viewer server with a model made for the test, plus a headless Chromium, for the describe blocks
// that generate in the page. The model is written to a temporary model directory as `equimol view`
// would find it, and everything is removed afterwards.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type Model, serializeModel } from '../../core/src/index.js';
import { startViewerServer, type ViewerServer } from '../server/index.js';
import { launchBrowser } from './browser.js';

export interface ServedModel {
  server: ViewerServer;
  browser: Awaited<ReturnType<typeof launchBrowser>>;
  model: Model;
}

/** Call inside a describe block; the returned object's fields are set once its beforeAll has run. */
export function useServedModel(makeModel: () => Model, options: { webgpu?: boolean } = {}): ServedModel {
  const served = {} as ServedModel;
  let modelDir: string | undefined;
  beforeAll(async () => {
    modelDir = mkdtempSync(join(tmpdir(), 'equimol-model-'));
    served.model = makeModel();
    const { json, weights } = serializeModel(served.model);
    writeFileSync(join(modelDir, 'model.json'), json);
    writeFileSync(join(modelDir, 'weights.bin'), weights);
    served.server = await startViewerServer({ modelDir });
    served.browser = await launchBrowser(undefined, options);
  });
  afterAll(async () => {
    await served.browser?.close();
    await served.server?.close();
    if (modelDir) rmSync(modelDir, { recursive: true, force: true });
  });
  return served;
}
