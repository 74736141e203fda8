/**
 * Where the AICR conformance orchestrator can land: the sources of the 9090 flow. Its preference
 * for the Prometheus node is best effort, so every feasible node counts, not only the preferred.
 */
import type { ClusterModel, NodeModel } from '../model/types.ts';
import { schedulingCluster } from './cluster.ts';
import { ORCHESTRATOR_PROFILE, profileSpec } from './profiles.ts';
import { schedule } from './scheduler.ts';
import type { PlacementDecision } from './types.ts';

export interface Reach {
  readonly nodes: NodeModel[];
  readonly decision: PlacementDecision;
  /** Why there is no node, when there is none. */
  readonly none?: string;
}

export function orchestratorReach(model: ClusterModel): Reach {
  // Input issues (a malformed affinity on some pod) are reported by `placement`; here the pods
  // they concern simply impose no inter-pod rules.
  const { cluster } = schedulingCluster(model);
  // Only where it can run matters here, not where it would rather: skip scoring.
  const decision = schedule(cluster, profileSpec(ORCHESTRATOR_PROFILE), { score: false });
  const feasible = new Set([...decision.preferred, ...decision.fallback]);
  const nodes = [...model.nodes.values()].filter((n) => feasible.has(n.name));
  if (nodes.length > 0) return { nodes, decision };
  return {
    nodes,
    decision,
    none:
      model.nodes.size === 0
        ? 'no nodes in the snapshot'
        : `the conformance orchestrator fits on no node: ${decision.unschedulable}`,
  };
}
