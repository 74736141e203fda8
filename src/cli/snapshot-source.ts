/**
 * Where a command's cluster data comes from: a snapshot directory, or `--live` collection from the
 * AWS and Kubernetes APIs. Every command that reads a cluster takes both the same way, and live
 * data goes through the same loader (parseSnapshot) as a directory does.
 */
import type { Command } from 'commander';
import type { KubeConfig } from '@kubernetes/client-node';
import { CollectError } from '../live/errors.ts';
import type { AicrReportConfigMaps } from '../live/collect/aicr.ts';
import type { CollectedSnapshot, CollectOptions } from '../live/collect/index.ts';
import { toInputFiles } from '../live/collect/write.ts';
import { pickCluster } from '../snapshot/clusters.ts';
import { parseSnapshot } from '../snapshot/parse.ts';
import type { Snapshot } from '../snapshot/types.ts';
import { formatIssue } from '../snapshot/types.ts';
import { collectionFailure, UsageError } from './errors.ts';
import { DEFAULT_MAX_FILE_SIZE_TEXT, readSnapshot, warn } from './inputs.ts';

export interface SourceOptions {
  readonly live?: boolean;
  readonly cluster?: string;
  /** With a snapshot directory: the VPC whose cluster to read, when the directory holds several. */
  readonly vpc?: string;
  readonly region?: string;
  readonly profile?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly quiet?: boolean;
  /** Also capture the last lines of Dynamo / NATS / Prometheus / validator pods. */
  readonly logs?: boolean;
  readonly tailLines?: number;
  /** Also read AICR's validator reports from their ConfigMaps (`diagnose --live`). */
  readonly aicrReports?: boolean;
  /** With a snapshot: the largest file read (`--max-file-size`, as given). */
  readonly maxFileSize?: string;
  /** With --live: a directory to write the Kubernetes lists to page by page (`snapshot`). */
  readonly spool?: string;
}

/** `--max-file-size`: every command that reads a snapshot takes it. */
export const MAX_FILE_SIZE_FLAGS = '--max-file-size <size>';
export const MAX_FILE_SIZE_HELP =
  'with a snapshot: refuse (exit 2) any file larger than this, in bytes or with k, M, G (1k = 1024 bytes)';

export function addSnapshotSourceOptions(command: Command): Command {
  return command
    .option('--live', 'collect from the AWS and Kubernetes APIs instead of reading a snapshot')
    .option(
      '--cluster <name>',
      'EKS cluster name (with --live: the one to collect; with a snapshot: the one to read when the directory holds several)',
    )
    .option('--vpc <id>', 'with a snapshot: read the cluster in this VPC when the directory holds several')
    .option('--region <region>', 'AWS region (with --live; default: the standard AWS chain)')
    .option('--profile <profile>', 'AWS profile (with --live)')
    .option(
      '--kubeconfig <file>',
      'kubeconfig file (with --live; default: KUBECONFIG, ~/.kube/config, in-cluster)',
    )
    .option('--context <name>', 'kubeconfig context (with --live)')
    .option(MAX_FILE_SIZE_FLAGS, MAX_FILE_SIZE_HELP, DEFAULT_MAX_FILE_SIZE_TEXT)
    .option('--quiet', 'no progress on stderr');
}

/** In a command whose --kubeconfig and --context serve more than --live (`what`), their help says so. */
export function kubeconfigAlsoFor(command: Command, what: string): void {
  for (const option of command.options)
    if (option.long === '--kubeconfig' || option.long === '--context')
      option.description = option.description.replace('(with --live', `(${what}, and with --live`);
}

/** Progress lines on stderr, only for a person watching: a TTY, and not --quiet. */
export function progressReporter(
  stream: { isTTY?: boolean; write(text: string): unknown },
  quiet: boolean | undefined,
): (message: string) => void {
  if (quiet || !stream.isTTY) return () => {};
  return (message) => {
    stream.write(`dynamo-netcheck: ${message}\n`);
  };
}

/**
 * Collects a snapshot from the live APIs into memory. The one place collection failures become
 * exit codes: a refused IAM action or RBAC verb is exit 4 (missing permissions); credentials,
 * unknown cluster, unreachable API server and throttling are input/usage-style failures, exit 2.
 */
export async function collectLive(options: SourceOptions): Promise<CollectedSnapshot> {
  if (!options.cluster) throw new UsageError('--cluster <name> is required to collect from the live cluster');
  if (options.tailLines !== undefined && !(Number.isInteger(options.tailLines) && options.tailLines > 0))
    throw new UsageError('--tail-lines: expected a positive whole number');
  let collected: CollectedSnapshot;
  try {
    collected = await collectLiveOnce({ ...options, cluster: options.cluster });
  } catch (err) {
    if (err instanceof CollectError) throw collectionFailure(err);
    throw err;
  }
  for (const warning of collected.warnings) warn(warning);
  return collected;
}

/**
 * One live collection, its failures left as the CollectError they are (`monitor` counts them by
 * kind and goes on). `clients` reuses the AWS clients and kubeconfig of earlier collections.
 */
