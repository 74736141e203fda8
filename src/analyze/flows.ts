/**
 * Flow analysis: every required flow × every source class → allowed / blocked / unknown, with the
 * trace that decided it. Pure over the cluster model; fixes are synthesised from its result by
 * remediate/, and the `analyze` answer joins both (questions/analyze.ts).
 */
import { podEndpoint, type Endpoint } from '../model/endpoints.ts';
import {
  kubeletEndpoint,
  podProbes,
  podSecurityGroupsEvidence,
  tcpEarlyDemuxProblem,
} from '../model/kubelet.ts';
import type { ClusterModel, PodModel } from '../model/types.ts';
import { hasPolicies, policiesEnforced } from '../model/policy/build.ts';
import { taintLabel } from '../placement/match.ts';
import { evaluateFlow } from '../reachability/evaluate.ts';
import { isolatedFor } from '../reachability/policy-step.ts';
import type { FlowTrace, TraceStep } from '../reachability/types.ts';
import { commonIdentity, type EndIdentity } from '../model/identity.ts';
import { buildRequirementContext, type ContextOptions } from '../requirements/context.ts';
import { resolveRequirements, type NotApplicable, type Requirement } from '../requirements/resolve.ts';
import type { Level } from '../requirements/catalog.ts';
import {
  frontendBasis,
  orchestratorIdentityNote,
  sourcesFor,
  splitNodes,
  targetsFor,
  type FrontendPlacement,
  type NodeRoles,
} from './ends.ts';
import { declaredPlacement } from './declared-placement.ts';
import { dynamoRole } from '../requirements/detect.ts';
import { efaEnis, efaEndpoints } from '../model/efa.ts';
import type { FlowEnd, FlowResult, Skipped } from './types.ts';

export interface AnalyzeOptions extends ContextOptions {
  readonly gpuNodeGroups?: readonly string[];
  readonly systemNodeGroups?: readonly string[];
  /** Where the Dynamo frontend runs when it is not deployed yet (default: AICR's placement for the release). */
  readonly frontendNodeGroups?: readonly string[];
  /** Count `recommended` flows in the verdict and fix them too (`--strict`). */
  readonly strict?: boolean;
}

/** An option that does not fit the snapshot (e.g. a node group it does not have). */
export class AnalyzeOptionError extends Error {
  override readonly name = 'AnalyzeOptionError';
}

const MEMBERS_SHOWN = 10;

/**
 * Two endpoints decide alike when everything the evaluator reads is equal: SGs, subnet, the
 * address (or just its subnet, when no block splits that subnet), same-node enforcement, and —
 * only where NetworkPolicies are enforced — the pod's namespace and labels. Source classes and the
 * memo below rest on this key, so it must never leave out a fact the evaluator reads.
 */
function decisionKeys(model: ClusterModel): (e: Endpoint) => number {
  const policies = policiesEnforced(model.policies);
  return internedKeys((e) => {
    const subnetWide = e.subnetId !== undefined && model.uniformSubnets.has(e.subnetId);
    const address = subnetWide
      ? `subnet:${e.subnetId}`
      : e.addresses
        ? `${e.addresses.start}-${e.addresses.end}`
        : '';
    const identity =
      policies && e.pod
        ? JSON.stringify([
            e.pod.namespace,
            e.pod.labels,
            e.pod.labelsComplete,
            e.pod.hostNetwork,
            e.pod.namedPorts,
            e.pod.versionedLabels ?? null,
          ])
        : policies
          ? '?'
          : '';
    return [
      e.securityGroups.join(','),
      e.subnetId ?? '',
      address,
      e.sgOnSameNode,
      e.unresolved ?? '',
      identity,
    ].join('|');
  });
}

/**
 * Interns `text(e)` to a small number, cached per endpoint: pair lookups then combine numbers,
 * not strings.
 */
function internedKeys(text: (e: Endpoint) => string): (e: Endpoint) => number {
  const cache = new WeakMap<Endpoint, number>();
  const interned = new Map<string, number>();
  return (e) => {
    let id = cache.get(e);
    if (id === undefined) {
      const key = text(e);
      id = interned.get(key);
      if (id === undefined) {
        id = interned.size;
        interned.set(key, id);
      }
      cache.set(e, id);
    }
    return id;
  };
}

