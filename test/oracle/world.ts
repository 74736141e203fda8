/**
 * Small random clusters for the differential test, as the raw documents the CLI reads: the AWS
 * `describe-*` JSON (what the oracle reads too) and the kubectl JSON of nodes, pods and the VPC CNI
 * DaemonSet (what only our product needs, to find each pod's ENI). Nothing here imports src/.
 *
 * Layout (fixed, so CIDRs of rules can be drawn from a static pool that hits real addresses):
 * subnet s is 10.0.(16s).0/20; node j lives in its subnet at 10.0.(16s+j).10, with secondary IPs
 * .11–.19, a delegated prefix .32/28, a second ENI (device index 1) at .69 carrying .70–.79, and
 * branch ENIs at .100–.109. Pod k takes its address from the slot of its kind.
 */
import fc from 'fast-check';
import type {
  RawAws,
  RawIpPermission,
  RawNaclEntry,
  RawNetworkAcl,
  RawNetworkInterface,
  RawSecurityGroup,
} from './oracle.ts';

export const ACCOUNT = '123456789012';
export const VPC = 'vpc-0abc';
/** Captured with entries (file `aws/pl-0aaa.json`) and never captured, respectively. */
export const KNOWN_PREFIX_LIST = 'pl-0aaa';
export const UNKNOWN_PREFIX_LIST = 'pl-0bbb';
/** A group ENIs may carry that describe-security-groups does not list. */
export const GONE_GROUP = 'sg-0gone';

export type PodKind = 'host' | 'secondary' | 'prefix' | 'branch' | 'eni1';
export type Role = 'nats' | 'frontend' | 'worker';

type Ref = number; // index of a group, modulo the group count; GONE_REF is the missing group
const GONE_REF = 99;

interface PeerSpec {
  cidrs: CidrPair[];
  otherFamily: boolean;
  prefixLists: string[];
  refs: Ref[];
}
interface PermSpec {
  protocol: string;
  ports?: [number, number];
  peers: PeerSpec;
}
interface GroupSpec {
  ingress: PermSpec[];
  egress: PermSpec[] | 'all';
}
interface NaclSpec {
  entries: {
    egress: boolean;
    protocol: string;
    ports: [number, number];
    /** For protocol -1: a port range AWS ignores (the API accepts one). */
    strayPorts: boolean;
    cidr: CidrPair;
    action: 'allow' | 'deny';
  }[];
  allowAllIn?: number;
  allowAllOut?: number;
  catchAll: boolean;
  numbers: number[];
}
interface NodeSpec {
  subnet: number;
  groups: Ref[];
  eni1Groups: Ref[] | 'same';
}
interface PodSpec {
  node: number;
  kind: PodKind;
  role: Role;
  branchGroups: Ref[];
}
export interface WorldSpec {
  family: Family;
  /** How the security groups reach our product (see World.sgFormat). */
  sgFormat: 'groups' | 'rules';
  subnetCount: number;
  groupCount: number;
  groups: GroupSpec[];
  naclCount: number;
  nacls: NaclSpec[];
  subnetAcl: number[];
  implicitDefault: boolean[];
  nodes: NodeSpec[];
  pods: PodSpec[];
  strict: boolean;
  rpcPort: number;
  responsePort: number;
  flowPicks: { protocol: 'tcp' | 'udp'; port: number }[];
}

export interface WorldPod {
  readonly namespace: string;
  readonly name: string;
  readonly ip: string;
  readonly node: string;
  readonly kind: PodKind;
  readonly role: Role;
}

export interface Flow {
  readonly source: WorldPod;
  readonly destination: WorldPod;
  readonly protocol: 'tcp' | 'udp';
  readonly port: number;
}

export interface World {
  readonly spec: WorldSpec;
  /** The AWS state, as the describe-* commands print it. */
  readonly aws: RawAws;
  /**
   * 'groups': our product reads describe-security-groups, like the oracle. 'rules': it reads only
   * describe-security-group-rules, which cannot show a group that has no rules at all.
   */
  readonly sgFormat: 'groups' | 'rules';
  /**
   * What the oracle reads: `aws`, less (in 'rules' form) the groups without any rule, since the
   * data our product was given does not say they exist. Both then judge the same information.
   */
  readonly oracleAws: RawAws;
  /** kubectl JSON (Lists) and the describe-cluster / describe-instances documents. */
  readonly other: Record<string, unknown>;
  readonly pods: WorldPod[];
  readonly enforcingMode: 'strict' | 'standard';
  readonly rpcPort: number;
  readonly responsePort: number;
  /** Every ordered pair of pods, each with a protocol and port. */
  readonly flows: Flow[];
  /** The nodes, with the primary ENI that a pod scheduled there later gets its groups from. */
  readonly nodes: { name: string; gpu: boolean; primaryEniId: string }[];
}

