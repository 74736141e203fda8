/**
 * Translates EC2 security groups into internal rules, attaching the facts that explain each rule
 * (its group, direction, origin in the input, why a reference can never match) while translating.
 */
import { parseCidr } from '../net/ip.ts';
import type { IpPermission, SecurityGroup, SecurityGroupRule } from '../snapshot/schemas.ts';
import type { Located, Origin } from '../snapshot/types.ts';
import { joinPath } from '../snapshot/parse.ts';
import { normaliseProtocol, rulePorts } from './protocol.ts';
import type { RulePeer, SecurityGroupModel, SgRule } from './types.ts';

interface GroupContext {
  readonly groupId: string;
  readonly ownerId?: string;
}

function referencePeer(
  context: GroupContext,
  pair: { GroupId?: string; UserId?: string; PeeringStatus?: string; VpcPeeringConnectionId?: unknown },
): RulePeer {
  if (!pair.GroupId) {
    return { kind: 'security-group', groupId: '(unnamed)', unmatchable: 'the reference names no group id' };
  }
  const base = {
    kind: 'security-group' as const,
    groupId: pair.GroupId,
    ...(pair.UserId ? { userId: pair.UserId } : {}),
  };
  if (pair.UserId && context.ownerId && pair.UserId !== context.ownerId) {
    return {
      ...base,
      unmatchable: `${pair.GroupId} belongs to account ${pair.UserId}; no ENI of this cluster can carry it`,
    };
  }
  if (pair.PeeringStatus || pair.VpcPeeringConnectionId) {
    return {
      ...base,
      unmatchable: `${pair.GroupId} is in a peered VPC; no ENI of this cluster can carry it`,
    };
  }
  return base;
}

function permissionRules(
  context: GroupContext,
  direction: 'ingress' | 'egress',
  permission: IpPermission,
  origin: Origin,
): SgRule[] {
  const protocol = normaliseProtocol(permission.IpProtocol);
  const ports = rulePorts(protocol, permission.FromPort, permission.ToPort);
  const rules: SgRule[] = [];
  const add = (peer: RulePeer, key: string, index: number, description: string | undefined): void => {
    const path = joinPath(origin.path, [key, index]);
    rules.push({
      id: `${context.groupId}/${direction}:${path.slice(path.lastIndexOf('IpPermissions'))}`,
      groupId: context.groupId,
      direction,
      protocol,
      ...(ports ? { ports } : {}),
      peer,
      ...(description ? { description } : {}),
      origin: { file: origin.file, path },
    });
  };
  permission.IpRanges?.forEach((r, i) =>
    add({ kind: 'cidr', cidr: r.CidrIp, range: parseCidr(r.CidrIp)! }, 'IpRanges', i, r.Description),
  );
  permission.Ipv6Ranges?.forEach((r, i) =>
    add({ kind: 'cidr', cidr: r.CidrIpv6, range: parseCidr(r.CidrIpv6)! }, 'Ipv6Ranges', i, r.Description),
  );
  permission.PrefixListIds?.forEach((r, i) =>
    add({ kind: 'prefix-list', prefixListId: r.PrefixListId }, 'PrefixListIds', i, r.Description),
  );
  permission.UserIdGroupPairs?.forEach((r, i) =>
    add(referencePeer(context, r), 'UserIdGroupPairs', i, r.Description),
  );
  return rules;
}

