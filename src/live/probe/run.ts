/**
 * The probe runner, the I/O edge: sweeps leftovers of earlier runs, creates the run's namespace,
 * its stand-in listeners (waiting until each is Ready and has an address), then the probe pods
 * with those addresses bound in; polls them to an end (reporting a Pending pod with the
 * scheduler's reason instead of waiting forever), reads logs, and always deletes the namespace —
 * with every listener and probe in it — in `finally`, and when interrupted (the caller aborts
 * `signal`; cleanup itself never listens to it).
 */
import type { CoreV1Api, KubeConfig, V1Pod } from '@kubernetes/client-node';
import { kubeFailure } from '../errors.ts';
import {
  MANAGED_BY,
  ROLE_LABEL,
  RUN_LABEL,
  bindListeners,
  describeSource,
  dialledTargets,
  type Probe,
  type ProbeMode,
  type ProbePlan,
} from '../../questions/probe/plan.ts';
import { parseL7Log } from '../../questions/probe/l7-script.ts';
import type { ListenerRun, ProbeRun, RunOutcome } from '../../questions/probe/compare.ts';
import { parseDialLog, parseNcLog } from '../../questions/probe/results.ts';

export interface RunOptions {
  readonly kubeConfig: KubeConfig;
  readonly mode: ProbeMode;
  readonly concurrency: number;
  /**
   * A pod still Pending after this is reported with the scheduler's reason; a stand-in listener
   * not Ready after this is reported as such, and its targets are not dialled.
   */
  readonly pendingMs: number;
  /** The whole run's budget once the pods exist. */
  readonly deadlineMs: number;
  readonly pollMs?: number;
  /** Leftover namespaces of other runs are swept once older than this (default 15 min). */
  readonly sweepOlderThanMs?: number;
  readonly signal?: AbortSignal;
  readonly progress?: (message: string) => void;
}

/** Every Kubernetes call a probe run makes, as RBAC names it (docs/rbac.yaml, role dynamo-netcheck-probe). */
export const PROBE_PERMISSIONS: readonly { verb: string; resource: string }[] = [
  { verb: 'list', resource: 'namespaces' },
  { verb: 'create', resource: 'namespaces' },
  { verb: 'delete', resource: 'namespaces' },
  { verb: 'create', resource: 'pods' },
  { verb: 'list', resource: 'pods' },
  { verb: 'get', resource: 'pods/log' },
  { verb: 'list', resource: 'events' },
];

/** The client and the server it talks to (named in errors). */
interface Api {
  readonly core: CoreV1Api;
  readonly server: string;
}

/**
 * One API call; a failure becomes a CollectError naming the verb and resource (RBAC forbidden is
 * then "missing permissions", exit 4), never a raw client exception.
 */
async function kubeCall<T>(
  api: Api,
  verb: string,
  resource: string,
  namespace: string | undefined,
  call: (core: CoreV1Api) => Promise<T>,
): Promise<T> {
  try {
    return await call(api.core);
  } catch (err) {
    throw kubeFailure(err, { verb, resource, server: api.server, ...(namespace ? { namespace } : {}) });
  }
}

/** Longer than any run lasts with the default timeouts, so a concurrent run is never swept. */
const DEFAULT_SWEEP_AGE_MS = 15 * 60_000;

export class Interrupted extends Error {
  override readonly name = 'Interrupted';
}

export async function runProbes(plan: ProbePlan, options: RunOptions): Promise<RunOutcome> {
  const { CoreV1Api } = await import('@kubernetes/client-node');
  const api: Api = {
    core: options.kubeConfig.makeApiClient(CoreV1Api),
    server: options.kubeConfig.getCurrentCluster()?.server ?? '(unknown server)',
  };
  const progress = options.progress ?? (() => {});
  const signal = options.signal ?? new AbortController().signal;
  const check = (): void => {
    if (signal.aborted) throw new Interrupted('interrupted');
  };
  try {
    await sweepLeftovers(api, plan.runId, options.sweepOlderThanMs ?? DEFAULT_SWEEP_AGE_MS, progress);
    check();
    await kubeCall(api, 'create', 'namespaces', undefined, (core) =>
      core.createNamespace({ body: plan.namespaceManifest }),
    );
    progress(`namespace ${plan.namespace} created`);
    check();
    const listeners = new Map<string, ListenerRun>();
    if (plan.listeners.length > 0) {
      await forEachBounded(plan.listeners, options.concurrency, async (listener) => {
        check();
        await kubeCall(api, 'create', 'pods', plan.namespace, (core) =>
          core.createNamespacedPod({ namespace: plan.namespace, body: listener.pod as V1Pod }),
        );
        progress(
          `stand-in listener ${listener.name} created on ${listener.nodeName} (ports ${listener.ports.join(', ')})`,
        );
      });
      for (const [name, run] of await waitForListeners(api, plan, options, signal, progress))
        listeners.set(name, run);
    }
    check();
    const addresses = new Map(
      [...listeners].flatMap(([name, run]) => (run.state === 'ready' ? [[name, run.ip] as const] : [])),
    );
    const bound = bindListeners(plan, addresses);
    const runs = new Map<string, ProbeRun>();
    // A probe whose every target is a listener that never became Ready has nothing to dial.
    const toRun: Probe[] = [];
    for (const probe of bound)
      if (dialledTargets(probe).length > 0) toRun.push(probe);
      else
        runs.set(probe.name, {
          state: 'not-finished',
          reason: 'not created: every target is a stand-in listener that did not become Ready',
        });
    await forEachBounded(toRun, options.concurrency, async (probe) => {
      check();
      await kubeCall(api, 'create', 'pods', plan.namespace, (core) =>
        core.createNamespacedPod({ namespace: plan.namespace, body: probe.pod as V1Pod }),
      );
      progress(`${describeSource(probe.source)}: probe ${probe.name} created on ${probe.nodeName}`);
    });
    for (const [name, run] of await waitForProbes(api, plan, toRun, options, signal, progress))
      runs.set(name, run);
    return { probes: runs, listeners };
  } finally {
    await deleteNamespace(api, plan.namespace, progress);
  }
}

