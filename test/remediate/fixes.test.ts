/**
 * Where a documentation page names a wider range than the rule the fix proposes, the rule says so
 * (the AICR 1.4 recipe documents TCP 1024-65535 between system and GPU nodes for the TCP request
 * plane and response stream; the fix opens only the OS-assigned range 32768-60999 the runtime
 * uses). Rules for exact ports (NATS 4222, Prometheus 9090, DCGM 9400) carry no such note.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCidr } from '../../src/base/ip.ts';
import { synthesizeFixes } from '../../src/remediate/fixes.ts';
import { ALLOW_ALL_EGRESS, allTraffic, naclAllowAll, scenario } from '../helpers/scenario.ts';

function twoGpuGroups() {
  return scenario()
    .subnet('subnet-sys', '10.0.16.0/20')
    .subnet('subnet-gpu', '10.0.32.0/20')
    .nacl('acl-default', ['subnet-sys', 'subnet-gpu'], naclAllowAll(), true)
    .sg('sg-sys', [allTraffic.fromGroup('sg-sys')])
    .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')], [ALLOW_ALL_EGRESS])
    .sg('sg-gpu2', [allTraffic.fromGroup('sg-gpu2')])
    .node('sys-1', {
      group: 'system',
      subnet: 'subnet-sys',
      ip: '10.0.16.10',
      sgs: ['sg-sys'],
      podIps: ['10.0.16.11', '10.0.16.12'],
    })
    .node('gpu-1', { group: 'gpu-a', subnet: 'subnet-gpu', ip: '10.0.32.10', sgs: ['sg-gpu'], gpu: true })
    .node('gpu-2', { group: 'gpu-b', subnet: 'subnet-gpu', ip: '10.0.32.20', sgs: ['sg-gpu2'], gpu: true })
    .nats('nats-0', 'sys-1', '10.0.16.11')
    .prometheus('prom-0', 'sys-1', '10.0.16.12')
    .analyze({ dynamoVersion: '1.2.0' });
}

describe('a rule narrower than the documented range says so', () => {
  const result = twoGpuGroups();

  it('the OS-assigned range rules carry the recipe’s wider range, once per note', () => {
    const ranged = result.remediation.filter((r) => r.fromPort === 32768 && r.toPort === 60999);
    assert.ok(ranged.length > 0, result.remediation.map((r) => r.command).join('\n'));
    for (const rule of ranged) {
      assert.ok(rule.documented && rule.documented.length > 0, rule.command);
      for (const note of rule.documented) assert.match(note, /documents TCP 1024-65535/);
      assert.equal(new Set(rule.documented).size, rule.documented.length);
    }
  });

  it('exact-port rules carry no note at all', () => {
    const exact = result.remediation.filter((r) => r.fromPort === r.toPort);
    assert.ok(exact.length > 0);
    for (const rule of exact) assert.equal('documented' in rule, false, rule.command);
  });

  it('every blocked flow is fixed by some item, and every item unblocks a flow it lists', () => {
    const ids = new Set([...result.remediation, ...result.naclRemediation].map((i) => i.id));
    for (const flow of result.flows.filter((f) => f.status === 'blocked')) {
      assert.ok(flow.fixedBy.length > 0, flow.id);
      for (const id of flow.fixedBy) assert.ok(ids.has(id), id);
    }
    for (const flow of result.flows.filter((f) => f.status !== 'blocked'))
      assert.deepEqual(flow.fixedBy, [], flow.id);
    for (const rule of result.remediation)
      for (const flowId of rule.unblocks)
        assert.ok(
          result.flows.find((f) => f.id === flowId)?.fixedBy.includes(rule.id),
          `${rule.id} → ${flowId}`,
        );
  });
});

describe('the items that fix a flow: rules and NACL entries first, then NetworkPolicies', () => {
  it('a flow blocked by both an SG and a NetworkPolicy is fixed by both, in that order', () => {
    const model = {
      ipFamily: 4,
      vpcCidrs: [parseCidr('10.0.0.0/16')!],
      subnets: new Map(),
      securityGroups: new Map([
        ['sg-sys', { id: 'sg-sys', ingressRuleCount: 1, isClusterSecurityGroup: false }],
      ]),
      nacls: new Map(),
    };
    const flow = (id: string) => ({
      id,
      requirement: 'nats',
      protocol: 'tcp',
      ports: { from: 4222, to: 4222 },
      status: 'blocked',
      source: { nodeGroup: 'gpu', securityGroups: ['sg-gpu'], subnetId: 'subnet-gpu' },
      destination: { nodeGroup: 'system', securityGroups: ['sg-sys'], subnetId: 'subnet-sys' },
      steps: [
        { kind: 'sg-ingress', status: 'blocked', at: '-', summary: '-', facts: [] },
        { kind: 'policy-ingress', status: 'blocked', at: '-', summary: '-', facts: [] },
      ],
    });
    const ids = {
      source: { namespace: 'dynamo-workload', labels: { app: 'worker' } },
      destination: { namespace: 'dynamo-system', labels: { app: 'nats' } },
    };
    const fixes = synthesizeFixes(
      model as never,
      {
        flows: [flow('f1'), flow('f2')],
        identities: new Map([
          ['f1', ids],
          ['f2', ids],
        ]),
        requirements: [],
      } as never,
    );
    assert.deepEqual(fixes.fixedBy.get('f1'), ['sg-rule-1', 'network-policy-1']);
    assert.deepEqual(fixes.fixedBy.get('f2'), ['sg-rule-1', 'network-policy-1']);
    assert.equal(fixes.policies.length, 1);
    assert.deepEqual(fixes.unfixable, []);
  });
});
