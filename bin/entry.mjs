// Finds the CLI's `main`: the bundle in dist/ (built by `npm ci` through the prepare script) when
// it is newer than every source file, else the TypeScript sources through tsx — so an edited
// checkout never runs stale code, and a fresh one starts fast.
import { readdirSync, statSync } from 'node:fs';
import { URL } from 'node:url';

const root = new URL('../', import.meta.url);

function newestMtime(dir) {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = new URL(entry.name + (entry.isDirectory() ? '/' : ''), dir);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function bundleIsFresh(bundle) {
  try {
    return statSync(bundle).mtimeMs >= newestMtime(new URL('src/', root));
  } catch {
    return false;
  }
}

/** @returns {Promise<(argv: string[]) => Promise<number>>} */
export async function loadMain() {
  const bundle = new URL('dist/main.js', root);
  if (bundleIsFresh(bundle)) return (await import(bundle.href)).main;
  const { register } = await import('tsx/esm/api');
  register();
  return (await import(new URL('src/cli/main.ts', root).href)).main;
}
