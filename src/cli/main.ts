import { escapeControls } from '../base/terminal.ts';
import { Command, CommanderError } from 'commander';
import { ExitCode, PermissionError, UsageError } from './errors.ts';
import { commands } from './commands/index.ts';
import { TOOL_VERSION } from '../base/version.ts';

/**
 * The single entry point: builds the program from the command registry and maps every
 * outcome to an exit code. Commands return their exit code; errors thrown here are mapped once.
 */
export async function main(argv: string[]): Promise<number> {
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
