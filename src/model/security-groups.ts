/**
 * Translates EC2 security groups into internal rules, attaching the facts that explain each rule
 * (its group, direction, origin in the input, why a reference can never match) while translating.
 */
import { parseCidr } from '../base/ip.ts';
import type { IpPermission, SecurityGroup, SecurityGroupRule } from '../snapshot/schemas.ts';
import type { Located, Origin } from '../snapshot/types.ts';
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
  group: Origin,
  local: string,
): SgRule[] {
  const protocol = normaliseProtocol(permission.IpProtocol);
  const ports = rulePorts(protocol, permission.FromPort, permission.ToPort);
  const rules: SgRule[] = [];
  // Ids and paths are plain concatenation: this runs once per rule, 50k times on a large account.
  const add = (peer: RulePeer, key: string, index: number, description: string | undefined): void => {
    const within = `${local}.${key}[${index}]`;
    rules.push({
      id: `${context.groupId}/${direction}:${within}`,
      groupId: context.groupId,
      direction,
      protocol,
      ...(ports ? { ports } : {}),
      peer,
      ...(description ? { description } : {}),
      origin: { file: group.file, path: group.path ? `${group.path}.${within}` : within },
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
      permissionRules(context, direction, permission, group.origin, `${key}[${i}]`),
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
/**
 * A map that builds each value on first read. Large accounts have hundreds of groups and tens of
 * thousands of rules, of which a cluster's ENIs carry a handful: only those are ever translated.
 */
class LazyMap<K, V> implements ReadonlyMap<K, V> {
  private readonly built = new Map<K, V>();
  constructor(
    private readonly keysInOrder: readonly K[],
    private readonly make: (key: K) => V | undefined,
  ) {}
  get(key: K): V | undefined {
    let value = this.built.get(key);
    if (value === undefined) {
      value = this.make(key);
      if (value !== undefined) this.built.set(key, value);
    }
    return value;
  }
  has(key: K): boolean {
    return this.keysInOrder.includes(key) && this.get(key) !== undefined;
  }
  get size(): number {
    return this.keysInOrder.length;
  }
  *entries(): MapIterator<[K, V]> {
    for (const key of this.keysInOrder) yield [key, this.get(key)!];
  }
  *keys(): MapIterator<K> {
    yield* this.keysInOrder;
  }
  *values(): MapIterator<V> {
    for (const key of this.keysInOrder) yield this.get(key)!;
  }
  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }
  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void): void {
    for (const [key, value] of this.entries()) callback(value, key, this);
  }
}

/**
 * Security groups from `describe-security-groups` and/or `describe-security-group-rules`.
 * A group described by both keeps its `describe-security-groups` rules (the two are the same rules
 * in two shapes; merging would count each twice). Paginated captures can repeat a group: the
 * first one wins. Groups are translated on first use.
 */
export function buildSecurityGroups(
  groups: readonly Located<SecurityGroup>[],
  rules: readonly Located<SecurityGroupRule>[],
  clusterSecurityGroupId: string | undefined,
): ReadonlyMap<string, SecurityGroupModel> {
  const described = new Map<string, Located<SecurityGroup>>();
  for (const group of groups)
    if (!described.has(group.value.GroupId)) described.set(group.value.GroupId, group);
  // An entry without either permission key (a trimmed capture) does not say the group has no
  // rules: its rules then come from describe-security-group-rules, when captured.
  const hasRules = (group: Located<SecurityGroup>): boolean =>
    group.value.IpPermissions !== undefined || group.value.IpPermissionsEgress !== undefined;
  const ruleOnly = new Map<string, Located<SecurityGroupRule>[]>();
  for (const rule of rules) {
    const groupId = rule.value.GroupId;
    const group = described.get(groupId);
    if (group && hasRules(group)) continue;
    const list = ruleOnly.get(groupId) ?? [];
    list.push(rule);
    ruleOnly.set(groupId, list);
  }
  const fromRules = (groupId: string, list: readonly Located<SecurityGroupRule>[]): SecurityGroupModel => {
    const internal = list.map(ruleFromDescribeRules);
    const ingress = internal.filter((r) => r.direction === 'ingress');
    const first = list[0]!;
    return {
      id: groupId,
      ...(first.value.GroupOwnerId ? { ownerId: first.value.GroupOwnerId } : {}),
      ingress,
      egress: internal.filter((r) => r.direction === 'egress'),
      ingressRuleCount: ingress.length,
      isClusterSecurityGroup: groupId === clusterSecurityGroupId,
      origin: first.origin,
    };
  };
  // A group both described (without its permissions) and in the rules is one key, not two.
  return new LazyMap([...new Set([...described.keys(), ...ruleOnly.keys()])], (groupId) => {
    const group = described.get(groupId);
    const list = ruleOnly.get(groupId);
    if (group && list) {
      // Name and tags from the group entry, rules from describe-security-group-rules.
      const { ingress, egress, ingressRuleCount } = fromRules(groupId, list);
      return {
        ...fromDescribeSecurityGroups(group, clusterSecurityGroupId),
        ingress,
        egress,
        ingressRuleCount,
      };
    }
    if (group) return fromDescribeSecurityGroups(group, clusterSecurityGroupId);
    return list ? fromRules(groupId, list) : undefined;
  });
}
