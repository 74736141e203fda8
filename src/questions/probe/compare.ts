/** Live next to static, pure: per source class × target, with disagreements called out. */
import type { Status } from '../../reachability/types.ts';
import type { ProbePlan, SourceClass } from './plan.ts';
import type { LiveResult } from './results.ts';

/** What became of one probe pod. */
export type ProbeRun =
  | { readonly state: 'completed'; readonly results: ReadonlyMap<string, LiveResult>; readonly phase: string }
  | { readonly state: 'unscheduled'; readonly reason: string }
  | { readonly state: 'not-finished'; readonly reason: string };

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
  readonly via: 'pod' | 'service';
  readonly name: string;
  readonly expected: Status;
  readonly live?: LiveResult;
  /** Why there is no live result (pod unscheduled, not finished, no line for the target). */
  readonly missing?: string;
  readonly agreement: Agreement;
  /** What to look at when static and live disagree. */
  readonly hint?: string;
}

export interface ProbeReport {
  readonly runId: string;
  readonly passed: boolean;
  readonly summary: { readonly passed: number; readonly failed: number; readonly disagreements: number };
  readonly rows: ProbeRow[];
  readonly notProbed: string[];
}

const HINTS: Partial<Record<Agreement, string>> = {
  'static-allowed-live-failed':
    'security groups and NACLs allow it: look at NetworkPolicies, the host firewall, kube-proxy/iptables and whether the target listens',
  'static-blocked-live-connected':
    'the snapshot is stale or a rule is missing from it: collect a fresh snapshot',
};

export function compareResults(plan: ProbePlan, runs: ReadonlyMap<string, ProbeRun>): ProbeReport {
  const rows: ProbeRow[] = [];
  for (const probe of plan.probes) {
    const run = runs.get(probe.name) ?? { state: 'not-finished', reason: 'the probe was not run' };
    for (const target of probe.targets) {
      const live = run.state === 'completed' ? run.results.get(target.id) : undefined;
      const missing =
        run.state !== 'completed'
          ? run.reason
          : live
            ? undefined
            : `no result line for ${target.host}:${target.port} in the probe's log`;
      const agreement: Agreement = !live
        ? 'no-live-result'
        : target.expected === 'unknown'
          ? 'static-unknown'
          : target.expected === 'allowed' && !live.passed && live.outcome !== 'connected'
            ? 'static-allowed-live-failed'
            : target.expected === 'blocked' && live.outcome === 'connected'
              ? 'static-blocked-live-connected'
              : 'agree';
      const hint = HINTS[agreement];
      rows.push({
        source: probe.source,
        probe: probe.name,
        node: probe.nodeName,
        requirement: target.requirement,
        target: `${target.host}:${target.port}`,
        via: target.via,
        name: target.name,
        expected: target.expected,
        ...(live ? { live } : {}),
        ...(missing ? { missing } : {}),
        agreement,
        ...(hint ? { hint } : {}),
      });
    }
  }
  const passed = rows.filter((r) => r.live?.passed === true).length;
  return {
    runId: plan.runId,
    passed: rows.length > 0 && passed === rows.length,
    summary: {
      passed,
      failed: rows.length - passed,
      disagreements: rows.filter(
        (r) =>
          r.agreement === 'static-allowed-live-failed' || r.agreement === 'static-blocked-live-connected',
      ).length,
    },
    rows,
    notProbed: plan.notProbed,
  };
}
