import { InvalidArgumentError } from 'commander';
import { CollectError } from '../../live/errors.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { checkTarget, writeCollectedDir } from '../../live/collect/write.ts';
import { collectionFailure, ExitCode, UsageError } from '../errors.ts';
import { collectLive } from '../snapshot-source.ts';
import { addExitCodesAndExamples, QUIET_HELP } from '../help.ts';
import type { RegisterCommand } from '../shared.ts';

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

/** Target checks and writing fail as usage errors (exit 2): a bad -d, a full or read-only disk. */
async function orUsageError<T>(dir: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof CollectError) throw collectionFailure(err);
    const code = (err as NodeJS.ErrnoException).code;
    if (code) throw new UsageError(`cannot write -d ${dir}: ${(err as Error).message}`);
    throw err;
  }
}

export const registerSnapshot: RegisterCommand = (program, setExit) => {
  const command = program
    .command('snapshot')
    .description(
      'Collects the AWS and Kubernetes state the analysis needs into a directory that `analyze` reads. ' +
        'Read-only, scoped to the cluster; env values other than Dynamo/NATS/etcd/VPC CNI settings are ' +
        'redacted, Secrets and ConfigMaps are never read. Nothing is left behind on failure.',
    )
    .requiredOption('--cluster <name>', 'EKS cluster name')
    .requiredOption(
      '-d, --dir <path>',
      'directory to write (created; must be empty, or an earlier snapshot with --force)',
    )
    .option('--region <region>', 'AWS region (default: the standard AWS chain: AWS_REGION, profile)')
    .option('--profile <profile>', 'AWS profile (default: the standard AWS credential chain)')
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--context <name>', 'kubeconfig context (default: the current context)')
    .option(
      '--logs',
      'also capture container logs (current and previous) of Dynamo, NATS, Prometheus and validator pods, verbatim',
    )
    .option('--tail-lines <n>', 'log lines per container with --logs', positiveInteger, 200)
    .option(
      '--force',
      'replace an earlier snapshot in --dir (a directory holding manifest.json; never /, $HOME or .)',
    )
    .option('--quiet', QUIET_HELP);
  addExitCodesAndExamples(
    command,
    [
      [ExitCode.Pass, 'the snapshot was written'],
      [
        ExitCode.Usage,
        'usage error, credentials, unknown cluster, unreachable API or throttling; nothing written',
      ],
      [
        ExitCode.MissingPermissions,
        'an IAM action or RBAC verb refused (named in the message); nothing written',
      ],
    ],
    [
      'snapshot --cluster dgxc-h100 --region us-west-2 -d ./snap',
      'snapshot --cluster dgxc-h100 --profile ops -d ./snap --logs --force',
    ],
  );
  command.action(async (opts: Record<string, unknown>) => {
    const dir = opts.dir as string;
    const force = opts.force === true;
    await orUsageError(dir, () => checkTarget(dir, force));
    // The Kubernetes lists go to disk page by page, beside the target (moved into it at the end).
    const target = resolve(dir);
    const spool = await orUsageError(dir, () =>
      mkdtemp(join(dirname(target), `.${basename(target)}.spool-`)),
    );
    let written: number;
    try {
      const collected = await collectLive({
        live: true,
        cluster: opts.cluster as string,
        ...(opts.region ? { region: opts.region as string } : {}),
        ...(opts.profile ? { profile: opts.profile as string } : {}),
        ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig as string } : {}),
        ...(opts.context ? { context: opts.context as string } : {}),
        ...(opts.quiet ? { quiet: true } : {}),
        ...(opts.logs ? { logs: true, tailLines: opts.tailLines as number } : {}),
        spool,
      });
      await orUsageError(dir, () => writeCollectedDir(dir, collected.documents, force));
      written = collected.documents.length;
    } finally {
      await rm(spool, { recursive: true, force: true });
    }
    process.stdout.write(`wrote ${written} files to ${dir}\n`);
    setExit(ExitCode.Pass);
  });
};
