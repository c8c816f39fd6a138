// Headless Chromium for the viewer's end-to-end tests and screenshot script: Debian's /usr/bin/chromium
// driven by playwright-core (never a browser downloaded by playwright). WebGL runs on SwiftShader, and
// so does WebGPU when asked for (WEBGPU_FLAGS).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Where the tests expect Chromium (Debian's package `chromium`). */
export const CHROMIUM = process.env.EQUIMOL_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Why the browser tests cannot run here, or `undefined` when they can. Outside CI a missing Chromium
 * skips them; in CI (env CI set) a missing Chromium is a failure, not a skip.
 */
export function browserSkipReason(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  if (process.env.CI) return undefined;
  return `${CHROMIUM} is missing (apt-get install -y chromium); browser tests skipped because CI is unset`;
}

/** WebGL on SwiftShader (ANGLE's Vulkan-free software path), which every viewer test uses. */
export const SWIFTSHADER_FLAGS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

/**
 * WebGPU in headless Chromium without a GPU: with SWIFTSHADER_FLAGS, Chromium 156 (Debian) then
 * exposes `navigator.gpu` (in pages served over http(s) or localhost, and their workers) with one
 * adapter, SwiftShader's (vendor google, architecture swiftshader, isFallbackAdapter true), which
 * equimol uses only when asked for (`?backend=webgpu`). Without this flag there is no adapter.
 */
export const WEBGPU_FLAGS = ['--enable-unsafe-webgpu'];

/** A fresh headless Chromium profile (with WebGPU on SwiftShader if `webgpu`); `close()` removes it. */
export async function launchBrowser(
  viewport = { width: 1280, height: 800 },
  options: { webgpu?: boolean } = {},
): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'equimol-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: [
      '--headless',
      '--no-sandbox',
      ...SWIFTSHADER_FLAGS,
      ...(options.webgpu ? WEBGPU_FLAGS : []),
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
