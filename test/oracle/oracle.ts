/**
 * A second, deliberately naive evaluator of the security-group / network-ACL core, written from
 * AWS's documentation and not from our code (src/ is never imported here). It reads the raw JSON of
 * `aws ec2 describe-security-groups`, `describe-network-interfaces`, `describe-network-acls`,
 * `describe-subnets` and `get-managed-prefix-list-entries`, and answers one question: is a flow
 * from one IP to another, on one TCP/UDP port, allowed, blocked, or not decidable from the data?
 *
 * The rules, each with the documentation it comes from:
 *
 * - Security groups are stateful ("Security groups are stateful. For example, if you send a request
 *   from an instance, the response traffic for that request is allowed to reach the instance
 *   regardless of the inbound security group rules", VPC User Guide, "Security groups"). So only the
 *   request direction is checked: egress at the source ENI, ingress at the destination ENI.
 * - "If you associate multiple security groups with an instance, the rules from each security group
 *   are effectively aggregated to create one set of rules": a flow is allowed at an ENI when any rule
 *   of any of its groups allows it. Rules only allow; there are no deny rules.
 * - The groups that apply are those of the network interface that holds the address (EC2 User
 *   Guide: security groups are associated with network interfaces). An address belongs to an ENI
 *   when it is one of its private IPv4 addresses (primary or secondary), lies inside one of its
 *   delegated IPv4 prefixes (`Ipv4Prefixes`, the /28s of prefix delegation), is one of its IPv6
 *   addresses, or lies inside one of its IPv6 prefixes.
 * - A rule whose peer is a security group "allows traffic based on the private IP addresses of the
 *   network interfaces that are associated with the source security group": the peer matches when
 *   the ENI on the other end of the flow carries that group.
 * - A CIDR peer matches when the other end's address lies in it; IPv4 ranges never match IPv6
 *   addresses and vice versa. A prefix-list peer matches when the address lies in one of the list's
 *   entries; when the entries were not captured, the rule can neither be said to match nor not.
 * - Protocols: `-1` means all protocols and all ports ("If you specify -1 or a protocol other than
 *   tcp, udp, icmp, or icmpv6, traffic on all ports is allowed, regardless of any ports you
 *   specify", EC2 API reference, IpPermission). `tcp`/`6` and `udp`/`17` use the inclusive port
 *   range FromPort..ToPort. Any other protocol (icmp, a number) matches only that protocol, so
 *   never a TCP or UDP flow.
 * - Network ACLs are stateless and apply at the subnet boundary: "Network ACLs are stateless, which
 *   means that responses to allowed inbound traffic are subject to the rules for outbound traffic"
 *   and "We process the rules in order, starting with the lowest numbered rule. As soon as a rule
 *   matches traffic, it's applied regardless of any higher-numbered rule that might contradict it";
 *   when no rule matches, the `*` rule denies. A subnet not explicitly associated with a network ACL
 *   uses the VPC's default one. Traffic between two addresses of the same subnet does not cross the
 *   subnet boundary, so NACLs apply only when the two ENIs are in different subnets, and then in four
 *   places: source subnet outbound (to the destination port), destination subnet inbound (the same),
 *   destination subnet outbound (the reply, to the client's ephemeral port) and source subnet inbound
 *   (the reply). An entry's port range is the destination port of the packet it filters.
 * - The reply goes to the client's ephemeral source port. Linux picks it at random from
 *   `net.ipv4.ip_local_port_range`, 32768–60999 by default. The flow is reliably possible only when
 *   every port of that range is allowed on both return places; when some are denied, a share of the
 *   connections fail at random, and we call that blocked (a flow that fails some of the time is a
 *   broken flow). The return places are evaluated on every sub-range of 32768–60999 that the entries'
 *   boundaries cut, which is the same as trying every port.
 * - Pods on the same node talk through the node's own routing, so neither security groups nor NACLs
 *   see that traffic — except with security groups for pods in `strict` enforcing mode, where a pod
 *   on a branch ENI sends and receives everything through the VPC (EKS User Guide, "Security groups
 *   for Pods": "strict: Only the branch ENI security groups are enforced … pod-to-pod traffic on the
 *   same node is also enforced"). Then the full check applies.
 *
 * A pod not scheduled yet (a "future pod" on a node) has no address yet. The VPC CNI gives it a free
 * address of its node's subnet, on an ENI that carries the primary ENI's security groups (without
 * custom networking, the CNI creates secondary ENIs with the primary ENI's groups): so it is judged
 * with the primary ENI's groups at every address of the subnet, cut into pieces at every CIDR
 * boundary any rule, prefix list or NACL entry draws. One verdict for all pieces is the answer;
 * different verdicts mean a rule covers the subnet only partly, and then it depends on the address
 * the pod will get: unknown. (Every subnet address counts, even ones in use now: they are freed
 * and handed out again.)
 *
 * "unknown" means the captured data cannot decide: the address is on no ENI (or on two), a group the
 * ENI carries is not in the data and no other group allows, a prefix list's entries are missing and
 * no other rule allows, a subnet's ENI has no subnet or its NACL cannot be found. A step that is
 * definitely blocked decides the flow as blocked whatever other steps are unknown: one closed door
 * is enough. Flows are single addresses, so a CIDR never covers a peer only partly here.
 */

