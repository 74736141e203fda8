/**
 * The pieces of the differential test that are not the test itself: running both evaluators on a
 * world, applying the analyzer's fixes to the raw JSON, and printing a counterexample a person can
 * read. Imports src/ only through subject.ts.
 */
import {
  oracle,
  oracleFutureSource,
  oracleSrd,
  type OracleFlow,
  type OracleResult,
  type RawAws,
  type Verdict,
} from './oracle.ts';
import {
  subjectAnalyze,
  subjectEvaluator,
  subjectSrdEvaluator,
  type NaclFix,
  type SgFix,
  type SubjectAnalysis,
} from './subject.ts';
import {
  requiredFlows,
  requiredFutureFlows,
  worldFiles,
  type Flow,
  type FutureFlow,
  type RequiredFlow,
  type World,
} from './world.ts';

export function oracleFlow(world: World, flow: Flow): OracleFlow {
  return {
    sourceIp: flow.source.ip,
    destinationIp: flow.destination.ip,
    protocol: flow.protocol,
    port: flow.port,
    sameNode: flow.source.node === flow.destination.node,
    enforcingMode: world.enforcingMode,
  };
}

/**
 * The agreement rule: where the oracle decides (allowed or blocked) ours must say the same; where
 * the oracle says unknown (the captured data cannot decide) ours must say unknown too — claiming
 * allowed or blocked there is claiming a fact the data does not hold.
 */
export function agrees(oracleVerdict: Verdict, ours: Verdict): boolean {
  return oracleVerdict === ours;
}

export interface Disagreement {
  readonly flow: Flow;
  readonly oracle: ReturnType<typeof oracle>;
  readonly ours: { verdict: Verdict; reason: string };
}

export function disagreements(world: World, flows: readonly Flow[] = world.flows): Disagreement[] {
  const ours = subjectEvaluator(worldFiles(world.aws, world.other, world.sgFormat));
  const out: Disagreement[] = [];
  for (const flow of flows) {
    const expected = oracle(world.oracleAws, oracleFlow(world, flow));
    const actual = ours({
      source: flow.source,
      destination: flow.destination,
      protocol: flow.protocol,
      port: flow.port,
    });
    if (!agrees(expected.verdict, actual.verdict)) out.push({ flow, oracle: expected, ours: actual });
  }
  return out;
}

export interface SrdDisagreement {
  readonly source: string;
  readonly destination: string;
  readonly oracle: OracleResult;
  readonly ours: { verdict: Verdict; reason: string };
}

/**
 * The world with self-referencing all-traffic rules added (group i: inbound when i % 3 ≠ 1,
 * outbound when i % 3 ≠ 2), only to groups both sides see, so that SRD is allowed often enough to
 * test: random rules rarely name their own group with protocol -1.
 */
export function withSelfRules(world: World): World {
  // Numbered by the oracle's list, which both copies share (in 'rules' form it lacks rule-less groups).
  const index = new Map(world.oracleAws.securityGroups.SecurityGroups.map((g, i) => [g.GroupId, i]));
  const add = (aws: RawAws): RawAws => {
    const copy = structuredClone(aws) as RawAws;
    for (const group of copy.securityGroups.SecurityGroups) {
      const i = index.get(group.GroupId);
      if (i === undefined) continue;
      const perm = { IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: group.GroupId }] };
      if (i % 3 !== 1) (group.IpPermissions ??= []).push(perm);
      if (i % 3 !== 2) (group.IpPermissionsEgress ??= []).push(perm);
    }
    return copy;
  };
  return { ...world, aws: add(world.aws), oracleAws: add(world.oracleAws) };
}

/** SRD between every ordered pair of the world's ENIs, each taken as an EFA interface. */
export function srdDisagreements(world: World): SrdDisagreement[] {
  const ours = subjectSrdEvaluator(worldFiles(world.aws, world.other, world.sgFormat));
  const ids = world.aws.networkInterfaces.NetworkInterfaces.map((e) => e.NetworkInterfaceId);
  const out: SrdDisagreement[] = [];
  for (const source of ids)
    for (const destination of ids) {
      if (source === destination) continue;
      const expected = oracleSrd(world.oracleAws, source, destination);
      const actual = ours(source, destination);
      if (!agrees(expected.verdict, actual.verdict))
        out.push({ source, destination, oracle: expected, ours: actual });
    }
  return out;
}

