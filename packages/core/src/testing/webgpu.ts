import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { adapterInfo } from '../backend/gpuAdapter.js';
import { dawnGpu } from '../node/dawn.js';

// WebGPU tests run on SwiftShader, the Vulkan driver Debian's chromium ships (.ci/run installs it),
// where no GPU is present; they are skipped only where Dawn finds no Vulkan driver at all.
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Points Vulkan at SwiftShader unless a driver is set, and describes Dawn's adapter (null: none). */
export async function swiftshaderAdapter(): Promise<string | null> {
  if (process.env['VK_ICD_FILENAMES'] === undefined && existsSync(SWIFTSHADER_ICD)) {
    process.env['VK_ICD_FILENAMES'] = SWIFTSHADER_ICD;
    // SwiftShader's loader wants a runtime directory, which CI containers do not set.
    process.env['XDG_RUNTIME_DIR'] ??= tmpdir();
  }
  const found = await dawnGpu(undefined).then((gpu) => gpu.requestAdapter()).catch(() => null);
  if (!found) return null;
  const info = adapterInfo(found);
  return `${info.vendor} ${info.architecture}`;
}