// ─── The raw input shapes (only the fields read here) ──────────────────────────────────────────

export interface RawIpPermission {
  IpProtocol: string;
  FromPort?: number;
  ToPort?: number;
  IpRanges?: { CidrIp: string; Description?: string }[];
  Ipv6Ranges?: { CidrIpv6: string; Description?: string }[];
  PrefixListIds?: { PrefixListId: string; Description?: string }[];
  UserIdGroupPairs?: { GroupId?: string; UserId?: string; Description?: string }[];
}

export interface RawSecurityGroup {
  GroupId: string;
  GroupName?: string;
  Description?: string;
  OwnerId?: string;
  VpcId?: string;
  IpPermissions?: RawIpPermission[];
  IpPermissionsEgress?: RawIpPermission[];
}

export interface RawNetworkInterface {
  NetworkInterfaceId: string;
  InterfaceType?: string;
  SubnetId?: string;
  VpcId?: string;
  Groups?: { GroupId: string; GroupName?: string }[];
  PrivateIpAddress?: string;
  PrivateIpAddresses?: { PrivateIpAddress: string; Primary?: boolean }[];
  Ipv4Prefixes?: { Ipv4Prefix: string }[];
  Ipv6Addresses?: { Ipv6Address: string }[];
  Ipv6Prefixes?: { Ipv6Prefix: string }[];
  Attachment?: { InstanceId?: string; DeviceIndex?: number };
  TagSet?: { Key: string; Value?: string }[];
  [other: string]: unknown;
}

export interface RawNaclEntry {
  RuleNumber: number;
  Protocol: string;
  RuleAction: 'allow' | 'deny';
  Egress: boolean;
  CidrBlock?: string;
  Ipv6CidrBlock?: string;
  PortRange?: { From?: number; To?: number };
}

export interface RawNetworkAcl {
  NetworkAclId: string;
  VpcId?: string;
  IsDefault?: boolean;
  Associations?: { SubnetId: string; NetworkAclId?: string; NetworkAclAssociationId?: string }[];
  Entries?: RawNaclEntry[];
  [other: string]: unknown;
}

export interface RawSubnet {
  SubnetId: string;
  VpcId?: string;
  CidrBlock?: string;
  Ipv6CidrBlockAssociationSet?: { Ipv6CidrBlock?: string }[];
  [other: string]: unknown;
}

/** The documents, each as the CLI prints it. */
export interface RawAws {
  readonly securityGroups: { SecurityGroups: RawSecurityGroup[] };
  readonly networkInterfaces: { NetworkInterfaces: RawNetworkInterface[] };
  readonly networkAcls: { NetworkAcls: RawNetworkAcl[] };
  readonly subnets: { Subnets: RawSubnet[] };
  /** `get-managed-prefix-list-entries --prefix-list-id <key>` output, per list id that was captured. */
  readonly prefixListEntries: Readonly<Record<string, { Entries: { Cidr: string }[] }>>;
}

