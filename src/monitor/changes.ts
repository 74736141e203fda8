/**
 * What changed between two analyses of one cluster, pure: flow classes that changed status (or
 * appeared, or went), the security-group rules, NACL entries and policies that appeared or
 * disappeared between the two collections, and for each flow change the rule changes that likely
 * caused it. A rule is a likely cause when the earlier trace relied on it and it is gone, or when the
 * new trace names it and it is new; failing that, any rule change on the flow's security groups.
 */
import type { FlowResult } from '../analyze/types.ts';
import type { ClusterModel } from '../model/types.ts';
import type { AnalysisResult, Verdict } from '../questions/analyze.ts';
import { describeNaclEntry, describeSgRule } from '../reachability/describe.ts';
import type { Fact, Status } from '../reachability/types.ts';
import { describeEnd, levelTitle } from '../report/cells.ts';

/** A rule, entry or policy as it can appear or disappear, keyed by what it says. */
export interface NetworkFact {
  readonly kind: 'sg-rule' | 'nacl-entry' | 'policy';
  /** What a trace calls it: the rule's text, or `<kind> <namespace>/<name>` for a policy. */
  readonly text: string;
  /** Security-group rules: the group it belongs to. */
  readonly groupId?: string;
}

/** Every rule, entry and policy of a model, by key (a policy's key holds its content too). */
export type NetworkFacts = ReadonlyMap<string, NetworkFact>;

export interface NetworkChange {
  readonly change: 'added' | 'removed' | 'changed';
  readonly fact: NetworkFact;
}

export interface FlowChange {
  readonly id: string;
  /** The flow now, or before when it is gone. */
  readonly flow: FlowResult;
  readonly from: Status | 'absent';
  readonly to: Status | 'gone';
  /** The rule changes that likely caused it (empty: none found among the rule changes). */
  readonly causes: readonly NetworkChange[];
}

export interface Changes {
  readonly flows: readonly FlowChange[];
  readonly network: readonly NetworkChange[];
  readonly verdict?: { readonly from: Verdict; readonly to: Verdict };
}

/** One analysis and the network facts it was made from: what the next cycle is compared with. */
export interface Observation {
  readonly result: AnalysisResult;
  readonly facts: NetworkFacts;
}

function policyText(kind: string, namespace: string | undefined, name: string): string {
  return `${kind} ${namespace ? `${namespace}/` : ''}${name}`;
}

/** Plain data without `origin` (which file a fact was read from is not what it says). */
function content(value: unknown): string {
  return JSON.stringify(value, (key, v: unknown) => (key === 'origin' ? undefined : v));
}

export function networkFacts(model: ClusterModel): NetworkFacts {
  const facts = new Map<string, NetworkFact>();
  const add = (key: string, fact: NetworkFact): void => {
    facts.set(key, fact);
  };
  for (const group of model.securityGroups.values())
    for (const rule of [...group.ingress, ...group.egress]) {
      const text = describeSgRule(rule);
      add(`sg-rule ${text}`, { kind: 'sg-rule', text, groupId: rule.groupId });
    }
  for (const acl of model.nacls.values())
    for (const entry of [...acl.inbound, ...acl.outbound]) {
      const text = describeNaclEntry(entry);
      add(`nacl-entry ${text}`, { kind: 'nacl-entry', text });
    }
  const policies = [
    ...model.policies.policies.map((p) => ({ text: policyText('NetworkPolicy', p.namespace, p.name), p })),
    ...model.policies.calico.map((p) => ({ text: policyText(`Calico ${p.kind}`, p.namespace, p.name), p })),
    ...model.policies.cilium.map((p) => ({ text: policyText(p.kind, p.namespace, p.name), p })),
  ];
  for (const { text, p } of policies) add(`policy ${text} ${content(p)}`, { kind: 'policy', text });
  return facts;
}

