/**
 * Every command that reads a snapshot refuses what it must never read (issue 17 items 11, 12):
 * exit 2 and one line naming the path, never a hang on a FIFO. Spawned with a timeout, so a
 * command that blocks fails the test instead of stalling it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const scratch = mkdtempSync(join(tmpdir(), 'netcheck-cli-limits-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const run = (...args: string[]) => {
  const r = spawnSync('./bin/dynamo-netcheck', args, {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 60_000,
  });
  assert.equal(r.error, undefined, `${args.join(' ')}: ${String(r.error)}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const fifo = join(scratch, 'pods.yaml');
assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
const refusedFifo = (prefix = 'bad input: ') =>
  `dynamo-netcheck: ${prefix}${fifo}: a FIFO, not a regular file or directory: refused (it is never opened)\n`;

const commands: string[][] = [
  ['analyze'],
  ['fix'],
  ['diagnose'],
  ['diff', '--to', '1.2.0'],
  ['placement'],
  ['requirements'],
  ['probe'],
];

describe('commands reading a snapshot', () => {
  for (const [command, ...rest] of commands) {
    it(`${command}: a FIFO as the snapshot is refused on one line, exit 2; --help lists --max-file-size`, () => {
      const r = run(command!, fifo, ...rest);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, refusedFifo());
      // Help text wraps at the terminal width: compared with whitespace collapsed.
      const help = run(command!, '--help').stdout.replace(/\s+/g, ' ');
      assert.ok(
        help.includes(
          '--max-file-size <size> with a snapshot: refuse (exit 2) any file larger than this, in bytes or with k, M, G (1k = 1024 bytes) (default: "2G")',
        ),
        help,
      );
    });
  }

  it('analyze /dev/zero is refused without being read', () => {
    const r = run('analyze', '/dev/zero');
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      'dynamo-netcheck: bad input: /dev/zero: a character device, not a regular file or directory: refused (it is never opened)\n',
    );
  });

  it('--max-file-size 1k refuses every larger file, naming each; a malformed size is a usage error', () => {
    const r = run('analyze', 'examples/healthy-shared-cluster-sg', '--max-file-size', '1k');
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^dynamo-netcheck: bad input:\n/);
    assert.match(
      r.stderr,
      /\n {2}k8s\/pods\.json: \d+ bytes, over the size limit of 1 KiB \(--max-file-size\): refused\n/,
    );
    const fits = run('analyze', 'examples/healthy-shared-cluster-sg', '--max-file-size', '1M');
    assert.equal(fits.code, 0, fits.stderr);
    const bad = run('analyze', 'examples/healthy-shared-cluster-sg', '--max-file-size', '1x');
    assert.equal(bad.code, 2);
    assert.equal(
      bad.stderr,
      'dynamo-netcheck: --max-file-size 1x: expected a size such as 1048576, 64k, 512M or 2G (k = 1024 bytes)\n',
    );
  });

  it('files named by flags (--ctrf, --pod-spec, --recipe) are never opened when they are FIFOs', () => {
    const ctrf = run('diagnose', 'examples/dgxc-multi-sg', '--ctrf', fifo);
    assert.equal(ctrf.code, 2);
    assert.equal(ctrf.stderr, refusedFifo(''));
    const podSpec = run('placement', 'examples/dgxc-multi-sg', '--pod-spec', fifo);
    assert.equal(podSpec.code, 2);
    assert.equal(podSpec.stderr, refusedFifo(''));
    const recipe = run('requirements', '--recipe', fifo);
    assert.equal(recipe.code, 2);
    assert.equal(recipe.stderr, refusedFifo('--recipe '));
  });
});
