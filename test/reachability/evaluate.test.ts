/**
 * The evaluator's trace of one flow: which steps it checks, what each says, which rules and entries
 * it names, and which ports it reports as denied (what a fix then opens). Each case is built from
 * AWS's documented semantics: SG rules are a union and stateful ("Security group rules", Amazon
 * VPC User Guide); NACLs apply only across subnets, evaluate entries in rule-number order (first
 * match wins) and are stateless, so replies to the client's ephemeral ports must pass both NACLs
 * again ("Control subnet traffic with network access control lists"); pod-to-pod traffic on one
 * node never leaves the node, so no ENI's SGs or subnet's NACL see it (VPC CNI).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Endpoint } from '../../src/model/endpoints.ts';
import type { PortRange, Protocol } from '../../src/model/types.ts';
import type { FlowTrace, TraceStep } from '../../src/reachability/types.ts';
import { buildModel, evaluateFlow, podEndpoint, predictedEndpoint } from '../helpers/core.ts';
import {
  ALLOW_ALL_EGRESS,
  allTraffic,
  naclAllowAll,
  scenario,
  tcp,
  type NaclEntry,
  type Permission,
  type Scenario,
} from '../helpers/scenario.ts';

const A_SUBNET = '10.0.16.0/20';
const B_SUBNET = '10.0.32.0/20';
/** The two halves of subnet-a: a predicted pod there may get an address in either. */
const A_LOW = '10.0.16.0/21';
const A_HIGH = '10.0.24.0/21';

const entry = (
  n: number,
  egress: boolean,
  action: 'allow' | 'deny',
  cidr: string,
  ports?: [number, number],
): NaclEntry => ({
  RuleNumber: n,
  Protocol: ports ? '6' : '-1',
  RuleAction: action,
  Egress: egress,
  CidrBlock: cidr,
  ...(ports ? { PortRange: { From: ports[0], To: ports[1] } } : {}),
});

interface World {
  /** Ingress of sg-b (the server's group); sg-a (the client's) lets everything out. */
  bIngress?: Permission[];
  aEgress?: Permission[];
  /** Groups on the client node's ENI (default sg-a). */
  aGroups?: string[];
  /** Groups on the server node's ENI (default sg-b). */
  bGroups?: string[];
  /** NACL entries of subnet-a and subnet-b (default: allow all). */
  aNacl?: NaclEntry[];
  bNacl?: NaclEntry[];
  /** The server in subnet-a too. */
  sameSubnet?: boolean;
  more?: (s: Scenario) => Scenario;
}

/**
 * client-0 (10.0.16.11 on node a-1, subnet-a, sg-a) and server-0 (10.0.32.11 on node b-1,
 * subnet-b, sg-b), or a pod not created yet on a-1 (any address of subnet-a).
 */
function world(w: World = {}) {
  let s = scenario()
    .subnet('subnet-a', A_SUBNET)
    .subnet('subnet-b', B_SUBNET)
    .nacl('acl-a', ['subnet-a'], w.aNacl ?? naclAllowAll())
    .nacl('acl-b', ['subnet-b'], w.bNacl ?? naclAllowAll())
    .sg('sg-a', [], w.aEgress ?? [ALLOW_ALL_EGRESS])
    .sg('sg-b', w.bIngress ?? [allTraffic.fromGroup('sg-a')])
    .node('a-1', {
      group: 'a',
      subnet: 'subnet-a',
      ip: '10.0.16.10',
      sgs: w.aGroups ?? ['sg-a'],
      podIps: ['10.0.16.11', '10.0.16.12'],
    })
    .node('b-1', {
      group: 'b',
      subnet: w.sameSubnet ? 'subnet-a' : 'subnet-b',
      ip: w.sameSubnet ? '10.0.17.10' : '10.0.32.10',
      sgs: w.bGroups ?? ['sg-b'],
      podIps: [w.sameSubnet ? '10.0.17.11' : '10.0.32.11'],
    })
    .pod('client-0', { namespace: 'default', node: 'a-1', ip: '10.0.16.11' })
    .pod('server-0', { namespace: 'default', node: 'b-1', ip: w.sameSubnet ? '10.0.17.11' : '10.0.32.11' });
  if (w.more) s = w.more(s);
  const model = buildModel(s.snapshot());
  const pod = (name: string): Endpoint => {
    const found = model.pods.find((p) => p.name === name);
    assert.ok(found, `pod ${name} is in the model`);
    return podEndpoint(model, found);
  };
  const predicted = (node: string): Endpoint => {
    const found = model.nodes.get(node);
    assert.ok(found, `node ${node} is in the model`);
    return predictedEndpoint(model, found);
  };
  const flow = (
    source: Endpoint,
    destination: Endpoint,
    ports: PortRange = { from: 8000, to: 8000 },
    protocol: Protocol = 'tcp',
  ): FlowTrace => evaluateFlow(model, { source, destination, protocol, ports });
  return { model, pod, predicted, flow };
}

const step = (trace: FlowTrace, kind: TraceStep['kind']): TraceStep => {
  const found = trace.steps.find((s) => s.kind === kind);
  assert.ok(found, `the trace has a ${kind} step: ${trace.steps.map((s) => s.kind).join(', ')}`);
  return found;
};
const factTexts = (s: TraceStep): string[] => s.facts.map((f) => f.text);
const kinds = (trace: FlowTrace): string[] => trace.steps.map((s) => `${s.kind}:${s.status}`);