// ─── Pools ─────────────────────────────────────────────────────────────────────────────────────

export type Family = 4 | 6;
const slot = (s: number, j: number) => 16 * s + j;
/** Node j of subnet s: the /80 (IPv6) holding its own, secondary, second-ENI and branch addresses. */
const v6node = (s: number, j: number) => `2600:db8:0:${s}:${j}0`;
/** Node j of subnet s: its delegated IPv6 prefix (a /80, as the VPC CNI delegates). */
const v6prefix = (s: number, j: number) => `2600:db8:0:${s}:${j}1`;
/** IPv4 offsets (in the delegated /28) and IPv6 tails (in the delegated /80) of prefix pods: the edges first. */
const PREFIX_V4 = [32, 47, 40, 33, 46];
const PREFIX_V6 = ['0:0:0', 'ffff:ffff:ffff', '8000:0:0', '0:0:1', 'ffff:ffff:fffe'];

/** A CIDR as a pair: what it is in an IPv4 world and in an IPv6 one. */
type CidrPair = readonly [string, string];
const specificCidrs: CidrPair[] = [];
for (let s = 0; s < 3; s++) {
  specificCidrs.push(
    [`10.0.${16 * s}.0/20`, `2600:db8:0:${s}::/64`],
    // Halves of the subnet: together they cover it, each only partly.
    [`10.0.${16 * s}.0/21`, `2600:db8:0:${s}::/65`],
    [`10.0.${16 * s + 8}.0/21`, `2600:db8:0:${s}:8000::/65`],
  );
  for (let j = 0; j < 3; j++) {
    const x = slot(s, j);
    specificCidrs.push(
      [`10.0.${x}.0/24`, `${v6node(s, j)}::/80`],
      [`10.0.${x}.10/32`, `${v6node(s, j)}::10/128`],
      [`10.0.${x}.11/32`, `${v6node(s, j)}::11/128`],
      [`10.0.${x}.12/31`, `${v6node(s, j)}::12/127`],
      [`10.0.${x}.32/28`, `${v6prefix(s, j)}::/80`],
      [`10.0.${x}.32/29`, `${v6prefix(s, j)}::/81`],
      [`10.0.${x}.40/29`, `${v6prefix(s, j)}:8000::/81`],
      [`10.0.${x}.47/32`, `${v6prefix(s, j)}:ffff:ffff:ffff/128`],
      [`10.0.${x}.48/28`, `${v6node(s, j)}::/124`],
      [`10.0.${x}.64/27`, `${v6node(s, j)}::40/122`],
      [`10.0.${x}.100/30`, `${v6node(s, j)}::100/126`],
    );
  }
}
const broadCidrs: CidrPair[] = [
  ['0.0.0.0/0', '::/0'],
  ['10.0.0.0/16', '2600:db8::/48'],
  ['10.0.0.0/19', '2600:db8:0::/63'],
  ['10.0.16.0/20', '2600:db8:0:1::/64'],
  ['10.0.0.0/8', '2600::/12'],
  ['192.168.0.0/16', 'fd00::/8'],
];
/** The other family's "everything": a rule or entry that must never match this world's pods. */
const OTHER_FAMILY: CidrPair = ['::/0', '0.0.0.0/0'];
const cidrArb: fc.Arbitrary<CidrPair> = fc.oneof(
  { arbitrary: fc.constantFrom(...broadCidrs), weight: 3 },
  { arbitrary: fc.constantFrom(...specificCidrs), weight: 2 },
);

const FLOW_PORTS = [53, 1023, 1024, 4221, 4222, 4223, 8080, 9345, 32768, 60999, 65535];
const SG_RANGES: [number, number][] = [
  [0, 65535],
  [4222, 4222],
  [4221, 4223],
  [4223, 4223],
  [53, 53],
  [1024, 65535],
  [8080, 8080],
  [1, 1023],
  [32768, 60999],
  [9000, 9400],
  [4222, 9345],
];
const NACL_RANGES: [number, number][] = [
  [0, 65535],
  [1024, 65535],
  [32768, 60999],
  [32768, 65535],
  [4222, 4222],
  [53, 53],
  [1, 1023],
  [32768, 45000],
  [45001, 60999],
  [40000, 65535],
  [8080, 9345],
  [61000, 65535],
  [40000, 40000],
];

