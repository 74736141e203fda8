/** Who opens and who accepts each required flow: real pods where they exist, predicted pods where not. */
import {
  controlPlaneEndpoints,
  podEndpoint,
  predictedEndpoint,
  type Endpoint,
  type PodSelection,
} from '../model/endpoints.ts';
import { addressKey } from '../model/network.ts';
import type { ClusterModel, NodeModel, PodModel } from '../model/types.ts';
import { orchestratorReach } from '../placement/orchestrator.ts';
import { ORCHESTRATOR_PROFILE, profiles } from '../placement/profiles.ts';
import type { SourceSelector, TargetSpec } from '../requirements/catalog.ts';
import { dynamoRole, workerStage } from '../requirements/detect.ts';
import type { Stage } from '../model/disaggregation.ts';
import { declaredPlacement } from './declared-placement.ts';
import type { PodIdentity } from '../model/policy/types.ts';
import { commonIdentity } from '../model/identity.ts';

export interface NodeRoles {
  readonly gpu: NodeModel[];
  readonly system: NodeModel[];
  /** Where a frontend not deployed yet is predicted. */
  readonly frontend: NodeModel[];
  /** Where workers not deployed yet are predicted: the GPU nodes, or where a graph's workers fit. */
  readonly worker: NodeModel[];
  /** Predict the frontend even where one runs: the running one is of another release (what-if). */
  readonly predictFrontend: boolean;
  /** How the split was made (flags or detection). */
  readonly basis: string;
}

export function splitNodes(
  model: ClusterModel,
  gpuGroups?: readonly string[],
  systemGroups?: readonly string[],
  frontend: FrontendPlacement = {
    on: 'gpu-node-groups',
    source: 'default',
  },
  /** Where a DynamoGraphDeployment's workers fit, when one declares them. */
  workerNodes?: NodeModel[],
): NodeRoles {
  const nodes = [...model.nodes.values()];
  const gpu = gpuGroups?.length
    ? nodes.filter((n) => gpuGroups.includes(n.nodeGroup))
    : nodes.filter((n) => n.gpu);
  const gpuSet = new Set(gpu);
  const system = systemGroups?.length
    ? nodes.filter((n) => systemGroups.includes(n.nodeGroup))
    : nodes.filter((n) => !gpuSet.has(n));
  const basis = [
    gpuGroups?.length
      ? `GPU node groups from --gpu-nodegroup`
      : 'GPU nodes detected by label, capacity or instance type',
    systemGroups?.length
      ? 'system node groups from --system-nodegroup'
      : 'system node groups = every non-GPU node group',
  ].join('; ');
  const frontendNodes = frontend.groups?.length
    ? nodes.filter((n) => frontend.groups!.includes(n.nodeGroup))
    : (frontend.declared?.nodes ?? (frontend.on === 'system-node-groups' ? system : gpu));
  return {
    gpu,
    system,
    frontend: frontendNodes,
    worker: workerNodes ?? gpu,
    predictFrontend: frontend.whatIf === true,
    basis,
  };
}

/** Where a frontend not deployed yet goes: the flag, a graph's placement, else the family's. */
export interface FrontendPlacement {
  readonly groups?: readonly string[];
  readonly on: 'gpu-node-groups' | 'system-node-groups';
  readonly source: string;
  readonly whatIf?: boolean;
  /** Where the frontend a DynamoGraphDeployment declares can land, and why. */
  readonly declared?: { readonly nodes: NodeModel[]; readonly basis: string };
}

