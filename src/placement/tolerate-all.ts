/**
 * Where a pod that tolerates every taint can land: the conformance orchestrator's reach.
 * `tolerations: [{operator: Exists}]` tolerates NoSchedule/NoExecute taints, including the
 * cordon (`node.kubernetes.io/unschedulable`) and not-ready taints, so only nodes that cannot run
 * ordinary pods at all are excluded.
 */
import type { ClusterModel, NodeModel } from '../model/types.ts';

export interface Reach {
  readonly nodes: NodeModel[];
  readonly excluded: { node: string; why: string }[];
}

export function tolerateAllReach(model: ClusterModel): Reach {
  const nodes: NodeModel[] = [];
  const excluded: { node: string; why: string }[] = [];
  for (const node of model.nodes.values()) {
    if (node.labels['eks.amazonaws.com/compute-type'] === 'fargate') {
      excluded.push({ node: node.name, why: 'Fargate node: runs only its own pod' });
      continue;
    }
    nodes.push(node);
  }
  return { nodes, excluded };
}
