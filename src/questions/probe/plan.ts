/**
 * Probe planning, pure: one probe pod per source class (node group × security groups) of the
 * static analysis, pinned to a representative node, dialing every target pod IP and Service name
 * of each TCP requirement. Each target carries the static status for that source class, so the
 * live result can be set next to it (cilium's WithExpectations idea).
 *
 * Where no real server serves a port — before install, an OS-assigned range, pods of another
 * release in a what-if — a stand-in listener pod is placed on each destination class (node group
 * × security groups × subnet), listening on the exact port, or on both ends and the middle of the
 * range, the way connectivity suites place their own echo servers. Its address is known only once
 * it runs: `bindListeners` puts it into the probes' scripts.
 */
import type { FlowResult } from '../../analyze/types.ts';
import { counted, type AnalysisResult } from '../analyze.ts';
import { podEndpoint, predictedEndpoint } from '../../model/endpoints.ts';
import type { ClusterModel, PodModel } from '../../model/types.ts';
import type { Status, TraceStep } from '../../reachability/types.ts';
import type { Requirement } from '../../requirements/resolve.ts';
import { detectDynamoVersion, dynamoRole } from '../../requirements/detect.ts';
import { onStage } from '../../analyze/ends.ts';
import { familyOf } from '../../requirements/context.ts';
import { parseAddress } from '../../base/ip.ts';
import { l7Script } from './l7-script.ts';

export const MANAGED_BY = 'dynamo-netcheck';
export const RUN_LABEL = 'dynamo-netcheck/run';
/** `probe` or `listener`: what a pod of a run is for. */
export const ROLE_LABEL = 'dynamo-netcheck/role';
export const DEFAULT_IMAGE = 'busybox:1.36';
/**
 * A backstop: the kubelet stops a stand-in listener after this even if the tool is killed with
 * SIGKILL before it deletes the namespace (the next run's sweep removes the namespace).
 */
export const LISTENER_DEADLINE_SECONDS = 600;
/** An unprivileged listener (uid 65534, no capabilities) cannot bind below this port. */
const FIRST_UNPRIVILEGED_PORT = 1024;

export interface SourceClass {
  readonly nodeGroup: string;
  readonly securityGroups: readonly string[];
}

export interface ProbeTarget {
  /** Stable within a probe: `t<index>`, the key results are reported under. */
  readonly id: string;
  readonly requirement: string;
  /** The address dialled; for a stand-in listener not bound yet, the listener's pod name. */
  readonly host: string;
  readonly port: number;
  /**
   * `pod` = a pod IP (one backend); `service` = the Service DNS name (kube-proxy picks one);
   * `listener` = a stand-in listener this run places where no real server serves the port.
   */
  readonly via: 'pod' | 'service' | 'listener';
  /** The pod (`ns/name`) or Service (`ns/name`) behind the host. */
  readonly name: string;
  /** The static verdict for this source class → this target, and the flow that decided it. */
  readonly expected: Status;
  readonly flowId?: string;
  /** For `via: 'listener'`: the listener's pod name (its address is bound at run time). */
  readonly listener?: string;
  /** For `via: 'listener'`: why a stand-in is dialled instead of a real server. */
  readonly standInBecause?: string;
  /** The probe and the listener share a node: the path does not cross the VPC. */
  readonly sameNode?: boolean;
}

/** A pod this run places on a destination class to accept the probes' dials. */
export interface StandInListener {
  readonly name: string;
  readonly destination: SourceClass & { readonly subnetId?: string };
  readonly nodeName: string;
  /** Ports it listens on, ascending. */
  readonly ports: number[];
  /** The requirements it stands in for. */
  readonly requirements: string[];
  readonly pod: Record<string, unknown>;
}

export interface Probe {
  readonly name: string;
  readonly source: SourceClass;
  readonly nodeName: string;
  readonly targets: ProbeTarget[];
  /** The Pod manifest, ready for the API (plain JSON). */
  readonly pod: Record<string, unknown>;
}

