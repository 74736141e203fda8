/**
 * Issue 17, item 7: a fix is never wider than promised. A rule or NACL entry for a peer without a
 * security group names the peer's own subnet block; a subnet that claims every address, or a block
 * wider than any AWS subnet can be (/16 for IPv4: "VPC CIDR blocks", Amazon VPC User Guide), or a
 * block outside the VPC's, yields no rule at all: the flow is listed as having no safe rule, and why.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixPlan } from '../../src/questions/fix/plan.ts';
import { emitters } from '../../src/report/fix/index.ts';
import { renderers } from '../../src/report/index.ts';
import { allTraffic, naclAllowAll, scenario, type NaclEntry } from '../helpers/scenario.ts';

const OPTIONS = { dynamoVersion: '1.2.0', conformance: false } as const;

/** NATS on sg-sys; the GPU node's ENI has no security group, so the peer can only be its subnet. */
function noPeerGroup(gpuSubnetCidr: string, vpcCidr?: string) {
  const s = scenario()
    .subnet('subnet-sys', '10.0.16.0/20')
    .subnet('subnet-gpu', gpuSubnetCidr)
    .nacl('acl-default', ['subnet-sys', 'subnet-gpu'], naclAllowAll(), true)
    .sg('sg-sys', [allTraffic.fromGroup('sg-sys')])
    .node('sys-1', {
      group: 'system',
      subnet: 'subnet-sys',
      ip: '10.0.16.10',
      sgs: ['sg-sys'],
      podIps: ['10.0.16.11'],
    })
    .node('gpu-1', { group: 'gpu', subnet: 'subnet-gpu', ip: '10.0.32.10', sgs: [], gpu: true })
    .nats('nats-0', 'sys-1', '10.0.16.11');
  if (vpcCidr) s.file('aws/vpcs.json', { Vpcs: [{ VpcId: 'vpc-0abc', CidrBlock: vpcCidr }] });
  return s.analyze(OPTIONS);
}

/** NATS's subnet NACL denies every inbound packet (outbound allows all); the GPU subnet claims `gpuSubnetCidr`. */
function naclPeer(gpuSubnetCidr: string) {
  const entry = (n: number, action: 'allow' | 'deny', egress: boolean): NaclEntry => ({
    RuleNumber: n,
    Protocol: '-1',
    RuleAction: action,
    Egress: egress,
    CidrBlock: '0.0.0.0/0',
  });
  return scenario()
    .subnet('subnet-sys', '10.0.16.0/20')
    .subnet('subnet-gpu', gpuSubnetCidr)
    .nacl('acl-default', ['subnet-gpu'], naclAllowAll(), true)
    .nacl('acl-sys', ['subnet-sys'], [entry(200, 'deny', false), entry(100, 'allow', true)])
    .sg('sg-sys', [allTraffic.fromGroup('sg-sys'), allTraffic.fromGroup('sg-gpu')])
    .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')])
    .node('sys-1', {
      group: 'system',
      subnet: 'subnet-sys',
      ip: '10.0.16.10',
      sgs: ['sg-sys'],
      podIps: ['10.0.16.11'],
    })
    .node('gpu-1', { group: 'gpu', subnet: 'subnet-gpu', ip: '10.0.32.10', sgs: ['sg-gpu'], gpu: true })
    .nats('nats-0', 'sys-1', '10.0.16.11')
    .analyze(OPTIONS);
}

describe('no fix wider than the peer subnet (issue 17 item 7)', () => {
  it('control: a /20 peer subnet inside the VPC is the rule', () => {
    const result = noPeerGroup('10.0.32.0/20', '10.0.0.0/16');
    assert.deepEqual(
      result.remediation.map((r) => r.cidr),
      ['10.0.32.0/20'],
    );
  });

  for (const [what, cidr, vpc, why] of [
    ['every address', '0.0.0.0/0', undefined, /0\.0\.0\.0\/0, which admits every address/],
    ['half the Internet', '0.0.0.0/1', undefined, /0\.0\.0\.0\/1, which is wider than \/16/],
    ['a /8', '10.0.0.0/8', undefined, /10\.0\.0\.0\/8, which is wider than \/16/],
    [
      'a block outside the VPC',
      '10.0.32.0/20',
      '172.16.0.0/16',
      /10\.0\.32\.0\/20, which is not inside the VPC's blocks/,
    ],
  ] as const) {
    it(`a security-group rule: a peer subnet of ${what} gives no rule, and says why`, () => {
      const result = noPeerGroup(cidr, vpc);
      assert.ok(
        result.flows.some((f) => f.status === 'blocked'),
        'the NATS flow is still blocked',
      );
      assert.deepEqual(result.remediation, [], result.remediation.map((r) => r.command).join('\n'));
      const warning = result.warnings.find((w) => /no safe rule/.test(w));
      assert.ok(warning, result.warnings.join('\n'));
      assert.match(warning, why);
      // No format writes a rule for it.
      const plan = fixPlan(result);
      for (const format of ['aws-cli', 'terraform', 'cloudformation', 'json'] as const)
        assert.doesNotMatch(emitters[format](plan), new RegExp(cidr.replace(/[./]/g, '\\$&')), format);
      assert.doesNotMatch(
        renderers.table!(result, { color: false, verbose: false }),
        /authorize-security-group/,
      );
    });
  }

  it('a NACL entry: a peer subnet of 0.0.0.0/0 gives no entry, and says why', () => {
    const control = naclPeer('10.0.32.0/20');
    assert.ok(control.naclRemediation.length > 0, 'control: the /20 gets entries');
    const result = naclPeer('0.0.0.0/0');
    assert.deepEqual(
      result.naclRemediation.map((e) => e.cidr),
      [],
    );
    assert.ok(
      result.warnings.some((w) =>
        /no safe rule: the peer's subnet subnet-gpu has the block 0\.0\.0\.0\/0, which admits every address/.test(
          w,
        ),
      ),
      result.warnings.join('\n'),
    );
  });
});
