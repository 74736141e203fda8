/**
 * The SRD steps between two EFA interfaces, one by one. AWS (EC2 User Guide, "Get started with
 * EFA", Step 1): "The security group must allow all inbound and outbound traffic to and from the
 * security group itself" — so only an all-traffic rule of a group both interfaces carry, naming
 * that group, carries SRD; both directions are checked (SRD is acknowledged), and NACLs and
 * NetworkPolicies do not filter it. Interface A (eni-a) on node n-a → interface B (eni-b) on n-b;
 * the groups each carries are the test's.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Endpoint } from '../../src/model/endpoints.ts';
import type { TraceStep } from '../../src/reachability/types.ts';
import { buildModel, evaluateFlow } from '../helpers/core.ts';
import { allTraffic, scenario, tcp, type Permission } from '../helpers/scenario.ts';

interface Group {
  ingress: Permission[];
  egress: Permission[];
}

function srd(groups: Record<string, Group>, a: string[], b: string[], eni = true): TraceStep[] {
  const s = scenario().subnet('subnet-a', '10.0.16.0/20').withoutNacls();
  for (const [id, g] of Object.entries(groups)) s.sg(id, g.ingress, g.egress);
  const model = buildModel(s.snapshot());
  const end = (name: string, sgs: string[]): Endpoint => ({
    id: name,
    kind: 'pod',
    label: name,
    nodeName: `n-${name}`,
    nodeGroup: 'gpu',
    addressText: '-',
    securityGroups: sgs,
    sgOnSameNode: false,
    attachment: [],
    ...(eni ? { eniId: `eni-${name}` } : {}),
  });
  return evaluateFlow(model, {
    source: end('a', a),
    destination: end('b', b),
    protocol: 'efa',
    ports: { from: 0, to: 65535 },
  }).steps;
}

const selfAll = (id: string): Group => ({
  ingress: [allTraffic.fromGroup(id)],
  egress: [allTraffic.fromGroup(id)],
});

describe('SRD steps', () => {
  it('a shared group allowing all traffic from and to itself: every step allowed, naming its rule', () => {
    const steps = srd({ 'sg-efa': selfAll('sg-efa') }, ['sg-efa'], ['sg-efa']);
    assert.deepEqual(
      steps.map((s) => `${s.kind} ${s.status} ${s.at}`),
      [
        'sg-egress allowed eni-a [sg-efa]',
        'nacl-source-outbound skipped -',
        'sg-ingress allowed eni-b [sg-efa]',
        'sg-egress allowed eni-b [sg-efa]',
        'sg-ingress allowed eni-a [sg-efa]',
      ],
    );
    const why = 'an all-traffic rule of sg-efa referencing itself, a group both EFA interfaces carry';
    assert.match(
      steps[0]!.summary,
      new RegExp(`^egress SRD to b allowed by sg-efa egress all traffic to (\\d+/)?sg-efa: ${why}$`),
    );
    assert.match(
      steps[2]!.summary,
      new RegExp(`^ingress SRD from a allowed by sg-efa ingress all traffic from (\\d+/)?sg-efa: ${why}$`),
    );
    assert.match(steps[3]!.summary, /^egress SRD to a \(the other direction of SRD\) allowed by /);
    assert.match(steps[4]!.summary, /^ingress SRD from b \(the other direction of SRD\) allowed by /);
    assert.equal(
      steps[1]!.summary,
      'SRD is not IP traffic a network ACL or NetworkPolicy filters: only the security groups decide it',
    );
    assert.deepEqual(steps[1]!.facts, []);
    assert.deepEqual(
      steps[0]!.facts.map((f) => (f.kind === 'sg-rule' ? `${f.groupId} ${f.direction}` : f.kind)),
      ['sg-efa egress'],
    );
  });

  it('no shared group: blocked, saying so, and why each self rule does not help', () => {
    const steps = srd({ 'sg-a': selfAll('sg-a'), 'sg-b': selfAll('sg-b') }, ['sg-a'], ['sg-b']);
    const shared =
      'the two EFA interfaces share no security group, so no self-referencing rule can match (SRD needs a group both carry)';
    assert.match(
      steps[0]!.summary,
      new RegExp(
        `^no egress rule in \\[sg-a\\] carries SRD to b: ${escape(shared)}; sg-a egress all traffic to (\\d+/)?sg-a: self-referencing, but b does not carry sg-a$`,
      ),
    );
    assert.equal(steps[0]!.status, 'blocked');
    assert.deepEqual(steps[0]!.facts, [
      { kind: 'missing', text: shared, signature: 'efa egress: no shared group' },
    ]);
    assert.match(steps[2]!.summary, /^no ingress rule in \[sg-b\] carries SRD from a: /);
  });

  it('a shared group with only a CIDR rule, a TCP-only self rule and a rule naming the other’s group: blocked, each reason told', () => {
    const steps = srd(
      {
        'sg-efa': {
          ingress: [],
          egress: [
            allTraffic.fromCidr('0.0.0.0/0'),
            tcp(5600).fromGroup('sg-efa'),
            allTraffic.fromGroup('sg-b'),
          ],
        },
        'sg-b': { ingress: [], egress: [] },
      },
      ['sg-efa'],
      ['sg-efa', 'sg-b'],
    );
    const egress = steps[0]!;
    assert.equal(egress.status, 'blocked');
    const shared = 'no all-traffic egress rule of sg-efa (the groups both carry) references its own group';
    assert.deepEqual(egress.facts, [
      { kind: 'missing', text: shared, signature: 'efa egress: no self rule' },
    ]);
    const reasons = egress.summary.split('; ');
    assert.equal(reasons[0], `no egress rule in [sg-efa] carries SRD to b: ${shared}`);
    assert.equal(
      reasons[1],
      'sg-efa egress all traffic to 0.0.0.0/0: a CIDR or prefix-list rule does not carry SRD (only a rule referencing the group itself does)',
    );
    assert.match(
      reasons[2]!,
      /^sg-efa egress tcp\/5600 to (\d+\/)?sg-efa: self-referencing but not all traffic, so it does not carry SRD$/,
    );
    // The last reason holds a '; ' of its own.
    assert.match(
      reasons.slice(3).join('; '),
      /^sg-efa egress all traffic to (\d+\/)?sg-b: it references another group, not its own; SRD needs a self-referencing rule$/,
    );
    assert.equal(reasons.length, 5);
  });

  it('a rule naming a group the other end does not carry is not told; at most four reasons are', () => {
    const other = srd(
      {
        'sg-efa': { ingress: [], egress: [allTraffic.fromGroup('sg-z')] },
        'sg-z': { ingress: [], egress: [] },
      },
      ['sg-efa'],
      ['sg-efa'],
    );
    assert.equal(
      other[0]!.summary,
      'no egress rule in [sg-efa] carries SRD to b: no all-traffic egress rule of sg-efa (the groups both carry) references its own group',
    );
    const many = srd(
      {
        'sg-efa': {
          ingress: [],
          egress: ['10.0.0.0/16', '10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16', '10.4.0.0/16'].map((c) =>
            allTraffic.fromCidr(c),
          ),
        },
      },
      ['sg-efa'],
      ['sg-efa'],
    );
    const summary = many[0]!.summary;
    assert.ok(summary.includes('10.3.0.0/16'), summary);
    assert.ok(!summary.includes('10.4.0.0/16'), summary);
  });

  it('a rule naming the group’s id in another account does not reference the group itself', () => {
    const otherAccount = allTraffic.fromGroup('sg-efa', '999999999999');
    const steps = srd(
      { 'sg-efa': { ingress: [otherAccount], egress: [otherAccount] } },
      ['sg-efa'],
      ['sg-efa'],
    );
    assert.equal(steps[0]!.status, 'blocked');
    assert.equal(steps[2]!.status, 'blocked');
  });

  it('a shared group missing from the snapshot: unknown; one only this end carries is passed over', () => {
    const steps = srd({}, ['sg-gone'], ['sg-gone']);
    assert.equal(steps[0]!.status, 'unknown');
    assert.equal(
      steps[0]!.summary,
      'egress SRD to b cannot be decided: security group sg-gone, which both EFA interfaces carry, is not in the snapshot',
    );
    assert.deepEqual(steps[0]!.facts, [
      {
        kind: 'missing',
        text: 'security group sg-gone, which both EFA interfaces carry, is not in the snapshot',
      },
    ]);
    const mine = srd({ 'sg-efa': selfAll('sg-efa') }, ['sg-gone', 'sg-efa'], ['sg-efa']);
    assert.equal(mine[0]!.status, 'allowed');
  });

  it('two shared groups: both named, whether they lack a self rule or are not captured', () => {
    const none = { ingress: [], egress: [] };
    const lacking = srd({ 'sg-x': none, 'sg-y': none }, ['sg-x', 'sg-y'], ['sg-x', 'sg-y']);
    assert.equal(
      lacking[0]!.summary,
      'no egress rule in [sg-x, sg-y] carries SRD to b: no all-traffic egress rule of sg-x, sg-y (the groups both carry) references its own group',
    );
    const gone = srd({}, ['sg-g1', 'sg-g2'], ['sg-g1', 'sg-g2']);
    assert.equal(
      gone[0]!.summary,
      'egress SRD to b cannot be decided: security group sg-g1, which both EFA interfaces carry, is not in the snapshot; security group sg-g2, which both EFA interfaces carry, is not in the snapshot',
    );
  });

  it('no security group, no ENI id: the step is at the end’s label, "no SGs"', () => {
    const steps = srd({}, [], [], false);
    assert.equal(steps[0]!.at, 'a [no SGs]');
    assert.match(
      steps[0]!.summary,
      /^no egress rule in \[no SGs\] carries SRD to b: the two EFA interfaces share no security group/,
    );
    const two = srd({ 'sg-x': selfAll('sg-x'), 'sg-y': selfAll('sg-y') }, ['sg-x', 'sg-y'], []);
    assert.equal(two[0]!.at, 'eni-a [sg-x, sg-y]');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
