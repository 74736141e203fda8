import type { LabelSelector, PolicyPeer, PolicyPort } from '../../snapshot/schemas.ts';
import type { Origin } from '../../snapshot/types.ts';
import type { CalicoPolicyModel } from './calico.ts';
import type { CiliumPolicyModel } from './cilium.ts';

/** Which engine enforces NetworkPolicies, and how we know. */
export interface PolicyEngine {
  readonly kind: 'vpc-cni' | 'calico' | 'cilium' | 'other' | 'none' | 'unknown';
  /** Enforced, or assumed enforced because the engine could not be determined. */
  readonly enforced: boolean;
  readonly evidence: string;
}

export interface PolicyRuleModel {
  readonly index: number;
  /** Undefined or empty = every peer. */
  readonly peers?: readonly PolicyPeer[];
  /** Undefined or empty = every port. */
  readonly ports?: readonly PolicyPort[];
}

export interface NetworkPolicyModel {
  readonly namespace: string;
  readonly name: string;
  readonly podSelector: LabelSelector;
  readonly ingress?: readonly PolicyRuleModel[];
  readonly egress?: readonly PolicyRuleModel[];
  /** Directions this policy isolates (policyTypes, defaulted as the API does). */
  readonly isolates: { readonly ingress: boolean; readonly egress: boolean };
  readonly origin: Origin;
}

export interface PolicySet {
  readonly engine: PolicyEngine;
  /** Kubernetes NetworkPolicies. */
  readonly policies: readonly NetworkPolicyModel[];
  /** Calico NetworkPolicies and GlobalNetworkPolicies (evaluated together with the Kubernetes ones). */
  readonly calico: readonly CalicoPolicyModel[];
  /** Cilium policies: not modelled; a flow one could select is unknown. */
  readonly cilium: readonly CiliumPolicyModel[];
  /** Labels of a namespace; `complete` is false when Namespace objects were not captured. */
  readonly namespaceLabels: (namespace: string) => { labels: Record<string, string>; complete: boolean };
}

/** What a policy needs to know of a pod; absent for a pod that does not exist yet. */
export interface PodIdentity {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** False for a pod that does not exist yet, whose labels are only partly known (a template). */
  readonly labelsComplete: boolean;
  readonly hostNetwork: boolean;
  /** Named container ports: name → port and protocol. */
  readonly namedPorts: Readonly<Record<string, { port: number; protocol: string }>>;
  /**
   * Labels it carries in some versions of its workload only (never in `labels`), each with the
   * versions: a selector on one is `maybe`, and the report says why.
   */
  readonly versionedLabels?: Readonly<Record<string, string>>;
}

export type Tri = 'yes' | 'no' | 'maybe';
