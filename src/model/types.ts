import type { DeclaredComponent } from './dynamo-graph.ts';
import type { AddressRange } from '../base/ip.ts';
import type { Origin } from '../snapshot/types.ts';
import type { K8sPod, LabelSelector, Taint, Toleration } from '../snapshot/schemas.ts';
import type { PolicySet } from './policy/types.ts';

/** IP protocol of a rule: a name for the common ones, the number otherwise; 'all' for `-1`. */
export type Protocol =
  | 'all'
  | 'tcp'
  | 'udp'
  | 'icmp'
  | 'icmpv6'
  | `proto-${number}`
  /** EFA's SRD traffic between EFA interfaces: not IP, matched only by self-referencing all-traffic rules. */
  | 'efa';

export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/** Who a security-group rule talks about. */
export type RulePeer =
  | { readonly kind: 'cidr'; readonly cidr: string; readonly range: AddressRange }
  | { readonly kind: 'prefix-list'; readonly prefixListId: string }
  | {
      readonly kind: 'security-group';
      readonly groupId: string;
      readonly userId?: string;
      /** Why the reference can never match an ENI of this cluster (other account, deleted, peered VPC). */
      readonly unmatchable?: string;
    };

/** One security-group rule in internal form, with the facts that explain it. */
export interface SgRule {
  /** Stable id: the AWS rule id when known, else `<group>/<direction>[<index>]`. */
  readonly id: string;
  readonly groupId: string;
  readonly direction: 'ingress' | 'egress';
  readonly protocol: Protocol;
  /** Undefined = every port (for `-1` and protocols without ports). */
  readonly ports?: PortRange;
  readonly peer: RulePeer;
  readonly description?: string;
  readonly origin: Origin;
}

export interface SecurityGroupModel {
  readonly id: string;
  readonly name?: string;
  readonly vpcId?: string;
  readonly ownerId?: string;
  readonly ingress: SgRule[];
  readonly egress: SgRule[];
  /** Number of inbound rules as AWS counts them against the per-SG quota. */
  readonly ingressRuleCount: number;
  readonly isClusterSecurityGroup: boolean;
  readonly origin: Origin;
}

export interface NaclEntryModel {
  readonly naclId: string;
  readonly ruleNumber: number;
  readonly egress: boolean;
  readonly action: 'allow' | 'deny';
  readonly protocol: Protocol;
  readonly ports?: PortRange;
  readonly cidr: string;
  readonly range: AddressRange;
  readonly origin: Origin;
}

export interface NetworkAclModel {
  readonly id: string;
  readonly isDefault: boolean;
  /** Entries of one direction each, ascending by rule number (first match wins). */
  readonly inbound: NaclEntryModel[];
  readonly outbound: NaclEntryModel[];
  readonly origin: Origin;
}

export interface SubnetModel {
  readonly id: string;
  readonly vpcId?: string;
  readonly cidrs: AddressRange[];
  readonly cidrText: string[];
  readonly availabilityZone?: string;
  /** The NACL that applies (explicit association or the VPC default); undefined when NACLs were not captured. */
  readonly naclId?: string;
  readonly naclAssociation: 'explicit' | 'vpc-default' | 'not-captured' | 'unknown';
}

export interface EniModel {
  readonly id: string;
  readonly type: string;
  readonly subnetId?: string;
  readonly groupIds: string[];
  readonly primaryIp?: string;
  readonly instanceId?: string;
  readonly deviceIndex?: number;
  readonly networkCardIndex?: number;
  /** Private IPv4 addresses besides the ENI's primary one: what the VPC CNI hands to pods. */
  readonly secondaryIpv4Count: number;
  readonly ipv6Count: number;
  /** Delegated prefixes (IPv4 `/28`, IPv6 `/80`): prefix delegation hands pods addresses from these. */
  readonly prefixes: string[];
  /**
   * The VPC CNI's mark on the ENI: `managed` when it created it (tag
   * `node.k8s.amazonaws.com/instance_id` or description `aws-K8S-…`), `no-manage` when tagged
   * `node.k8s.amazonaws.com/no_manage=true` (ipamd never uses it).
   */
  readonly cniMark?: 'managed' | 'no-manage';
  readonly origin: Origin;
}

