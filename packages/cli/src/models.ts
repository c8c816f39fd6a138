import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './errors.js';

/** The model `sample`, `info` and `view` use when `--model` is not given (`view`: if installed). */
export const DEFAULT_MODEL = 'qm9-heavy';

/**
 * Where named models live: $EQUIMOL_MODELS if set (e.g. a shared models folder on a cluster), else
 * the shipped `data/models/` at the repository root (this file is packages/cli/dist/models.js).
 */
export function modelsDirectory(): string {
  const fromEnv = process.env.EQUIMOL_MODELS?.trim();
  if (fromEnv) return resolve(fromEnv);
  return fileURLToPath(new URL('../../../data/models/', import.meta.url));
}

/** Names of the shipped models (directories under data/models holding a model.json). */
export function shippedModels(): string[] {
  const dir = modelsDirectory();
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'model.json')))
    .sort();
}

/**
 * The directory of `--model NAME|PATH`: a path (anything with a slash, or an existing directory)
 * is used as it is; otherwise a name under data/models. Unknown names and directories without a
 * model.json are usage errors that list what exists.
 */
export function resolveModelDirectory(spec: string): string {
  const looksLikePath = spec.includes('/') || spec.includes('\\') || spec.startsWith('.') || existsSync(spec);
  if (looksLikePath) {
    const dir = resolve(spec);
    if (!existsSync(dir)) throw new UsageError(`model directory ${spec} does not exist`);
    if (!statSync(dir).isDirectory()) throw new UsageError(`--model ${spec}: give a model directory (holding model.json and weights.bin), not a file`);
    if (!existsSync(join(dir, 'model.json'))) throw new UsageError(`${spec} has no model.json; is it an equimol model directory?`);
    return dir;
  }
  const dir = join(modelsDirectory(), spec);
  if (existsSync(join(dir, 'model.json'))) return dir;
  const known = shippedModels();
  const list = known.length > 0 ? `shipped models: ${known.join(', ')}` : `no models are installed in ${modelsDirectory()}`;
  throw new UsageError(`unknown model "${spec}" (${list}; or give a model directory path)`);
}