export interface ProbePlan {
  readonly runId: string;
  readonly namespace: string;
  readonly namespaceManifest: Record<string, unknown>;
  /**
   * Probe pods. A target of a stand-in listener is left out of `pod`'s script until
   * `bindListeners` knows the listener's address.
   */
  readonly probes: Probe[];
  /** Stand-in listeners, created and Ready before the probes that dial them. */
  readonly listeners: StandInListener[];
  /** What the probes' commands are rebuilt from once listeners are bound. */
  readonly dial: { readonly timeoutSeconds: number; readonly mode: ProbeMode };
  /** What could not be probed, and why (UDP, no node, a privileged port with nothing serving it). */
  readonly notProbed: string[];
  /** Recommended requirements the verdict does not count (no `--strict`): probed, never failing the run. */
  readonly uncounted?: string[];
}

/**
 * 'nc' = a shell script of `nc -zvv` lines (TCP); 'l7' = a shell script that speaks NATS, HTTP
 * (Prometheus, etcd) with busybox nc and wget (l7-script.ts), in the same stock image; 'dial' =
 * this tool's own image running `dial … -o json`.
 */
export type ProbeMode = 'nc' | 'l7' | 'dial';

export interface PlanOptions {
  readonly runId: string;
  /** Per-target dial timeout, whole seconds (nc -w takes seconds). */
  readonly timeoutSeconds: number;
  readonly mode: ProbeMode;
  readonly image: string;
  /** The stand-in listeners' image (busybox nc); default DEFAULT_IMAGE. */
  readonly listenerImage?: string;
}

export function probeLabels(runId: string): Record<string, string> {
  return { 'app.kubernetes.io/managed-by': MANAGED_BY, [RUN_LABEL]: runId };
}

const classKey = (c: SourceClass): string => `${c.nodeGroup}|${[...c.securityGroups].sort().join(',')}`;

