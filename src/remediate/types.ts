import type { RequirementId } from '../requirements/catalog.ts';

/** Default quota of inbound (and of outbound) rules per security group. */
export const SG_RULES_QUOTA = 60;

/** A security-group rule to add (`remediation[]` of `analyze -o json`). */
export interface SgRemediation {
  readonly id: string;
  readonly direction: 'ingress' | 'egress';
  /** The group the rule is added to. */
  readonly groupId: string;
  /**
   * `-1` (all traffic, ports -1) only for EFA: SRD passes nothing narrower, and only a group's
   * reference to itself (EC2 User Guide, "Get started with EFA").
   */
  readonly protocol: 'tcp' | 'udp' | '-1';
  readonly fromPort: number;
  readonly toPort: number;
  /** Ingress: the peer group the traffic comes from. */
  readonly sourceGroupId?: string;
  /** Egress: the peer group the traffic goes to. */
  readonly destinationGroupId?: string;
  /** Used only when the peer has no security group to name. */
  readonly cidr?: string;
  readonly description: string;
  readonly requirements: RequirementId[];
  /** Flow ids this rule unblocks. */
  readonly unblocks: string[];
  /** The aws-cli line, in the seed document's form where it can express the rule. */
  readonly command: string;
  /** Set when adding the rule would exceed the default per-group quota. */
  readonly quotaWarning?: string;
  /** Where a documentation page names a wider range than this rule, which is the narrowest that works. */
  readonly documented?: string[];
}

/** A network ACL entry to add, numbered below the entry that denied. */
export interface NaclRemediation {
  readonly id: string;
  readonly naclId: string;
  readonly subnetId: string;
  readonly egress: boolean;
  readonly ruleNumber: number;
  readonly protocol: 'tcp' | 'udp';
  readonly fromPort: number;
  readonly toPort: number;
  readonly cidr: string;
  readonly description: string;
  readonly requirements: RequirementId[];
  readonly unblocks: string[];
  readonly command: string;
}

/** A Kubernetes NetworkPolicy that lets a blocked flow through, and nothing else. */
export interface PolicyRemediation {
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly direction: 'ingress' | 'egress';
  readonly description: string;
  /** The manifest (networking.k8s.io/v1 NetworkPolicy) as plain data. */
  readonly manifest: Record<string, unknown>;
  readonly requirements: RequirementId[];
  readonly unblocks: string[];
  /** `kubectl apply` of the manifest. */
  readonly command: string;
}