describe('evaluateFlow: security groups', () => {
  it('names only the rules that add ports: a second rule inside the first one’s range is not a reason', () => {
    const { pod, flow } = world({
      bIngress: [tcp(8000, 8100).fromGroup('sg-a'), tcp(8000).fromCidr(A_SUBNET)],
    });
    const trace = flow(pod('client-0'), pod('server-0'));
    const ingress = step(trace, 'sg-ingress');
    assert.equal(ingress.status, 'allowed');
    assert.deepEqual(factTexts(ingress), ['sg-b ingress tcp/8000-8100 from 123456789012/sg-a']);
    assert.equal(ingress.at, 'eni-b-1-0 [sg-b]');
    assert.match(
      ingress.summary,
      /^ingress tcp\/8000 from default\/client-0 \(10\.0\.16\.11\) allowed by sg-b ingress tcp\/8000-8100 from 123456789012\/sg-a$/,
    );
  });

  it('two rules that each cover part of the ports are both named, and together allow them', () => {
    const { pod, flow } = world({
      bIngress: [tcp(8000).fromGroup('sg-a'), tcp(8001).fromCidr('10.0.16.11/32')],
    });
    const ingress = step(flow(pod('client-0'), pod('server-0'), { from: 8000, to: 8001 }), 'sg-ingress');
    assert.equal(ingress.status, 'allowed');
    assert.deepEqual(factTexts(ingress), [
      'sg-b ingress tcp/8000 from 123456789012/sg-a',
      'sg-b ingress tcp/8001 from 10.0.16.11/32',
    ]);
  });

  it('a rule of another protocol, or for other ports, or from another peer does not allow', () => {
    const { pod, flow } = world({
      bIngress: [
        { IpProtocol: 'udp', FromPort: 8000, ToPort: 8000, UserIdGroupPairs: [{ GroupId: 'sg-a' }] },
        tcp(8001, 9000).fromGroup('sg-a'),
        tcp(8000).fromCidr('10.0.16.12/32'),
        tcp(8000).fromGroup('sg-b'),
      ],
    });
    const trace = flow(pod('client-0'), pod('server-0'));
    const ingress = step(trace, 'sg-ingress');
    assert.equal(ingress.status, 'blocked');
    assert.deepEqual(ingress.deniedPorts, [{ from: 8000, to: 8000 }]);
    assert.deepEqual(ingress.facts, []);
    assert.equal(trace.status, 'blocked');
    assert.equal(trace.reason, ingress.summary);
  });

  it('ports partly allowed: blocked, the rest reported as denied and the allowed part said', () => {
    const { pod, flow } = world({ bIngress: [tcp(8000, 8001).fromGroup('sg-a')] });
    const trace = flow(pod('client-0'), pod('server-0'), { from: 7999, to: 8003 });
    const ingress = step(trace, 'sg-ingress');
    assert.equal(ingress.status, 'blocked');
    assert.deepEqual(ingress.deniedPorts, [
      { from: 7999, to: 7999 },
      { from: 8002, to: 8003 },
    ]);
    assert.equal(
      ingress.summary,
      'no ingress rule in [sg-b] allows tcp/7999-8003 from default/client-0 (10.0.16.11) (only 8000-8001 is)',
    );
    assert.deepEqual(factTexts(ingress), ['sg-b ingress tcp/8000-8001 from 123456789012/sg-a']);
  });

  it('egress is decided by the source ENI’s outbound rules, not its inbound ones', () => {
    const { pod, flow } = world({ aEgress: [tcp(9000).fromCidr('0.0.0.0/0')] });
    const trace = flow(pod('client-0'), pod('server-0'));
    const egress = step(trace, 'sg-egress');
    assert.equal(egress.status, 'blocked');
    assert.equal(egress.at, 'eni-a-1-0 [sg-a]');
    assert.equal(egress.summary, 'no egress rule in [sg-a] allows tcp/8000 to default/server-0 (10.0.32.11)');
    assert.deepEqual(egress.deniedPorts, [{ from: 8000, to: 8000 }]);
    assert.equal(step(trace, 'sg-ingress').status, 'allowed');
    assert.equal(trace.status, 'blocked');
  });

  it('an ENI without security groups allows nothing, and says so', () => {
    const { pod, flow } = world({ bGroups: [] });
    const ingress = step(flow(pod('client-0'), pod('server-0')), 'sg-ingress');
    assert.equal(ingress.status, 'blocked');
    assert.equal(ingress.at, 'eni-b-1-0 [no SGs]');
    assert.match(ingress.summary, /^no ingress rule in \[no SGs\] allows tcp\/8000 from /);
  });

  it('a group on the ENI that the snapshot lacks: unknown unless the captured groups allow', () => {
    const missing = world({ bGroups: ['sg-b', 'sg-gone'], bIngress: [] });
    const unknown = step(missing.flow(missing.pod('client-0'), missing.pod('server-0')), 'sg-ingress');
    assert.equal(unknown.status, 'unknown');
    assert.equal(
      unknown.summary,
      'ingress tcp/8000 from default/client-0 (10.0.16.11) cannot be decided: security group sg-gone on eni-b-1-0 is not in the snapshot',
    );
    assert.deepEqual(unknown.facts, [
      { kind: 'missing', text: 'security group sg-gone on eni-b-1-0 is not in the snapshot' },
    ]);

    const allowed = world({ bGroups: ['sg-b', 'sg-gone'], bIngress: [tcp(8000).fromGroup('sg-a')] });
    assert.equal(
      step(allowed.flow(allowed.pod('client-0'), allowed.pod('server-0')), 'sg-ingress').status,
      'allowed',
    );
  });

  it('a rule naming a group the snapshot lacks (deleted) is not a match, and the block says why', () => {
    const { pod, flow } = world({ bIngress: [tcp(8000).fromGroup('sg-deleted')] });
    const ingress = step(flow(pod('client-0'), pod('server-0')), 'sg-ingress');
    assert.equal(ingress.status, 'blocked');
    assert.equal(
      ingress.summary,
      'no ingress rule in [sg-b] allows tcp/8000 from default/client-0 (10.0.16.11); sg-b ingress tcp/8000 from 123456789012/sg-deleted: sg-deleted is not in the snapshot (deleted, or not captured) and default/client-0 does not carry it',
    );
    assert.deepEqual(
      ingress.facts.map((f) => f.kind),
      ['unmatchable-reference'],
    );
  });

  it('a rule naming a group that is in the snapshot but not on the client is no match, with no note', () => {
    const { pod, flow } = world({
      bIngress: [tcp(8000).fromGroup('sg-other')],
      more: (s) => s.sg('sg-other', []),
    });
    const ingress = step(flow(pod('client-0'), pod('server-0')), 'sg-ingress');
    assert.equal(ingress.status, 'blocked');
    assert.equal(
      ingress.summary,
      'no ingress rule in [sg-b] allows tcp/8000 from default/client-0 (10.0.16.11)',
    );
  });

  it('a rule whose prefix list was not captured: unknown for its ports, blocked for the others', () => {
    const { pod, flow } = world({ bIngress: [tcp(8000).fromPrefixList('pl-0missing')] });
    const unknown = step(flow(pod('client-0'), pod('server-0')), 'sg-ingress');
    assert.equal(unknown.status, 'unknown');
    assert.equal(
      unknown.summary,
      'ingress tcp/8000 from default/client-0 (10.0.16.11) cannot be decided: sg-b ingress tcp/8000 from prefix list pl-0missing: entries of prefix list pl-0missing were not captured',
    );
    const blocked = step(flow(pod('client-0'), pod('server-0'), { from: 8000, to: 8001 }), 'sg-ingress');
    assert.equal(blocked.status, 'blocked');
    // The ports not known to be allowed: what a fix must open (8000 may already be).
    assert.deepEqual(blocked.deniedPorts, [{ from: 8000, to: 8001 }]);
  });

  it('a prefix list whose entries do not hold the client: no match; one entry that does: allowed', () => {
    const no = world({
      bIngress: [tcp(8000).fromPrefixList('pl-0aaa')],
      more: (s) => s.prefixList('pl-0aaa', ['192.168.0.0/16', '10.0.32.0/20']),
    });
    assert.equal(step(no.flow(no.pod('client-0'), no.pod('server-0')), 'sg-ingress').status, 'blocked');
    const yes = world({
      bIngress: [tcp(8000).fromPrefixList('pl-0aaa')],
      more: (s) => s.prefixList('pl-0aaa', ['192.168.0.0/16', '10.0.16.0/24']),
    });
    const ingress = step(yes.flow(yes.pod('client-0'), yes.pod('server-0')), 'sg-ingress');
    assert.equal(ingress.status, 'allowed');
    assert.deepEqual(factTexts(ingress), ['sg-b ingress tcp/8000 from prefix list pl-0aaa']);
  });
});

describe('evaluateFlow: a pod not created yet (any address of its subnet) against CIDRs that cover part of it', () => {
  it('two CIDRs that together cover the subnet allow it, and both are named', () => {
    const { pod, predicted, flow } = world({
      bIngress: [tcp(8000).fromCidr(A_LOW), tcp(8000).fromCidr(A_HIGH)],
    });
    const ingress = step(flow(predicted('a-1'), pod('server-0')), 'sg-ingress');
    assert.equal(ingress.status, 'allowed');
    assert.deepEqual(factTexts(ingress), [
      `sg-b ingress tcp/8000 from ${A_LOW}`,
      `sg-b ingress tcp/8000 from ${A_HIGH}`,
    ]);
  });

  it('one half only: unknown, naming the CIDR that covers part', () => {
    const { pod, predicted, flow } = world({ bIngress: [tcp(8000).fromCidr(A_LOW)] });
    const source = predicted('a-1');
    const ingress = step(flow(source, pod('server-0')), 'sg-ingress');
    assert.equal(ingress.status, 'unknown');
    assert.deepEqual(factTexts(ingress), [
      `sg-b ingress tcp/8000 from ${A_LOW}: ${A_LOW} covers only part of ${source.addressText}`,
    ]);
  });

  it('a prefix list with an entry for each half allows; one entry only is unknown, naming the list', () => {
    const both = world({
      bIngress: [tcp(8000).fromPrefixList('pl-0aaa')],
      more: (s) => s.prefixList('pl-0aaa', [A_LOW, A_HIGH]),
    });
    assert.equal(
      step(both.flow(both.predicted('a-1'), both.pod('server-0')), 'sg-ingress').status,
      'allowed',
    );
    const half = world({
      bIngress: [tcp(8000).fromPrefixList('pl-0aaa')],
      more: (s) => s.prefixList('pl-0aaa', [A_LOW, '192.168.0.0/16']),
    });
    const source = half.predicted('a-1');
    const ingress = step(half.flow(source, half.pod('server-0')), 'sg-ingress');
    assert.equal(ingress.status, 'unknown');
    assert.match(
      ingress.summary,
      new RegExp(`pl-0aaa entry covers only part of ${source.addressText.replace(/[.()/]/g, '\\$&')}`),
    );
  });

  it('halves on overlapping port ranges allow only the ports both cover', () => {
    // 10.0.16.0/21 → 8000-8005, 10.0.24.0/21 → 8003-8010: every address of subnet-a may reach
    // 8003-8005; 8000-8002 and 8006-8010 only from one half each.
    const halves = [tcp(8000, 8005).fromCidr(A_LOW), tcp(8003, 8010).fromCidr(A_HIGH)];
    const { pod, predicted, flow } = world({ bIngress: halves });
    assert.equal(
      step(flow(predicted('a-1'), pod('server-0'), { from: 8003, to: 8005 }), 'sg-ingress').status,
      'allowed',
    );
    const wide = step(flow(predicted('a-1'), pod('server-0'), { from: 8000, to: 8010 }), 'sg-ingress');
    assert.equal(wide.status, 'unknown');
    for (const p of [8002, 8006]) {
      assert.equal(
        step(flow(predicted('a-1'), pod('server-0'), { from: p, to: p }), 'sg-ingress').status,
        'unknown',
      );
    }
    // A rule for the whole subnet on the ports the halves do not share completes the range.
    const completed = world({
      bIngress: [...halves, tcp(8000, 8002).fromCidr(A_SUBNET), tcp(8006, 8010).fromCidr(A_SUBNET)],
    });
    const all = step(
      completed.flow(completed.predicted('a-1'), completed.pod('server-0'), { from: 8000, to: 8010 }),
      'sg-ingress',
    );
    assert.equal(all.status, 'allowed');
  });

  it('a CIDR half that does not hold the port leaves it blocked, not unknown', () => {
    const { pod, predicted, flow } = world({ bIngress: [tcp(9000).fromCidr(A_LOW)] });
    const ingress = step(flow(predicted('a-1'), pod('server-0')), 'sg-ingress');
    assert.equal(ingress.status, 'blocked');
    assert.deepEqual(ingress.deniedPorts, [{ from: 8000, to: 8000 }]);
  });

  it('a half for some ports and a whole-subnet rule for the rest: unknown only on the half’s ports', () => {
    const { pod, predicted, flow } = world({
      bIngress: [tcp(8000).fromCidr(A_SUBNET), tcp(8001).fromCidr(A_LOW)],
    });
    const ingress = step(flow(predicted('a-1'), pod('server-0'), { from: 8000, to: 8002 }), 'sg-ingress');
    // 8002: no rule at all → blocked; 8000 is allowed, 8001 only maybe: both are for a fix to open.
    assert.equal(ingress.status, 'blocked');
    assert.deepEqual(ingress.deniedPorts, [{ from: 8001, to: 8002 }]);
    assert.match(ingress.summary, /\(only 8000 is\)$/);
  });
});

