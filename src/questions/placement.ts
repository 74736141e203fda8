/**
 * The `placement` answer: which nodes a pod can land on, which it prefers, and what that means for
 * the network — the source classes (node group × pod SGs) it may dial from and, for the conformance
 * orchestrator, the static verdict of its 9090 flow from each.
 */
import type { AnalysisResult } from './analyze.ts';
import type { ClusterModel } from '../model/types.ts';
import type { Status } from '../reachability/types.ts';
import { TOOL_VERSION } from '../base/version.ts';
import {
  classKey,
  classOfNode,
  fixesFor,
  flowsFromClass,
  worstStatus,
  type SourceClass,
} from './source-classes.ts';
import { formatAmount } from '../placement/quantity.ts';
import type { NodePlacement, PlacementDecision, SchedulingSpec } from '../placement/types.ts';

export interface PlacedNode extends NodePlacement {
  readonly securityGroups: string[];
  readonly subnetId?: string;
}

export interface ClassFlow {
  readonly flow: string;
  readonly status: Status;
  readonly destination: string;
  readonly reason: string;
  readonly coLocationMasks?: string;
}

export interface PlacementClass extends SourceClass {
  readonly nodes: string[];
  readonly preferred: string[];
  /** Static verdict of the Prometheus flow from this class (orchestrator profile only). */
  readonly prometheus?: {
    readonly status?: Status;
    readonly flows: ClassFlow[];
    readonly fixes: { id: string; command: string }[];
  };
}

export interface PlacementReport {
  readonly tool: { readonly name: 'dynamo-netcheck'; readonly version: string };
  readonly cluster: { readonly name?: string; readonly vpcId?: string };
  readonly pod: {
    readonly source: string;
    readonly namespace: string;
    readonly name: string;
    readonly requests: Record<string, string>;
  };
  readonly verdict: 'schedulable' | 'unschedulable';
  readonly unschedulable?: string;
  readonly preferred: string[];
  readonly fallback: string[];
  readonly nodes: PlacedNode[];
  readonly sourceClasses: PlacementClass[];
  /**
   * Distinct SG sets of the nodes the orchestrator can land on, now or once resources free up:
   * every one must reach Prometheus on tcp/9090. `laterOnly`: its nodes are full right now.
   */
  readonly mustReachPrometheus?: {
    securityGroups: string[];
    nodeGroups: string[];
    status?: Status;
    laterOnly?: true;
  }[];
  readonly securityGroupNames: Record<string, string>;
  readonly caveats: string[];
}

export interface ReportOptions {
  /** What the pod spec came from: a profile name or a file. */
  readonly source: string;
  /** The analysis of the same snapshot; given for the orchestrator, whose 9090 flows it links. */
  readonly analysis?: AnalysisResult;
  /**
   * The same pod scheduled without resource fit (what `analyze` uses): a node full now can host
   * the next run, so its security groups must reach Prometheus too.
   */
  readonly ignoringResources?: PlacementDecision;
}

