/**
 * Applies a remediation plan to a snapshot, as AWS would after the commands ran: the what-if that
 * lets tests (and users) prove a fix works by re-running the analysis. Pure: returns a new snapshot.
 */
import type { IpPermission } from '../snapshot/schemas.ts';
import type { Snapshot } from '../snapshot/types.ts';
import { K8sNetworkPolicy } from '../snapshot/schemas.ts';
import type { NaclRemediation, PolicyRemediation, SgRemediation } from './types.ts';

function permissionFor(rule: SgRemediation, ownerId: string | undefined): IpPermission {
  const peerGroup = rule.direction === 'ingress' ? rule.sourceGroupId : rule.destinationGroupId;
  return {
    IpProtocol: rule.protocol,
    FromPort: rule.fromPort,
    ToPort: rule.toPort,
    ...(peerGroup
      ? {
          UserIdGroupPairs: [
            { GroupId: peerGroup, ...(ownerId ? { UserId: ownerId } : {}), Description: rule.description },
          ],
        }
      : rule.cidr!.includes(':')
        ? { Ipv6Ranges: [{ CidrIpv6: rule.cidr!, Description: rule.description }] }
        : { IpRanges: [{ CidrIp: rule.cidr!, Description: rule.description }] }),
  };
}

export function applyRemediation(
  snapshot: Snapshot,
  rules: readonly SgRemediation[],
  naclEntries: readonly NaclRemediation[] = [],
  policies: readonly PolicyRemediation[] = [],
): Snapshot {
  const securityGroups = snapshot.securityGroups.map((located) => {
    const mine = rules.filter((r) => r.groupId === located.value.GroupId);
    if (mine.length === 0) return located;
    const add = (direction: 'ingress' | 'egress'): IpPermission[] =>
      mine.filter((r) => r.direction === direction).map((r) => permissionFor(r, located.value.OwnerId));
    return {
      ...located,
      value: {
        ...located.value,
        IpPermissions: [...(located.value.IpPermissions ?? []), ...add('ingress')],
        IpPermissionsEgress: [...(located.value.IpPermissionsEgress ?? []), ...add('egress')],
      },
    };
  });
  const networkAcls = snapshot.networkAcls.map((located) => {
    const mine = naclEntries.filter((e) => e.naclId === located.value.NetworkAclId);
    if (mine.length === 0) return located;
    const entries = mine.map((e) => ({
      RuleNumber: e.ruleNumber,
      Protocol: e.protocol === 'tcp' ? '6' : '17',
      RuleAction: 'allow' as const,
      Egress: e.egress,
      ...(e.cidr.includes(':') ? { Ipv6CidrBlock: e.cidr } : { CidrBlock: e.cidr }),
      PortRange: { From: e.fromPort, To: e.toPort },
    }));
    return {
      ...located,
      value: { ...located.value, Entries: [...(located.value.Entries ?? []), ...entries] },
    };
  });
  const networkPolicies = [
    ...snapshot.networkPolicies,
    ...policies.map((p) => ({
      // Validated, then kept whole: the schema's output drops the fields it does not check.
      value: (K8sNetworkPolicy.parse(p.manifest), p.manifest as K8sNetworkPolicy),
      origin: { file: '(remediation)', path: p.id },
    })),
  ];
  return { ...snapshot, securityGroups, networkAcls, networkPolicies };
}