describe('evaluateFlow: network ACLs', () => {
  it('names the entries that allowed, in each direction', () => {
    const { pod, flow } = world({
      bNacl: [
        entry(90, false, 'allow', A_SUBNET, [8000, 8000]),
        entry(100, false, 'allow', '0.0.0.0/0'),
        entry(32767, false, 'deny', '0.0.0.0/0'),
        entry(100, true, 'allow', '0.0.0.0/0'),
        entry(32767, true, 'deny', '0.0.0.0/0'),
      ],
    });
    const trace = flow(pod('client-0'), pod('server-0'));
    const inbound = step(trace, 'nacl-destination-inbound');
    assert.equal(inbound.status, 'allowed');
    assert.equal(inbound.at, 'acl-b on subnet-b');
    assert.equal(inbound.summary, 'acl-b inbound allows tcp/8000 from 10.0.16.11 (rule 90)');
    assert.deepEqual(factTexts(inbound), [`acl-b inbound rule 90 allow tcp/8000 from ${A_SUBNET}`]);
    const outbound = step(trace, 'nacl-source-outbound');
    assert.equal(outbound.summary, 'acl-a outbound allows tcp/8000 to 10.0.32.11 (rule 100)');
    assert.equal(trace.status, 'allowed');
  });

  it('first match wins per port: a deny for one port before an allow-all blocks that port only', () => {
    const { pod, flow } = world({
      bNacl: [
        entry(90, false, 'deny', A_SUBNET, [8001, 8001]),
        entry(100, false, 'allow', '0.0.0.0/0'),
        entry(32767, false, 'deny', '0.0.0.0/0'),
        entry(100, true, 'allow', '0.0.0.0/0'),
        entry(32767, true, 'deny', '0.0.0.0/0'),
      ],
    });
    const trace = flow(pod('client-0'), pod('server-0'), { from: 8000, to: 8002 });
    const inbound = step(trace, 'nacl-destination-inbound');
    assert.equal(inbound.status, 'blocked');
    assert.deepEqual(inbound.deniedPorts, [{ from: 8001, to: 8001 }]);
    assert.equal(inbound.summary, 'acl-b inbound denies tcp/8001 from 10.0.16.11 (rule 90)');
    assert.deepEqual(factTexts(inbound), [
      `acl-b inbound rule 90 deny tcp/8001 from ${A_SUBNET}`,
      'acl-b inbound rule 100 allow all traffic from 0.0.0.0/0',
    ]);
    assert.equal(trace.status, 'blocked');
    assert.equal(trace.reason, inbound.summary);
  });

  it('ports no entry matches fall to the implicit deny (rule *)', () => {
    const { pod, flow } = world({
      bNacl: [entry(100, false, 'allow', A_SUBNET, [8000, 8000]), entry(100, true, 'allow', '0.0.0.0/0')],
    });
    const inbound = step(
      flow(pod('client-0'), pod('server-0'), { from: 8000, to: 8001 }),
      'nacl-destination-inbound',
    );
    assert.equal(inbound.status, 'blocked');
    assert.deepEqual(inbound.deniedPorts, [{ from: 8001, to: 8001 }]);
    assert.equal(inbound.summary, 'acl-b inbound denies tcp/8001 from 10.0.16.11 (rule *)');
    assert.deepEqual(inbound.facts[0], {
      kind: 'nacl-entry',
      naclId: 'acl-b',
      ruleNumber: '*',
      direction: 'inbound',
      action: 'deny',
      text: 'acl-b inbound rule * deny all (implicit)',
    });
  });

  it('the replies go back to the client’s ephemeral ports through both NACLs: a reply denied by the server’s subnet blocks', () => {
    const { pod, flow } = world({
      bNacl: [
        entry(100, false, 'allow', '0.0.0.0/0'),
        entry(100, true, 'allow', '0.0.0.0/0', [0, 1023]),
        entry(32767, true, 'deny', '0.0.0.0/0'),
      ],
    });
    const trace = flow(pod('client-0'), pod('server-0'));
    assert.deepEqual(kinds(trace), [
      'sg-egress:allowed',
      'nacl-source-outbound:allowed',
      'nacl-destination-inbound:allowed',
      'sg-ingress:allowed',
      'nacl-destination-outbound-return:blocked',
      'nacl-source-inbound-return:allowed',
    ]);
    const reply = step(trace, 'nacl-destination-outbound-return');
    assert.equal(reply.at, 'acl-b on subnet-b');
    assert.match(reply.summary, /^acl-b outbound denies tcp\/\d+-\d+ to 10\.0\.16\.11 \(rule 32767\)$/);
    assert.equal(trace.status, 'blocked');
  });

  it('the source subnet’s inbound NACL must let the replies in', () => {
    const { pod, flow } = world({
      aNacl: [entry(100, false, 'allow', '0.0.0.0/0', [0, 1023]), entry(100, true, 'allow', '0.0.0.0/0')],
    });
    const trace = flow(pod('client-0'), pod('server-0'));
    const reply = step(trace, 'nacl-source-inbound-return');
    assert.equal(reply.status, 'blocked');
    assert.equal(reply.at, 'acl-a on subnet-a');
    assert.match(reply.summary, /^acl-a inbound denies tcp\/\d+-\d+ from 10\.0\.32\.11 \(rule \*\)$/);
    assert.equal(trace.status, 'blocked');
  });

  it('ICMP has no ports to reply to: no return steps, even when the NACLs deny every reply port', () => {
    const { pod, flow } = world({
      bNacl: [
        entry(100, false, 'allow', '0.0.0.0/0'),
        { ...entry(100, true, 'allow', '0.0.0.0/0'), Protocol: '1' },
      ],
    });
    const trace = flow(pod('client-0'), pod('server-0'), { from: 0, to: 65535 }, 'icmp');
    assert.deepEqual(
      trace.steps.map((s) => s.kind),
      ['sg-egress', 'nacl-source-outbound', 'nacl-destination-inbound', 'sg-ingress'],
    );
    assert.equal(trace.status, 'allowed', trace.reason);
  });

  it('UDP replies are checked like TCP ones', () => {
    const { pod, flow } = world({
      bNacl: [entry(100, false, 'allow', '0.0.0.0/0'), entry(32767, true, 'deny', '0.0.0.0/0')],
    });
    const trace = flow(pod('client-0'), pod('server-0'), { from: 53, to: 53 }, 'udp');
    assert.equal(step(trace, 'nacl-destination-outbound-return').status, 'blocked');
    assert.equal(trace.status, 'blocked');
  });

  it('a subnet with no NACL in the snapshot is unknown, not allowed', () => {
    const { pod, flow } = world({
      more: (s) =>
        s
          .subnet('subnet-c', '10.0.48.0/20')
          .node('c-1', {
            group: 'c',
            subnet: 'subnet-c',
            ip: '10.0.48.10',
            sgs: ['sg-b'],
            podIps: ['10.0.48.11'],
          })
          .pod('lonely-0', { namespace: 'default', node: 'c-1', ip: '10.0.48.11' }),
    });
    const trace = flow(pod('client-0'), pod('lonely-0'));
    const inbound = step(trace, 'nacl-destination-inbound');
    assert.equal(inbound.status, 'unknown');
    assert.equal(inbound.at, 'NACL ? on subnet-c');
    assert.equal(
      inbound.summary,
      'inbound tcp/8000 from 10.0.16.11 cannot be decided: the network ACL of subnet-c is not in the snapshot',
    );
    assert.equal(trace.status, 'unknown');
    assert.equal(trace.reason, step(trace, 'nacl-destination-inbound').summary);
  });

  it('an ENI in a subnet the snapshot lacks: that NACL is unknown', () => {
    const { pod, flow } = world({
      more: (s) =>
        s
          .node('d-1', {
            group: 'd',
            subnet: 'subnet-gone',
            ip: '10.0.64.10',
            sgs: ['sg-b'],
            podIps: ['10.0.64.11'],
          })
          .pod('far-0', { namespace: 'default', node: 'd-1', ip: '10.0.64.11' }),
    });
    const trace = flow(pod('client-0'), pod('far-0'));
    const inbound = step(trace, 'nacl-destination-inbound');
    assert.equal(inbound.status, 'unknown');
    assert.match(inbound.summary, /cannot be decided: subnet subnet-gone is not in the snapshot$/);
    assert.deepEqual(inbound.facts, [{ kind: 'missing', text: 'subnet subnet-gone is not in the snapshot' }]);
  });
});

