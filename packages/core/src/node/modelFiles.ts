import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { deserializeModel, type EquimolModel, serializeModel } from '../checkpoint/modelBundle.js';
import { writeFileAtomic } from './filesAtomic.js';

/** Reads a model directory (model.json + weights.bin). */
export async function loadModelDirectory(dir: string): Promise<EquimolModel> {
  const jsonPath = join(dir, 'model.json');
  let jsonText: string;
  try {
    jsonText = await readFile(jsonPath, 'utf8');
  } catch {
    throw new Error(`${dir}: no model.json (is this an equimol model directory?)`);
  }
  const meta = JSON.parse(jsonText) as { weightsManifest?: { paths?: string[] }[] };
  const shard = meta.weightsManifest?.[0]?.paths?.[0] ?? 'weights.bin';
  let weights: Uint8Array;
  try {
    weights = new Uint8Array(await readFile(join(dir, shard)));
  } catch {
    throw new Error(`${dir}: weights file ${shard} is missing`);
  }
  return deserializeModel(jsonText, weights, dir);
}

/** Writes a model directory atomically: a complete sibling directory is renamed into place. */
export async function saveModelDirectory(model: EquimolModel, dir: string): Promise<void> {
  const { json, weights } = serializeModel(model);
  const tmp = join(dirname(dir), `.${basename(dir)}.tmp-${process.pid}-${Date.now()}`);
  await mkdir(tmp, { recursive: true });
  await writeFileAtomic(join(tmp, 'weights.bin'), weights);
  await writeFileAtomic(join(tmp, 'model.json'), json);
  const old = `${tmp}.old`;
  const exists = await stat(dir).then(() => true, () => false);
  if (exists) await rename(dir, old);
  await rename(tmp, dir);
  if (exists) await rm(old, { recursive: true, force: true });
}
