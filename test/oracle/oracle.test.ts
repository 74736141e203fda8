/** The oracle checked on its own against the documented cases, before it is trusted to judge src/. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cidrContains,
  oracle,
  oracleFutureSource,
  oracleSrd,
  type OracleFlow,
  type RawAws,
  type RawIpPermission,
  type RawNaclEntry,
} from './oracle.ts';

describe('oracle CIDR matcher', () => {
  const cases: [string, string, boolean | undefined][] = [
    ['10.0.0.0/16', '10.0.255.1', true],
    ['10.0.0.0/16', '10.1.0.1', false],
    ['10.0.16.32/28', '10.0.16.47', true],
    ['10.0.16.32/28', '10.0.16.48', false],
    ['0.0.0.0/0', '192.168.1.1', true],
    ['10.0.16.11/32', '10.0.16.11', true],
    ['::/0', '10.0.0.1', false],
    ['0.0.0.0/0', '2600::1', false],
    ['2600:1f14:abc:2::/64', '2600:1f14:abc:2::11', true],
    ['2600:1f14:abc:2::/64', '2600:1f14:abc:3::11', false],
    ['::ffff:10.0.0.0/120', '::ffff:10.0.0.9', true],
    ['fe80::/10', 'febf:ffff::1', true],
    ['fe80::/10', 'fec0::1', false],
    ['10.0.0.0/33', '10.0.0.1', undefined],
    ['10.0.0/8', '10.0.0.1', undefined],
    ['1::2::3/64', '1::1', undefined],
  ];
  for (const [cidr, ip, expected] of cases) {
    it(`${ip} in ${cidr} → ${expected}`, () => assert.equal(cidrContains(cidr, ip), expected));
  }
});

/** Pod A 10.0.0.11 (sg-a, subnet-a) → pod B 10.0.16.11 (sg-b, subnet-b). */
function world(opts: {
  ingressB?: RawIpPermission[];
  egressA?: RawIpPermission[];
  acl?: RawNaclEntry[];
  sameSubnet?: boolean;
  prefixLists?: RawAws['prefixListEntries'];
  typeB?: string;
}): RawAws {
  const all: RawIpPermission = { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] };
  return {
    securityGroups: {
      SecurityGroups: [
        { GroupId: 'sg-a', IpPermissions: [], IpPermissionsEgress: opts.egressA ?? [all] },
        { GroupId: 'sg-b', IpPermissions: opts.ingressB ?? [all], IpPermissionsEgress: [all] },
      ],
    },
    networkInterfaces: {
      NetworkInterfaces: [
        {
          NetworkInterfaceId: 'eni-a',
          SubnetId: 'subnet-a',
          Groups: [{ GroupId: 'sg-a' }],
          PrivateIpAddresses: [{ PrivateIpAddress: '10.0.0.10', Primary: true }],
          Ipv4Prefixes: [{ Ipv4Prefix: '10.0.0.0/28' }],
        },
        {
          NetworkInterfaceId: 'eni-b',
          InterfaceType: opts.typeB ?? 'interface',
          SubnetId: opts.sameSubnet ? 'subnet-a' : 'subnet-b',
          Groups: [{ GroupId: 'sg-b' }],
          PrivateIpAddresses: [
            { PrivateIpAddress: '10.0.16.10', Primary: true },
            { PrivateIpAddress: '10.0.16.11', Primary: false },
          ],
        },
      ],
    },
    subnets: {
      Subnets: [
        { SubnetId: 'subnet-a', VpcId: 'vpc-1', CidrBlock: '10.0.0.0/20' },
        { SubnetId: 'subnet-b', VpcId: 'vpc-1', CidrBlock: '10.0.16.0/20' },
      ],
    },
    networkAcls: {
      NetworkAcls: [
        {
          NetworkAclId: 'acl-default',
          VpcId: 'vpc-1',
          IsDefault: true,
          Associations: [],
          Entries: opts.acl ?? [
            { RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: true, CidrBlock: '0.0.0.0/0' },
            { RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: false, CidrBlock: '0.0.0.0/0' },
          ],
        },
      ],
    },
    prefixListEntries: opts.prefixLists ?? {},
  };
}

