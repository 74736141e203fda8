/**
 * A pod still to be scheduled may get any address of its node's subnet. When the destination's
 * security group admits one part of that subnet and its subnet's network ACL another, no address
 * passes both (EC2 evaluates a packet against the security groups and, across subnets, the NACLs;
 * a NACL's lowest-numbered matching entry decides): the flow is blocked, and a fix must open both
 * for the whole subnet — an SG rule naming the client's group, and a NACL allow entry for the
 * client's subnet numbered below the deny it must precede.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeSnapshot } from '../../src/questions/analyze.ts';
import { applyRemediation } from '../../src/remediate/what-if.ts';
import { allTraffic, naclAllowAll, scenario, tcp, type NaclEntry } from '../helpers/scenario.ts';

const GPU_SUBNET = '10.0.32.0/20';

function cluster(sgAdmits: string, naclAdmits: string) {
  const sysNacl: NaclEntry[] = [
    { RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: false, CidrBlock: '10.0.16.0/20' },
    { RuleNumber: 110, Protocol: '-1', RuleAction: 'allow', Egress: false, CidrBlock: naclAdmits },
    { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0' },
    { RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: true, CidrBlock: '0.0.0.0/0' },
  ];
  return (
    scenario()
      .subnet('subnet-sys', '10.0.16.0/20')
      .subnet('subnet-gpu', GPU_SUBNET)
      .nacl('acl-default', ['subnet-gpu'], naclAllowAll(), true)
      .nacl('acl-sys', ['subnet-sys'], sysNacl)
      .sg('sg-sys', [
        allTraffic.fromGroup('sg-sys'),
        tcp(4222).fromCidr(sgAdmits),
        tcp(9090).fromGroup('sg-gpu'),
      ])
      .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')])
      .node('sys-1', {
        group: 'system',
        subnet: 'subnet-sys',
        ip: '10.0.16.10',
        sgs: ['sg-sys'],
        podIps: ['10.0.16.11', '10.0.16.12'],
      })
      // No Dynamo pod yet: the analysis asks for pods to be scheduled on gpu-1, any address of subnet-gpu.
      .node('gpu-1', { group: 'gpu', subnet: 'subnet-gpu', ip: '10.0.32.10', sgs: ['sg-gpu'], gpu: true })
      .nats('nats-0', 'sys-1', '10.0.16.11')
      .snapshot()
  );
}

const options = { dynamoVersion: '1.2.0', conformance: false };
const nats = (result: ReturnType<typeof analyzeSnapshot>) =>
  result.flows.filter((f) => f.requirement === 'nats' && f.source.kind === 'nodes');

describe('a pod to be scheduled that the SG and the NACL each admit from a different part of its subnet', () => {
  // sg-sys admits 4222 from the upper half of subnet-gpu only, acl-sys inbound the lower half only.
  const snapshot = cluster('10.0.40.0/21', '10.0.32.0/21');
  const before = analyzeSnapshot(snapshot, options);

  it('is blocked, and the reason says what each step admits', () => {
    const flows = nats(before);
    assert.ok(flows.length > 0, 'the analysis has the flow from gpu-1');
    for (const flow of flows) {
      assert.equal(flow.status, 'blocked', flow.reason);
      assert.match(flow.reason, /allows only 10\.0\.32\.0\/21\b/);
      assert.match(flow.reason, /allows only 10\.0\.40\.0\/21\b/);
    }
  });

  it('gets an SG rule naming the client group and a NACL entry for the whole client subnet', () => {
    assert.deepEqual(
      before.remediation
        .filter((r) => r.fromPort === 4222)
        .map((r) => [r.direction, r.groupId, r.protocol, r.toPort, r.sourceGroupId ?? r.cidr]),
      [['ingress', 'sg-sys', 'tcp', 4222, 'sg-gpu']],
    );
    assert.deepEqual(
      before.naclRemediation
        .filter((n) => n.fromPort === 4222)
        .map((n) => [n.naclId, n.egress, n.ruleNumber, n.protocol, n.toPort, n.cidr]),
      [['acl-sys', false, 32766, 'tcp', 4222, GPU_SUBNET]],
    );
    for (const flow of nats(before)) assert.ok(flow.fixedBy.length >= 2, JSON.stringify(flow.fixedBy));
  });

  it('is allowed for every address once both are applied', () => {
    const after = analyzeSnapshot(
      applyRemediation(snapshot, before.remediation, before.naclRemediation),
      options,
    );
    const flows = nats(after);
    assert.ok(flows.length > 0);
    for (const flow of flows) assert.equal(flow.status, 'allowed', flow.reason);
  });
});

describe('a pod to be scheduled that the SG and the NACL admit from overlapping parts of its subnet', () => {
  it('is unknown (allowed only where they overlap), and nothing is proposed for it', () => {
    const result = analyzeSnapshot(cluster('10.0.32.0/21', '10.0.32.0/22'), options);
    const flows = nats(result);
    assert.ok(flows.length > 0);
    for (const flow of flows) {
      assert.equal(flow.status, 'unknown', flow.reason);
      assert.match(
        flow.reason,
        /tcp\/4222 is allowed for 10\.0\.32\.0\/22; tcp\/4222 is blocked for 10\.0\.36\.0-10\.0\.47\.255$/,
      );
      assert.deepEqual(flow.fixedBy, []);
    }
    assert.deepEqual(
      result.remediation.filter((r) => r.fromPort === 4222),
      [],
    );
  });
});