/**
 * Polls the listeners until each is Ready with an address, has ended (its nc could not listen),
 * or has waited `pendingMs` (Pending: the scheduler's reason; Running: never Ready).
 */
async function waitForListeners(
  api: Api,
  plan: ProbePlan,
  options: RunOptions,
  signal: AbortSignal,
  progress: (m: string) => void,
): Promise<Map<string, ListenerRun>> {
  const runs = new Map<string, ListenerRun>();
  const started = Date.now();
  const names = new Set(plan.listeners.map((l) => l.name));
  // Judged stuck only once seen not Ready on an earlier poll too: a slow first answer is no verdict.
  const seen = new Set<string>();
  while (runs.size < names.size) {
    if (signal.aborted) throw new Interrupted('interrupted');
    const list = await kubeCall(api, 'list', 'pods', plan.namespace, (core) =>
      core.listNamespacedPod({
        namespace: plan.namespace,
        labelSelector: `${RUN_LABEL}=${plan.runId},${ROLE_LABEL}=listener`,
      }),
    );
    const elapsed = Date.now() - started;
    for (const pod of list.items) {
      const name = pod.metadata?.name ?? '';
      if (!names.has(name) || runs.has(name)) continue;
      const phase = pod.status?.phase ?? 'Pending';
      const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      const ip = pod.status?.podIP;
      if (phase === 'Running' && ready && ip) {
        runs.set(name, {
          state: 'ready',
          ip,
          ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
        });
        progress(`stand-in listener ${name} Ready at ${ip}`);
      } else if (phase === 'Succeeded' || phase === 'Failed') {
        runs.set(name, { state: 'not-ready', reason: `it ended (${phase}): ${terminatedReason(pod)}` });
      } else if (elapsed >= options.pendingMs && seen.has(name)) {
        const reason =
          phase === 'Pending'
            ? await schedulerReason(api.core, plan.namespace, pod)
            : `${phase} but not Ready after ${Math.round(options.pendingMs / 1000)}s: the kubelet's TCP check never connected`;
        runs.set(name, { state: 'not-ready', reason });
        progress(`stand-in listener ${name}: ${reason}`);
      }
      seen.add(name);
    }
    if (runs.size === names.size) break;
    if (Date.now() - started >= options.deadlineMs) {
      for (const name of names)
        if (!runs.has(name))
          runs.set(name, {
            state: 'not-ready',
            reason: `not Ready within ${Math.round(options.deadlineMs / 1000)}s`,
          });
      break;
    }
    await sleep(options.pollMs ?? 1000, signal);
  }
  return runs;
}

/** The first terminated container's reason and message (e.g. nc's "Address in use"). */
function terminatedReason(pod: V1Pod): string {
  for (const status of pod.status?.containerStatuses ?? []) {
    const done = status.state?.terminated;
    if (done)
      return `container ${status.name}: ${done.reason ?? `exit ${done.exitCode}`}${done.message ? `: ${done.message}` : ''}`;
  }
  return 'no container status';
}

/**
 * Deletes namespaces of earlier runs (a crash, kill -9) that carry this tool's label. A namespace
 * younger than `olderThanMs` may belong to someone else's run in progress, so it is left alone.
 */
