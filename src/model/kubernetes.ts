/** Nodes, pods, VPC CNI settings and ENIConfigs in internal form. */
import type { Instance, K8sPod } from '../snapshot/schemas.ts';
import type { Located, Snapshot } from '../snapshot/types.ts';
import type {
  CniSettings,
  EniConfigModel,
  ModelWarning,
  NodeModel,
  PodModel,
  SecurityGroupPolicyModel,
} from './types.ts';

/** Labels that name a node's group, in order of preference (docs/architecture.md, "Node groups"). */
const nodeGroupLabels = [
  'eks.amazonaws.com/nodegroup',
  'alpha.eksctl.io/nodegroup-name',
  'karpenter.sh/nodepool',
];

export const NO_NODE_GROUP = '(no node group)';

function instanceTag(instance: Instance | undefined, key: string): string | undefined {
  return instance?.Tags?.find((t) => t.Key === key)?.Value;
}

function gpuEvidence(
  labels: Record<string, string>,
  capacity: Record<string, string> | undefined,
  instanceType?: string,
): string | undefined {
  if (labels['nvidia.com/gpu.present'] === 'true') return 'label nvidia.com/gpu.present=true';
  const gpus = Number(capacity?.['nvidia.com/gpu'] ?? 0);
  if (gpus > 0) return `capacity nvidia.com/gpu=${gpus}`;
  if (instanceType && /^(p\d|g\d)/.test(instanceType)) return `GPU instance type ${instanceType}`;
  return undefined;
}

/** Labels that name a node's instance type: the stable one, then the deprecated beta one. */
const instanceTypeLabels = ['node.kubernetes.io/instance-type', 'beta.kubernetes.io/instance-type'];

/** What groups a node no label or tag names: its instance type, else its GPU capacity. */
interface Fallback {
  readonly instanceType?: string;
  readonly instanceTypeSource?: string;
  readonly gpu: boolean;
  readonly gpuCount?: number;
}

/**
 * Names for nodes no node-group label or tag names. Nodes of one instance type and GPU presence
 * form one group; a system node and a GPU node are never one group, even of one instance type
 * (a GPU shown only by capacity or label). Without an instance type, the GPU count groups them.
 */
function fallbackGroups(
  fallbacks: ReadonlyMap<string, Fallback>,
): Map<string, { group: string; source: string }> {
  const gpuByType = new Map<string, Set<boolean>>();
  for (const f of fallbacks.values()) {
    if (!f.instanceType) continue;
    const seen = gpuByType.get(f.instanceType) ?? new Set<boolean>();
    seen.add(f.gpu);
    gpuByType.set(f.instanceType, seen);
  }
  const out = new Map<string, { group: string; source: string }>();
  for (const [name, f] of fallbacks) {
    if (f.instanceType) {
      const split = gpuByType.get(f.instanceType)!.size > 1;
      out.set(name, {
        group: `(instance type ${f.instanceType}${split ? (f.gpu ? ', GPU' : ', no GPU') : ''})`,
        source: `no node-group label or tag: grouped by instance type (${f.instanceTypeSource})${split ? ' and GPU presence' : ''}`,
      });
    } else if (f.gpu) {
      out.set(name, {
        group: `(no node group, ${f.gpuCount !== undefined ? `nvidia.com/gpu=${f.gpuCount}` : 'GPU'})`,
        source: 'no node-group label or tag and no instance type: grouped by GPU capacity',
      });
    } else {
      out.set(name, {
        group: NO_NODE_GROUP,
        source: 'no node-group label or tag, no instance type and no GPU',
      });
    }
  }
  return out;
}

export interface BuiltNodes {
  readonly nodes: Map<string, NodeModel>;
  /** How nodes without a node-group label or tag were grouped, for the report. */
  readonly notes: ModelWarning[];
}

