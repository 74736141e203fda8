/** Security-group semantics, each case built so that the wrong rule gives the wrong answer. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ALLOW_ALL_EGRESS,
  allTraffic,
  naclAllowAll,
  proto,
  scenario,
  tcp,
  type Permission,
} from '../helpers/scenario.ts';

interface Case {
  name: string;
  systemIngress: Permission[];
  gpuEgress?: Permission[];
  prefixLists?: Record<string, string[]>;
  expected: 'allowed' | 'blocked' | 'unknown';
  reason?: RegExp;
}

/** GPU worker 10.0.32.11 (sg-gpu, subnet 10.0.32.0/20) → NATS 10.0.16.11 (sg-sys) on 4222. */
function natsStatus(c: Case): { status: string; reason: string } {
  const s = scenario()
    .subnet('subnet-sys', '10.0.16.0/20')
    .subnet('subnet-gpu', '10.0.32.0/20')
    .nacl('acl-default', ['subnet-sys', 'subnet-gpu'], naclAllowAll(), true)
    .sg('sg-sys', [allTraffic.fromGroup('sg-sys'), ...c.systemIngress])
    .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')], c.gpuEgress ?? [ALLOW_ALL_EGRESS])
    .node('sys-1', {
      group: 'system',
      subnet: 'subnet-sys',
      ip: '10.0.16.10',
      sgs: ['sg-sys'],
      podIps: ['10.0.16.11'],
    })
    .node('gpu-1', {
      group: 'gpu',
      subnet: 'subnet-gpu',
      ip: '10.0.32.10',
      sgs: ['sg-gpu'],
      gpu: true,
      podIps: ['10.0.32.11'],
    })
    .nats('nats-0', 'sys-1', '10.0.16.11')
    .dynamo('worker-0', 'worker', 'gpu-1', '10.0.32.11');
  for (const [id, cidrs] of Object.entries(c.prefixLists ?? {})) s.prefixList(id, cidrs);
  const result = s.analyze({ conformance: false });
  const flow = result.flows.find((f) => f.requirement === 'nats' && f.source.kind === 'pods');
  assert.ok(flow, 'the worker pod → NATS flow exists');
  return { status: flow.status, reason: flow.reason };
}

