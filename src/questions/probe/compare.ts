/**
 * Live next to static, pure: per source class × target, with disagreements called out, and each
 * live proof saying whether a real server or a stand-in listener of this run accepted it.
 */
import type { Status } from '../../reachability/types.ts';
import type { ProbePlan, SourceClass } from './plan.ts';
import type { LiveResult } from './results.ts';

/** What became of one probe pod. */
export type ProbeRun =
  | { readonly state: 'completed'; readonly results: ReadonlyMap<string, LiveResult>; readonly phase: string }
  | { readonly state: 'unscheduled'; readonly reason: string }
  | { readonly state: 'not-finished'; readonly reason: string };

/** What became of one stand-in listener pod. */
export type ListenerRun =
  | { readonly state: 'ready'; readonly ip: string; readonly nodeName?: string }
  | { readonly state: 'not-ready'; readonly reason: string };

/** Everything a run learnt: each probe pod's end and each listener's address or failure. */
export interface RunOutcome {
  readonly probes: ReadonlyMap<string, ProbeRun>;
  readonly listeners: ReadonlyMap<string, ListenerRun>;
}

export type Agreement =
  | 'agree'
  | 'static-allowed-live-failed'
  | 'static-blocked-live-connected'
  | 'static-unknown'
  | 'no-live-result';

export interface ProbeRow {
  readonly source: SourceClass;
  readonly probe: string;
  readonly node: string;
  readonly requirement: string;
  readonly target: string;
  readonly via: 'pod' | 'service' | 'listener';
  readonly name: string;
  /** Who accepted the dial: the real server, or a stand-in listener this run placed. */
  readonly server: 'real' | 'stand-in';
  /** Why a stand-in listener was dialled instead of a real server. */
  readonly standInBecause?: string;
  readonly expected: Status;
  readonly live?: LiveResult;
  /** Why there is no live result (pod unscheduled, not finished, no line for the target). */
  readonly missing?: string;
  readonly agreement: Agreement;
  /** What to look at when static and live disagree. */
  readonly hint?: string;
  /** A recommended flow the verdict does not count (no `--strict`): shown, never failing the run. */
  readonly notCounted?: true;
}

export interface ProbeReport {
  readonly runId: string;
  readonly passed: boolean;
  readonly summary: {
    readonly passed: number;
    readonly failed: number;
    readonly disagreements: number;
    /** Passed checks whose destination was a stand-in listener. */
    readonly provedWithStandIn: number;
  };
  readonly rows: ProbeRow[];
  readonly notProbed: string[];
}

/** A stand-in listener was Ready (the kubelet connected to it), so "not listening" is ruled out. */
const STAND_IN_FAILED =
  'security groups and NACLs allow it and the stand-in listener was Ready: look at the host firewall, routes and the CNI on both nodes';
const SAME_NODE =
  'the probe and the stand-in listener share a node, so the dial did not cross the VPC: the class has no other ready node';

const HINTS: Partial<Record<Agreement, string>> = {
  'static-allowed-live-failed':
    'security groups and NACLs allow it: look at NetworkPolicies, the host firewall, kube-proxy/iptables and whether the target listens',
  'static-blocked-live-connected':
    'the snapshot is stale or a rule is missing from it: collect a fresh snapshot',
};

export function compareResults(plan: ProbePlan, outcome: RunOutcome): ProbeReport {
  const rows: ProbeRow[] = [];
  const uncounted = new Set(plan.uncounted ?? []);
  for (const probe of plan.probes) {
    const run = outcome.probes.get(probe.name) ?? { state: 'not-finished', reason: 'the probe was not run' };
    for (const target of probe.targets) {
      const listener = target.listener === undefined ? undefined : outcome.listeners.get(target.listener);
      const host = listener?.state === 'ready' ? listener.ip : target.host;
      const live = run.state === 'completed' ? run.results.get(target.id) : undefined;
      const missing =
        target.listener !== undefined && listener?.state !== 'ready'
          ? `stand-in listener ${target.listener} did not become Ready: ${listener?.reason ?? 'it was not run'}`
          : run.state !== 'completed'
            ? run.reason
            : live
              ? undefined
              : `no result line for ${host}:${target.port} in the probe's log`;
      const agreement: Agreement = !live
        ? 'no-live-result'
        : target.expected === 'unknown'
          ? 'static-unknown'
          : target.expected === 'allowed' && !live.passed && live.outcome !== 'connected'
            ? 'static-allowed-live-failed'
            : target.expected === 'blocked' && live.outcome === 'connected'
              ? 'static-blocked-live-connected'
              : 'agree';
      const hint =
        target.sameNode && live
          ? SAME_NODE
          : agreement === 'static-allowed-live-failed' && target.via === 'listener'
            ? STAND_IN_FAILED
            : HINTS[agreement];
      rows.push({
        source: probe.source,
        probe: probe.name,
        node: probe.nodeName,
        requirement: target.requirement,
        target: `${host}:${target.port}`,
        via: target.via,
        name: target.name,
        server: target.via === 'listener' ? 'stand-in' : 'real',
        ...(target.standInBecause ? { standInBecause: target.standInBecause } : {}),
        expected: target.expected,
        ...(live ? { live } : {}),
        ...(missing ? { missing } : {}),
        agreement,
        ...(hint ? { hint } : {}),
        ...(uncounted.has(target.requirement) ? { notCounted: true as const } : {}),
      });
    }
  }
  const passed = rows.filter((r) => r.live?.passed === true).length;
  // A recommended flow the verdict does not count is probed and shown, and fails no run.
  const deciding = rows.filter((r) => !r.notCounted);
  return {
    runId: plan.runId,
    passed: deciding.length > 0 && deciding.every((r) => r.live?.passed === true),
    summary: {
      passed,
      failed: rows.length - passed,
      disagreements: rows.filter(
        (r) =>
          r.agreement === 'static-allowed-live-failed' || r.agreement === 'static-blocked-live-connected',
      ).length,
      provedWithStandIn: rows.filter((r) => r.live?.passed === true && r.server === 'stand-in').length,
    },
    rows,
    notProbed: plan.notProbed,
  };
}
