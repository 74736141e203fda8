/**
 * One set of conventions (issue 19): every `--help` ends with its exit codes and two examples;
 * every command that prints a report takes --no-color, and every command takes --quiet. The
 * examples that need no cluster or network are run, and exit with a code their help lists.
 * All runs go through the CLI's entry point in one process (test/report/cli-batch.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { commands } from '../../src/cli/commands/index.ts';
import { runCliBatch, type BatchRun } from '../helpers/cli-batch.ts';

/** The command names, from the registry itself: a command added later is checked too. */
const program = new Command('dynamo-netcheck');
for (const register of commands) register(program, () => {});
const names = program.commands.map((c) => c.name());

interface Help {
  readonly argv: string[];
  readonly text: string;
  readonly exitCodes: Map<number, string>;
  readonly examples: string[];
}

/** `Exit codes:` then `Examples:` with exactly two command lines, and nothing after them. */
function parseHelp(argv: string[], text: string): Help {
  const match =
    /\n\nExit codes:\n((?: {2}\d+ +\S.*\n)+)\nExamples:\n((?: {2}\$ dynamo-netcheck .+\n)+)$/.exec(text);
  assert.ok(match, `${argv.join(' ')}: no exit codes and examples at the end:\n${text}`);
  const exitCodes = new Map(
    match[1]!
      .trimEnd()
      .split('\n')
      .map((line) => /^ {2}(\d+) +(.+)$/.exec(line)!)
      .map((m) => [Number(m[1]), m[2]!] as const),
  );
  const examples = match[2]!
    .trimEnd()
    .split('\n')
    .map((line) => line.replace(/^ {2}\$ dynamo-netcheck /, ''));
  return { argv, text, exitCodes, examples };
}

const helpArgvs = [['--help'], ...names.map((name) => [name, '--help'])];
const helps = runCliBatch(helpArgvs).map((run, i) => {
  assert.equal(run.code, 0, run.stderr);
  return parseHelp(helpArgvs[i]!, run.stdout);
});
const helpOf = (name: string) => helps.find((h) => h.argv[0] === name)!;

describe('every --help ends with its exit codes and two examples', () => {
  it('covers the program and every registered command', () => {
    assert.ok(names.length >= 9, names.join(' '));
    assert.equal(helps.length, names.length + 1);
  });

  for (const [i, argv] of helpArgvs.entries())
    it(`dynamo-netcheck ${argv.join(' ')}`, () => {
      const help = helps[i]!;
      assert.equal(help.examples.length, 2, help.examples.join('\n'));
      // Every command can fail on its input (2) and have a bug (70); each says what 0 means.
      for (const code of [0, 2, 70])
        assert.ok(help.exitCodes.has(code), `${argv.join(' ')}: no exit code ${code}`);
      for (const example of help.examples) {
        const command = example.split(' ')[0]!;
        if (argv[0] !== '--help') assert.equal(command, argv[0], `an example of ${argv[0]}`);
        else assert.ok(names.includes(command), example);
      }
    });

  it('the examples that need no cluster and no network run, and exit with a code their help lists', () => {
    const offline = helps.flatMap((help) =>
      help.examples
        // monitor runs until it is stopped: test/cli/monitor.test.ts runs it.
        .filter((e) => !/--live|--kubeconfig|^(snapshot|probe|dial|monitor) /.test(e))
        .map((example) => ({ help, example })),
    );
    // analyze, requirements ×2, placement, diagnose, diff, fix, and the program's two.
    assert.ok(offline.length >= 8, offline.map((o) => o.example).join('\n'));
    const runs = runCliBatch(offline.map(({ example }) => example.split(' ')));
    for (const [i, { help, example }] of offline.entries()) {
      const run = runs[i]!;
      assert.ok(run.stdout.length > 0, example);
      assert.ok(![2, 70].includes(run.code), `${example}: exit ${run.code}\n${run.stderr}`);
      assert.ok(help.exitCodes.has(run.code), `${example}: exit ${run.code} is not listed in its help`);
    }
  });
});

describe('--no-color and --quiet read the same everywhere', () => {
  // `completion` prints a script, not a report, and has nothing to report progress on.
  const reporting = names.filter((name) => name !== 'snapshot' && name !== 'completion');

  it('every command that prints a report takes --no-color; every command takes --quiet', () => {
    for (const name of reporting)
      assert.match(helpOf(name).text, /^ {2}--no-color +plain text even on a terminal$/m, name);
    for (const name of names.filter((n) => n !== 'completion'))
      assert.match(helpOf(name).text, /^ {2}--quiet +no progress on stderr$/m, name);
  });

  it('fix, requirements and probe accept --no-color, requirements and dial --quiet, and print the same', () => {
    const runs = runCliBatch([
      ['fix', 'examples/dgxc-multi-sg'],
      ['fix', 'examples/dgxc-multi-sg', '--no-color'],
      ['requirements', '--dynamo-version', '1.4.0'],
      ['requirements', '--dynamo-version', '1.4.0', '--no-color', '--quiet'],
      // Stops at the usage check, after commander accepted every flag.
      ['probe', '--no-color', '--concurrency', '0'],
      ['dial', 'tcp://', '--quiet', '--no-color'],
    ]);
    const [fix, fixPlain, req, reqPlain, probe, dial] = runs as [
      BatchRun,
      BatchRun,
      BatchRun,
      BatchRun,
      BatchRun,
      BatchRun,
    ];
    assert.equal(fix.code, 0, fix.stderr);
    assert.deepEqual(fixPlain, fix);
    assert.equal(req.code, 0, req.stderr);
    assert.deepEqual(reqPlain, req);
    assert.equal(probe.code, 2);
    assert.match(probe.stderr, /--concurrency: expected a whole number/);
    assert.equal(dial.code, 2);
    assert.doesNotMatch(dial.stderr, /unknown option/);
  });
});

describe('fix --help', () => {
  it('is short: the detail of --apply lives in the README', () => {
    const help = helpOf('fix').text;
    const description = help.slice(help.indexOf('\n\n') + 2, help.indexOf('\n\nArguments:'));
    assert.ok(description.split('\n').length <= 5, description);
    assert.match(description, /README "Fixing"/);
  });
});