/**
 * What a flow class shares on one side: kind, node group, SGs and subnet. The control plane's
 * subnets are one source: its ENIs move between them (members name them).
 */
function sideKeys(): (e: Endpoint) => number {
  return internedKeys((e) => {
    const subnet = e.kind === 'control-plane' ? '' : (e.subnetId ?? '');
    return [e.kind, e.nodeGroup, e.securityGroups.join(','), subnet].join('|');
  });
}

interface EndpointKeys {
  readonly decision: (e: Endpoint) => number;
  readonly side: (e: Endpoint) => number;
}

/** One per model: an endpoint shared by several requirements (a pod is a source of most) is keyed once. */
const keysByModel = new WeakMap<ClusterModel, EndpointKeys>();

function endpointKeys(model: ClusterModel): EndpointKeys {
  let keys = keysByModel.get(model);
  if (!keys) {
    keys = { decision: decisionKeys(model), side: sideKeys() };
    keysByModel.set(model, keys);
  }
  return keys;
}

function traceSignature(trace: FlowTrace): string {
  return trace.steps
    .map((s) =>
      // Unresolved placement is one class per node group, not one per node named in the reason.
      s.kind === 'resolve-source' || s.kind === 'resolve-destination'
        ? `${s.kind}:${s.status}`
        : stepSignature(s),
    )
    .join(';');
}

function stepSignature(s: FlowTrace['steps'][number]): string {
  const facts = s.facts.map((f) =>
    f.kind === 'sg-rule'
      ? f.ruleId
      : f.kind === 'nacl-entry'
        ? `${f.naclId}#${f.ruleNumber}`
        : f.kind === 'network-policy'
          ? `${f.namespace}/${f.name}#${f.ruleIndex ?? ''}`
          : f.kind === 'unmatchable-reference'
            ? `${f.ruleId}>${f.groupId}`
            : (f.signature ?? f.text),
  );
  return `${s.kind}:${s.status}:${facts.join(',')}`;
}

/** Distinct taints of the nodes the endpoints are on, each node looked at once. */
function taintsOf(model: ClusterModel, endpoints: readonly Endpoint[]): string[] {
  const seen = new Set<string>();
  const taints = new Set<string>();
  for (const e of endpoints) {
    if (e.nodeName === undefined || seen.has(e.nodeName)) continue;
    seen.add(e.nodeName);
    for (const t of model.nodes.get(e.nodeName)?.taints ?? []) taints.add(taintLabel(t));
  }
  return [...taints].sort();
}

function endOf(model: ClusterModel, endpoints: readonly Endpoint[]): FlowEnd {
  const first = endpoints[0]!;
  const names = [
    ...new Set(
      endpoints.map((e) =>
        e.kind === 'pod'
          ? e.label
          : e.kind === 'control-plane'
            ? (e.subnetId ?? e.label)
            : (e.nodeName ?? e.label),
      ),
    ),
  ];
  const taints = taintsOf(model, endpoints);
  return {
    nodeGroup: first.nodeGroup,
    securityGroups: first.securityGroups,
    ...(first.subnetId ? { subnetId: first.subnetId } : {}),
    kind:
      first.kind === 'pod'
        ? 'pods'
        : first.kind === 'control-plane'
          ? 'control-plane'
          : first.kind === 'kubelet'
            ? 'kubelet'
            : 'nodes',
    count: names.length,
    members: names.slice(0, MEMBERS_SHOWN),
    placement: first.attachment,
    ...(taints.length > 0 ? { taints } : {}),
  };
}

interface Decided {
  readonly trace: FlowTrace;
  /** The pair the trace was evaluated for: other pairs with the same key decide alike. */
  readonly source: Endpoint;
  readonly destination: Endpoint;
  /** Interned trace signature: equal numbers, equal decisions. */
  readonly signature: number;
}

const VPC_STEPS: ReadonlySet<TraceStep['kind']> = new Set([
  'sg-egress',
  'sg-ingress',
  'nacl-source-outbound',
  'nacl-destination-inbound',
  'nacl-destination-outbound-return',
  'nacl-source-inbound-return',
]);

/** A security group or NACL step that does not allow: what same-node co-location hides. */
const isVpcGap = (step: TraceStep): boolean =>
  VPC_STEPS.has(step.kind) && (step.status === 'blocked' || step.status === 'unknown');