describe('evaluateFlow: NACL entries that cover part of a pod-not-created-yet’s subnet', () => {
  const openOut = [entry(100, true, 'allow', '0.0.0.0/0')];

  it('each half allowed by its own entry: allowed for every address', () => {
    const { pod, predicted, flow } = world({
      bNacl: [entry(100, false, 'allow', A_LOW), entry(110, false, 'allow', A_HIGH), ...openOut],
    });
    const source = predicted('a-1');
    const inbound = step(flow(source, pod('server-0')), 'nacl-destination-inbound');
    assert.equal(inbound.status, 'allowed');
    assert.match(
      inbound.summary,
      new RegExp(
        `^inbound tcp/8000 allowed for every address of ${source.addressText.replace(/[.()/]/g, '\\$&')}: `,
      ),
    );
    assert.deepEqual(factTexts(inbound), [
      `acl-b inbound rule 100 allow all traffic from ${A_LOW}`,
      `acl-b inbound rule 110 allow all traffic from ${A_HIGH}`,
    ]);
  });

  it('each half denied: blocked on the ports denied for every address', () => {
    const { pod, predicted, flow } = world({
      bNacl: [
        entry(100, false, 'allow', A_LOW, [8002, 8003]),
        entry(110, false, 'allow', A_HIGH, [8000, 8000]),
        entry(120, false, 'allow', A_HIGH, [8003, 8003]),
        ...openOut,
      ],
    });
    // Low half: 8000-8001 denied (implicit); high half: 8001-8002 denied. Denied everywhere: 8001.
    const inbound = step(
      flow(predicted('a-1'), pod('server-0'), { from: 8000, to: 8003 }),
      'nacl-destination-inbound',
    );
    assert.equal(inbound.status, 'blocked');
    assert.deepEqual(inbound.deniedPorts, [{ from: 8001, to: 8001 }]);
    assert.match(inbound.summary, /^inbound tcp\/8001 denied for every address of /);
  });

  it('one half allowed, the other denied: unknown (it depends on the address the pod gets)', () => {
    const { pod, predicted, flow } = world({
      bNacl: [entry(100, false, 'allow', A_LOW), entry(110, false, 'deny', A_HIGH), ...openOut],
    });
    const inbound = step(flow(predicted('a-1'), pod('server-0')), 'nacl-destination-inbound');
    assert.equal(inbound.status, 'unknown');
    assert.match(
      inbound.summary,
      /^inbound tcp\/8000 from .* cannot be decided: entry 100 \(10\.0\.16\.0\/21\), entry 110 \(10\.0\.24\.0\/21\) cover only part of /,
    );
    assert.deepEqual(inbound.deniedPorts, undefined);
  });

  it('one partial entry: "covers" in the singular', () => {
    const { pod, predicted, flow } = world({
      bNacl: [
        entry(100, false, 'allow', A_LOW),
        entry(200, false, 'allow', '10.0.0.0/8', [9000, 9000]),
        ...openOut,
      ],
    });
    const inbound = step(flow(predicted('a-1'), pod('server-0')), 'nacl-destination-inbound');
    assert.equal(inbound.status, 'unknown');
    assert.match(inbound.summary, / entry 100 \(10\.0\.16\.0\/21\) covers only part of /);
  });

  it('both halves blocked on disjoint ports: no port is denied for every address, so unknown', () => {
    const { pod, predicted, flow } = world({
      bNacl: [
        entry(100, false, 'allow', A_LOW, [8001, 8001]),
        entry(110, false, 'allow', A_HIGH, [8000, 8000]),
        ...openOut,
      ],
    });
    const inbound = step(
      flow(predicted('a-1'), pod('server-0'), { from: 8000, to: 8001 }),
      'nacl-destination-inbound',
    );
    assert.equal(inbound.status, 'unknown');
  });

  it('an entry for another protocol that covers part of the subnet does not split it', () => {
    const { pod, predicted, flow } = world({
      bNacl: [
        { ...entry(90, false, 'deny', A_LOW, [0, 65535]), Protocol: '17' },
        entry(95, false, 'deny', A_HIGH, [9000, 9000]),
        entry(100, false, 'allow', '0.0.0.0/0'),
        ...openOut,
      ],
    });
    const inbound = step(flow(predicted('a-1'), pod('server-0')), 'nacl-destination-inbound');
    assert.equal(inbound.status, 'allowed');
    assert.equal(inbound.summary.includes('for every address'), false);
  });
});

/**
 * A packet passes only where every step allows it (EC2: security groups and network ACLs are both
 * evaluated; a NACL is stateless, so the reply is checked too). For a pod not created yet, each step
 * alone may allow part of its subnet: the flow is decided by where those parts overlap.
 */