export function planProbes(model: ClusterModel, analysis: AnalysisResult, options: PlanOptions): ProbePlan {
  if (!/^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/.test(options.runId))
    throw new Error(`run id ${options.runId}: expected lowercase letters, digits and dashes`);
  const namespace = `dynamo-netcheck-${options.runId}`;
  const notProbed: string[] = [];
  // The API server dials from the EKS control plane, where no probe pod can run: those flows are
  // decided statically only, and the plan says so once per requirement with the static verdict.
  const fromControlPlane = (f: FlowResult): boolean => f.source.kind === 'control-plane';
  // The kubelet dials from its node's host network; probe pods run in a restricted namespace on
  // the pod network, so they cannot stand in for it: each flow says how to check it on the node.
  const fromKubelet = (f: FlowResult): boolean => f.source.kind === 'kubelet';
  const tcpFlows = analysis.flows.filter(
    (f) => f.protocol === 'tcp' && !fromControlPlane(f) && !fromKubelet(f),
  );
  for (const flow of analysis.flows.filter(fromKubelet)) notProbed.push(kubeletCheck(model, flow, options));
  for (const flow of analysis.flows)
    if (flow.protocol === 'efa')
      notProbed.push(
        `${flow.title} (${flow.source.nodeGroup} → ${flow.destination.nodeGroup}): SRD runs between EFA interfaces, not over IP, so a TCP probe pod cannot test it; the static verdict (${flow.status}) is all there is`,
      );
    else if (flow.protocol !== 'tcp')
      notProbed.push(`${flow.title} (${flow.protocol}/${flow.port}): nc and dial test TCP only`);
  for (const requirement of analysis.requirements.filter((r) => r.from === 'control-plane')) {
    const flows = analysis.flows.filter((f) => f.requirement === requirement.id);
    if (flows.length === 0) continue;
    const statuses = [...new Set(flows.map((f) => f.status))].join(', ');
    notProbed.push(
      `${requirement.title} (tcp/${portText(requirement)}): the Kubernetes API server dials it from the EKS control plane, where no probe pod can run; checked statically only (${statuses})`,
    );
  }

  // Source classes, in the order the flows name them.
  const classes = new Map<string, { source: SourceClass; flows: FlowResult[] }>();
  for (const flow of tcpFlows) {
    const source = {
      nodeGroup: flow.source.nodeGroup,
      securityGroups: [...flow.source.securityGroups].sort(),
    };
    const key = classKey(source);
    const entry = classes.get(key) ?? { source, flows: [] };
    entry.flows.push(flow);
    classes.set(key, entry);
  }
  const requirements = analysis.requirements.filter(
    (r) => r.protocol === 'tcp' && r.from !== 'control-plane' && r.from !== 'kubelet',
  );
  const targetPods = new Map(requirements.map((r) => [r.id, podsOf(model, r)] as const));
  // Where no real server serves the port, a stand-in listener does; the reason is reported.
  const standIn = new Map<string, string>();
  for (const r of requirements) {
    const why = standInReason(analysis, r, targetPods.get(r.id)!);
    if (why === undefined) continue;
    if (r.ports.from < FIRST_UNPRIVILEGED_PORT) {
      notProbed.push(
        `${r.title} (tcp/${portText(r)}): ${why}, and a stand-in listener runs unprivileged, so it cannot bind a port below ${FIRST_UNPRIVILEGED_PORT}`,
      );
      targetPods.set(r.id, []);
      continue;
    }
    standIn.set(r.id, why);
  }

  // Probe nodes first: listeners avoid them, so a dial crosses the VPC wherever the class allows.
  const sources: Array<{ source: SourceClass; flows: FlowResult[]; nodeName: string }> = [];
  for (const { source, flows } of classes.values()) {
    const nodeName = representativeNode(model, source, flows);
    if (!nodeName) notProbed.push(`source ${describeSource(source)}: no node to run a probe on`);
    else sources.push({ source, flows, nodeName });
  }
  const probeNodes = new Set(sources.map((s) => s.nodeName));
  const usedNames = new Set<string>();
  const listeners = planListeners(model, tcpFlows, standIn, probeNodes, usedNames, notProbed);

  const probes: Probe[] = [];
  for (const { source, flows, nodeName } of sources) {
    const targets: ProbeTarget[] = [];
    const add = (t: Omit<ProbeTarget, 'id'>): void => {
      if (!targets.some((x) => x.host === t.host && x.port === t.port))
        targets.push({ id: `t${targets.length}`, ...t });
    };
    for (const requirement of requirements) {
      const mine = flows.filter((f) => f.requirement === requirement.id);
      if (mine.length === 0) continue;
      const because = standIn.get(requirement.id);
      if (because !== undefined) {
        for (const flow of mine) {
          const listener = listeners.byClass.get(destinationKey(flow));
          if (!listener) continue;
          for (const port of probePorts(requirement.ports))
            add({
              requirement: requirement.id,
              host: listener.name,
              port,
              via: 'listener',
              name: `${namespace}/${listener.name}`,
              expected: statusAtPort(flow, port),
              flowId: flow.id,
              listener: listener.name,
              standInBecause: because,
              ...(listener.nodeName === nodeName ? { sameNode: true } : {}),
            });
        }
        continue;
      }
      const port = requirement.ports.from;
      const statuses: Status[] = [];
      for (const pod of targetPods.get(requirement.id)!) {
        const flow = flowFor(model, mine, pod);
        const expected = flow?.status ?? 'unknown';
        statuses.push(expected);
        add({
          requirement: requirement.id,
          host: pod.ip!,
          port,
          via: 'pod',
          name: `${pod.namespace}/${pod.name}`,
          expected,
          ...(flow ? { flowId: flow.id } : {}),
        });
      }
      if (requirement.to.kind === 'service' && statuses.length > 0) {
        const { namespace: ns, service } = requirement.to;
        // kube-proxy picks one backend: the name is expected to work only if every backend does.
        const expected: Status = statuses.every((s) => s === statuses[0]) ? statuses[0]! : 'unknown';
        add({
          requirement: requirement.id,
          host: `${service}.${ns}.svc.cluster.local`,
          port,
          via: 'service',
          name: `${ns}/${service}`,
          expected,
        });
      }
    }
    if (targets.length === 0) continue;
    const name = uniqueName(`probe-${source.nodeGroup}`, usedNames);
    probes.push({
      name,
      source,
      nodeName,
      targets,
      pod: podManifest(name, namespace, pinning(model, nodeName), targets, options),
    });
  }
  // A listener no probe dials (its source class has no node) is not created.
  const dialled = new Set(probes.flatMap((p) => p.targets.flatMap((t) => (t.listener ? [t.listener] : []))));
  const uncounted = analysis.requirements.filter((r) => !counted(r, analysis.strict)).map((r) => r.id);
  return {
    runId: options.runId,
    ...(uncounted.length > 0 ? { uncounted } : {}),
    namespace,
    namespaceManifest: {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: namespace,
        labels: {
          ...probeLabels(options.runId),
          // The probes satisfy "restricted"; saying so makes admission check it.
          'pod-security.kubernetes.io/enforce': 'restricted',
        },
      },
    },
    probes,
    listeners: listeners.all
      .filter((l) => dialled.has(l.name))
      .map((l) => ({
        ...l,
        pod: listenerManifest(l, namespace, pinning(model, l.nodeName), options),
      })),
    dial: { timeoutSeconds: options.timeoutSeconds, mode: options.mode },
    notProbed,
  };
}

