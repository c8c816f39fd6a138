import { readFileSync } from 'node:fs';

/** This package's version (packages/cli/package.json; this file is packages/cli/dist/version.js). */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
