/** Builds the cluster model from a snapshot: a pure translation, with warnings for assumed defaults. */
import { coverage, parseCidr, type AddressRange } from '../base/ip.ts';
import { inputNotes, type Snapshot } from '../snapshot/types.ts';
import { buildCniSettings, buildEniConfigs, buildNodes, buildPods, buildServiceIndex } from './kubernetes.ts';
import { buildEniIndex, buildNacls, buildPrefixLists, buildSubnets } from './network.ts';
import { buildSecurityGroups } from './security-groups.ts';
import { buildPolicySet } from './policy/build.ts';
import type {
  ClusterModel,
  ModelWarning,
  NetworkAclModel,
  SecurityGroupModel,
  SubnetModel,
} from './types.ts';
import type { PolicySet } from './policy/types.ts';

function mostCommon(values: readonly (string | undefined)[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** Every address block the analysis compares addresses against. */
function addressBlocks(
  attachedGroups: ReadonlySet<string>,
  groups: ReadonlyMap<string, SecurityGroupModel>,
  prefixLists: ReadonlyMap<string, { cidrs: AddressRange[] }>,
  nacls: ReadonlyMap<string, NetworkAclModel>,
  policies: PolicySet,
): AddressRange[] {
  const unique = new Map<string, AddressRange>();
  const add = (range: AddressRange): void => {
    unique.set(`${range.family}:${range.start}-${range.end}`, range);
  };
  // Only groups on the cluster's ENIs are ever evaluated, so only their blocks can split a subnet.
  const referenced = new Set<string>();
  for (const id of attachedGroups) {
    const group = groups.get(id);
    if (!group) continue;
    for (const rule of [...group.ingress, ...group.egress]) {
      if (rule.peer.kind === 'cidr') add(rule.peer.range);
      if (rule.peer.kind === 'prefix-list') referenced.add(rule.peer.prefixListId);
    }
  }
  for (const id of referenced) prefixLists.get(id)?.cidrs.forEach(add);
  for (const acl of nacls.values()) for (const entry of [...acl.inbound, ...acl.outbound]) add(entry.range);
  for (const policy of policies.policies) {
    for (const rule of [...(policy.ingress ?? []), ...(policy.egress ?? [])]) {
      for (const peer of rule.peers ?? []) {
        if (!peer.ipBlock) continue;
        for (const cidr of [peer.ipBlock.cidr, ...(peer.ipBlock.except ?? [])]) add(parseCidr(cidr)!);
      }
    }
  }
  return [...unique.values()];
}

function uniformSubnets(
  subnets: ReadonlyMap<string, SubnetModel>,
  blocks: readonly AddressRange[],
): Set<string> {
  const uniform = new Set<string>();
  for (const subnet of subnets.values()) {
    if (subnet.cidrs.every((range) => blocks.every((block) => coverage(block, range) !== 'some')))
      uniform.add(subnet.id);
  }
  return uniform;
}

export function buildModel(snapshot: Snapshot): ClusterModel {
  const warnings: ModelWarning[] = [];
  const cluster = snapshot.clusters[0]?.value;
  const clusterSecurityGroupId = cluster?.resourcesVpcConfig?.clusterSecurityGroupId;
  const vpcId = cluster?.resourcesVpcConfig?.vpcId ?? mostCommon(snapshot.subnets.map((s) => s.value.VpcId));
  const accountId =
    /arn:aws[\w-]*:eks:[^:]*:(\d{12}):/.exec(cluster?.arn ?? '')?.[1] ??
    mostCommon(snapshot.securityGroups.map((g) => g.value.OwnerId));

  for (const cut of snapshot.warnings)
    warnings.push({ code: 'incomplete-capture', message: `${cut.file}: ${cut.message}` });
  const naclsCaptured = snapshot.captured.has('NetworkAcls');
  const missing = (what: string, assumption: string): void => {
    warnings.push({ code: 'missing-data', message: `no ${what} in the snapshot: ${assumption}` });
  };
  if (!snapshot.captured.has('SecurityGroups') && !snapshot.captured.has('SecurityGroupRules')) {
    missing('security groups (describe-security-groups)', 'every SG check is unknown');
  }
  if (
    !snapshot.captured.has('NetworkInterfaces') &&
    !snapshot.instances.some((i) => i.value.NetworkInterfaces)
  ) {
    missing(
      'network interfaces (describe-network-interfaces)',
      'pods cannot be placed on ENIs; their flows are unknown',
    );
  }
  if (!naclsCaptured)
    missing('network ACLs (describe-network-acls)', 'assumed the AWS default NACL, which allows all traffic');
  if (!snapshot.captured.has('Subnets'))
    missing('subnets (describe-subnets)', 'subnet boundaries and NACLs cannot be checked');
  if (!snapshot.captured.has('Node'))
    missing('Kubernetes nodes (kubectl get nodes)', 'no sources or targets can be placed');
  if (!snapshot.captured.has('Pod'))
    missing('Kubernetes pods (kubectl get pods -A)', 'targets are predicted from node groups');

  const cni = buildCniSettings(snapshot);
  const policies = buildPolicySet(snapshot);
  if (policies.policies.length > 0 && !policies.engine.enforced) {
    warnings.push({
      code: 'policies-inert',
      message: `NetworkPolicies are present but inert: ${policies.engine.evidence}`,
    });
  } else if (policies.policies.length > 0 && policies.engine.kind === 'unknown') {
    warnings.push({ code: 'policy-engine-assumed', message: `NetworkPolicies: ${policies.engine.evidence}` });
  }
  if (!cni.captured && snapshot.captured.has('Node')) {
    warnings.push({
      code: 'missing-data',
      message:
        'no aws-node DaemonSet in the snapshot: assumed VPC CNI defaults (no custom networking, no security groups for pods)',
    });
  }
  const { enis, eniForAddress, enisOfInstance } = buildEniIndex(snapshot);
  const vpcCidrs: AddressRange[] = snapshot.vpcs
    .filter((v) => !vpcId || v.value.VpcId === vpcId)
    .flatMap((v) => [
      ...(v.value.CidrBlockAssociationSet ?? []).flatMap((a) => (a.CidrBlock ? [a.CidrBlock] : [])),
      ...(v.value.CidrBlock ? [v.value.CidrBlock] : []),
    ])
    .map((c) => parseCidr(c)!);

  const eniConfigs = buildEniConfigs(snapshot);
  // Groups any pod or node can carry: on captured ENIs, or named by an ENIConfig for future pods.
  const attachedGroups = new Set<string>([
    ...[...enis.values()].flatMap((e) => e.groupIds),
    ...[...eniConfigs.values()].flatMap((c) => c.securityGroups),
  ]);
  const securityGroups = buildSecurityGroups(
    snapshot.securityGroups,
    snapshot.securityGroupRules,
    clusterSecurityGroupId,
  );
  const subnets = buildSubnets(snapshot.subnets, snapshot.networkAcls, naclsCaptured);
  const nacls = buildNacls(snapshot.networkAcls);
  const prefixLists = buildPrefixLists(snapshot);
  return {
    ...(cluster?.name ? { clusterName: cluster.name } : {}),
    ...(vpcId ? { vpcId } : {}),
    ...(clusterSecurityGroupId ? { clusterSecurityGroupId } : {}),
    ...(accountId ? { accountId } : {}),
    vpcCidrs,
    securityGroups: buildSecurityGroups(
      snapshot.securityGroups,
      snapshot.securityGroupRules,
      clusterSecurityGroupId,
    ),
    enis,
    subnets: buildSubnets(snapshot.subnets, snapshot.networkAcls, naclsCaptured),
    nacls: buildNacls(snapshot.networkAcls),
    prefixLists: buildPrefixLists(snapshot),
    nodes: buildNodes(snapshot, cni),
    pods: buildPods(snapshot),
    ...buildServiceIndex(snapshot),
    cni,
    eniConfigs,
    eniForAddress,
    enisOfInstance,
    naclsCaptured,
    uniformSubnets: uniformSubnets(
      subnets,
      addressBlocks(attachedGroups, securityGroups, prefixLists, nacls, policies),
    ),
    policies,
    warnings,
    inputNotes: inputNotes(snapshot),
  };
}