export function buildNodes(snapshot: Snapshot, cni: CniSettings): BuiltNodes {
  const instances = new Map(snapshot.instances.map((i) => [i.value.InstanceId, i.value]));
  const instanceByIp = new Map(
    snapshot.instances.flatMap((i) =>
      i.value.PrivateIpAddress ? [[i.value.PrivateIpAddress, i.value] as const] : [],
    ),
  );
  const built: NodeModel[] = [];
  const fallbacks = new Map<string, Fallback>();
  for (const { value: node, origin } of snapshot.nodes) {
    const labels = node.metadata.labels ?? {};
    const annotations = node.metadata.annotations ?? {};
    const internalIp = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    const fromProvider = /(i-[0-9a-f]+)$/.exec(node.spec?.providerID ?? '')?.[1];
    const instance =
      (fromProvider ? instances.get(fromProvider) : undefined) ??
      (internalIp ? instanceByIp.get(internalIp) : undefined);
    const instanceId = fromProvider ?? instance?.InstanceId;
    const labelKey = nodeGroupLabels.find((key) => labels[key]);
    const tagGroup = instanceTag(instance, 'eks:nodegroup-name');
    const typeLabel = instanceTypeLabels.find((key) => labels[key]);
    const instanceType = typeLabel ? labels[typeLabel]! : instance?.InstanceType;
    const capacity = node.status?.capacity;
    const evidence = gpuEvidence(labels, capacity, instanceType);
    const nodeGroup = labelKey ? labels[labelKey]! : (tagGroup ?? NO_NODE_GROUP);
    const nodeGroupSource = labelKey
      ? `label ${labelKey}`
      : tagGroup
        ? 'EC2 tag eks:nodegroup-name'
        : 'none found';
    if (!labelKey && !tagGroup) {
      const gpus = Number(capacity?.['nvidia.com/gpu'] ?? 0);
      fallbacks.set(node.metadata.name, {
        ...(instanceType
          ? {
              instanceType,
              instanceTypeSource: typeLabel ? `label ${typeLabel}` : `EC2 instance ${instance!.InstanceId}`,
            }
          : {}),
        gpu: evidence !== undefined,
        ...(gpus > 0 ? { gpuCount: gpus } : {}),
      });
    }
    // As ipamd reads it: the annotation first, then the one label ENI_CONFIG_LABEL_DEF names.
    // Without the aws-node DaemonSet, the name the defaults would read (checked against the ENIs).
    const eniConfigName =
      cni.customNetworking || !cni.captured
        ? (annotations['k8s.amazonaws.com/eniConfig'] ??
          labels[cni.eniConfigLabelDef ?? 'k8s.amazonaws.com/eniConfig'])
        : undefined;
    built.push({
      name: node.metadata.name,
      ...(instanceId ? { instanceId } : {}),
      ...(instanceType ? { instanceType } : {}),
      nodeGroup,
      nodeGroupSource,
      ...(internalIp ? { internalIp } : {}),
      labels,
      taints: node.spec?.taints ?? [],
      gpu: evidence !== undefined,
      ...(evidence ? { gpuEvidence: evidence } : {}),
      ready: node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True',
      unschedulable: node.spec?.unschedulable ?? false,
      ...(eniConfigName ? { eniConfigName } : {}),
      origin,
    });
  }
  const named = fallbackGroups(fallbacks);
  const nodes = new Map<string, NodeModel>();
  const members = new Map<string, string[]>();
  for (const node of built) {
    const fallback = named.get(node.name);
    if (fallback) {
      const names = members.get(fallback.group);
      if (names) names.push(node.name);
      else members.set(fallback.group, [node.name]);
      nodes.set(node.name, { ...node, nodeGroup: fallback.group, nodeGroupSource: fallback.source });
    } else nodes.set(node.name, node);
  }
  const notes: ModelWarning[] = [];
  if (members.size > 0) {
    const groups = [...members]
      .map(
        ([group, names]) =>
          `${group}: ${names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ')}`,
      )
      .join('; ');
    notes.push({
      code: 'node-groups-inferred',
      message: `nodes without an EKS, eksctl or Karpenter node-group label or an eks:nodegroup-name tag are grouped by instance type (label node.kubernetes.io/instance-type, else the beta label, else the EC2 instance), and GPU nodes apart from the others (GPU label, nvidia.com/gpu capacity or a p/g instance type): ${groups}`,
    });
  }
  return { nodes, notes };
}

