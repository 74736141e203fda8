/**
 * AWS edge of `snapshot`: read-only SDK v3 calls, every one paginated and scoped to the cluster
 * (its VPC, its nodes' instance ids, the security groups and prefix lists actually referenced),
 * returning documents shaped like `aws ec2 describe-*` / `aws eks describe-*` output.
 * The IAM actions used are listed once (AWS_ACTIONS); docs/iam-policy.json must match (a test checks).
 */
import {
  EC2Client,
  paginateDescribeInstances,
  paginateDescribeManagedPrefixLists,
  paginateDescribeNetworkAcls,
  paginateDescribeNetworkInterfaces,
  paginateDescribePrefixLists,
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
  paginateDescribeVpcs,
  paginateGetManagedPrefixListEntries,
  type Filter,
  type IpPermission,
  type ManagedPrefixList,
  type NetworkInterface,
  type PrefixList,
  type PrefixListEntry,
  type Reservation,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import {
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  EKSClient,
  paginateListNodegroups,
  type Cluster,
  type Nodegroup,
} from '@aws-sdk/client-eks';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { awsFailure, CollectError } from '../errors.ts';
import { readSharedProfiles } from './aws-profiles.ts';
import { plainJson } from './json.ts';
import { mapLimit, meterText, newMeter, type CallMeter } from './pace.ts';
import type { CollectedDocument, Progress } from './types.ts';

/** Every IAM action `snapshot` calls. sts:GetCallerIdentity needs no permission and is not listed. */
export const AWS_ACTIONS = [
  'eks:DescribeCluster',
  'eks:ListNodegroups',
  'eks:DescribeNodegroup',
  'ec2:DescribeInstances',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeSubnets',
  'ec2:DescribeNetworkAcls',
  'ec2:DescribeVpcs',
  'ec2:DescribeManagedPrefixLists',
  'ec2:GetManagedPrefixListEntries',
  'ec2:DescribePrefixLists',
] as const;
type AwsAction = (typeof AWS_ACTIONS)[number] | 'sts:GetCallerIdentity';

export interface AwsClients {
  readonly ec2: EC2Client;
  readonly eks: EKSClient;
  readonly sts: STSClient;
}

export interface AwsSource {
  readonly region?: string;
  readonly profile?: string;
  /** SDK attempts per call, throttling retries included (adaptive retry mode). */
  readonly maxAttempts?: number;
}

export const DEFAULT_MAX_ATTEMPTS = 6;

/** Clients on the standard credential chain (env, profile/SSO, web identity, IMDS/ECS), one shared cache. */
export function makeAwsClients(source: AwsSource): AwsClients {
  // The SDK warns on every run that its 2027 releases will need Node 22: not actionable for users here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const config = {
    ...(source.region ? { region: source.region } : {}),
    ...(source.profile ? { profile: source.profile } : {}),
    credentials: fromNodeProviderChain(source.profile ? { profile: source.profile } : {}),
    maxAttempts: source.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    // Adaptive: on RequestLimitExceeded the client also lowers its own sending rate (a token
    // bucket shared by the client's calls), so parallel pages slow down together instead of each
    // retrying into the limit.
    retryMode: 'adaptive',
  };
  return { ec2: new EC2Client(config), eks: new EKSClient(config), sts: new STSClient(config) };
}

interface CallContext {
  readonly profile?: string;
  readonly region?: string;
  readonly cluster?: string;
}

async function call<T>(action: AwsAction, context: CallContext, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw awsFailure(err, { ...context, action }, readSharedProfiles);
  }
}

async function allPages<P>(pages: AsyncIterable<P>, meter?: CallMeter): Promise<P[]> {
  const out: P[] = [];
  for await (const page of pages) {
    out.push(page);
    if (meter) countPage(meter, page);
  }
  return out;
}

