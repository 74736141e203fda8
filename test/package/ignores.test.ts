/**
 * What the README's examples write into the checkout (a snapshot directory, reports, fixes as code,
 * the revoke script of `fix --apply`) is neither committed by accident nor checked by
 * `prettier --check .`; the files of the repository stay visible to both.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { getFileInfo } from 'prettier';

const GENERATED = [
  'snap/describe-security-groups.json',
  'report.html',
  'report.json',
  'netpol.yaml',
  'main.tf',
  'dynamo-netcheck-revoke-20261206T104500Z.sh',
  'sea/dynamo-netcheck',
];
const OURS = [
  'README.md',
  'package.json',
  'examples/dgxc-multi-sg/README.md',
  'docs/rbac.yaml',
  'src/cli/main.ts',
];

function gitIgnored(path: string): boolean {
  const r = spawnSync('git', ['check-ignore', '--no-index', '-q', path], { encoding: 'utf8' });
  assert.ok(r.status === 0 || r.status === 1, `git check-ignore ${path}: ${r.stderr}`);
  return r.status === 0;
}

test('.gitignore covers what the README examples write, and none of the repository files', () => {
  for (const path of GENERATED) assert.equal(gitIgnored(path), true, path);
  for (const path of OURS) assert.equal(gitIgnored(path), false, path);
});

test('.prettierignore covers what the README examples write, and none of the repository files it formats', async () => {
  for (const path of GENERATED)
    assert.equal((await getFileInfo(path, { ignorePath: '.prettierignore' })).ignored, true, path);
  for (const path of OURS.filter((p) => !p.startsWith('examples/')))
    assert.equal((await getFileInfo(path, { ignorePath: '.prettierignore' })).ignored, false, path);
});