export interface OracleFlow {
  readonly sourceIp: string;
  readonly destinationIp: string;
  readonly protocol: 'tcp' | 'udp';
  readonly port: number;
  /** Both pods run on the same node. */
  readonly sameNode: boolean;
  /** The VPC CNI's POD_SECURITY_GROUP_ENFORCING_MODE. */
  readonly enforcingMode: 'strict' | 'standard';
}

export type Verdict = 'allowed' | 'blocked' | 'unknown';

export interface OracleStep {
  readonly name: string;
  readonly verdict: Verdict;
  readonly why: string;
}

export interface OracleResult {
  readonly verdict: Verdict;
  readonly steps: OracleStep[];
  /** For a future pod: how many address pieces its subnet was cut into (1: no CIDR splits it). */
  readonly pieces?: number;
}

/** Linux's default `net.ipv4.ip_local_port_range`. */
export const EPHEMERAL_FROM = 32768;
export const EPHEMERAL_TO = 60999;

// ─── A tiny CIDR matcher ───────────────────────────────────────────────────────────────────────

interface Ip {
  readonly family: 4 | 6;
  readonly value: bigint;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256n + BigInt(Number(part));
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (half: string): number[] | undefined => {
    if (half === '') return [];
    const out: number[] = [];
    const pieces = half.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else {
        if (!/^[0-9a-f]{1,4}$/i.test(piece)) return undefined;
        out.push(parseInt(piece, 16));
      }
    }
    return out;
  };
  const left = groupsOf(halves[0]!);
  const right = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (!left || !right) return undefined;
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...left, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...right];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

export function parseIp(text: string): Ip | undefined {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { family: 4, value };
}

/** Whether `ip` lies in `cidr`; false across families; undefined when either does not parse. */
export function cidrContains(cidr: string, ip: string): boolean | undefined {
  const [base, lengthText, extra] = cidr.split('/');
  if (base === undefined || lengthText === undefined || extra !== undefined) return undefined;
  const network = parseIp(base);
  const address = parseIp(ip);
  if (!network || !address || !/^\d{1,3}$/.test(lengthText)) return undefined;
  const bits = network.family === 4 ? 32 : 128;
  const length = Number(lengthText);
  if (length > bits) return undefined;
  if (network.family !== address.family) return false;
  const shift = BigInt(bits - length);
  return network.value >> shift === address.value >> shift;
}

function formatIp(family: 4 | 6, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.');
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((value >> shift) & 0xffffn).toString(16));
  return groups.join(':');
}

/** First and last address of a CIDR. */
function cidrRange(cidr: string): { family: 4 | 6; first: bigint; last: bigint } | undefined {
  const [base, lengthText] = cidr.split('/');
  const network = base === undefined ? undefined : parseIp(base);
  if (!network || lengthText === undefined || cidrContains(cidr, base!) === undefined) return undefined;
  const hostBits = BigInt((network.family === 4 ? 32 : 128) - Number(lengthText));
  const first = (network.value >> hostBits) << hostBits;
  return { family: network.family, first, last: first + (1n << hostBits) - 1n };
}

// ─── Lookups in the raw data ───────────────────────────────────────────────────────────────────

function enisHolding(aws: RawAws, ip: string): RawNetworkInterface[] {
  return aws.networkInterfaces.NetworkInterfaces.filter(
    (eni) =>
      eni.PrivateIpAddress === ip ||
      (eni.PrivateIpAddresses ?? []).some((a) => a.PrivateIpAddress === ip) ||
      (eni.Ipv4Prefixes ?? []).some((p) => cidrContains(p.Ipv4Prefix, ip) === true) ||
      (eni.Ipv6Addresses ?? []).some((a) => sameAddress(a.Ipv6Address, ip)) ||
      (eni.Ipv6Prefixes ?? []).some((p) => cidrContains(p.Ipv6Prefix, ip) === true),
  );
}