/** One page's calls: the SDK reports its attempts (1 + the retries) in the page's metadata. */
function countPage(meter: CallMeter, page: unknown): void {
  const attempts = (page as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
  meter.pages++;
  meter.calls += attempts;
  meter.retried += attempts - 1;
}

/** Calls of one kind in flight at once (the filter chunks of a 10k-node cluster's ENIs, say). */
export const DEFAULT_AWS_CONCURRENCY = 4;

/** EC2 accepts up to 200 values per filter. */
const FILTER_VALUES = 200;

function chunks<T>(values: readonly T[], size = FILTER_VALUES): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

const filter = (name: string, values: string[]): Filter => ({ Name: name, Values: values });

function uniqueBy<T>(items: readonly T[], key: (item: T) => string | undefined): T[] {
  const seen = new Map<string, T>();
  for (const item of items) {
    const id = key(item);
    if (id && !seen.has(id)) seen.set(id, item);
  }
  return [...seen.values()];
}

const doc = (
  path: string,
  kind: CollectedDocument['kind'],
  count: number,
  body: unknown,
): CollectedDocument => ({
  path,
  kind,
  count,
  document: plainJson(body),
});

// ─── Cluster (account, EKS) ─────────────────────────────────────────────────────────────────────

export interface ClusterCapture {
  readonly accountId: string;
  readonly region: string;
  readonly cluster: Cluster;
  readonly nodegroups: Nodegroup[];
  readonly documents: CollectedDocument[];
}

export interface AwsCollectOptions {
  readonly clusterName: string;
  readonly profile?: string;
  readonly progress: Progress;
  /** EC2 calls of one kind in flight at once (DEFAULT_AWS_CONCURRENCY). */
  readonly concurrency?: number;
}

/** The account, the EKS cluster and its managed node groups. First, so a bad name or login fails fast. */
export async function collectCluster(
  clients: AwsClients,
  options: AwsCollectOptions,
): Promise<ClusterCapture> {
  let region: string;
  try {
    region = await clients.eks.config.region();
  } catch (err) {
    throw awsFailure(
      err,
      { action: 'eks:DescribeCluster', ...(options.profile ? { profile: options.profile } : {}) },
      readSharedProfiles,
    );
  }
  const context: CallContext = {
    region,
    cluster: options.clusterName,
    ...(options.profile ? { profile: options.profile } : {}),
  };
  const identity = await call('sts:GetCallerIdentity', context, () =>
    clients.sts.send(new GetCallerIdentityCommand({})),
  );
  const accountId = identity.Account ?? '';
  options.progress(`AWS account ${accountId}, region ${region}`);

  const described = await call('eks:DescribeCluster', context, () =>
    clients.eks.send(new DescribeClusterCommand({ name: options.clusterName })),
  );
  const cluster = described.cluster;
  if (!cluster?.resourcesVpcConfig?.vpcId) {
    throw new CollectError('api', `eks:DescribeCluster returned no VPC for cluster ${options.clusterName}`);
  }
  options.progress(`EKS cluster ${cluster.name}: ${cluster.resourcesVpcConfig.vpcId}`);

  const names = (
    await call('eks:ListNodegroups', context, () =>
      allPages(
        paginateListNodegroups({ client: clients.eks, pageSize: 100 }, { clusterName: options.clusterName }),
      ),
    )
  ).flatMap((page) => page.nodegroups ?? []);
  const nodegroups: Nodegroup[] = [];
  for (const name of names) {
    const result = await call('eks:DescribeNodegroup', context, () =>
      clients.eks.send(
        new DescribeNodegroupCommand({ clusterName: options.clusterName, nodegroupName: name }),
      ),
    );
    if (result.nodegroup) nodegroups.push(result.nodegroup);
  }
  options.progress(`node groups: ${nodegroups.length}`);
  return {
    accountId,
    region,
    cluster,
    nodegroups,
    documents: [
      doc('aws/describe-cluster.json', 'EksCluster', 1, { cluster }),
      ...nodegroups.map((nodegroup) =>
        doc(
          `aws/nodegroup-${(nodegroup.nodegroupName ?? 'unnamed').replace(/[^\w.-]/g, '_')}.json`,
          'EksNodegroup',
          1,
          { nodegroup },
        ),
      ),
    ],
  };
}

// ─── Network (EC2) ──────────────────────────────────────────────────────────────────────────────

/** What the network calls are scoped to. */
export interface NetworkScope {
  readonly clusterName: string;
  readonly vpcId: string;
  readonly accountId: string;
  /** Instance ids of the cluster's nodes (from their providerIDs). */
  readonly instanceIds: readonly string[];
  /** Security groups named outside ENIs: the cluster SG, ENIConfigs, SecurityGroupPolicies. */
  readonly groupIds: readonly string[];
}

export interface NetworkCapture {
  readonly documents: CollectedDocument[];
  readonly warnings: string[];
  /** EC2 calls sent (SDK retries included) and pages read. */
  readonly meter: CallMeter;
}

function permissions(group: SecurityGroup): IpPermission[] {
  return [...(group.IpPermissions ?? []), ...(group.IpPermissionsEgress ?? [])];
}

/** Reads every page of one call per input (a filter set, a list id) and gathers the items. */
type Read = <I, P, T>(
  action: AwsAction,
  inputs: readonly I[],
  pages: (input: I) => AsyncIterable<P>,
  items: (page: P) => T[] | undefined,
) => Promise<T[]>;

/** Inputs read `concurrency` at a time; the items come back in the order of the inputs. */
function reader(context: CallContext, concurrency: number, meter: CallMeter): Read {
  return async (action, inputs, pages, items) => {
    const perInput = await mapLimit(inputs, concurrency, (input) =>
      call(action, context, () => allPages(pages(input), meter)),
    );
    const out = [];
    for (const all of perInput) for (const page of all) for (const item of items(page) ?? []) out.push(item);
    return out;
  };
}

/** One filter set per chunk of ids. */
const byIds = (name: string, ids: readonly string[], also: Filter[] = []): Filter[][] =>
  chunks([...ids]).map((chunk) => [...also, filter(name, chunk)]);

export async function collectNetwork(
  clients: AwsClients,
  scope: NetworkScope,
  options: AwsCollectOptions & { region: string },
): Promise<NetworkCapture> {
  const client = clients.ec2;
  const meter = newMeter();
  const read = reader(
    {
      region: options.region,
      cluster: scope.clusterName,
      ...(options.profile ? { profile: options.profile } : {}),
    },
    options.concurrency ?? DEFAULT_AWS_CONCURRENCY,
    meter,
  );
  const big = { client, pageSize: 1000 };
  const inVpc = filter('vpc-id', [scope.vpcId]);
  const warnings: string[] = [];
  const documents: CollectedDocument[] = [];
  const capture = (
    path: string,
    kind: CollectedDocument['kind'],
    key: string,
    items: unknown[],
    what: string,
  ) => {
    documents.push(doc(path, kind, items.length, { [key]: items }));
    options.progress(`${what}: ${items.length}`);
  };

  // Instances: the nodes Kubernetes knows; without any, the instances EKS tagged with the cluster.
  const reservations: Reservation[] = await read(
    'ec2:DescribeInstances',
    scope.instanceIds.length > 0
      ? byIds('instance-id', scope.instanceIds)
      : [[filter('tag:eks:cluster-name', [scope.clusterName]), inVpc]],
    (Filters) => paginateDescribeInstances(big, { Filters }),
    (page) => page.Reservations,
  );
  const instances = reservations.flatMap((r) => r.Instances ?? []);
  const instanceIds = instances.flatMap((i) => (i.InstanceId ? [i.InstanceId] : []));
  documents.push(doc('aws/instances.json', 'Reservations', instances.length, { Reservations: reservations }));
  options.progress(`instances: ${instances.length}`);
  const foundIds = new Set(instanceIds);
  for (const missing of scope.instanceIds.filter((id) => !foundIds.has(id)))
    warnings.push(`node instance ${missing} not found by ec2:DescribeInstances (terminated?)`);

  // ENIs: attached to the nodes, branch ENIs tagged with a node (security groups for pods), and the
  // EKS control plane's own ENIs in the VPC.
  const found: NetworkInterface[] = await read(
    'ec2:DescribeNetworkInterfaces',
    [
      ...byIds('attachment.instance-id', instanceIds, [inVpc]),
      ...byIds('tag:node.k8s.amazonaws.com/instance_id', instanceIds, [inVpc]),
      [inVpc, filter('description', [`Amazon EKS ${scope.clusterName}`])],
    ],
    (Filters) => paginateDescribeNetworkInterfaces(big, { Filters }),
    (page) => page.NetworkInterfaces,
  );
  const enis = uniqueBy(found, (e) => e.NetworkInterfaceId);
  capture(
    'aws/network-interfaces.json',
    'NetworkInterfaces',
    'NetworkInterfaces',
    enis,
    'network interfaces',
  );

  // Security groups on those ENIs and instances, plus the ones named elsewhere, then one level of
  // groups their rules reference (same account: others' groups cannot be described).
  const direct = new Set<string>([
    ...scope.groupIds,
    ...enis.flatMap((e) => (e.Groups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : []))),
    ...instances.flatMap((i) => (i.SecurityGroups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : []))),
  ]);
  const describeGroups = (ids: Set<string>): Promise<SecurityGroup[]> =>
    read(
      'ec2:DescribeSecurityGroups',
      byIds('group-id', [...ids].sort()),
      (Filters) => paginateDescribeSecurityGroups(big, { Filters }),
      (page) => page.SecurityGroups,
    );
  const groups = await describeGroups(direct);
  const have = new Set(groups.map((g) => g.GroupId));
  const referenced = new Set<string>();
  for (const pair of groups.flatMap(permissions).flatMap((p) => p.UserIdGroupPairs ?? [])) {
    if (!pair.GroupId || have.has(pair.GroupId)) continue;
    if (pair.UserId && pair.UserId !== scope.accountId) {
      warnings.push(
        `security group ${pair.GroupId} of account ${pair.UserId} is referenced but cannot be described`,
      );
      continue;
    }
    referenced.add(pair.GroupId);
  }
  const more = await describeGroups(referenced);
  const allGroups = uniqueBy([...groups, ...more], (g) => g.GroupId);
  const described = new Set(allGroups.map((g) => g.GroupId));
  for (const id of [...direct, ...referenced].sort())
    if (!described.has(id)) warnings.push(`security group ${id} is referenced but does not exist (deleted?)`);
  documents.push(
    doc('aws/security-groups.json', 'SecurityGroups', allGroups.length, { SecurityGroups: allGroups }),
  );
  options.progress(`security groups: ${allGroups.length} (${more.length} only referenced by rules)`);

  // Subnets, NACLs and the VPC: all of the VPC's (NACLs apply per subnet, and pods may use any subnet).
  const vpcWide = [
    ['ec2:DescribeSubnets', 'aws/subnets.json', 'Subnets', 'subnets', paginateDescribeSubnets],
    [
      'ec2:DescribeNetworkAcls',
      'aws/network-acls.json',
      'NetworkAcls',
      'network ACLs',
      paginateDescribeNetworkAcls,
    ],
    ['ec2:DescribeVpcs', 'aws/vpcs.json', 'Vpcs', 'VPCs', paginateDescribeVpcs],
  ] as const;
  for (const [action, path, key, what, paginate] of vpcWide) {
    const pages = paginate as (
      config: typeof big,
      input: { Filters: Filter[] },
    ) => AsyncIterable<Record<string, unknown>>;
    const items = await read(
      action,
      [[inVpc]],
      (Filters) => pages(big, { Filters }),
      (page) => page[key] as unknown[],
    );
    capture(path, key, key, items, what);
  }

  const prefixListIds = [
    ...new Set(
      allGroups
        .flatMap(permissions)
        .flatMap((p) => p.PrefixListIds ?? [])
        .flatMap((p) => (p.PrefixListId ? [p.PrefixListId] : [])),
    ),
  ].sort();
  if (prefixListIds.length > 0) {
    const lists = await collectPrefixLists(client, read, prefixListIds);
    documents.push(...lists.documents);
    warnings.push(...lists.warnings);
  }
  options.progress(`prefix lists: ${prefixListIds.length}`);
  options.progress(`EC2: ${meter.pages} pages (${meterText(meter)})`);
  return { documents, warnings, meter };
}

