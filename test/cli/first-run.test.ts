/**
 * The first run in a fresh clone, before `npm ci`: bin/dynamo-netcheck says what to do in one line
 * and exits 2, whether it would run the sources (tsx missing) or a bundle left in dist/ (its
 * packages missing). Run with `node` in a throw-away copy of bin/, src/ and package.json that has
 * no node_modules (and none in any folder above it).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, beforeEach, test } from 'node:test';
import { pathToFileURL } from 'node:url';

let root: string;
const made: string[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'netcheck-first-run-'));
  made.push(root);
  for (const path of ['bin', 'src', 'package.json'])
    cpSync(resolve(path), join(root, path), { recursive: true });
});
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function noNodeModulesAbove(dir: string): void {
  for (let d = dir; d !== dirname(d); d = dirname(d))
    assert.ok(!existsSync(join(d, 'node_modules')), `${d}/node_modules exists: the test needs none`);
}

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'dynamo-netcheck'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const MESSAGE =
  /^dynamo-netcheck: dependencies not installed \(cannot find package (\S+)\): run `npm ci` first\n$/;

test('without node_modules, the sources path says "run `npm ci` first" in one line and exits 2', () => {
  noNodeModulesAbove(root);
  const r = run('analyze', 'examples/dgxc-multi-sg');
  assert.equal(r.stdout, '');
  assert.match(r.stderr, MESSAGE);
  assert.equal(MESSAGE.exec(r.stderr)?.[1], 'tsx');
  assert.equal(r.status, 2);
});

test('without node_modules, a bundle left in dist/ says the same, naming the package it missed', async () => {
  noNodeModulesAbove(root);
  mkdirSync(join(root, 'dist'));
  writeFileSync(join(root, 'dist', 'main.js'), "import 'commander';\nexport const main = async () => 0;\n");
  const { sourceFingerprint, STAMP } = (await import(
    pathToFileURL(join(root, 'bin', 'source-fingerprint.mjs')).href
  )) as { sourceFingerprint: (root: URL) => string; STAMP: string };
  writeFileSync(join(root, STAMP), `${sourceFingerprint(pathToFileURL(`${root}/`))}\n`);
  const r = run('--help');
  assert.equal(r.stdout, '');
  assert.equal(MESSAGE.exec(r.stderr)?.[1], 'commander');
  assert.equal(r.status, 2);
});

test('with packages installed, a missing file of our own is not mistaken for a missing install', () => {
  symlinkSync(resolve('node_modules'), join(root, 'node_modules'));
  rmSync(join(root, 'src', 'cli', 'main.ts'));
  const r = run('--help');
  assert.doesNotMatch(r.stderr, /npm ci/);
  assert.match(r.stderr, /main\.ts/);
  assert.notEqual(r.status, 0);
  assert.notEqual(r.status, 2);
});