describe('evaluateFlow: a pod not created yet, where each step allows a different part of its subnet', () => {
  const openOut = [entry(100, true, 'allow', '0.0.0.0/0')];
  const sorted = (s: TraceStep): string[] => factTexts(s).sort();

  it('SG rule for one half, NACL entry for the other: blocked for every address, both steps named', () => {
    const { pod, predicted, flow } = world({
      bIngress: [tcp(8000).fromCidr(A_LOW)],
      bNacl: [entry(100, false, 'allow', A_HIGH), ...openOut],
    });
    const trace = flow(predicted('a-1'), pod('server-0'));
    assert.equal(trace.status, 'blocked');
    assert.deepEqual(kinds(trace), [
      'sg-egress:allowed',
      'nacl-source-outbound:allowed',
      'nacl-destination-inbound:blocked',
      'sg-ingress:blocked',
      'nacl-destination-outbound-return:allowed',
      'nacl-source-inbound-return:allowed',
    ]);
    const ingress = step(trace, 'sg-ingress');
    const inbound = step(trace, 'nacl-destination-inbound');
    // Each step names what it decided with: the SG rule, and the NACL's allow and `*` deny.
    assert.deepEqual(sorted(ingress), [`sg-b ingress tcp/8000 from ${A_LOW}`]);
    assert.deepEqual(sorted(inbound), [
      `acl-b inbound rule * deny all (implicit)`,
      `acl-b inbound rule 100 allow all traffic from ${A_HIGH}`,
    ]);
    assert.deepEqual(
      ingress.facts.map((f) => f.kind),
      ['sg-rule'],
    );
    assert.deepEqual(inbound.facts.map((f) => f.kind).sort(), ['nacl-entry', 'nacl-entry']);
    // What a fix opens: the request's port at both steps.
    assert.deepEqual(ingress.deniedPorts, [{ from: 8000, to: 8000 }]);
    assert.deepEqual(inbound.deniedPorts, [{ from: 8000, to: 8000 }]);
    assert.equal(ingress.at, 'eni-b-1-0 [sg-b]');
    assert.equal(inbound.at, 'acl-b on subnet-b');
    // The reason is the first blocked step on the path, and says what each step allows.
    assert.equal(trace.reason, inbound.summary);
    assert.equal(
      inbound.summary,
      `nacl-destination-inbound (acl-b on subnet-b) allows only ${A_HIGH}, and sg-ingress (eni-b-1-0 [sg-b]) allows only ${A_LOW}: ` +
        `no address of a pod on a-1 (an IP in subnet-a (${A_SUBNET})) passes every step, so tcp/8000 is blocked for every address`,
    );
    assert.match(
      ingress.summary,
      new RegExp(
        `^sg-ingress \\(eni-b-1-0 \\[sg-b\\]\\) allows only 10\\.0\\.16\\.0/21, and nacl-destination-inbound`,
      ),
    );
  });

  it('parts that overlap: unknown, each step still unknown, the reason says where it is allowed', () => {
    const { pod, predicted, flow } = world({
      bIngress: [tcp(8000).fromCidr(A_LOW)],
      bNacl: [entry(100, false, 'allow', '10.0.20.0/22'), ...openOut],
    });
    const trace = flow(predicted('a-1'), pod('server-0'));
    assert.equal(trace.status, 'unknown');
    assert.equal(step(trace, 'sg-ingress').status, 'unknown');
    assert.equal(step(trace, 'nacl-destination-inbound').status, 'unknown');
    // 10.0.16.0/21 ∩ 10.0.20.0/22 = 10.0.20.0/22; the rest of 10.0.16.0/20 is blocked.
    assert.match(
      trace.reason,
      /; by the address of a pod on a-1 \(an IP in subnet-a \(10\.0\.16\.0\/20\)\): tcp\/8000 is allowed for 10\.0\.20\.0\/22; tcp\/8000 is blocked for 10\.0\.16\.0\/22, 10\.0\.24\.0\/21$/,
    );
  });

  it('the same port denied in one half by the SG and in the other by the NACL: blocked on that port only', () => {
    const { pod, predicted, flow } = world({
      bIngress: [tcp(8001).fromCidr(A_LOW), tcp(8000, 8001).fromCidr(A_HIGH)],
      bNacl: [
        entry(100, false, 'allow', A_LOW),
        entry(110, false, 'allow', A_HIGH, [8001, 8001]),
        ...openOut,
      ],
    });
    const trace = flow(predicted('a-1'), pod('server-0'), { from: 8000, to: 8001 });
    assert.equal(trace.status, 'blocked');
    assert.deepEqual(step(trace, 'sg-ingress').deniedPorts, [{ from: 8000, to: 8000 }]);
    assert.deepEqual(step(trace, 'nacl-destination-inbound').deniedPorts, [{ from: 8000, to: 8000 }]);
    assert.match(trace.reason, /, so tcp\/8000 is blocked for every address$/);
  });

  it('different ports denied in each half: no port is blocked for every address, so unknown, saying which', () => {
    const { pod, predicted, flow } = world({
      bIngress: [tcp(8001).fromCidr(A_LOW), tcp(8000, 8001).fromCidr(A_HIGH)],
      bNacl: [
        entry(100, false, 'allow', A_LOW),
        entry(110, false, 'allow', A_HIGH, [8000, 8000]),
        ...openOut,
      ],
    });
    const trace = flow(predicted('a-1'), pod('server-0'), { from: 8000, to: 8001 });
    assert.equal(trace.status, 'unknown');
    assert.match(
      trace.reason,
      /: tcp\/8000 is blocked for 10\.0\.16\.0\/21; tcp\/8001 is blocked for 10\.0\.24\.0\/21$/,
    );
  });

  it('the replies: the server’s NACL lets them out to one half, its SG admits the other: blocked', () => {
    const { pod, predicted, flow } = world({
      bIngress: [tcp(8000).fromCidr(A_LOW)],
      bNacl: [entry(100, false, 'allow', '0.0.0.0/0'), entry(100, true, 'allow', A_HIGH)],
    });
    const trace = flow(predicted('a-1'), pod('server-0'));
    assert.equal(trace.status, 'blocked');
    assert.equal(step(trace, 'nacl-destination-inbound').status, 'allowed');
    assert.equal(step(trace, 'sg-ingress').status, 'blocked');
    const reply = step(trace, 'nacl-destination-outbound-return');
    assert.equal(reply.status, 'blocked');
    // The reply goes to the client's ephemeral ports, above the well-known ones.
    assert.ok(
      reply.deniedPorts!.every((r) => r.from > 1023),
      JSON.stringify(reply.deniedPorts),
    );
    assert.deepEqual(sorted(reply), [
      `acl-b outbound rule * deny all (implicit)`,
      `acl-b outbound rule 100 allow all traffic to ${A_HIGH}`,
    ]);
  });

  it('a pod not created yet as the destination: the client’s egress rule and its subnet’s NACL', () => {
    const B_LOW = '10.0.32.0/21';
    const B_HIGH = '10.0.40.0/21';
    const { pod, predicted, flow } = world({
      aEgress: [tcp(8000).fromCidr(B_LOW)],
      aNacl: [entry(100, true, 'allow', B_HIGH), entry(100, false, 'allow', '0.0.0.0/0')],
    });
    const trace = flow(pod('client-0'), predicted('b-1'));
    assert.equal(trace.status, 'blocked');
    assert.equal(step(trace, 'sg-egress').status, 'blocked');
    assert.equal(step(trace, 'nacl-source-outbound').status, 'blocked');
    assert.match(trace.reason, /allows only 10\.0\.32\.0\/21\b/);
    assert.match(trace.reason, /allows only 10\.0\.40\.0\/21\b/);
  });

  it('a half blocked and a half that the data cannot decide (a group not captured): unknown, not blocked', () => {
    const { pod, predicted, flow } = world({
      bGroups: ['sg-b', 'sg-gone'],
      bIngress: [],
      bNacl: [entry(100, false, 'allow', A_LOW), ...openOut],
    });
    const trace = flow(predicted('a-1'), pod('server-0'));
    assert.equal(trace.status, 'unknown');
    assert.equal(step(trace, 'sg-ingress').status, 'unknown');
    assert.match(
      trace.reason,
      /: tcp\/8000 is blocked for 10\.0\.24\.0\/21; undecided for 10\.0\.16\.0\/21$/,
    );
  });

  it('a NACL that denies the whole subnet and an SG rule for half of it: both blocked, so a fix opens both', () => {
    const { pod, predicted, flow } = world({
      bIngress: [tcp(8000).fromCidr(A_LOW)],
      bNacl: [entry(100, false, 'deny', A_SUBNET), entry(110, false, 'allow', '0.0.0.0/0'), ...openOut],
    });
    const trace = flow(predicted('a-1'), pod('server-0'));
    assert.equal(trace.status, 'blocked');
    const inbound = step(trace, 'nacl-destination-inbound');
    // The NACL alone decides every address: its own verdict and summary, first on the path.
    assert.equal(
      inbound.summary,
      `acl-b inbound denies tcp/8000 from an IP in subnet-a (${A_SUBNET}) (rule 100)`,
    );
    assert.equal(trace.reason, inbound.summary);
    // The SG admits half the subnet: not enough once the NACL is opened, so it is blocked too.
    const ingress = step(trace, 'sg-ingress');
    assert.equal(ingress.status, 'blocked');
    assert.deepEqual(ingress.deniedPorts, [{ from: 8000, to: 8000 }]);
    assert.deepEqual(factTexts(ingress), [`sg-b ingress tcp/8000 from ${A_LOW}`]);
    assert.equal(
      ingress.summary,
      `sg-ingress (eni-b-1-0 [sg-b]) allows only ${A_LOW}, and nacl-destination-inbound (acl-b on subnet-b) allows none of it: ` +
        `no address of a pod on a-1 (an IP in subnet-a (${A_SUBNET})) passes every step, so tcp/8000 is blocked for every address`,
    );
  });

  it('a blocked flow whose other step cannot be decided (a group not captured) leaves that step unknown', () => {
    const { pod, predicted, flow } = world({
      bGroups: ['sg-b', 'sg-gone'],
      bIngress: [],
      bNacl: [entry(100, false, 'deny', A_SUBNET), ...openOut],
    });
    const trace = flow(predicted('a-1'), pod('server-0'));
    assert.equal(trace.status, 'blocked');
    assert.equal(step(trace, 'sg-ingress').status, 'unknown');
  });

  it('a running pod is one address: decided as before, no address pieces', () => {
    const { pod, flow } = world({
      bIngress: [tcp(8000).fromCidr(A_LOW)],
      bNacl: [entry(100, false, 'allow', A_HIGH), ...openOut],
    });
    // client-0 is 10.0.16.11, in the low half: the SG admits it, the NACL denies it.
    const trace = flow(pod('client-0'), pod('server-0'));
    assert.equal(step(trace, 'sg-ingress').status, 'allowed');
    assert.equal(step(trace, 'nacl-destination-inbound').status, 'blocked');
    assert.match(trace.reason, /^acl-b inbound denies tcp\/8000 from 10\.0\.16\.11 \(rule \*\)$/);
  });
});

