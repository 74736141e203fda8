/** The README's quoted `analyze` run is what the CLI prints, byte for byte. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

describe('README: What `analyze` prints', () => {
  it('quotes ./bin/dynamo-netcheck analyze examples/dgxc-multi-sg as it prints now, and its exit code', () => {
    const readme = readFileSync('README.md', 'utf8');
    const lines = readme.split('\n');
    const start = lines.indexOf('$ ./bin/dynamo-netcheck analyze examples/dgxc-multi-sg');
    assert.ok(start > 0, 'the quoted command');
    const end = lines.indexOf('```', start);
    const quoted = `${lines.slice(start + 1, end).join('\n')}\n`;
    const r = spawnSync('./bin/dynamo-netcheck', ['analyze', 'examples/dgxc-multi-sg'], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    assert.equal(r.stdout, quoted);
    assert.match(lines[end + 2] ?? '', /^Exit code 1\./);
    assert.equal(r.status, 1);
  });
});