const refArb: fc.Arbitrary<Ref> = fc.oneof(
  { arbitrary: fc.nat(3), weight: 12 },
  { arbitrary: fc.constant(GONE_REF), weight: 1 },
);

const peersArb: fc.Arbitrary<PeerSpec> = fc
  .record({
    cidrs: fc.array(cidrArb, { maxLength: 2 }),
    otherFamily: fc.oneof(
      { arbitrary: fc.constant(false), weight: 6 },
      { arbitrary: fc.constant(true), weight: 1 },
    ),
    prefixLists: fc.oneof(
      { arbitrary: fc.constant<string[]>([]), weight: 5 },
      { arbitrary: fc.subarray([KNOWN_PREFIX_LIST, UNKNOWN_PREFIX_LIST], { minLength: 1 }), weight: 1 },
    ),
    refs: fc.array(refArb, { maxLength: 2 }),
  })
  .map((p) =>
    p.cidrs.length + Number(p.otherFamily) + p.prefixLists.length + p.refs.length ? p : { ...p, refs: [0] },
  );

const permArb: fc.Arbitrary<PermSpec> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      protocol: fc.constantFrom('tcp', 'udp', '6', '17'),
      ports: fc.constantFrom(...SG_RANGES),
      peers: peersArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      protocol: fc.constant('-1'),
      ports: fc.option(fc.constantFrom<[number, number]>([-1, -1], [4222, 4222]), { nil: undefined }),
      peers: peersArb,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      protocol: fc.constantFrom('icmp', '1', '132', '47'),
      ports: fc.option(fc.constantFrom<[number, number]>([-1, -1], [8, 0], [4222, 4222]), { nil: undefined }),
      peers: peersArb,
    }),
  },
);

const groupArb: fc.Arbitrary<GroupSpec> = fc.record({
  ingress: fc.array(permArb, { maxLength: 4 }),
  egress: fc.oneof(
    { arbitrary: fc.constant<'all'>('all'), weight: 3 },
    { arbitrary: fc.array(permArb, { maxLength: 3 }), weight: 2 },
  ),
});

const naclEntryArb = fc.record({
  egress: fc.boolean(),
  protocol: fc.constantFrom('-1', '6', '6', '17', '1'),
  ports: fc.constantFrom(...NACL_RANGES),
  strayPorts: fc.oneof(
    { arbitrary: fc.constant(false), weight: 5 },
    { arbitrary: fc.constant(true), weight: 1 },
  ),
  cidr: fc.oneof({ arbitrary: cidrArb, weight: 8 }, { arbitrary: fc.constant(OTHER_FAMILY), weight: 1 }),
  action: fc.constantFrom<'allow' | 'deny'>('allow', 'deny'),
});

const naclArb: fc.Arbitrary<NaclSpec> = fc.record({
  entries: fc.array(naclEntryArb, { maxLength: 6 }),
  allowAllIn: fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined, freq: 3 }),
  allowAllOut: fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined, freq: 3 }),
  catchAll: fc.oneof(
    { arbitrary: fc.constant(true), weight: 9 },
    { arbitrary: fc.constant(false), weight: 1 },
  ),
  numbers: fc.uniqueArray(fc.integer({ min: 1, max: 400 }), { minLength: 6, maxLength: 6 }),
});

const nodeArb: fc.Arbitrary<NodeSpec> = fc.record({
  subnet: fc.nat(2),
  groups: fc.uniqueArray(refArb, { minLength: 1, maxLength: 2 }),
  eni1Groups: fc.oneof(
    { arbitrary: fc.constant<'same'>('same'), weight: 3 },
    { arbitrary: fc.uniqueArray(refArb, { minLength: 1, maxLength: 2 }), weight: 1 },
  ),
});

const podArb: fc.Arbitrary<PodSpec> = fc.record({
  node: fc.nat(2),
  kind: fc.constantFrom<PodKind>('host', 'secondary', 'secondary', 'prefix', 'branch', 'eni1'),
  role: fc.constantFrom<Role>('frontend', 'worker', 'worker', 'nats'),
  branchGroups: fc.uniqueArray(refArb, { minLength: 1, maxLength: 2 }),
});