/**
 * A kubelet-probe flow, checked from where the kubelet dials: a node debug pod shares the node's
 * host network (kubectl debug node/…), so nc there connects from the node's primary ENI as the
 * kubelet does. One check per probed pod the flow names.
 */
function kubeletCheck(model: ClusterModel, flow: FlowResult, options: PlanOptions): string {
  const byLabel = new Map<string, PodModel>(model.pods.map((p) => [`${p.namespace}/${p.name}`, p]));
  const checks = flow.destination.members.flatMap((label) => {
    const pod = byLabel.get(label);
    if (!pod?.ip || !pod.nodeName) return [];
    return [
      `kubectl debug node/${pod.nodeName} -it --image=${options.image} -- nc -zv -w ${options.timeoutSeconds} ${pod.ip} ${flow.port} (${label})`,
    ];
  });
  return `${flow.title} (tcp/${flow.port}, ${flow.status}): the kubelet dials from its node's host network, which a probe pod (restricted, on the pod network) cannot stand in for; check it from the node${checks.length > 0 ? `: ${checks.join('; ')}` : ''}`;
}

const portText = (r: Requirement): string =>
  r.ports.from === r.ports.to ? `${r.ports.from}` : `${r.ports.from}-${r.ports.to}`;

/**
 * Why no real server can be dialled for a requirement, or undefined when one can: an OS-assigned
 * range (the port the pod will get is not known, whoever runs), nothing running yet, or running
 * Dynamo pods of another release than the one analysed (an upgrade what-if).
 */
function standInReason(
  analysis: AnalysisResult,
  requirement: Requirement,
  pods: readonly PodModel[],
): string | undefined {
  if (requirement.ports.from !== requirement.ports.to)
    return `the port is OS-assigned from ${portText(requirement)}, so no fixed port of a real server can be dialled`;
  if (pods.length === 0) return 'nothing serves it yet';
  if (requirement.to.kind === 'dynamo-role') {
    const analysed = familyOf(analysis.dynamo.version).id;
    const other = pods
      .map((p) => detectDynamoVersion([p])[0]?.value)
      .find((v) => v !== undefined && familyOf(v).id !== analysed);
    if (other !== undefined)
      return `the running ${requirement.to.role} pods are Dynamo ${other}, not the ${analysis.dynamo.version} analysed, and do not serve it`;
  }
  return undefined;
}

/** Ports a range is proved on: both ends and the middle (all of a range of three or fewer). */
export function probePorts(range: { readonly from: number; readonly to: number }): number[] {
  const middle = Math.floor((range.from + range.to) / 2);
  return [...new Set([range.from, middle, range.to])];
}

/**
 * The static verdict for one port of a flow's range: a step that denies only some ports
 * (`deniedPorts` of a request-direction step) blocks only those; any other blocking step blocks
 * every port; an undecided step leaves every port undecided.
 */
