/**
 * The fix plan every emitter (aws-cli, Terraform, CloudFormation, JSON) and `fix --apply` share:
 * the analysis' remediation items, each with the flows it unblocks, an AWS-valid description, its
 * tags and its EC2 permission as data. Pure: it regroups the AnalysisResult, never re-analyses.
 */
import { oneLineComment } from '../../base/yaml.ts';
import type { FlowResult } from '../../analyze/types.ts';
import type { AnalysisResult } from '../analyze.ts';
import type { NaclRemediation, PolicyRemediation, SgRemediation } from '../../remediate/types.ts';

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

/** The peer of a security-group rule: exactly one of these, as EC2 names them. */
export type Peer =
  | { readonly kind: 'group'; readonly groupId: string }
  | { readonly kind: 'cidr-ipv4'; readonly cidr: string }
  | { readonly kind: 'cidr-ipv6'; readonly cidr: string };

/** One IpPermission as the EC2 API (and `--ip-permissions` JSON) takes it. */
export interface IpPermission {
  /** `-1` (all traffic, no ports) only for EFA's self-referencing rules. */
  readonly IpProtocol: 'tcp' | 'udp' | '-1';
  readonly FromPort?: number;
  readonly ToPort?: number;
  readonly UserIdGroupPairs?: readonly { readonly GroupId: string; readonly Description: string }[];
  readonly IpRanges?: readonly { readonly CidrIp: string; readonly Description: string }[];
  readonly Ipv6Ranges?: readonly { readonly CidrIpv6: string; readonly Description: string }[];
}

export interface PlannedRule {
  readonly rule: SgRemediation;
  readonly peer: Peer;
  /** The rule's description, within what EC2 accepts for a rule description. */
  readonly description: string;
  readonly tags: readonly Tag[];
  readonly permission: IpPermission;
  /** The flows it unblocks, in the analysis' order. */
  readonly flows: readonly FlowResult[];
}

export interface PlannedNaclEntry {
  readonly entry: NaclRemediation;
  /** EC2's protocol number: NACL entries take numbers. */
  readonly protocolNumber: '6' | '17';
  readonly ipv6: boolean;
  readonly flows: readonly FlowResult[];
}

export interface PlannedPolicy {
  readonly policy: PolicyRemediation;
  readonly flows: readonly FlowResult[];
}

export interface FixPlan {
  readonly tool: AnalysisResult['tool'];
  readonly cluster: AnalysisResult['cluster'];
  readonly dynamo: AnalysisResult['dynamo'];
  readonly verdict: AnalysisResult['verdict'];
  readonly summary: AnalysisResult['summary'];
  readonly securityGroupNames: Record<string, string>;
  readonly rules: readonly PlannedRule[];
  readonly naclEntries: readonly PlannedNaclEntry[];
  readonly policies: readonly PlannedPolicy[];
  /** Blocked flows (or co-location-masked ones) that no item fixes: a person must look. */
  readonly notFixed: readonly FlowResult[];
}

export const CREATED_BY: Tag = { Key: 'created-by', Value: 'dynamo-netcheck' };

// EC2 accepts only these characters in a rule description (and at most 255 of them).
const DESCRIPTION_CHARS = /[^a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]/g;
const DESCRIPTION_WORDS: [RegExp, string][] = [
  [/\s*>=\s*/g, ' from '],
  [/\s*<=\s*/g, ' up to '],
  [/\s*<\s*/g, ' before '],
  [/\s*>\s*/g, ' after '],
];

/** A description EC2 accepts: comparison signs become words, anything else it rejects becomes `-`. */
export function awsDescription(text: string): string {
  let out = text;
  for (const [pattern, word] of DESCRIPTION_WORDS) out = out.replace(pattern, word);
  return out.replace(DESCRIPTION_CHARS, '-').slice(0, 255);
}

function peerOf(rule: SgRemediation): Peer {
  const group = rule.direction === 'ingress' ? rule.sourceGroupId : rule.destinationGroupId;
  if (group) return { kind: 'group', groupId: group };
  if (!rule.cidr) throw new Error(`${rule.id}: a rule without a peer group or CIDR`);
  return rule.cidr.includes(':')
    ? { kind: 'cidr-ipv6', cidr: rule.cidr }
    : { kind: 'cidr-ipv4', cidr: rule.cidr };
}

export function peerText(peer: Peer): string {
  return peer.kind === 'group' ? peer.groupId : peer.cidr;
}