/**
 * Referenced prefix lists with their CIDRs: customer-managed lists through their entries; AWS
 * service lists (s3, dynamodb) through describe-prefix-lists, which carries the CIDRs itself.
 */
async function collectPrefixLists(
  client: EC2Client,
  read: Read,
  ids: string[],
): Promise<{ documents: CollectedDocument[]; warnings: string[] }> {
  const managed: ManagedPrefixList[] = await read(
    'ec2:DescribeManagedPrefixLists',
    byIds('prefix-list-id', ids),
    (Filters) => paginateDescribeManagedPrefixLists({ client, pageSize: 100 }, { Filters }),
    (page) => page.PrefixLists,
  );
  const customer = new Set(managed.filter((l) => l.OwnerId !== 'AWS').map((l) => l.PrefixListId));
  const service: PrefixList[] = await read(
    'ec2:DescribePrefixLists',
    byIds(
      'prefix-list-id',
      ids.filter((id) => !customer.has(id)),
    ),
    (Filters) => paginateDescribePrefixLists({ client, pageSize: 1000 }, { Filters }),
    (page) => page.PrefixLists,
  );
  const documents: CollectedDocument[] = [
    doc('aws/managed-prefix-lists.json', 'PrefixLists', managed.length, { PrefixLists: managed }),
  ];
  if (service.length > 0)
    documents.push(doc('aws/prefix-lists.json', 'PrefixLists', service.length, { PrefixLists: service }));
  // Every managed list but the service lists (CloudFront's AWS-managed one too) has entries.
  const isService = new Set(service.map((s) => s.PrefixListId));
  for (const id of managed.flatMap((l) =>
    l.PrefixListId && !isService.has(l.PrefixListId) ? [l.PrefixListId] : [],
  )) {
    const entries: PrefixListEntry[] = await read(
      'ec2:GetManagedPrefixListEntries',
      [id],
      (PrefixListId) => paginateGetManagedPrefixListEntries({ client, pageSize: 100 }, { PrefixListId }),
      (page) => page.Entries,
    );
    documents.push(
      doc(`aws/prefix-list-entries/${id}.json`, 'PrefixListEntries', entries.length, {
        PrefixListId: id,
        Entries: entries,
      }),
    );
  }
  const known = new Set([...managed, ...service].map((l) => l.PrefixListId));
  const warnings = ids
    .filter((id) => !known.has(id))
    .map((id) => `prefix list ${id} is referenced but was not found`);
  return { documents, warnings };
}