export function placementReport(
  model: ClusterModel,
  pod: SchedulingSpec,
  decision: PlacementDecision,
  options: ReportOptions,
): PlacementReport {
  const classes = new Map<string, { sourceClass: SourceClass; nodes: string[]; preferred: string[] }>();
  const nodes: PlacedNode[] = decision.nodes.map((placement) => {
    const sourceClass = classOfNode(model, placement.node)!;
    if (placement.role !== 'infeasible') {
      const key = classKey(sourceClass);
      const entry = classes.get(key) ?? { sourceClass, nodes: [], preferred: [] };
      entry.nodes.push(placement.node);
      if (placement.role === 'preferred') entry.preferred.push(placement.node);
      classes.set(key, entry);
    }
    return {
      ...placement,
      securityGroups: sourceClass.securityGroups,
      ...(sourceClass.subnetId ? { subnetId: sourceClass.subnetId } : {}),
    };
  });

  const analysis = options.analysis;
  const sourceClasses: PlacementClass[] = [...classes.values()].map(
    ({ sourceClass, nodes: members, preferred }) => {
      if (!analysis) return { ...sourceClass, nodes: members, preferred };
      const flows = flowsFromClass(analysis, 'prometheus', sourceClass);
      const status = worstStatus(flows);
      return {
        ...sourceClass,
        nodes: members,
        preferred,
        prometheus: {
          ...(status ? { status } : {}),
          flows: flows.map((f) => ({
            flow: f.id,
            status: f.status,
            destination: f.destination.members.join(', '),
            reason: f.reason,
            ...(f.coLocationMasks ? { coLocationMasks: f.coLocationMasks } : {}),
          })),
          fixes: fixesFor(analysis, flows),
        },
      };
    },
  );

  const bySgSet = new Map<
    string,
    { securityGroups: string[]; nodeGroups: Set<string>; statuses: (Status | undefined)[]; now: boolean }
  >();
  const feasibleNow = new Set(decision.nodes.filter((n) => n.role !== 'infeasible').map((n) => n.node));
  const reachClasses = new Map<string, { sourceClass: SourceClass; now: boolean }>();
  // Feasible now or once resources free up: the union, so neither schedule can drop a node.
  for (const placement of [...decision.nodes, ...(options.ignoringResources?.nodes ?? [])]) {
    if (placement.role === 'infeasible') continue;
    const sourceClass = classOfNode(model, placement.node)!;
    const key = classKey(sourceClass);
    const now = feasibleNow.has(placement.node);
    reachClasses.set(key, { sourceClass, now: now || (reachClasses.get(key)?.now ?? false) });
  }
  for (const { sourceClass: c, now } of reachClasses.values()) {
    const key = c.securityGroups.join(',');
    const entry = bySgSet.get(key) ?? {
      securityGroups: c.securityGroups,
      nodeGroups: new Set(),
      statuses: [],
      now: false,
    };
    entry.nodeGroups.add(c.nodeGroup);
    entry.statuses.push(analysis ? worstStatus(flowsFromClass(analysis, 'prometheus', c)) : undefined);
    entry.now ||= now;
    bySgSet.set(key, entry);
  }
  const rank = (s: Status | undefined): number =>
    s === 'blocked' ? 0 : s === 'unknown' || s === undefined ? 1 : 2;

  const mentioned = new Set(nodes.flatMap((n) => n.securityGroups));
  return {
    tool: { name: 'dynamo-netcheck', version: TOOL_VERSION },
    cluster: {
      ...(model.clusterName ? { name: model.clusterName } : {}),
      ...(model.vpcId ? { vpcId: model.vpcId } : {}),
    },
    pod: {
      source: options.source,
      namespace: pod.namespace,
      name: pod.name,
      requests: Object.fromEntries(Object.entries(pod.requests).map(([r, v]) => [r, formatAmount(r, v)])),
    },
    verdict: decision.unschedulable ? 'unschedulable' : 'schedulable',
    ...(decision.unschedulable ? { unschedulable: decision.unschedulable } : {}),
    preferred: decision.preferred,
    fallback: decision.fallback,
    nodes,
    sourceClasses,
    ...(analysis
      ? {
          mustReachPrometheus: [...bySgSet.values()].map((e) => {
            const status = [...e.statuses].sort((a, b) => rank(a) - rank(b))[0];
            return {
              securityGroups: e.securityGroups,
              nodeGroups: [...e.nodeGroups],
              ...(status ? { status } : {}),
              ...(e.now ? {} : { laterOnly: true as const }),
            };
          }),
        }
      : {}),
    securityGroupNames: Object.fromEntries(
      [...mentioned].sort().flatMap((id) => {
        const name = model.securityGroups.get(id)?.name;
        return name ? [[id, name]] : [];
      }),
    ),
    caveats: decision.caveats,
  };
}