function fromDescribeSecurityGroups(
  group: Located<SecurityGroup>,
  clusterSecurityGroupId: string | undefined,
): SecurityGroupModel {
  const sg = group.value;
  const context: GroupContext = { groupId: sg.GroupId, ...(sg.OwnerId ? { ownerId: sg.OwnerId } : {}) };
  const collect = (key: 'IpPermissions' | 'IpPermissionsEgress', direction: 'ingress' | 'egress'): SgRule[] =>
    (sg[key] ?? []).flatMap((permission, i) =>
      permissionRules(context, direction, permission, {
        file: group.origin.file,
        path: joinPath(group.origin.path, [key, i]),
      }),
    );
  const ingress = collect('IpPermissions', 'ingress');
  const isClusterSg =
    sg.GroupId === clusterSecurityGroupId ||
    (sg.Tags ?? []).some((t) => t.Key === 'aws:eks:cluster-name') ||
    (sg.GroupName ?? '').startsWith('eks-cluster-sg-');
  return {
    id: sg.GroupId,
    ...(sg.GroupName ? { name: sg.GroupName } : {}),
    ...(sg.VpcId ? { vpcId: sg.VpcId } : {}),
    ...(sg.OwnerId ? { ownerId: sg.OwnerId } : {}),
    ingress,
    egress: collect('IpPermissionsEgress', 'egress'),
    ingressRuleCount: ingress.length,
    isClusterSecurityGroup: isClusterSg,
    origin: group.origin,
  };
}

function ruleFromDescribeRules(rule: Located<SecurityGroupRule>): SgRule {
  const r = rule.value;
  const protocol = normaliseProtocol(r.IpProtocol);
  const ports = rulePorts(protocol, r.FromPort, r.ToPort);
  const context: GroupContext = {
    groupId: r.GroupId,
    ...(r.GroupOwnerId ? { ownerId: r.GroupOwnerId } : {}),
  };
  let peer: RulePeer;
  if (r.CidrIpv4) peer = { kind: 'cidr', cidr: r.CidrIpv4, range: parseCidr(r.CidrIpv4)! };
  else if (r.CidrIpv6) peer = { kind: 'cidr', cidr: r.CidrIpv6, range: parseCidr(r.CidrIpv6)! };
  else if (r.PrefixListId) peer = { kind: 'prefix-list', prefixListId: r.PrefixListId };
  else peer = referencePeer(context, r.ReferencedGroupInfo ?? {});
  return {
    id: r.SecurityGroupRuleId ?? `${r.GroupId}/${rule.origin.path}`,
    groupId: r.GroupId,
    direction: r.IsEgress ? 'egress' : 'ingress',
    protocol,
    ...(ports ? { ports } : {}),
    peer,
    ...(r.Description ? { description: r.Description } : {}),
    origin: rule.origin,
  };
}

/**
 * Security groups from `describe-security-groups` and/or `describe-security-group-rules`.
 * A group described by both keeps its `describe-security-groups` rules (the two are the same rules
 * in two shapes; merging would count each twice).
 */
export function buildSecurityGroups(
  groups: readonly Located<SecurityGroup>[],
  rules: readonly Located<SecurityGroupRule>[],
  clusterSecurityGroupId: string | undefined,
): Map<string, SecurityGroupModel> {
  const out = new Map<string, SecurityGroupModel>();
  for (const group of groups) {
    const existing = out.get(group.value.GroupId);
    const model = fromDescribeSecurityGroups(group, clusterSecurityGroupId);
    // Paginated captures can repeat a group; the same id twice is one group.
    if (!existing) out.set(model.id, model);
  }
  const described = new Set(out.keys());
  const fromRules = new Map<
    string,
    { ingress: SgRule[]; egress: SgRule[]; first: Located<SecurityGroupRule> }
  >();
  for (const rule of rules) {
    const groupId = rule.value.GroupId;
    if (described.has(groupId)) continue;
    const entry = fromRules.get(groupId) ?? { ingress: [], egress: [], first: rule };
    fromRules.set(groupId, entry);
    const internal = ruleFromDescribeRules(rule);
    entry[internal.direction].push(internal);
  }
  for (const [groupId, { ingress, egress, first }] of fromRules) {
    out.set(groupId, {
      id: groupId,
      ...(first.value.GroupOwnerId ? { ownerId: first.value.GroupOwnerId } : {}),
      ingress,
      egress,
      ingressRuleCount: ingress.length,
      isClusterSecurityGroup: groupId === clusterSecurityGroupId,
      origin: first.origin,
    });
  }
  return out;
}