async function sweepLeftovers(
  api: Api,
  runId: string,
  olderThanMs: number,
  progress: (m: string) => void,
): Promise<void> {
  const list = await kubeCall(api, 'list', 'namespaces', undefined, (core) =>
    core.listNamespace({ labelSelector: `app.kubernetes.io/managed-by=${MANAGED_BY}` }),
  );
  const now = Date.now();
  for (const ns of list.items) {
    const name = ns.metadata?.name;
    if (!name || ns.metadata?.labels?.[RUN_LABEL] === runId) continue;
    const created = ns.metadata?.creationTimestamp ? new Date(ns.metadata.creationTimestamp).getTime() : 0;
    if (now - created < olderThanMs) continue;
    progress(`removing leftover namespace ${name} of an earlier run`);
    await deleteNamespace(api, name, progress);
  }
}

async function deleteNamespace(api: Api, name: string, progress: (m: string) => void): Promise<void> {
  try {
    await api.core.deleteNamespace({ name, propagationPolicy: 'Background', gracePeriodSeconds: 0 });
    progress(`namespace ${name} deleted`);
  } catch (err) {
    if ((err as { code?: number }).code === 404) return;
    throw kubeFailure(err, { verb: 'delete', resource: 'namespaces', server: api.server });
  }
}

async function waitForProbes(
  api: Api,
  plan: ProbePlan,
  probes: readonly Probe[],
  options: RunOptions,
  signal: AbortSignal,
  progress: (m: string) => void,
): Promise<Map<string, ProbeRun>> {
  const runs = new Map<string, ProbeRun>();
  const started = Date.now();
  const byName = new Map(probes.map((p) => [p.name, p]));
  // Judged stuck only once seen Pending on an earlier poll too: a slow first answer is no verdict.
  const seen = new Set<string>();
  while (runs.size < probes.length) {
    if (signal.aborted) throw new Interrupted('interrupted');
    const list = await kubeCall(api, 'list', 'pods', plan.namespace, (core) =>
      core.listNamespacedPod({
        namespace: plan.namespace,
        labelSelector: `${RUN_LABEL}=${plan.runId},${ROLE_LABEL}=probe`,
      }),
    );
    const elapsed = Date.now() - started;
    for (const pod of list.items) {
      const probe = byName.get(pod.metadata?.name ?? '');
      if (!probe || runs.has(probe.name)) continue;
      const phase = pod.status?.phase ?? 'Pending';
      if (phase === 'Succeeded' || phase === 'Failed') {
        const log = await readLog(api.core, plan.namespace, probe.name);
        const dialled = dialledTargets(probe);
        const results =
          options.mode === 'dial'
            ? parseDialLog(log, dialled)
            : options.mode === 'l7'
              ? parseL7Log(log, dialled, plan.dial.timeoutSeconds)
              : parseNcLog(log);
        runs.set(probe.name, { state: 'completed', results, phase });
        progress(`${describeSource(probe.source)}: ${results.size}/${dialled.length} results (${phase})`);
      } else if (phase === 'Pending' && elapsed >= options.pendingMs && seen.has(probe.name)) {
        const reason = await schedulerReason(api.core, plan.namespace, pod);
        runs.set(probe.name, { state: 'unscheduled', reason });
        progress(`${describeSource(probe.source)}: still Pending — ${reason}`);
      }
      seen.add(probe.name);
    }
    if (runs.size === probes.length) break;
    if (Date.now() - started >= options.deadlineMs) {
      for (const probe of probes)
        if (!runs.has(probe.name))
          runs.set(probe.name, {
            state: 'not-finished',
            reason: `not finished within ${Math.round(options.deadlineMs / 1000)}s`,
          });
      break;
    }
    await sleep(options.pollMs ?? 1000, signal);
  }
  return runs;
}

async function readLog(core: CoreV1Api, namespace: string, name: string): Promise<string> {
  try {
    return await core.readNamespacedPodLog({ name, namespace, container: 'probe' });
  } catch {
    return '';
  }
}

/** The PodScheduled condition's message, else the last FailedScheduling event, else the phase. */
async function schedulerReason(core: CoreV1Api, namespace: string, pod: V1Pod): Promise<string> {
  const condition = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (condition?.message) return `${condition.reason ?? 'Unschedulable'}: ${condition.message}`;
  const events = await core
    .listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${pod.metadata?.name ?? ''}` })
    .catch(() => undefined);
  const failed = events?.items.filter((e) => e.reason === 'FailedScheduling' || e.type === 'Warning').pop();
  if (failed?.message) return `${failed.reason ?? 'Warning'}: ${failed.message}`;
  const waiting = pod.status?.containerStatuses?.[0]?.state?.waiting;
  if (waiting?.reason) return `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`;
  return 'Pending with no scheduler event yet';
}

async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  // allSettled: every in-flight create has returned before the caller's `finally` deletes the namespace.
  const outcomes = await Promise.allSettled(workers);
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
