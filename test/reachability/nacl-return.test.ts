/**
 * NACLs are stateless: "responses to allowed inbound traffic are subject to the rules for outbound
 * traffic (and vice versa)" (Amazon VPC User Guide, "Control subnet traffic with network access
 * control lists"). That holds for UDP as for TCP: a DNS answer from CoreDNS (udp/53) goes back to
 * the client's ephemeral port, so the DNS server's subnet must let udp to those ports out.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allTraffic, scenario, type NaclEntry } from '../helpers/scenario.ts';
import { buildModel, evaluateFlow, podEndpoint } from '../helpers/core.ts';

const GPU_SUBNET = '10.0.32.0/20';
const SYS_SUBNET = '10.0.16.0/20';

const entry = (
  RuleNumber: number,
  RuleAction: 'allow' | 'deny',
  Egress: boolean,
  CidrBlock: string,
  Protocol = '-1',
  ports?: [number, number],
): NaclEntry => ({
  RuleNumber,
  RuleAction,
  Egress,
  CidrBlock,
  Protocol,
  ...(ports ? { PortRange: { From: ports[0], To: ports[1] } } : {}),
});

/** The DNS subnet admits udp/53 and lets only TCP replies out (a common hand-written NACL). */
const dnsSubnetNacl: NaclEntry[] = [
  entry(100, 'allow', false, GPU_SUBNET, '17', [53, 53]),
  entry(110, 'allow', false, GPU_SUBNET, '6', [53, 53]),
  entry(32767, 'deny', false, '0.0.0.0/0'),
  entry(100, 'allow', true, GPU_SUBNET, '6', [1024, 65535]),
  entry(32767, 'deny', true, '0.0.0.0/0'),
];
const openNacl: NaclEntry[] = [
  entry(100, 'allow', false, '0.0.0.0/0'),
  entry(32767, 'deny', false, '0.0.0.0/0'),
  entry(100, 'allow', true, '0.0.0.0/0'),
  entry(32767, 'deny', true, '0.0.0.0/0'),
];

function dnsFlow(protocol: 'udp' | 'tcp') {
  const snapshot = scenario()
    .subnet('subnet-sys', SYS_SUBNET)
    .subnet('subnet-gpu', GPU_SUBNET)
    .nacl('acl-sys', ['subnet-sys'], dnsSubnetNacl)
    .nacl('acl-gpu', ['subnet-gpu'], openNacl)
    .sg('sg-sys', [allTraffic.fromGroup('sg-sys'), allTraffic.fromGroup('sg-gpu')])
    .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')])
    .node('sys-1', {
      group: 'system',
      subnet: 'subnet-sys',
      ip: '10.0.16.10',
      sgs: ['sg-sys'],
      podIps: ['10.0.16.53'],
    })
    .node('gpu-1', {
      group: 'gpu',
      subnet: 'subnet-gpu',
      ip: '10.0.32.10',
      sgs: ['sg-gpu'],
      gpu: true,
      podIps: ['10.0.32.11'],
    })
    .pod('coredns-0', {
      namespace: 'kube-system',
      node: 'sys-1',
      ip: '10.0.16.53',
      labels: { 'k8s-app': 'kube-dns' },
    })
    .dynamo('worker-0', 'worker', 'gpu-1', '10.0.32.11')
    .snapshot();
  const model = buildModel(snapshot);
  const pod = (name: string) => {
    const found = model.pods.find((p) => p.name === name);
    assert.ok(found, `pod ${name} is in the model`);
    return podEndpoint(model, found);
  };
  return evaluateFlow(model, {
    source: pod('worker-0'),
    destination: pod('coredns-0'),
    protocol,
    ports: { from: 53, to: 53 },
  });
}

describe('NACL return traffic for UDP', () => {
  it('udp/53 whose reply the DNS subnet NACL denies (udp ephemeral ports) is blocked', () => {
    const trace = dnsFlow('udp');
    const reply = trace.steps.find((s) => s.kind === 'nacl-destination-outbound-return');
    assert.ok(reply, 'the reply through the DNS subnet outbound NACL is checked for udp');
    assert.equal(reply.status, 'blocked');
    assert.match(reply.summary, /acl-sys outbound denies udp\//);
    assert.equal(trace.status, 'blocked', trace.reason);
  });

  it('control: the same NACL lets the tcp/53 reply out, so tcp/53 is allowed', () => {
    const trace = dnsFlow('tcp');
    assert.equal(trace.status, 'allowed', trace.reason);
  });
});