describe('evaluateFlow: which steps apply', () => {
  it('pods on one node: allowed by the node, whatever the SGs and NACLs say', () => {
    const { pod, flow } = world({
      bIngress: [],
      aEgress: [],
      more: (s) => s.pod('neighbour-0', { namespace: 'default', node: 'a-1', ip: '10.0.16.12' }),
    });
    const trace = flow(pod('client-0'), pod('neighbour-0'));
    assert.deepEqual(kinds(trace), ['same-node:allowed']);
    assert.equal(trace.status, 'allowed');
    assert.equal(
      trace.reason,
      'same node a-1: pod-to-pod traffic does not cross an ENI, so no security group or NACL applies',
    );
    assert.equal(trace.steps[0]!.at, 'node a-1');
  });

  it('pods on two nodes of one subnet: SGs apply, NACLs do not', () => {
    const { pod, flow } = world({
      sameSubnet: true,
      aNacl: [entry(32767, false, 'deny', '0.0.0.0/0'), entry(32767, true, 'deny', '0.0.0.0/0')],
    });
    const trace = flow(pod('client-0'), pod('server-0'));
    assert.deepEqual(kinds(trace), [
      'sg-egress:allowed',
      'nacl-source-outbound:skipped',
      'sg-ingress:allowed',
    ]);
    const skipped = step(trace, 'nacl-source-outbound');
    assert.equal(skipped.summary, 'same subnet subnet-a: NACLs do not apply');
    assert.equal(skipped.at, 'subnet-a');
    assert.equal(trace.status, 'allowed');
    assert.equal(trace.reason, `${step(trace, 'sg-egress').summary}; ${step(trace, 'sg-ingress').summary}`);
  });

  it('NACLs not captured: assumed the default NACL (allow all), no return steps', () => {
    const { pod, flow } = world({ more: (s) => s.withoutNacls() });
    const trace = flow(pod('client-0'), pod('server-0'));
    assert.deepEqual(kinds(trace), [
      'sg-egress:allowed',
      'nacl-source-outbound:skipped',
      'sg-ingress:allowed',
    ]);
    assert.equal(
      step(trace, 'nacl-source-outbound').summary,
      'NACLs not captured: assumed the default NACL (allow all)',
    );
    assert.equal(trace.status, 'allowed');
  });

  it('a pod whose address is on no ENI: unknown at once, nothing else is checked', () => {
    const { pod, flow } = world({
      more: (s) => s.pod('stray-0', { namespace: 'default', node: 'b-1', ip: '10.0.33.99' }),
    });
    const trace = flow(pod('client-0'), pod('stray-0'));
    assert.deepEqual(kinds(trace), ['resolve-destination:unknown']);
    assert.equal(trace.status, 'unknown');
    assert.equal(trace.reason, 'default/stray-0: pod IP 10.0.33.99 is on no ENI in the snapshot');
    assert.deepEqual(trace.steps[0]!.facts, [
      { kind: 'missing', text: 'pod IP 10.0.33.99 is on no ENI in the snapshot' },
    ]);
    assert.equal(trace.steps[0]!.at, 'default/stray-0');

    const both = flow(pod('stray-0'), pod('stray-0'));
    assert.deepEqual(kinds(both), ['resolve-source:unknown', 'resolve-destination:unknown']);
  });

  it('a blocked step outweighs an unknown one, wherever it is on the path', () => {
    const { pod, flow } = world({
      bGroups: ['sg-b', 'sg-gone'],
      bIngress: [],
      bNacl: [entry(100, true, 'allow', '0.0.0.0/0')],
    });
    const trace = flow(pod('client-0'), pod('server-0'));
    assert.equal(step(trace, 'nacl-destination-inbound').status, 'blocked');
    assert.equal(step(trace, 'sg-ingress').status, 'unknown');
    assert.equal(trace.status, 'blocked');
    assert.equal(trace.reason, step(trace, 'nacl-destination-inbound').summary);
  });
});

describe('evaluateFlow: more of the same rules', () => {
  it('a prefix list with one entry for all of the subnet allows, though another entry covers only part', () => {
    const { pod, predicted, flow } = world({
      bIngress: [tcp(8000).fromPrefixList('pl-0aaa')],
      more: (s) => s.prefixList('pl-0aaa', [A_LOW, A_SUBNET]),
    });
    const ingress = step(flow(predicted('a-1'), pod('server-0')), 'sg-ingress');
    assert.equal(ingress.status, 'allowed');
    assert.deepEqual(factTexts(ingress), ['sg-b ingress tcp/8000 from prefix list pl-0aaa']);
  });

  it('halves on overlapping port ranges: a query across one edge of the overlap is not allowed', () => {
    // 10.0.16.0/21 → 8000-8005, 10.0.24.0/21 → 8003-8010: only 8003-8005 is open to every address.
    const { pod, predicted, flow } = world({
      bIngress: [tcp(8000, 8005).fromCidr(A_LOW), tcp(8003, 8010).fromCidr(A_HIGH)],
    });
    for (const [from, to] of [
      [8004, 8008],
      [8001, 8004],
      [8005, 8006],
      [8002, 8003],
    ] as const) {
      const ingress = step(flow(predicted('a-1'), pod('server-0'), { from, to }), 'sg-ingress');
      assert.equal(ingress.status, 'unknown', `${from}-${to}`);
    }
  });

  it('a rule covering half the subnet on two port runs decides both, and is named once', () => {
    const { pod, predicted, flow } = world({
      bIngress: [
        tcp(8000, 8010).fromCidr(A_LOW),
        tcp(8000, 8005).fromCidr(A_HIGH),
        tcp(8006, 8010).fromCidr(A_HIGH),
      ],
    });
    const ingress = step(flow(predicted('a-1'), pod('server-0'), { from: 8000, to: 8010 }), 'sg-ingress');
    assert.equal(ingress.status, 'allowed');
    assert.deepEqual(factTexts(ingress), [
      `sg-b ingress tcp/8000-8010 from ${A_LOW}`,
      `sg-b ingress tcp/8000-8005 from ${A_HIGH}`,
      `sg-b ingress tcp/8006-8010 from ${A_HIGH}`,
    ]);
  });

  it('a rule for other ports that names a deleted group or a CIDR half is no part of the answer', () => {
    const { pod, predicted, flow } = world({
      bIngress: [
        tcp(9000).fromGroup('sg-deleted'),
        tcp(9000).fromCidr(A_LOW),
        tcp(9000).fromPrefixList('pl-0missing'),
      ],
    });
    const ingress = step(flow(pod('client-0'), pod('server-0')), 'sg-ingress');
    assert.equal(ingress.status, 'blocked');
    assert.equal(
      ingress.summary,
      'no ingress rule in [sg-b] allows tcp/8000 from default/client-0 (10.0.16.11)',
    );
    assert.deepEqual(ingress.facts, []);
    const fromSubnet = step(flow(predicted('a-1'), pod('server-0')), 'sg-ingress');
    assert.equal(fromSubnet.status, 'blocked');
    assert.deepEqual(fromSubnet.facts, []);
  });

  it('a block names the rules that allowed part of the ports, then the doubts, then the unmatchable references', () => {
    const { pod, predicted, flow } = world({
      bIngress: [tcp(8000).fromCidr(A_SUBNET), tcp(8001).fromCidr(A_LOW), tcp(8002).fromGroup('sg-deleted')],
    });
    const ingress = step(flow(predicted('a-1'), pod('server-0'), { from: 8000, to: 8003 }), 'sg-ingress');
    assert.equal(ingress.status, 'blocked');
    assert.deepEqual(
      ingress.facts.map((f) => f.kind),
      ['sg-rule', 'missing', 'unmatchable-reference'],
    );
    assert.deepEqual(ingress.deniedPorts, [{ from: 8001, to: 8003 }]);
  });

  it('NACL summaries list every entry that decided, in rule order', () => {
    const { pod, flow } = world({
      bNacl: [
        entry(90, false, 'allow', A_SUBNET, [8000, 8000]),
        entry(100, false, 'allow', '10.0.0.0/8', [8001, 8001]),
        entry(110, false, 'deny', '10.0.0.0/8', [8002, 8002]),
        entry(100, true, 'allow', '0.0.0.0/0'),
      ],
    });
    const allowed = step(
      flow(pod('client-0'), pod('server-0'), { from: 8000, to: 8001 }),
      'nacl-destination-inbound',
    );
    assert.equal(allowed.summary, 'acl-b inbound allows tcp/8000-8001 from 10.0.16.11 (rule 90, rule 100)');
    const denied = step(
      flow(pod('client-0'), pod('server-0'), { from: 8000, to: 8003 }),
      'nacl-destination-inbound',
    );
    assert.equal(denied.summary, 'acl-b inbound denies tcp/8002-8003 from 10.0.16.11 (rule 110, rule *)');
    assert.deepEqual(denied.deniedPorts, [{ from: 8002, to: 8003 }]);
  });

  it('a subnet cut in three by the entries: each entry that decided is named once', () => {
    // 10.0.20.0/22 lies inside 10.0.16.0/21, so rule 100 decides two of the three pieces and rule 110 none.
    const { pod, predicted, flow } = world({
      bNacl: [
        entry(100, false, 'allow', A_LOW),
        entry(110, false, 'deny', '10.0.20.0/22'),
        entry(120, false, 'allow', A_HIGH),
        entry(100, true, 'allow', '0.0.0.0/0'),
      ],
    });
    const inbound = step(flow(predicted('a-1'), pod('server-0')), 'nacl-destination-inbound');
    assert.equal(inbound.status, 'allowed');
    assert.deepEqual(factTexts(inbound), [
      `acl-b inbound rule 100 allow all traffic from ${A_LOW}`,
      `acl-b inbound rule 120 allow all traffic from ${A_HIGH}`,
    ]);
  });

  it('an entry for other ports that covers part of the subnet does not split it', () => {
    const { pod, predicted, flow } = world({
      bNacl: [
        entry(90, false, 'deny', A_LOW, [9000, 9000]),
        entry(100, false, 'allow', '0.0.0.0/0'),
        entry(100, true, 'allow', '0.0.0.0/0'),
      ],
    });
    const inbound = step(flow(predicted('a-1'), pod('server-0')), 'nacl-destination-inbound');
    assert.equal(inbound.status, 'allowed');
    assert.equal(inbound.summary.includes('for every address'), false);
  });
});

