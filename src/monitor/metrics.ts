/**
 * What `monitor` exposes on /metrics, as plain data: the catalogue of metric families (name, type,
 * labels, help — the README's table is checked against it) and the gauge samples of one analysis or
 * one probe run. Pure: the HTTP edge (cli/monitor/) hands these to prom-client. Labels stay
 * bounded by the cluster's shape — flow classes, source classes, requirements — never by pods.
 */
import type { FlowResult } from '../analyze/types.ts';
import type { AnalysisResult } from '../questions/analyze.ts';
import type { ProbeReport } from '../questions/probe/compare.ts';
import { fixesFor } from '../questions/source-classes.ts';
import type { Status } from '../reachability/types.ts';

export type MetricType = 'gauge' | 'counter' | 'histogram';

export interface MetricSpec {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly labelNames: readonly string[];
  /** Histograms: the upper bounds of the buckets, in seconds. */
  readonly buckets?: readonly number[];
}

export const STATUSES: readonly Status[] = ['allowed', 'blocked', 'unknown'];
export const VERDICTS = ['pass', 'fail', 'unknown'] as const;

/**
 * Why a cycle failed, as `collection_errors_total{kind}` counts it: a bounded set, every kind
 * exported from the start (at 0) so `increase()` sees the first error.
 */
export const ERROR_KINDS = [
  'throttled',
  'denied',
  'unreachable',
  'timeout',
  'credentials',
  'input',
  'api',
  'internal',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export const FLOW_LABELS = [
  'flow',
  'requirement',
  'level',
  'protocol',
  'port',
  'source_node_group',
  'source_kind',
  'source_security_groups',
  'destination_node_group',
  'destination_kind',
  'destination_security_groups',
] as const;

const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

const spec = (
  name: string,
  type: MetricType,
  labelNames: readonly string[],
  help: string,
  buckets?: readonly number[],
): MetricSpec => ({ name, type, help, labelNames, ...(buckets ? { buckets } : {}) });

/** Every family `monitor` exports besides prom-client's process and Node.js metrics. */
export const METRICS = {
  flowStatus: spec(
    'dynamo_netcheck_flow_status',
    'gauge',
    [...FLOW_LABELS, 'status'],
    'Status of each flow class (requirement × source class × destination class): 1 for its status now (allowed, blocked or unknown), 0 for the other two.',
  ),
  verdict: spec(
    'dynamo_netcheck_verdict',
    'gauge',
    ['verdict'],
    'The overall verdict of the last successful analysis: 1 for pass, fail or unknown, 0 for the other two.',
  ),
  flows: spec(
    'dynamo_netcheck_flows',
    'gauge',
    ['level', 'status'],
    'Number of flow classes by level (required, recommended) and status.',
  ),
  fixRulesOutstanding: spec(
    'dynamo_netcheck_fix_rules_outstanding',
    'gauge',
    ['kind'],
    'Rules the fix would add (kind: security-group-rule, nacl-entry, network-policy); 0 when nothing counted in the verdict is blocked.',
  ),
  flowFix: spec(
    'dynamo_netcheck_flow_fix_info',
    'gauge',
    ['flow', 'fix', 'kind', 'command'],
    'Always 1: one series per blocked or unknown flow class and fix rule that unblocks it, with the command that adds the rule.',
  ),
  info: spec(
    'dynamo_netcheck_info',
    'gauge',
    ['version', 'cluster', 'dynamo_version'],
    'Always 1: the tool version, the cluster and the Dynamo version the last analysis checked.',
  ),
  lastSuccess: spec(
    'dynamo_netcheck_last_success_timestamp_seconds',
    'gauge',
    [],
    'When the last successful analysis finished (Unix time); 0 until the first one.',
  ),
  analysisAge: spec(
    'dynamo_netcheck_analysis_age_seconds',
    'gauge',
    [],
    'Seconds since the last successful analysis (since the monitor started, until the first one): rises while collection fails.',
  ),
  interval: spec(
    'dynamo_netcheck_interval_seconds',
    'gauge',
    [],
    'The analysis interval (--interval), for staleness alerts.',
  ),
  probeInterval: spec(
    'dynamo_netcheck_probe_interval_seconds',
    'gauge',
    [],
    'The probe interval (--probe-interval); 0 when probing is off.',
  ),
  cycles: spec(
    'dynamo_netcheck_cycles_total',
    'counter',
    ['result'],
    'Analysis cycles by result (success, failure).',
  ),
  collectionErrors: spec(
    'dynamo_netcheck_collection_errors_total',
    'counter',
    ['kind'],
    'Failed cycles by kind: throttled, denied, unreachable, timeout, credentials, input (the snapshot could not be read, or the analysis flags do not fit it), api (another API error), internal (a bug).',
  ),
  flowChanges: spec(
    'dynamo_netcheck_flow_status_changes_total',
    'counter',
    ['requirement', 'to'],
    'Flow classes that changed status between two analyses, by requirement and new status (to: allowed, blocked, unknown, gone).',
  ),
  collectionDuration: spec(
    'dynamo_netcheck_collection_duration_seconds',
    'histogram',
    [],
    'Time to collect (--live) or read the snapshot directory, successful collections.',
    DURATION_BUCKETS,
  ),
  analysisDuration: spec(
    'dynamo_netcheck_analysis_duration_seconds',
    'histogram',
    [],
    'Time to build the model and analyse it.',
    DURATION_BUCKETS,
  ),
  probeTargets: spec(
    'dynamo_netcheck_probe_targets',
    'gauge',
    ['requirement', 'source_node_group', 'source_security_groups', 'outcome', 'agreement'],
    'Targets of the last probe run by requirement, source class, live outcome (connected, timed-out, refused, dns-failure, no-route, failed, no-result) and agreement with the static verdict.',
  ),
  probePassed: spec(
    'dynamo_netcheck_probe_passed',
    'gauge',
    [],
    '1 when every counted target of the last probe run was reached, else 0.',
  ),
  probeLastSuccess: spec(
    'dynamo_netcheck_probe_last_success_timestamp_seconds',
    'gauge',
    [],
    'When the last probe run finished (Unix time); 0 until the first one.',
  ),
  probeDuration: spec(
    'dynamo_netcheck_probe_duration_seconds',
    'histogram',
    [],
    'Time of a probe run, namespace created to namespace deleted.',
    DURATION_BUCKETS,
  ),
  probeErrors: spec(
    'dynamo_netcheck_probe_errors_total',
    'counter',
    ['kind'],
    'Probe runs that could not run, by kind (as collection_errors_total).',
  ),
} as const;

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly labels: Labels;
  readonly value: number;
}