function sameAddress(a: string, b: string): boolean {
  const x = parseIp(a);
  const y = parseIp(b);
  return !!x && !!y && x.family === y.family && x.value === y.value;
}

function naclOfSubnet(aws: RawAws, subnetId: string): RawNetworkAcl | undefined {
  const acls = aws.networkAcls.NetworkAcls;
  const explicit = acls.find((acl) => (acl.Associations ?? []).some((a) => a.SubnetId === subnetId));
  if (explicit) return explicit;
  const vpcId = aws.subnets.Subnets.find((s) => s.SubnetId === subnetId)?.VpcId;
  const defaults = acls.filter(
    (acl) => acl.IsDefault === true && (!vpcId || !acl.VpcId || acl.VpcId === vpcId),
  );
  return defaults.length === 1 ? defaults[0] : undefined;
}

// ─── Security groups ───────────────────────────────────────────────────────────────────────────

type Match = 'yes' | 'no' | 'maybe';

function protocolAndPortMatch(perm: RawIpPermission, protocol: 'tcp' | 'udp', port: number): Match {
  const p = perm.IpProtocol.toLowerCase();
  if (p === '-1') return 'yes';
  const isTcp = p === 'tcp' || p === '6';
  const isUdp = p === 'udp' || p === '17';
  if (!isTcp && !isUdp) return 'no';
  if ((isTcp && protocol !== 'tcp') || (isUdp && protocol !== 'udp')) return 'no';
  if (perm.FromPort === undefined || perm.ToPort === undefined) return 'maybe';
  return perm.FromPort <= port && port <= perm.ToPort ? 'yes' : 'no';
}

interface Peer {
  readonly ip: string;
  readonly groups: readonly string[];
}

function peerMatch(aws: RawAws, perm: RawIpPermission, peer: Peer): Match {
  let result: Match = 'no';
  for (const range of perm.IpRanges ?? []) if (cidrContains(range.CidrIp, peer.ip)) return 'yes';
  for (const range of perm.Ipv6Ranges ?? []) if (cidrContains(range.CidrIpv6, peer.ip)) return 'yes';
  for (const pair of perm.UserIdGroupPairs ?? []) {
    if (pair.GroupId !== undefined && peer.groups.includes(pair.GroupId)) return 'yes';
  }
  for (const { PrefixListId } of perm.PrefixListIds ?? []) {
    const entries = aws.prefixListEntries[PrefixListId];
    if (!entries) result = 'maybe';
    else if (entries.Entries.some((e) => cidrContains(e.Cidr, peer.ip))) return 'yes';
  }
  return result;
}

function securityGroupStep(
  aws: RawAws,
  name: string,
  eni: RawNetworkInterface,
  direction: 'ingress' | 'egress',
  peer: Peer,
  flow: OracleFlow,
): OracleStep {
  let undecided: string | undefined;
  for (const { GroupId } of eni.Groups ?? []) {
    const group = aws.securityGroups.SecurityGroups.find((g) => g.GroupId === GroupId);
    if (!group) {
      undecided ??= `${GroupId} on ${eni.NetworkInterfaceId} is not in describe-security-groups`;
      continue;
    }
    const perms = (direction === 'ingress' ? group.IpPermissions : group.IpPermissionsEgress) ?? [];
    for (const [i, perm] of perms.entries()) {
      const proto = protocolAndPortMatch(perm, flow.protocol, flow.port);
      if (proto === 'no') continue;
      const who = peerMatch(aws, perm, peer);
      if (proto === 'yes' && who === 'yes') {
        return { name, verdict: 'allowed', why: `${GroupId} ${direction}[${i}] allows` };
      }
      if (who !== 'no') undecided ??= `${GroupId} ${direction}[${i}] may match (data missing)`;
    }
  }
  if (undecided) return { name, verdict: 'unknown', why: undecided };
  return {
    name,
    verdict: 'blocked',
    why: `no ${direction} rule of ${eni.NetworkInterfaceId} allows ${flow.protocol}/${flow.port}`,
  };
}

// ─── Network ACLs ──────────────────────────────────────────────────────────────────────────────