function permissionOf(rule: SgRemediation, peer: Peer, description: string): IpPermission {
  const base =
    rule.protocol === '-1'
      ? { IpProtocol: rule.protocol }
      : { IpProtocol: rule.protocol, FromPort: rule.fromPort, ToPort: rule.toPort };
  if (peer.kind === 'group')
    return { ...base, UserIdGroupPairs: [{ GroupId: peer.groupId, Description: description }] };
  if (peer.kind === 'cidr-ipv4')
    return { ...base, IpRanges: [{ CidrIp: peer.cidr, Description: description }] };
  return { ...base, Ipv6Ranges: [{ CidrIpv6: peer.cidr, Description: description }] };
}

/** Tags of a rule: who made it, for which requirements, on which cluster (to find and revoke it later). */
export function ruleTags(
  result: Pick<AnalysisResult, 'cluster'>,
  rule: Pick<SgRemediation, 'requirements'>,
): Tag[] {
  return [
    CREATED_BY,
    { Key: 'dynamo-netcheck:requirements', Value: rule.requirements.join('+') },
    ...(result.cluster.name ? [{ Key: 'dynamo-netcheck:cluster', Value: result.cluster.name }] : []),
  ];
}

export function fixPlan(result: AnalysisResult): FixPlan {
  const flowsById = new Map(result.flows.map((f) => [f.id, f]));
  const flowsOf = (ids: readonly string[]): FlowResult[] => ids.flatMap((id) => flowsById.get(id) ?? []);
  const rules = result.remediation.map((rule): PlannedRule => {
    const peer = peerOf(rule);
    const description = awsDescription(rule.description);
    return {
      rule,
      peer,
      description,
      tags: ruleTags(result, rule),
      permission: permissionOf(rule, peer, description),
      flows: flowsOf(rule.unblocks),
    };
  });
  const naclEntries = result.naclRemediation.map((entry): PlannedNaclEntry => ({
    entry,
    protocolNumber: entry.protocol === 'tcp' ? '6' : '17',
    ipv6: entry.cidr.includes(':'),
    flows: flowsOf(entry.unblocks),
  }));
  // Results read back from JSON written by an older version may lack the policy list.
  const policies = (result.policyRemediation ?? []).map((policy): PlannedPolicy => ({
    policy,
    flows: flowsOf(policy.unblocks),
  }));
  const notFixed = result.flows.filter(
    (f) => (f.status === 'blocked' || f.coLocationMasks !== undefined) && f.fixedBy.length === 0,
  );
  return {
    tool: result.tool,
    cluster: result.cluster,
    dynamo: result.dynamo,
    verdict: result.verdict,
    summary: result.summary,
    securityGroupNames: result.securityGroupNames,
    rules,
    naclEntries,
    policies,
    notFixed,
  };
}

// --- Words every emitter uses, so the script, the .tf and the template say the same thing. ---

function portText(protocol: string, from: number, to: number): string {
  // EFA's SRD flows and their self-referencing rules (-1) have no ports.
  if (protocol === 'efa') return 'efa (SRD)';
  if (protocol === '-1') return 'all traffic';
  return `${protocol}/${from === to ? from : `${from}-${to}`}`;
}

function groupText(plan: FixPlan, id: string): string {
  const name = plan.securityGroupNames[id];
  return name && name !== id ? `${id} (${name})` : id;
}

function endText(plan: FixPlan, end: FlowResult['source']): string {
  const unit = end.kind === 'pods' ? 'pod' : end.kind === 'control-plane' ? 'subnet' : 'node';
  const groups = end.securityGroups.map((g) => plan.securityGroupNames[g] ?? g).join(', ') || 'no SGs';
  const kubelet = end.kind === 'kubelet' ? 'kubelet of ' : '';
  return `${end.nodeGroup} (${kubelet}${end.count} ${unit}${end.count === 1 ? '' : 's'}) [${groups}]`;
}

/** `NATS event plane tcp/4222: gpu-h100 (2 pods) [customer] -> system (1 pod) [system], blocked`. */
export function flowLine(plan: FixPlan, flow: FlowResult): string {
  const status = flow.coLocationMasks ? 'allowed only while co-located' : flow.status;
  return `${flow.title} ${portText(flow.protocol, flow.ports.from, flow.ports.to)}: ${endText(plan, flow.source)} -> ${endText(plan, flow.destination)}, ${status}`;
}