/** Re-evaluated once per class (classes are few) so its explanation names its own members. */
function ownTrace(
  decided: Decided,
  source: Endpoint,
  destination: Endpoint,
  query: (source: Endpoint, destination: Endpoint) => FlowTrace,
): FlowTrace {
  return decided.source === source && decided.destination === destination
    ? decided.trace
    : query(source, destination);
}

/** Pairs that decide alike and share both sides' group and SGs: one flow class. */
interface FlowClass {
  readonly sources: Set<Endpoint>;
  readonly destinations: Set<Endpoint>;
  readonly trace: FlowTrace;
  readonly masks?: string;
  readonly apart?: FlowTrace;
}

/** A map keyed by a short tuple of numbers, as nested maps (insertion order kept for values()). */
class NumberKeyed<V> {
  private readonly root = new Map<number, unknown>();
  private readonly inOrder: V[] = [];

  get(key: readonly number[]): V | undefined {
    let level: unknown = this.root;
    for (const part of key) {
      level = (level as Map<number, unknown> | undefined)?.get(part);
      if (level === undefined) return undefined;
    }
    return level as V;
  }

  set(key: readonly number[], value: V): void {
    let level = this.root;
    for (let i = 0; i < key.length - 1; i++) {
      let next = level.get(key[i]!) as Map<number, unknown> | undefined;
      if (!next) {
        next = new Map();
        level.set(key[i]!, next);
      }
      level = next;
    }
    level.set(key[key.length - 1]!, value);
    this.inOrder.push(value);
  }

  values(): V[] {
    return [...this.inOrder];
  }
}

/**
 * Decides every source × destination pair and gathers them into flow classes as it goes. Linear in
 * pairs: each pair is a memo lookup and a map insert; only distinct decision keys are evaluated.
 */
function classifyPairs(
  model: ClusterModel,
  requirement: Requirement,
  sources: readonly Endpoint[],
  destinations: readonly Endpoint[],
): FlowClass[] {
  return classify(model, requirement, crossProduct(sources, destinations));
}

function* crossProduct(
  sources: readonly Endpoint[],
  destinations: readonly Endpoint[],
): Generator<readonly [Endpoint, Endpoint]> {
  for (const source of sources) for (const destination of destinations) yield [source, destination];
}

/** Flow classes of the given pairs (every source × destination, or explicit pairs: a kubelet and its own pod). */
function classify(
  model: ClusterModel,
  requirement: Requirement,
  pairs: Iterable<readonly [Endpoint, Endpoint]>,
): FlowClass[] {
  // Keyed by numbers (interned keys and signatures) in nested maps: no string built per pair.
  const memo = new NumberKeyed<Decided>();
  const apartMemo = new NumberKeyed<Decided>();
  const { decision: keyOf, side: sideOf } = endpointKeys(model);
  const signatures = new Map<string, number>();
  const intern = (text: string): number => {
    let signature = signatures.get(text);
    if (signature === undefined) {
      signature = signatures.size;
      signatures.set(text, signature);
    }
    return signature;
  };
  const classes = new NumberKeyed<FlowClass>();
  const query = (source: Endpoint, destination: Endpoint): FlowTrace =>
    evaluateFlow(model, { source, destination, protocol: requirement.protocol, ports: requirement.ports });
  const queryApart = (source: Endpoint, destination: Endpoint): FlowTrace =>
    query({ ...source, nodeName: `${source.nodeName} (elsewhere)` }, destination);
  for (const [source, destination] of pairs) {
    const sameNode = source.nodeName !== undefined && source.nodeName === destination.nodeName;
    const key = [keyOf(source), keyOf(destination), sameNode ? 1 : 0];
    let decided = memo.get(key);
    if (!decided) {
      const trace = query(source, destination);
      decided = { trace, signature: intern(traceSignature(trace)), source, destination };
      memo.set(key, decided);
    }
    let apart: Decided | undefined;
    // The kubelet is always on its pod's node: there is no "elsewhere" for it to be masked from.
    if (sameNode && source.kind !== 'kubelet' && decided.trace.steps.some((s) => s.kind === 'same-node')) {
      // Co-location skips the VPC: decide the same pair as if on different nodes, once per key.
      apart = apartMemo.get(key);
      if (!apart) {
        const trace = queryApart(source, destination);
        apart = { trace, signature: intern(traceSignature(trace)), source, destination };
        apartMemo.set(key, apart);
      }
      if (!apart.trace.steps.some(isVpcGap)) apart = undefined;
    }
    const classKey = [sideOf(source), sideOf(destination), decided.signature, apart ? apart.signature : -1];
    let flowClass = classes.get(classKey);
    if (!flowClass) {
      // The class's traces name the class's own first pair, not the pair its key was decided for.
      const apartTrace = apart && ownTrace(apart, source, destination, queryApart);
      // Masking is about a flow that works now only thanks to the shared node; a blocked one is not masked.
      const masks =
        apartTrace && decided.trace.status === 'allowed'
          ? `allowed only because ${source.label} shares node ${source.nodeName} with ${destination.label}; from another node with the same security groups it is ${apartTrace.status}: ${apartTrace.reason}`
          : undefined;
      flowClass = {
        sources: new Set(),
        destinations: new Set(),
        trace: ownTrace(decided, source, destination, query),
        ...(masks ? { masks } : {}),
        ...(apartTrace ? { apart: apartTrace } : {}),
      };
      classes.set(classKey, flowClass);
    }
    flowClass.sources.add(source);
    flowClass.destinations.add(destination);
  }
  return classes.values();
}