describe('evaluateFlow: an end whose address or subnet is not known', () => {
  /** The client as the evaluator would get it for a hostNetwork pod on a node with no known IP. */
  const withoutAddress = (e: Endpoint): Endpoint => {
    const { addresses: _, ...rest } = e;
    return { ...rest, addressText: '(unknown)' };
  };
  const withoutSubnet = (e: Endpoint): Endpoint => {
    const { subnetId: _, ...rest } = e;
    return rest;
  };

  it('an address rule cannot be decided for it; a group rule can', () => {
    const byCidr = world({ bIngress: [tcp(8000).fromCidr(A_SUBNET)] });
    const unknown = step(
      byCidr.flow(withoutAddress(byCidr.pod('client-0')), byCidr.pod('server-0')),
      'sg-ingress',
    );
    assert.equal(unknown.status, 'unknown');
    assert.equal(
      unknown.summary,
      `ingress tcp/8000 from default/client-0 ((unknown)) cannot be decided: sg-b ingress tcp/8000 from ${A_SUBNET}: the address of default/client-0 is not known`,
    );
    const byGroup = world({ bIngress: [tcp(8000).fromGroup('sg-a')] });
    assert.equal(
      step(byGroup.flow(withoutAddress(byGroup.pod('client-0')), byGroup.pod('server-0')), 'sg-ingress')
        .status,
      'allowed',
    );
  });

  it('a prefix-list rule cannot be decided for it either', () => {
    const { pod, flow } = world({
      bIngress: [tcp(8000).fromPrefixList('pl-0aaa')],
      more: (s) => s.prefixList('pl-0aaa', ['192.168.0.0/16', A_SUBNET]),
    });
    const ingress = step(flow(withoutAddress(pod('client-0')), pod('server-0')), 'sg-ingress');
    assert.equal(ingress.status, 'unknown');
    assert.match(ingress.summary, /: the address of default\/client-0 is not known$/);
  });

  it('a NACL entry cannot be decided for it, allow or deny, even for 0.0.0.0/0 (it may be an IPv6 address)', () => {
    const nacl = [
      entry(90, false, 'deny', '0.0.0.0/0', [8001, 8001]),
      entry(100, false, 'allow', A_SUBNET),
      entry(100, true, 'allow', '0.0.0.0/0'),
    ];
    const { pod, flow } = world({ bNacl: nacl });
    const client = withoutAddress(pod('client-0'));
    const unknown = step(flow(client, pod('server-0')), 'nacl-destination-inbound');
    assert.equal(unknown.status, 'unknown');
    assert.equal(
      unknown.summary,
      `acl-b inbound tcp/8000 from (unknown) cannot be decided: acl-b inbound rule 100 allow all traffic from ${A_SUBNET}: the address of default/client-0 is not known`,
    );
    assert.deepEqual(
      unknown.facts.map((f) => f.kind),
      ['missing'],
    );
    const both = step(flow(client, pod('server-0'), { from: 8000, to: 8001 }), 'nacl-destination-inbound');
    assert.equal(both.status, 'unknown');
    assert.equal(both.facts.length, 2);
    const open = world();
    assert.equal(
      step(open.flow(withoutAddress(open.pod('client-0')), open.pod('server-0')), 'nacl-destination-inbound')
        .status,
      'unknown',
    );
  });

  it('an ENI without a subnet: the NACLs on the path are unknown, not skipped as "same subnet"', () => {
    const { pod, flow } = world();
    const trace = flow(pod('client-0'), withoutSubnet(pod('server-0')));
    assert.deepEqual(kinds(trace), [
      'sg-egress:allowed',
      'nacl-source-outbound:unknown',
      'sg-ingress:allowed',
    ]);
    const nacl = step(trace, 'nacl-source-outbound');
    assert.equal(
      nacl.summary,
      'the subnet of default/server-0 is not known (its ENI has no SubnetId): the network ACLs on the path cannot be checked',
    );
    assert.deepEqual(nacl.facts, [
      {
        kind: 'missing',
        text: 'the subnet of default/server-0 is not known (its ENI has no SubnetId)',
        signature: 'subnet unknown: destination',
      },
    ]);
    assert.equal(trace.status, 'unknown');
    assert.equal(trace.reason, nacl.summary);

    const fromSource = flow(withoutSubnet(pod('client-0')), pod('server-0'));
    assert.equal(step(fromSource, 'nacl-source-outbound').facts[0]?.kind, 'missing');
    assert.match(
      step(fromSource, 'nacl-source-outbound').summary,
      /^the subnet of default\/client-0 is not known/,
    );
    assert.deepEqual(
      step(fromSource, 'nacl-source-outbound').facts.map((f) => (f.kind === 'missing' ? f.signature : '')),
      ['subnet unknown: source'],
    );
  });

  it('NACLs not captured: an ENI without a subnet changes nothing', () => {
    const { pod, flow } = world({ more: (s) => s.withoutNacls() });
    const trace = flow(pod('client-0'), withoutSubnet(pod('server-0')));
    assert.equal(step(trace, 'nacl-source-outbound').status, 'skipped');
    assert.equal(trace.status, 'allowed');
  });
});

describe('evaluateFlow: how rules and entries are named', () => {
  it('an egress rule “to” its peer, with its description; an outbound entry “to” its CIDR', () => {
    const { pod, flow } = world({
      aEgress: [
        {
          IpProtocol: 'tcp',
          FromPort: 8000,
          ToPort: 8000,
          IpRanges: [{ CidrIp: B_SUBNET, Description: 'to servers' }],
        },
      ],
      aNacl: [
        entry(100, false, 'allow', '0.0.0.0/0'),
        entry(120, true, 'allow', B_SUBNET, [8000, 8000]),
        entry(130, true, 'allow', '0.0.0.0/0'),
      ],
    });
    const trace = flow(pod('client-0'), pod('server-0'));
    assert.deepEqual(factTexts(step(trace, 'sg-egress')), [
      `sg-a egress tcp/8000 to ${B_SUBNET} "to servers"`,
    ]);
    assert.deepEqual(factTexts(step(trace, 'nacl-source-outbound')), [
      `acl-a outbound rule 120 allow tcp/8000 to ${B_SUBNET}`,
    ]);
    assert.deepEqual(factTexts(step(trace, 'nacl-source-inbound-return')), [
      'acl-a inbound rule 100 allow all traffic from 0.0.0.0/0',
    ]);
  });

  it('a group in the same account is named by its id alone when the rule gives no account', () => {
    const { pod, flow } = world({
      bIngress: [
        { IpProtocol: 'tcp', FromPort: 8000, ToPort: 8000, UserIdGroupPairs: [{ GroupId: 'sg-a' }] },
      ],
    });
    assert.deepEqual(factTexts(step(flow(pod('client-0'), pod('server-0')), 'sg-ingress')), [
      'sg-b ingress tcp/8000 from sg-a',
    ]);
  });
});

describe('evaluateFlow: edges of partial coverage and of what an endpoint carries', () => {
  it('halves on overlapping ports and a whole-subnet rule below the overlap: the ports above it stay unknown', () => {
    // 8000-8002 from every address, 8003-8005 from both halves, 8006-8010 from 10.0.24.0/21 only.
    const { pod, predicted, flow } = world({
      bIngress: [
        tcp(8000, 8005).fromCidr(A_LOW),
        tcp(8003, 8010).fromCidr(A_HIGH),
        tcp(8000, 8002).fromCidr(A_SUBNET),
      ],
    });
    const ingress = step(flow(predicted('a-1'), pod('server-0'), { from: 8000, to: 8010 }), 'sg-ingress');
    assert.equal(ingress.status, 'unknown');
    assert.equal(
      step(flow(predicted('a-1'), pod('server-0'), { from: 8000, to: 8005 }), 'sg-ingress').status,
      'allowed',
    );
  });

  it('halves that together decide every port they cover leave no doubt in a block', () => {
    const { pod, predicted, flow } = world({
      bIngress: [tcp(8000).fromCidr(A_LOW), tcp(8000).fromCidr(A_HIGH)],
    });
    const ingress = step(flow(predicted('a-1'), pod('server-0'), { from: 8000, to: 8001 }), 'sg-ingress');
    assert.equal(ingress.status, 'blocked');
    assert.deepEqual(ingress.deniedPorts, [{ from: 8001, to: 8001 }]);
    assert.deepEqual(factTexts(ingress), [
      `sg-b ingress tcp/8000 from ${A_LOW}`,
      `sg-b ingress tcp/8000 from ${A_HIGH}`,
    ]);
    assert.match(ingress.summary, / \(only 8000 is\)$/);
  });

  it('two ends with no node known are not on “the same node”', () => {
    const { pod, flow } = world({ bIngress: [] });
    const noNode = (e: Endpoint): Endpoint => {
      const { nodeName: _, ...rest } = e;
      return rest;
    };
    const trace = flow(noNode(pod('client-0')), noNode(pod('server-0')));
    assert.equal(
      trace.steps.some((s) => s.kind === 'same-node'),
      false,
    );
    assert.equal(trace.status, 'blocked');
  });

  it('an end with no ENI known is named by its label', () => {
    const { pod, flow } = world({ bGroups: ['sg-b', 'sg-gone'], bIngress: [] });
    const { eniId: _, ...server } = pod('server-0');
    const ingress = step(flow(pod('client-0'), server), 'sg-ingress');
    assert.equal(ingress.at, 'default/server-0 [sg-b, sg-gone]');
    assert.deepEqual(factTexts(ingress), [
      'security group sg-gone on default/server-0 is not in the snapshot',
    ]);
  });
});