export const worldSpecArb: fc.Arbitrary<WorldSpec> = fc.record({
  family: fc.constantFrom<Family>(4, 4, 6),
  sgFormat: fc.constantFrom<'groups' | 'rules'>('groups', 'groups', 'rules'),
  subnetCount: fc.integer({ min: 1, max: 3 }),
  groupCount: fc.integer({ min: 2, max: 4 }),
  groups: fc.array(groupArb, { minLength: 4, maxLength: 4 }),
  naclCount: fc.integer({ min: 1, max: 3 }),
  nacls: fc.array(naclArb, { minLength: 3, maxLength: 3 }),
  subnetAcl: fc.array(fc.nat(2), { minLength: 3, maxLength: 3 }),
  implicitDefault: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
  nodes: fc.array(nodeArb, { minLength: 2, maxLength: 3 }),
  pods: fc.array(podArb, { minLength: 2, maxLength: 5 }),
  strict: fc.boolean(),
  rpcPort: fc.constantFrom(9345, 4223, 8080),
  responsePort: fc.constantFrom(9346, 4222, 32768),
  flowPicks: fc.array(
    fc.record({
      protocol: fc.constantFrom<'tcp' | 'udp'>('tcp', 'tcp', 'udp'),
      port: fc.constantFrom(...FLOW_PORTS),
    }),
    { minLength: 20, maxLength: 20 },
  ),
});

// ─── Building the documents ────────────────────────────────────────────────────────────────────