export interface NodeModel {
  readonly name: string;
  readonly instanceId?: string;
  readonly instanceType?: string;
  readonly nodeGroup: string;
  /** Which fact named the node group (a label key or the EC2 tag). */
  readonly nodeGroupSource: string;
  readonly internalIp?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: Taint[];
  readonly gpu: boolean;
  readonly gpuEvidence?: string;
  readonly ready: boolean;
  readonly unschedulable: boolean;
  /** The ENIConfig that gives this node's pods their subnet and SGs under custom networking. */
  readonly eniConfigName?: string;
  readonly origin: Origin;
}

export interface PodModel {
  readonly namespace: string;
  readonly name: string;
  readonly nodeName?: string;
  readonly ip?: string;
  readonly hostNetwork: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly phase?: string;
  readonly images: string[];
  readonly env: Readonly<Record<string, string>>;
  /** Named container ports (what NetworkPolicy named ports resolve against). */
  readonly namedPorts: Readonly<Record<string, { port: number; protocol: string }>>;
  readonly tolerations: Toleration[];
  readonly raw: K8sPod;
  readonly origin: Origin;
}

export interface CniSettings {
  readonly customNetworking: boolean;
  readonly podEni: boolean;
  readonly enforcingMode: 'strict' | 'standard';
  readonly externalSnat: boolean;
  /** ENABLE_IPv6: pods get IPv6 addresses only. */
  readonly ipv6: boolean;
  readonly eniConfigLabelDef?: string;
  /**
   * DISABLE_TCP_EARLY_DEMUX=true on aws-node's init container: the VPC CNI README asks for it so
   * the kubelet's TCP probes reach pods on branch ENIs. `tcpEarlyDemuxSetting` is the value as set.
   */
  readonly tcpEarlyDemuxDisabled: boolean;
  readonly tcpEarlyDemuxSetting?: string;
  /** Whether the aws-node DaemonSet was captured (else VPC CNI defaults are assumed). */
  readonly captured: boolean;
  readonly origin?: Origin;
}

export interface EniConfigModel {
  readonly name: string;
  readonly subnetId?: string;
  readonly securityGroups: string[];
  readonly origin: Origin;
}

/** A condition of the data that the reader should know, e.g. an assumed AWS default. */
export interface ModelWarning {
  readonly code: string;
  readonly message: string;
}

/** A SecurityGroupPolicy (vpcresources.k8s.aws/v1beta1): pods it selects get a branch ENI with its groups. */
export interface SecurityGroupPolicyModel {
  readonly namespace: string;
  readonly name: string;
  /** Absent = not set (a policy needs one selector or the other; set ones must both match). */
  readonly podSelector?: LabelSelector;
  readonly serviceAccountSelector?: LabelSelector;
  readonly groupIds: string[];
  readonly origin: Origin;
}

/**
 * Where a pod not created yet on a node gets its address, SGs and subnet: the VPC CNI
 * configuration, checked against the ENIs the CNI already attached to the node, or inferred from
 * them when the configuration was not captured (model/pod-network.ts).
 */
export type PodNetwork =
  | {
      readonly kind: 'known';
      readonly subnetId?: string;
      readonly groupIds: string[];
      /** The ENI whose SGs and subnet pods copy, under default networking (the primary ENI). */
      readonly eniId?: string;
      /** How the SGs and subnet were found, in order (the endpoint's attachment). */
      readonly attachment: string[];
    }
  | { readonly kind: 'unresolved'; readonly reason: string };

/** A Service the API server calls: namespace, name and Service port (443 when the object leaves it unset). */
export interface CalledService {
  readonly namespace: string;
  readonly name: string;
  readonly port: number;
}

/** One webhook of a Validating/MutatingWebhookConfiguration: whom the API server calls, and what a failed call does. */
export interface AdmissionWebhookModel {
  readonly configKind: 'ValidatingWebhookConfiguration' | 'MutatingWebhookConfiguration';
  readonly configName: string;
  readonly name: string;
  readonly service?: CalledService;
  /** clientConfig.url: a server the API server calls directly, not a pod behind a Service. */
  readonly url?: string;
  /** `Fail` (the API's default) rejects the request when the call fails; `Ignore` lets it through. */
  readonly failurePolicy: 'Fail' | 'Ignore';
  readonly rules: readonly { readonly apiGroups: string[]; readonly resources: string[] }[];
  readonly origin: Origin;
}

