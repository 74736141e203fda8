import type { Endpoint } from '../model/endpoints.ts';
import type { PortRange, Protocol } from '../model/types.ts';
import type { Origin } from '../snapshot/types.ts';

export type Status = 'allowed' | 'blocked' | 'unknown';

/** A structure that decided (part of) a step: the rule or entry matched, or the missing fact. */
export type Fact =
  | {
      readonly kind: 'sg-rule';
      readonly ruleId: string;
      readonly groupId: string;
      readonly direction: 'ingress' | 'egress';
      readonly text: string;
      readonly origin: Origin;
    }
  | {
      readonly kind: 'nacl-entry';
      readonly naclId: string;
      readonly ruleNumber: number | '*';
      readonly direction: 'inbound' | 'outbound';
      readonly action: 'allow' | 'deny';
      readonly text: string;
      readonly origin?: Origin;
    }
  | {
      readonly kind: 'unmatchable-reference';
      readonly ruleId: string;
      readonly groupId: string;
      readonly text: string;
    }
  | {
      readonly kind: 'network-policy';
      /** The policy's namespace; '' for a cluster-wide policy. */
      readonly namespace: string;
      readonly name: string;
      readonly direction: 'ingress' | 'egress';
      /** The rule that allowed, or undefined when the policy only isolated the pod. */
      readonly ruleIndex?: number;
      /** Absent for a Kubernetes NetworkPolicy; else `Calico NetworkPolicy`, `Calico GlobalNetworkPolicy`, `CiliumNetworkPolicy`, … */
      readonly policyKind?: string;
      /** The action of the Calico rule that decided (`Allow`, `Deny`, `Pass`), and its policy's order. */
      readonly action?: 'Allow' | 'Deny' | 'Pass';
      readonly order?: number;
      readonly text: string;
      readonly origin: Origin;
    }
  | {
      readonly kind: 'missing';
      readonly text: string;
      /** The same fact without names of pods or nodes: what flow classes are grouped by. */
      readonly signature?: string;
    };

export type StepKind =
  | 'resolve-source'
  | 'resolve-destination'
  | 'same-node'
  | 'policy-egress'
  | 'policy-ingress'
  | 'sg-egress'
  | 'nacl-source-outbound'
  | 'nacl-destination-inbound'
  | 'sg-ingress'
  | 'nacl-destination-outbound-return'
  | 'nacl-source-inbound-return';

/** One hop of the decision, in path order, like a Batfish trace step. */
export interface TraceStep {
  readonly kind: StepKind;
  readonly status: Status | 'skipped';
  /** Where the step was evaluated: ENI + SGs, or NACL + subnet, or node. */
  readonly at: string;
  readonly summary: string;
  readonly facts: Fact[];
  /** Ports of the request (or of the return traffic) that this step does not allow. */
  readonly deniedPorts?: PortRange[];
}

export interface FlowTrace {
  readonly status: Status;
  readonly steps: TraceStep[];
  /** One sentence: the deciding step's summary. */
  readonly reason: string;
}

export interface FlowQuery {
  readonly source: Endpoint;
  readonly destination: Endpoint;
  readonly protocol: Protocol;
  readonly ports: PortRange;
}