export type Identities = Map<
  string,
  { source: EndIdentity | undefined; destination: EndIdentity | undefined }
>;

/** Gives every flow a unique id: the readable one, with `#n` when two classes read alike. */
function uniqueIds(): (base: string) => string {
  const seen = new Map<string, number>();
  return (base) => {
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}#${n}`;
  };
}

function toFlowResults(
  model: ClusterModel,
  requirement: Requirement,
  classes: readonly FlowClass[],
  identities: Identities,
  unique: (base: string) => string,
): FlowResult[] {
  const port =
    requirement.protocol === 'efa'
      ? 'all'
      : requirement.ports.from === requirement.ports.to
        ? requirement.ports.from
        : `${requirement.ports.from}-${requirement.ports.to}`;
  return classes.map((flowClass) => {
    const sources = [...flowClass.sources];
    const destinations = [...flowClass.destinations];
    const source = endOf(model, sources);
    const destination = endOf(model, destinations);
    const id = unique(
      `${requirement.id}:${source.kind}@${source.nodeGroup}[${source.securityGroups.join(',')}]->${destination.kind}@${destination.nodeGroup}[${destination.securityGroups.join(',')}]${flowClass.masks ? ':co-located' : ''}`,
    );
    identities.set(id, {
      source: commonIdentity(sources.map((e) => e.pod)),
      destination: commonIdentity(destinations.map((e) => e.pod)),
    });
    return {
      id,
      requirement: requirement.id,
      title: requirement.title,
      level: requirement.level,
      protocol: requirement.protocol,
      port,
      ports: requirement.ports,
      source,
      destination,
      status: flowClass.trace.status,
      reason: flowClass.trace.reason,
      steps: flowClass.trace.steps,
      ...(flowClass.masks ? { coLocationMasks: flowClass.masks } : {}),
      ...(flowClass.apart ? { coLocationSteps: flowClass.apart.steps } : {}),
      fixedBy: [],
    };
  });
}

const statusOrder = { blocked: 0, unknown: 1, allowed: 2 } as const;

/** The flows of a cluster, before any fix: what `analyze` decides, and what remediation reads. */
export interface FlowAnalysis {
  readonly dynamo: { readonly version: string; readonly source: string };
  readonly requirements: Requirement[];
  readonly notApplicable: NotApplicable[];
  readonly skipped: Skipped[];
  /** Blocked first, then unknown, then allowed; `fixedBy` is empty until remediation fills it. */
  readonly flows: FlowResult[];
  /** The pods' shared namespace and labels at each end of a flow, by flow id: what a NetworkPolicy fix selects. */
  readonly identities: Identities;
  readonly notes: string[];
}

