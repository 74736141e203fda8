/** For a pod that taints keep off nodes: which tolerations would let it land, and where it then fits. */
import { toleratedBy } from './match.ts';
import { schedule } from './scheduler.ts';
import type { PlacementDecision, SchedulingCluster, SchedulingSpec, Taint, Toleration } from './types.ts';

export interface TolerationAdvice {
  /** The taints to tolerate, one toleration each (`operator: Exists` on the key and effect). */
  readonly tolerations: Toleration[];
  /** Placement with those tolerations added. */
  readonly decision: PlacementDecision;
}

/**
 * Tolerations for the dedicated taints (e.g. `nvidia.com/gpu`) of the nodes that reject the pod for
 * its taints alone. Condition taints (`node.kubernetes.io/*`: not-ready, unreachable, cordon) are
 * never suggested: tolerating them hides a broken node. Undefined when taints are not what blocks it.
 */
export function tolerationsToFit(
  cluster: SchedulingCluster,
  pod: SchedulingSpec,
): TolerationAdvice | undefined {
  const current = schedule(cluster, pod);
  const onlyTainted = new Set(
    current.nodes
      .filter((n) => n.failures.length > 0 && n.failures.every((f) => f.filter === 'TaintToleration'))
      .map((n) => n.node),
  );
  const needed = new Map<string, Taint>();
  for (const node of cluster.nodes) {
    if (!onlyTainted.has(node.name)) continue;
    for (const taint of node.taints) {
      const hard = taint.effect === 'NoSchedule' || taint.effect === 'NoExecute';
      if (hard && !taint.key.startsWith('node.kubernetes.io/') && !toleratedBy(pod.tolerations, taint))
        needed.set(`${taint.key}:${taint.effect}`, taint);
    }
  }
  if (needed.size === 0) return undefined;
  const tolerations: Toleration[] = [...needed.values()].map((t) => ({
    key: t.key,
    operator: 'Exists',
    effect: t.effect,
  }));
  return {
    tolerations,
    decision: schedule(cluster, { ...pod, tolerations: [...pod.tolerations, ...tolerations] }),
  };
}
