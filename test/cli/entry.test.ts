/**
 * bin/entry.mjs picks the bundle only while it is newer than every source file, so an edited
 * checkout never runs stale code. Tried in a throw-away tree: bin/ copied, a src/ and a dist/ whose
 * `main` say which one ran, node_modules linked for tsx.
 */
import assert from 'node:assert/strict';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';

let root: string;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'netcheck-entry-'));
  mkdirSync(join(root, 'bin'));
  mkdirSync(join(root, 'src', 'cli'), { recursive: true });
  mkdirSync(join(root, 'dist'));
  copyFileSync(resolve('bin/entry.mjs'), join(root, 'bin', 'entry.mjs'));
  symlinkSync(resolve('node_modules'), join(root, 'node_modules'));
  writeFileSync(
    join(root, 'src', 'cli', 'main.ts'),
    'export const main = async (): Promise<number> => 11;\n',
  );
  writeFileSync(join(root, 'dist', 'main.js'), 'export const main = async () => 22;\n');
});
after(() => rmSync(root, { recursive: true, force: true }));

const setTime = (path: string, seconds: number): void => utimesSync(path, seconds, seconds);

async function whichRuns(tag: string): Promise<number> {
  // A fresh module instance per call: the query string makes it a new URL.
  const entry = (await import(`${pathToFileURL(join(root, 'bin', 'entry.mjs')).href}?${tag}`)) as {
    loadMain: () => Promise<(argv: string[]) => Promise<number>>;
  };
  return (await entry.loadMain())([]);
}

test('a bundle newer than every source file is what runs', async () => {
  for (const p of ['src', 'src/cli', 'src/cli/main.ts']) setTime(join(root, p), 1_000_000);
  setTime(join(root, 'dist', 'main.js'), 2_000_000);
  assert.equal(await whichRuns('fresh'), 22);
});

test('a source file edited after the build makes it run the sources', async () => {
  setTime(join(root, 'src', 'cli', 'main.ts'), 3_000_000);
  assert.equal(await whichRuns('stale'), 11);
});