/** An APIService: the aggregated API the API server proxies to a Service (none: served by the API server itself). */
export interface ApiServiceModel {
  readonly name: string;
  readonly service?: CalledService;
  /** Its Available condition, when the object carries one. */
  readonly available?: { readonly status: string; readonly reason?: string; readonly message?: string };
  readonly origin: Origin;
}

/** The EKS control plane's ENIs, as describe-cluster says: the groups on them and the subnets they sit in. */
export type ControlPlaneModel =
  | {
      readonly kind: 'known';
      readonly clusterSecurityGroupId: string;
      /** The cluster security group first, then the additional groups (resourcesVpcConfig.securityGroupIds). */
      readonly securityGroupIds: string[];
      readonly subnetIds: string[];
      readonly origin: Origin;
    }
  | { readonly kind: 'unresolved'; readonly reason: string };

export interface ClusterModel {
  readonly clusterName?: string;
  readonly vpcId?: string;
  readonly clusterSecurityGroupId?: string;
  readonly accountId?: string;
  readonly vpcCidrs: AddressRange[];
  readonly securityGroups: ReadonlyMap<string, SecurityGroupModel>;
  readonly enis: ReadonlyMap<string, EniModel>;
  readonly subnets: ReadonlyMap<string, SubnetModel>;
  readonly nacls: ReadonlyMap<string, NetworkAclModel>;
  /** Prefix-list id → its CIDRs, when the entries were captured. */
  readonly prefixLists: ReadonlyMap<string, { cidrs: AddressRange[]; name?: string }>;
  readonly nodes: ReadonlyMap<string, NodeModel>;
  readonly pods: PodModel[];
  /** The Dynamo components DynamoGraphDeployments declare (deployed or not yet). */
  readonly dynamoComponents: DeclaredComponent[];
  /** The selector of Service namespace/name, when the Service was captured. */
  readonly serviceSelector: (namespace: string, name: string) => Record<string, string> | undefined;
  /** Addresses behind a Service from its EndpointSlices or Endpoints, with which was used. */
  readonly serviceEndpoints: (
    namespace: string,
    name: string,
  ) => { addresses: string[]; via: string } | undefined;
  /** The ports of Service namespace/name, when the Service was captured. */
  readonly servicePorts: (
    namespace: string,
    name: string,
  ) => readonly { port: number; targetPort?: number | string; protocol?: string }[] | undefined;
  /** The EKS control plane as a traffic source (API server → webhooks, APIServices). */
  readonly controlPlane: ControlPlaneModel;
  readonly webhooks: AdmissionWebhookModel[];
  /** Whether any Validating/MutatingWebhookConfiguration list was captured (older snapshots have none). */
  readonly webhooksCaptured: boolean;
  readonly apiServices: ApiServiceModel[];
  readonly apiServicesCaptured: boolean;
  readonly cni: CniSettings;
  readonly eniConfigs: ReadonlyMap<string, EniConfigModel>;
  /** Finds the ENI that holds an address (primary, secondary, or inside a delegated prefix). */
  readonly eniForAddress: (ip: string) => EniModel | undefined;
  /** ENIs attached to an instance, by device index. */
  readonly enisOfInstance: (instanceId: string) => EniModel[];
  readonly naclsCaptured: boolean;
  /**
   * Subnets no CIDR block of any rule, prefix list, NACL entry or ipBlock splits: every address
   * in one of them matches the same blocks, so pods there decide alike (source classes).
   */
  readonly uniformSubnets: ReadonlySet<string>;
  readonly policies: PolicySet;
  readonly securityGroupPolicies: SecurityGroupPolicyModel[];
  /** The address family of pods: an IPv6 cluster gives pods IPv6 addresses only (EKS). */
  readonly ipFamily: 4 | 6;
  /** Which fact decided `ipFamily`. */
  readonly ipFamilySource: string;
  /** By node name: where a pod not created yet on that node would sit. */
  readonly podNetworks: ReadonlyMap<string, PodNetwork>;
  readonly warnings: ModelWarning[];
  /** What the model inferred from evidence, and conflicts between evidence and configuration. */
  readonly notes: ModelWarning[];
  /** What the report says about the input: files skipped and why, which cluster was read. */
  readonly inputNotes?: string[];
}