const NO_PORTS: Readonly<Record<string, { port: number; protocol: string }>> = Object.freeze({});

/**
 * Runs once per pod (200k in a large cluster): plain loops and one object literal of a fixed shape,
 * no spreads of conditional parts, which cost V8 a new hidden class per combination.
 */
/** A container's image and the env values no earlier container set, added to its pod's. */
function addContainer(
  container: K8sPod['spec']['containers'][number],
  images: string[],
  env: Record<string, string>,
): void {
  if (container.image) images.push(container.image);
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined && !Object.hasOwn(env, variable.name))
      env[variable.name] = variable.value;
  }
}

export function buildPods(snapshot: Snapshot): PodModel[] {
  const pods: PodModel[] = new Array(snapshot.pods.length);
  snapshot.pods.forEach(({ value: pod, origin }, i) => {
    const { spec, status, metadata } = pod;
    const env: Record<string, string> = {};
    const images: string[] = [];
    // Loops, not a closure per pod: the bundle names every closure it creates (esbuild keepNames).
    for (const container of spec.containers) addContainer(container, images, env);
    for (const container of spec.initContainers ?? []) addContainer(container, images, env);
    let namedPorts = NO_PORTS;
    for (const container of spec.containers) {
      for (const port of container.ports ?? []) {
        if (!port.name) continue;
        // Null prototype: a port may be named "constructor" (or anything Object.prototype has).
        if (namedPorts === NO_PORTS) namedPorts = Object.create(null) as typeof namedPorts;
        (namedPorts as Record<string, { port: number; protocol: string }>)[port.name] = {
          port: port.containerPort,
          protocol: port.protocol ?? 'TCP',
        };
      }
    }
    pods[i] = {
      namespace: metadata.namespace ?? 'default',
      name: metadata.name,
      nodeName: spec.nodeName || undefined,
      ip: status?.podIP || status?.podIPs?.[0]?.ip || undefined,
      hostNetwork: spec.hostNetwork ?? false,
      labels: metadata.labels ?? {},
      annotations: metadata.annotations ?? {},
      phase: status?.phase || undefined,
      images,
      env,
      namedPorts,
      tolerations: spec.tolerations ?? [],
      raw: pod,
      origin,
    };
  });
  return pods;
}

const truthy = (value: string | undefined): boolean => value?.toLowerCase() === 'true';

/** The VPC CNI settings from the `aws-node` DaemonSet, or the CNI's defaults when it was not captured. */
export function buildCniSettings(snapshot: Snapshot): CniSettings {
  const awsNode: Located<(typeof snapshot.daemonSets)[number]['value']> | undefined =
    snapshot.daemonSets.find(
      (d) =>
        d.value.metadata.name === 'aws-node' &&
        (d.value.metadata.namespace ?? 'kube-system') === 'kube-system',
    );
  if (!awsNode) {
    return {
      customNetworking: false,
      podEni: false,
      enforcingMode: 'strict',
      externalSnat: false,
      ipv6: false,
      tcpEarlyDemuxDisabled: false,
      captured: false,
    };
  }
  const containers = awsNode.value.spec?.template.spec.containers ?? [];
  const env = new Map<string, string>();
  for (const container of containers) {
    for (const variable of container.env ?? [])
      if (variable.value !== undefined) env.set(variable.name, variable.value);
  }
  const labelDef = env.get('ENI_CONFIG_LABEL_DEF');
  // The README sets it on the init container (aws-vpc-cni-init), which writes the node's sysctl.
  const initEnv = new Map<string, string>();
  for (const container of awsNode.value.spec?.template.spec.initContainers ?? []) {
    for (const variable of container.env ?? [])
      if (variable.value !== undefined) initEnv.set(variable.name, variable.value);
  }
  const demux = initEnv.get('DISABLE_TCP_EARLY_DEMUX');
  return {
    customNetworking: truthy(env.get('AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG')),
    podEni: truthy(env.get('ENABLE_POD_ENI')),
    enforcingMode:
      env.get('POD_SECURITY_GROUP_ENFORCING_MODE')?.toLowerCase() === 'standard' ? 'standard' : 'strict',
    externalSnat: truthy(env.get('AWS_VPC_K8S_CNI_EXTERNALSNAT')),
    ipv6: truthy(env.get('ENABLE_IPv6')),
    ...(labelDef ? { eniConfigLabelDef: labelDef } : {}),
    tcpEarlyDemuxDisabled: truthy(demux),
    ...(demux !== undefined ? { tcpEarlyDemuxSetting: demux } : {}),
    captured: true,
    origin: awsNode.origin,
  };
}

