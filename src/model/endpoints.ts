/**
 * Where a pod's traffic enters the VPC: its ENI, security groups, subnet and address, and the facts
 * that decided them (docs/architecture.md, "Which ENI carries a pod").
 */
import { parseAddress, type AddressRange } from '../base/ip.ts';
import type {
  ClusterModel,
  EniModel,
  NodeModel,
  PodModel,
  PodNetwork,
  SecurityGroupPolicyModel,
} from './types.ts';
import type { PodIdentity, Tri } from './policy/types.ts';
import { and, matchSelector, unsettledLabels } from './policy/selectors.ts';
import { NO_NODE_GROUP } from './kubernetes.ts';
import { primaryEni, trunkEni } from './pod-network.ts';

export interface Endpoint {
  /**
   * `pod:<ns>/<name>` for a real pod, `node:<name>` for a pod predicted on a node,
   * `control-plane:<subnet>` for the EKS control plane's ENIs in one of the cluster's subnets,
   * `kubelet:<node>` for a node's kubelet (its host network: the primary ENI; model/kubelet.ts).
   */
  readonly id: string;
  readonly kind: 'pod' | 'predicted' | 'control-plane' | 'kubelet';
  readonly label: string;
  readonly nodeName?: string;
  readonly nodeGroup: string;
  /** The pod IP, or the range a predicted pod's IP will come from (its subnet). */
  readonly addresses?: AddressRange;
  readonly addressText: string;
  readonly eniId?: string;
  readonly securityGroups: string[];
  readonly subnetId?: string;
  /** SGs apply to same-node traffic only for SG-for-pods branch ENIs in strict mode. */
  readonly sgOnSameNode: boolean;
  /** The attachment: how the ENI that carries the pod, its SGs and subnet were found, in order. */
  readonly attachment: string[];
  /** Why the network attachment is not known (the flow is then `unknown`). */
  readonly unresolved?: string;
  /** The pod's namespace, labels and ports for NetworkPolicy; absent for a pod not created yet. */
  readonly pod?: PodIdentity;
}

function eniAttachment(eni: EniModel): Pick<Endpoint, 'eniId' | 'securityGroups' | 'subnetId'> {
  return {
    eniId: eni.id,
    securityGroups: [...eni.groupIds].sort(),
    ...(eni.subnetId ? { subnetId: eni.subnetId } : {}),
  };
}

function singleAddress(ip: string): AddressRange | undefined {
  return parseAddress(ip);
}

interface BranchEniAnnotation {
  eniId?: string;
  privateIp?: string;
}

function branchEniFromAnnotation(pod: PodModel): BranchEniAnnotation | undefined {
  const text = pod.annotations['vpc.amazonaws.com/pod-eni'];
  if (!text) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    const first = Array.isArray(parsed) ? (parsed[0] as BranchEniAnnotation | undefined) : undefined;
    return first ?? {};
  } catch {
    return {};
  }
}

const podEndpoints = new WeakMap<PodModel, Endpoint>();

/** A pod's endpoint. Cached per pod (a pod belongs to one model): every requirement asks again. */
export function podEndpoint(model: ClusterModel, pod: PodModel): Endpoint {
  let endpoint = podEndpoints.get(pod);
  if (!endpoint) {
    endpoint = placePod(model, pod);
    podEndpoints.set(pod, endpoint);
  }
  return endpoint;
}

