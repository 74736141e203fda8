/** Network ACL semantics: stateless, first match wins, four places, only across subnets. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeSnapshot } from '../../src/questions/analyze.ts';
import { parseSnapshot } from '../../src/snapshot/parse.ts';
import { allTraffic, naclAllowAll, scenario, tcp, type NaclEntry } from '../helpers/scenario.ts';

const allow = (
  n: number,
  egress: boolean,
  cidr: string,
  ports?: [number, number],
  protocol = '6',
): NaclEntry => ({
  RuleNumber: n,
  Protocol: ports ? protocol : '-1',
  RuleAction: 'allow',
  Egress: egress,
  CidrBlock: cidr,
  ...(ports ? { PortRange: { From: ports[0], To: ports[1] } } : {}),
});
const deny = (n: number, egress: boolean, cidr: string, ports?: [number, number]): NaclEntry => ({
  ...allow(n, egress, cidr, ports),
  RuleAction: 'deny',
});
const catchAll = (egress: boolean): NaclEntry => deny(32767, egress, '0.0.0.0/0');

/** GPU worker (subnet-gpu) → NATS (subnet-sys, or subnet-gpu when `sameSubnet`), SGs wide open. */
function flowWith(systemNacl: NaclEntry[], gpuNacl: NaclEntry[] = naclAllowAll(), sameSubnet = false) {
  const natsSubnet = sameSubnet ? 'subnet-gpu' : 'subnet-sys';
  const result = scenario()
    .subnet('subnet-sys', '10.0.16.0/20')
    .subnet('subnet-gpu', '10.0.32.0/20')
    .nacl('acl-sys', ['subnet-sys'], systemNacl)
    .nacl('acl-gpu', ['subnet-gpu'], gpuNacl)
    .sg('sg-sys', [allTraffic.fromGroup('sg-sys'), tcp(4222).fromGroup('sg-gpu')])
    .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')])
    .node('sys-1', {
      group: 'system',
      subnet: natsSubnet,
      ip: sameSubnet ? '10.0.32.20' : '10.0.16.10',
      sgs: ['sg-sys'],
      podIps: [sameSubnet ? '10.0.32.21' : '10.0.16.11'],
    })
    .node('gpu-1', {
      group: 'gpu',
      subnet: 'subnet-gpu',
      ip: '10.0.32.10',
      sgs: ['sg-gpu'],
      gpu: true,
      podIps: ['10.0.32.11'],
    })
    .nats('nats-0', 'sys-1', sameSubnet ? '10.0.32.21' : '10.0.16.11')
    .dynamo('worker-0', 'worker', 'gpu-1', '10.0.32.11')
    .analyze({ conformance: false });
  const flow = result.flows.find((f) => f.requirement === 'nats' && f.source.kind === 'pods')!;
  return { result, flow };
}