export function describeSrdDisagreement(d: SrdDisagreement): string {
  return [
    `SRD ${d.source} → ${d.destination}: oracle ${d.oracle.verdict}, ours ${d.ours.verdict}`,
    ...d.oracle.steps.map((s) => `  oracle ${s.name}: ${s.verdict} (${s.why})`),
    `  ours: ${d.ours.reason}`,
  ].join('\n');
}

/** The raw documents with the analyzer's proposed rules and entries added, as `aws ec2` would. */
export function applyFixes(aws: RawAws, analysis: Pick<SubjectAnalysis, 'sgFixes' | 'naclFixes'>): RawAws {
  const fixed = structuredClone(aws) as RawAws;
  for (const fix of analysis.sgFixes) applySgFix(fixed, fix);
  for (const fix of analysis.naclFixes) applyNaclFix(fixed, fix);
  return fixed;
}

function applySgFix(aws: RawAws, fix: SgFix): void {
  const group = aws.securityGroups.SecurityGroups.find((g) => g.GroupId === fix.groupId);
  if (!group)
    throw new Error(`fix adds a rule to ${fix.groupId}, which describe-security-groups does not list`);
  const peer = fix.peerGroupId
    ? { UserIdGroupPairs: [{ GroupId: fix.peerGroupId }] }
    : fix.cidr?.includes(':')
      ? { Ipv6Ranges: [{ CidrIpv6: fix.cidr }] }
      : fix.cidr
        ? { IpRanges: [{ CidrIp: fix.cidr }] }
        : undefined;
  if (!peer) throw new Error(`fix for ${fix.groupId} names neither a group nor a CIDR`);
  const perm = { IpProtocol: fix.protocol, FromPort: fix.fromPort, ToPort: fix.toPort, ...peer };
  if (fix.direction === 'ingress') (group.IpPermissions ??= []).push(perm);
  else (group.IpPermissionsEgress ??= []).push(perm);
}

function applyNaclFix(aws: RawAws, fix: NaclFix): void {
  const acl = aws.networkAcls.NetworkAcls.find((a) => a.NetworkAclId === fix.naclId);
  if (!acl) throw new Error(`fix adds an entry to ${fix.naclId}, which describe-network-acls does not list`);
  const entries = (acl.Entries ??= []);
  // EC2 refuses a second entry with the same number and direction (NetworkAclEntryAlreadyExists).
  if (entries.some((e) => e.Egress === fix.egress && e.RuleNumber === fix.ruleNumber)) {
    throw new Error(
      `fix entry ${fix.ruleNumber} (${fix.egress ? 'egress' : 'ingress'}) already exists in ${fix.naclId}`,
    );
  }
  if (fix.ruleNumber < 1 || fix.ruleNumber > 32766)
    throw new Error(`fix rule number ${fix.ruleNumber} is invalid`);
  entries.push({
    RuleNumber: fix.ruleNumber,
    Protocol: fix.protocol === 'tcp' ? '6' : '17',
    RuleAction: 'allow',
    Egress: fix.egress,
    ...(fix.cidr.includes(':') ? { Ipv6CidrBlock: fix.cidr } : { CidrBlock: fix.cidr }),
    PortRange: { From: fix.fromPort, To: fix.toPort },
  });
}

export interface FixFailure {
  readonly flow: Flow | FutureFlow;
  readonly before: ReturnType<typeof oracle>;
  readonly after: ReturnType<typeof oracle>;
}

/**
 * The one case where a fix may leave a flow blocked: the analyzer said so itself. When the deny to
 * get past is entry 1 (or every number below it is taken), no allow entry can precede it, and the
 * analyzer warns "no fix can be synthesised … no free rule number below N in acl-…" instead of
 * proposing one (editing or renumbering existing entries is not something it proposes).
 */
function excused(after: ReturnType<typeof oracle>, warnings: readonly string[]): boolean {
  const blocked = after.steps.filter((s) => s.verdict === 'blocked');
  return blocked.every((s) => {
    const acl = s.name.startsWith('nacl-') ? s.why.split(' ')[0] : undefined;
    return (
      acl !== undefined &&
      warnings.some((w) => w.includes('no free rule number below') && w.includes(` in ${acl} `))
    );
  });
}

/**
 * Property (b): required flows the oracle calls blocked that the analyzer's fixes, added to the raw
 * JSON, leave blocked (unless excused above; an unknown left after the fixes is not a failure: the
 * fixes removed every definite block). Throws when a fix cannot be applied as EC2 would refuse it.
 */
