/** One exit-code map for every command (docs/architecture.md, "Exit codes"). */
import type { CollectFailure } from '../live/errors.ts';

export const ExitCode = {
  /** Every required flow allowed / every check passed. */
  Pass: 0,
  /** At least one flow blocked / check failed. */
  Fail: 1,
  /** Usage or input error. */
  Usage: 2,
  /** Inconclusive: nothing blocked, something unknown. */
  Inconclusive: 3,
  /**
   * Missing permissions: an IAM action (`snapshot`/`--live` collection, `fix --apply`'s DryRun) or a
   * Kubernetes RBAC verb the run needs was refused; nothing was written or changed.
   */
  MissingPermissions: 4,
  /**
   * Standard output could not be written (EX_IOERR): a full disk (ENOSPC), an I/O error; the report
   * is lost, so no verdict code. A reader that closed the pipe (EPIPE, `| head`) is not this: the
   * output stops quietly and the exit code stays the verdict.
   */
  OutputError: 74,
  /** Interrupted (SIGINT/SIGTERM) after cleaning up: 128 + SIGINT, what shells expect. */
  Interrupted: 130,
  /** A bug in this tool (EX_SOFTWARE), never a verdict. */
  Internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the user caused (bad flag, bad file): printed without a stack, exit 2. */
export class UsageError extends Error {
  override readonly name: string = 'UsageError';
}

/** Stopped because a permission is missing (exit 4); the message names the action or resource. */
export class PermissionError extends UsageError {
  override readonly name: string = 'PermissionError';
}

/**
 * A failed live collection as the error the CLI exits with: a refused IAM action or RBAC verb is
 * exit 4 like `fix --apply`'s, everything else (credentials, unknown cluster, unreachable API,
 * throttling) exit 2.
 */
export function collectionFailure(err: { failure: CollectFailure; message: string }): UsageError {
  return err.failure === 'access-denied' || err.failure === 'forbidden'
    ? new PermissionError(err.message)
    : new UsageError(err.message);
}
