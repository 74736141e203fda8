/** `--apply` refuses any item wider than the flows it unblocks, before a single call is made. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeSnapshot } from '../../../src/questions/analyze.ts';
import { applyPlan, naclRefusal, ruleRefusal } from '../../../src/questions/fix/apply-plan.ts';
import { fixPlan, type PlannedNaclEntry, type PlannedRule } from '../../../src/questions/fix/plan.ts';
import type { NaclRemediation, SgRemediation } from '../../../src/remediate/types.ts';
import { loadSnapshot } from '../../../src/snapshot/load.ts';
import { naclBlocked } from './scenarios.ts';

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
    ['every protocol', { protocol: '-1' as 'tcp' }, /protocol -1 is wider than tcp or udp/],
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
    assert.match(naclRefusal(widenedEntry({ protocol: 'udp' }, inbound!)) ?? '', /is tcp, the entry udp/);
  });
});