/** The value of a gauge family at one moment: every series it has. */
export interface GaugeValues {
  readonly spec: MetricSpec;
  readonly samples: readonly Sample[];
}

function flowLabels(flow: FlowResult): Labels {
  return {
    flow: flow.id,
    requirement: flow.requirement,
    level: flow.level,
    protocol: flow.protocol,
    port: String(flow.port),
    source_node_group: flow.source.nodeGroup,
    source_kind: flow.source.kind,
    source_security_groups: flow.source.securityGroups.join(','),
    destination_node_group: flow.destination.nodeGroup,
    destination_kind: flow.destination.kind,
    destination_security_groups: flow.destination.securityGroups.join(','),
  };
}

/** One line a label can hold: a NetworkPolicy's fix is a heredoc, so it is named instead. */
function fixCommand(fix: { id: string; command: string }, result: AnalysisResult): string {
  const policy = result.policyRemediation.find((p) => p.id === fix.id);
  return policy
    ? `kubectl apply the NetworkPolicy ${policy.namespace}/${policy.name} that \`dynamo-netcheck fix -o kubernetes\` writes`
    : fix.command;
}

function fixKind(id: string, result: AnalysisResult): string {
  if (result.policyRemediation.some((p) => p.id === id)) return 'network-policy';
  if (result.naclRemediation.some((n) => n.id === id)) return 'nacl-entry';
  return 'security-group-rule';
}

/** The gauges one successful analysis sets; series absent here are removed from /metrics. */
export function analysisGauges(result: AnalysisResult): GaugeValues[] {
  const flowStatus = result.flows.flatMap((flow) =>
    STATUSES.map((status) => ({
      labels: { ...flowLabels(flow), status },
      value: flow.status === status ? 1 : 0,
    })),
  );
  const counts = (['required', 'recommended'] as const).flatMap((level) =>
    STATUSES.map((status) => ({
      labels: { level, status },
      value: result.flows.filter((f) => f.level === level && f.status === status).length,
    })),
  );
  const fixInfo = result.flows
    .filter((f) => f.status !== 'allowed')
    .flatMap((flow) =>
      fixesFor(result, [flow]).map((fix) => ({
        labels: {
          flow: flow.id,
          fix: fix.id,
          kind: fixKind(fix.id, result),
          command: fixCommand(fix, result),
        },
        value: 1,
      })),
    );
  return [
    { spec: METRICS.flowStatus, samples: flowStatus },
    {
      spec: METRICS.verdict,
      samples: VERDICTS.map((verdict) => ({
        labels: { verdict },
        value: result.verdict === verdict ? 1 : 0,
      })),
    },
    { spec: METRICS.flows, samples: counts },
    {
      spec: METRICS.fixRulesOutstanding,
      samples: [
        { labels: { kind: 'security-group-rule' }, value: result.remediation.length },
        { labels: { kind: 'nacl-entry' }, value: result.naclRemediation.length },
        { labels: { kind: 'network-policy' }, value: result.policyRemediation.length },
      ],
    },
    { spec: METRICS.flowFix, samples: fixInfo },
    {
      spec: METRICS.info,
      samples: [
        {
          labels: {
            version: result.tool.version,
            cluster: result.cluster.name ?? '',
            dynamo_version: result.dynamo.version,
          },
          value: 1,
        },
      ],
    },
  ];
}

/** The gauges one probe run sets: targets counted per source class, never one series per pod. */
export function probeGauges(report: ProbeReport): GaugeValues[] {
  const counts = new Map<string, { labels: Labels; value: number }>();
  for (const row of report.rows) {
    const labels = {
      requirement: row.requirement,
      source_node_group: row.source.nodeGroup,
      source_security_groups: row.source.securityGroups.join(','),
      outcome: row.live?.outcome ?? 'no-result',
      agreement: row.agreement,
    };
    const key = JSON.stringify(labels);
    const entry = counts.get(key) ?? { labels, value: 0 };
    entry.value += 1;
    counts.set(key, entry);
  }
  return [
    { spec: METRICS.probeTargets, samples: [...counts.values()] },
    { spec: METRICS.probePassed, samples: [{ labels: {}, value: report.passed ? 1 : 0 }] },
  ];
}