export function fixFailures(world: World): {
  failures: FixFailure[];
  excused: number;
  analysis: SubjectAnalysis;
} {
  const analysis = subjectAnalyze(worldFiles(world.aws, world.other, world.sgFormat));
  const fixed = applyFixes(world.oracleAws, analysis);
  const failures: FixFailure[] = [];
  let excusedCount = 0;
  for (const flow of requiredFlows(world)) {
    const before = oracle(world.oracleAws, oracleFlow(world, flow));
    if (before.verdict !== 'blocked') continue;
    const after = oracle(fixed, oracleFlow(world, flow));
    if (after.verdict !== 'blocked') continue;
    if (excused(after, analysis.warnings)) excusedCount += 1;
    else failures.push({ flow, before, after });
  }
  // The same for a pod still to be scheduled on a GPU node → NATS: a fix must open the flow for
  // every address the pod may get (judged by oracleFutureSource, address piece by piece).
  for (const flow of requiredFutureFlows(world)) {
    const query = futureOracleFlow(world, flow);
    const before = oracleFutureSource(world.oracleAws, query);
    if (before.verdict !== 'blocked') continue;
    const after = oracleFutureSource(fixed, query);
    if (after.verdict !== 'blocked') continue;
    if (excused(after, analysis.warnings)) excusedCount += 1;
    else failures.push({ flow, before, after });
  }
  return { failures, excused: excusedCount, analysis };
}

function futureOracleFlow(world: World, flow: FutureFlow): Parameters<typeof oracleFutureSource>[1] {
  return {
    sourceEniId: flow.sourceNode.primaryEniId,
    destinationIp: flow.destination.ip,
    protocol: flow.protocol,
    port: flow.port,
    sameNode: flow.sourceNode.name === flow.destination.node,
    enforcingMode: world.enforcingMode,
  };
}

export interface ClassFailure {
  readonly flow: RequiredFlow | FutureFlow;
  readonly oracle: ReturnType<typeof oracle>;
  /** Statuses of the analyzer's classes that hold this pair (none: the analyzer lost the pair). */
  readonly statuses: Verdict[];
}

/**
 * Property (c): the analyzer decides whole classes of pairs from one evaluated pair. For every
 * required pair — running pod → pod, and pod still to be scheduled on a GPU node → NATS pod (judged
 * by `oracleFutureSource`) — some class of the same requirement that names both ends must carry the
 * oracle's verdict. (A class is not the cross product of its members, so "some class" is the strongest
 * check its output allows.)
 */
export function classFailures(
  world: World,
  analysis: SubjectAnalysis,
  options: { futurePods: boolean } = { futurePods: true },
): ClassFailure[] {
  const failures: ClassFailure[] = [];
  const label = (p: Flow['source']) => `${p.namespace}/${p.name}`;
  for (const flow of requiredFlows(world)) {
    const statuses = analysis.flows
      .filter(
        (c) =>
          c.requirement === flow.requirement &&
          c.sourceKind === 'pods' &&
          c.destinationKind === 'pods' &&
          c.sourceMembers.includes(label(flow.source)) &&
          c.destinationMembers.includes(label(flow.destination)),
      )
      .map((c) => c.status);
    const expected = oracle(world.oracleAws, oracleFlow(world, flow));
    if (!statuses.some((s) => agrees(expected.verdict, s)))
      failures.push({ flow, oracle: expected, statuses });
  }
  for (const flow of options.futurePods ? requiredFutureFlows(world) : []) {
    const statuses = analysis.flows
      .filter(
        (c) =>
          c.requirement === flow.requirement &&
          c.sourceKind === 'nodes' &&
          c.destinationKind === 'pods' &&
          c.sourceMembers.includes(flow.sourceNode.name) &&
          c.destinationMembers.includes(label(flow.destination)),
      )
      .map((c) => c.status);
    const expected = oracleFutureSource(world.oracleAws, futureOracleFlow(world, flow));
    if (!statuses.some((s) => agrees(expected.verdict, s)))
      failures.push({ flow, oracle: expected, statuses });
  }
  return failures;
}

// ─── Counterexamples a person can read ─────────────────────────────────────────────────────────

const flowText = (f: Flow) =>
  `${f.source.namespace}/${f.source.name} (${f.source.ip}, ${f.source.kind} on ${f.source.node}) → ` +
  `${f.destination.namespace}/${f.destination.name} (${f.destination.ip}, ${f.destination.kind} on ${f.destination.node}) ` +
  `${f.protocol}/${f.port}`;