const cases: Case[] = [
  {
    name: 'no rule for 4222 → blocked',
    systemIngress: [tcp(2379).fromGroup('sg-gpu')],
    expected: 'blocked',
    reason: /no ingress rule in \[sg-sys\] allows tcp\/4222/,
  },
  {
    name: 'exact port from the GPU SG → allowed',
    systemIngress: [tcp(4222).fromGroup('sg-gpu')],
    expected: 'allowed',
  },
  {
    name: 'inclusive range 4000-4222 → allowed',
    systemIngress: [tcp(4000, 4222).fromGroup('sg-gpu')],
    expected: 'allowed',
  },
  {
    name: 'range ending below the port → blocked',
    systemIngress: [tcp(4000, 4221).fromGroup('sg-gpu')],
    expected: 'blocked',
  },
  {
    name: 'protocol number 6 means tcp',
    systemIngress: [proto('6', 4222).fromGroup('sg-gpu')],
    expected: 'allowed',
  },
  {
    name: 'udp 4222 does not allow tcp',
    systemIngress: [proto('udp', 4222).fromGroup('sg-gpu')],
    expected: 'blocked',
  },
  {
    name: '-1 without ports allows every port',
    systemIngress: [allTraffic.fromGroup('sg-gpu')],
    expected: 'allowed',
  },
  { name: 'icmp allows no tcp', systemIngress: [proto('icmp', -1).fromGroup('sg-gpu')], expected: 'blocked' },
  {
    name: 'a reference to a deleted SG (not in the snapshot) → blocked, and the group is named',
    systemIngress: [tcp(4222).fromGroup('sg-other')],
    expected: 'blocked',
    reason: /sg-other is not in the snapshot \(deleted, or not captured\)/,
  },
  {
    name: 'a reference to an existing SG the source does not carry → blocked, nothing said of deletion',
    systemIngress: [tcp(4222).fromGroup('sg-sys')],
    expected: 'blocked',
    reason: /^(?![\s\S]*not in the snapshot)/,
  },
  {
    name: 'a reference to another account’s SG never matches, and is named',
    systemIngress: [tcp(4222).fromGroup('sg-gpu', '999999999999')],
    expected: 'blocked',
    reason: /sg-gpu belongs to account 999999999999/,
  },
  {
    name: 'CIDR covering the pod subnet → allowed',
    systemIngress: [tcp(4222).fromCidr('10.0.0.0/16')],
    expected: 'allowed',
  },
  {
    name: 'CIDR /32 of the pod IP → allowed',
    systemIngress: [tcp(4222).fromCidr('10.0.32.11/32')],
    expected: 'allowed',
  },
  {
    name: 'CIDR of another subnet → blocked',
    systemIngress: [tcp(4222).fromCidr('10.0.48.0/20')],
    expected: 'blocked',
  },
  {
    name: 'IPv6 CIDR never matches an IPv4 pod',
    systemIngress: [tcp(4222).fromCidr('::/0')],
    expected: 'blocked',
  },
  {
    name: '-1 rule via a prefix list whose entries cover the pod → allowed',
    systemIngress: [allTraffic.fromPrefixList('pl-0aaa')],
    prefixLists: { 'pl-0aaa': ['192.168.0.0/16', '10.0.32.0/20'] },
    expected: 'allowed',
  },
  {
    name: 'prefix list whose entries miss the pod → blocked',
    systemIngress: [tcp(4222).fromPrefixList('pl-0aaa')],
    prefixLists: { 'pl-0aaa': ['192.168.0.0/16'] },
    expected: 'blocked',
  },
  {
    name: 'prefix list without captured entries → unknown, naming it',
    systemIngress: [tcp(4222).fromPrefixList('pl-0bbb')],
    expected: 'unknown',
    reason: /entries of prefix list pl-0bbb were not captured/,
  },
  {
    name: 'egress rules removed from the source SG → blocked at egress',
    systemIngress: [tcp(4222).fromGroup('sg-gpu')],
    gpuEgress: [],
    expected: 'blocked',
    reason: /no egress rule in \[sg-gpu\] allows tcp\/4222/,
  },
  {
    name: 'egress only to the system SG is enough',
    systemIngress: [tcp(4222).fromGroup('sg-gpu')],
    gpuEgress: [tcp(4222).fromGroup('sg-sys')],
    expected: 'allowed',
  },
];

describe('security-group semantics (GPU worker → NATS on 4222)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const { status, reason } = natsStatus(c);
      assert.equal(status, c.expected, reason);
      if (c.reason) assert.match(reason, c.reason);
    });
  }
});

