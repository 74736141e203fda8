/**
 * EFA semantics: SRD (the Scalable Reliable Datagram transport of EFA's OS-bypass traffic) is
 * carried between two EFA interfaces only by security-group rules that reference the security
 * group itself, for all traffic, of a group both interfaces carry — in ingress and in egress (EC2
 * User Guide, "Get started with EFA", Step 1: "The security group must allow all inbound and
 * outbound traffic to and from the security group itself"; EKS User Guide, "Run machine learning
 * training on Amazon EKS with Elastic Fabric Adapter" repeats it). A CIDR rule (`0.0.0.0/0` egress,
 * the VPC block), a prefix list, a rule referencing another group, or a TCP-only self reference
 * does not carry it. SRD is reliable and acknowledged in both directions, so both directions are
 * checked: source egress, destination ingress, destination egress and source ingress. Network ACLs
 * and NetworkPolicies filter IP packets and are not evaluated for SRD; the trace says so.
 */
import type { Endpoint } from '../model/endpoints.ts';
import type { ClusterModel, SgRule } from '../model/types.ts';
import { describeSgRule, sgRuleFact } from './describe.ts';
import type { Fact, TraceStep } from './types.ts';

/** A rule that carries SRD between `self` and `other`: all traffic, referencing its own group, which `other` carries too. */
function carriesSrd(rule: SgRule, other: Endpoint): boolean {
  return (
    rule.protocol === 'all' &&
    rule.peer.kind === 'security-group' &&
    !rule.peer.unmatchable &&
    rule.peer.groupId === rule.groupId &&
    other.securityGroups.includes(rule.groupId)
  );
}

/** Why a rule that might look like it allows the traffic does not carry SRD, or undefined when it is unrelated. */
function whyNot(rule: SgRule, other: Endpoint): string | undefined {
  const text = describeSgRule(rule);
  if (rule.peer.kind !== 'security-group')
    return `${text}: a CIDR or prefix-list rule does not carry SRD (only a rule referencing the group itself does)`;
  if (rule.peer.groupId !== rule.groupId)
    return other.securityGroups.includes(rule.peer.groupId)
      ? `${text}: it references another group, not its own; SRD needs a self-referencing rule`
      : undefined;
  if (rule.protocol !== 'all')
    return `${text}: self-referencing but not all traffic, so it does not carry SRD`;
  return `${text}: self-referencing, but ${other.label} does not carry ${rule.groupId}`;
}

function srdStep(
  model: ClusterModel,
  kind: 'sg-egress' | 'sg-ingress',
  self: Endpoint,
  other: Endpoint,
  reverse: boolean,
): TraceStep {
  const direction = kind === 'sg-egress' ? 'egress' : 'ingress';
  const at = `${self.eniId ?? self.label} [${self.securityGroups.join(', ') || 'no SGs'}]`;
  const what = `SRD ${direction === 'egress' ? 'to' : 'from'} ${other.label}${reverse ? ' (the other direction of SRD)' : ''}`;
  const shared = self.securityGroups.filter((g) => other.securityGroups.includes(g));
  const notCarrying: string[] = [];
  for (const groupId of self.securityGroups) {
    const group = model.securityGroups.get(groupId);
    if (!group) continue;
    for (const rule of direction === 'egress' ? group.egress : group.ingress) {
      if (carriesSrd(rule, other)) {
        return {
          kind,
          status: 'allowed',
          at,
          summary: `${direction} ${what} allowed by ${describeSgRule(rule)}: an all-traffic rule of ${groupId} referencing itself, a group both EFA interfaces carry`,
          facts: [sgRuleFact(rule)],
        };
      }
      const why = whyNot(rule, other);
      if (why) notCarrying.push(why);
    }
  }
  // A group not captured might hold the rule, but only one the other end carries too.
  const undecided: Fact[] = shared
    .filter((g) => !model.securityGroups.has(g))
    .map((g) => ({
      kind: 'missing',
      text: `security group ${g}, which both EFA interfaces carry, is not in the snapshot`,
    }));
  if (undecided.length > 0)
    return {
      kind,
      status: 'unknown',
      at,
      summary: `${direction} ${what} cannot be decided: ${undecided.map((f) => f.text).join('; ')}`,
      facts: undecided,
    };
  const sharedText =
    shared.length === 0
      ? `the two EFA interfaces share no security group, so no self-referencing rule can match (SRD needs a group both carry)`
      : `no all-traffic ${direction} rule of ${shared.join(', ')} (the groups both carry) references its own group`;
  const shown = notCarrying.slice(0, 4);
  return {
    kind,
    status: 'blocked',
    at,
    summary: `no ${direction} rule in [${self.securityGroups.join(', ') || 'no SGs'}] carries ${what}: ${sharedText}${shown.length > 0 ? `; ${shown.join('; ')}` : ''}`,
    facts: [
      {
        kind: 'missing',
        text: sharedText,
        signature: `efa ${direction}: ${shared.length === 0 ? 'no shared group' : 'no self rule'}`,
      },
    ],
  };
}

/** The SRD steps between two EFA endpoints, in path order, then the reverse direction. */
export function efaSteps(model: ClusterModel, source: Endpoint, destination: Endpoint): TraceStep[] {
  return [
    srdStep(model, 'sg-egress', source, destination, false),
    {
      kind: 'nacl-source-outbound',
      status: 'skipped',
      at: '-',
      summary:
        'SRD is not IP traffic a network ACL or NetworkPolicy filters: only the security groups decide it',
      facts: [],
    },
    srdStep(model, 'sg-ingress', destination, source, false),
    srdStep(model, 'sg-egress', destination, source, true),
    srdStep(model, 'sg-ingress', source, destination, true),
  ];
}
