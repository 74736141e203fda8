/**
 * Hostile YAML and JSON through the command line: an alias bomb, aliases that expand past what
 * the text holds, nesting past the limit. Each is an input error (exit 2) naming the file, never a
 * crash (exit 70), a stack overflow or an exhausted heap.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MAX_NESTING } from '../../src/base/nesting.ts';

const scratch = mkdtempSync(join(tmpdir(), 'netcheck-limits-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let count = 0;
/** `analyze` on a copy of an example with one more file. */
function analyzeWith(file: string, text: string) {
  const dir = join(scratch, `snap-${count++}`);
  cpSync('examples/dgxc-multi-sg', dir, { recursive: true });
  writeFileSync(join(dir, file), text);
  const r = spawnSync('./bin/dynamo-netcheck', ['analyze', dir, '-o', 'json'], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stderr: r.stderr };
}

/** The classic "billion laughs": nine levels of nine aliases, 9^9 strings once expanded. */
const billionLaughs = [
  'apiVersion: v1',
  'kind: List',
  'items: []',
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'
    .split('')
    .map((name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
  '',
].join('\n');

/** A pod list whose pod has an annotation-like field of nested mappings: `depth` collections in all. */
const deepPods = (depth: number): string =>
  [
    'apiVersion: v1',
    'kind: List',
    'items:',
    '- apiVersion: v1',
    '  kind: Pod',
    '  metadata:',
    '    name: deep',
    '    namespace: default',
    '  spec:',
    '    containers:',
    '    - name: c',
    '      image: busybox',
    ...Array.from({ length: depth - 4 }, (_, i) => `${' '.repeat(4 + 2 * i)}k:`),
    `${' '.repeat(4 + 2 * (depth - 4))}leaf: x`,
    '',
  ].join('\n');

describe('input limits (CLI)', () => {
  it('an alias bomb is an input error naming the file', () => {
    const r = analyzeWith('k8s/bomb.yaml', billionLaughs);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /k8s\/bomb\.yaml: YAML aliases expand too far/);
  });

  it('an alias bomb in a file not named as YAML is still an input error, not a skipped file', () => {
    const r = analyzeWith('notes.txt', billionLaughs);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /notes\.txt: YAML aliases expand too far/);
  });

  it('few aliases of a large anchor, expanding past what the text holds, are an input error', () => {
    const anchor = `[${Array(20_000).fill('1').join(',')}]`;
    const text = `kind: List\napiVersion: v1\nitems: []\nbig: &big ${anchor}\nrefs: [${Array(90).fill('*big').join(', ')}]\n`;
    const r = analyzeWith('k8s/wide.yaml', text);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /k8s\/wide\.yaml: YAML its aliases expand to more than [\d,]+ values/);
  });

  it('an alias bomb given to placement --pod-spec or diagnose --ctrf is an input error naming the file', () => {
    const file = join(scratch, 'bomb-spec.yaml');
    writeFileSync(file, billionLaughs);
    for (const args of [
      ['placement', 'examples/dgxc-multi-sg', '--pod-spec', file],
      ['diagnose', 'examples/dgxc-multi-sg', '--ctrf', file],
    ]) {
      const r = spawnSync('./bin/dynamo-netcheck', args, {
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
      });
      assert.equal(r.status, 2, `${args[0]}: ${r.stderr}`);
      assert.ok(r.stderr.includes(`${file}: YAML aliases expand too far`), r.stderr);
    }
  });

  it('JSON nested 100,000 deep is an input error naming the file, not a stack overflow', () => {
    const r = analyzeWith('k8s/deep.json', `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`k8s/deep\\.json: JSON nested deeper than ${MAX_NESTING} levels`));
  });

  it('flow YAML nested 100,000 deep is an input error naming the file, not a stack overflow', () => {
    const r = analyzeWith('k8s/deep.yaml', `a: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /k8s\/deep\.yaml: YAML nested too deep/);
  });

  it('a pod nested just past the limit is refused; one at the limit is read', () => {
    const over = analyzeWith('k8s/deep-pods.yaml', deepPods(MAX_NESTING + 1));
    assert.equal(over.code, 2, over.stderr);
    assert.match(
      over.stderr,
      new RegExp(`k8s/deep-pods\\.yaml: YAML nested deeper than ${MAX_NESTING} levels`),
    );
    const at = analyzeWith('k8s/deep-pods.yaml', deepPods(MAX_NESTING));
    assert.equal(at.code, 1, at.stderr);
  });
});
