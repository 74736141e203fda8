/**
 * The end of every `--help`: the command's exit codes, then two examples — one convention for
 * every command, so a reader finds them in the same place. `2` (usage or input error), `70`
 * (internal error) and `74` (stdout not writable) hold for every command and are added here unless
 * the command words them itself.
 */
import type { Command } from 'commander';
import type { RegisterCommand } from './shared.ts';
import { ExitCode } from './errors.ts';

export type ExitCodeHelp = readonly [code: number, meaning: string];

const ALWAYS: readonly ExitCodeHelp[] = [
  [ExitCode.Usage, 'usage or input error (the message names the flag, file or JSON path)'],
  [ExitCode.Internal, 'internal error (a bug: please report it)'],
  [
    ExitCode.OutputError,
    'standard output could not be written (ENOSPC, EIO); a reader closing the pipe is not an error',
  ],
];

/** The `--help` epilogue: `Exit codes:` with one line per code, then `Examples:` with two command lines. */
export function helpEpilogue(exits: readonly ExitCodeHelp[], examples: readonly [string, string]): string {
  // A command may say more about 2 or 70 than ALWAYS does: its line replaces the general one.
  const all = [...exits, ...ALWAYS.filter(([code]) => !exits.some(([own]) => own === code))].sort(
    (a, b) => a[0] - b[0],
  );
  const width = Math.max(...all.map(([code]) => String(code).length));
  return [
    '',
    'Exit codes:',
    ...all.map(([code, meaning]) => `  ${String(code).padEnd(width)}  ${meaning}`),
    '',
    'Examples:',
    ...examples.map((example) => `  $ dynamo-netcheck ${example}`),
  ].join('\n');
}

export function addExitCodesAndExamples(
  command: Command,
  exits: readonly ExitCodeHelp[],
  examples: readonly [string, string],
): Command {
  return command.addHelpText('after', helpEpilogue(exits, examples));
}

/** `--no-color` and `--quiet` read the same on every command that takes them. */
export const NO_COLOR_HELP = 'plain text even on a terminal';
export const QUIET_HELP = 'no progress on stderr';

/** `dynamo-netcheck --help` ends the same way: the exit codes every command shares, two examples. */
export const registerProgramHelp: RegisterCommand = (program) => {
  addExitCodesAndExamples(
    program,
    [
      [ExitCode.Pass, 'every required flow allowed (each command says what passing means)'],
      [ExitCode.Fail, 'at least one flow blocked'],
      [ExitCode.Inconclusive, 'nothing blocked, but something could not be decided'],
      [
        ExitCode.MissingPermissions,
        'missing permissions: an IAM action or RBAC verb refused; nothing changed',
      ],
      [ExitCode.Interrupted, 'interrupted, after cleaning up'],
    ],
    ['analyze examples/dgxc-multi-sg', 'fix examples/dgxc-multi-sg -o terraform'],
  );
};
