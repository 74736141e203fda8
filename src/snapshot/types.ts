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
  K8sWebhookConfiguration,
  K8sApiService,
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
  | 'ValidatingWebhookConfiguration'
  | 'MutatingWebhookConfiguration'
  | 'APIService'
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
  /** Validating and mutating admission webhook configurations: whom the API server calls on admission. */
  readonly webhookConfigurations: Located<K8sWebhookConfiguration>[];
  /** Aggregated APIs (custom metrics, …): whom the API server proxies to. */
  readonly apiServices: Located<K8sApiService>[];
  readonly podLogs: Located<PodLogs['items'][number]>[];
  readonly manifests: Located<SnapshotManifest>[];
  /**
   * Files not read, or read and not used, with the reason (and list items of kinds the analysis
   * does not use, which carry `unusedKind`); reported, never fatal.
   */
  readonly ignored: Ignored[];
  /** Files recognised as documentation (a Markdown README beside the data): not data, not reported. */
  readonly documentation: string[];
  /** Problems that leave the input usable but weaker: a capture cut short (`NextToken`, `continue`). */
  readonly warnings: InputIssue[];
  /** The data kinds each file held, for narrowing a snapshot to one cluster (`clusters.ts`). */
  readonly kindsByFile: ReadonlyMap<string, ReadonlySet<DataKind>>;
  /** What narrowing the snapshot to one cluster decided and left out (`clusters.ts`). */
  readonly notes: string[];
}

/** An input file (or list item) the analysis does not use, and why. */
export interface Ignored {
  readonly file: string;
  readonly reason: string;
  /** Set for one object of a kind the analysis does not use, inside a file that may hold others. */
  readonly unusedKind?: string;
  /**
   * Skipping it loses nothing: the run's own output, an earlier report of this tool, a second path
   * to a file already read, a hidden file. The report lists it; nothing warns about it.
   */
  readonly expected?: boolean;
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
    webhookConfigurations: [],
    apiServices: [],
    podLogs: [],
    manifests: [],
    ignored: [],
    documentation: [],
    warnings: [],
    kindsByFile: new Map(),
    notes: [],
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

/**
 * The report's notes on the input: every file skipped, with its reason (objects of unused kinds
 * counted per file), then what choosing one cluster decided. Documentation is not listed.
 */
export function inputNotes(snapshot: Snapshot): string[] {
  const notes: string[] = [];
  const unused = new Map<string, Map<string, number>>();
  for (const entry of snapshot.ignored) {
    if (entry.unusedKind === undefined) {
      notes.push(`skipped ${entry.file}: ${entry.reason}`);
      continue;
    }
    const kinds = unused.get(entry.file) ?? new Map<string, number>();
    kinds.set(entry.unusedKind, (kinds.get(entry.unusedKind) ?? 0) + 1);
    unused.set(entry.file, kinds);
  }
  for (const [file, kinds] of unused) {
    const count = [...kinds.values()].reduce((a, b) => a + b, 0);
    const list = [...kinds].map(([kind, n]) => (n > 1 ? `${kind} ×${n}` : kind)).join(', ');
    notes.push(
      (snapshot.kindsByFile.get(file)?.size ?? 0) === 0
        ? `skipped ${file}: only kinds the analysis does not use (${list})`
        : `${file}: ${count === 1 ? 'one object' : `${count} objects`} of kinds the analysis does not use (${list})`,
    );
  }
  return [...notes, ...snapshot.notes];
}
