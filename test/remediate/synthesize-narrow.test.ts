/**
 * What the synthesised fix proposes, checked against EC2's rules and the narrowest-fix principle:
 * - A network ACL holds at most one entry per rule number and direction (CreateNetworkAclEntry
 *   fails with NetworkAclEntryAlreadyExists), and an entry only helps if its number is below the
 *   deny it must precede (rules are evaluated lowest number first).
 * - A rule for a peer that has no security group to name is scoped to that peer's subnet CIDR,
 *   never to every address (0.0.0.0/0): the fix is never wider than the blocked flow.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allTraffic, naclAllowAll, scenario, type NaclEntry } from '../helpers/scenario.ts';

const SYS_SUBNET = '10.0.16.0/20';

const entry = (
  RuleNumber: number,
  RuleAction: 'allow' | 'deny',
  Egress: boolean,
  CidrBlock: string,
  ports?: [number, number],
): NaclEntry => ({
  RuleNumber,
  RuleAction,
  Egress,
  CidrBlock,
  Protocol: ports ? '6' : '-1',
  ...(ports ? { PortRange: { From: ports[0], To: ports[1] } } : {}),
});

/**
 * NATS's subnet NACL admits its own subnet at 100, has unrelated entries at 198 and 199, and
 * denies everything at 200; outbound it admits its own subnet only. Two GPU node groups in two
 * other subnets need NATS: two inbound entries below 200, two outbound (return) entries.
 */
const sysNacl: NaclEntry[] = [
  entry(100, 'allow', false, SYS_SUBNET, [0, 65535]),
  entry(198, 'allow', false, '192.168.0.0/16', [443, 443]),
  entry(199, 'allow', false, '192.168.0.0/16', [22, 22]),
  entry(200, 'deny', false, '0.0.0.0/0'),
  entry(32767, 'deny', false, '0.0.0.0/0'),
  entry(100, 'allow', true, SYS_SUBNET, [0, 65535]),
  entry(32766, 'allow', true, '192.168.0.0/16', [1024, 65535]),
  entry(32767, 'deny', true, '0.0.0.0/0'),
];

function naclFix() {
  return scenario()
    .subnet('subnet-sys', SYS_SUBNET)
    .subnet('subnet-gpu-a', '10.0.32.0/20')
    .subnet('subnet-gpu-b', '10.0.48.0/20')
    .nacl('acl-default', ['subnet-gpu-a', 'subnet-gpu-b'], naclAllowAll(), true)
    .nacl('acl-sys', ['subnet-sys'], sysNacl)
    .sg('sg-sys', [allTraffic.fromGroup('sg-sys'), allTraffic.fromGroup('sg-gpu')])
    .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')])
    .node('sys-1', {
      group: 'system',
      subnet: 'subnet-sys',
      ip: '10.0.16.10',
      sgs: ['sg-sys'],
      podIps: ['10.0.16.11'],
    })
    .node('gpu-a-1', { group: 'gpu-a', subnet: 'subnet-gpu-a', ip: '10.0.32.10', sgs: ['sg-gpu'], gpu: true })
    .node('gpu-b-1', { group: 'gpu-b', subnet: 'subnet-gpu-b', ip: '10.0.48.10', sgs: ['sg-gpu'], gpu: true })
    .nats('nats-0', 'sys-1', '10.0.16.11')
    .analyze({ dynamoVersion: '1.2.0', conformance: false });
}

describe('NACL entries the fix proposes', () => {
  const result = naclFix();
  const proposed = result.naclRemediation.filter((e) => e.naclId === 'acl-sys');

  it('one inbound entry per GPU subnet, and one outbound (return) entry per GPU subnet', () => {
    assert.deepEqual(proposed.map((e) => `${e.egress ? 'out' : 'in'} ${e.cidr}`).sort(), [
      'in 10.0.32.0/20',
      'in 10.0.48.0/20',
      'out 10.0.32.0/20',
      'out 10.0.48.0/20',
    ]);
  });

  for (const egress of [false, true]) {
    const direction = egress ? 'outbound' : 'inbound';
    it(`${direction}: every number is free in the NACL and used once`, () => {
      const taken = sysNacl.filter((e) => e.Egress === egress).map((e) => e.RuleNumber);
      const numbers = proposed.filter((e) => e.egress === egress).map((e) => e.ruleNumber);
      for (const n of numbers) {
        assert.ok(!taken.includes(n), `rule number ${n} is already taken ${direction}`);
        assert.ok(Number.isInteger(n) && n >= 1 && n <= 32766, `rule number ${n} is one EC2 accepts`);
      }
      assert.equal(new Set(numbers).size, numbers.length, `distinct numbers: ${numbers.join(', ')}`);
    });
  }

  it('inbound entries are numbered below the deny at 200 they must precede', () => {
    for (const e of proposed.filter((x) => !x.egress)) assert.ok(e.ruleNumber < 200, String(e.ruleNumber));
  });
});

describe('a rule for a peer that has no security group', () => {
  it('names the peer subnet CIDR, never 0.0.0.0/0', () => {
    const result = scenario()
      .subnet('subnet-sys', SYS_SUBNET)
      .subnet('subnet-gpu', '10.0.32.0/20')
      .nacl('acl-default', ['subnet-sys', 'subnet-gpu'], naclAllowAll(), true)
      .sg('sg-sys', [allTraffic.fromGroup('sg-sys')])
      .node('sys-1', {
        group: 'system',
        subnet: 'subnet-sys',
        ip: '10.0.16.10',
        sgs: ['sg-sys'],
        podIps: ['10.0.16.11'],
      })
      // The GPU node's ENI shows no security group: there is no group to name as the peer.
      .node('gpu-1', { group: 'gpu', subnet: 'subnet-gpu', ip: '10.0.32.10', sgs: [], gpu: true })
      .nats('nats-0', 'sys-1', '10.0.16.11')
      .analyze({ dynamoVersion: '1.2.0', conformance: false });
    const ingress = result.remediation.filter((r) => r.direction === 'ingress');
    assert.deepEqual(
      ingress.map((r) => [r.groupId, r.protocol, r.fromPort, r.toPort, r.cidr, r.sourceGroupId]),
      [['sg-sys', 'tcp', 4222, 4222, '10.0.32.0/20', undefined]],
    );
    for (const rule of result.remediation) assert.notEqual(rule.cidr, '0.0.0.0/0', rule.command);
  });
});