describe('evaluateFlow: every part of a summary', () => {
  it('lists every rule, doubt and note, separated by "; "', () => {
    const two = world({ bIngress: [tcp(8000).fromGroup('sg-a'), tcp(8001).fromCidr('10.0.16.11/32')] });
    assert.match(
      step(two.flow(two.pod('client-0'), two.pod('server-0'), { from: 8000, to: 8001 }), 'sg-ingress')
        .summary,
      /allowed by sg-b ingress tcp\/8000 from 123456789012\/sg-a; sg-b ingress tcp\/8001 from 10\.0\.16\.11\//,
    );
    const lists = world({
      bIngress: [tcp(8000).fromPrefixList('pl-0one'), tcp(8000).fromPrefixList('pl-0two')],
    });
    assert.match(
      step(lists.flow(lists.pod('client-0'), lists.pod('server-0')), 'sg-ingress').summary,
      /pl-0one were not captured; sg-b ingress tcp\/8000 from prefix list pl-0two: entries of prefix list pl-0two/,
    );
    const gone = world({ bIngress: [tcp(8000).fromGroup('sg-gone1'), tcp(8000).fromGroup('sg-gone2')] });
    assert.match(
      step(gone.flow(gone.pod('client-0'), gone.pod('server-0')), 'sg-ingress').summary,
      /does not carry it; sg-b ingress tcp\/8000 from 123456789012\/sg-gone2: /,
    );
  });

  it('a NACL decided piece by piece gives each piece’s summary, with the piece’s addresses', () => {
    const openOut = [entry(100, true, 'allow', '0.0.0.0/0')];
    const both = world({
      bNacl: [entry(100, false, 'allow', A_LOW), entry(110, false, 'allow', A_HIGH), ...openOut],
    });
    assert.match(
      step(both.flow(both.predicted('a-1'), both.pod('server-0')), 'nacl-destination-inbound').summary,
      /: acl-b inbound allows tcp\/8000 from 10\.0\.16\.0\/21 of .* \(rule 100\); acl-b inbound allows tcp\/8000 from 10\.0\.24\.0\/21 of .* \(rule 110\)$/,
    );
    const denied = world({
      bNacl: [entry(100, false, 'deny', A_LOW), entry(110, false, 'deny', A_HIGH), ...openOut],
    });
    assert.match(
      step(denied.flow(denied.predicted('a-1'), denied.pod('server-0')), 'nacl-destination-inbound').summary,
      /denied for every address of .*: acl-b inbound denies tcp\/8000 from .* \(rule 100\); acl-b inbound denies tcp\/8000 from .* \(rule 110\)$/,
    );
    const mixed = world({
      bNacl: [entry(100, false, 'allow', A_LOW), entry(110, false, 'deny', A_HIGH), ...openOut],
    });
    assert.match(
      step(mixed.flow(mixed.predicted('a-1'), mixed.pod('server-0')), 'nacl-destination-inbound').summary,
      /decided differently: acl-b inbound allows tcp\/8000 from .* \(rule 100\); acl-b inbound denies tcp\/8000 from .* \(rule 110\)$/,
    );
  });

  it('steps that check nothing name no place and no fact', () => {
    const { pod, flow } = world({ more: (s) => s.withoutNacls() });
    const skipped = step(flow(pod('client-0'), pod('server-0')), 'nacl-source-outbound');
    assert.equal(skipped.at, '-');
    assert.deepEqual(skipped.facts, []);
    const unknown = step(
      world().flow(world().pod('client-0'), (({ subnetId: _, ...rest }) => rest)(world().pod('server-0'))),
      'nacl-source-outbound',
    );
    assert.equal(unknown.at, '-');
    const same = world({ sameSubnet: true });
    assert.deepEqual(
      step(same.flow(same.pod('client-0'), same.pod('server-0')), 'nacl-source-outbound').facts,
      [],
    );
    const node = world({
      more: (s) => s.pod('neighbour-0', { namespace: 'default', node: 'a-1', ip: '10.0.16.12' }),
    });
    assert.deepEqual(node.flow(node.pod('client-0'), node.pod('neighbour-0')).steps[0]!.facts, []);
  });
});

describe('evaluateFlow: references the snapshot cannot resolve', () => {
  it('a rule naming a group the snapshot lacks still matches an ENI that carries that group', () => {
    // EC2 matches a referenced group by the ENIs associated with it; describe-security-groups not
    // listing the group changes nothing for an ENI that carries it.
    const { pod, flow } = world({ aGroups: ['sg-a', 'sg-gone'], bIngress: [tcp(8000).fromGroup('sg-gone')] });
    const ingress = step(flow(pod('client-0'), pod('server-0')), 'sg-ingress');
    assert.equal(ingress.status, 'allowed', ingress.summary);
    assert.deepEqual(factTexts(ingress), ['sg-b ingress tcp/8000 from 123456789012/sg-gone']);
  });

  it('a reference to another account’s group is a note of its own kind; an uncaptured prefix list a missing fact', () => {
    const other = world({ bIngress: [tcp(8000).fromGroup('sg-a', '210987654321')] });
    const blocked = step(other.flow(other.pod('client-0'), other.pod('server-0')), 'sg-ingress');
    assert.equal(blocked.status, 'blocked');
    assert.deepEqual(
      blocked.facts.map((f) => f.kind),
      ['unmatchable-reference'],
    );
    const list = world({ bIngress: [tcp(8000).fromPrefixList('pl-0missing')] });
    const unknown = step(list.flow(list.pod('client-0'), list.pod('server-0')), 'sg-ingress');
    assert.deepEqual(unknown.facts, [
      {
        kind: 'missing',
        text: 'sg-b ingress tcp/8000 from prefix list pl-0missing: entries of prefix list pl-0missing were not captured',
      },
    ]);
  });
});

describe('evaluateFlow: what a block names', () => {
  it('a block says which of the asked ports the halves of the subnet allow together, and no others', () => {
    // Both halves of subnet-a may reach 8000-8010, so every address may.
    const { pod, predicted, flow } = world({
      bIngress: [tcp(8000, 8010).fromCidr(A_LOW), tcp(8000, 8010).fromCidr(A_HIGH)],
    });
    const below = step(flow(predicted('a-1'), pod('server-0'), { from: 7999, to: 8001 }), 'sg-ingress');
    assert.equal(below.status, 'blocked');
    assert.match(below.summary, / \(only 8000-8001 is\)$/);
    assert.deepEqual(below.deniedPorts, [{ from: 7999, to: 7999 }]);
    const above = step(flow(predicted('a-1'), pod('server-0'), { from: 8003, to: 8012 }), 'sg-ingress');
    assert.equal(above.status, 'blocked');
    assert.match(above.summary, / \(only 8003-8010 is\)$/);
    assert.deepEqual(above.deniedPorts, [{ from: 8011, to: 8012 }]);
  });

  it('a block names every group of the ENI', () => {
    const { pod, flow } = world({ bGroups: ['sg-b', 'sg-c'], bIngress: [], more: (s) => s.sg('sg-c', []) });
    const ingress = step(flow(pod('client-0'), pod('server-0')), 'sg-ingress');
    assert.equal(ingress.status, 'blocked');
    assert.match(ingress.summary, /^no ingress rule in \[sg-b, sg-c\] allows /);
  });

  it('a NACL step that cannot be decided gives every doubt, separated by "; "', () => {
    const { pod, flow } = world({
      bNacl: [
        entry(90, false, 'allow', '10.0.0.0/8', [8000, 8000]),
        entry(100, false, 'allow', A_SUBNET, [8001, 8001]),
        entry(100, true, 'allow', '0.0.0.0/0'),
      ],
    });
    const { addresses: _, ...client } = pod('client-0');
    const inbound = step(
      flow({ ...client, addressText: '(unknown)' }, pod('server-0'), { from: 8000, to: 8001 }),
      'nacl-destination-inbound',
    );
    assert.equal(inbound.status, 'unknown');
    assert.match(
      inbound.summary,
      /: acl-b inbound rule 90 allow tcp\/8000 from 10\.0\.0\.0\/8: the address of default\/client-0 is not known; acl-b inbound rule 100 allow tcp\/8001 from /,
    );
  });
});
