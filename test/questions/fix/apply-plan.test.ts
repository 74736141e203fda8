/** `--apply` refuses any item wider than the flows it unblocks, before a single call is made. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeSnapshot } from '../../../src/questions/analyze.ts';
import { applyItems } from '../../../src/live/ec2-apply.ts';
import { actionOf, applyPlan, naclRefusal, ruleRefusal } from '../../../src/questions/fix/apply-plan.ts';
import { fixPlan, type PlannedNaclEntry, type PlannedRule } from '../../../src/questions/fix/plan.ts';
import type { NaclRemediation, SgRemediation } from '../../../src/remediate/types.ts';
import { loadSnapshot } from '../../../src/snapshot/load.ts';
import { ingressAndEgress, naclBlocked } from './scenarios.ts';

const dgxc = fixPlan(analyzeSnapshot(await loadSnapshot('examples/dgxc-multi-sg')));
const nats = dgxc.rules[0]!;
const nacl = naclBlocked().plan;

const widened = (change: Partial<SgRemediation>, planned: PlannedRule = nats): PlannedRule => ({
  ...planned,
  rule: { ...planned.rule, ...change },
  // The peer is what the request names: widen it the way the rule was widened.
  ...(change.cidr
    ? { peer: { kind: change.cidr.includes(':') ? 'cidr-ipv6' : 'cidr-ipv4', cidr: change.cidr } as const }
    : change.sourceGroupId
      ? { peer: { kind: 'group', groupId: change.sourceGroupId } as const }
      : {}),
});
const widenedEntry = (change: Partial<NaclRemediation>, planned: PlannedNaclEntry): PlannedNaclEntry => ({
  ...planned,
  entry: { ...planned.entry, ...change },
});

describe('apply refuses what is wider than the requirement', () => {
  it('the synthesized fixes pass: nothing refused on the examples', () => {
    assert.deepEqual(applyPlan(dgxc).refused, []);
    assert.equal(applyPlan(dgxc).items.length, 3);
    assert.deepEqual(applyPlan(nacl).refused, []);
  });

  for (const [what, change, reason] of [
    ['every address', { sourceGroupId: undefined, cidr: '0.0.0.0/0' }, /0\.0\.0\.0\/0 admits every address/],
    ['every IPv6 address', { sourceGroupId: undefined, cidr: '::/0' }, /::\/0 admits every address/],
    // Issue 17 item 7: no wider than a subnet can be (/16 IPv4, /56 IPv6: "VPC CIDR blocks").
    ['half of IPv4', { sourceGroupId: undefined, cidr: '0.0.0.0/1' }, /0\.0\.0\.0\/1 is wider than \/16/],
    ['a /8', { sourceGroupId: undefined, cidr: '10.0.0.0/8' }, /10\.0\.0\.0\/8 is wider than \/16/],
    ['half of IPv6', { sourceGroupId: undefined, cidr: '::/1' }, /::\/1 is wider than \/56/],
    [
      'an IPv6 /48',
      { sourceGroupId: undefined, cidr: '2600:1f14::/48' },
      /2600:1f14::\/48 is wider than \/56/,
    ],
    [
      'every protocol',
      { protocol: '-1' as 'tcp' },
      /an all-traffic rule is proposed only as a group referencing itself, for EFA/,
    ],
    [
      'more ports than the flow',
      { fromPort: 4000, toPort: 4300 },
      /ports 4000-4300 are wider than .* needs \(4222-4222\)/,
    ],
    ['another port', { fromPort: 22, toPort: 22 }, /ports 22-22 are wider than/],
    [
      'a peer the flow does not have',
      { sourceGroupId: 'sg-0000someoneelse' },
      /sg-0000someoneelse is not on .*'s source/,
    ],
    [
      'a group the flow does not reach',
      { groupId: 'sg-0000elsewhere' },
      /sg-0000elsewhere is not on .*'s destination/,
    ],
    ['another protocol', { protocol: 'udp' as const }, /is tcp, the rule udp/],
  ] as const) {
    it(`a rule for ${what} is refused`, () => {
      assert.match(ruleRefusal(widened(change)) ?? '', reason);
    });
  }

  it('a CIDR as wide as a subnet can be is not refused for its width (/16, /56)', () => {
    for (const cidr of ['10.0.0.0/16', '2600:1f14:abc::/56']) {
      const why = ruleRefusal(widened({ sourceGroupId: undefined, cidr })) ?? '';
      assert.doesNotMatch(why, /wider than \/|every address/, cidr);
    }
  });

  it('the EC2 edge refuses a wide item too, whatever its caller passes: nothing is sent', async () => {
    const wide = widened({ sourceGroupId: undefined, cidr: '0.0.0.0/1' });
    const item = { kind: 'sg-rule', id: wide.rule.id, planned: wide } as const;
    const client = {
      send: () => {
        throw new Error('sent to EC2');
      },
    } as unknown as Parameters<typeof applyItems>[0];
    const [result] = await applyItems(client, [item]);
    assert.equal(result!.outcome.status, 'failed');
    assert.match(JSON.stringify(result!.outcome), /RefusedAsTooWide.*0\.0\.0\.0\/1 is wider than \/16/);
  });

  it('a rule that unblocks no flow is refused', () => {
    assert.match(ruleRefusal({ ...nats, flows: [] }) ?? '', /unblocks no flow/);
  });

  it('refused items are kept out of the items to send', () => {
    const plan = { ...dgxc, rules: [widened({ fromPort: 1, toPort: 65535 }), ...dgxc.rules.slice(1)] };
    const { items, refused } = applyPlan(plan);
    assert.deepEqual(
      items.map((i) => i.id),
      ['sg-rule-2', 'sg-rule-3'],
    );
    assert.deepEqual(
      refused.map((r) => r.item.id),
      ['sg-rule-1'],
    );
  });

  it('NACL: the ephemeral return range is allowed, other widening is not', () => {
    const [inbound, returnTraffic] = nacl.naclEntries;
    assert.equal(returnTraffic!.entry.fromPort, 32768);
    assert.equal(naclRefusal(returnTraffic!), undefined);
    assert.match(
      naclRefusal(widenedEntry({ fromPort: 1024, toPort: 65535 }, returnTraffic!)) ?? '',
      /wider than .* needs/,
      'return traffic wider than the ephemeral range the analysis checks',
    );
    assert.match(
      naclRefusal(widenedEntry({ fromPort: 1, toPort: 65535 }, inbound!)) ?? '',
      /wider than .* needs/,
    );
    assert.match(naclRefusal(widenedEntry({ cidr: '0.0.0.0/0' }, inbound!)) ?? '', /admits every address/);
    assert.match(naclRefusal(widenedEntry({ cidr: '0.0.0.0/1' }, inbound!)) ?? '', /is wider than \/16/);
    assert.match(naclRefusal(widenedEntry({ protocol: 'udp' }, inbound!)) ?? '', /is tcp, the entry udp/);
  });

  // EC2's FromPort/ToPort: integers 0-65535, from <= to (a range that runs backwards, a negative or
  // fractional port or one above 65535 is no port range at all).
  for (const [fromPort, toPort] of [
    [4300, 4222],
    [-1, 4222],
    [4222, 70000],
    [4222.5, 4222.5],
    [4222, 4222.5],
    [4221.5, 4222],
    [4222, Number.NaN],
  ] as const) {
    it(`ports ${fromPort}-${toPort} are not a port range: refused as such, in a rule and in a NACL entry`, () => {
      assert.equal(
        ruleRefusal(widened({ fromPort, toPort })),
        `ports ${fromPort}-${toPort} are not a port range`,
      );
      const [inbound] = nacl.naclEntries;
      assert.equal(
        naclRefusal(widenedEntry({ fromPort, toPort }, inbound!)),
        `ports ${fromPort}-${toPort} are not a port range`,
      );
    });
  }

  it('port 0 is a port: 0-65535 is refused for being wider than the flow, not as malformed', () => {
    assert.match(ruleRefusal(widened({ fromPort: 0, toPort: 65535 })) ?? '', /ports 0-65535 are wider than/);
  });

  it('a rule wider only at its top, or only at its bottom, is refused', () => {
    assert.match(
      ruleRefusal(widened({ fromPort: 4222, toPort: 4223 })) ?? '',
      /are wider than .* \(4222-4222\)/,
    );
    assert.match(
      ruleRefusal(widened({ fromPort: 4221, toPort: 4222 })) ?? '',
      /are wider than .* \(4222-4222\)/,
    );
  });

  it("a CIDR peer no wider than a subnet, on the flow's own group and port, is accepted", () => {
    assert.equal(ruleRefusal(widened({ sourceGroupId: undefined, cidr: '10.0.32.0/20' })), undefined);
  });

  it('egress rules: the group must be on the source, the peer on the destination', () => {
    const egress = ingressAndEgress().rules.find((r) => r.rule.direction === 'egress')!;
    assert.equal(ruleRefusal(egress), undefined);
    assert.match(
      ruleRefusal(widened({ groupId: 'sg-0000elsewhere' }, egress)) ?? '',
      /^sg-0000elsewhere is not on .*'s source$/,
    );
    assert.match(
      ruleRefusal(widened({ sourceGroupId: 'sg-0000someoneelse' }, egress)) ?? '',
      /^sg-0000someoneelse is not on .*'s destination$/,
    );
    assert.equal(
      actionOf({ kind: 'sg-rule', id: egress.rule.id, planned: egress }),
      'ec2:AuthorizeSecurityGroupEgress',
    );
    assert.equal(
      actionOf({ kind: 'sg-rule', id: nats.rule.id, planned: nats }),
      'ec2:AuthorizeSecurityGroupIngress',
    );
    const [inbound] = nacl.naclEntries;
    assert.equal(
      actionOf({ kind: 'nacl-entry', id: inbound!.entry.id, planned: inbound! }),
      'ec2:CreateNetworkAclEntry',
    );
  });

  it('NACL: every protocol, or no flow unblocked, is refused', () => {
    const [inbound] = nacl.naclEntries;
    assert.equal(
      naclRefusal(widenedEntry({ protocol: '-1' as 'tcp' }, inbound!)),
      'protocol -1 is wider than tcp or udp',
    );
    assert.equal(naclRefusal({ ...inbound!, flows: [] }), 'it unblocks no flow of this analysis');
  });

  it('NACL: only the exact ephemeral range passes as return traffic; each end counts', () => {
    const [inbound, returnTraffic] = nacl.naclEntries;
    // Starts like the return range but runs past it; ends like it but starts below it.
    for (const [fromPort, toPort] of [
      [32768, 65535],
      [1024, 60999],
    ] as const)
      assert.match(
        naclRefusal(widenedEntry({ fromPort, toPort }, returnTraffic!)) ?? '',
        /are wider than .* needs/,
        `${fromPort}-${toPort}`,
      );
    // The flow's own port, widened at one end only.
    const port = inbound!.entry.fromPort;
    assert.match(naclRefusal(widenedEntry({ fromPort: port - 1 }, inbound!)) ?? '', /are wider than/);
    assert.match(naclRefusal(widenedEntry({ toPort: port + 1 }, inbound!)) ?? '', /are wider than/);
  });
});
