/** Who opens and who accepts each required flow: real pods where they exist, predicted pods where not. */
import { podEndpoint, predictedEndpoint, type Endpoint, type PodSelection } from '../model/endpoints.ts';
import { addressKey } from '../model/network.ts';
import type { ClusterModel, NodeModel, PodModel } from '../model/types.ts';
import { orchestratorReach } from '../placement/orchestrator.ts';
import { ORCHESTRATOR_PROFILE, profiles } from '../placement/profiles.ts';
import type { SourceSelector, TargetSpec } from '../requirements/catalog.ts';
import { dynamoRole } from '../requirements/detect.ts';
import type { PodIdentity } from '../model/policy/types.ts';
import { commonIdentity } from '../model/identity.ts';

export interface NodeRoles {
  readonly gpu: NodeModel[];
  readonly system: NodeModel[];
  /** How the split was made (flags or detection). */
  readonly basis: string;
}

export function splitNodes(
  model: ClusterModel,
  gpuGroups?: readonly string[],
  systemGroups?: readonly string[],
): NodeRoles {
  const nodes = [...model.nodes.values()];
  const gpu = gpuGroups?.length
    ? nodes.filter((n) => gpuGroups.includes(n.nodeGroup))
    : nodes.filter((n) => n.gpu);
  const system = systemGroups?.length
    ? nodes.filter((n) => systemGroups.includes(n.nodeGroup))
    : nodes.filter((n) => !gpu.includes(n));
  const basis = [
    gpuGroups?.length
      ? `GPU node groups from --gpu-nodegroup`
      : 'GPU nodes detected by label, capacity or instance type',
    systemGroups?.length
      ? 'system node groups from --system-nodegroup'
      : 'system node groups = every non-GPU node group',
  ].join('; ');
  return { gpu, system, basis };
}

export interface Ends {
  readonly endpoints: Endpoint[];
  /** Why there are none, when there are none. */
  readonly none?: string;
  readonly predicted: boolean;
}

const dynamoPodsOf = new WeakMap<ClusterModel, PodModel[]>();

/** The live Dynamo pods, found once per model: several requirements ask, and clusters have 100k+ pods. */
function podsByRole(model: ClusterModel, roles: readonly string[]): PodModel[] {
  let dynamo = dynamoPodsOf.get(model);
  if (!dynamo) {
    dynamo = model.pods.filter(
      (p) => dynamoRole(p) !== undefined && p.phase !== 'Succeeded' && p.phase !== 'Failed',
    );
    dynamoPodsOf.set(model, dynamo);
  }
  return dynamo.filter((p) => roles.includes(dynamoRole(p)!));
}

/** What future Dynamo pods share with the running ones: their namespace and common labels. */
function podTemplate(pods: readonly PodModel[]): PodIdentity | undefined {
  const shared = commonIdentity(
    pods.map((p) => ({
      namespace: p.namespace,
      labels: p.labels,
      labelsComplete: true,
      hostNetwork: p.hostNetwork,
      namedPorts: {},
    })),
  );
  return shared && { ...shared, labelsComplete: false, hostNetwork: false, namedPorts: {} };
}

/**
 * What a SecurityGroupPolicy selects the conformance orchestrator by: its namespace and labels
 * (its Job adds more labels, so they are not complete).
 */
export const ORCHESTRATOR_SELECTION: PodSelection = (() => {
  const { metadata } = profiles[ORCHESTRATOR_PROFILE]!.pod({}) as {
    metadata: { namespace: string; labels: Record<string, string> };
  };
  return { namespace: metadata.namespace, labels: metadata.labels, labelsComplete: false };
})();

/** The orchestrator, were it scheduled on `node`. */
export function orchestratorEndpoint(model: ClusterModel, node: NodeModel): Endpoint {
  return predictedEndpoint(model, node, undefined, ORCHESTRATOR_SELECTION);
}

export function sourcesFor(model: ClusterModel, selector: SourceSelector, roles: NodeRoles): Ends {
  switch (selector) {
    case 'dynamo-clients': {
      const running = podsByRole(model, ['frontend', 'worker', 'router', 'epp', 'other']);
      const pods = running.map((p) => podEndpoint(model, p));
      // Pods that will run on GPU nodes later (scale-up, first install) need the same path;
      // for NetworkPolicy they look like the running ones: same namespace, shared labels.
      const template = podTemplate(running);
      const predicted = roles.gpu.map((n) => predictedEndpoint(model, n, template));
      const endpoints = [...pods, ...predicted];
      return endpoints.length > 0
        ? { endpoints, predicted: pods.length === 0 }
        : { endpoints, predicted: true, none: 'no Dynamo pods and no GPU nodes found (use --gpu-nodegroup)' };
    }
    case 'tolerate-all-pods': {
      // Every node the orchestrator can be scheduled on (kube-scheduler filters), not only the one it prefers.
      const reach = orchestratorReach(model);
      return reach.none === undefined
        ? { endpoints: reach.nodes.map((n) => orchestratorEndpoint(model, n)), predicted: true }
        : { endpoints: [], predicted: true, none: reach.none };
    }
    case 'egress-isolated-sources':
      // Derived from the other requirements' sources, in analyze.ts.
      return { endpoints: [], predicted: false, none: 'no source is egress-isolated' };
    case 'dynamo-frontends':
    case 'dynamo-workers': {
      const wanted = selector === 'dynamo-frontends' ? ['frontend', 'router'] : ['worker'];
      const endpoints = podsByRole(model, wanted).map((p) => podEndpoint(model, p));
      return endpoints.length > 0
        ? { endpoints, predicted: false }
        : { endpoints, predicted: false, none: `no Dynamo ${wanted.join('/')} pods deployed yet` };
    }
  }
}

