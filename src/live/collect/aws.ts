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
import { chunks, mapInTurns, mapLimit, meterText, newMeter, type CallMeter } from './pace.ts';
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
  /**
   * More EC2 clients for the chains of calls that run side by side (each worker of a read, one call
   * at a time): in adaptive mode each client slows its own sending after a RequestLimitExceeded it
   * receives, so one throttled chain does not slow the others. Without them all chains share `ec2`.
   */
  readonly ec2Chains?: readonly EC2Client[];
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
  return {
    ec2: new EC2Client(config),
    ec2Chains: Array.from({ length: DEFAULT_AWS_CONCURRENCY - 1 }, () => new EC2Client(config)),
    eks: new EKSClient(config),
    sts: new STSClient(config),
  };
}

/** The EC2 client of chain `n`: `ec2` first, then `ec2Chains`, round the list again past its end. */
function chainClient(clients: AwsClients, n: number): EC2Client {
  const all = [clients.ec2, ...(clients.ec2Chains ?? [])];
  return all[n % all.length]!;
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

/** Items made plain JSON per turn of the event loop (a few milliseconds' work for ENIs). */
const ITEMS_PER_TURN = 200;

/**
 * doc(path, kind, count, { [key]: items }), the items made plain JSON in turns (mapInTurns):
 * 18,000 network interfaces at once kept the Kubernetes calls in flight waiting about 250 ms.
 */
const docInTurns = async (
  path: string,
  kind: CollectedDocument['kind'],
  count: number,
  key: string,
  items: readonly unknown[],
): Promise<CollectedDocument> => ({
  path,
  kind,
  count,
  document: { [key]: await mapInTurns(items, ITEMS_PER_TURN, plainJson) },
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

/** The VPC the network calls are scoped to, known once the cluster is described. */
export interface VpcScope {
  readonly clusterName: string;
  readonly vpcId: string;
  readonly accountId: string;
}

/** What Kubernetes adds to the scope: the nodes and the groups its objects name. */
export interface NodeScope {
  /** Instance ids of the cluster's nodes (from their providerIDs). */
  readonly instanceIds: readonly string[];
  /** Security groups named outside ENIs: the cluster SG, ENIConfigs, SecurityGroupPolicies. */
  readonly groupIds: readonly string[];
}

/** What the network calls are scoped to. */
export type NetworkScope = VpcScope & NodeScope;

export interface NetworkCapture {
  readonly documents: CollectedDocument[];
  readonly warnings: string[];
  /** EC2 calls sent (SDK retries included) and pages read. */
  readonly meter: CallMeter;
}

/** The EC2 network calls under way: those scoped by the VPC alone have started. */
export interface NetworkStart {
  /** Reads the rest, scoped by the nodes, and gathers every document in the usual order. */
  finish(nodes: NodeScope): Promise<NetworkCapture>;
}

function permissions(group: SecurityGroup): IpPermission[] {
  return [...(group.IpPermissions ?? []), ...(group.IpPermissionsEgress ?? [])];
}

/**
 * Reads every page of one call per input (a filter set, a list id) and gathers the items; `client`
 * is the EC2 client of the chain the input is read in.
 */
type Read = <I, P, T>(
  action: AwsAction,
  inputs: readonly I[],
  pages: (input: I, client: EC2Client) => AsyncIterable<P>,
  items: (page: P) => T[] | undefined,
) => Promise<T[]>;

/** Inputs read `concurrency` at a time; the items come back in the order of the inputs. */
function reader(context: CallContext, concurrency: number, meter: CallMeter, clients: AwsClients): Read {
  return async (action, inputs, pages, items) => {
    const perInput = await mapLimit(inputs, concurrency, (input, _index, worker) =>
      call(action, context, () => allPages(pages(input, chainClient(clients, worker)), meter)),
    );
    const out = [];
    for (const all of perInput) for (const page of all) for (const item of items(page) ?? []) out.push(item);
    return out;
  };
}

/** One filter set per chunk of ids. */
const byIds = (name: string, ids: readonly string[], also: Filter[] = []): Filter[][] =>
  chunks(ids, FILTER_VALUES).map((chunk) => [...also, filter(name, chunk)]);

export async function collectNetwork(
  clients: AwsClients,
  scope: NetworkScope,
  options: AwsCollectOptions & { region: string },
): Promise<NetworkCapture> {
  return startNetwork(clients, scope, options).finish(scope);
}

/**
 * Starts the EC2 calls the VPC alone scopes (subnets, NACLs, the VPC) at once, beside the
 * Kubernetes lists; `finish` reads the instances, ENIs, security groups and prefix lists the
 * nodes scope, then waits for the first ones.
 */
export function startNetwork(
  clients: AwsClients,
  scope: VpcScope,
  options: AwsCollectOptions & { region: string },
): NetworkStart {
  const meter = newMeter();
  const read = reader(
    {
      region: options.region,
      cluster: scope.clusterName,
      ...(options.profile ? { profile: options.profile } : {}),
    },
    options.concurrency ?? DEFAULT_AWS_CONCURRENCY,
    meter,
    clients,
  );
  const big = (client: EC2Client) => ({ client, pageSize: 1000 });
  const inVpc = filter('vpc-id', [scope.vpcId]);

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
  const vpcItems = mapLimit(vpcWide, vpcWide.length, ([action, , key, , paginate]) => {
    const pages = paginate as (
      config: ReturnType<typeof big>,
      input: { Filters: Filter[] },
    ) => AsyncIterable<Record<string, unknown>>;
    return read(
      action,
      [[inVpc]],
      (Filters, client) => pages(big(client), { Filters }),
      (page) => page[key] as unknown[],
    );
  });
  // Awaited by `finish`; a collection that fails before must not leave it an unhandled rejection.
  vpcItems.catch(() => undefined);

  const finish = async (nodes: NodeScope): Promise<NetworkCapture> => {
    const warnings: string[] = [];
    const documents: CollectedDocument[] = [];
    const capture = async (
      path: string,
      kind: CollectedDocument['kind'],
      key: string,
      items: unknown[],
      what: string,
    ): Promise<void> => {
      documents.push(await docInTurns(path, kind, items.length, key, items));
      options.progress(`${what}: ${items.length}`);
    };

    // Instances: the nodes Kubernetes knows; without any, the instances EKS tagged with the cluster.
    const reservations: Reservation[] = await read(
      'ec2:DescribeInstances',
      nodes.instanceIds.length > 0
        ? byIds('instance-id', nodes.instanceIds)
        : [[filter('tag:eks:cluster-name', [scope.clusterName]), inVpc]],
      (Filters, client) => paginateDescribeInstances(big(client), { Filters }),
      (page) => page.Reservations,
    );
    const instances = reservations.flatMap((r) => r.Instances ?? []);
    const instanceIds = instances.flatMap((i) => (i.InstanceId ? [i.InstanceId] : []));
    documents.push(
      await docInTurns('aws/instances.json', 'Reservations', instances.length, 'Reservations', reservations),
    );
    options.progress(`instances: ${instances.length}`);
    const foundIds = new Set(instanceIds);
    for (const missing of nodes.instanceIds.filter((id) => !foundIds.has(id)))
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
      (Filters, client) => paginateDescribeNetworkInterfaces(big(client), { Filters }),
      (page) => page.NetworkInterfaces,
    );
    const enis = uniqueBy(found, (e) => e.NetworkInterfaceId);
    await capture(
      'aws/network-interfaces.json',
      'NetworkInterfaces',
      'NetworkInterfaces',
      enis,
      'network interfaces',
    );

    // Security groups on those ENIs and instances, plus the ones named elsewhere, then one level of
    // groups their rules reference (same account: others' groups cannot be described).
    const direct = new Set<string>([
      ...nodes.groupIds,
      ...enis.flatMap((e) => (e.Groups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : []))),
      ...instances.flatMap((i) => (i.SecurityGroups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : []))),
    ]);
    const describeGroups = (ids: Set<string>): Promise<SecurityGroup[]> =>
      read(
        'ec2:DescribeSecurityGroups',
        byIds('group-id', [...ids].sort()),
        (Filters, client) => paginateDescribeSecurityGroups(big(client), { Filters }),
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
      if (!described.has(id))
        warnings.push(`security group ${id} is referenced but does not exist (deleted?)`);
    documents.push(
      await docInTurns(
        'aws/security-groups.json',
        'SecurityGroups',
        allGroups.length,
        'SecurityGroups',
        allGroups,
      ),
    );
    options.progress(`security groups: ${allGroups.length} (${more.length} only referenced by rules)`);

    const perVpcCall = await vpcItems;
    for (const [i, [, path, key, what]] of vpcWide.entries())
      await capture(path, key, key, perVpcCall[i]!, what);

    const prefixListIds = [
      ...new Set(
        allGroups
          .flatMap(permissions)
          .flatMap((p) => p.PrefixListIds ?? [])
          .flatMap((p) => (p.PrefixListId ? [p.PrefixListId] : [])),
      ),
    ].sort();
    if (prefixListIds.length > 0) {
      const lists = await collectPrefixLists(read, prefixListIds);
      documents.push(...lists.documents);
      warnings.push(...lists.warnings);
    }
    options.progress(`prefix lists: ${prefixListIds.length}`);
    options.progress(`EC2: ${meter.pages} pages (${meterText(meter)})`);
    return { documents, warnings, meter };
  };
  return { finish };
}

/** Each page with the list it belongs to (its `$metadata` kept, for the meter). */
async function* labelled<P extends object>(
  PrefixListId: string,
  pages: AsyncIterable<P>,
): AsyncIterable<P & { PrefixListId: string }> {
  for await (const page of pages) yield { ...page, PrefixListId };
}

/**
 * Referenced prefix lists with their CIDRs: customer-managed lists through their entries; AWS
 * service lists (s3, dynamodb) through describe-prefix-lists, which carries the CIDRs itself.
 */
async function collectPrefixLists(
  read: Read,
  ids: string[],
): Promise<{ documents: CollectedDocument[]; warnings: string[] }> {
  const managed: ManagedPrefixList[] = await read(
    'ec2:DescribeManagedPrefixLists',
    byIds('prefix-list-id', ids),
    (Filters, client) => paginateDescribeManagedPrefixLists({ client, pageSize: 100 }, { Filters }),
    (page) => page.PrefixLists,
  );
  const customer = new Set(managed.filter((l) => l.OwnerId !== 'AWS').map((l) => l.PrefixListId));
  const service: PrefixList[] = await read(
    'ec2:DescribePrefixLists',
    byIds(
      'prefix-list-id',
      ids.filter((id) => !customer.has(id)),
    ),
    (Filters, client) => paginateDescribePrefixLists({ client, pageSize: 1000 }, { Filters }),
    (page) => page.PrefixLists,
  );
  const documents: CollectedDocument[] = [
    doc('aws/managed-prefix-lists.json', 'PrefixLists', managed.length, { PrefixLists: managed }),
  ];
  if (service.length > 0)
    documents.push(doc('aws/prefix-lists.json', 'PrefixLists', service.length, { PrefixLists: service }));
  // Every managed list but the service lists (CloudFront's AWS-managed one too) has entries.
  const isService = new Set(service.map((s) => s.PrefixListId));
  const withEntries = managed.flatMap((l) =>
    l.PrefixListId && !isService.has(l.PrefixListId) ? [l.PrefixListId] : [],
  );
  // The lists' entries side by side, each page labelled with its list (the answer does not name it).
  const entries: [string, PrefixListEntry][] = await read(
    'ec2:GetManagedPrefixListEntries',
    withEntries,
    (PrefixListId, client) =>
      labelled(
        PrefixListId,
        paginateGetManagedPrefixListEntries({ client, pageSize: 100 }, { PrefixListId }),
      ),
    (page) => (page.Entries ?? []).map((entry): [string, PrefixListEntry] => [page.PrefixListId, entry]),
  );
  for (const id of withEntries) {
    const own = entries.flatMap(([list, entry]) => (list === id ? [entry] : []));
    documents.push(
      doc(`aws/prefix-list-entries/${id}.json`, 'PrefixListEntries', own.length, {
        PrefixListId: id,
        Entries: own,
      }),
    );
  }
  const known = new Set([...managed, ...service].map((l) => l.PrefixListId));
  const warnings = ids
    .filter((id) => !known.has(id))
    .map((id) => `prefix list ${id} is referenced but was not found`);
  return { documents, warnings };
}
