/**
 * Where the frontend and workers a DynamoGraphDeployment declares can run, through the scheduler:
 * the evidence that beats AICR's default placement before (or besides) the pods that exist.
 */
import type { DeclaredComponent } from '../model/dynamo-graph.ts';
import type { ClusterModel, NodeModel } from '../model/types.ts';
import { schedulingCluster } from '../placement/cluster.ts';
import { schedule } from '../placement/scheduler.ts';
import { schedulingSpec } from '../placement/spec.ts';

export interface DeclaredPlacement {
  /** Nodes any declared component of the role can land on (empty: none fits). */
  readonly nodes: NodeModel[];
  /** Which graph and service decided it, and where they fit, for the report. */
  readonly basis: string;
}

const groupsOf = (nodes: readonly NodeModel[]): string =>
  [...new Set(nodes.map((n) => n.nodeGroup))].sort().join(', ');

/**
 * `undefined` when no graph declares the role. `gpuNodes` bounds a component that asks for GPUs:
 * the analysis has no allocatable figures, so the scheduler alone would not keep it off CPU nodes.
 */
export function declaredPlacement(
  model: ClusterModel,
  role: DeclaredComponent['role'],
  gpuNodes: readonly NodeModel[],
  /** Only the workers of one side of disaggregated serving (decode: every worker not prefill). */
  stage?: 'prefill' | 'decode',
): DeclaredPlacement | undefined {
  const components = model.dynamoComponents.filter(
    (c) =>
      c.role === role &&
      c.replicas > 0 &&
      (stage === undefined || (stage === 'prefill') === (c.stage?.value === 'prefill')),
  );
  if (components.length === 0) return undefined;
  const { cluster } = schedulingCluster(model);
  const gpuNames = new Set(gpuNodes.map((n) => n.name));
  const fits = new Set<string>();
  const parts: string[] = [];
  for (const c of components) {
    const what = `DynamoGraphDeployment ${c.graph} service ${c.service}`;
    const parsed = schedulingSpec(
      { namespace: c.namespace, name: `${c.graph.split('/')[1]}-${c.service.toLowerCase()}`, labels: {} },
      c.podSpec,
      `${c.origin.path}.extraPodSpec`,
      c.origin,
    );
    if (!parsed.ok) {
      const issue = parsed.issues[0]!;
      parts.push(`${what}: placement not read (${issue.path}: ${issue.message})`);
      continue;
    }
    const decision = schedule(cluster, parsed.spec, { score: false });
    const feasible = new Set([...decision.preferred, ...decision.fallback]);
    const nodes = [...model.nodes.values()].filter(
      (n) => feasible.has(n.name) && (c.gpus === 0 || gpuNames.has(n.name)),
    );
    if (nodes.length === 0) {
      // Why the GPU nodes (or every node) refuse it, in kube-scheduler's words.
      const refusals = [
        ...new Set(
          decision.nodes
            .filter((p) => p.role === 'infeasible' && (c.gpus === 0 || gpuNames.has(p.node)))
            .flatMap((p) => p.failures.map((f) => f.reason)),
        ),
      ];
      parts.push(
        `${what} fits on no ${c.gpus > 0 ? 'GPU ' : ''}node${refusals.length ? ` (${refusals.join('; ')})` : ''}`,
      );
      continue;
    }
    for (const n of nodes) fits.add(n.name);
    parts.push(`${what} can land on ${groupsOf(nodes)}`);
  }
  return {
    nodes: [...model.nodes.values()].filter((n) => fits.has(n.name)),
    basis: parts.join('; '),
  };
}
