import { escapeControls } from '../base/terminal.ts';
import { Command, CommanderError } from 'commander';
import { ExitCode, PermissionError, UsageError } from './errors.ts';
import { commands } from './commands/index.ts';
import { TOOL_VERSION } from '../base/version.ts';

/** How standard output failed, once it has (see watchOutput). */
let outputFailure: NodeJS.ErrnoException | undefined;
let watching = false;

/**
 * A failed write to standard output is an 'error' event on process.stdout, which unhandled would
 * crash with exit 1 — the "blocked" code. EPIPE (the reader closed the pipe: `| head -c1`) ends
 * the output quietly and leaves the exit code to the run; any other failure (ENOSPC from
 * `> /dev/full`, EIO) is one line on stderr and exit 74. stderr failing has nowhere to be told.
 */
function watchOutput(): void {
  if (watching) return;
  watching = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (outputFailure) return;
    outputFailure = err;
    if (err.code === 'EPIPE') return;
    process.stderr.write(`dynamo-netcheck: cannot write to standard output: ${err.message}\n`);
    // Arriving after main() returned, it still decides the exit code.
    process.exitCode = ExitCode.OutputError;
  });
  process.stderr.on('error', () => {});
}

/** The exit code once everything written to stdout has gone out, or failed to. */
async function afterOutput(code: number): Promise<number> {
  const out = process.stdout;
  // Still queued (an asynchronous stream: a worker's stdout, a slow pipe): an empty write's
  // callback runs once everything before it has gone out or failed. Only then: writing nothing
  // to /dev/full fails too, and a run that printed nothing has not failed.
  if (out.writableLength > 0 && !out.destroyed)
    await new Promise<void>((resolve) => {
      const done = (): void => {
        out.off('error', done).off('close', done);
        resolve();
      };
      out.on('error', done).on('close', done);
      out.write('', done);
    });
  // A failed synchronous write reports its error on the next tick.
  await new Promise((resolve) => setImmediate(resolve));
  const failed = outputFailure !== undefined && outputFailure.code !== 'EPIPE';
  return failed && code !== ExitCode.Internal && code !== ExitCode.Interrupted ? ExitCode.OutputError : code;
}

/**
 * The single entry point: builds the program from the command registry and maps every
 * outcome to an exit code. Commands return their exit code; errors thrown here are mapped once.
 */
export async function main(argv: string[]): Promise<number> {
  watchOutput();
  return afterOutput(await run(argv));
}

async function run(argv: string[]): Promise<number> {
  const program = new Command('dynamo-netcheck')
    .description(
      "Proves an AWS EKS cluster's network is ready for NVIDIA Dynamo inference, explains what is wrong, and writes the narrowest fix.",
    )
    .version(TOOL_VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError(false);

  let exitCode: number = ExitCode.Pass;
  for (const register of commands) {
    register(program, (code) => {
      exitCode = code;
    });
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; everything else commander rejects is a usage error.
      return err.exitCode === 0 ? ExitCode.Pass : ExitCode.Usage;
    }
    if (err instanceof UsageError) {
      // Messages name files and values from the input: shown with control characters escaped.
      process.stderr.write(`dynamo-netcheck: ${escapeControls(err.message, { keepNewlines: true })}\n`);
      return err instanceof PermissionError ? ExitCode.MissingPermissions : ExitCode.Usage;
    }
    process.stderr.write(
      `dynamo-netcheck: internal error: ${escapeControls(err instanceof Error ? (err.stack ?? err.message) : String(err), { keepNewlines: true })}\n`,
    );
    return ExitCode.Internal;
  }
}