/** The action of the first matching entry for one packet; the `*` rule denies what nothing matched. */
function naclAction(
  acl: RawNetworkAcl,
  egress: boolean,
  protocol: 'tcp' | 'udp',
  port: number,
  peerIp: string,
): 'allow' | 'deny' | 'unknown' {
  const number = protocol === 'tcp' ? '6' : '17';
  const entries = (acl.Entries ?? [])
    .filter((e) => e.Egress === egress)
    .sort((a, b) => a.RuleNumber - b.RuleNumber);
  for (const entry of entries) {
    if (entry.Protocol !== '-1' && entry.Protocol !== number) continue;
    const cidr = parseIp(peerIp)?.family === 6 ? entry.Ipv6CidrBlock : entry.CidrBlock;
    if (cidr === undefined || !cidrContains(cidr, peerIp)) continue;
    if (entry.Protocol !== '-1') {
      const from = entry.PortRange?.From;
      const to = entry.PortRange?.To;
      if (from === undefined || to === undefined) return 'unknown';
      if (port < from || port > to) continue;
    }
    return entry.RuleAction;
  }
  return 'deny';
}

function naclStep(
  name: string,
  acl: RawNetworkAcl,
  egress: boolean,
  protocol: 'tcp' | 'udp',
  ports: { from: number; to: number },
  peerIp: string,
): OracleStep {
  // The action is constant between entry boundaries: one port per piece stands for the piece.
  const cuts = new Set([ports.from]);
  for (const e of acl.Entries ?? []) {
    for (const edge of [e.PortRange?.From, e.PortRange?.To === undefined ? undefined : e.PortRange.To + 1]) {
      if (edge !== undefined && edge > ports.from && edge <= ports.to) cuts.add(edge);
    }
  }
  let unknown = false;
  for (const port of [...cuts].sort((a, b) => a - b)) {
    const action = naclAction(acl, egress, protocol, port, peerIp);
    if (action === 'deny') {
      return {
        name,
        verdict: 'blocked',
        why: `${acl.NetworkAclId} ${egress ? 'outbound' : 'inbound'} denies ${protocol}/${port} with ${peerIp}`,
      };
    }
    if (action === 'unknown') unknown = true;
  }
  return unknown
    ? { name, verdict: 'unknown', why: `${acl.NetworkAclId}: a TCP/UDP entry without a port range` }
    : { name, verdict: 'allowed', why: `${acl.NetworkAclId} ${egress ? 'outbound' : 'inbound'} allows` };
}

// ─── The flow ──────────────────────────────────────────────────────────────────────────────────

function combine(steps: OracleStep[]): OracleResult {
  const verdict: Verdict = steps.some((s) => s.verdict === 'blocked')
    ? 'blocked'
    : steps.some((s) => s.verdict === 'unknown')
      ? 'unknown'
      : 'allowed';
  return { verdict, steps };
}

export function oracle(aws: RawAws, flow: OracleFlow): OracleResult {
  const sources = enisHolding(aws, flow.sourceIp);
  const destinations = enisHolding(aws, flow.destinationIp);
  if (sources.length !== 1 || destinations.length !== 1) {
    return combine([
      {
        name: 'resolve',
        verdict: 'unknown',
        why: `${flow.sourceIp} is on ${sources.length} ENIs, ${flow.destinationIp} on ${destinations.length}`,
      },
    ]);
  }
  return evaluate(aws, flow, sources[0]!, destinations[0]!);
}

