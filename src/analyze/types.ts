import type { Level, RequirementId } from '../requirements/catalog.ts';
import type { FlowTrace, Status, TraceStep } from '../reachability/types.ts';

/** One side of a flow class: what the members share, and who they are. */
export interface FlowEnd {
  readonly nodeGroup: string;
  readonly securityGroups: string[];
  readonly subnetId?: string;
  /**
   * 'pods' = running pods; 'nodes' = pods that could be scheduled on these nodes; 'control-plane' =
   * the EKS control plane's ENIs (members are the cluster subnets they sit in); 'kubelet' = the
   * kubelets of these nodes, from the nodes' primary ENIs (members are the nodes).
   */
  readonly kind: 'pods' | 'nodes' | 'control-plane' | 'kubelet';
  readonly count: number;
  /** Up to ten member names (pods or nodes), for the report. */
  readonly members: string[];
  /**
   * How the ENI that carries the first member (its attachment), its SGs and subnet were found. The
   * JSON name predates the word and stays for compatibility; it is not the scheduler question.
   */
  readonly placement: string[];
  /** Taints of the members' nodes (`key=value:Effect`): why a pod can or cannot land there. */
  readonly taints?: string[];
}

/** A requirement × source class × destination class, with the trace that decided it. */
export interface FlowResult {
  readonly id: string;
  readonly requirement: RequirementId;
  readonly title: string;
  /** The requirement's level: a `recommended` flow counts in the verdict only with `--strict`. */
  readonly level: Level;
  readonly protocol: 'tcp' | 'udp' | 'efa';
  /** The port, or `from-to` for a range. */
  readonly port: number | string;
  readonly ports: { from: number; to: number };
  readonly source: FlowEnd;
  readonly destination: FlowEnd;
  readonly status: Status;
  readonly reason: string;
  readonly steps: TraceStep[];
  /** Set when same-node co-location makes this allowed while the same pair across nodes is not. */
  readonly coLocationMasks?: string;
  /** The trace of the same pair on different nodes: what a fix must unblock so placement cannot matter. */
  readonly coLocationSteps?: TraceStep[];
  /** Ids of the remediation items that unblock this flow. */
  readonly fixedBy: string[];
}

export interface Skipped {
  readonly requirement: RequirementId;
  readonly title: string;
  readonly level: Level;
  readonly why: string;
}

export type { FlowTrace };
