/** One exit-code map for every command (DESIGN.md §6). */
export const ExitCode = {
  /** Every required flow allowed / every check passed. */
  Pass: 0,
  /** At least one flow blocked / check failed. */
  Fail: 1,
  /** Usage or input error. */
  Usage: 2,
  /** Inconclusive: nothing blocked, something unknown. */
  Inconclusive: 3,
  /** `fix --apply`: the caller lacks an IAM permission the change needs (found by DryRun; nothing changed). */
  MissingPermissions: 4,
  /** A bug in this tool (EX_SOFTWARE), never a verdict. */
  Internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the user caused (bad flag, bad file): printed without a stack, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
