/**
 * The layer check in `npm run check` (docs/architecture.md): it passes on the tree as it is, and
 * fails — naming the rule — when a copy of the tree gets an upward import, a cycle, or I/O in the core.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const repo = new URL('../../', import.meta.url).pathname;
const depcruise = join(repo, 'node_modules/.bin/depcruise');
const copies: string[] = [];
after(() => copies.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function check(cwd: string): { status: number | null; out: string } {
  const run = spawnSync(depcruise, ['src', '--config', '.dependency-cruiser.cjs'], { cwd, encoding: 'utf8' });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

/** A copy of the repository's sources with `line` appended to `file`. */
function treeWith(file: string, line: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'dnc-layers-'));
  copies.push(dir);
  for (const name of ['src', 'tsconfig.json', '.dependency-cruiser.cjs', 'package.json'])
    cpSync(join(repo, name), join(dir, name), { recursive: true });
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  appendFileSync(join(dir, file), `\n${line}\n`);
  return dir;
}

describe('layer check (dependency-cruiser)', () => {
  it('passes on the repository', () => {
    const { status, out } = check(repo);
    assert.equal(status, 0, out);
  });
  it('fails on an import against the layer order (model → analyze)', () => {
    const { status, out } = check(
      treeWith('src/model/types.ts', "export type { FlowResult as _Up } from '../analyze/types.ts';"),
    );
    assert.notEqual(status, 0);
    assert.match(out, /layer-model: src\/model\/types\.ts → src\/analyze\/types\.ts/);
  });
  it('fails on a cycle, even inside one layer', () => {
    const dir = treeWith('src/base/ip.ts', "export { TOOL_VERSION as _V } from './version.ts';");
    appendFileSync(join(dir, 'src/base/version.ts'), "\nexport { parseCidr as _P } from './ip.ts';\n");
    const cyclic = check(dir);
    assert.notEqual(cyclic.status, 0);
    assert.match(cyclic.out, /no-cycles/);
  });
  it('fails on a peer import (requirements ↔ placement share a row)', () => {
    const { status, out } = check(
      treeWith('src/requirements/detect.ts', "export { taintLabel as _T } from '../placement/match.ts';"),
    );
    assert.notEqual(status, 0);
    assert.match(out, /layer-requirements/);
  });
  it('fails on I/O in the pure core', () => {
    const { status, out } = check(
      treeWith('src/reachability/ports.ts', "export { readFileSync as _R } from 'node:fs';"),
    );
    assert.notEqual(status, 0);
    assert.match(out, /no-io-in-the-core/);
  });
});