export function analyzeFlows(model: ClusterModel, options: AnalyzeOptions = {}): FlowAnalysis {
  const groupsInModel = new Set([...model.nodes.values()].map((n) => n.nodeGroup));
  for (const [flag, groups] of [
    ['--gpu-nodegroup', options.gpuNodeGroups],
    ['--system-nodegroup', options.systemNodeGroups],
    ['--frontend-nodegroup', options.frontendNodeGroups],
  ] as const) {
    const unknown = (groups ?? []).filter((g) => !groupsInModel.has(g));
    if (unknown.length > 0) {
      throw new AnalyzeOptionError(
        `${flag} ${unknown.join(', ')}: no such node group in the snapshot (have: ${[...groupsInModel].sort().join(', ') || 'none'})`,
      );
    }
  }
  const enforced = policiesEnforced(model.policies);
  const { context, notes } = buildRequirementContext(model.pods, {
    ...options,
    networkPolicies: enforced,
    declared: model.dynamoComponents,
    controlPlane: model,
    efa: efaEvidence(model),
    podSecurityGroups: podSecurityGroupsEvidence(model),
  });
  const set = resolveRequirements(context);
  const frontendDeployed = model.pods.some((p) => {
    const role = dynamoRole(p);
    return role === 'frontend' || role === 'router';
  });
  const workersDeployed = model.pods.some((p) => dynamoRole(p) === 'worker');
  // Before the pods exist, the graph the user declared says where they can go; the family's
  // placement (AICR's page) only fills in when no graph was captured or none of its pods fits.
  const gpu = splitNodes(model, options.gpuNodeGroups, options.systemNodeGroups).gpu;
  const declaredFrontend =
    !options.frontendNodeGroups?.length && (!frontendDeployed || context.whatIf)
      ? declaredPlacement(model, 'frontend', gpu)
      : undefined;
  const declaredWorkers = workersDeployed ? undefined : declaredPlacement(model, 'worker', gpu);
  for (const [what, placement] of [
    ['frontend', declaredFrontend],
    ['workers', declaredWorkers],
  ] as const) {
    if (placement && placement.nodes.length === 0)
      notes.push(
        `${placement.basis}: the ${what}, if not deployed, are predicted where AICR places them instead`,
      );
  }
  const frontend: FrontendPlacement = {
    ...(options.frontendNodeGroups?.length ? { groups: options.frontendNodeGroups } : {}),
    on: context.frontendOn,
    source: context.frontendSource,
    whatIf: context.whatIf,
    ...(declaredFrontend?.nodes.length ? { declared: declaredFrontend } : {}),
  };
  const roles: NodeRoles = splitNodes(
    model,
    options.gpuNodeGroups,
    options.systemNodeGroups,
    frontend,
    declaredWorkers?.nodes.length ? declaredWorkers.nodes : undefined,
  );
  const frontendRequired = set.requirements.some(
    (r) => r.from === 'dynamo-frontends' || (r.to.kind === 'dynamo-role' && r.to.role === 'frontend'),
  );
  if (frontendRequired && (!frontendDeployed || context.whatIf)) notes.push(frontendBasis(frontend, roles));
  if (declaredWorkers?.nodes.length && set.requirements.some((r) => r.to.kind === 'dynamo-role'))
    notes.push(`workers, if not deployed, predicted where they fit: ${declaredWorkers.basis}`);

  const skipped: Skipped[] = [];
  let flows: FlowResult[] = [];
  const identities: Identities = new Map();
  const unique = uniqueIds();
  // Sources that dial a Service by name, for the DNS requirement of egress-isolated pods. Keyed by
  // the endpoint itself (cached per pod, and per node and identity): pods predicted on one node
  // share an id, yet the orchestrator and a Dynamo client there are different pods to a policy.
  const nameClients = new Set<Endpoint>();
  // The running pods at either end of the flows above, with the highest level of those flows: the
  // components the kubelet-probe flow covers, at the level their flows have.
  const components = new Map<string, Level>();
  const requirements: Requirement[] = [];
  for (const requirement of set.requirements) {
    if (requirement.from === 'kubelet') {
      const probed = kubeletProbeFlows(model, requirement, components);
      notes.push(...probed.notes);
      if (probed.groups.length === 0) {
        requirements.push(requirement);
        skipped.push({
          requirement: requirement.id,
          title: requirement.title,
          level: requirement.level,
          why: probed.none,
        });
        continue;
      }
      for (const group of probed.groups) {
        requirements.push(group.requirement);
        flows.push(
          ...toFlowResults(
            model,
            group.requirement,
            classify(model, group.requirement, group.pairs),
            identities,
            unique,
          ),
        );
      }
      continue;
    }
    requirements.push(requirement);
    const sources =
      requirement.from === 'egress-isolated-sources'
        ? {
            endpoints: [...nameClients].filter((e) => isolatedFor(model.policies, e, 'egress') !== 'no'),
            predicted: false,
          }
        : requirement.protocol === 'efa'
          ? onEfa(model, sourcesFor(model, requirement.from, roles))
          : sourcesFor(model, requirement.from, roles);
    if (requirement.from === 'egress-isolated-sources' && sources.endpoints.length === 0) {
      notes.push(
        `${requirement.title}: no source is egress-isolated by a NetworkPolicy, so DNS is not restricted`,
      );
      continue;
    }
    if (requirement.to.kind === 'service' && requirement.from !== 'egress-isolated-sources') {
      for (const endpoint of sources.endpoints) nameClients.add(endpoint);
    }
    const efa = requirement.protocol === 'efa';
    const targets = efa
      ? onEfa(model, targetsFor(model, requirement.to, roles))
      : targetsFor(model, requirement.to, roles);
    const missing = sources.none ?? targets.none;
    if (missing) {
      skipped.push({
        requirement: requirement.id,
        title: requirement.title,
        level: requirement.level,
        why: missing,
      });
      continue;
    }
    if (targets.predicted) notes.push(`${requirement.title}: target ${targets.via}`);
    for (const e of [...sources.endpoints, ...targets.endpoints])
      if (e.kind === 'pod' && components.get(e.id) !== 'required') components.set(e.id, requirement.level);
    if (
      requirement.from === 'tolerate-all-pods' &&
      model.policies.policies.length > 0 &&
      model.policies.engine.enforced
    )
      notes.push(orchestratorIdentityNote());
    flows.push(
      ...toFlowResults(
        model,
        requirement,
        classifyPairs(model, requirement, sources.endpoints, targets.endpoints),
        identities,
        unique,
      ),
    );
  }
  flows = flows.sort((a, b) => statusOrder[a.status] - statusOrder[b.status]);

  return {
    dynamo: { version: context.dynamoVersion, source: context.versionSource },
    requirements,
    notApplicable: set.notApplicable,
    skipped,
    flows,
    identities,
    notes: [
      roles.basis,
      ...(hasPolicies(model.policies)
        ? [`NetworkPolicy engine: ${model.policies.engine.kind} (${model.policies.engine.evidence})`]
        : []),
      ...notes,
    ],
  };
}