export function statusAtPort(flow: Pick<FlowResult, 'status' | 'steps' | 'ports'>, port: number): Status {
  if (flow.status === 'allowed' || flow.ports.from === flow.ports.to) return flow.status;
  let blocked = false;
  let unknown = false;
  for (const step of flow.steps) {
    if (step.status === 'unknown') unknown = true;
    if (step.status !== 'blocked') continue;
    if (!REQUEST_STEPS.has(step.kind) || !step.deniedPorts) blocked = true;
    else if (step.deniedPorts.some((r) => port >= r.from && port <= r.to)) blocked = true;
  }
  return blocked ? 'blocked' : unknown ? 'unknown' : 'allowed';
}

/** Steps whose ports are the request's (the return-path NACL steps check the client's reply ports). */
const REQUEST_STEPS: ReadonlySet<TraceStep['kind']> = new Set([
  'sg-egress',
  'sg-ingress',
  'nacl-source-outbound',
  'nacl-destination-inbound',
  'policy-egress',
  'policy-ingress',
]);

/** A destination class: node group × security groups × subnet (NACLs are per subnet). */
const destinationKey = (flow: FlowResult): string =>
  `${flow.destination.nodeGroup}|${[...flow.destination.securityGroups].sort().join(',')}|${flow.destination.subnetId ?? ''}`;

type ListenerDraft = Omit<StandInListener, 'pod'>;

/**
 * One stand-in listener per destination class of the stand-in requirements' flows, on a node of
 * the class where a new pod gets the class's security groups and subnet; a node no probe runs on
 * when the class has one.
 */
function planListeners(
  model: ClusterModel,
  flows: readonly FlowResult[],
  standIn: ReadonlyMap<string, string>,
  probeNodes: ReadonlySet<string>,
  usedNames: Set<string>,
  notProbed: string[],
): { all: ListenerDraft[]; byClass: Map<string, ListenerDraft> } {
  const drafts = new Map<string, { flow: FlowResult; ports: Set<number>; requirements: Set<string> }>();
  for (const flow of flows) {
    if (!standIn.has(flow.requirement)) continue;
    const key = destinationKey(flow);
    const draft = drafts.get(key) ?? { flow, ports: new Set(), requirements: new Set() };
    for (const port of probePorts(flow.ports)) draft.ports.add(port);
    draft.requirements.add(flow.requirement);
    drafts.set(key, draft);
  }
  const all: ListenerDraft[] = [];
  const byClass = new Map<string, ListenerDraft>();
  for (const [key, { flow, ports, requirements }] of drafts) {
    const destination = {
      nodeGroup: flow.destination.nodeGroup,
      securityGroups: [...flow.destination.securityGroups].sort(),
      ...(flow.destination.subnetId ? { subnetId: flow.destination.subnetId } : {}),
    };
    const found = listenerNode(model, flow, probeNodes);
    if ('why' in found) {
      notProbed.push(
        `${[...requirements].join(', ')} to ${describeSource(destination)}: no stand-in listener — ${found.why}`,
      );
      continue;
    }
    const draft: ListenerDraft = {
      name: uniqueName(`listen-${destination.nodeGroup}`, usedNames),
      destination,
      nodeName: found.nodeName,
      ports: [...ports].sort((a, b) => a - b),
      requirements: [...requirements],
    };
    all.push(draft);
    byClass.set(key, draft);
  }
  return { all, byClass };
}

/**
 * A ready, schedulable node of the flow's destination class on which a new pod would carry the
 * class's security groups and subnet (not so for a branch ENI of security groups for pods).
 */