/** Where a frontend that is not deployed yet is predicted, and why: the flag, else AICR's placement. */
export function frontendBasis(frontend: FrontendPlacement, roles: NodeRoles): string {
  const groups = [...new Set(roles.frontend.map((n) => n.nodeGroup))].join(', ') || 'none';
  if (frontend.groups?.length) return `frontend placed on ${groups} (--frontend-nodegroup)`;
  return frontend.declared
    ? `frontend, if not deployed, predicted where it fits: ${frontend.declared.basis}`
    : `frontend, if not deployed, predicted on the ${frontend.on === 'gpu-node-groups' ? 'GPU' : 'system'} node groups (${groups}): ${frontend.source}; use --frontend-nodegroup if yours runs elsewhere`;
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
 * The conformance orchestrator as NetworkPolicies and SecurityGroupPolicies see it, from its
 * profile: its namespace and the labels every AICR version gives it. Its Job adds more (job-name,
 * controller-uid) and AICR's own `<domain>/validator` key depends on the version, so its labels
 * are not complete and the versioned ones are named, never assumed.
 */
export const ORCHESTRATOR_IDENTITY: PodIdentity = (() => {
  const profile = profiles[ORCHESTRATOR_PROFILE]!;
  const { metadata } = profile.pod({}) as {
    metadata: { namespace: string; labels: Record<string, string> };
  };
  return {
    namespace: metadata.namespace,
    labels: metadata.labels,
    labelsComplete: false,
    hostNetwork: false,
    namedPorts: {},
    ...(profile.versionedLabels ? { versionedLabels: profile.versionedLabels } : {}),
  };
})();

/** How NetworkPolicies see the orchestrator, for the report: what is assumed and what is not. */
export function orchestratorIdentityNote(): string {
  const { namespace, labels, versionedLabels } = ORCHESTRATOR_IDENTITY;
  const known = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const versioned = Object.entries(versionedLabels ?? {})
    .map(([k, why]) => `${k} (${why})`)
    .join(' or ');
  return `NetworkPolicies see the conformance orchestrator as a pod in namespace ${namespace} (AICR's default; aicr validate --namespace changes it) labelled ${known}${versioned ? `; its ${versioned} label is not assumed, so a policy selecting on it leaves the flow unknown` : ''}`;
}

/** The orchestrator, were it scheduled on `node`. */
export function orchestratorEndpoint(model: ClusterModel, node: NodeModel): Endpoint {
  return predictedEndpoint(model, node, ORCHESTRATOR_IDENTITY);
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
    case 'control-plane':
      // Not a pod: the API server, from the control plane's ENIs (unresolved without describe-cluster).
      return { endpoints: controlPlaneEndpoints(model), predicted: false };
    case 'kubelet':
      // Paired with each probed pod's own node in analyze/flows.ts (kubelet probes its node's pods only).
      return {
        endpoints: [],
        predicted: false,
        none: 'no pod with its own security groups is probed over the network',
      };
    case 'egress-isolated-sources':
      // Derived from the other requirements' sources, in analyze.ts.
      return { endpoints: [], predicted: false, none: 'no source is egress-isolated' };
    case 'dynamo-frontends':
      return dynamoRoleEnds(model, 'frontend', roles);
    case 'dynamo-workers':
      return dynamoRoleEnds(model, 'worker', roles);
    case 'dynamo-decode-workers':
      return stageEnds(model, 'decode', roles);
    case 'dynamo-prefill-workers':
      return stageEnds(model, 'prefill', roles);
    case 'prometheus-pods': {
      const spec = PROMETHEUS_SERVER;
      const { pods } = servicePods(model, spec, model.serviceSelector(spec.namespace, spec.service));
      if (pods.length > 0) return { endpoints: pods.map((p) => podEndpoint(model, p)), predicted: false };
      return roles.system.length > 0
        ? { endpoints: roles.system.map((n) => predictedEndpoint(model, n)), predicted: true }
        : {
            endpoints: [],
            predicted: true,
            none: 'Prometheus is not deployed and no system node group was found',
          };
    }
  }
}

/** The Prometheus server the DCGM scrape starts from (kube-prometheus-stack, as AICR installs it). */
const PROMETHEUS_SERVER: Extract<TargetSpec, { kind: 'service' }> = {
  kind: 'service',
  namespace: 'monitoring',
  service: 'kube-prometheus-prometheus',
  podLabels: { 'app.kubernetes.io/name': 'prometheus' },
  predictOn: 'system-node-groups',
};

/**
 * Dynamo frontends or workers: the running pods; before install, pods predicted where AICR puts
 * them (workers on the GPU node groups, the frontend where the family or --frontend-nodegroup says).
 */
function dynamoRoleEnds(model: ClusterModel, role: 'frontend' | 'worker', roles: NodeRoles): Ends {
  const wanted = role === 'frontend' ? ['frontend', 'router'] : ['worker'];
  const running = role === 'frontend' && roles.predictFrontend ? [] : podsByRole(model, wanted);
  if (running.length > 0) return { endpoints: running.map((p) => podEndpoint(model, p)), predicted: false };
  const nodes = role === 'frontend' ? roles.frontend : roles.worker;
  const template = podTemplate(podsByRole(model, ['frontend', 'worker', 'router', 'epp', 'other']));
  return nodes.length > 0
    ? { endpoints: nodes.map((n) => predictedEndpoint(model, n, template)), predicted: true }
    : {
        endpoints: [],
        predicted: true,
        none: `no Dynamo ${wanted.join('/')} pods deployed and no node group to predict them on (use --${role === 'frontend' ? 'frontend' : 'gpu'}-nodegroup)`,
      };
}