/** The first node with an EFA interface, as evidence that SRD flows exist; else why not. */
function efaEvidence(model: ClusterModel): { value: boolean; source: string } {
  for (const node of model.nodes.values()) {
    const eni = efaEnis(model, node)[0];
    if (eni)
      return {
        value: true,
        source: `EFA interface ${eni.id} (InterfaceType ${eni.type}) on node ${node.name} (${node.nodeGroup})`,
      };
  }
  return { value: false, source: 'no ENI with InterfaceType efa or efa-only on any node' };
}

/** An SRD flow's ends are the EFA interfaces of the nodes the pods are (or will be) on. */
function onEfa<T extends { endpoints: Endpoint[] }>(model: ClusterModel, ends: T): T {
  const seen = new Map<string, Endpoint>();
  for (const endpoint of ends.endpoints) {
    const node = endpoint.nodeName === undefined ? undefined : model.nodes.get(endpoint.nodeName);
    if (!node) {
      seen.set(endpoint.id, endpoint);
      continue;
    }
    for (const efa of efaEndpoints(model, node, endpoint)) seen.set(efa.id, efa);
  }
  return { ...ends, endpoints: [...seen.values()] };
}

const PODS_NAMED = 3;

const namedList = (items: readonly string[]): string =>
  items.length > PODS_NAMED
    ? `${items.slice(0, PODS_NAMED).join('; ')} and ${items.length - PODS_NAMED} more`
    : items.join('; ');

/** One port of the kubelet-probe flow: the requirement on that port, and each probed pod with its node's kubelet. */
interface ProbeGroup {
  readonly requirement: Requirement;
  readonly pairs: (readonly [Endpoint, Endpoint])[];
}