export function buildWorld(spec: WorldSpec): World {
  const v6 = spec.family === 6;
  const pick = (pair: CidrPair) => (v6 ? pair[1] : pair[0]);
  const cidrFields = (cidr: string) => (cidr.includes(':') ? { Ipv6CidrBlock: cidr } : { CidrBlock: cidr });
  const groupId = (ref: Ref) => (ref === GONE_REF ? GONE_GROUP : `sg-${ref % spec.groupCount}`);
  const groupList = (refs: Ref[]) => [...new Set(refs.map(groupId))].map((GroupId) => ({ GroupId }));
  const perm = (p: PermSpec): RawIpPermission => {
    const cidrs = [...p.peers.cidrs.map(pick), ...(p.peers.otherFamily ? [pick(OTHER_FAMILY)] : [])];
    const v4s = cidrs.filter((c) => !c.includes(':'));
    const v6s = cidrs.filter((c) => c.includes(':'));
    return {
      IpProtocol: p.protocol,
      ...(p.ports ? { FromPort: p.ports[0], ToPort: p.ports[1] } : {}),
      ...(v4s.length ? { IpRanges: v4s.map((CidrIp) => ({ CidrIp })) } : {}),
      ...(v6s.length ? { Ipv6Ranges: v6s.map((CidrIpv6) => ({ CidrIpv6 })) } : {}),
      ...(p.peers.prefixLists.length
        ? { PrefixListIds: p.peers.prefixLists.map((PrefixListId) => ({ PrefixListId })) }
        : {}),
      ...(p.peers.refs.length
        ? {
            UserIdGroupPairs: [...new Set(p.peers.refs.map(groupId))].map((GroupId) => ({
              GroupId,
              UserId: ACCOUNT,
            })),
          }
        : {}),
    };
  };
  const everywhere = v6
    ? { IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }
    : { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] };
  const securityGroups: RawSecurityGroup[] = spec.groups.slice(0, spec.groupCount).map((g, i) => ({
    GroupId: `sg-${i}`,
    GroupName: `group-${i}`,
    Description: `group ${i}`,
    OwnerId: ACCOUNT,
    VpcId: VPC,
    IpPermissions: g.ingress.map(perm),
    IpPermissionsEgress: g.egress === 'all' ? [everywhere] : g.egress.map(perm),
  }));

  const subnetId = (s: number) => `subnet-${s}`;
  const subnets = Array.from({ length: spec.subnetCount }, (_, s) => ({
    SubnetId: subnetId(s),
    VpcId: VPC,
    CidrBlock: `10.0.${16 * s}.0/20`,
    ...(v6 ? { Ipv6CidrBlockAssociationSet: [{ Ipv6CidrBlock: `2600:db8:0:${s}::/64` }] } : {}),
    AvailabilityZone: 'us-west-2a',
    OwnerId: ACCOUNT,
  }));

  const networkAcls: RawNetworkAcl[] = spec.nacls.slice(0, spec.naclCount).map((n, a) => {
    const entries: RawNaclEntry[] = n.entries.map((e, i) => ({
      RuleNumber: n.numbers[i]!,
      Protocol: e.protocol,
      RuleAction: e.action,
      Egress: e.egress,
      ...cidrFields(pick(e.cidr)),
      ...(e.protocol === '6' || e.protocol === '17' || (e.protocol === '-1' && e.strayPorts)
        ? { PortRange: { From: e.ports[0], To: e.ports[1] } }
        : {}),
      ...(e.protocol === '1' ? { IcmpTypeCode: { Code: -1, Type: -1 } } : {}),
    }));
    const used = new Set(entries.map((e) => `${e.Egress}:${e.RuleNumber}`));
    const add = (egress: boolean, n0: number | undefined) => {
      if (n0 === undefined || used.has(`${egress}:${n0}`)) return;
      used.add(`${egress}:${n0}`);
      // Inserted at a position that depends on the number, so the array is never sorted by it.
      entries.splice(n0 % (entries.length + 1), 0, {
        RuleNumber: n0,
        Protocol: '-1',
        RuleAction: 'allow',
        Egress: egress,
        ...cidrFields(v6 ? '::/0' : '0.0.0.0/0'),
      });
    };
    add(false, n.allowAllIn);
    add(true, n.allowAllOut);
    if (n.catchAll) {
      // As describe-network-acls prints the `*` rules: 32767 for IPv4, 32768 for IPv6.
      for (const egress of [false, true]) {
        entries[egress ? 'push' : 'unshift'](
          { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: egress, CidrBlock: '0.0.0.0/0' },
          ...(v6
            ? [
                {
                  RuleNumber: 32768,
                  Protocol: '-1',
                  RuleAction: 'deny' as const,
                  Egress: egress,
                  Ipv6CidrBlock: '::/0',
                },
              ]
            : []),
        );
      }
    }
    const associated = subnets
      .map((_, s) => s)
      .filter((s) => spec.subnetAcl[s]! % spec.naclCount === a && !(a === 0 && spec.implicitDefault[s]));
    return {
      NetworkAclId: `acl-${a}`,
      VpcId: VPC,
      IsDefault: a === 0,
      OwnerId: ACCOUNT,
      Entries: entries,
      Associations: associated.map((s) => ({
        NetworkAclAssociationId: `aclassoc-${a}-${s}`,
        NetworkAclId: `acl-${a}`,
        SubnetId: subnetId(s),
      })),
    };
  });

  const nodes = spec.nodes.map((n, j) => {
    const subnet = n.subnet % spec.subnetCount;
    const x = slot(subnet, j);
    const v4 = (last: number) => `10.0.${x}.${last}`;
    const v6addr = (last: number) => `${v6node(subnet, j)}::${last}`;
    return {
      name: `node-${j}`,
      subnet,
      /** An address of the node's own slot: IPv4 last octet, or the IPv6 interface id. */
      v4,
      v6addr,
      ip: v4(10),
      podIp: (last: number) => (v6 ? v6addr(last) : v4(last)),
      prefix: v6 ? `${v6prefix(subnet, j)}::/80` : v4(32) + '/28',
      prefixPodIp: (k: number) => (v6 ? `${v6prefix(subnet, j)}:${PREFIX_V6[k]!}` : v4(PREFIX_V4[k]!)),
      instanceId: `i-${String(j + 1).padStart(17, '0')}`,
      gpu: j > 0,
      spec: n,
    };
  });

  const pods: WorldPod[] = [];
  const secondaries = new Map<number, string[]>();
  const eni1Ips = new Map<number, string[]>();
  const branchEnis: RawNetworkInterface[] = [];
  const podDocs: unknown[] = [];
  const envPorts = [
    { name: 'DYN_TCP_RPC_PORT', value: String(spec.rpcPort) },
    { name: 'DYN_TCP_RESPONSE_STREAM_PORT', value: String(spec.responsePort) },
  ];
  spec.pods.forEach((p, k) => {
    const j = p.node % nodes.length;
    const node = nodes[j]!;
    const ip =
      p.kind === 'host'
        ? node.podIp(10)
        : p.kind === 'secondary'
          ? node.podIp(11 + k)
          : p.kind === 'prefix'
            ? node.prefixPodIp(k)
            : p.kind === 'eni1'
              ? node.podIp(70 + k)
              : node.podIp(100 + k);
    // The first pod always serves NATS, so that every world has the analyzer's required flows.
    const role: Role = k === 0 ? 'nats' : p.role;
    const name = `${role}-${k}`;
    const namespace = role === 'nats' ? 'dynamo-system' : 'dynamo-workload';
    pods.push({ namespace, name, ip, node: node.name, kind: p.kind, role });
    if (p.kind === 'secondary') secondaries.set(j, [...(secondaries.get(j) ?? []), ip]);
    if (p.kind === 'eni1') eni1Ips.set(j, [...(eni1Ips.get(j) ?? []), ip]);
    if (p.kind === 'branch') {
      const v4 = node.v4(100 + k);
      branchEnis.push({
        NetworkInterfaceId: `eni-branch-${k}`,
        InterfaceType: 'branch',
        SubnetId: subnetId(node.subnet),
        VpcId: VPC,
        OwnerId: ACCOUNT,
        Status: 'in-use',
        Groups: groupList(p.branchGroups),
        PrivateIpAddress: v4,
        PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: v4 }],
        ...(v6 ? { Ipv6Addresses: [{ Ipv6Address: ip }] } : {}),
        TagSet: [{ Key: 'vpcresources.k8s.aws/trunk-eni-id', Value: `eni-${node.name}-0` }],
      });
    }
    podDocs.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace,
        labels:
          role === 'nats'
            ? { 'app.kubernetes.io/name': 'nats', 'app.kubernetes.io/instance': 'dynamo-platform' }
            : {
                'nvidia.com/dynamo-component-type': role,
                'nvidia.com/dynamo-graph-deployment-name': 'vllm-agg',
              },
        ...(p.kind === 'branch'
          ? {
              annotations: {
                'vpc.amazonaws.com/pod-eni': JSON.stringify([
                  { eniId: `eni-branch-${k}`, privateIp: node.v4(100 + k), ...(v6 ? { ipv6Addr: ip } : {}) },
                ]),
              },
            }
          : {}),
      },
      spec: {
        nodeName: node.name,
        ...(p.kind === 'host' ? { hostNetwork: true } : {}),
        containers: [
          role === 'nats'
            ? { name: 'nats', image: 'nats:2.10.24-alpine', ports: [{ name: 'client', containerPort: 4222 }] }
            : { name: 'main', image: 'nvcr.io/nvidia/ai-dynamo/vllm-runtime:1.2.0', env: envPorts },
        ],
      },
      status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], hostIP: node.podIp(10) },
    });
  });

  const enis: RawNetworkInterface[] = [];
  nodes.forEach((node, j) => {
    const groups = groupList(node.spec.groups);
    const extra = secondaries.get(j) ?? [];
    enis.push({
      NetworkInterfaceId: `eni-${node.name}-0`,
      InterfaceType: 'interface',
      SubnetId: subnetId(node.subnet),
      VpcId: VPC,
      OwnerId: ACCOUNT,
      Status: 'in-use',
      Groups: groups,
      PrivateIpAddress: node.ip,
      PrivateIpAddresses: [
        { Primary: true, PrivateIpAddress: node.ip },
        ...(v6 ? [] : extra).map((ip) => ({ Primary: false, PrivateIpAddress: ip })),
        { Primary: false, PrivateIpAddress: node.v4(19) },
      ],
      ...(v6
        ? {
            Ipv6Addresses: [node.v6addr(10), ...extra].map((Ipv6Address) => ({ Ipv6Address })),
            Ipv6Prefixes: [{ Ipv6Prefix: node.prefix }],
          }
        : { Ipv4Prefixes: [{ Ipv4Prefix: node.prefix }] }),
      Attachment: { InstanceId: node.instanceId, DeviceIndex: 0 },
    });
    const second = eni1Ips.get(j);
    if (second) {
      enis.push({
        NetworkInterfaceId: `eni-${node.name}-1`,
        InterfaceType: 'interface',
        SubnetId: subnetId(node.subnet),
        VpcId: VPC,
        OwnerId: ACCOUNT,
        Status: 'in-use',
        Groups: node.spec.eni1Groups === 'same' ? groups : groupList(node.spec.eni1Groups),
        PrivateIpAddress: node.v4(69),
        PrivateIpAddresses: [
          { Primary: true, PrivateIpAddress: node.v4(69) },
          ...(v6 ? [] : second).map((ip) => ({ Primary: false, PrivateIpAddress: ip })),
        ],
        ...(v6
          ? { Ipv6Addresses: [node.v6addr(69), ...second].map((Ipv6Address) => ({ Ipv6Address })) }
          : {}),
        Attachment: { InstanceId: node.instanceId, DeviceIndex: 1 },
        TagSet: [{ Key: 'node.k8s.amazonaws.com/instance_id', Value: node.instanceId }],
      });
    }
  });
  enis.push(...branchEnis);

  const aws: RawAws = {
    securityGroups: { SecurityGroups: securityGroups },
    networkInterfaces: { NetworkInterfaces: enis },
    networkAcls: { NetworkAcls: networkAcls },
    subnets: { Subnets: subnets },
    prefixListEntries: {
      [KNOWN_PREFIX_LIST]: {
        Entries: v6
          ? [{ Cidr: 'fd00::/8' }, { Cidr: '2600:db8:0:1::/64' }, { Cidr: `${v6node(0, 1)}::/80` }]
          : [{ Cidr: '192.168.0.0/16' }, { Cidr: '10.0.16.0/20' }, { Cidr: '10.0.1.0/24' }],
      },
    },
  };

  const nodeDocs = nodes.map((node) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: node.name,
      labels: {
        'eks.amazonaws.com/nodegroup': node.gpu ? 'gpu' : 'system',
        'kubernetes.io/hostname': node.name,
        ...(node.gpu ? { 'nvidia.com/gpu.present': 'true' } : {}),
      },
    },
    spec: { providerID: `aws:///us-west-2a/${node.instanceId}` },
    status: {
      addresses: [{ type: 'InternalIP', address: node.podIp(10) }],
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  }));
  const enforcingMode = spec.strict ? 'strict' : 'standard';
  const other: Record<string, unknown> = {
    'aws/instances.json': {
      Reservations: [
        {
          ReservationId: 'r-1',
          OwnerId: ACCOUNT,
          Instances: nodes.map((node) => ({
            InstanceId: node.instanceId,
            InstanceType: node.gpu ? 'p5.48xlarge' : 'm6i.2xlarge',
            PrivateIpAddress: node.ip,
            SubnetId: subnetId(node.subnet),
            VpcId: VPC,
            SecurityGroups: groupList(node.spec.groups),
            Tags: [{ Key: 'eks:nodegroup-name', Value: node.gpu ? 'gpu' : 'system' }],
          })),
        },
      ],
    },
    'aws/describe-cluster.json': {
      cluster: {
        name: 'oracle',
        arn: `arn:aws:eks:us-west-2:${ACCOUNT}:cluster/oracle`,
        resourcesVpcConfig: { vpcId: VPC },
      },
    },
    'aws/prefix-lists.json': {
      PrefixLists: [
        { PrefixListId: KNOWN_PREFIX_LIST, PrefixListName: 'known', OwnerId: ACCOUNT },
        { PrefixListId: UNKNOWN_PREFIX_LIST, PrefixListName: 'unknown', OwnerId: ACCOUNT },
      ],
    },
    'k8s/nodes.json': { apiVersion: 'v1', kind: 'List', items: nodeDocs },
    'k8s/pods.json': { apiVersion: 'v1', kind: 'List', items: podDocs },
    'k8s/services.json': {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'dynamo-platform-nats', namespace: 'dynamo-system' },
          spec: { selector: { 'app.kubernetes.io/name': 'nats' }, ports: [{ port: 4222, protocol: 'TCP' }] },
        },
      ],
    },
    'k8s/aws-node.json': {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'aws-node', namespace: 'kube-system' },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'aws-node',
                image: 'amazon-k8s-cni:v1.19.0',
                env: [
                  { name: 'ENABLE_POD_ENI', value: 'true' },
                  { name: 'POD_SECURITY_GROUP_ENFORCING_MODE', value: enforcingMode },
                  ...(v6 ? [{ name: 'ENABLE_IPv6', value: 'true' }] : []),
                ],
              },
            ],
          },
        },
      },
    },
  };

  const flows: Flow[] = [];
  let next = 0;
  for (const source of pods) {
    for (const destination of pods) {
      if (source === destination) continue;
      const { protocol, port } = spec.flowPicks[next++ % spec.flowPicks.length]!;
      flows.push({ source, destination, protocol, port });
    }
  }
  return {
    spec,
    aws,
    sgFormat: spec.sgFormat,
    oracleAws:
      spec.sgFormat === 'groups'
        ? aws
        : {
            ...aws,
            securityGroups: {
              SecurityGroups: securityGroups.filter(
                (g) => (g.IpPermissions ?? []).length + (g.IpPermissionsEgress ?? []).length > 0,
              ),
            },
          },
    other,
    pods,
    nodes: nodes.map((n) => ({ name: n.name, gpu: n.gpu, primaryEniId: `eni-${n.name}-0` })),
    enforcingMode,
    rpcPort: spec.rpcPort,
    responsePort: spec.responsePort,
    flows,
  };
}