function placePod(model: ClusterModel, pod: PodModel): Endpoint {
  const node = pod.nodeName ? model.nodes.get(pod.nodeName) : undefined;
  const base = {
    pod: {
      namespace: pod.namespace,
      labels: pod.labels,
      labelsComplete: true,
      hostNetwork: pod.hostNetwork,
      namedPorts: pod.namedPorts,
    },
    id: `pod:${pod.namespace}/${pod.name}`,
    kind: 'pod' as const,
    label: `${pod.namespace}/${pod.name}`,
    ...(pod.nodeName ? { nodeName: pod.nodeName } : {}),
    nodeGroup: node?.nodeGroup ?? NO_NODE_GROUP,
  };
  const unresolved = (reason: string, addressText = pod.ip ?? '(no IP)'): Endpoint => ({
    ...base,
    addressText,
    securityGroups: [],
    sgOnSameNode: false,
    attachment: [],
    unresolved: reason,
  });

  if (pod.hostNetwork) {
    if (!node)
      return unresolved(
        `hostNetwork pod on node ${pod.nodeName ?? '(unscheduled)'}, which is not in the snapshot`,
      );
    const eni = primaryEni(model, node);
    if (!eni) return unresolved(`the primary ENI of node ${node.name} is not in the snapshot`);
    const ip = node.internalIp ?? eni.primaryIp ?? '(unknown)';
    const addresses = singleAddress(ip);
    return {
      ...base,
      ...(addresses ? { addresses } : {}),
      addressText: ip,
      ...eniAttachment(eni),
      sgOnSameNode: false,
      attachment: [`hostNetwork pod: uses node ${node.name}'s primary IP ${ip} on ${eni.id}`],
    };
  }

  const branch = model.cni.podEni ? branchEniFromAnnotation(pod) : undefined;
  if (!pod.ip && !branch?.privateIp) {
    return unresolved(`pod has no IP yet (phase ${pod.phase ?? 'unknown'})`);
  }
  const ip = pod.ip ?? branch!.privateIp!;
  const addresses = singleAddress(ip);
  const eni = (branch?.eniId ? model.enis.get(branch.eniId) : undefined) ?? model.eniForAddress(ip);
  if (!eni) {
    return unresolved(
      branch?.eniId
        ? `branch ENI ${branch.eniId} (annotation vpc.amazonaws.com/pod-eni) is not in the snapshot`
        : `pod IP ${ip} is on no ENI in the snapshot`,
      ip,
    );
  }
  const isBranch = eni.type === 'branch';
  const attachment = isBranch
    ? [
        `SG-for-pods branch ENI ${eni.id} holds pod IP ${ip}` +
          (model.cni.enforcingMode === 'strict'
            ? ' (strict mode: SGs apply even on the same node)'
            : ' (standard mode)'),
      ]
    : [
        `pod IP ${ip} is on ${eni.id}` +
          (eni.deviceIndex !== undefined ? ` (device index ${eni.deviceIndex}` : ' (') +
          (eni.instanceId ? `, instance ${eni.instanceId})` : ')'),
      ];
  return {
    ...base,
    ...(addresses ? { addresses } : {}),
    addressText: ip,
    ...eniAttachment(eni),
    sgOnSameNode: isBranch && model.cni.enforcingMode === 'strict',
    attachment,
  };
}

/**
 * What a SecurityGroupPolicy can select a pod not created yet by: its namespace and the labels it
 * is known to carry (`labelsComplete` false: it may carry more).
 */
export interface PodSelection {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly labelsComplete: boolean;
  /** Labels it carries in some versions of its workload only, each with the versions. */
  readonly versionedLabels?: Readonly<Record<string, string>>;
}

/**
 * A pod that could be scheduled on `node` (not there yet): its SGs and subnet follow from the CNI
 * mode and the node's ENIs (model/pod-network.ts) and from the SecurityGroupPolicies that select
 * it, its address from the subnet it would draw from.
 */
const predicted = new WeakMap<NodeModel, Map<object | undefined, Map<object | undefined, Endpoint>>>();

/**
 * Cached per node, identity and selection, like podEndpoint. `identity` is what NetworkPolicies
 * see (absent: not known); `selection` what SecurityGroupPolicies select on, when it differs from
 * `identity` (a pod whose namespace and labels are known only for that purpose).
 */
export function predictedEndpoint(
  model: ClusterModel,
  node: NodeModel,
  identity?: PodIdentity,
  selection?: PodSelection,
): Endpoint {
  let byIdentity = predicted.get(node);
  if (!byIdentity) {
    byIdentity = new Map();
    predicted.set(node, byIdentity);
  }
  let bySelection = byIdentity.get(identity);
  if (!bySelection) {
    bySelection = new Map();
    byIdentity.set(identity, bySelection);
  }
  let endpoint = bySelection.get(selection);
  if (!endpoint) {
    endpoint = predictPod(model, node, identity, selection ?? identity);
    bySelection.set(selection, endpoint);
  }
  return endpoint;
}

const policyName = (p: SecurityGroupPolicyModel): string => `${p.namespace}/${p.name}`;

/**
 * The SecurityGroupPolicies that select a pod, as the VPC resource controller matches them
 * (amazon-vpc-resource-controller-k8s pkg/utils/helper.go filterPodSecurityGroups): policies of
 * the pod's namespace with at least one selector and one group; each selector that is set must
 * match (the service account's labels are never captured, so a non-empty service-account selector
 * is `maybe`); the pod gets the union of the groups of every match.
 */