function matchesLabels(pod: PodModel, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(labels).every(([k, v]) => pod.labels[k] === v);
}

/** The pods behind a Service: EndpointSlices, else Endpoints, else its selector, else the catalog's labels. */
function servicePods(
  model: ClusterModel,
  spec: Extract<TargetSpec, { kind: 'service' }>,
  serviceSelector?: Record<string, string>,
): { pods: PodModel[]; via: string } {
  const inNamespace = model.pods.filter(
    (p) => p.namespace === spec.namespace && p.phase !== 'Succeeded' && p.phase !== 'Failed',
  );
  const byIp = new Map(inNamespace.flatMap((p) => (p.ip ? [[addressKey(p.ip) ?? p.ip, p] as const] : [])));
  const fromAddresses = (addresses: string[], via: string): { pods: PodModel[]; via: string } | undefined => {
    const pods = [
      ...new Set(
        addresses.map((a) => byIp.get(addressKey(a) ?? a)).filter((p): p is PodModel => p !== undefined),
      ),
    ];
    return pods.length > 0 ? { pods, via } : undefined;
  };
  const sliceAddresses = model.serviceEndpoints(spec.namespace, spec.service);
  const viaEndpoints = sliceAddresses && fromAddresses(sliceAddresses.addresses, sliceAddresses.via);
  if (viaEndpoints) return viaEndpoints;
  if (serviceSelector && Object.keys(serviceSelector).length > 0) {
    const pods = inNamespace.filter((p) => matchesLabels(p, serviceSelector));
    if (pods.length > 0) return { pods, via: `Service ${spec.namespace}/${spec.service} selector` };
  }
  const pods = inNamespace.filter((p) => matchesLabels(p, spec.podLabels));
  return {
    pods,
    via: `pods labelled ${Object.entries(spec.podLabels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',')} in ${spec.namespace}`,
  };
}

const targetSelections = new Map<string, PodSelection>();

/**
 * A target not deployed yet: its namespace and the catalog's labels are all a SecurityGroupPolicy
 * can select it on. One object per target, so its predicted endpoints are cached across requirements.
 */
function targetSelection(spec: Extract<TargetSpec, { kind: 'service' }>): PodSelection {
  const key = JSON.stringify([spec.namespace, spec.podLabels]);
  let selection = targetSelections.get(key);
  if (!selection) {
    selection = { namespace: spec.namespace, labels: spec.podLabels, labelsComplete: false };
    targetSelections.set(key, selection);
  }
  return selection;
}

export function targetsFor(model: ClusterModel, spec: TargetSpec, roles: NodeRoles): Ends & { via: string } {
  if (spec.kind === 'dynamo-role') {
    const wanted = spec.role === 'frontend' ? ['frontend', 'router'] : ['worker'];
    const endpoints = podsByRole(model, wanted).map((p) => podEndpoint(model, p));
    return endpoints.length > 0
      ? { endpoints, predicted: false, via: `Dynamo ${spec.role} pods` }
      : { endpoints, predicted: false, via: '', none: `no Dynamo ${spec.role} pods deployed yet` };
  }
  const { pods, via } = servicePods(model, spec, model.serviceSelector(spec.namespace, spec.service));
  if (pods.length > 0) return { endpoints: pods.map((p) => podEndpoint(model, p)), predicted: false, via };
  if (roles.system.length === 0) {
    return {
      endpoints: [],
      predicted: true,
      via: '',
      none: `${spec.service}.${spec.namespace} is not deployed and no system node group was found to predict it on (use --system-nodegroup)`,
    };
  }
  const selection = targetSelection(spec);
  return {
    endpoints: roles.system.map((n) => predictedEndpoint(model, n, undefined, selection)),
    predicted: true,
    via: `not deployed yet: predicted on the system node groups (${[...new Set(roles.system.map((n) => n.nodeGroup))].join(', ')})`,
  };
}
