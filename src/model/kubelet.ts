/**
 * The kubelet as a traffic source: it probes the pods of its own node from the node's host network
 * (the node's primary ENI, with the node's security groups), on each probe's port. Under security
 * groups for pods a probed pod sits on a branch ENI with its own groups, which in strict mode
 * filter even this same-node traffic (aws/amazon-vpc-cni-k8s README, POD_SECURITY_GROUP_ENFORCING_MODE).
 */
import { parseAddress } from '../base/ip.ts';
import type { K8sProbe } from '../snapshot/schemas.ts';
import type { Endpoint } from './endpoints.ts';
import { NO_NODE_GROUP } from './kubernetes.ts';
import { primaryEni } from './pod-network.ts';
import type { ClusterModel, PodModel } from './types.ts';

export type ProbeKind = 'readiness' | 'liveness' | 'startup';

/** One network probe of a container: where the kubelet connects, or why that is not known. */
export interface KubeletProbe {
  readonly container: string;
  readonly probe: ProbeKind;
  readonly handler: 'httpGet' | 'tcpSocket' | 'grpc';
  /** The TCP port the kubelet dials, when it resolves. */
  readonly port?: number;
  /** How the port was read: `httpGet port "http" (containerPort 8000)`. */
  readonly portText: string;
  /** Why the port is not known (a name no container port of the container declares). */
  readonly unresolved?: string;
}

/** What a pod's probes say: the network probes, and what was left out (exec, another host). */
export interface PodProbes {
  readonly probes: KubeletProbe[];
  /** Probes that open no connection to the pod, each with why. */
  readonly without: string[];
}

const KINDS: readonly [ProbeKind, 'readinessProbe' | 'livenessProbe' | 'startupProbe'][] = [
  ['readiness', 'readinessProbe'],
  ['liveness', 'livenessProbe'],
  ['startup', 'startupProbe'],
];

type Container = PodModel['raw']['spec']['containers'][number];

/**
 * The kubelet's own rule for a probe's port (pkg/kubelet/prober): a number is the port; a name is
 * looked up among this container's ports, and a name that is no port but reads as a number is that
 * number. A port outside 1-65535 is no port.
 */
function resolvePort(
  container: Container,
  handler: string,
  port: number | string,
): { port?: number; portText: string; unresolved?: string } {
  if (typeof port === 'number') {
    return port >= 1 && port <= 65535
      ? { port, portText: `${handler} port ${port}` }
      : {
          portText: `${handler} port ${port}`,
          unresolved: `${handler} port ${port} is not a TCP port (1-65535)`,
        };
  }
  const named = (container.ports ?? []).find((p) => p.name === port);
  if (named && named.containerPort >= 1 && named.containerPort <= 65535)
    return {
      port: named.containerPort,
      portText: `${handler} port "${port}" (containerPort ${named.containerPort})`,
    };
  const number = /^\d{1,5}$/.test(port) ? Number(port) : NaN;
  if (number >= 1 && number <= 65535) return { port: number, portText: `${handler} port "${port}"` };
  return {
    portText: `${handler} port "${port}"`,
    unresolved: `container ${container.name} declares no port named "${port}" for its ${handler} probe`,
  };
}

function probeOf(container: Container, kind: ProbeKind, probe: K8sProbe): KubeletProbe | string {
  const where = `container ${container.name} ${kind} probe`;
  if (probe.exec) return `${where}: exec, runs inside the container (no connection)`;
  const target = probe.httpGet
    ? { handler: 'httpGet' as const, port: probe.httpGet.port, host: probe.httpGet.host }
    : probe.tcpSocket
      ? { handler: 'tcpSocket' as const, port: probe.tcpSocket.port, host: probe.tcpSocket.host }
      : probe.grpc
        ? { handler: 'grpc' as const, port: probe.grpc.port, host: undefined }
        : undefined;
  if (!target) return `${where}: no handler the snapshot shows`;
  // A host other than the pod IP: the kubelet dials that host, not the pod's ENI.
  if (target.host) return `${where}: ${target.handler} host ${target.host}, not the pod`;
  return {
    container: container.name,
    probe: kind,
    handler: target.handler,
    ...resolvePort(container, target.handler, target.port),
  };
}