describe('security groups from describe-security-group-rules', () => {
  it('decides the same as describe-security-groups', () => {
    const base = scenario()
      .subnet('subnet-sys', '10.0.16.0/20')
      .subnet('subnet-gpu', '10.0.32.0/20')
      .withoutNacls()
      .node('sys-1', {
        group: 'system',
        subnet: 'subnet-sys',
        ip: '10.0.16.10',
        sgs: ['sg-sys'],
        podIps: ['10.0.16.11'],
      })
      .node('gpu-1', {
        group: 'gpu',
        subnet: 'subnet-gpu',
        ip: '10.0.32.10',
        sgs: ['sg-gpu'],
        gpu: true,
        podIps: ['10.0.32.11'],
      })
      .nats('nats-0', 'sys-1', '10.0.16.11')
      .dynamo('worker-0', 'worker', 'gpu-1', '10.0.32.11');
    const rule = (id: string, group: string, egress: boolean, extra: object) => ({
      SecurityGroupRuleId: id,
      GroupId: group,
      GroupOwnerId: '123456789012',
      IsEgress: egress,
      ...extra,
    });
    base.file('aws/rules.json', {
      SecurityGroupRules: [
        rule('sgr-1', 'sg-gpu', true, { IpProtocol: '-1', FromPort: -1, ToPort: -1, CidrIpv4: '0.0.0.0/0' }),
        rule('sgr-2', 'sg-sys', true, { IpProtocol: '-1', FromPort: -1, ToPort: -1, CidrIpv4: '0.0.0.0/0' }),
        rule('sgr-3', 'sg-sys', false, {
          IpProtocol: 'tcp',
          FromPort: 4222,
          ToPort: 4222,
          ReferencedGroupInfo: { GroupId: 'sg-gpu', UserId: '123456789012' },
        }),
      ],
    });
    const result = base.analyze({ conformance: false });
    const flow = result.flows.find((f) => f.requirement === 'nats' && f.source.kind === 'pods')!;
    assert.equal(flow.status, 'allowed');
    const ingress = flow.steps.find((s) => s.kind === 'sg-ingress')!;
    assert.deepEqual(
      ingress.facts.map((f) => (f.kind === 'sg-rule' ? f.ruleId : '')),
      ['sgr-3'],
      'the deciding rule is named by its id',
    );
    assert.ok(
      result.warnings.some((w) => w.includes('network ACLs')),
      'missing NACLs are warned about',
    );
  });
});

describe('IPv6 pods', () => {
  const ALL_IPV6_EGRESS: Permission = { IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] };
  function ipv6(systemIngress: Permission[], gpuEgress: Permission[] = [ALLOW_ALL_EGRESS, ALL_IPV6_EGRESS]) {
    return scenario()
      .subnet('subnet-sys', '10.0.16.0/20')
      .subnet('subnet-gpu', '10.0.32.0/20')
      .withoutNacls()
      .sg('sg-sys', [allTraffic.fromGroup('sg-sys'), ...systemIngress])
      .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')], gpuEgress)
      .node('sys-1', {
        group: 'system',
        subnet: 'subnet-sys',
        ip: '10.0.16.10',
        sgs: ['sg-sys'],
        ipv6PodIps: ['2600:1f14:abc:1::11'],
      })
      .node('gpu-1', {
        group: 'gpu',
        subnet: 'subnet-gpu',
        ip: '10.0.32.10',
        sgs: ['sg-gpu'],
        gpu: true,
        ipv6PodIps: ['2600:1f14:abc:2::11'],
      })
      .nats('nats-0', 'sys-1', '2600:1f14:abc:1::11')
      .dynamo('worker-0', 'worker', 'gpu-1', '2600:1f14:abc:2::11')
      .analyze({ conformance: false })
      .flows.find((f) => f.requirement === 'nats' && f.source.kind === 'pods')!;
  }

  it('an IPv6 CIDR rule covering the pod address allows it', () => {
    const flow = ipv6([tcp(4222).fromCidr('2600:1f14:abc:2::/64')]);
    assert.equal(flow.status, 'allowed', flow.reason);
  });

  it('an IPv6 CIDR rule for another range, or an IPv4 one, does not', () => {
    assert.equal(ipv6([tcp(4222).fromCidr('2600:1f14:abc:3::/64')]).status, 'blocked');
    assert.equal(ipv6([tcp(4222).fromCidr('10.0.0.0/8')]).status, 'blocked');
  });

  it('egress to 0.0.0.0/0 alone does not cover IPv6: blocked at the source', () => {
    const flow = ipv6([tcp(4222).fromCidr('2600:1f14:abc:2::/64')], [ALLOW_ALL_EGRESS]);
    assert.equal(flow.status, 'blocked');
    assert.match(flow.reason, /no egress rule in \[sg-gpu\]/);
  });
});
