/** Builds the cluster model from a snapshot: a pure translation, with warnings for assumed defaults. */
import { buildApiServices, buildControlPlane, buildWebhooks } from './control-plane.ts';
import { coverage, parseCidr, type AddressRange } from '../base/ip.ts';
import { inputNotes, type Snapshot } from '../snapshot/types.ts';
import {
  buildCniSettings,
  buildEniConfigs,
  buildNodes,
  buildPods,
  buildSecurityGroupPolicies,
  buildServiceIndex,
} from './kubernetes.ts';
import { buildPodNetworks } from './pod-network.ts';
import { buildEniIndex, buildNacls, buildPrefixLists, buildSubnets } from './network.ts';
import { buildSecurityGroups } from './security-groups.ts';
import { declaredComponents } from './dynamo-graph.ts';
import { buildPolicySet, hasPolicies } from './policy/build.ts';
import type {
  ClusterModel,
  CniSettings,
  ModelWarning,
  NetworkAclModel,
  PodModel,
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
  for (const policy of policies.calico)
    for (const rule of [...policy.ingress, ...policy.egress])
      for (const side of [rule.source, rule.destination])
        for (const range of [...(side.nets ?? []), ...(side.notNets ?? [])]) add(range);
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

/**
 * The address family of pods. EKS gives an IPv6 cluster's pods IPv6 addresses only (their IPv4
 * egress is translated to the node's address), so one family decides every pod-to-pod flow.
 */
function podFamily(
  declared: string | undefined,
  cni: CniSettings,
  pods: readonly PodModel[],
): { family: 4 | 6; source: string } {
  if (declared?.toLowerCase() === 'ipv6') return { family: 6, source: 'EKS cluster ipFamily ipv6' };
  if (declared?.toLowerCase() === 'ipv4') return { family: 4, source: 'EKS cluster ipFamily ipv4' };
  if (cni.captured)
    return cni.ipv6
      ? { family: 6, source: 'aws-node ENABLE_IPv6=true' }
      : { family: 4, source: 'aws-node without ENABLE_IPv6=true' };
  let v4 = 0;
  let v6 = 0;
  for (const pod of pods) {
    if (pod.hostNetwork || !pod.ip) continue;
    if (pod.ip.includes(':')) v6 += 1;
    else v4 += 1;
  }
  if (v6 > 0 && v4 === 0) return { family: 6, source: 'every pod IP in the snapshot is IPv6' };
  if (v4 > 0) return { family: 4, source: 'pod IPs in the snapshot are IPv4' };
  return { family: 4, source: 'assumed IPv4: no cluster ipFamily, aws-node or pod IP in the snapshot' };
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
  if (hasPolicies(policies) && !policies.engine.enforced) {
    warnings.push({
      code: 'policies-inert',
      message: `NetworkPolicies are present but inert: ${policies.engine.evidence}`,
    });
  } else if (hasPolicies(policies) && policies.engine.kind === 'unknown') {
    warnings.push({ code: 'policy-engine-assumed', message: `NetworkPolicies: ${policies.engine.evidence}` });
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
  const securityGroupPolicies = buildSecurityGroupPolicies(snapshot);
  // Groups any pod or node can carry: on captured ENIs, or named by an ENIConfig or a
  // SecurityGroupPolicy for future pods.
  const attachedGroups = new Set<string>([
    ...[...enis.values()].flatMap((e) => e.groupIds),
    ...[...eniConfigs.values()].flatMap((c) => c.securityGroups),
    ...securityGroupPolicies.flatMap((p) => p.groupIds),
  ]);
  const { nodes, notes: nodeNotes } = buildNodes(snapshot, cni);
  const pods = buildPods(snapshot);
  const family = podFamily(cluster?.kubernetesNetworkConfig?.ipFamily, cni, pods);
  const podNetworks = buildPodNetworks({
    cni,
    eniConfigs,
    nodes,
    ipFamily: family.family,
    eniForAddress,
    enisOfInstance,
  });
  warnings.push(...podNetworks.warnings);
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
    securityGroups,
    enis,
    subnets,
    nacls,
    prefixLists,
    nodes,
    pods,
    dynamoComponents: declaredComponents(snapshot),
    ...buildServiceIndex(snapshot),
    controlPlane: buildControlPlane(snapshot),
    webhooks: buildWebhooks(snapshot),
    webhooksCaptured:
      snapshot.captured.has('ValidatingWebhookConfiguration') ||
      snapshot.captured.has('MutatingWebhookConfiguration'),
    apiServices: buildApiServices(snapshot),
    apiServicesCaptured: snapshot.captured.has('APIService'),
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
    securityGroupPolicies,
    ipFamily: family.family,
    ipFamilySource: family.source,
    podNetworks: podNetworks.byNode,
    warnings,
    notes: [
      ...(family.family === 6
        ? [
            {
              code: 'ipv6',
              message: `IPv6 cluster (${family.source}): pods get IPv6 addresses only, so pods not created yet take their subnet's IPv6 block`,
            },
          ]
        : []),
      ...nodeNotes,
      ...podNetworks.notes,
    ],
    inputNotes: inputNotes(snapshot),
  };
}
