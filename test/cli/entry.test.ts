/**
 * bin/entry.mjs runs the bundle only while the sources are exactly those it was built from, so an
 * edited checkout never runs stale code. Tried in a throw-away tree: bin/ copied, a src/ and a
 * dist/ whose `main` say which one ran, node_modules linked for tsx.
 */
import assert from 'node:assert/strict';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { pathToFileURL } from 'node:url';

const SOURCE = 'export const main = async (): Promise<number> => 11;\n';
const BUNDLE = 22;
const SOURCES = 11;
let root: string;
let runs = 0;

interface Fingerprint {
  sourceFingerprint: (root: URL) => string;
  STAMP: string;
}

/** What `npm run build` leaves: the bundle and the fingerprint of the sources it was built from. */
async function build(): Promise<void> {
  const module = (await import(
    pathToFileURL(join(root, 'bin', 'source-fingerprint.mjs')).href
  )) as Fingerprint;
  writeFileSync(join(root, 'dist', 'main.js'), `export const main = async () => ${BUNDLE};\n`);
  writeFileSync(join(root, module.STAMP), `${module.sourceFingerprint(pathToFileURL(`${root}/`))}\n`);
}

before(() => {
  root = mkdtempSync(join(tmpdir(), 'netcheck-entry-'));
  mkdirSync(join(root, 'bin'));
  mkdirSync(join(root, 'dist'));
  for (const file of ['entry.mjs', 'source-fingerprint.mjs'])
    copyFileSync(resolve('bin', file), join(root, 'bin', file));
  symlinkSync(resolve('node_modules'), join(root, 'node_modules'));
});
beforeEach(async () => {
  rmSync(join(root, 'src'), { recursive: true, force: true });
  mkdirSync(join(root, 'src', 'cli'), { recursive: true });
  writeFileSync(join(root, 'src', 'cli', 'main.ts'), SOURCE);
  writeFileSync(join(root, 'src', 'cli', 'other.ts'), 'export {};\n');
  await build();
});
after(() => rmSync(root, { recursive: true, force: true }));

async function whichRuns(): Promise<number> {
  // A fresh module instance per call: the query string makes it a new URL.
  runs += 1;
  const entry = (await import(`${pathToFileURL(join(root, 'bin', 'entry.mjs')).href}?${runs}`)) as {
    loadMain: () => Promise<(argv: string[]) => Promise<number>>;
  };
  return (await entry.loadMain())([]);
}

test('the bundle runs while the sources are those it was built from', async () => {
  assert.equal(await whichRuns(), BUNDLE);
});

test('an edited source runs the sources, even with its old mtime put back', async () => {
  const file = join(root, 'src', 'cli', 'other.ts');
  const { atime, mtime } = statSync(file);
  writeFileSync(file, 'export {}; \n');
  utimesSync(file, atime, mtime);
  assert.equal(await whichRuns(), SOURCES);
});

test('a deleted source file runs the sources', async () => {
  rmSync(join(root, 'src', 'cli', 'other.ts'));
  assert.equal(await whichRuns(), SOURCES);
});

test('an added source file runs the sources', async () => {
  writeFileSync(join(root, 'src', 'cli', 'new.ts'), 'export {};\n');
  assert.equal(await whichRuns(), SOURCES);
});

test('sources older than the bundle but not its own (a copy with old times) run the sources', async () => {
  writeFileSync(join(root, 'src', 'cli', 'other.ts'), 'export const x = 1;\n');
  for (const p of ['src/cli/other.ts', 'src/cli', 'src']) utimesSync(join(root, p), 1_000_000, 1_000_000);
  assert.equal(await whichRuns(), SOURCES);
});

test('restoring the sources runs the bundle again; no fingerprint runs the sources', async () => {
  writeFileSync(join(root, 'src', 'cli', 'other.ts'), 'changed\n');
  assert.equal(await whichRuns(), SOURCES);
  writeFileSync(join(root, 'src', 'cli', 'other.ts'), 'export {};\n');
  assert.equal(await whichRuns(), BUNDLE);
  rmSync(join(root, 'dist', '.source-fingerprint'));
  assert.equal(await whichRuns(), SOURCES);
});