export async function collectLiveOnce(
  options: SourceOptions & { readonly cluster: string },
  clients: Pick<CollectOptions, 'awsClients' | 'kubeConfig'> = {},
): Promise<CollectedSnapshot> {
  // Loaded only here: the SDK and client-node take seconds to import, offline commands never need them.
  const { collectSnapshot } = await import('../live/collect/index.ts');
  return collectSnapshot({
    clusterName: options.cluster,
    progress: progressReporter(process.stderr, options.quiet),
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
    ...(options.context ? { context: options.context } : {}),
    ...(options.logs ? { logs: true } : {}),
    ...(options.tailLines ? { tailLines: options.tailLines } : {}),
    ...(options.aicrReports ? { aicrReports: true } : {}),
    ...(options.spool ? { spool: options.spool } : {}),
    ...clients,
  });
}

/** The kubeconfig --kubeconfig and --context name (else KUBECONFIG, ~/.kube/config, in-cluster); a bad one is exit 2. */
export async function kubeConfigFrom(
  options: Pick<SourceOptions, 'kubeconfig' | 'context'>,
): Promise<KubeConfig> {
  const { loadKubeConfig } = await import('../live/collect/kubernetes.ts');
  try {
    return loadKubeConfig({
      ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
      ...(options.context ? { context: options.context } : {}),
    });
  } catch (err) {
    if (err instanceof CollectError) throw collectionFailure(err);
    throw err;
  }
}

/**
 * The Kubernetes objects alone, from where --kubeconfig/--context point: enough for `probe` to
 * plan one pod per node group and to find every target, with no AWS access. Without security
 * groups every static verdict is unknown; the live results stand on their own.
 */
export async function collectKubernetesOnly(
  options: Pick<SourceOptions, 'kubeconfig' | 'context' | 'quiet'>,
): Promise<Snapshot> {
  const { collectKubernetes, loadKubeConfig } = await import('../live/collect/kubernetes.ts');
  let documents;
  try {
    const kubeConfig = loadKubeConfig({
      ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
      ...(options.context ? { context: options.context } : {}),
    });
    const collected = await collectKubernetes(kubeConfig, {
      progress: progressReporter(process.stderr, options.quiet),
    });
    for (const warning of collected.warnings) warn(warning);
    documents = collected.documents;
  } catch (err) {
    if (err instanceof CollectError) throw collectionFailure(err);
    throw err;
  }
  return parseCollected(documents);
}

/** Collected documents as a snapshot; data the loader rejects is a usage-style error, exit 2. */
export function parseCollected(documents: CollectedSnapshot['documents']): Snapshot {
  const parsed = parseSnapshot(toInputFiles(documents));
  if (!parsed.ok) {
    throw new UsageError(
      `the live cluster returned data the analysis cannot use:\n${parsed.issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`,
    );
  }
  return parsed.snapshot;
}

const LIVE_ONLY = ['cluster', 'region', 'profile', 'kubeconfig', 'context'] as const;

/** Flags that only mean something with --live, given without it: a usage error. */
export function refuseLiveOnlyFlags(
  options: SourceOptions,
  keys: readonly (typeof LIVE_ONLY)[number][] = LIVE_ONLY,
): void {
  const stray = keys.filter((key) => options[key] !== undefined);
  if (stray.length > 0) throw new UsageError(`--live is needed for ${stray.map((k) => `--${k}`).join(', ')}`);
}

/** With --live, what only means something with a snapshot directory — the directory, --vpc — is a usage error. */
export function refuseSnapshotFlagsWithLive(path: string | undefined, options: SourceOptions): void {
  if (path) throw new UsageError('give either a snapshot directory or --live, not both');
  if (options.vpc !== undefined)
    throw new UsageError(
      '--vpc picks a cluster in a snapshot directory; --live reads the one --cluster names',
    );
}

/**
 * `snapshotFrom`, and with --live and `aicrReports` also AICR's validator ConfigMaps from the same
 * cluster (absent when not asked for or not live).
 */
export async function snapshotAndAicrReportsFrom(
  path: string | undefined,
  options: SourceOptions,
): Promise<{ snapshot: Snapshot; aicrReports?: AicrReportConfigMaps }> {
  if (!options.live || !options.aicrReports) return { snapshot: await snapshotFrom(path, options) };
  refuseSnapshotFlagsWithLive(path, options);
  const collected = await collectLive(options);
  return {
    snapshot: parseCollected(collected.documents),
    ...(collected.aicrReports ? { aicrReports: collected.aicrReports } : {}),
  };
}

/**
 * Reads the snapshot named on the command line, or collects one live. One cluster per run: a
 * directory holding several is refused unless --cluster or --vpc picks one (snapshot/clusters.ts).
 */
export async function snapshotFrom(path: string | undefined, options: SourceOptions): Promise<Snapshot> {
  if (options.live) {
    refuseSnapshotFlagsWithLive(path, options);
    return parseCollected((await collectLive(options)).documents);
  }
  refuseLiveOnlyFlags(options, ['region', 'profile', 'kubeconfig', 'context']);
  if (!path) throw new UsageError('a snapshot directory (or --live) is required');
  const picked = pickCluster(await readSnapshot(path, { maxFileSize: options.maxFileSize }), {
    ...(options.cluster !== undefined ? { cluster: options.cluster } : {}),
    ...(options.vpc !== undefined ? { vpc: options.vpc } : {}),
  });
  if (!picked.ok) throw new UsageError(`${path}: ${picked.message}`);
  return picked.snapshot;
}
