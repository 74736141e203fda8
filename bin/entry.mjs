// Finds the CLI's `main`: the bundle in dist/ (built by `npm ci` through the prepare script) while
// the sources are exactly those it was built from, else the TypeScript sources through tsx — so
// an edited checkout never runs stale code, and a fresh one starts fast.
import { readFileSync } from 'node:fs';
import { URL } from 'node:url';
import { sourceFingerprint, STAMP } from './source-fingerprint.mjs';

const root = new URL('../', import.meta.url);

function bundleMatchesSources() {
  try {
    return readFileSync(new URL(STAMP, root), 'utf8').trim() === sourceFingerprint(root);
  } catch {
    return false;
  }
}

/** @returns {Promise<(argv: string[]) => Promise<number>>} */
export async function loadMain() {
  if (bundleMatchesSources()) return (await import(new URL('dist/main.js', root).href)).main;
  const { register } = await import('tsx/esm/api');
  register();
  return (await import(new URL('src/cli/main.ts', root).href)).main;
}