function selectingPolicies(
  model: ClusterModel,
  who: PodSelection | undefined,
): { yes: SecurityGroupPolicyModel[]; maybe: { policy: SecurityGroupPolicyModel; why: string }[] } {
  const yes: SecurityGroupPolicyModel[] = [];
  const maybe: { policy: SecurityGroupPolicyModel; why: string }[] = [];
  for (const policy of model.securityGroupPolicies) {
    if ((!policy.podSelector && !policy.serviceAccountSelector) || policy.groupIds.length === 0) continue;
    const namespace: Tri = !who ? 'maybe' : who.namespace === policy.namespace ? 'yes' : 'no';
    // A pod not known at all still matches an empty podSelector (it selects every pod).
    const pods: Tri = policy.podSelector
      ? matchSelector(policy.podSelector, who?.labels, who?.labelsComplete)
      : 'yes';
    const account: Tri = policy.serviceAccountSelector
      ? matchSelector(policy.serviceAccountSelector, undefined)
      : 'yes';
    const result = and(namespace, and(pods, account));
    if (result === 'yes') yes.push(policy);
    else if (result === 'maybe') {
      const why = [
        ...(namespace === 'maybe' ? ['the pod’s namespace is not known'] : []),
        ...(pods === 'maybe'
          ? [
              `its podSelector reads labels the pod is not known to carry or lack${podLabelsDoubt(policy, who)}`,
            ]
          : []),
        ...(account === 'maybe'
          ? ['its serviceAccountSelector reads service-account labels, which are not captured']
          : []),
      ].join('; ');
      maybe.push({ policy, why });
    }
  }
  return { yes, maybe };
}

/** The labels a SecurityGroupPolicy's podSelector reads that the pod's known labels do not settle. */
function podLabelsDoubt(policy: SecurityGroupPolicyModel, who: PodSelection | undefined): string {
  const keys = policy.podSelector && who ? unsettledLabels(policy.podSelector, who) : [];
  return keys.length > 0 ? ` (${keys.join(', ')})` : '';
}

function predictPod(
  model: ClusterModel,
  node: NodeModel,
  identity: PodIdentity | undefined,
  selection: PodSelection | undefined,
): Endpoint {
  const base = {
    ...(identity ? { pod: identity } : {}),
    id: `node:${node.name}`,
    kind: 'predicted' as const,
    label: `a pod on ${node.name}`,
    nodeName: node.name,
    nodeGroup: node.nodeGroup,
    sgOnSameNode: false,
  };
  const family = model.ipFamily;
  const withSubnet = (
    groups: readonly string[],
    subnetId: string | undefined,
    attachment: string[],
    eniId?: string,
    sgOnSameNode = false,
  ): Endpoint => {
    const subnet = subnetId ? model.subnets.get(subnetId) : undefined;
    // Pods draw from the block of the cluster's family only: an IPv6 cluster's pods have no IPv4.
    const index = subnet ? subnet.cidrs.findIndex((c) => c.family === family) : -1;
    const range = index >= 0 ? subnet!.cidrs[index] : undefined;
    return {
      ...base,
      ...(range ? { addresses: range } : {}),
      addressText: subnet
        ? `an IP in ${subnet.id} (${range ? subnet.cidrText[index] : subnet.cidrText.join(', ')})`
        : 'an IP in an uncaptured subnet',
      ...(eniId ? { eniId } : {}),
      securityGroups: [...groups].sort(),
      ...(subnetId ? { subnetId } : {}),
      sgOnSameNode,
      attachment,
      ...(range
        ? {}
        : {
            unresolved: subnet
              ? `subnet ${subnet.id} of node ${node.name}'s pods has no IPv${family} block, and pods of this cluster get IPv${family} addresses (${model.ipFamilySource})`
              : `subnet ${subnetId ?? '(unknown)'} of node ${node.name}'s pods is not in the snapshot`,
          }),
    };
  };
  const unresolved = (reason: string): Endpoint => ({
    ...base,
    addressText: '(unknown)',
    securityGroups: [],
    attachment: [],
    unresolved: reason,
  });

  const network: PodNetwork = model.podNetworks.get(node.name) ?? {
    kind: 'unresolved',
    reason: `node ${node.name} is not in the model`,
  };
  const policies = selectingPolicies(model, selection);
  if (policies.maybe.length > 0) {
    const list = policies.maybe.map((m) => `${policyName(m.policy)} (${m.why})`).join(', ');
    return unresolved(
      `SecurityGroupPolicy ${list} may select a pod on ${node.name}, which would then get a branch ENI with that policy's SGs instead of ${network.kind === 'known' ? `[${groupsOf(network.groupIds)}]` : 'the node’s pod SGs'}`,
    );
  }
  if (policies.yes.length > 0) {
    const names = policies.yes.map(policyName).join(', ');
    const groups = [...new Set(policies.yes.flatMap((p) => p.groupIds))];
    const trunk = trunkEni(model, node);
    if (!trunk)
      return unresolved(
        `SecurityGroupPolicy ${names} selects a pod on ${node.name}, but the node has no SG-for-pods trunk ENI in the snapshot: the pod cannot get its branch ENI there`,
      );
    const strict = model.cni.enforcingMode === 'strict';
    return withSubnet(
      groups,
      trunk.subnetId,
      [
        `SecurityGroupPolicy ${names} selects it: a branch ENI on trunk ${trunk.id} (subnet ${trunk.subnetId ?? '(unknown)'}) with SGs ${groupsOf(groups)}` +
          (strict ? ' (strict mode: SGs apply even on the same node)' : ' (standard mode)'),
      ],
      undefined,
      strict,
    );
  }
  if (network.kind === 'unresolved') return unresolved(network.reason);
  return withSubnet(network.groupIds, network.subnetId, network.attachment, network.eniId);
}

