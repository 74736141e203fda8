import { Option } from 'commander';
import { randomBytes } from 'node:crypto';
import { buildModel } from '../../model/build.ts';
import {
  DEFAULT_IMAGE,
  type PlanOptions,
  type ProbeMode,
  type ProbePlan,
} from '../../questions/probe/plan.ts';
import type { ClusterModel } from '../../model/types.ts';
import type { AnalysisResult } from '../../questions/analyze.ts';
import { probeCluster, probePlan, ProbePlanError } from '../../questions/probe/probe.ts';
import { renderProbeTable } from '../../report/probe.ts';
import { abortOnSignals } from '../../live/probe/signals.ts';
import { addAnalysisOptions, analysisOptionsFrom, analyzeWithOptions } from '../analysis-options.ts';
import { collectionFailure, ExitCode, UsageError } from '../errors.ts';
import { outputFormat, warn, warnAboutInput } from '../inputs.ts';
import {
  addSnapshotSourceOptions,
  collectKubernetesOnly,
  kubeConfigFrom,
  kubeconfigAlsoFor,
  progressReporter,
  refuseLiveOnlyFlags,
  snapshotFrom,
  type SourceOptions,
} from '../snapshot-source.ts';
import { parseDuration } from '../shared.ts';
import { addExitCodesAndExamples, NO_COLOR_HELP } from '../help.ts';
import type { RegisterCommand } from '../shared.ts';

interface ProbeFlags extends SourceOptions {
  image?: string;
  listenerImage?: string;
  l7?: boolean;
  dialImage?: string;
  concurrency: string;
  timeout: string;
  pendingTimeout: string;
  pollInterval: string;
  runId?: string;
  output: string;
}

/** The probe plan; what the plan cannot take (a bad run id, nothing to probe) is a usage error. */
export function planProbeRun(model: ClusterModel, analysis: AnalysisResult, options: PlanOptions): ProbePlan {
  try {
    return probePlan(model, analysis, options);
  } catch (err) {
    if (err instanceof ProbePlanError) throw new UsageError(err.message);
    throw err;
  }
}

/**
 * How long a probe run may take once its pods exist: Pending, two dial timeouts (an L7
 * conversation three: Prometheus' readiness, then its query), and a minute.
 */
export function probeDeadlineMs(pendingMs: number, timeoutMs: number, mode: ProbeMode = 'nc'): number {
  return pendingMs + (mode === 'nc' ? 2 : 3) * timeoutMs + 60_000;
}