/** `ingress to sg-a (system) from sg-b (gpu), tcp/4222`. */
export function ruleLine(plan: FixPlan, planned: PlannedRule): string {
  const { rule, peer } = planned;
  const peerWords = peer.kind === 'group' ? groupText(plan, peer.groupId) : peer.cidr;
  return `${rule.direction} ${rule.direction === 'ingress' ? 'to' : 'from'} ${groupText(plan, rule.groupId)} ${rule.direction === 'ingress' ? 'from' : 'to'} ${peerWords}, ${portText(rule.protocol, rule.fromPort, rule.toPort)}`;
}

/** `inbound entry 199 in acl-sys (subnet-sys): allow tcp/4222 from 10.0.32.0/20`. */
export function naclLine(planned: PlannedNaclEntry): string {
  const e = planned.entry;
  return `${e.egress ? 'outbound' : 'inbound'} entry ${e.ruleNumber} in ${e.naclId} (${e.subnetId}): allow ${portText(e.protocol, e.fromPort, e.toPort)} ${e.egress ? 'to' : 'from'} ${e.cidr}`;
}

/** "Unblocks:" and one line per flow, for the comment above an item. */
export function unblocksLines(plan: FixPlan, flows: readonly FlowResult[]): string[] {
  return ['Unblocks:', ...flows.map((f) => `  - ${flowLine(plan, f)}`)];
}

/** Header lines every emitter starts with. */
export function headerLines(plan: FixPlan): string[] {
  const where = [
    plan.cluster.accountId ? `account ${plan.cluster.accountId}` : undefined,
    plan.cluster.vpcId,
  ].filter(Boolean);
  const s = plan.summary;
  return [
    `Remediation by ${plan.tool.name} ${plan.tool.version}${plan.cluster.name ? ` for EKS cluster ${plan.cluster.name}` : ''}${where.length ? ` (${where.join(', ')})` : ''}.`,
    `Dynamo ${plan.dynamo.version} (${plan.dynamo.source}). Verdict before: ${plan.verdict.toUpperCase()} (${s.blocked} blocked, ${s.allowed} allowed, ${s.unknown} unknown flows).`,
    `${count(plan.rules.length, 'security-group rule')}, ${count(plan.naclEntries.length, 'network ACL entry', 'network ACL entries')}, ${count(plan.policies.length, 'NetworkPolicy', 'NetworkPolicies')}: each exactly as wide as the flows it unblocks.`,
  ];
}

/** What a rule is, as name parts: Terraform names and CloudFormation logical ids are built from these. */
export function ruleNameParts(planned: PlannedRule): (string | number)[] {
  const { rule, peer } = planned;
  return [
    ...rule.requirements,
    rule.direction,
    rule.groupId,
    rule.direction === 'ingress' ? 'from' : 'to',
    peerText(peer),
    rule.protocol,
    ...(rule.protocol === '-1' ? [] : [rule.fromPort]),
    ...(rule.protocol !== '-1' && rule.toPort !== rule.fromPort ? [rule.toPort] : []),
  ];
}

export function naclNameParts(planned: PlannedNaclEntry): (string | number)[] {
  const e = planned.entry;
  return [...e.requirements, e.naclId, e.egress ? 'egress' : 'ingress', e.ruleNumber];
}

/** Hands out names unique within one output: a repeated name gets `<separator>2`, `<separator>3`, … */
export function uniqueNamer(separator: string): (name: string) => string {
  const used = new Set<string>();
  return (name) => {
    let candidate = name;
    for (let i = 2; used.has(candidate); i += 1) candidate = `${name}${separator}${i}`;
    used.add(candidate);
    return candidate;
  };
}

export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Lines about blocked flows no item fixes (empty when every blocked flow has a fix). */
export function notFixedLines(plan: FixPlan): string[] {
  if (plan.notFixed.length === 0) return [];
  return [
    `NOT FIXED HERE (${count(plan.notFixed.length, 'flow')}; see \`dynamo-netcheck analyze\` for why):`,
    ...plan.notFixed.map((f) => `  - ${flowLine(plan, f)}`),
  ];
}

/** Text that is safe inside a one-line comment of any of the emitted languages. */
export function commentText(text: string): string {
  return oneLineComment(text);
}

/** A `#` comment line (bash, HCL and YAML all read it). */
export function hashComment(text: string): string {
  return `# ${commentText(text)}`.trimEnd();
}