/** Rules and entries that appeared or disappeared; a policy whose content changed is `changed`. */
export function diffFacts(before: NetworkFacts, after: NetworkFacts): NetworkChange[] {
  const removed = [...before].filter(([key]) => !after.has(key)).map(([, fact]) => fact);
  const added = [...after].filter(([key]) => !before.has(key)).map(([, fact]) => fact);
  const changedPolicies = new Set(
    removed
      .filter((f) => f.kind === 'policy' && added.some((a) => a.kind === 'policy' && a.text === f.text))
      .map((f) => f.text),
  );
  return [
    ...removed
      .filter((f) => !changedPolicies.has(f.text))
      .map((fact) => ({ change: 'removed' as const, fact })),
    ...added.map((fact) => ({
      change: changedPolicies.has(fact.text) ? ('changed' as const) : ('added' as const),
      fact,
    })),
  ];
}

/** The texts of the rules, entries and policies a flow's trace names. */
function traceTexts(flow: FlowResult | undefined): Set<string> {
  const facts: Fact[] = [...(flow?.steps ?? []), ...(flow?.coLocationSteps ?? [])].flatMap((s) => s.facts);
  return new Set(
    facts.flatMap((f) =>
      f.kind === 'sg-rule' || f.kind === 'nacl-entry'
        ? [f.text]
        : f.kind === 'network-policy'
          ? [policyText(f.policyKind ?? 'NetworkPolicy', f.namespace, f.name)]
          : [],
    ),
  );
}

function likelyCauses(
  before: FlowResult | undefined,
  after: FlowResult | undefined,
  network: readonly NetworkChange[],
): NetworkChange[] {
  const was = traceTexts(before);
  const is = traceTexts(after);
  const direct = network.filter(
    ({ change, fact }) =>
      (change !== 'added' && was.has(fact.text)) || (change !== 'removed' && is.has(fact.text)),
  );
  if (direct.length > 0) return direct;
  // The traces name neither: a rule change on either end's security groups may still be why.
  const flow = (after ?? before)!;
  const groups = new Set([...flow.source.securityGroups, ...flow.destination.securityGroups]);
  return network.filter(({ fact }) => fact.groupId !== undefined && groups.has(fact.groupId));
}

/** What changed from `before` to `after`; with no `before` (the first analysis), nothing did. */
export function detectChanges(before: Observation | undefined, after: Observation): Changes {
  if (!before) return { flows: [], network: [] };
  const network = diffFacts(before.facts, after.facts);
  const was = new Map(before.result.flows.map((f) => [f.id, f]));
  const is = new Map(after.result.flows.map((f) => [f.id, f]));
  const flows: FlowChange[] = [];
  for (const flow of after.result.flows) {
    const previous = was.get(flow.id);
    if (previous?.status === flow.status) continue;
    flows.push({
      id: flow.id,
      flow,
      from: previous?.status ?? 'absent',
      to: flow.status,
      causes: likelyCauses(previous, flow, network),
    });
  }
  for (const previous of before.result.flows)
    if (!is.has(previous.id))
      flows.push({
        id: previous.id,
        flow: previous,
        from: previous.status,
        to: 'gone',
        causes: likelyCauses(previous, undefined, network),
      });
  return {
    flows,
    network,
    ...(before.result.verdict !== after.result.verdict
      ? { verdict: { from: before.result.verdict, to: after.result.verdict } }
      : {}),
  };
}

/** `NATS event plane tcp/4222: gpu-h100 (2 pods) [customer] → system (1 pod) [system]`. */
export function flowTitle(result: AnalysisResult, flow: FlowResult): string {
  return `${levelTitle(flow)} ${flow.protocol}/${flow.port}: ${describeEnd(result, flow.source)} → ${describeEnd(result, flow.destination)}`;
}

export function describeNetworkChange({ change, fact }: NetworkChange): string {
  const what = fact.kind === 'sg-rule' ? 'rule' : fact.kind === 'nacl-entry' ? 'NACL entry' : '';
  return `${what ? `${what} ` : ''}${fact.text} ${change}`;
}

/**
 * One line per flow change, naming the flow: `flow <id> (<title>): allowed → blocked: <reason>;
 * likely cause: rule … removed`. `result` names the security groups (the newer analysis).
 */
export function describeFlowChange(result: AnalysisResult, change: FlowChange): string {
  const cause =
    change.causes.length > 0 ? `; likely cause: ${change.causes.map(describeNetworkChange).join('; ')}` : '';
  const why = change.to === 'gone' ? 'no such flow class any more' : change.flow.reason;
  return `flow ${change.id} (${flowTitle(result, change.flow)}): ${change.from} → ${change.to}: ${why}${cause}`;
}
