/**
 * The single executable (`npm run build:sea`, Node's single executable applications): built into a
 * temporary directory, it runs `analyze` on the bundled examples with no Node on PATH and gives the
 * verdicts and exit codes the CLI gives. The build takes 5–30 s (a CommonJS bundle of every package,
 * then a copy of the node binary with the blob injected).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const dir = mkdtempSync(join(tmpdir(), 'dnc-sea-'));
const executable = join(dir, 'dynamo-netcheck');
after(() => rmSync(dir, { recursive: true, force: true }));

before(() => {
  const r = spawnSync(process.execPath, ['scripts/build-sea.mjs', dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').at(-1), executable);
});

/** Runs the executable with an environment that has no Node: PATH holds nothing. */
function run(...args: string[]) {
  return spawnSync(executable, args, {
    encoding: 'utf8',
    cwd: process.cwd(),
    env: { PATH: join(dir, 'no-such-dir'), NO_COLOR: '1' },
  });
}

/** The output the README quotes under "What `analyze` prints", as the CLI writes it. */
function readmeAnalyzeOutput(): string {
  const lines = readFileSync('README.md', 'utf8').split('\n');
  const start = lines.indexOf('$ ./bin/dynamo-netcheck analyze examples/dgxc-multi-sg');
  const end = lines.indexOf('```', start);
  return `${lines.slice(start + 1, end).join('\n')}\n`;
}

describe('the single executable', () => {
  it('is one executable file', () => {
    assert.ok((statSync(executable).mode & 0o111) !== 0);
  });

  it('analyze on a blocked example: FAIL and exit 1, with the commands fix writes', () => {
    const r = run('analyze', 'examples/dgxc-multi-sg');
    assert.equal(r.status, 1, r.stderr);
    // The README quotes this run in full ("What `analyze` prints"): the executable prints it too.
    assert.equal(r.stdout, readmeAnalyzeOutput());
    assert.match(
      r.stdout,
      /--tag-specifications 'ResourceType=security-group-rule,Tags=\[\{Key=created-by,Value=dynamo-netcheck\}/,
    );
    assert.equal(r.stderr, '');
  });

  it('analyze on a healthy example: PASS and exit 0', () => {
    const r = run('analyze', 'examples/healthy-shared-cluster-sg');
    assert.equal(r.status, 0, r.stderr);
    // NATS (3 classes), Prometheus (3), request plane, response stream, the DCGM scrape and the
    // operator webhook the example's cluster SG admits: every counted class allowed.
    assert.match(r.stdout, /^Verdict: PASS — 0 blocked, 0 unknown, \d+ allowed flow classes/m);
  });

  it('--version is the package version; a usage error is exit 2', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    assert.equal(run('--version').stdout.trim(), pkg.version);
    assert.equal(run('analyze', '--no-such-flag').status, 2);
  });
});
