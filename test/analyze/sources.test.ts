/** analyze takes the 9090 sources from the orchestrator's placement: every node it can land on, no other. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allTraffic, scenario, tcp } from '../helpers/scenario.ts';

function cluster() {
  return scenario()
    .subnet('subnet-sys', '10.0.16.0/20')
    .subnet('subnet-gpu', '10.0.32.0/20')
    .withoutNacls()
    .sg('sg-sys', [allTraffic.fromGroup('sg-sys'), tcp(9090).fromGroup('sg-gpu')])
    .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')])
    .sg('sg-fargate', [], [])
    .node('sys-1', {
      group: 'system',
      subnet: 'subnet-sys',
      ip: '10.0.16.10',
      sgs: ['sg-sys'],
      podIps: ['10.0.16.11'],
    })
    .node('gpu-1', { group: 'gpu', subnet: 'subnet-gpu', ip: '10.0.32.10', sgs: ['sg-gpu'], gpu: true })
    .node('gpu-cordoned', {
      group: 'gpu',
      subnet: 'subnet-gpu',
      ip: '10.0.32.11',
      sgs: ['sg-gpu'],
      gpu: true,
      unschedulable: true,
    })
    .prometheus('prom-0', 'sys-1', '10.0.16.11');
}

const prometheusSources = (result: ReturnType<ReturnType<typeof cluster>['analyze']>) =>
  result.flows
    .filter((f) => f.requirement === 'prometheus')
    .flatMap((f) => f.source.members)
    .sort();

describe('9090 sources come from placement', () => {
  it('the tainted GPU nodes and the cordoned one are sources: the orchestrator tolerates them all', () => {
    const result = cluster().analyze({ dynamoVersion: '1.0.2' });
    assert.deepEqual(prometheusSources(result), ['gpu-1', 'gpu-cordoned', 'sys-1']);
  });

  it('a Fargate node is not: the orchestrator cannot be scheduled there', () => {
    const result = cluster()
      .node('fargate-ip-10-0-16-99', {
        group: 'fargate',
        subnet: 'subnet-sys',
        ip: '10.0.16.99',
        sgs: ['sg-fargate'],
        labels: { 'eks.amazonaws.com/compute-type': 'fargate' },
      })
      .analyze({ dynamoVersion: '1.0.2' });
    assert.deepEqual(prometheusSources(result), ['gpu-1', 'gpu-cordoned', 'sys-1']);
    assert.deepEqual(
      result.flows.filter((f) => f.requirement === 'prometheus').map((f) => f.status),
      ['allowed', 'allowed'],
      'sg-fargate has no egress at all, but no orchestrator runs there',
    );
  });

  it('when the orchestrator fits nowhere, the 9090 requirement is not evaluated and says why', () => {
    const result = scenario()
      .subnet('subnet-sys', '10.0.16.0/20')
      .withoutNacls()
      .sg('sg-sys', [allTraffic.fromGroup('sg-sys')])
      .node('fargate-1', {
        group: 'fargate',
        subnet: 'subnet-sys',
        ip: '10.0.16.10',
        sgs: ['sg-sys'],
        labels: { 'eks.amazonaws.com/compute-type': 'fargate' },
      })
      .prometheus('prom-0', 'fargate-1', '10.0.16.10')
      .analyze({ dynamoVersion: '1.0.2' });
    const skipped = result.skipped.find((s) => s.requirement === 'prometheus');
    assert.match(
      skipped?.why ?? '',
      /the conformance orchestrator fits on no node: 0\/1 nodes are available: 1 node\(s\) are EKS Fargate nodes\./,
    );
  });
});
