/**
 * The cluster as kube-scheduler sees it: nodes (labels, taints, cordon, allocatable) and the pods
 * bound to them (requests, inter-pod affinity), built from the model plus — when a snapshot is at
 * hand — the node status the model does not keep.
 */
import type { ClusterModel } from '../model/types.ts';
import { joinPath } from '../snapshot/parse.ts';
import type { InputIssue, Snapshot } from '../snapshot/types.ts';
import { resourceAmount } from './quantity.ts';
import { boundPodAffinity, podRequests } from './spec.ts';
import type { BoundPod, Resources, SchedulingCluster, SchedulingNode, Taint } from './types.ts';

/** What the snapshot says about a node beyond the model: its allocatable and Ready condition. */
export interface NodeStatus {
  readonly allocatable?: Readonly<Record<string, string>>;
  /** `status` of the Ready condition; undefined when the node reports none. */
  readonly ready?: string;
}

export interface ClusterFacts {
  readonly nodeStatus: ReadonlyMap<string, NodeStatus>;
  readonly namespaceLabels: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly podsCaptured: boolean;
}

/** The facts a snapshot adds to the model for scheduling. */
export function clusterFacts(snapshot: Snapshot): ClusterFacts {
  return {
    nodeStatus: new Map(
      snapshot.nodes.map(({ value }) => {
        const ready = value.status?.conditions?.find((c) => c.type === 'Ready')?.status;
        const allocatable = value.status?.allocatable;
        return [
          value.metadata.name,
          { ...(allocatable ? { allocatable } : {}), ...(ready ? { ready } : {}) },
        ];
      }),
    ),
    namespaceLabels: new Map(
      snapshot.namespaces.map(({ value }) => [value.metadata.name, value.metadata.labels ?? {}]),
    ),
    podsCaptured: snapshot.captured.has('Pod'),
  };
}

const NONE: Resources = Object.freeze({});
const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

/**
 * The node lifecycle controller taints a node that is not Ready; a snapshot taken before it did
 * (or written by hand) may lack the taint, so it is implied from the condition.
 */
function readinessTaints(taints: readonly Taint[], ready: string | undefined): Taint[] {
  if (ready === undefined || ready === 'True') return [];
  const key = ready === 'Unknown' ? UNREACHABLE : NOT_READY;
  // The controller always adds the NoSchedule one (the NoExecute one only drives eviction).
  if (taints.some((t) => t.key === key && t.effect === 'NoSchedule')) return [];
  return [{ key, effect: 'NoSchedule', impliedBy: `Ready=${ready}` }];
}

function allocatableOf(
  raw: Readonly<Record<string, string>>,
  path: string,
  file: string,
  issues: InputIssue[],
): Resources {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(raw)) {
    const amount = resourceAmount(name, value);
    if (amount === undefined)
      issues.push({
        file,
        path: joinPath(path, [name]),
        message: `not a Kubernetes quantity: ${JSON.stringify(value)}`,
      });
    else out[name] = amount;
  }
  return out;
}

/**
 * Builds the scheduler's view. Without `facts` (the analysis path, which has only the model)
 * allocatable is unknown and resource fit is not checked.
 */
export function schedulingCluster(
  model: ClusterModel,
  facts?: ClusterFacts,
): { cluster: SchedulingCluster; issues: InputIssue[] } {
  const issues: InputIssue[] = [];
  const nodes: SchedulingNode[] = [];
  for (const node of model.nodes.values()) {
    const status = facts?.nodeStatus.get(node.name);
    const ready = facts ? status?.ready : node.ready ? 'True' : 'False';
    const taints: Taint[] = node.taints.map((t) => ({
      key: t.key,
      ...(t.value !== undefined ? { value: t.value } : {}),
      effect: t.effect,
    }));
    taints.push(...readinessTaints(taints, ready));
    nodes.push({
      name: node.name,
      nodeGroup: node.nodeGroup,
      labels: node.labels,
      taints,
      unschedulable: node.unschedulable,
      ...(status?.allocatable
        ? {
            allocatable: allocatableOf(
              status.allocatable,
              joinPath(node.origin.path, ['status', 'allocatable']),
              node.origin.file,
              issues,
            ),
          }
        : {}),
      fargate: node.labels['eks.amazonaws.com/compute-type'] === 'fargate',
      origin: node.origin,
    });
  }

  // Requests matter only where allocatable is known; skipping them keeps analysis of a 10k-node
  // cluster (model only, no allocatable) from parsing every pod's resources.
  const countRequests = nodes.some((n) => n.allocatable !== undefined);
  const pods: BoundPod[] = [];
  for (const pod of model.pods) {
    // Terminated pods hold no resources and no longer constrain affinity.
    if (!pod.nodeName || pod.phase === 'Succeeded' || pod.phase === 'Failed') continue;
    const { podAffinity, podAntiAffinity } = boundPodAffinity(pod.raw.spec, pod.origin, issues);
    pods.push({
      namespace: pod.namespace,
      name: pod.name,
      nodeName: pod.nodeName,
      labels: pod.labels,
      requests: countRequests
        ? podRequests(pod.raw.spec, joinPath(pod.origin.path, ['spec']), pod.origin, issues)
        : NONE,
      podAffinity,
      podAntiAffinity,
    });
  }

  const caveats: string[] = [];
  const unknownAllocatable = nodes.filter((n) => !n.allocatable).length;
  if (unknownAllocatable > 0) {
    caveats.push(
      facts
        ? `resource fit not checked on ${unknownAllocatable} of ${nodes.length} node(s): no status.allocatable in the snapshot`
        : 'resource fit not checked: node allocatable is not part of the cluster model',
    );
  }
  if (facts && !facts.podsCaptured)
    caveats.push(
      'no pods in the snapshot: requests already placed on nodes and inter-pod affinity are not counted',
    );
  return {
    cluster: { nodes, pods, namespaceLabels: facts?.namespaceLabels ?? new Map(), caveats },
    issues,
  };
}
