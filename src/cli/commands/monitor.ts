import { Option } from 'commander';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { escapeControls } from '../../base/terminal.ts';
import { DEFAULT_IMAGE } from '../../questions/probe/plan.ts';
import { probeCluster } from '../../questions/probe/probe.ts';
import { planProbeRun, probeDeadlineMs } from './probe.ts';
import { addAnalysisOptions, analysisOptionsFrom, analyzeWithOptions } from '../analysis-options.ts';
import { ExitCode, UsageError } from '../errors.ts';
import { addExitCodesAndExamples, NO_COLOR_HELP } from '../help.ts';
import { inputWarnings } from '../inputs.ts';
import { Monitor, type Collected, type Prober } from '../monitor/loop.ts';
import { parseListen, startServer } from '../monitor/server.ts';
import { parseInterval, type RegisterCommand } from '../shared.ts';
import {
  addSnapshotSourceOptions,
  collectLiveOnce,
  kubeConfigFrom,
  kubeconfigAlsoFor,
  parseCollected,
  refuseLiveOnlyFlags,
  refuseSnapshotFlagsWithLive,
  snapshotFrom,
  type SourceOptions,
} from '../snapshot-source.ts';
import type { KubeConfig } from '@kubernetes/client-node';
import type { EventSink } from '../../live/events.ts';

interface MonitorFlags extends SourceOptions {
  listen: string;
  interval: string;
  probeInterval?: string;
  collectTimeout?: string;
  probeImage?: string;
  probeListenerImage?: string;
  probeTimeout: string;
  probePendingTimeout: string;
  probePollInterval: string;
}

/** Requests in flight get this long to finish after SIGTERM; a probe run this long to delete its namespace. */
const DRAIN_MS = 2000;
const PROBE_CLEANUP_MS = 4000;

