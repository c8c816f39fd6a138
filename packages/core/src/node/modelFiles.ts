import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { deserializeModel, type Model, serializeModel, weightsFileName } from '../modelFormat/modelFormat.js';
import { parseJsonText } from '../io/errors.js';
import { stageFile } from './filesAtomic.js';

const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);

/** Where `saveModelDirectory` keeps the previous model while it swaps in the new one. */
function previousCopy(dir: string): string {
  return join(dirname(dir), `.${basename(dir)}.old`);
}

/**
 * Reads a model directory (model.json + weights.bin). If the directory is missing but a save was
 * killed between its two renames, the complete previous copy it left is read instead.
 */
export async function loadModelDirectory(dir: string): Promise<Model> {
  // Read-only fallback: renaming it back here could race with a training run that is saving.
  const source = !(await exists(dir)) && (await exists(join(previousCopy(dir), 'model.json'))) ? previousCopy(dir) : dir;
  let jsonText: string;
  try {
    jsonText = await readFile(join(source, 'model.json'), 'utf8');
  } catch {
    throw new Error(`${dir}: no model.json (is this an equimol model directory?)`);
  }
  const shard = weightsFileName(parseJsonText<{ weightsManifest?: { paths?: unknown }[] }>(jsonText, join(source, 'model.json'), 'model.json'), dir);
  let weights: Uint8Array;
  try {
    weights = new Uint8Array(await readFile(join(source, shard)));
  } catch {
    throw new Error(`${dir}: weights file ${shard} is missing`);
  }
  return deserializeModel(jsonText, weights, dir);
}

/**
 * Writes a model directory so that a crash at any point leaves a complete model: the new one is
 * written to a temporary sibling (filesAtomic), the old one moved aside, the new one renamed into
 * place, then the old one removed. On failure the old one is put back and the temporary removed.
 * Temporaries that a killed save left next to `dir` are swept first (by `stageFile`).
 */
export async function saveModelDirectory(model: Model, dir: string): Promise<void> {
  const { json, weights } = serializeModel(model);
  const old = previousCopy(dir);
  const staged = await stageFile(dir);
  try {
    await mkdir(staged.tempPath);
    await writeFile(join(staged.tempPath, 'weights.bin'), weights);
    await writeFile(join(staged.tempPath, 'model.json'), json);
    const replacing = await exists(dir);
    if (replacing) {
      await rm(old, { recursive: true, force: true }); // left by an earlier crash; dir is the newer copy
      await rename(dir, old);
    }
    try {
      await staged.commit();
    } catch (err) {
      // If even this fails, loadModelDirectory still reads the previous copy where it is.
      if (replacing) await rename(old, dir).catch(() => {});
      throw err;
    }
  } finally {
    await staged.discard(); // nothing left to remove once committed
  }
  await rm(old, { recursive: true, force: true });
}
