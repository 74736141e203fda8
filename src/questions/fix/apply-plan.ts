/**
 * What `fix --apply` may change, decided before any call: the plan's security-group rules and
 * NACL entries, each checked to be no wider than the flows it unblocks. An item that is wider
 * (all addresses or a block wider than an AWS subnet can be — `WIDEST_FIX_PREFIX`, /16 for IPv4
 * and /56 for IPv6 —, all protocols, more ports than the flow, a peer the flow does not have) is
 * refused, never sent. Pure.
 */
import { fixCidrProblem } from '../../base/ip.ts';
import { RETURN_PORTS } from '../../remediate/synthesize.ts';
import type { FixPlan, PlannedNaclEntry, PlannedRule } from './plan.ts';

export type ApplyItem =
  | { readonly kind: 'sg-rule'; readonly id: string; readonly planned: PlannedRule }
  | { readonly kind: 'nacl-entry'; readonly id: string; readonly planned: PlannedNaclEntry };

export interface Refusal {
  readonly item: ApplyItem;
  readonly why: string;
}

export type Outcome =
  | { readonly status: 'added'; readonly ruleIds: readonly string[] }
  | { readonly status: 'already-present' }
  | { readonly status: 'failed'; readonly code: string; readonly message: string };

/** An item the dry run was denied for. */
export interface Denial {
  readonly item: ApplyItem;
  /** The IAM actions the caller lacks for this item. */
  readonly actions: readonly string[];
  readonly message: string;
}

export interface ItemResult {
  readonly item: ApplyItem;
  readonly outcome: Outcome;
}

const PROTOCOLS = new Set(['tcp', 'udp']);

function validPorts(from: number, to: number): boolean {
  return Number.isInteger(from) && Number.isInteger(to) && from >= 0 && from <= to && to <= 65535;
}

/**
 * All traffic is accepted only as EFA's self-referencing rule (the only rule that carries SRD):
 * peer = its own group, for SRD flows whose two ends both carry that group.
 */
function efaRuleRefusal(planned: PlannedRule): string | undefined {
  const { rule, peer, flows } = planned;
  if (peer.kind !== 'group' || peer.groupId !== rule.groupId)
    return 'an all-traffic rule is proposed only as a group referencing itself, for EFA';
  if (flows.length === 0) return 'it unblocks no flow of this analysis';
  for (const flow of flows) {
    if (flow.protocol !== 'efa')
      return `${flow.id} is ${flow.protocol}, and all traffic is only for EFA's SRD`;
    if (
      !flow.source.securityGroups.includes(rule.groupId) ||
      !flow.destination.securityGroups.includes(rule.groupId)
    )
      return `${rule.groupId} is not on both EFA interfaces of ${flow.id}`;
  }
  return undefined;
}

/** Why a rule is wider than its flows need, or undefined when it is exactly as wide. */
export function ruleRefusal(planned: PlannedRule): string | undefined {
  const { rule, peer, flows } = planned;
  if (rule.protocol === '-1') return efaRuleRefusal(planned);
  if (!PROTOCOLS.has(rule.protocol)) return `protocol ${rule.protocol} is wider than tcp or udp`;
  if (!validPorts(rule.fromPort, rule.toPort))
    return `ports ${rule.fromPort}-${rule.toPort} are not a port range`;
  if (peer.kind !== 'group') {
    const tooWide = fixCidrProblem(peer.cidr);
    if (tooWide) return `${peer.cidr} ${tooWide}`;
  }
  if (flows.length === 0) return 'it unblocks no flow of this analysis';
  for (const flow of flows) {
    const self = rule.direction === 'ingress' ? flow.destination : flow.source;
    const other = rule.direction === 'ingress' ? flow.source : flow.destination;
    if (flow.protocol !== rule.protocol) return `${flow.id} is ${flow.protocol}, the rule ${rule.protocol}`;
    if (rule.fromPort < flow.ports.from || rule.toPort > flow.ports.to)
      return `ports ${rule.fromPort}-${rule.toPort} are wider than ${flow.id} needs (${flow.ports.from}-${flow.ports.to})`;
    if (!self.securityGroups.includes(rule.groupId))
      return `${rule.groupId} is not on ${flow.id}'s ${rule.direction === 'ingress' ? 'destination' : 'source'}`;
    if (peer.kind === 'group' && !other.securityGroups.includes(peer.groupId))
      return `${peer.groupId} is not on ${flow.id}'s ${rule.direction === 'ingress' ? 'source' : 'destination'}`;
  }
  return undefined;
}

/** Why a NACL entry is wider than its flows need (return traffic may use the ephemeral range). */
export function naclRefusal(planned: PlannedNaclEntry): string | undefined {
  const { entry, flows } = planned;
  if (!PROTOCOLS.has(entry.protocol)) return `protocol ${entry.protocol} is wider than tcp or udp`;
  if (!validPorts(entry.fromPort, entry.toPort))
    return `ports ${entry.fromPort}-${entry.toPort} are not a port range`;
  const tooWide = fixCidrProblem(entry.cidr);
  if (tooWide) return `${entry.cidr} ${tooWide}`;
  if (flows.length === 0) return 'it unblocks no flow of this analysis';
  const isReturn = entry.fromPort === RETURN_PORTS.from && entry.toPort === RETURN_PORTS.to;
  for (const flow of flows) {
    if (flow.protocol !== entry.protocol)
      return `${flow.id} is ${flow.protocol}, the entry ${entry.protocol}`;
    if (!isReturn && (entry.fromPort < flow.ports.from || entry.toPort > flow.ports.to))
      return `ports ${entry.fromPort}-${entry.toPort} are wider than ${flow.id} needs (${flow.ports.from}-${flow.ports.to})`;
  }
  return undefined;
}

/** The items to send and the ones refused. NetworkPolicies are Kubernetes objects: not applied here. */
export function applyPlan(plan: FixPlan): { items: ApplyItem[]; refused: Refusal[] } {
  const all: ApplyItem[] = [
    ...plan.rules.map((planned): ApplyItem => ({ kind: 'sg-rule', id: planned.rule.id, planned })),
    ...plan.naclEntries.map((planned): ApplyItem => ({ kind: 'nacl-entry', id: planned.entry.id, planned })),
  ];
  const items: ApplyItem[] = [];
  const refused: Refusal[] = [];
  for (const item of all) {
    const why = item.kind === 'sg-rule' ? ruleRefusal(item.planned) : naclRefusal(item.planned);
    if (why) refused.push({ item, why });
    else items.push(item);
  }
  return { items, refused };
}

/** The IAM action an item's call needs (tagging a new rule needs ec2:CreateTags as well). */
export function actionOf(item: ApplyItem): string {
  if (item.kind === 'nacl-entry') return 'ec2:CreateNetworkAclEntry';
  return item.planned.rule.direction === 'ingress'
    ? 'ec2:AuthorizeSecurityGroupIngress'
    : 'ec2:AuthorizeSecurityGroupEgress';
}
