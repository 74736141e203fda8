/**
 * The published package serves the library: `npm pack`, install the tarball in an empty
 * directory (`--prefer-offline`: tarballs from the cache `npm ci` filled, metadata from the registry), and import it by name from plain Node.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const repo = new URL('../../', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'dnc-pack-'));
after(() => rmSync(work, { recursive: true, force: true }));

describe('npm pack → npm install → import from "dynamo-netcheck"', () => {
  it('analyses a bundled example through the public API, in a directory with nothing else', () => {
    const packed = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', work], {
      cwd: repo,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop()!;
    const app = join(work, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    execFileSync(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--omit=dev',
        join(work, packed),
      ],
      { cwd: app, stdio: 'pipe' },
    );
    writeFileSync(
      join(app, 'use.mjs'),
      `import { analyzeSnapshot, loadSnapshot, emitters, fixPlan, renderers, SCHEMA_VERSION } from 'dynamo-netcheck';
const dir = new URL('./node_modules/dynamo-netcheck/examples/dgxc-multi-sg', import.meta.url).pathname;
const result = analyzeSnapshot(await loadSnapshot(dir));
const fix = emitters['aws-cli'](fixPlan(result));
const table = renderers.table(result, { color: false, verbose: false });
console.log(JSON.stringify({ verdict: result.verdict, schema: SCHEMA_VERSION, fixHasPort: fix.includes('authorize-security-group-ingress') && fix.includes('4222'), table: table.includes('Verdict: FAIL') }));`,
    );
    const out = JSON.parse(execFileSync('node', ['use.mjs'], { cwd: app, encoding: 'utf8' }));
    // examples/dgxc-multi-sg/README.md: NATS 4222 from the customer SG is blocked, so the verdict is FAIL.
    assert.deepEqual(out, { verdict: 'fail', schema: 1, fixHasPort: true, table: true });
  });
});