function evaluate(
  aws: RawAws,
  flow: OracleFlow,
  src: RawNetworkInterface,
  dst: RawNetworkInterface,
): OracleResult {
  const onBranch = src.InterfaceType === 'branch' || dst.InterfaceType === 'branch';
  if (flow.sameNode && !(flow.enforcingMode === 'strict' && onBranch)) {
    return combine([{ name: 'same-node', verdict: 'allowed', why: 'same node: the VPC never sees it' }]);
  }
  const groupIds = (eni: RawNetworkInterface) => (eni.Groups ?? []).map((g) => g.GroupId);
  const steps: OracleStep[] = [
    securityGroupStep(
      aws,
      'sg-egress',
      src,
      'egress',
      { ip: flow.destinationIp, groups: groupIds(dst) },
      flow,
    ),
    securityGroupStep(aws, 'sg-ingress', dst, 'ingress', { ip: flow.sourceIp, groups: groupIds(src) }, flow),
  ];
  if (!src.SubnetId || !dst.SubnetId) {
    steps.push({ name: 'subnets', verdict: 'unknown', why: 'an ENI has no SubnetId' });
    return combine(steps);
  }
  if (src.SubnetId === dst.SubnetId) return combine(steps);
  const srcAcl = naclOfSubnet(aws, src.SubnetId);
  const dstAcl = naclOfSubnet(aws, dst.SubnetId);
  if (!srcAcl || !dstAcl) {
    steps.push({ name: 'nacl', verdict: 'unknown', why: 'no network ACL found for a subnet' });
    return combine(steps);
  }
  const port = { from: flow.port, to: flow.port };
  const ephemeral = { from: EPHEMERAL_FROM, to: EPHEMERAL_TO };
  steps.push(
    naclStep('nacl-source-outbound', srcAcl, true, flow.protocol, port, flow.destinationIp),
    naclStep('nacl-destination-inbound', dstAcl, false, flow.protocol, port, flow.sourceIp),
    naclStep('nacl-destination-outbound-return', dstAcl, true, flow.protocol, ephemeral, flow.sourceIp),
    naclStep('nacl-source-inbound-return', srcAcl, false, flow.protocol, ephemeral, flow.destinationIp),
  );
  return combine(steps);
}

export interface FutureSourceFlow extends Omit<OracleFlow, 'sourceIp'> {
  /** The primary ENI of the node the pod will run on. */
  readonly sourceEniId: string;
  /** Which of the subnet's blocks the pod draws from; by default the destination's family. */
  readonly sourceFamily?: 4 | 6;
}