export const worldArb: fc.Arbitrary<World> = worldSpecArb.map(buildWorld);

/**
 * The same rules as `aws ec2 describe-security-group-rules` prints them: one rule per peer, ports
 * -1 where the permission has none, the peer in CidrIpv4 / CidrIpv6 / PrefixListId /
 * ReferencedGroupInfo.
 */
export function securityGroupRules(groups: readonly RawSecurityGroup[]): { SecurityGroupRules: unknown[] } {
  const rules: unknown[] = [];
  for (const group of groups) {
    for (const [egress, perms] of [
      [false, group.IpPermissions ?? []],
      [true, group.IpPermissionsEgress ?? []],
    ] as const) {
      for (const perm of perms) {
        const peers = [
          ...(perm.IpRanges ?? []).map((r) => ({ CidrIpv4: r.CidrIp })),
          ...(perm.Ipv6Ranges ?? []).map((r) => ({ CidrIpv6: r.CidrIpv6 })),
          ...(perm.PrefixListIds ?? []).map((p) => ({ PrefixListId: p.PrefixListId })),
          ...(perm.UserIdGroupPairs ?? []).map((p) => ({
            ReferencedGroupInfo: { GroupId: p.GroupId, UserId: p.UserId },
          })),
        ];
        for (const peer of peers) {
          rules.push({
            SecurityGroupRuleId: `sgr-${String(rules.length).padStart(17, '0')}`,
            GroupId: group.GroupId,
            GroupOwnerId: group.OwnerId,
            IsEgress: egress,
            IpProtocol: perm.IpProtocol,
            FromPort: perm.FromPort ?? -1,
            ToPort: perm.ToPort ?? -1,
            ...peer,
          });
        }
      }
    }
  }
  return { SecurityGroupRules: rules };
}

