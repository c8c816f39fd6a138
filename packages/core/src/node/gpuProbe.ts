// Child process of probeDawnAdapter (node/dawn.ts): prints, as one JSON line, the info of the adapter
// Dawn opens (argument: the `--gpu` index), {"adapter": null} if there is none, or {"error": "…"}.
import { adapterInfo } from '../backend/gpuAdapter.js';
import { dawnGpu } from './dawn.js';

const arg = process.argv[2];
try {
  const adapter = await (await dawnGpu(arg === undefined ? undefined : Number(arg))).requestAdapter({ powerPreference: 'high-performance' });
  process.stdout.write(`${JSON.stringify({ adapter: adapter ? adapterInfo(adapter) : null })}\n`);
} catch (err) {
  const message = err instanceof Error ? err.message : String(err);
  process.stdout.write(`${JSON.stringify({ error: /Cannot find (module|package)|ERR_MODULE_NOT_FOUND/.test(message) ? 'not installed' : message.split('\n')[0] })}\n`);
}