export function describeWorld(world: World): string {
  const lines: string[] = [
    `IPv${world.spec.family}, enforcing mode ${world.enforcingMode}, SGs as ${world.sgFormat === 'rules' ? 'describe-security-group-rules' : 'describe-security-groups'}`,
  ];
  for (const g of world.oracleAws.securityGroups.SecurityGroups) {
    lines.push(`${g.GroupId}:`);
    for (const p of g.IpPermissions ?? []) lines.push(`  in  ${JSON.stringify(p)}`);
    for (const p of g.IpPermissionsEgress ?? []) lines.push(`  out ${JSON.stringify(p)}`);
  }
  for (const e of world.aws.networkInterfaces.NetworkInterfaces) {
    const ips = [
      ...(e.PrivateIpAddresses ?? []).map((a) => a.PrivateIpAddress),
      ...(e.Ipv4Prefixes ?? []).map((p) => p.Ipv4Prefix),
      ...(e.Ipv6Addresses ?? []).map((a) => a.Ipv6Address),
      ...(e.Ipv6Prefixes ?? []).map((p) => p.Ipv6Prefix),
    ];
    lines.push(
      `${e.NetworkInterfaceId} ${e.InterfaceType} ${e.SubnetId} [${(e.Groups ?? []).map((g) => g.GroupId).join(',')}] ${ips.join(' ')}`,
    );
  }
  for (const a of world.aws.networkAcls.NetworkAcls) {
    lines.push(
      `${a.NetworkAclId}${a.IsDefault ? ' (default)' : ''} assoc [${(a.Associations ?? []).map((s) => s.SubnetId).join(',')}]`,
    );
    for (const e of [...(a.Entries ?? [])].sort(
      (x, y) => Number(x.Egress) - Number(y.Egress) || x.RuleNumber - y.RuleNumber,
    )) {
      const where = e.CidrBlock ?? e.Ipv6CidrBlock;
      const ports = e.PortRange ? ` ${e.PortRange.From}-${e.PortRange.To}` : '';
      lines.push(
        `  ${e.Egress ? 'out' : 'in '} ${e.RuleNumber} ${e.RuleAction} proto ${e.Protocol}${ports} ${where}`,
      );
    }
  }
  for (const p of world.pods) lines.push(`pod ${p.namespace}/${p.name} ${p.ip} ${p.kind} on ${p.node}`);
  return lines.join('\n');
}

export function describeDisagreement(d: Disagreement): string {
  return [
    `flow: ${flowText(d.flow)}`,
    `oracle: ${d.oracle.verdict} — ${d.oracle.steps.map((s) => `${s.name}:${s.verdict} (${s.why})`).join('; ')}`,
    `ours:   ${d.ours.verdict} — ${d.ours.reason}`,
  ].join('\n');
}

const anyFlowText = (f: Flow | FutureFlow) =>
  'sourceNode' in f
    ? `a pod to be scheduled on ${f.sourceNode.name} (any address of its subnet, groups of ${f.sourceNode.primaryEniId}) → ` +
      `${f.destination.namespace}/${f.destination.name} (${f.destination.ip}, ${f.destination.kind} on ${f.destination.node}) tcp/${f.port}`
    : flowText(f);

export function describeClassFailure(f: ClassFailure): string {
  return [
    `required ${f.flow.requirement} flow: ${anyFlowText(f.flow)}`,
    `oracle: ${f.oracle.verdict} — ${f.oracle.steps.map((s) => `${s.name}:${s.verdict} (${s.why})`).join('; ')}`,
    `analyzer classes holding the pair: ${f.statuses.join(', ') || 'none'}`,
  ].join('\n');
}

export function describeFixFailure(f: FixFailure, analysis: SubjectAnalysis): string {
  const blocked = (r: ReturnType<typeof oracle>) =>
    r.steps
      .filter((s) => s.verdict === 'blocked')
      .map((s) => `${s.name} (${s.why})`)
      .join('; ');
  return [
    `required flow: ${anyFlowText(f.flow)}`,
    `oracle before the fixes: ${blocked(f.before)}`,
    `oracle after the fixes:  ${blocked(f.after)}`,
    `analyzer flows: ${analysis.flows.map((x) => `${x.requirement}:${x.status}`).join(', ')}`,
    `sg fixes: ${JSON.stringify(analysis.sgFixes)}`,
    `nacl fixes: ${JSON.stringify(analysis.naclFixes)}`,
  ].join('\n');
}
