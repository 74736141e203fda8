import type {
  CalicoPolicy,
  CiliumPolicy,
  EksCluster,
  EksNodegroup,
  Instance,
  PodLogs,
  SnapshotManifest,
  K8sDaemonSet,
  K8sEndpointSlice,
  K8sEndpoints,
  K8sEniConfig,
  K8sLoose,
  K8sNetworkPolicy,
  K8sNode,
  K8sPod,
  K8sSecurityGroupPolicy,
  K8sDynamoGraphDeployment,
  K8sService,
  NetworkAcl,
  NetworkInterface,
  PrefixList,
  PrefixListEntry,
  SecurityGroup,
  SecurityGroupRule,
  Subnet,
  Vpc,
} from './schemas.ts';

/** Where a fact came from: the file (relative to the snapshot root) and the JSON path inside it. */
export interface Origin {
  readonly file: string;
  readonly path: string;
}

export function formatOrigin(origin: Origin): string {
  return origin.path ? `${origin.file}: ${origin.path}` : origin.file;
}

/** A raw input object together with where it was read. */
export interface Located<T> {
  readonly value: T;
  readonly origin: Origin;
}

export interface PrefixListEntries {
  readonly prefixListId: string;
  readonly entries: PrefixListEntry[];
}

/** The kinds of data a snapshot can hold; "captured" means at least one file of that kind was read. */
export type DataKind =
  | 'SecurityGroups'
  | 'SecurityGroupRules'
  | 'Reservations'
  | 'NetworkInterfaces'
  | 'NetworkAcls'
  | 'Subnets'
  | 'Vpcs'
  | 'PrefixLists'
  | 'PrefixListEntries'
  | 'EksCluster'
  | 'EksNodegroup'
  | 'Node'
  | 'Pod'
  | 'Service'
  | 'EndpointSlice'
  | 'Endpoints'
  | 'ENIConfig'
  | 'SecurityGroupPolicy'
  | 'DynamoGraphDeployment'
  | 'DaemonSet'
  | 'Namespace'
  | 'NetworkPolicy'
  | 'CalicoNetworkPolicy'
  | 'CalicoGlobalNetworkPolicy'
  | 'CiliumNetworkPolicy'
  | 'CiliumClusterwideNetworkPolicy'
  | 'Event'
  | 'PodLogs'
  | 'SnapshotManifest';

/** Raw, validated inputs merged across files. Nothing here is interpreted yet; see `src/model`. */
export interface Snapshot {
  readonly captured: ReadonlySet<DataKind>;
  readonly securityGroups: Located<SecurityGroup>[];
  readonly securityGroupRules: Located<SecurityGroupRule>[];
  readonly instances: Located<Instance>[];
  readonly networkInterfaces: Located<NetworkInterface>[];
  readonly networkAcls: Located<NetworkAcl>[];
  readonly subnets: Located<Subnet>[];
  readonly vpcs: Located<Vpc>[];
  readonly prefixLists: Located<PrefixList>[];
  readonly prefixListEntries: Located<PrefixListEntries>[];
  readonly clusters: Located<EksCluster>[];
  readonly nodegroups: Located<EksNodegroup>[];
  readonly nodes: Located<K8sNode>[];
  readonly pods: Located<K8sPod>[];
  readonly services: Located<K8sService>[];
  readonly endpointSlices: Located<K8sEndpointSlice>[];
  readonly endpoints: Located<K8sEndpoints>[];
  readonly eniConfigs: Located<K8sEniConfig>[];
  readonly securityGroupPolicies: Located<K8sSecurityGroupPolicy>[];
  readonly dynamoGraphDeployments: Located<K8sDynamoGraphDeployment>[];
  readonly daemonSets: Located<K8sDaemonSet>[];
  readonly namespaces: Located<K8sLoose>[];
  readonly networkPolicies: Located<K8sNetworkPolicy>[];
  /** projectcalico.org/v3 (or crd.projectcalico.org/v1) NetworkPolicies and GlobalNetworkPolicies. */
  readonly calicoPolicies: Located<CalicoPolicy>[];
  /** cilium.io/v2 CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies. */
  readonly ciliumPolicies: Located<CiliumPolicy>[];
  readonly events: Located<K8sLoose>[];
  readonly podLogs: Located<PodLogs['items'][number]>[];
  readonly manifests: Located<SnapshotManifest>[];
  /** Files (or list items) read but not understood; reported, never fatal. */
  readonly ignored: { file: string; reason: string }[];
}

export function emptySnapshot(): Snapshot {
  return {
    captured: new Set(),
    securityGroups: [],
    securityGroupRules: [],
    instances: [],
    networkInterfaces: [],
    networkAcls: [],
    subnets: [],
    vpcs: [],
    prefixLists: [],
    prefixListEntries: [],
    clusters: [],
    nodegroups: [],
    nodes: [],
    pods: [],
    services: [],
    endpointSlices: [],
    endpoints: [],
    eniConfigs: [],
    securityGroupPolicies: [],
    dynamoGraphDeployments: [],
    daemonSets: [],
    namespaces: [],
    networkPolicies: [],
    calicoPolicies: [],
    ciliumPolicies: [],
    events: [],
    podLogs: [],
    manifests: [],
    ignored: [],
  };
}

/** A problem in one input: which file, where inside it, and what is wrong. */
export interface InputIssue {
  readonly file: string;
  readonly path: string;
  readonly message: string;
}

export function formatIssue(issue: InputIssue): string {
  return issue.path ? `${issue.file}: ${issue.path}: ${issue.message}` : `${issue.file}: ${issue.message}`;
}
