// Shell completion and the kubectl plugin, as a user meets them: bash completes what the README's
// command table and report formats name; fish gets a line per command; the plugin file kubectl
// would find runs the same program.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const scratch = mkdtempSync(join(tmpdir(), 'dnc-completion-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function cli(bin: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) =>
    execFile(
      bin,
      args,
      { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => done({ code: error ? Number(error.code) : 0, stdout, stderr }),
    ),
  );
}

/** The commands the README's command table documents, in its first column. */
const readme = readFileSync('README.md', 'utf8');
const commandsAt = readme.indexOf('\n## Commands\n');
const commandTable = readme.slice(commandsAt, readme.indexOf('\n### ', commandsAt));
const documentedCommands = [...commandTable.matchAll(/^\| `(\w+)[ `]/gm)].map((m) => m[1]!);

describe('completion', async () => {
  const bash = (await cli('bin/dynamo-netcheck', 'completion', 'bash')).stdout;
  const script = join(scratch, 'completion.bash');
  writeFileSync(script, bash);

  /** What bash offers for the words typed so far (the last one is being completed). */
  function complete(words: string[], cwd = process.cwd()): string[] {
    const run = spawnSync(
      'bash',
      [
        '-c',
        `source ${JSON.stringify(script)}; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _dynamo_netcheck; printf '%s\\n' "\${COMPREPLY[@]}"`,
        'bash',
        ...words,
      ],
      { cwd, encoding: 'utf8' },
    );
    assert.equal(run.status, 0, run.stderr);
    return run.stdout.split('\n').filter(Boolean).sort();
  }

  it('bash: the script parses, and the first word completes to every documented command', () => {
    assert.equal(spawnSync('bash', ['-n', script]).status, 0);
    assert.ok(documentedCommands.length >= 8, documentedCommands.join(' '));
    const offered = complete(['dynamo-netcheck', '']);
    for (const command of documentedCommands) assert.ok(offered.includes(command), `${command}: ${offered}`);
    assert.deepEqual(complete(['dynamo-netcheck', 'pl']), ['placement']);
    assert.deepEqual(complete(['dynamo-netcheck', 'di']), ['diagnose', 'dial', 'diff']);
  });

  it("bash: an option's fixed values, a command's own options, and file names", () => {
    // The report formats the README documents for analyze.
    assert.deepEqual(complete(['dynamo-netcheck', 'analyze', '-o', '']), [
      'ctrf',
      'html',
      'json',
      'junit',
      'markdown',
      'table',
    ]);
    assert.deepEqual(complete(['dynamo-netcheck', 'fix', '--output', 't']), ['terraform']);
    assert.deepEqual(complete(['dynamo-netcheck', 'placement', '--str']), ['--strict']);
    assert.deepEqual(complete(['dynamo-netcheck', 'analyze', '--strict-no-such']), []);
    mkdirSync(join(scratch, 'snaps', 'cluster-a'), { recursive: true });
    assert.deepEqual(complete(['dynamo-netcheck', 'analyze', 'snaps/clu'], scratch), ['snaps/cluster-a']);
    assert.deepEqual(complete(['dynamo-netcheck', 'analyze', '--html', 'snaps/c'], scratch), [
      'snaps/cluster-a',
    ]);
  });

  it('zsh: the bash function through bashcompinit', async () => {
    const zsh = (await cli('bin/dynamo-netcheck', 'completion', 'zsh')).stdout;
    assert.match(zsh, /^autoload -U \+X bashcompinit && bashcompinit$/m);
    assert.ok(zsh.includes(bash), 'the same function as for bash');
  });

  it('fish: each documented command, and its options with their values', async () => {
    const fish = (await cli('bin/dynamo-netcheck', 'completion', 'fish')).stdout;
    for (const command of documentedCommands)
      assert.match(
        fish,
        new RegExp(`^complete -c dynamo-netcheck -n __fish_use_subcommand -a ${command} -d '`, 'm'),
      );
    assert.match(
      fish,
      /^complete -c dynamo-netcheck -n '__fish_seen_subcommand_from analyze' -s o -x -a 'table json ctrf junit markdown html'$/m,
    );
    assert.match(fish, /^complete -c dynamo-netcheck -n '__fish_seen_subcommand_from analyze' -l html -r$/m);
  });

  it('an unknown shell is a usage error: exit 2, nothing on stdout', async () => {
    const run = await cli('bin/dynamo-netcheck', 'completion', 'tcsh');
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /unknown shell "tcsh" \(one of bash, zsh, fish\)/);
  });
});

describe('kubectl plugin', () => {
  it('kubectl-dynamo_netcheck is the file `kubectl dynamo-netcheck` runs, and it runs the same program', async () => {
    // kubectl: a plugin is an executable named kubectl-<name> on PATH, a dash in <name> written as _.
    const bin = (JSON.parse(readFileSync('package.json', 'utf8')) as { bin: Record<string, string> }).bin;
    assert.equal(bin['kubectl-dynamo_netcheck'], 'bin/kubectl-dynamo_netcheck');
    accessSync('bin/kubectl-dynamo_netcheck', constants.X_OK);
    const [plugin, direct] = await Promise.all([
      cli('bin/kubectl-dynamo_netcheck', 'analyze', 'examples/dgxc-multi-sg'),
      cli('bin/dynamo-netcheck', 'analyze', 'examples/dgxc-multi-sg'),
    ]);
    assert.equal(plugin.code, 1);
    assert.deepEqual(plugin, direct);
  });
});
