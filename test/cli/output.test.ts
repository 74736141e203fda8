/**
 * A failed write to standard output never looks like a verdict (issue 17 item 11): a reader that
 * closed the pipe (EPIPE) ends the output quietly with the run's own exit code; any other failure
 * (ENOSPC from /dev/full, which only refuses writes) is exit 74 with one line on stderr.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { describe, it } from 'node:test';

const bin = './bin/dynamo-netcheck';
const env = { ...process.env, NO_COLOR: '1' };

/** The CLI with its stdout on /dev/full: every write fails with ENOSPC. */
function toFullDevice(...args: string[]) {
  const full = openSync('/dev/full', 'w');
  try {
    const r = spawnSync(bin, args, { stdio: ['ignore', full, 'pipe'], encoding: 'utf8', env });
    return { code: r.status, stderr: r.stderr };
  } finally {
    closeSync(full);
  }
}

/** The CLI with a reader that closes the pipe before anything is written. */
function toClosedPipe(...args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

const ENOSPC = 'dynamo-netcheck: cannot write to standard output: ENOSPC: no space left on device, write\n';

describe('standard output that cannot be written', () => {
  it('ENOSPC (> /dev/full): exit 74 and one line on stderr, whatever the verdict would have been', () => {
    const passing = toFullDevice('analyze', 'examples/healthy-shared-cluster-sg');
    assert.equal(passing.code, 74);
    assert.equal(passing.stderr, ENOSPC);
    const failing = toFullDevice('fix', 'examples/dgxc-multi-sg', '-o', 'terraform');
    assert.equal(failing.code, 74);
    assert.equal(failing.stderr, ENOSPC);
  });

  it('a run that prints nothing on stdout keeps its code (a usage error stays 2)', () => {
    const r = toFullDevice('analyze', '/dev/null');
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      'dynamo-netcheck: bad input: /dev/null: a character device, not a regular file or directory: refused (it is never opened)\n',
    );
  });

  it('EPIPE (the reader is gone): quiet, and the exit code is still the verdict', async () => {
    const passing = await toClosedPipe('analyze', 'examples/healthy-shared-cluster-sg');
    assert.deepEqual(passing, { code: 0, stderr: '' });
    const failing = await toClosedPipe('analyze', 'examples/dgxc-multi-sg', '-o', 'json');
    assert.deepEqual(failing, { code: 1, stderr: '' });
  });

  it('`| head -c1` on a report larger than the pipe buffer', () => {
    const r = spawnSync(
      'bash',
      [
        '-c',
        `${bin} analyze examples/healthy-shared-cluster-sg -o html -v | head -c1; echo " \${PIPESTATUS[0]}"`,
      ],
      { encoding: 'utf8', env },
    );
    assert.equal(r.stdout, '< 0\n');
    assert.equal(r.stderr, '');
  });
});
