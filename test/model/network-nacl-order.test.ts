/**
 * Network ACL rules are evaluated "starting with the lowest numbered rule", and the first rule
 * that matches decides (Amazon VPC User Guide, "Network ACL rules"). The order in which a
 * describe-network-acls answer happens to list the entries does not matter: these snapshots list
 * them out of rule order on purpose.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allTraffic, naclAllowAll, scenario, tcp, type NaclEntry } from '../helpers/scenario.ts';

const GPU_SUBNET = '10.0.32.0/20';
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

/** GPU worker 10.0.32.11 (subnet-gpu) → NATS 10.0.16.11 (subnet-sys) on tcp/4222; SGs allow it. */
function natsFlow(sysNacl: NaclEntry[], gpuNacl: NaclEntry[] = naclAllowAll()) {
  const result = scenario()
    .subnet('subnet-sys', SYS_SUBNET)
    .subnet('subnet-gpu', GPU_SUBNET)
    .nacl('acl-sys', ['subnet-sys'], sysNacl)
    .nacl('acl-gpu', ['subnet-gpu'], gpuNacl)
    .sg('sg-sys', [allTraffic.fromGroup('sg-sys'), tcp(4222).fromGroup('sg-gpu')])
    .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')])
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
    .dynamo('worker-0', 'worker', 'gpu-1', '10.0.32.11')
    .analyze({ conformance: false });
  const flow = result.flows.find((f) => f.requirement === 'nats' && f.source.kind === 'pods');
  assert.ok(flow, 'the worker pod → NATS flow exists');
  return flow;
}

const stepOf = (flow: ReturnType<typeof natsFlow>, kind: string) => {
  const step = flow.steps.find((s) => s.kind === kind);
  assert.ok(step, `the flow has a ${kind} step`);
  return step;
};

describe('NACL entries listed out of rule order', () => {
  it('inbound: allow 100 listed after deny 200 → the allow (lower number) wins', () => {
    const flow = natsFlow([
      entry(200, 'deny', false, GPU_SUBNET, [4222, 4222]),
      entry(32767, 'deny', false, '0.0.0.0/0'),
      entry(100, 'allow', false, '0.0.0.0/0'),
      entry(32767, 'deny', true, '0.0.0.0/0'),
      entry(100, 'allow', true, '0.0.0.0/0'),
    ]);
    assert.equal(stepOf(flow, 'nacl-destination-inbound').status, 'allowed');
    assert.equal(flow.status, 'allowed', flow.reason);
  });

  it('inbound: deny 100 listed after allow 200 → the deny (lower number) wins', () => {
    const flow = natsFlow([
      entry(200, 'allow', false, '0.0.0.0/0'),
      entry(32767, 'deny', false, '0.0.0.0/0'),
      entry(100, 'deny', false, GPU_SUBNET, [4222, 4222]),
      entry(32767, 'deny', true, '0.0.0.0/0'),
      entry(100, 'allow', true, '0.0.0.0/0'),
    ]);
    const step = stepOf(flow, 'nacl-destination-inbound');
    assert.equal(step.status, 'blocked');
    assert.match(step.summary, /\(rule 100\)/);
    assert.equal(flow.status, 'blocked');
  });

  it('outbound: allow 100 listed after deny 200 → the allow wins', () => {
    const flow = natsFlow(naclAllowAll(), [
      entry(32767, 'deny', false, '0.0.0.0/0'),
      entry(100, 'allow', false, '0.0.0.0/0'),
      entry(200, 'deny', true, SYS_SUBNET, [4222, 4222]),
      entry(32767, 'deny', true, '0.0.0.0/0'),
      entry(100, 'allow', true, '0.0.0.0/0'),
    ]);
    assert.equal(stepOf(flow, 'nacl-source-outbound').status, 'allowed');
    assert.equal(flow.status, 'allowed', flow.reason);
  });

  it('outbound: deny 100 listed after allow 200 → the deny wins', () => {
    const flow = natsFlow(naclAllowAll(), [
      entry(100, 'allow', false, '0.0.0.0/0'),
      entry(32767, 'deny', false, '0.0.0.0/0'),
      entry(200, 'allow', true, '0.0.0.0/0'),
      entry(32767, 'deny', true, '0.0.0.0/0'),
      entry(100, 'deny', true, SYS_SUBNET, [4222, 4222]),
    ]);
    const step = stepOf(flow, 'nacl-source-outbound');
    assert.equal(step.status, 'blocked');
    assert.match(step.summary, /\(rule 100\)/);
    assert.equal(flow.status, 'blocked');
  });
});
