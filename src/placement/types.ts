import type { Origin } from '../snapshot/types.ts';

/** Resource name → amount in scheduler units (milli-CPU for cpu, whole units otherwise). */
export type Resources = Readonly<Record<string, number>>;

export interface Toleration {
  readonly key?: string;
  readonly operator?: string;
  readonly value?: string;
  readonly effect?: string;
}

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: string;
  /** Set when the taint is not on the Node object but follows from its status (e.g. `Ready=False`). */
  readonly impliedBy?: string;
}

export interface SelectorRequirement {
  readonly key: string;
  readonly operator: string;
  readonly values: readonly string[];
}

/** A node selector term: every expression and field must match; an empty term matches nothing. */
export interface NodeSelectorTerm {
  readonly matchExpressions: readonly SelectorRequirement[];
  readonly matchFields: readonly SelectorRequirement[];
}

export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly SelectorRequirement[];
}

export interface PodAffinityTerm {
  /** Undefined = a null selector, which selects no pod. */
  readonly labelSelector?: LabelSelector;
  readonly namespaces: readonly string[];
  /** Undefined = null (only `namespaces`, or the pod's own namespace); empty = every namespace. */
  readonly namespaceSelector?: LabelSelector;
  readonly topologyKey: string;
}

export interface WeightedPodAffinityTerm {
  readonly weight: number;
  readonly term: PodAffinityTerm;
}

export interface PodAffinityRules {
  readonly required: readonly PodAffinityTerm[];
  readonly preferred: readonly WeightedPodAffinityTerm[];
}

/** What scheduling reads from a pod spec, validated and in internal form. */
export interface SchedulingSpec {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly nodeName?: string;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly Toleration[];
  /** Required node affinity terms (ORed); undefined = none. */
  readonly requiredNodeTerms?: readonly NodeSelectorTerm[];
  readonly preferredNodeTerms: readonly { weight: number; term: NodeSelectorTerm }[];
  readonly podAffinity: PodAffinityRules;
  readonly podAntiAffinity: PodAffinityRules;
  readonly requests: Resources;
  readonly origin?: Origin;
}

/** A node as the scheduler sees it. */
export interface SchedulingNode {
  readonly name: string;
  readonly nodeGroup: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly unschedulable: boolean;
  /** Undefined when the snapshot has no `status.allocatable` for the node. */
  readonly allocatable?: Resources;
  readonly fargate: boolean;
  readonly origin: Origin;
}

/** A pod already bound to a node: what it uses and which affinity rules it imposes on newcomers. */
export interface BoundPod {
  readonly namespace: string;
  readonly name: string;
  readonly nodeName: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly requests: Resources;
  readonly podAffinity: PodAffinityRules;
  readonly podAntiAffinity: PodAffinityRules;
}

export interface SchedulingCluster {
  readonly nodes: readonly SchedulingNode[];
  readonly pods: readonly BoundPod[];
  /** Namespace → labels, for `namespaceSelector`; a namespace not listed has only its name label. */
  readonly namespaceLabels: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** Limits of the data, said in the output (e.g. no allocatable captured). */
  readonly caveats: readonly string[];
}

/** kube-scheduler's filter plugins, in its default order (plus EKS Fargate, which it never reaches). */
export type FilterName =
  | 'Fargate'
  | 'NodeUnschedulable'
  | 'NodeName'
  | 'TaintToleration'
  | 'NodeAffinity'
  | 'NodeResourcesFit'
  | 'InterPodAffinity';

export interface FilterFailure {
  readonly filter: FilterName;
  /** kube-scheduler's own wording where it has one (what FailedScheduling events say). */
  readonly reason: string;
  readonly detail?: string;
}

export interface NodeScore {
  /** Weighted sum of the modelled score plugins. */
  readonly total: number;
  /** Normalised 0-100 per plugin, before weights. */
  readonly taintToleration: number;
  readonly nodeAffinity: number;
  readonly interPodAffinity: number;
  /** What contributed, in words. */
  readonly why: string[];
}

export type NodeRole = 'preferred' | 'fallback' | 'infeasible';

export interface NodePlacement {
  readonly node: string;
  readonly nodeGroup: string;
  readonly role: NodeRole;
  readonly failures: FilterFailure[];
  readonly score?: NodeScore;
  /** False when the node's allocatable was unknown, so resource fit was not checked there. */
  readonly resourcesChecked: boolean;
}

export interface PlacementDecision {
  readonly pod: { readonly namespace: string; readonly name: string };
  /** Feasible nodes by score (best first), then infeasible ones by name. */
  readonly nodes: NodePlacement[];
  readonly preferred: string[];
  readonly fallback: string[];
  /** kube-scheduler's FailedScheduling summary when no node is feasible. */
  readonly unschedulable?: string;
  readonly caveats: string[];
}
