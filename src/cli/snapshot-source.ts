/**
 * Where a command's cluster data comes from: a snapshot directory, or `--live` collection from the
 * AWS and Kubernetes APIs. Every command that reads a cluster takes both the same way.
 */
import type { Command } from 'commander';
import type { Snapshot } from '../snapshot/types.ts';
import { UsageError } from './errors.ts';
import { readSnapshot } from './inputs.ts';

export interface SourceOptions {
  readonly live?: boolean;
  readonly cluster?: string;
  readonly region?: string;
  readonly profile?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly quiet?: boolean;
}

export function addSnapshotSourceOptions(command: Command): Command {
  return command
    .option('--live', 'collect from the AWS and Kubernetes APIs instead of reading a snapshot')
    .option('--cluster <name>', 'EKS cluster name (with --live)')
    .option('--region <region>', 'AWS region (with --live; default: the standard AWS chain)')
    .option('--profile <profile>', 'AWS profile (with --live)')
    .option(
      '--kubeconfig <file>',
      'kubeconfig file (with --live; default: KUBECONFIG, ~/.kube/config, in-cluster)',
    )
    .option('--context <name>', 'kubeconfig context (with --live)')
    .option('--quiet', 'no progress on stderr');
}

/** Reads the snapshot named on the command line, or collects one live. */
export async function snapshotFrom(path: string | undefined, options: SourceOptions): Promise<Snapshot> {
  if (options.live) {
    if (path) throw new UsageError('give either a snapshot directory or --live, not both');
    throw new UsageError(
      '--live collection is not available in this build yet; run `snapshot` support or pass a snapshot directory',
    );
  }
  if (!path) throw new UsageError('a snapshot directory (or --live) is required');
  return readSnapshot(path);
}
