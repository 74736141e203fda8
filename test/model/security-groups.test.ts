/**
 * Security-group references that no ENI of this cluster can carry, in both shapes EC2 describes
 * rules in. describe-security-groups and describe-security-group-rules describe the same rules
 * (EC2 API Reference): a reference to a group of another account (UserId / ReferencedGroupInfo
 * .UserId other than the rule's group owner, GroupOwnerId) or of a peered VPC (VpcPeeringConnectionId,
 * PeeringStatus) matches only ENIs in that account or VPC, so it never admits this cluster's pods —
 * and the report must say why, not that the group was deleted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACCOUNT, allTraffic, scenario, tcp, type Scenario } from '../helpers/scenario.ts';

const OTHER_ACCOUNT = '999999999999';
const PEER_VPC = 'vpc-0peer';
const PEERING = 'pcx-0123456789abcdef0';

/** GPU worker 10.0.32.11 → NATS 10.0.16.11 on tcp/4222, no NACLs; groups given by the caller. */
function cluster(): Scenario {
  return scenario()
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
}

function natsFlow(s: Scenario) {
  const flow = s
    .analyze({ conformance: false })
    .flows.find((f) => f.requirement === 'nats' && f.source.kind === 'pods');
  assert.ok(flow, 'the worker pod → NATS flow exists');
  return flow;
}

/** describe-security-group-rules output for sg-gpu (open egress) and sg-sys (the given 4222 rule). */
function viaRules(reference: Record<string, string>): Scenario {
  const rule = (id: string, group: string, egress: boolean, extra: object) => ({
    SecurityGroupRuleId: id,
    GroupId: group,
    GroupOwnerId: ACCOUNT,
    IsEgress: egress,
    ...extra,
  });
  const openEgress = { IpProtocol: '-1', FromPort: -1, ToPort: -1, CidrIpv4: '0.0.0.0/0' };
  return cluster().file('aws/security-group-rules.json', {
    SecurityGroupRules: [
      rule('sgr-0000000000000001', 'sg-gpu', true, openEgress),
      rule('sgr-0000000000000002', 'sg-sys', true, openEgress),
      rule('sgr-0000000000000003', 'sg-sys', false, {
        IpProtocol: 'tcp',
        FromPort: 4222,
        ToPort: 4222,
        ReferencedGroupInfo: reference,
      }),
    ],
  });
}

const NOT_DELETED = /not in the snapshot \(deleted/;

describe('describe-security-group-rules: a reference to another account’s group (GroupOwnerId)', () => {
  it('control: a reference in the owner’s own account to the source group → allowed', () => {
    const flow = natsFlow(viaRules({ GroupId: 'sg-gpu', UserId: ACCOUNT }));
    assert.equal(flow.status, 'allowed', flow.reason);
  });

  it('the other account’s group never matches this cluster’s pods → blocked, naming the account', () => {
    const flow = natsFlow(viaRules({ GroupId: 'sg-0aa11bb22cc33dd44', UserId: OTHER_ACCOUNT }));
    assert.equal(flow.status, 'blocked');
    assert.match(flow.reason, /sg-0aa11bb22cc33dd44 belongs to account 999999999999/);
    assert.doesNotMatch(flow.reason, NOT_DELETED);
  });

  it('decides as describe-security-groups does for the same rule', () => {
    const viaGroups = natsFlow(
      cluster()
        .sg('sg-sys', [allTraffic.fromGroup('sg-sys'), tcp(4222).fromGroup('sg-gpu', OTHER_ACCOUNT)])
        .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')]),
    );
    const rules = natsFlow(viaRules({ GroupId: 'sg-gpu', UserId: OTHER_ACCOUNT }));
    assert.equal(viaGroups.status, 'blocked');
    assert.equal(rules.status, viaGroups.status, rules.reason);
    assert.match(rules.reason, /sg-gpu belongs to account 999999999999/);
  });
});

/** A reference to a group in a peered VPC, as describe-security-groups prints it. */
const peeredPair = (groupId: string) => ({
  GroupId: groupId,
  UserId: ACCOUNT,
  VpcId: PEER_VPC,
  VpcPeeringConnectionId: PEERING,
  PeeringStatus: 'active',
});

describe('a reference to a group in a peered VPC', () => {
  it('describe-security-groups: never matches this cluster’s pods → blocked, saying it is peered', () => {
    const flow = natsFlow(
      cluster()
        .sg('sg-sys', [
          allTraffic.fromGroup('sg-sys'),
          { IpProtocol: 'tcp', FromPort: 4222, ToPort: 4222, UserIdGroupPairs: [peeredPair('sg-0peer')] },
        ])
        .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')]),
    );
    assert.equal(flow.status, 'blocked');
    assert.match(flow.reason, /sg-0peer is in a peered VPC/);
    assert.doesNotMatch(flow.reason, NOT_DELETED);
  });

  it('describe-security-groups: even a group id the source carries is not matched across the peering', () => {
    const flow = natsFlow(
      cluster()
        .sg('sg-sys', [
          allTraffic.fromGroup('sg-sys'),
          { IpProtocol: 'tcp', FromPort: 4222, ToPort: 4222, UserIdGroupPairs: [peeredPair('sg-gpu')] },
        ])
        .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')]),
    );
    assert.equal(flow.status, 'blocked', flow.reason);
  });

  it('describe-security-group-rules: the same, from ReferencedGroupInfo', () => {
    const flow = natsFlow(viaRules(peeredPair('sg-0peer')));
    assert.equal(flow.status, 'blocked');
    assert.match(flow.reason, /sg-0peer is in a peered VPC/);
    assert.doesNotMatch(flow.reason, NOT_DELETED);
  });
});