/** The network probes of a pod's containers (init containers are not probed while they run to completion). */
export function podProbes(pod: PodModel): PodProbes {
  const probes: KubeletProbe[] = [];
  const without: string[] = [];
  for (const container of pod.raw.spec.containers) {
    for (const [kind, field] of KINDS) {
      const probe = container[field];
      if (!probe) continue;
      const found = probeOf(container, kind, probe);
      if (typeof found === 'string') without.push(found);
      else probes.push(found);
    }
  }
  return { probes, without };
}

const kubelets = new WeakMap<ClusterModel, Map<string, Endpoint>>();

/**
 * The kubelet of a node: the node's host network, so its primary ENI and IP. Cached per model and
 * node. A node or primary ENI the snapshot lacks leaves it unresolved (its flows `unknown`).
 */
export function kubeletEndpoint(model: ClusterModel, nodeName: string | undefined): Endpoint {
  let byNode = kubelets.get(model);
  if (!byNode) {
    byNode = new Map();
    kubelets.set(model, byNode);
  }
  const key = nodeName ?? '';
  let endpoint = byNode.get(key);
  if (endpoint) return endpoint;
  const node = nodeName ? model.nodes.get(nodeName) : undefined;
  const base = {
    id: `kubelet:${key}`,
    kind: 'kubelet' as const,
    label: `the kubelet on ${nodeName ?? '(no node)'}`,
    ...(nodeName ? { nodeName } : {}),
    nodeGroup: node?.nodeGroup ?? NO_NODE_GROUP,
    sgOnSameNode: false,
  };
  const eni = node && primaryEni(model, node);
  if (!node || !eni) {
    endpoint = {
      ...base,
      addressText: node?.internalIp ?? '(unknown)',
      securityGroups: [],
      attachment: [],
      unresolved: !node
        ? `node ${nodeName ?? '(unscheduled)'} is not in the snapshot`
        : `the primary ENI of node ${node.name} is not in the snapshot`,
    };
  } else {
    const ip = node.internalIp ?? eni.primaryIp ?? '(unknown)';
    const addresses = parseAddress(ip);
    endpoint = {
      ...base,
      ...(addresses ? { addresses } : {}),
      addressText: ip,
      eniId: eni.id,
      securityGroups: [...eni.groupIds].sort(),
      ...(eni.subnetId ? { subnetId: eni.subnetId } : {}),
      attachment: [
        `the kubelet runs in node ${node.name}'s host network: it probes from the primary IP ${ip} on ${eni.id}`,
      ],
    };
  }
  byNode.set(key, endpoint);
  return endpoint;
}

/** Whether pods get their own security groups here: ENABLE_POD_ENI on aws-node and a SecurityGroupPolicy. */
export function podSecurityGroupsEvidence(model: ClusterModel): { value: boolean; source: string } {
  const { cni } = model;
  if (!cni.captured)
    return {
      value: false,
      source: 'the aws-node DaemonSet was not captured: ENABLE_POD_ENI takes the VPC CNI default (false)',
    };
  const where = cni.origin ? ` (${cni.origin.file})` : '';
  if (!cni.podEni)
    return {
      value: false,
      source: `ENABLE_POD_ENI is not true on aws-node${where}: no pod has its own security groups`,
    };
  const policies = model.securityGroupPolicies;
  if (policies.length === 0)
    return {
      value: false,
      source: `ENABLE_POD_ENI=true on aws-node${where}, but no SecurityGroupPolicy was captured`,
    };
  const names = policies.map((p) => `${p.namespace}/${p.name}`);
  return {
    value: true,
    source: `ENABLE_POD_ENI=true on aws-node${where}, POD_SECURITY_GROUP_ENFORCING_MODE ${cni.enforcingMode}, SecurityGroupPolicy ${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''}`,
  };
}

/** The VPC CNI README's condition for TCP probes to branch-ENI pods, as a fact; undefined when it holds. */
export function tcpEarlyDemuxProblem(model: ClusterModel): string | undefined {
  const { cni } = model;
  if (!cni.captured || !cni.podEni || cni.tcpEarlyDemuxDisabled) return undefined;
  return `DISABLE_TCP_EARLY_DEMUX is ${cni.tcpEarlyDemuxSetting === undefined ? 'unset' : `"${cni.tcpEarlyDemuxSetting}"`} on aws-node's init container: the VPC CNI README says it should be true for the kubelet's TCP probes to reach pods on branch ENIs (kubectl -n kube-system patch daemonset aws-node -p '{"spec":{"template":{"spec":{"initContainers":[{"name":"aws-vpc-cni-init","env":[{"name":"DISABLE_TCP_EARLY_DEMUX","value":"true"}]}]}}}}')`;
}