/** Is this running pod on that side of disaggregated serving? Decode: any worker that is not prefill. */
export function onStage(pod: PodModel, stage: Stage): boolean {
  const found = workerStage(pod)?.value;
  return stage === 'prefill'
    ? found === 'prefill'
    : found === 'decode' || (found === undefined && dynamoRole(pod) === 'worker');
}

/**
 * Prefill or decode workers: the running ones; before they run, pods predicted where the graph's
 * workers of that stage fit, else where workers are predicted.
 */
function stageEnds(model: ClusterModel, stage: Stage, roles: NodeRoles): Ends {
  const running = podsByRole(model, ['worker', 'other']).filter((p) => onStage(p, stage));
  if (running.length > 0) return { endpoints: running.map((p) => podEndpoint(model, p)), predicted: false };
  const declared = declaredPlacement(model, 'worker', roles.gpu, stage);
  const nodes = declared?.nodes.length ? declared.nodes : roles.worker;
  const template = podTemplate(podsByRole(model, ['frontend', 'worker', 'router', 'epp', 'other']));
  return nodes.length > 0
    ? { endpoints: nodes.map((n) => predictedEndpoint(model, n, template)), predicted: true }
    : {
        endpoints: [],
        predicted: true,
        none: `no Dynamo ${stage} workers deployed and no node group to predict them on (use --gpu-nodegroup)`,
      };
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

function stageTargets(model: ClusterModel, stage: Stage, roles: NodeRoles): Ends & { via: string } {
  const ends = stageEnds(model, stage, roles);
  return {
    ...ends,
    via: ends.predicted
      ? `Dynamo ${stage} workers not deployed yet: predicted on ${[...new Set(ends.endpoints.map((e) => e.nodeGroup))].join(', ')}`
      : `Dynamo ${stage} worker pods`,
  };
}

export function targetsFor(model: ClusterModel, spec: TargetSpec, roles: NodeRoles): Ends & { via: string } {
  if (spec.kind === 'probed-pods')
    // Paired with their nodes' kubelets in analyze/flows.ts.
    return { endpoints: [], predicted: false, via: '', none: 'no probed pod has its own security groups' };
  if (spec.kind === 'dynamo-role' && (spec.role === 'prefill' || spec.role === 'decode'))
    return stageTargets(model, spec.role, roles);
  if (spec.kind === 'dynamo-role') {
    const role = spec.role === 'frontend' ? 'frontend' : 'worker';
    const ends = dynamoRoleEnds(model, role, roles);
    const where = [...new Set((role === 'frontend' ? roles.frontend : roles.worker).map((n) => n.nodeGroup))];
    return {
      ...ends,
      via: ends.predicted
        ? `Dynamo ${role} not deployed yet: predicted on ${where.join(', ')}`
        : `Dynamo ${role} pods`,
    };
  }
  const { pods, via } = servicePods(model, spec, model.serviceSelector(spec.namespace, spec.service));
  if (pods.length > 0) return { endpoints: pods.map((p) => podEndpoint(model, p)), predicted: false, via };
  const onGpu = spec.predictOn === 'gpu-node-groups';
  const nodes = onGpu ? roles.gpu : roles.system;
  const kind = onGpu ? 'GPU' : 'system';
  if (nodes.length === 0) {
    return {
      endpoints: [],
      predicted: true,
      via: '',
      none: `${spec.service}.${spec.namespace} is not deployed and no ${kind} node group was found to predict it on (use --${onGpu ? 'gpu' : 'system'}-nodegroup)`,
    };
  }
  const selection = targetSelection(spec);
  return {
    endpoints: nodes.map((n) => predictedEndpoint(model, n, undefined, selection)),
    predicted: true,
    via: `not deployed yet: predicted on the ${kind} node groups (${[...new Set(nodes.map((n) => n.nodeGroup))].join(', ')})`,
  };
}
