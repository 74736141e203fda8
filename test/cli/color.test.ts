// Colour on a terminal only, and never when --no-color or NO_COLOR (https://no-color.org: set and
// not empty) says no; script(1) gives the CLI a terminal.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

const ESC = '\x1b[';

function onTerminal(args: string, env: Record<string, string | undefined> = {}): string {
  const clean = { ...process.env };
  delete clean.NO_COLOR;
  const run = spawnSync('script', ['-qec', `./bin/dynamo-netcheck ${args}`, '/dev/null'], {
    env: { ...clean, ...env } as NodeJS.ProcessEnv,
    encoding: 'utf8',
  });
  return run.stdout;
}

describe('colour', () => {
  it('analyze colours its table on a terminal, and not with NO_COLOR=1 or --no-color', () => {
    const coloured = onTerminal('analyze examples/dgxc-multi-sg');
    assert.ok(coloured.includes(ESC), 'coloured on a terminal');
    // eslint-disable-next-line no-control-regex
    assert.match(coloured.replace(/\x1b\[[0-9;]*m/g, ''), /Verdict: FAIL/);
    for (const [args, env] of [
      ['analyze examples/dgxc-multi-sg', { NO_COLOR: '1' }],
      ['analyze examples/dgxc-multi-sg --no-color', {}],
      ['diff examples/dgxc-multi-sg --to 1.4.2', { NO_COLOR: 'yes' }],
    ] as const) {
      const plain = onTerminal(args, env);
      assert.ok(plain.length > 200, plain);
      assert.ok(!plain.includes(ESC), `${args} ${JSON.stringify(env)}: no escape sequence`);
    }
  });

  it('an empty NO_COLOR is not set (the convention): colour stays', () => {
    assert.ok(onTerminal('analyze examples/dgxc-multi-sg', { NO_COLOR: '' }).includes(ESC));
  });
});