const groupsOf = (groups: readonly string[]): string => [...groups].sort().join(', ');

/** Where the control plane sits when describe-cluster names no subnet. */
const NO_SUBNET = '(no subnet named)';

const controlPlaneEnds = new WeakMap<ClusterModel, Endpoint[]>();

/**
 * The EKS control plane as a source: one end per cluster subnet (EKS puts its cross-account ENIs
 * there, any address of the subnet), carrying the cluster security group and the additional
 * groups describe-cluster names. Without describe-cluster the source is unresolved: its flows are
 * `unknown`, never allowed. Never on a node: no same-node shortcut applies.
 */
export function controlPlaneEndpoints(model: ClusterModel): Endpoint[] {
  let ends = controlPlaneEnds.get(model);
  if (ends) return ends;
  const plane = model.controlPlane;
  const base = { kind: 'control-plane' as const, nodeGroup: 'EKS control plane', sgOnSameNode: false };
  if (plane.kind === 'unresolved') {
    ends = [
      {
        ...base,
        id: 'control-plane',
        label: 'the EKS control plane',
        addressText: '(unknown)',
        securityGroups: [],
        attachment: [],
        unresolved: plane.reason,
      },
    ];
  } else {
    const subnets = plane.subnetIds.length > 0 ? plane.subnetIds : [NO_SUBNET];
    ends = subnets.map((subnetId): Endpoint => {
      const subnet = model.subnets.get(subnetId);
      const index = subnet ? subnet.cidrs.findIndex((c) => c.family === model.ipFamily) : -1;
      const range = index >= 0 ? subnet!.cidrs[index] : undefined;
      const named = subnetId !== NO_SUBNET;
      return {
        ...base,
        id: `control-plane:${subnetId}`,
        label: named ? `the EKS control plane in ${subnetId}` : 'the EKS control plane',
        ...(range ? { addresses: range } : {}),
        addressText: range
          ? `an IP in ${subnetId} (${subnet!.cidrText[index]})`
          : named
            ? `an IP in ${subnetId} (not captured)`
            : '(unknown)',
        securityGroups: [...plane.securityGroupIds].sort(),
        ...(named ? { subnetId } : {}),
        attachment: [
          `EKS control-plane ENIs ${named ? `in ${subnetId}` : '(describe-cluster names no subnet)'} carry the cluster security group ${plane.clusterSecurityGroupId}${plane.securityGroupIds.length > 1 ? ` and ${plane.securityGroupIds.slice(1).join(', ')}` : ''} (${plane.origin.file}: resourcesVpcConfig)`,
        ],
      };
    });
  }
  controlPlaneEnds.set(model, ends);
  return ends;
}