/** The world as the files a snapshot directory holds. */
export function worldFiles(
  aws: RawAws,
  other: Record<string, unknown>,
  sgFormat: 'groups' | 'rules' = 'groups',
): { path: string; text: string }[] {
  const json = (path: string, value: unknown) => ({ path, text: JSON.stringify(value, null, 2) });
  return [
    ...(sgFormat === 'groups'
      ? [json('aws/security-groups.json', aws.securityGroups)]
      : [json('aws/security-group-rules.json', securityGroupRules(aws.securityGroups.SecurityGroups))]),
    json('aws/network-interfaces.json', aws.networkInterfaces),
    json('aws/network-acls.json', aws.networkAcls),
    json('aws/subnets.json', aws.subnets),
    ...Object.entries(aws.prefixListEntries).map(([id, doc]) => json(`aws/${id}.json`, doc)),
    ...Object.entries(other).map(([path, doc]) => json(path, doc)),
  ];
}

export interface RequiredFlow extends Flow {
  readonly requirement: 'nats' | 'request-plane' | 'response-stream';
}

/**
 * The flows Dynamo 1.2 needs here, from the catalog's facts (NATS event plane, TCP request plane
 * with DYN_TCP_RPC_PORT and DYN_TCP_RESPONSE_STREAM_PORT set on the pods): every frontend and
 * worker to every NATS pod on 4222, frontend → worker on the RPC port, worker → frontend on the
 * response-stream port.
 */
