/**
 * Source classes: nodes whose pods would carry the same security groups and subnet — what the
 * analysis decides flows for. Links a node to its class and a class to the analysed flows from it.
 */
import type { FlowResult } from '../analyze/types.ts';
import type { AnalysisResult } from './analyze.ts';
import { orchestratorEndpoint } from '../analyze/ends.ts';
import type { ClusterModel } from '../model/types.ts';
import type { RequirementId } from '../requirements/catalog.ts';

export interface SourceClass {
  readonly nodeGroup: string;
  /** The SGs a pod scheduled on these nodes carries (custom networking and ENIConfig included). */
  readonly securityGroups: string[];
  readonly subnetId?: string;
  /** Why the pod SGs are not known, when they are not. */
  readonly unresolved?: string;
}

export function classOfNode(model: ClusterModel, nodeName: string): SourceClass | undefined {
  const node = model.nodes.get(nodeName);
  if (!node) return undefined;
  // The class of the orchestrator's flows (the prometheus requirement) on this node.
  const endpoint = orchestratorEndpoint(model, node);
  return {
    nodeGroup: node.nodeGroup,
    securityGroups: endpoint.securityGroups,
    ...(endpoint.subnetId ? { subnetId: endpoint.subnetId } : {}),
    ...(endpoint.unresolved ? { unresolved: endpoint.unresolved } : {}),
  };
}

export function classKey(c: SourceClass): string {
  return [c.nodeGroup, c.securityGroups.join(','), c.subnetId ?? ''].join('|');
}

/** Flows of `requirement` whose source is a pod predicted on nodes of this class. */
export function flowsFromClass(
  result: AnalysisResult,
  requirement: RequirementId,
  sourceClass: SourceClass,
): FlowResult[] {
  const key = classKey(sourceClass);
  return result.flows.filter(
    (f) =>
      f.requirement === requirement &&
      f.source.kind === 'nodes' &&
      classKey({
        nodeGroup: f.source.nodeGroup,
        securityGroups: f.source.securityGroups,
        ...(f.source.subnetId ? { subnetId: f.source.subnetId } : {}),
      }) === key,
  );
}

const severity = { blocked: 0, unknown: 1, allowed: 2 } as const;

/** The worst status among flows: one blocked flow blocks the class. */
export function worstStatus(flows: readonly FlowResult[]): FlowResult['status'] | undefined {
  return [...flows].sort((a, b) => severity[a.status] - severity[b.status])[0]?.status;
}

/** The commands (aws-cli, kubectl) of the remediation items that unblock these flows. */
export function fixesFor(
  result: AnalysisResult,
  flows: readonly FlowResult[],
): { id: string; command: string }[] {
  const ids = new Set(flows.flatMap((f) => f.fixedBy));
  return [...result.remediation, ...result.naclRemediation, ...result.policyRemediation]
    .filter((r) => ids.has(r.id))
    .map((r) => ({ id: r.id, command: r.command }));
}