function listenerNode(
  model: ClusterModel,
  flow: FlowResult,
  avoid: ReadonlySet<string>,
): { nodeName: string } | { why: string } {
  const end = flow.destination;
  const wanted = [...end.securityGroups].sort().join(',');
  const named = end.members.map((m) =>
    end.kind === 'nodes' ? m : model.pods.find((p) => `${p.namespace}/${p.name}` === m)?.nodeName,
  );
  const candidates = [
    ...new Set([
      ...named.filter((n): n is string => n !== undefined),
      ...[...model.nodes.values()].filter((n) => n.nodeGroup === end.nodeGroup).map((n) => n.name),
    ]),
  ];
  const fitting: string[] = [];
  let mismatch: string | undefined;
  for (const name of candidates) {
    const node = model.nodes.get(name);
    if (!node || !node.ready || node.unschedulable || node.nodeGroup !== end.nodeGroup) continue;
    const pod = predictedEndpoint(model, node);
    const sgs = [...pod.securityGroups].sort().join(',');
    if (sgs !== wanted || (end.subnetId !== undefined && pod.subnetId !== end.subnetId)) {
      mismatch ??= `a new pod on ${name} would carry [${sgs || 'no SGs'}] in ${pod.subnetId ?? 'an unknown subnet'}, not the destination's [${wanted || 'no SGs'}] in ${end.subnetId ?? 'its subnet'} (security groups for pods?)`;
      continue;
    }
    fitting.push(name);
  }
  const chosen = fitting.find((n) => !avoid.has(n)) ?? fitting[0];
  if (chosen) return { nodeName: chosen };
  return { why: mismatch ?? `no ready, schedulable node in ${end.nodeGroup}` };
}

export function describeSource(source: SourceClass): string {
  return `${source.nodeGroup} [${source.securityGroups.join(', ') || 'no SGs'}]`;
}

/** The pods that accept a requirement's traffic: the Service's endpoints, else its pod labels / Dynamo role. */
function podsOf(model: ClusterModel, requirement: Requirement): PodModel[] {
  const running = (p: PodModel): boolean =>
    p.ip !== undefined && p.phase !== 'Succeeded' && p.phase !== 'Failed';
  const to = requirement.to;
  if (to.kind === 'dynamo-role' && (to.role === 'prefill' || to.role === 'decode')) {
    const stage = to.role;
    return model.pods.filter((p) => running(p) && onStage(p, stage));
  }
  if (to.kind === 'dynamo-role') return model.pods.filter((p) => running(p) && dynamoRole(p) === to.role);
  if (to.kind === 'probed-pods') return [];
  const addresses = new Set(model.serviceEndpoints(to.namespace, to.service)?.addresses ?? []);
  if (addresses.size > 0) return model.pods.filter((p) => running(p) && addresses.has(p.ip!));
  const labels = Object.entries(to.podLabels);
  return model.pods.filter(
    (p) =>
      running(p) &&
      p.namespace === to.namespace &&
      labels.length > 0 &&
      labels.every(([k, v]) => p.labels[k] === v),
  );
}

/** The flow of this source class whose destination class holds the pod. */
function flowFor(model: ClusterModel, flows: readonly FlowResult[], pod: PodModel): FlowResult | undefined {
  const label = `${pod.namespace}/${pod.name}`;
  const named = flows.find((f) => f.destination.kind === 'pods' && f.destination.members.includes(label));
  if (named) return named;
  const end = podEndpoint(model, pod);
  const sgs = [...end.securityGroups].sort().join(',');
  return flows.find(
    (f) =>
      f.destination.kind === 'pods' &&
      f.destination.nodeGroup === end.nodeGroup &&
      [...f.destination.securityGroups].sort().join(',') === sgs,
  );
}

/** A ready, schedulable node of the class: a member the flows name first, else any node of the group. */
function representativeNode(
  model: ClusterModel,
  source: SourceClass,
  flows: readonly FlowResult[],
): string | undefined {
  const usable = (name: string | undefined): string | undefined => {
    const node = name === undefined ? undefined : model.nodes.get(name);
    return node && node.ready && !node.unschedulable && node.nodeGroup === source.nodeGroup
      ? node.name
      : undefined;
  };
  for (const flow of flows) {
    for (const member of flow.source.members) {
      const nodeName =
        flow.source.kind === 'nodes'
          ? member
          : model.pods.find((p) => `${p.namespace}/${p.name}` === member)?.nodeName;
      const found = usable(nodeName);
      if (found) return found;
    }
  }
  for (const node of model.nodes.values()) if (usable(node.name)) return node.name;
  return undefined;
}