/** A flow from a pod still to be scheduled on a node (see the header: "future pod"). */
export function oracleFutureSource(aws: RawAws, flow: FutureSourceFlow): OracleResult {
  const src = aws.networkInterfaces.NetworkInterfaces.find((e) => e.NetworkInterfaceId === flow.sourceEniId);
  const destinations = enisHolding(aws, flow.destinationIp);
  const family = parseIp(flow.destinationIp)?.family;
  const subnet = aws.subnets.Subnets.find((s) => s.SubnetId === src?.SubnetId);
  const subnetCidrs = [
    subnet?.CidrBlock,
    ...(subnet?.Ipv6CidrBlockAssociationSet ?? []).map((a) => a.Ipv6CidrBlock),
  ].flatMap((c) => (c ? [cidrRange(c)] : []));
  const range = subnetCidrs.find((r) => r?.family === (flow.sourceFamily ?? family));
  if (!src || destinations.length !== 1 || !range || !family) {
    return combine([
      { name: 'resolve', verdict: 'unknown', why: 'the future pod or its peer cannot be placed' },
    ]);
  }
  const cuts = new Set<bigint>([range.first]);
  const cidrs = [
    ...aws.securityGroups.SecurityGroups.flatMap((g) =>
      [...(g.IpPermissions ?? []), ...(g.IpPermissionsEgress ?? [])].flatMap((p) => [
        ...(p.IpRanges ?? []).map((r) => r.CidrIp),
        ...(p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6),
      ]),
    ),
    ...Object.values(aws.prefixListEntries).flatMap((l) => l.Entries.map((e) => e.Cidr)),
    ...aws.networkAcls.NetworkAcls.flatMap((a) =>
      (a.Entries ?? []).flatMap((e) => [e.CidrBlock, e.Ipv6CidrBlock].filter((c) => c !== undefined)),
    ),
  ];
  for (const cidr of cidrs) {
    const r = cidrRange(cidr);
    if (!r || r.family !== range.family) continue;
    for (const edge of [r.first, r.last + 1n]) if (edge > range.first && edge <= range.last) cuts.add(edge);
  }
  const byVerdict = new Map<Verdict, string>();
  for (const address of [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const ip = formatIp(range.family, address);
    const result = evaluate(aws, { ...flow, sourceIp: ip }, src, destinations[0]!);
    if (!byVerdict.has(result.verdict)) byVerdict.set(result.verdict, ip);
  }
  if (byVerdict.size === 1) {
    const [verdict, ip] = [...byVerdict][0]!;
    const example = evaluate(aws, { ...flow, sourceIp: ip }, src, destinations[0]!);
    return { verdict, steps: example.steps, pieces: cuts.size };
  }
  const mixed = combine([
    {
      name: 'future-address',
      verdict: 'unknown',
      why: `depends on the address: ${[...byVerdict].map(([v, ip]) => `${v} from ${ip}`).join(', ')}`,
    },
  ]);
  return { ...mixed, pieces: cuts.size };
}

// ─── EFA: SRD between two EFA interfaces ───────────────────────────────────────────────────────
//
// From the EC2 User Guide, "Get started with EFA", Step 1 (Prepare an EFA-enabled security
// group): add an inbound rule "Type: All traffic, Source type: Custom, Source: the ID of the
// security group itself", and an outbound rule "Type: All traffic, Destination: the ID of the
// security group itself"; "The security group must allow all inbound and outbound traffic to and
// from the security group itself". EFA's OS-bypass (SRD) traffic is not IP: a CIDR rule, a prefix
// list, a TCP/UDP rule or a reference to some other group is not that arrangement. So here: from
// interface A to interface B, A's outbound side needs an all-traffic (`-1`) outbound rule of a
// group G that A and B both carry, whose peer is G; B's inbound side needs the same kind of inbound
// rule; SRD acknowledges every packet, so the same is asked in the other direction (B out, A in).
// A group both carry that is missing from the data could hold the rule: unknown, unless another
// group settles it.

function srdCheck(
  aws: RawAws,
  name: string,
  self: RawNetworkInterface,
  other: RawNetworkInterface,
  direction: 'ingress' | 'egress',
): OracleStep {
  const otherGroups = new Set((other.Groups ?? []).map((g) => g.GroupId));
  let missing: string | undefined;
  for (const { GroupId } of self.Groups ?? []) {
    if (!otherGroups.has(GroupId)) continue;
    const group = aws.securityGroups.SecurityGroups.find((g) => g.GroupId === GroupId);
    if (!group) {
      missing ??= `${GroupId}, on both interfaces, is not in describe-security-groups`;
      continue;
    }
    const perms = (direction === 'ingress' ? group.IpPermissions : group.IpPermissionsEgress) ?? [];
    const selfAllTraffic = perms.findIndex(
      (perm) =>
        perm.IpProtocol === '-1' && (perm.UserIdGroupPairs ?? []).some((pair) => pair.GroupId === GroupId),
    );
    if (selfAllTraffic >= 0)
      return {
        name,
        verdict: 'allowed',
        why: `${GroupId} ${direction}[${selfAllTraffic}]: all traffic, itself`,
      };
  }
  if (missing) return { name, verdict: 'unknown', why: missing };
  return {
    name,
    verdict: 'blocked',
    why: `no shared group of ${self.NetworkInterfaceId} has an all-traffic ${direction} rule naming itself`,
  };
}

/** SRD from one EFA interface to another, by their ids. */
export function oracleSrd(aws: RawAws, sourceEniId: string, destinationEniId: string): OracleResult {
  const find = (id: string) =>
    aws.networkInterfaces.NetworkInterfaces.find((e) => e.NetworkInterfaceId === id);
  const source = find(sourceEniId);
  const destination = find(destinationEniId);
  if (!source || !destination)
    return combine([{ name: 'resolve', verdict: 'unknown', why: 'an interface is not in the data' }]);
  return combine([
    srdCheck(aws, 'source outbound', source, destination, 'egress'),
    srdCheck(aws, 'destination inbound', destination, source, 'ingress'),
    srdCheck(aws, 'destination outbound (reply)', destination, source, 'egress'),
    srdCheck(aws, 'source inbound (reply)', source, destination, 'ingress'),
  ]);
}
