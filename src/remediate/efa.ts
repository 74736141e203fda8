/**
 * The fix for a blocked SRD (EFA) flow: the self-referencing arrangement AWS documents for EFA — a
 * security group that both EFA interfaces carry, with an all-traffic inbound rule from itself and
 * an all-traffic outbound rule to itself (EC2 User Guide, "Get started with EFA", Step 1). Nothing
 * narrower carries SRD, so these are the narrowest rules that work, and the only `-1` rules the
 * tool proposes. When the two interfaces share no group, no rule can fix it: the group must be
 * attached to both node groups' EFA interfaces first (a launch-template change), and the fix says
 * which group and which rules.
 */
import type { FlowResult } from '../analyze/types.ts';
import type { ClusterModel } from '../model/types.ts';
import type { SgRemediation } from './types.ts';

type Draft = Omit<SgRemediation, 'command' | 'id' | 'description' | 'quotaWarning'>;

function hasSelfRule(model: ClusterModel, groupId: string, direction: 'ingress' | 'egress'): boolean {
  const group = model.securityGroups.get(groupId);
  return (
    (direction === 'ingress' ? group?.ingress : group?.egress)?.some(
      (r) => r.protocol === 'all' && r.peer.kind === 'security-group' && r.peer.groupId === groupId,
    ) ?? false
  );
}

/** Prefer a group that is not the EKS cluster SG (which is on every managed node), then by id. */
function pick(model: ClusterModel, groups: readonly string[]): string | undefined {
  const narrow = groups.filter((g) => !model.securityGroups.get(g)?.isClusterSecurityGroup);
  return [...(narrow.length > 0 ? narrow : groups)].sort((a, b) => a.localeCompare(b))[0];
}

export function efaNeeds(
  model: ClusterModel,
  flows: readonly FlowResult[],
): { rules: Draft[]; unfixable: string[] } {
  const rules = new Map<string, Draft>();
  const unfixable: string[] = [];
  for (const flow of flows) {
    if (flow.status !== 'blocked') continue;
    const { source, destination } = flow;
    const shared = source.securityGroups.filter((g) => destination.securityGroups.includes(g));
    const group = pick(model, shared);
    if (!group) {
      const target = pick(model, destination.securityGroups) ?? pick(model, source.securityGroups);
      unfixable.push(
        `${flow.id}: the EFA interfaces of ${source.nodeGroup} [${source.securityGroups.join(', ')}] and ${destination.nodeGroup} [${destination.securityGroups.join(', ')}] share no security group, and SRD passes only a group both carry: attach one group to both node groups' EFA interfaces (launch template NetworkInterfaces[].Groups of the InterfaceType efa interfaces)${target ? `, e.g. ${target}, with an all-traffic inbound rule from ${target} and an all-traffic outbound rule to ${target}` : ''}`,
      );
      continue;
    }
    for (const direction of ['ingress', 'egress'] as const) {
      if (hasSelfRule(model, group, direction)) continue;
      const key = `${direction}|${group}`;
      const existing = rules.get(key);
      rules.set(key, {
        direction,
        groupId: group,
        protocol: '-1',
        fromPort: -1,
        toPort: -1,
        ...(direction === 'ingress' ? { sourceGroupId: group } : { destinationGroupId: group }),
        requirements: ['efa-srd'],
        unblocks: [...new Set([...(existing?.unblocks ?? []), flow.id])],
      });
    }
  }
  return { rules: [...rules.values()], unfixable };
}