/**
 * Through the scheduler (nodeSelector on the hostname label) when the node has one, so a probe
 * that cannot land is reported with the scheduler's reason; nodeName bypasses the scheduler.
 */
function pinning(model: ClusterModel, nodeName: string): Record<string, unknown> {
  const hostname = model.nodes.get(nodeName)?.labels['kubernetes.io/hostname'];
  return hostname ? { nodeSelector: { 'kubernetes.io/hostname': hostname } } : { nodeName };
}

function uniqueName(base: string, used: Set<string>): string {
  const clean = base
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+$/, '')
    .slice(0, 50);
  let name = clean;
  for (let i = 2; used.has(name); i++) name = `${clean}-${i}`;
  used.add(name);
  return name;
}

/** Enough for the slowest target plus pod start; the kubelet kills the probe after this. */
function deadlineSeconds(options: PlanOptions): number {
  return options.timeoutSeconds * 3 + 60;
}

/** What every pod of a run runs as: Pod Security "restricted". */
const RESTRICTED_POD = {
  runAsNonRoot: true,
  runAsUser: 65534,
  seccompProfile: { type: 'RuntimeDefault' },
} as const;
const RESTRICTED_CONTAINER = {
  runAsNonRoot: true,
  runAsUser: 65534,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
} as const;

function probeCommand(
  targets: readonly ProbeTarget[],
  dial: { readonly timeoutSeconds: number; readonly mode: ProbeMode },
): string[] {
  // A listener's target is dialled once its address is bound.
  const dialled = targets.filter((t) => t.via !== 'listener' || t.host !== t.listener);
  switch (dial.mode) {
    case 'dial':
      return ['dynamo-netcheck', ...l7Arguments(dialled, dial.timeoutSeconds)];
    case 'l7':
      return ['sh', '-c', l7Script(dialled, dial.timeoutSeconds)];
    case 'nc':
      return ['sh', '-c', ncScript(dialled, dial.timeoutSeconds)];
  }
}

function podManifest(
  name: string,
  namespace: string,
  pinned: Record<string, unknown>,
  targets: readonly ProbeTarget[],
  options: PlanOptions,
): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { ...probeLabels(options.runId), [ROLE_LABEL]: 'probe' } },
    spec: {
      ...pinned,
      restartPolicy: 'Never',
      activeDeadlineSeconds: deadlineSeconds(options),
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 0,
      // GPU groups are tainted; the probe must land wherever the class's pods do.
      tolerations: [{ operator: 'Exists' }],
      securityContext: RESTRICTED_POD,
      containers: [
        {
          name: 'probe',
          image: options.image,
          command: probeCommand(targets, options),
          securityContext: RESTRICTED_CONTAINER,
          resources: {
            requests: { cpu: '10m', memory: '16Mi' },
            // Node compiling the tool's TypeScript at start needs more than busybox does.
            limits:
              options.mode === 'dial' ? { cpu: '500m', memory: '256Mi' } : { cpu: '100m', memory: '32Mi' },
          },
        },
      ],
    },
  };
}

/**
 * The command of one listening container: busybox nc, persistent (`-ll`, which the small and the
 * full busybox nc both take; `-e` makes each connection a child that exits at once, so the
 * listener keeps accepting).
 */
export function listenerCommand(port: number): string[] {
  return ['nc', '-ll', '-p', String(port), '-e', 'true'];
}

/**
 * The stand-in listener: one container per port, each Ready once the kubelet's TCP check connects,
 * with the probes' restricted security context and tolerations, pinned the same way.
 */
function listenerManifest(
  listener: ListenerDraft,
  namespace: string,
  pinned: Record<string, unknown>,
  options: PlanOptions,
): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: listener.name,
      namespace,
      labels: { ...probeLabels(options.runId), [ROLE_LABEL]: 'listener' },
    },
    spec: {
      ...pinned,
      restartPolicy: 'Never',
      activeDeadlineSeconds: LISTENER_DEADLINE_SECONDS,
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 0,
      tolerations: [{ operator: 'Exists' }],
      securityContext: RESTRICTED_POD,
      containers: listener.ports.map((port) => ({
        name: `port-${port}`,
        image: options.listenerImage ?? DEFAULT_IMAGE,
        command: listenerCommand(port),
        ports: [{ containerPort: port, protocol: 'TCP' }],
        readinessProbe: { tcpSocket: { port }, periodSeconds: 2, failureThreshold: 1 },
        securityContext: RESTRICTED_CONTAINER,
        resources: { requests: { cpu: '5m', memory: '8Mi' }, limits: { cpu: '50m', memory: '16Mi' } },
      })),
    },
  };
}

