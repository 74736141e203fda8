/**
 * The fix for SRD between two EFA interfaces, from the EC2 User Guide ("Get started with EFA",
 * Step 1): "The security group must allow all inbound and outbound traffic to and from the security
 * group itself" — an all-traffic inbound rule from the group and an all-traffic outbound rule to it,
 * on a group both interfaces carry. A group that already has one of them needs only the other; two
 * interfaces that share no group cannot be fixed by a rule at all. The EKS cluster security group is
 * on every managed node, so a narrower shared group is preferred to it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FlowResult } from '../../src/analyze/types.ts';
import { efaNeeds } from '../../src/remediate/efa.ts';
import { buildModel } from '../helpers/core.ts';
import { ALLOW_ALL_EGRESS, allTraffic, scenario, tcp } from '../helpers/scenario.ts';

const model = buildModel(
  scenario()
    .subnet('subnet-a', '10.0.16.0/20')
    .sg('sg-cluster', [allTraffic.fromGroup('sg-cluster')], [allTraffic.fromGroup('sg-cluster')], {
      GroupName: 'eks-cluster-sg-test-1',
      Tags: [{ Key: 'aws:eks:cluster-name', Value: 'test' }],
    })
    // Inbound from itself already; outbound only to 0.0.0.0/0, which does not carry SRD.
    .sg('sg-efa', [allTraffic.fromGroup('sg-efa')], [ALLOW_ALL_EGRESS])
    // A TCP-only self reference is no all-traffic rule.
    .sg('sg-tcp', [tcp(0, 65535).fromGroup('sg-tcp')], [])
    .sg('sg-prefill', [])
    // All traffic, but to and from another group: not the group itself.
    .sg('sg-other', [allTraffic.fromGroup('sg-prefill')], [allTraffic.fromGroup('sg-prefill')])
    .sg('sg-decode', [])
    .snapshot(),
);

const flow = (id: string, source: string[], destination: string[], status = 'blocked'): FlowResult =>
  ({
    id,
    requirement: 'efa-srd',
    protocol: 'efa',
    status,
    source: { nodeGroup: 'gpu-prefill', securityGroups: source },
    destination: { nodeGroup: 'gpu-decode', securityGroups: destination },
  }) as unknown as FlowResult;

describe('the EFA fix: self-referencing all-traffic rules on a shared group', () => {
  it('adds only the missing direction: sg-efa admits itself, so only the outbound rule to itself', () => {
    const { rules, unfixable } = efaNeeds(model, [
      flow('f1', ['sg-efa', 'sg-prefill'], ['sg-decode', 'sg-efa']),
    ]);
    assert.deepEqual(unfixable, []);
    assert.deepEqual(rules, [
      {
        direction: 'egress',
        groupId: 'sg-efa',
        protocol: '-1',
        fromPort: -1,
        toPort: -1,
        destinationGroupId: 'sg-efa',
        requirements: ['efa-srd'],
        unblocks: ['f1'],
      },
    ]);
  });

  it('a group whose only self rule is TCP gets both all-traffic rules', () => {
    const { rules } = efaNeeds(model, [flow('f1', ['sg-tcp'], ['sg-tcp'])]);
    assert.deepEqual(
      rules.map((r) => [r.direction, r.groupId, r.protocol, r.sourceGroupId ?? r.destinationGroupId]),
      [
        ['ingress', 'sg-tcp', '-1', 'sg-tcp'],
        ['egress', 'sg-tcp', '-1', 'sg-tcp'],
      ],
    );
  });

  it('prefers a shared group other than the EKS cluster SG; takes the cluster SG when it is the only one', () => {
    const narrow = efaNeeds(model, [flow('f1', ['sg-cluster', 'sg-tcp'], ['sg-tcp', 'sg-cluster'])]);
    assert.deepEqual([...new Set(narrow.rules.map((r) => r.groupId))], ['sg-tcp']);
    // sg-cluster already has both self rules: nothing to add, and nothing unfixable.
    const cluster = efaNeeds(model, [flow('f1', ['sg-cluster', 'sg-prefill'], ['sg-cluster', 'sg-decode'])]);
    assert.deepEqual(cluster, { rules: [], unfixable: [] });
  });

  it('among several shared groups, the first by id; one rule per group and direction for all flows', () => {
    const { rules } = efaNeeds(model, [
      flow('f1', ['sg-tcp', 'sg-decode'], ['sg-tcp', 'sg-decode']),
      flow('f2', ['sg-decode'], ['sg-decode']),
    ]);
    assert.deepEqual(
      rules.map((r) => [r.direction, r.groupId, r.unblocks]),
      [
        ['ingress', 'sg-decode', ['f1', 'f2']],
        ['egress', 'sg-decode', ['f1', 'f2']],
      ],
    );
  });

  it('flows that are not blocked need nothing', () => {
    assert.deepEqual(
      efaNeeds(model, [
        flow('f1', ['sg-tcp'], ['sg-tcp'], 'allowed'),
        flow('f2', ['sg-tcp'], ['sg-tcp'], 'unknown'),
      ]),
      {
        rules: [],
        unfixable: [],
      },
    );
  });

  it('no shared group: no rule; the warning says to attach one group to both, naming one to use', () => {
    const { rules, unfixable } = efaNeeds(model, [
      flow('f1', ['sg-prefill', 'sg-cluster'], ['sg-decode', 'sg-cluster2']),
    ]);
    assert.deepEqual(rules, []);
    assert.deepEqual(unfixable, [
      "f1: the EFA interfaces of gpu-prefill [sg-prefill, sg-cluster] and gpu-decode [sg-decode, sg-cluster2] share no security group, and SRD passes only a group both carry: attach one group to both node groups' EFA interfaces (launch template NetworkInterfaces[].Groups of the InterfaceType efa interfaces), e.g. sg-cluster2, with an all-traffic inbound rule from sg-cluster2 and an all-traffic outbound rule to sg-cluster2",
    ]);
    const bare = efaNeeds(model, [flow('f2', [], [])]);
    assert.deepEqual(bare.unfixable, [
      "f2: the EFA interfaces of gpu-prefill [] and gpu-decode [] share no security group, and SRD passes only a group both carry: attach one group to both node groups' EFA interfaces (launch template NetworkInterfaces[].Groups of the InterfaceType efa interfaces)",
    ]);
    // The destination has no group: the source's is named.
    const fromSource = efaNeeds(model, [flow('f3', ['sg-prefill'], [])]);
    assert.match(
      fromSource.unfixable[0]!,
      /, e\.g\. sg-prefill, with an all-traffic inbound rule from sg-prefill and an all-traffic outbound rule to sg-prefill$/,
    );
  });

  it('all-traffic rules that name another group are no self reference: both rules are added', () => {
    const { rules } = efaNeeds(model, [flow('f1', ['sg-other'], ['sg-other'])]);
    assert.deepEqual(
      rules.map((r) => [r.direction, r.groupId]),
      [
        ['ingress', 'sg-other'],
        ['egress', 'sg-other'],
      ],
    );
  });

  it('a shared group the snapshot lacks: its rules are not known, so both are proposed', () => {
    const { rules, unfixable } = efaNeeds(model, [flow('f1', ['sg-gone'], ['sg-gone'])]);
    assert.deepEqual(unfixable, []);
    assert.deepEqual(
      rules.map((r) => [r.direction, r.groupId]),
      [
        ['ingress', 'sg-gone'],
        ['egress', 'sg-gone'],
      ],
    );
  });
});