const flow = (over: Partial<OracleFlow> = {}): OracleFlow => ({
  sourceIp: '10.0.0.11',
  destinationIp: '10.0.16.11',
  protocol: 'tcp',
  port: 4222,
  sameNode: false,
  enforcingMode: 'standard',
  ...over,
});
const tcpFrom = (from: number, to: number, peer: Partial<RawIpPermission>): RawIpPermission => ({
  IpProtocol: 'tcp',
  FromPort: from,
  ToPort: to,
  ...peer,
});
const acl = (
  n: number,
  egress: boolean,
  action: 'allow' | 'deny',
  ports?: [number, number],
): RawNaclEntry => ({
  RuleNumber: n,
  Protocol: ports ? '6' : '-1',
  RuleAction: action,
  Egress: egress,
  CidrBlock: '0.0.0.0/0',
  ...(ports ? { PortRange: { From: ports[0], To: ports[1] } } : {}),
});

describe('oracle rules', () => {
  it('SG reference matches an address in a delegated /28 prefix of the peer ENI', () => {
    const aws = world({ ingressB: [tcpFrom(4222, 4222, { UserIdGroupPairs: [{ GroupId: 'sg-a' }] })] });
    assert.equal(oracle(aws, flow()).verdict, 'allowed');
  });
  it('inclusive port range, and one past it', () => {
    const aws = world({ ingressB: [tcpFrom(4000, 4222, { IpRanges: [{ CidrIp: '10.0.0.0/28' }] })] });
    assert.equal(oracle(aws, flow()).verdict, 'allowed');
    assert.equal(oracle(aws, flow({ port: 4223 })).verdict, 'blocked');
    assert.equal(oracle(aws, flow({ protocol: 'udp' })).verdict, 'blocked');
  });
  it('-1 ignores ports; another protocol number never matches tcp', () => {
    const minus = world({
      ingressB: [{ IpProtocol: '-1', FromPort: 1, ToPort: 2, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    });
    assert.equal(oracle(minus, flow()).verdict, 'allowed');
    const sctp = world({ ingressB: [{ IpProtocol: '132', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] });
    assert.equal(oracle(sctp, flow()).verdict, 'blocked');
  });
  it('egress is needed too', () => {
    assert.equal(oracle(world({ egressA: [] }), flow()).verdict, 'blocked');
  });
  it('a prefix list without entries is unknown, unless another rule allows', () => {
    const pl = tcpFrom(4222, 4222, { PrefixListIds: [{ PrefixListId: 'pl-1' }] });
    assert.equal(oracle(world({ ingressB: [pl] }), flow()).verdict, 'unknown');
    const other = tcpFrom(0, 65535, { IpRanges: [{ CidrIp: '10.0.0.11/32' }] });
    assert.equal(oracle(world({ ingressB: [pl, other] }), flow()).verdict, 'allowed');
    const known = { 'pl-1': { Entries: [{ Cidr: '192.168.0.0/16' }] } };
    assert.equal(oracle(world({ ingressB: [pl], prefixLists: known }), flow()).verdict, 'blocked');
  });
  it('NACL: first match by ascending rule number, whatever the order in the array', () => {
    const entries = [
      acl(200, false, 'allow'),
      acl(100, false, 'deny', [4222, 4222]),
      acl(100, true, 'allow'),
    ];
    assert.equal(oracle(world({ acl: entries }), flow()).verdict, 'blocked');
    assert.equal(oracle(world({ acl: entries }), flow({ port: 4223 })).verdict, 'allowed');
    assert.equal(oracle(world({ acl: entries, sameSubnet: true }), flow()).verdict, 'allowed');
  });
  it('NACL return path needs all of 32768-60999', () => {
    const entries = (to: number) => [
      acl(100, false, 'allow'),
      acl(100, true, 'allow', [4222, 4222]),
      acl(110, true, 'allow', [32768, to]),
    ];
    assert.equal(oracle(world({ acl: entries(60999) }), flow()).verdict, 'allowed');
    assert.equal(oracle(world({ acl: entries(60998) }), flow()).verdict, 'blocked');
    const hole = [acl(100, false, 'allow'), acl(90, true, 'deny', [40000, 40000]), acl(100, true, 'allow')];
    assert.equal(oracle(world({ acl: hole }), flow()).verdict, 'blocked');
  });
  it('same node bypasses SGs, except a branch ENI in strict mode', () => {
    const closed = world({ ingressB: [] });
    assert.equal(oracle(closed, flow({ sameNode: true })).verdict, 'allowed');
    const branch = world({ ingressB: [], typeB: 'branch' });
    assert.equal(oracle(branch, flow({ sameNode: true })).verdict, 'allowed');
    assert.equal(oracle(branch, flow({ sameNode: true, enforcingMode: 'strict' })).verdict, 'blocked');
  });
  it('an address on no ENI is unknown', () => {
    assert.equal(oracle(world({}), flow({ destinationIp: '10.0.99.1' })).verdict, 'unknown');
  });
});

describe('oracle: a pod still to be scheduled (any address of its node’s subnet)', () => {
  const future = { ...flow(), sourceEniId: 'eni-a' };
  it('a rule covering the whole subnet decides', () => {
    const aws = world({ ingressB: [tcpFrom(4222, 4222, { IpRanges: [{ CidrIp: '10.0.0.0/16' }] })] });
    assert.equal(oracleFutureSource(aws, future).verdict, 'allowed');
  });
  it('a group reference does not depend on the address', () => {
    const aws = world({ ingressB: [tcpFrom(4222, 4222, { UserIdGroupPairs: [{ GroupId: 'sg-a' }] })] });
    assert.equal(oracleFutureSource(aws, future).verdict, 'allowed');
  });
  it('a rule covering part of the subnet leaves it unknown', () => {
    const aws = world({ ingressB: [tcpFrom(4222, 4222, { IpRanges: [{ CidrIp: '10.0.0.0/28' }] })] });
    const result = oracleFutureSource(aws, future);
    assert.equal(result.verdict, 'unknown');
    assert.match(result.steps[0]!.why, /allowed from 10\.0\.0\.0.*blocked from 10\.0\.0\.16/);
  });
  it('a rule outside the subnet blocks', () => {
    const aws = world({ ingressB: [tcpFrom(4222, 4222, { IpRanges: [{ CidrIp: '10.0.16.0/20' }] })] });
    assert.equal(oracleFutureSource(aws, future).verdict, 'blocked');
  });
});

describe('oracle: SRD between EFA interfaces (EC2 User Guide, "Get started with EFA", Step 1)', () => {
  const self = (g: string): RawIpPermission => ({ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: g }] });
  const anywhere: RawIpPermission = { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] };
  /** Two EFA interfaces: eni-a carries `a`, eni-b carries `b`; the groups are given. */
  const aws = (
    a: string[],
    b: string[],
    groups: { GroupId: string; IpPermissions?: RawIpPermission[]; IpPermissionsEgress?: RawIpPermission[] }[],
  ): RawAws => ({
    securityGroups: { SecurityGroups: groups },
    networkInterfaces: {
      NetworkInterfaces: [
        { NetworkInterfaceId: 'eni-a', InterfaceType: 'efa', Groups: a.map((GroupId) => ({ GroupId })) },
        { NetworkInterfaceId: 'eni-b', InterfaceType: 'efa', Groups: b.map((GroupId) => ({ GroupId })) },
      ],
    },
    networkAcls: { NetworkAcls: [] },
    subnets: { Subnets: [] },
    prefixListEntries: {},
  });
  const cases: [string, RawAws, string][] = [
    [
      'one shared group with all traffic from and to itself (the documented setup)',
      aws(
        ['sg-efa'],
        ['sg-efa'],
        [{ GroupId: 'sg-efa', IpPermissions: [self('sg-efa')], IpPermissionsEgress: [self('sg-efa')] }],
      ),
      'allowed',
    ],
    [
      'the same group without its outbound rule (egress 0.0.0.0/0 instead)',
      aws(
        ['sg-efa'],
        ['sg-efa'],
        [{ GroupId: 'sg-efa', IpPermissions: [self('sg-efa')], IpPermissionsEgress: [anywhere] }],
      ),
      'blocked',
    ],
    [
      'separate groups, each allowing all traffic from the other',
      aws(
        ['sg-a'],
        ['sg-b'],
        [
          {
            GroupId: 'sg-a',
            IpPermissions: [self('sg-b'), self('sg-a')],
            IpPermissionsEgress: [self('sg-a'), anywhere],
          },
          {
            GroupId: 'sg-b',
            IpPermissions: [self('sg-a'), self('sg-b')],
            IpPermissionsEgress: [self('sg-b'), anywhere],
          },
        ],
      ),
      'blocked',
    ],
    [
      'a shared group whose self rule is TCP only',
      aws(
        ['sg-efa'],
        ['sg-efa'],
        [
          {
            GroupId: 'sg-efa',
            IpPermissions: [
              { IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, UserIdGroupPairs: [{ GroupId: 'sg-efa' }] },
            ],
            IpPermissionsEgress: [self('sg-efa')],
          },
        ],
      ),
      'blocked',
    ],
    ['a shared group not in the data', aws(['sg-efa'], ['sg-efa'], []), 'unknown'],
  ];
  for (const [what, input, expected] of cases)
    it(`${what}: ${expected}`, () => assert.equal(oracleSrd(input, 'eni-a', 'eni-b').verdict, expected));
});