/**
 * The probes with the listeners' addresses in place, pure: a listener target gets the address the
 * listener pod runs on; one whose listener has no address (never Ready) is left out of the script.
 * An address that is not an IP is refused: it comes from the API and would reach a shell.
 */
export function bindListeners(plan: ProbePlan, addresses: ReadonlyMap<string, string>): Probe[] {
  for (const [name, address] of addresses)
    if (!parseAddress(address) || address.includes('/'))
      throw new Error(`listener ${name}: ${JSON.stringify(address)} is not an IP address`);
  return plan.probes.map((probe) => {
    const targets = probe.targets.map((t) => {
      const address = t.listener === undefined ? undefined : addresses.get(t.listener);
      return address === undefined ? t : { ...t, host: address };
    });
    const spec = probe.pod.spec as { containers: Array<Record<string, unknown>> };
    return {
      ...probe,
      targets,
      pod: {
        ...probe.pod,
        spec: {
          ...spec,
          containers: spec.containers.map((c, i) =>
            i === 0 ? { ...c, command: probeCommand(targets, plan.dial) } : c,
          ),
        },
      },
    };
  });
}

/** The targets a bound probe dials (a listener's target only once its address is known). */
export function dialledTargets(probe: Probe): ProbeTarget[] {
  return probe.targets.filter((t) => t.via !== 'listener' || t.host !== t.listener);
}

/** Marks the lines the parser reads, so image banners or shell noise cannot be mistaken for results. */
export const RESULT_PREFIX = 'DNC-RESULT';

/**
 * One `nc -zvv -w <timeout>` per target, all in the background so a probe takes about one timeout;
 * each prints `DNC-RESULT <id> ok|fail <nc's own words>` on one line. Two -v: busybox nc reports
 * "Connection refused" only from the second -v on, and refused vs timed out is the verdict.
 */
export function ncScript(targets: readonly ProbeTarget[], timeoutSeconds: number): string {
  const lines = [
    `t() { out=$(nc -zvv -w ${timeoutSeconds} "$2" "$3" 2>&1); if [ $? -eq 0 ]; then r=ok; else r=fail; fi; echo "${RESULT_PREFIX} $1 $r $(echo "$out" | tr '\\n' ' ')"; }`,
    ...targets.map((t) => `t ${t.id} ${shellWord(t.host)} ${t.port} &`),
    'wait',
  ];
  return `${lines.join('\n')}\n`;
}

function shellWord(text: string): string {
  if (!/^[A-Za-z0-9.:_-]+$/.test(text)) throw new Error(`unsafe host name for a probe: ${text}`);
  return text;
}

/**
 * The URL `dial` gets for a target: NATS, Prometheus and etcd by their ports, TCP otherwise — and
 * always TCP for a stand-in listener, which speaks no protocol.
 */
export function dialUrl(target: Pick<ProbeTarget, 'host' | 'port'> & { via?: ProbeTarget['via'] }): string {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  if (target.via === 'listener') return `tcp://${host}:${target.port}`;
  if (target.port === 4222) return `nats://${host}:4222`;
  if (target.port === 9090 || target.port === 2379) return `http://${host}:${target.port}`;
  return `tcp://${host}:${target.port}`;
}

export function l7Arguments(targets: readonly ProbeTarget[], timeoutSeconds: number): string[] {
  const urls = targets.map((t) => dialUrl(t));
  const jetstream = urls.some((u) => u.startsWith('nats://')) ? ['--jetstream'] : [];
  return ['dial', ...urls, ...jetstream, '--timeout', `${timeoutSeconds}s`, '-o', 'json'];
}