describe('network ACLs', () => {
  it('allow-all NACLs on both subnets → allowed, all four places checked', () => {
    const { flow } = flowWith(naclAllowAll());
    assert.equal(flow.status, 'allowed');
    assert.deepEqual(
      flow.steps.filter((s) => s.kind.startsWith('nacl')).map((s) => `${s.kind}:${s.status}`),
      [
        'nacl-source-outbound:allowed',
        'nacl-destination-inbound:allowed',
        'nacl-destination-outbound-return:allowed',
        'nacl-source-inbound-return:allowed',
      ],
    );
  });

  it('allows 4222 inbound but denies the return ports → blocked on the reply', () => {
    const { flow, result } = flowWith([
      allow(100, false, '10.0.0.0/16', [4222, 4222]),
      catchAll(false),
      allow(100, true, '10.0.0.0/16', [443, 443]),
      catchAll(true),
    ]);
    assert.equal(flow.status, 'blocked');
    const reply = flow.steps.find((s) => s.kind === 'nacl-destination-outbound-return')!;
    assert.equal(reply.status, 'blocked');
    assert.match(reply.summary, /acl-sys outbound denies tcp\/32768-60999 to 10\.0\.32\.11 \(rule 32767\)/);
    const fix = result.naclRemediation.find((n) => n.naclId === 'acl-sys' && n.egress);
    assert.ok(fix, 'a return-traffic NACL fix is proposed');
    assert.deepEqual(
      [fix.ruleNumber, fix.fromPort, fix.toPort, fix.cidr],
      [32766, 32768, 60999, '10.0.32.0/20'],
    );
  });

  it('first match wins: a deny numbered before the allow blocks', () => {
    const { flow } = flowWith([
      deny(90, false, '10.0.32.0/20', [4222, 4222]),
      allow(100, false, '0.0.0.0/0'),
      catchAll(false),
      allow(100, true, '0.0.0.0/0'),
      catchAll(true),
    ]);
    assert.equal(flow.status, 'blocked');
    const step = flow.steps.find((s) => s.kind === 'nacl-destination-inbound')!;
    assert.match(step.summary, /rule 90/);
  });

  it('first match wins: an allow numbered before a deny lets it through', () => {
    const { flow } = flowWith([
      allow(80, false, '10.0.32.0/20', [4222, 4222]),
      deny(90, false, '0.0.0.0/0', [4222, 4222]),
      allow(100, false, '0.0.0.0/0'),
      catchAll(false),
      allow(100, true, '0.0.0.0/0'),
      catchAll(true),
    ]);
    assert.equal(flow.status, 'allowed');
  });

  it('denies only part of the ephemeral range → blocked for those ports', () => {
    const { flow } = flowWith(naclAllowAll(), [
      allow(100, false, '0.0.0.0/0', [1024, 40000]),
      catchAll(false),
      allow(100, true, '0.0.0.0/0'),
      catchAll(true),
    ]);
    const step = flow.steps.find((s) => s.kind === 'nacl-source-inbound-return')!;
    assert.equal(step.status, 'blocked');
    assert.deepEqual(step.deniedPorts, [{ from: 40001, to: 60999 }]);
  });

  it('an entry whose CIDR covers only part of a predicted pod range → unknown', () => {
    const { result } = flowWith([
      allow(100, false, '10.0.32.0/24'),
      catchAll(false),
      allow(100, true, '0.0.0.0/0'),
      catchAll(true),
    ]);
    const predicted = result.flows.find((f) => f.requirement === 'nats' && f.source.kind === 'nodes')!;
    assert.equal(predicted.status, 'unknown');
    assert.match(predicted.reason, /covers only part of an IP in subnet-gpu/);
  });

  it('within one subnet NACLs do not apply', () => {
    const { flow } = flowWith([], [catchAll(false), catchAll(true)], true);
    assert.equal(flow.status, 'allowed');
    assert.ok(flow.steps.some((s) => s.status === 'skipped' && /same subnet/.test(s.summary)));
  });

  it('a NACL without explicit entries still has the implicit deny', () => {
    const { flow } = flowWith([]);
    assert.equal(flow.status, 'blocked');
    assert.match(flow.reason, /rule \*/);
  });

  it('an ENI captured without SubnetId is not "same subnet": the NACLs are unknown, not skipped', () => {
    const denyAll = [deny(100, false, '0.0.0.0/0'), deny(100, true, '0.0.0.0/0')];
    const files = scenario()
      .subnet('subnet-sys', '10.0.16.0/20')
      .subnet('subnet-gpu', '10.0.32.0/20')
      .nacl('acl-sys', ['subnet-sys'], denyAll)
      .nacl('acl-gpu', ['subnet-gpu'], denyAll)
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
        podIps: ['10.0.32.11', '10.0.32.12'],
      })
      .nats('nats-0', 'sys-1', '10.0.16.11')
      .dynamo('worker-0', 'worker', 'gpu-1', '10.0.32.11')
      .dynamo('worker-1', 'worker', 'gpu-1', '10.0.32.12')
      .files();
    const withoutSubnetIds = files.map((file) =>
      /network-interfaces|instances/.test(file.path)
        ? { ...file, text: file.text.replace(/^\s*"SubnetId": "[^"]*",?\n/gm, '') }
        : file,
    );
    assert.notDeepEqual(withoutSubnetIds, files, 'the SubnetIds were there to remove');
    const parsed = parseSnapshot(withoutSubnetIds);
    assert.ok(parsed.ok);
    const fromPods = analyzeSnapshot(parsed.snapshot, { conformance: false }).flows.filter(
      (f) => f.requirement === 'nats' && f.source.kind === 'pods',
    );
    // Decided alike: one class of two pods, not one class per pod named in the missing fact.
    assert.deepEqual(
      fromPods.map((f) => f.source.count),
      [2],
    );
    const flow = fromPods[0]!;
    assert.equal(flow.status, 'unknown', flow.reason);
    assert.match(flow.reason, /subnet of .* is not known .*network ACLs on the path cannot be checked/);
  });
});