export const registerProbe: RegisterCommand = (program, setExit) => {
  const command = program
    .command('probe')
    .description(
      'Run one probe pod per source class (node group × security groups) that dials every target pod IP and Service name, and a stand-in listener per destination class where nothing serves the port yet (an OS-assigned range: both ends and the middle); set the live result next to the static verdict; the namespace is always deleted',
    )
    .argument(
      '[snapshot]',
      'snapshot directory the plan comes from (or --live; with neither, the Kubernetes objects alone)',
    )
    .option(
      '--image <image>',
      `probe image: busybox with sh, nc, wget and timeout (air-gapped registries; default ${DEFAULT_IMAGE})`,
    )
    .option('--listener-image <image>', 'stand-in listener image running busybox nc -ll (default: --image)')
    .option(
      '--l7',
      "also speak each protocol with the probe image's busybox nc and wget: NATS INFO and JetStream ($JS.API.INFO), Prometheus /-/ready and a query, etcd /health",
    )
    .option(
      '--dial-image <image>',
      "run the L7 checks with this tool's own `dial` instead (implies --l7): your build of the repository's Dockerfile, as no image of it is published",
    )
    .option('--concurrency <n>', 'pods created at once', '8')
    .option('--timeout <duration>', 'dial timeout per target (whole seconds for nc)', '5s')
    .option(
      '--pending-timeout <duration>',
      "report a probe still Pending, or a stand-in listener not Ready, after this with the scheduler's reason",
      '60s',
    )
    .addOption(new Option('--poll-interval <duration>', 'how often pods are polled').default('1s').hideHelp())
    .addOption(new Option('--run-id <id>', 'run id (default: random)').hideHelp())
    .addOption(
      new Option('-o, --output <format>', 'report format').choices(['table', 'json']).default('table'),
    )
    .option('--no-color', NO_COLOR_HELP);
  addAnalysisOptions(command);
  addSnapshotSourceOptions(command);
  addExitCodesAndExamples(
    command,
    [
      [ExitCode.Pass, 'every probe reached every target (--l7: and every check passed)'],
      [
        ExitCode.Fail,
        'a target was not reached (timed out, refused, probe Pending) or failed its check, or nothing was probed',
      ],
      [ExitCode.MissingPermissions, 'missing permissions: an IAM action or RBAC verb refused'],
      [ExitCode.Interrupted, 'interrupted (Ctrl-C, SIGTERM) after deleting the namespace'],
    ],
    [
      'probe --live --cluster dgxc-h100 --region us-west-2 --l7',
      'probe --kubeconfig k.yaml --context c -o json',
    ],
  );
  // The probes run where --kubeconfig/--context point, with a snapshot directory as well as --live.
  kubeconfigAlsoFor(command, 'where the probes run');
  command.action(async (snapshotPath: string | undefined, flags: ProbeFlags) => {
    const output = outputFormat(flags.output, ['table', 'json'] as const);
    const concurrency = Number(flags.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new UsageError('--concurrency: expected a whole number ≥ 1');
    const timeoutMs = parseDuration(flags.timeout);
    const pendingMs = parseDuration(flags.pendingTimeout);
    const pollMs = parseDuration(flags.pollInterval);
    const runId = flags.runId ?? `${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
    const analysisOptions = analysisOptionsFrom(flags as unknown as Record<string, unknown>);
    // --kubeconfig/--context name where the probes run, with or without --live.
    const { kubeconfig, context, ...source } = flags;
    // Neither a snapshot nor --live: Kubernetes access is all a probe needs.
    const kubernetesOnly = !snapshotPath && !flags.live;
    if (kubernetesOnly) {
      refuseLiveOnlyFlags(flags, ['cluster', 'region', 'profile']);
      if (flags.vpc !== undefined) throw new UsageError('--vpc picks a cluster in a snapshot directory');
      warn(
        'no snapshot and no --live: planning from the Kubernetes objects alone, so the static verdicts are unknown (no security groups); the live results stand on their own',
      );
    }
    const snapshot = kubernetesOnly
      ? await collectKubernetesOnly({ kubeconfig, context, quiet: flags.quiet })
      : await snapshotFrom(snapshotPath, flags.live ? flags : source);
    warnAboutInput(snapshot);
    const model = buildModel(snapshot);
    const analysis = analyzeWithOptions(model, analysisOptions);
    // The stock busybox image speaks L7 too; this tool's own image only when named (none is published).
    const mode = flags.dialImage ? 'dial' : flags.l7 ? 'l7' : 'nc';
    const plan = planProbeRun(model, analysis, {
      runId,
      mode,
      image: flags.dialImage ?? flags.image ?? DEFAULT_IMAGE,
      // --image is busybox, so it serves the listeners too (air-gapped registries).
      listenerImage: flags.listenerImage ?? flags.image ?? DEFAULT_IMAGE,
      timeoutSeconds: Math.max(1, Math.ceil(timeoutMs / 1000)),
    });

    const kubeConfig = await kubeConfigFrom({ kubeconfig, context });
    const { CollectError } = await import('../../live/errors.ts');
    const { runProbes, Interrupted } = await import('../../live/probe/run.ts');
    const progress = progressReporter(process.stderr, flags.quiet);
    const guard = abortOnSignals(
      (message) => process.stderr.write(`dynamo-netcheck: ${message}\n`),
      plan.namespace,
    );
    try {
      const report = await probeCluster(plan, (p) =>
        runProbes(p, {
          kubeConfig,
          mode,
          concurrency,
          pendingMs,
          pollMs,
          deadlineMs: probeDeadlineMs(pendingMs, timeoutMs, mode),
          signal: guard.signal,
          progress,
        }),
      );
      process.stdout.write(
        output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderProbeTable(report),
      );
      setExit(report.passed ? ExitCode.Pass : ExitCode.Fail);
    } catch (err) {
      if (err instanceof CollectError) throw collectionFailure(err);
      if (!(err instanceof Interrupted)) throw err;
      process.stderr.write(`dynamo-netcheck: interrupted; namespace ${plan.namespace} deleted\n`);
      setExit(ExitCode.Interrupted);
    } finally {
      guard.dispose();
    }
  });
};
