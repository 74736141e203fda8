/**
 * The view CI and people read: one cell per requirement × source class, shared by the CTRF, JUnit,
 * Markdown and HTML reports. It only regroups the analysed flows (a source class can reach several
 * destination classes); every status, reason, step and fix comes from the AnalysisResult as is.
 */
import type { FlowEnd, FlowResult } from '../analyze/types.ts';
import type { AnalysisResult } from '../questions/analyze.ts';
import type { Status, TraceStep } from '../reachability/types.ts';
import type { Requirement } from '../requirements/resolve.ts';

/** What every kind of remediation item has in common (SG rule, NACL entry, NetworkPolicy). */
export interface Fix {
  readonly id: string;
  readonly description: string;
  readonly unblocks: readonly string[];
  readonly command: string;
}

export interface SourceClass {
  readonly key: string;
  /** Unique among the rows, e.g. `gpu-h100 pods [dgxc-h100-customer]`. */
  readonly label: string;
  /** Another class has the same node group, kind and SGs: the subnet tells them apart. */
  readonly bySubnet: boolean;
  readonly end: FlowEnd;
}

export interface Cell {
  readonly requirement: Requirement;
  readonly source: SourceClass;
  /** Worst of its flows: one blocked destination blocks the source class. */
  readonly status: Status;
  /** Its flows, worst first. */
  readonly flows: FlowResult[];
  readonly fixes: Fix[];
  /** Some flow is allowed only because the pods share a node (a pass that proves nothing). */
  readonly masked: boolean;
}

export interface Matrix {
  /** Requirements with at least one flow, in catalog order. */
  readonly columns: Requirement[];
  /** Source classes in the order the analysis listed their flows (blocked first). */
  readonly rows: SourceClass[];
  /** Every non-empty cell, column by column, rows in order. */
  readonly cells: Cell[];
}

/** The title as the reports show it: a recommended flow says so; a required one reads as before. */
export function levelTitle(item: {
  readonly title: string;
  readonly level: 'required' | 'recommended';
}): string {
  return item.level === 'recommended' ? `${item.title} (recommended)` : item.title;
}

/** What CI reports say of a recommended flow that is not allowed, when the verdict does not count it. */
export const RECOMMENDED_NOT_COUNTED =
  'recommended flow (metrics, dashboards, autoscaling): not counted in the verdict; --strict counts it';

const severity: Record<Status, number> = { blocked: 0, unknown: 1, allowed: 2 };

export const worst = (statuses: readonly Status[]): Status =>
  statuses.reduce<Status>((a, b) => (severity[b] < severity[a] ? b : a), 'allowed');

export function portText(protocol: string, ports: { from: number; to: number }): string {
  // SRD (EFA) has no ports: its rules allow all traffic.
  if (protocol === 'efa') return 'efa/all';
  return `${protocol}/${ports.from === ports.to ? ports.from : `${ports.from}-${ports.to}`}`;
}

export function groupNames(result: AnalysisResult, ids: readonly string[]): string {
  return ids.map((id) => result.securityGroupNames[id] ?? id).join(', ') || 'no SGs';
}

/** `system (1 pod) [dgxc-h100-system]`: a flow end as people read it. */
export function describeEnd(result: AnalysisResult, end: FlowEnd): string {
  const unit = end.kind === 'pods' ? 'pod' : end.kind === 'control-plane' ? 'subnet' : 'node';
  const kubelet = end.kind === 'kubelet' ? 'kubelet of ' : '';
  return `${end.nodeGroup} (${kubelet}${end.count} ${unit}${end.count === 1 ? '' : 's'}) [${groupNames(result, end.securityGroups)}]`;
}

const classKey = (end: FlowEnd): string =>
  [end.kind, end.nodeGroup, end.securityGroups.join(','), end.subnetId ?? ''].join('|');

/** Every remediation item of the result, by id. */
export function fixesById(result: AnalysisResult): Map<string, Fix> {
  // Results read back from JSON written by an older version may lack the policy list.
  const policy = (result as { readonly policyRemediation?: readonly Fix[] }).policyRemediation ?? [];
  return new Map([...result.remediation, ...result.naclRemediation, ...policy].map((f) => [f.id, f]));
}

export function fixesOf(flows: readonly FlowResult[], byId: ReadonlyMap<string, Fix>): Fix[] {
  const ids = [...new Set(flows.flatMap((f) => f.fixedBy))];
  return ids.flatMap((id) => {
    const fix = byId.get(id);
    return fix ? [fix] : [];
  });
}

