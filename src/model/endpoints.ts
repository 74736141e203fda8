/**
 * Where a pod's traffic enters the VPC: its ENI, security groups, subnet and address, and the facts
 * that decided them (docs/architecture.md, "Which ENI carries a pod").
 */
import { parseAddress, type AddressRange } from '../base/ip.ts';
import type { ClusterModel, EniModel, NodeModel, PodModel } from './types.ts';
import type { PodIdentity } from './policy/types.ts';
import { NO_NODE_GROUP } from './kubernetes.ts';

export interface Endpoint {
  /** `pod:<ns>/<name>` for a real pod, `node:<name>` for a pod predicted on a node. */
  readonly id: string;
  readonly kind: 'pod' | 'predicted';
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

function primaryEni(model: ClusterModel, node: NodeModel): EniModel | undefined {
  const attached = node.instanceId ? model.enisOfInstance(node.instanceId) : [];
  return (
    attached.find((e) => e.deviceIndex === 0) ??
    (node.internalIp ? model.eniForAddress(node.internalIp) : undefined) ??
    attached[0]
  );
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
 * A pod that could be scheduled on `node` (not there yet): its SGs and subnet follow from the CNI
 * mode, its address from the subnet it would draw from.
 */
const predicted = new WeakMap<NodeModel, Map<PodIdentity | undefined, Endpoint>>();

/** Cached per node and identity, like podEndpoint. */
export function predictedEndpoint(model: ClusterModel, node: NodeModel, identity?: PodIdentity): Endpoint {
  let byIdentity = predicted.get(node);
  if (!byIdentity) {
    byIdentity = new Map();
    predicted.set(node, byIdentity);
  }
  let endpoint = byIdentity.get(identity);
  if (!endpoint) {
    endpoint = predictPod(model, node, identity);
    byIdentity.set(identity, endpoint);
  }
  return endpoint;
}

function predictPod(model: ClusterModel, node: NodeModel, identity?: PodIdentity): Endpoint {
  const base = {
    ...(identity ? { pod: identity } : {}),
    id: `node:${node.name}`,
    kind: 'predicted' as const,
    label: `a pod on ${node.name}`,
    nodeName: node.name,
    nodeGroup: node.nodeGroup,
    sgOnSameNode: false,
  };
  const withSubnet = (
    groups: string[],
    subnetId: string | undefined,
    attachment: string[],
    eniId?: string,
  ): Endpoint => {
    const subnet = subnetId ? model.subnets.get(subnetId) : undefined;
    const range = subnet?.cidrs.find((c) => c.family === 4) ?? subnet?.cidrs[0];
    return {
      ...base,
      ...(range ? { addresses: range } : {}),
      addressText: subnet
        ? `an IP in ${subnet.id} (${subnet.cidrText.join(', ')})`
        : 'an IP in an uncaptured subnet',
      ...(eniId ? { eniId } : {}),
      securityGroups: [...groups].sort(),
      ...(subnetId ? { subnetId } : {}),
      attachment,
      ...(range
        ? {}
        : {
            unresolved: `subnet ${subnetId ?? '(unknown)'} of node ${node.name}'s pods is not in the snapshot`,
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

  const primary = primaryEni(model, node);
  if (model.cni.customNetworking) {
    if (!node.eniConfigName)
      return unresolved(`custom networking is on but node ${node.name} names no ENIConfig`);
    const config = model.eniConfigs.get(node.eniConfigName);
    if (!config)
      return unresolved(`ENIConfig ${node.eniConfigName} (node ${node.name}) is not in the snapshot`);
    const groups = config.securityGroups.length > 0 ? config.securityGroups : (primary?.groupIds ?? []);
    const why =
      config.securityGroups.length > 0
        ? `custom networking: ENIConfig ${config.name} gives pods subnet ${config.subnetId ?? '(none)'} and SGs ${groups.join(', ')}`
        : `custom networking: ENIConfig ${config.name} names no SGs, so pods get the primary ENI's (${groups.join(', ')})`;
    return withSubnet(groups, config.subnetId, [why]);
  }
  if (!primary) return unresolved(`no ENI of node ${node.name} is in the snapshot`);
  return withSubnet(
    primary.groupIds,
    primary.subnetId,
    [`pods on ${node.name} take secondary IPs on ENIs that copy the primary ENI ${primary.id}'s SGs`],
    primary.id,
  );
}