export function buildEniConfigs(snapshot: Snapshot): Map<string, EniConfigModel> {
  return new Map(
    snapshot.eniConfigs.map(({ value, origin }) => [
      value.metadata.name,
      {
        name: value.metadata.name,
        ...(value.spec?.subnet ? { subnetId: value.spec.subnet } : {}),
        securityGroups: value.spec?.securityGroups ?? [],
        origin,
      },
    ]),
  );
}

export function buildSecurityGroupPolicies(snapshot: Snapshot): SecurityGroupPolicyModel[] {
  return snapshot.securityGroupPolicies.map(({ value, origin }) => ({
    namespace: value.metadata.namespace ?? 'default',
    name: value.metadata.name,
    ...(value.spec?.podSelector ? { podSelector: value.spec.podSelector } : {}),
    ...(value.spec?.serviceAccountSelector
      ? { serviceAccountSelector: value.spec.serviceAccountSelector }
      : {}),
    groupIds: value.spec?.securityGroups?.groupIds ?? [],
    origin,
  }));
}

export interface ServiceIndex {
  readonly serviceSelector: (namespace: string, name: string) => Record<string, string> | undefined;
  readonly serviceEndpoints: (
    namespace: string,
    name: string,
  ) => { addresses: string[]; via: string } | undefined;
  readonly servicePorts: (
    namespace: string,
    name: string,
  ) => readonly { port: number; targetPort?: number | string; protocol?: string }[] | undefined;
}

export function buildServiceIndex(snapshot: Snapshot): ServiceIndex {
  const key = (namespace: string | undefined, name: string): string => `${namespace ?? 'default'}/${name}`;
  const selectors = new Map(
    snapshot.services.map((s) => [
      key(s.value.metadata.namespace, s.value.metadata.name),
      s.value.spec?.selector ?? undefined,
    ]),
  );
  const ports = new Map(
    snapshot.services.map((s) => [
      key(s.value.metadata.namespace, s.value.metadata.name),
      (s.value.spec?.ports ?? []).map((p) => ({
        port: p.port,
        ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}),
        ...(p.protocol ? { protocol: p.protocol } : {}),
      })),
    ]),
  );
  const slices = new Map<string, string[]>();
  for (const { value: slice } of snapshot.endpointSlices) {
    const service = slice.metadata.labels?.['kubernetes.io/service-name'];
    if (!service) continue;
    const k = key(slice.metadata.namespace, service);
    slices.set(k, [...(slices.get(k) ?? []), ...(slice.endpoints ?? []).flatMap((e) => e.addresses)]);
  }
  const endpoints = new Map<string, string[]>();
  for (const { value } of snapshot.endpoints) {
    const addresses = (value.subsets ?? []).flatMap((s) =>
      [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])].map((a) => a.ip),
    );
    endpoints.set(key(value.metadata.namespace, value.metadata.name), addresses);
  }
  return {
    serviceSelector: (namespace, name) => selectors.get(key(namespace, name)) ?? undefined,
    servicePorts: (namespace, name) => ports.get(key(namespace, name)),
    serviceEndpoints: (namespace, name) => {
      const k = key(namespace, name);
      const fromSlices = slices.get(k);
      if (fromSlices?.length) return { addresses: fromSlices, via: `EndpointSlices of Service ${k}` };
      const fromEndpoints = endpoints.get(k);
      if (fromEndpoints?.length) return { addresses: fromEndpoints, via: `Endpoints of Service ${k}` };
      return undefined;
    },
  };
}