export function requiredFlows(world: World): RequiredFlow[] {
  const nats = world.pods.filter((p) => p.role === 'nats');
  const frontends = world.pods.filter((p) => p.role === 'frontend');
  const workers = world.pods.filter((p) => p.role === 'worker');
  const flows: RequiredFlow[] = [];
  const tcp = (
    requirement: RequiredFlow['requirement'],
    source: WorldPod,
    destination: WorldPod,
    port: number,
  ) => flows.push({ requirement, source, destination, protocol: 'tcp', port });
  for (const client of [...frontends, ...workers])
    for (const server of nats) tcp('nats', client, server, 4222);
  for (const f of frontends) {
    for (const w of workers) {
      tcp('request-plane', f, w, world.rpcPort);
      tcp('response-stream', w, f, world.responsePort);
    }
  }
  return flows;
}

/** A required flow from a pod not scheduled yet: the analyzer's "pods that could run on this node". */
export interface FutureFlow {
  readonly requirement: 'nats';
  readonly sourceNode: World['nodes'][number];
  readonly destination: WorldPod;
  readonly protocol: 'tcp';
  readonly port: number;
}

/**
 * Dynamo clients may also be scheduled later on any GPU node (the catalog: "before install, pods on
 * the GPU node groups"), and each of them must reach NATS: every GPU node × every NATS pod.
 */
export function requiredFutureFlows(world: World): FutureFlow[] {
  const nats = world.pods.filter((p) => p.role === 'nats');
  return world.nodes
    .filter((n) => n.gpu)
    .flatMap((sourceNode) =>
      nats.map((destination) => ({
        requirement: 'nats' as const,
        sourceNode,
        destination,
        protocol: 'tcp' as const,
        port: 4222,
      })),
    );
}