export function buildMatrix(result: AnalysisResult): Matrix {
  const rowsByKey = new Map<string, FlowEnd>();
  for (const flow of result.flows) {
    const key = classKey(flow.source);
    if (!rowsByKey.has(key)) rowsByKey.set(key, flow.source);
  }
  const base = (end: FlowEnd): string =>
    `${end.nodeGroup}${end.kind === 'control-plane' ? '' : ` ${end.kind}`} [${groupNames(result, end.securityGroups)}]`;
  const taken = new Map<string, number>();
  for (const end of rowsByKey.values()) taken.set(base(end), (taken.get(base(end)) ?? 0) + 1);
  const rows: SourceClass[] = [...rowsByKey].map(([key, end]) => {
    const bySubnet = (taken.get(base(end)) ?? 0) > 1;
    return {
      key,
      label: bySubnet ? `${base(end)} ${end.subnetId ?? 'no subnet'}` : base(end),
      bySubnet,
      end,
    };
  });

  const byId = fixesById(result);
  const columns = result.requirements.filter((r) => result.flows.some((f) => f.requirement === r.id));
  const cells: Cell[] = [];
  for (const requirement of columns) {
    for (const source of rows) {
      const flows = result.flows
        .filter((f) => f.requirement === requirement.id && classKey(f.source) === source.key)
        .sort((a, b) => severity[a.status] - severity[b.status]);
      if (flows.length === 0) continue;
      cells.push({
        requirement,
        source,
        status: worst(flows.map((f) => f.status)),
        flows,
        fixes: fixesOf(flows, byId),
        masked: flows.some((f) => f.coLocationMasks !== undefined),
      });
    }
  }
  return { columns, rows, cells };
}

/** `NATS event plane tcp/4222 from gpu-h100 pods [dgxc-h100-customer]`: a cell as a test name. */
export const cellName = (cell: Cell): string =>
  `${cell.requirement.title} ${portText(cell.requirement.protocol, cell.requirement.ports)} from ${cell.source.label}`;

/** The fix that unblocks the most flow classes: the one line to show first. */
export function headlineFix(result: AnalysisResult): Fix | undefined {
  return [...fixesById(result).values()].reduce<Fix | undefined>(
    (best, fix) => (!best || fix.unblocks.length > best.unblocks.length ? fix : best),
    undefined,
  );
}

/** One line per flow of a cell that is not plainly allowed: where it goes, why, and the fix. */
export function problemLines(result: AnalysisResult, cell: Cell, byId: ReadonlyMap<string, Fix>): string[] {
  return cell.flows.flatMap((flow) => {
    if (flow.status === 'allowed' && !flow.coLocationMasks) return [];
    const why = flow.status === 'allowed' ? flow.coLocationMasks! : flow.reason;
    const fixes = fixesOf([flow], byId).map((f) => `fix: ${f.command}`);
    return [`${flow.status} to ${describeEnd(result, flow.destination)}: ${why}`, ...fixes];
  });
}

const stepNames: Partial<Record<TraceStep['kind'], string>> = {
  'resolve-source': 'source',
  'resolve-destination': 'destination',
  'same-node': 'same node',
  'policy-egress': 'NetworkPolicy egress',
  'policy-ingress': 'NetworkPolicy ingress',
  'sg-egress': 'SG egress (source ENI)',
  'nacl-source-outbound': 'NACL outbound (source subnet)',
  'nacl-destination-inbound': 'NACL inbound (destination subnet)',
  'sg-ingress': 'SG ingress (destination ENI)',
  'nacl-destination-outbound-return': 'NACL reply outbound (destination subnet)',
  'nacl-source-inbound-return': 'NACL reply inbound (source subnet)',
};

/** A step kind as people read it; kinds added later still render, by their id. */
export const stepName = (kind: TraceStep['kind']): string => stepNames[kind] ?? kind;

/** The text and, when known, the file and JSON path of a fact that decided a step. */
export function factLine(fact: TraceStep['facts'][number]): string {
  const origin = 'origin' in fact ? fact.origin : undefined;
  return origin ? `${fact.text} (${origin.file}: ${origin.path})` : fact.text;
}

/** The decision chain of one flow as plain lines: placement, then every step with its facts. */
export function traceLines(flow: FlowResult): string[] {
  return [
    ...flow.source.placement.map((p) => `from: ${p}`),
    ...(flow.source.taints ? [`from node taints: ${flow.source.taints.join(', ')}`] : []),
    ...flow.destination.placement.map((p) => `to: ${p}`),
    ...(flow.destination.taints ? [`to node taints: ${flow.destination.taints.join(', ')}`] : []),
    ...flow.steps.flatMap((step) => [
      `${step.status} ${stepName(step.kind)} at ${step.at}: ${step.summary}`,
      ...step.facts.map((fact) => `  ${factLine(fact)}`),
    ]),
    ...(flow.coLocationMasks ? [`masked: ${flow.coLocationMasks}`] : []),
  ];
}