/** One line on stderr, time-stamped: the monitor's log. Text from the cluster is escaped. */
function logLine(line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${escapeControls(line)}\n`);
}

export const registerMonitor: RegisterCommand = (program, setExit) => {
  const command = program
    .command('monitor')
    .description(
      'Keep proving the network: re-collect and re-analyse every --interval (and probe every --probe-interval), serve /metrics for Prometheus, /healthz, /readyz, /report and /report.json, and log each flow class that changes status with the rule change that likely caused it. Runs until SIGTERM.',
    )
    .argument('[snapshot]', 'snapshot directory, read again every interval (or --live)')
    .option('--listen <addr>', 'address to serve on: [host]:port', ':9477')
    .option('--interval <duration>', 'how often to collect and analyse: 200ms, 30s, 5m, 1h', '5m')
    .option(
      '--probe-interval <duration>',
      'also run `probe` this often (off by default; needs the probe RBAC role)',
    )
    .option(
      '--collect-timeout <duration>',
      'give up a collection that has not answered after this (default: the interval, at least 60s)',
    )
    .option('--probe-image <image>', `probe image running nc (default ${DEFAULT_IMAGE})`)
    .option('--probe-listener-image <image>', 'stand-in listener image (default: --probe-image)')
    .option('--probe-timeout <duration>', 'dial timeout per probe target', '5s')
    .option(
      '--probe-pending-timeout <duration>',
      "report a probe still Pending after this with the scheduler's reason",
      '60s',
    )
    .addOption(
      new Option('--probe-poll-interval <duration>', 'how often probe pods are polled')
        .default('1s')
        .hideHelp(),
    )
    .option('--no-color', NO_COLOR_HELP);
  addAnalysisOptions(command);
  addSnapshotSourceOptions(command);
  kubeconfigAlsoFor(command, 'probes and Events');
  addExitCodesAndExamples(
    command,
    [
      [ExitCode.Pass, 'stopped by SIGTERM or Ctrl-C after draining (collection failures never end it)'],
      [
        ExitCode.Usage,
        'usage error: a bad flag, no such snapshot directory, an unreadable kubeconfig, or the --listen address taken',
      ],
      [ExitCode.Interrupted, 'a second SIGTERM or Ctrl-C while stopping'],
    ],
    [
      'monitor --live --cluster dgxc-h100 --region us-west-2 --listen :9477 --interval 5m',
      'monitor ./snap --listen 127.0.0.1:9477 --interval 30s',
    ],
  );
  command.action(async (snapshotPath: string | undefined, flags: MonitorFlags) => {
    const listen = parseListen(flags.listen);
    const intervalMs = parseInterval('--interval', flags.interval);
    const probeIntervalMs =
      flags.probeInterval !== undefined ? parseInterval('--probe-interval', flags.probeInterval) : undefined;
    const collectTimeoutMs =
      flags.collectTimeout !== undefined
        ? parseInterval('--collect-timeout', flags.collectTimeout)
        : Math.max(intervalMs, 60_000);
    const probeTimeoutMs = parseInterval('--probe-timeout', flags.probeTimeout);
    const pendingMs = parseInterval('--probe-pending-timeout', flags.probePendingTimeout);
    const pollMs = parseInterval('--probe-poll-interval', flags.probePollInterval);
    const analysisOptions = analysisOptionsFrom(flags as unknown as Record<string, unknown>);
    const log = logLine;
    const info = flags.quiet ? () => {} : logLine;
    const { kubeconfig, context, ...source } = flags;

    const kube = (): Promise<KubeConfig> => kubeConfigFrom({ kubeconfig, context });

    let collect: () => Promise<Collected>;
    let kubeConfig: KubeConfig | undefined;
    if (flags.live) {
      refuseSnapshotFlagsWithLive(snapshotPath, flags);
      const cluster = flags.cluster;
      if (!cluster) throw new UsageError('--cluster <name> is required to collect from the live cluster');
      kubeConfig = await kube();
      const { makeAwsClients } = await import('../../live/collect/aws.ts');
      // Loaded now, not inside the first collection's --collect-timeout.
      await import('../../live/collect/index.ts');
      const clients = {
        kubeConfig,
        awsClients: makeAwsClients({
          ...(flags.region ? { region: flags.region } : {}),
          ...(flags.profile ? { profile: flags.profile } : {}),
        }),
      };
      collect = async () => {
        const collected = await collectLiveOnce({ ...flags, cluster, quiet: true }, clients);
        return { snapshot: parseCollected(collected.documents), warnings: collected.warnings };
      };
    } else {
      refuseLiveOnlyFlags(flags, ['region', 'profile']);
      if (!snapshotPath) throw new UsageError('a snapshot directory (or --live) is required');
      if (!existsSync(snapshotPath)) throw new UsageError(`${snapshotPath}: no such snapshot directory`);
      collect = async () => {
        const snapshot = await snapshotFrom(snapshotPath, source);
        return { snapshot, warnings: inputWarnings(snapshot) };
      };
    }

    let prober: Prober | undefined;
    if (probeIntervalMs !== undefined) {
      const probeKube = kubeConfig ?? (kubeConfig = await kube());
      const image = flags.probeImage ?? DEFAULT_IMAGE;
      const { runProbes } = await import('../../live/probe/run.ts');
      prober = {
        intervalMs: probeIntervalMs,
        run: async (model, analysis, signal) => {
          const plan = planProbeRun(model, analysis, {
            runId: `${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`,
            mode: 'nc',
            image,
            listenerImage: flags.probeListenerImage ?? image,
            timeoutSeconds: Math.max(1, Math.ceil(probeTimeoutMs / 1000)),
          });
          return probeCluster(plan, (p) =>
            runProbes(p, {
              kubeConfig: probeKube,
              mode: 'nc',
              concurrency: 8,
              pendingMs,
              pollMs,
              deadlineMs: probeDeadlineMs(pendingMs, probeTimeoutMs),
              signal,
            }),
          );
        },
      };
    }

    // In a cluster, the Deployment gives the Pod's name and namespace (downward API): Events go on it.
    let events: EventSink | undefined;
    const podName = process.env.POD_NAME;
    const podNamespace = process.env.POD_NAMESPACE;
    if (podName && podNamespace) {
      try {
        const { kubernetesEventSink } = await import('../../live/events.ts');
        events = await kubernetesEventSink(kubeConfig ?? (await kube()), {
          namespace: podNamespace,
          name: podName,
          ...(process.env.POD_UID ? { uid: process.env.POD_UID } : {}),
        });
      } catch (err) {
        log(`no Kubernetes Events: ${(err as Error).message.split('\n')[0]}`);
      }
    }

    // prom-client is loaded only by the command that serves /metrics (~0.1 s to import).
    const { MonitorRegistry } = await import('../monitor/registry.ts');
    const registry = new MonitorRegistry({
      intervalSeconds: intervalMs / 1000,
      probeIntervalSeconds: (probeIntervalMs ?? 0) / 1000,
    });
    const monitor = new Monitor({
      collect,
      analyze: (model) => analyzeWithOptions(model, analysisOptions),
      registry,
      intervalMs,
      collectTimeoutMs,
      ...(prober ? { prober } : {}),
      ...(events ? { events } : {}),
      log,
      info,
    });
    const server = await startServer(
      {
        metrics: () => registry.exposition(),
        report: (format) => monitor.report(format),
        notReady: () => monitor.notReady(),
      },
      listen,
      (err) => log(`HTTP server: ${err instanceof Error ? err.message : String(err)}`),
    );
    log(
      `listening on ${server.url} (/metrics, /healthz, /readyz, /report, /report.json); analysing ${flags.live ? `cluster ${flags.cluster} (live)` : snapshotPath} every ${flags.interval}${probeIntervalMs !== undefined ? `, probing every ${flags.probeInterval}` : ''}`,
    );
    monitor.start();

    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      const received = (name: NodeJS.Signals): void => {
        process.off('SIGTERM', received).off('SIGINT', received);
        resolve(name);
      };
      process.on('SIGTERM', received).on('SIGINT', received);
    });
    const again = (): void => {
      log('second signal while stopping: exiting now');
      process.exit(ExitCode.Interrupted);
    };
    process.once('SIGTERM', again).once('SIGINT', again);
    log(`${signal}: stopping (draining HTTP requests, ending a probe run)`);
    await Promise.all([monitor.stop(PROBE_CLEANUP_MS), server.close(DRAIN_MS)]);
    process.off('SIGTERM', again).off('SIGINT', again);
    log('stopped');
    // A collection given up on (an API call that never answered) may hold a socket open: it must
    // not keep a stopped monitor alive. Unref'd, this fires only if something else still would.
    setTimeout(() => process.exit(), 1000).unref();
    setExit(ExitCode.Pass);
  });
};
