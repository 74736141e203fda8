// Finds the CLI's `main`: the bundle in dist/ (built by `npm ci` through the prepare script) while
// the sources are exactly those it was built from, else the TypeScript sources through tsx — so
// an edited checkout never runs stale code, and a fresh one starts fast.
import { readFileSync } from 'node:fs';
import process from 'node:process';
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

/**
 * A package the CLI imports is not installed (a clone before `npm ci`, or node_modules removed):
 * Node says `Cannot find package 'NAME'`. A missing file of our own says `Cannot find module`, and
 * stays the error it is.
 * @param {unknown} err
 */
function missingPackage(err) {
  if (!(err instanceof Error) || /** @type {{ code?: unknown }} */ (err).code !== 'ERR_MODULE_NOT_FOUND')
    return undefined;
  return /Cannot find package '([^']+)'/.exec(err.message)?.[1];
}

/** @returns {Promise<(argv: string[]) => Promise<number>>} */
async function importMain() {
  if (bundleMatchesSources()) return (await import(new URL('dist/main.js', root).href)).main;
  const { register } = await import('tsx/esm/api');
  register();
  return (await import(new URL('src/cli/main.ts', root).href)).main;
}

/**
 * The CLI's `main`; before `npm ci`, one that says so in one line and exits 2 (a usage error:
 * nothing was read or changed) instead of Node's stack trace.
 * @returns {Promise<(argv: string[]) => Promise<number>>}
 */
export async function loadMain() {
  try {
    return await importMain();
  } catch (err) {
    const name = missingPackage(err);
    if (name === undefined) throw err;
    return async () => {
      process.stderr.write(
        `dynamo-netcheck: dependencies not installed (cannot find package ${name}): run \`npm ci\` first\n`,
      );
      return 2;
    };
  }
}