/**
 * The kubelet-probe flow, one requirement per probe port: every running pod on a branch ENI that
 * is a Dynamo pod or at either end of another flow, paired with the kubelet of its own node (a
 * kubelet probes only its node's pods). Its level is the catalog's (required) for Dynamo pods and
 * the pods of required flows, recommended for pods only at the ends of recommended flows: a pod
 * that never becomes Ready breaks what its flows carry, no more. A named port the container does
 * not declare leaves that pod's flow `unknown`, naming the name; exec probes are only noted.
 */
function kubeletProbeFlows(
  model: ClusterModel,
  requirement: Requirement,
  components: ReadonlyMap<string, Level>,
): { groups: ProbeGroup[]; notes: string[]; none: string } {
  const notes: string[] = [];
  /** By level and port ('' for an unknown port), in the order found. */
  const byKey = new Map<
    string,
    { level: Level; port?: number; pairs: (readonly [Endpoint, Endpoint])[]; probes: string[] }
  >();
  const withoutNetwork: string[] = [];
  const onBranch = (pod: PodModel, endpoint: Endpoint): boolean =>
    endpoint.eniId !== undefined
      ? model.enis.get(endpoint.eniId)?.type === 'branch'
      : model.cni.podEni && pod.annotations['vpc.amazonaws.com/pod-eni'] !== undefined;
  for (const pod of model.pods) {
    if (pod.hostNetwork || pod.phase === 'Succeeded' || pod.phase === 'Failed') continue;
    const id = `pod:${pod.namespace}/${pod.name}`;
    const level: Level | undefined = dynamoRole(pod) !== undefined ? 'required' : components.get(id);
    if (level === undefined) continue;
    const endpoint = podEndpoint(model, pod);
    if (!onBranch(pod, endpoint)) continue;
    const kubelet = kubeletEndpoint(model, pod.nodeName);
    const label = `${pod.namespace}/${pod.name}`;
    const { probes, without } = podProbes(pod);
    withoutNetwork.push(...without.map((w) => `${label} ${w}`));
    const seen = new Set<number>();
    for (const probe of probes) {
      const text = `${label} container ${probe.container} ${probe.probe} probe ${probe.portText}`;
      const key = `${level}|${probe.port ?? ''}`;
      const group = byKey.get(key) ?? {
        level,
        ...(probe.port !== undefined ? { port: probe.port } : {}),
        pairs: [],
        probes: [],
      };
      byKey.set(key, group);
      group.probes.push(text);
      if (probe.port === undefined) {
        const why = `${probe.unresolved ?? 'its port is not known'}, so the port the kubelet dials is unknown`;
        group.pairs.push([
          kubelet,
          { ...endpoint, id: `${endpoint.id}#${probe.container}/${probe.probe}`, unresolved: why },
        ]);
      } else if (!seen.has(probe.port)) {
        seen.add(probe.port);
        group.pairs.push([kubelet, endpoint]);
      }
    }
  }
  const demux = tcpEarlyDemuxProblem(model);
  if (demux && byKey.size > 0) notes.push(`${requirement.title}: ${demux}`);
  if (withoutNetwork.length > 0)
    notes.push(
      `${requirement.title}: probes that open no connection to the pod: ${namedList(withoutNetwork)}`,
    );
  const groups: ProbeGroup[] = [...byKey.values()]
    .sort(
      (a, b) =>
        (a.port ?? 65536) - (b.port ?? 65536) || (a.level === b.level ? 0 : a.level === 'required' ? -1 : 1),
    )
    .map((group) => ({
      requirement: {
        ...requirement,
        level: group.level,
        ...(group.port !== undefined ? { ports: { from: group.port, to: group.port } } : {}),
        decidedBy: [
          ...requirement.decidedBy,
          `port ${group.port ?? 'unknown'}: ${namedList(group.probes)}`,
          ...(group.level === 'recommended'
            ? ['recommended: these pods are only at the ends of recommended flows']
            : []),
          ...(demux ? [demux] : []),
        ],
      },
      pairs: group.pairs,
    }));
  return {
    groups,
    notes,
    none:
      withoutNetwork.length > 0
        ? `no pod with its own security groups among the Dynamo pods and the pods of the flows above has an httpGet, tcpSocket or grpc probe (${namedList(withoutNetwork)})`
        : 'no pod with its own security groups (a branch ENI) among the Dynamo pods and the pods of the flows above has an httpGet, tcpSocket or grpc probe',
  };
}
