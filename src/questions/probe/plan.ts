/**
 * Probe planning, pure: one probe pod per source class (node group × security groups) of the
 * static analysis, pinned to a representative node, dialing every target pod IP and Service name
 * of each TCP requirement. Each target carries the static status for that source class, so the
 * live result can be set next to it (cilium's WithExpectations idea).
 */
import type { FlowResult } from '../../analyze/types.ts';
import type { AnalysisResult } from '../analyze.ts';
import { podEndpoint } from '../../model/endpoints.ts';
import type { ClusterModel, PodModel } from '../../model/types.ts';
import type { Status } from '../../reachability/types.ts';
import type { Requirement } from '../../requirements/resolve.ts';
import { dynamoRole } from '../../requirements/detect.ts';

export const MANAGED_BY = 'dynamo-netcheck';
export const RUN_LABEL = 'dynamo-netcheck/run';
export const DEFAULT_IMAGE = 'busybox:1.36';

export interface SourceClass {
  readonly nodeGroup: string;
  readonly securityGroups: readonly string[];
}

export interface ProbeTarget {
  /** Stable within a probe: `t<index>`, the key results are reported under. */
  readonly id: string;
  readonly requirement: string;
  readonly host: string;
  readonly port: number;
  /** `pod` = a pod IP (one backend); `service` = the Service DNS name (kube-proxy picks one). */
  readonly via: 'pod' | 'service';
  /** The pod (`ns/name`) or Service (`ns/name`) behind the host. */
  readonly name: string;
  /** The static verdict for this source class → this target, and the flow that decided it. */
  readonly expected: Status;
  readonly flowId?: string;
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
  readonly probes: Probe[];
  /** What could not be probed, and why (UDP, no pods yet, no node). */
  readonly notProbed: string[];
}

export interface PlanOptions {
  readonly runId: string;
  /** Per-target dial timeout, whole seconds (nc -w takes seconds). */
  readonly timeoutSeconds: number;
  /** 'nc' = a shell script of `nc -zvv` lines; 'l7' = this tool's `dial … -o json`. */
  readonly mode: 'nc' | 'l7';
  readonly image: string;
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
  const tcpFlows = analysis.flows.filter((f) => f.protocol === 'tcp');
  for (const flow of analysis.flows)
    if (flow.protocol !== 'tcp')
      notProbed.push(`${flow.title} (${flow.protocol}/${flow.port}): nc and dial test TCP only`);

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
  const requirements = analysis.requirements.filter((r) => {
    if (r.protocol !== 'tcp') return false;
    if (r.ports.from === r.ports.to) return true;
    // An OS-assigned port (no env var pins it) gives no single port to dial.
    notProbed.push(`${r.title} (tcp/${r.ports.from}-${r.ports.to}): no single port to dial`);
    return false;
  });
  const targetPods = new Map(requirements.map((r) => [r.id, podsOf(model, r)] as const));
  for (const r of requirements)
    if (targetPods.get(r.id)!.length === 0) notProbed.push(`${r.title}: no running pod to dial yet`);

  const probes: Probe[] = [];
  const usedNames = new Set<string>();
  for (const { source, flows } of classes.values()) {
    const nodeName = representativeNode(model, source, flows);
    if (!nodeName) {
      notProbed.push(`source ${describeSource(source)}: no node to run a probe on`);
      continue;
    }
    const targets: ProbeTarget[] = [];
    const add = (t: Omit<ProbeTarget, 'id'>): void => {
      if (!targets.some((x) => x.host === t.host && x.port === t.port))
        targets.push({ id: `t${targets.length}`, ...t });
    };
    for (const requirement of requirements) {
      const mine = flows.filter((f) => f.requirement === requirement.id);
      if (mine.length === 0) continue;
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
      if (requirement.to.kind === 'service') {
        const { namespace: ns, service } = requirement.to;
        // kube-proxy picks one backend: the name is expected to work only if every backend does.
        const expected: Status =
          statuses.length > 0 && statuses.every((s) => s === statuses[0]) ? statuses[0]! : 'unknown';
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
  return {
    runId: options.runId,
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
    notProbed,
  };
}

export function describeSource(source: SourceClass): string {
  return `${source.nodeGroup} [${source.securityGroups.join(', ') || 'no SGs'}]`;
}

/** The pods that accept a requirement's traffic: the Service's endpoints, else its pod labels / Dynamo role. */
function podsOf(model: ClusterModel, requirement: Requirement): PodModel[] {
  const running = (p: PodModel): boolean =>
    p.ip !== undefined && p.phase !== 'Succeeded' && p.phase !== 'Failed';
  const to = requirement.to;
  if (to.kind === 'dynamo-role') return model.pods.filter((p) => running(p) && dynamoRole(p) === to.role);
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

function podManifest(
  name: string,
  namespace: string,
  pinned: Record<string, unknown>,
  targets: readonly ProbeTarget[],
  options: PlanOptions,
): Record<string, unknown> {
  const command =
    options.mode === 'l7'
      ? ['dynamo-netcheck', ...l7Arguments(targets, options.timeoutSeconds)]
      : ['sh', '-c', ncScript(targets, options.timeoutSeconds)];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: probeLabels(options.runId) },
    spec: {
      ...pinned,
      restartPolicy: 'Never',
      activeDeadlineSeconds: deadlineSeconds(options),
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 0,
      // GPU groups are tainted; the probe must land wherever the class's pods do.
      tolerations: [{ operator: 'Exists' }],
      securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'probe',
          image: options.image,
          command,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65534,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          },
          resources: {
            requests: { cpu: '10m', memory: '16Mi' },
            // Node compiling the tool's TypeScript at start needs more than nc does.
            limits:
              options.mode === 'l7' ? { cpu: '500m', memory: '256Mi' } : { cpu: '100m', memory: '32Mi' },
          },
        },
      ],
    },
  };
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

/** The URL `dial` gets for a target: NATS, Prometheus and etcd by their ports, TCP otherwise. */
export function dialUrl(target: Pick<ProbeTarget, 'host' | 'port'>): string {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  if (target.port === 4222) return `nats://${host}:4222`;
  if (target.port === 9090 || target.port === 2379) return `http://${host}:${target.port}`;
  return `tcp://${host}:${target.port}`;
}

export function l7Arguments(targets: readonly ProbeTarget[], timeoutSeconds: number): string[] {
  const urls = targets.map(dialUrl);
  const jetstream = urls.some((u) => u.startsWith('nats://')) ? ['--jetstream'] : [];
  return ['dial', ...urls, ...jetstream, '--timeout', `${timeoutSeconds}s`, '-o', 'json'];
}
