/**
 * An in-memory AWS account behind the real SDK v3 clients (through aws-sdk-client-mock): it serves
 * recorded `describe-*` data, applies the EC2 filters it is sent exactly (an unknown filter or an
 * unfiltered describe call is refused, as a scoping check), pages every answer so paginators must
 * follow NextToken, records each call's input, and fails chosen calls with real SDK exception types.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeInstancesCommand,
  DescribeManagedPrefixListsCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribePrefixListsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  EC2ServiceException,
  GetManagedPrefixListEntriesCommand,
  type Filter,
} from '@aws-sdk/client-ec2';
import {
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  EKSClient,
  ListNodegroupsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-eks';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';

/** The part of a client's middleware stack the 'wire' mode uses. */
interface MiddlewareStack {
  add(middleware: unknown, options: { step: string; priority: string; name: string }): void;
}
import { DEFAULT_AWS_CONCURRENCY, type AwsClients } from '../../src/live/collect/aws.ts';

type Json = Record<string, unknown>;

export interface AwsWorld {
  accountId: string;
  region: string;
  cluster: Json;
  nodegroups: Json[];
  /** Reservations as describe-instances prints them. */
  reservations: Json[];
  networkInterfaces: Json[];
  securityGroups: Json[];
  subnets: Json[];
  networkAcls: Json[];
  vpcs: Json[];
  managedPrefixLists: Json[];
  prefixListEntries: Record<string, Json[]>;
  /** AWS service prefix lists (describe-prefix-lists), with Cidrs. */
  servicePrefixLists: Json[];
}

// The SDK deserialises timestamps to Date; recorded CLI output has strings. Turn them back.
const TIMESTAMP_KEYS = /^(LaunchTime|AttachTime|UsageOperationUpdateTime|createdAt|modifiedAt|CreateTime)$/;
function withDates(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => withDates(v));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withDates(v, k)]));
  if (typeof value === 'string' && TIMESTAMP_KEYS.test(key)) return new Date(value);
  return value;
}

/** The AWS side of an example snapshot directory (its aws/*.json files). */
export function loadAwsWorld(dir: string): AwsWorld {
  const world: AwsWorld = {
    accountId: '',
    region: 'us-west-2',
    cluster: {},
    nodegroups: [],
    reservations: [],
    networkInterfaces: [],
    securityGroups: [],
    subnets: [],
    networkAcls: [],
    vpcs: [],
    managedPrefixLists: [],
    prefixListEntries: {},
    servicePrefixLists: [],
  };
  for (const name of readdirSync(join(dir, 'aws')).sort()) {
    const doc = withDates(JSON.parse(readFileSync(join(dir, 'aws', name), 'utf8'))) as Json;
    if (doc.cluster) world.cluster = doc.cluster as Json;
    if (doc.nodegroup) world.nodegroups.push(doc.nodegroup as Json);
    world.reservations.push(...((doc.Reservations as Json[]) ?? []));
    world.networkInterfaces.push(...((doc.NetworkInterfaces as Json[]) ?? []));
    world.securityGroups.push(...((doc.SecurityGroups as Json[]) ?? []));
    world.subnets.push(...((doc.Subnets as Json[]) ?? []));
    world.networkAcls.push(...((doc.NetworkAcls as Json[]) ?? []));
    world.vpcs.push(...((doc.Vpcs as Json[]) ?? []));
  }
  world.accountId = /:(\d{12}):/.exec(String(world.cluster.arn))?.[1] ?? '123456789012';
  return world;
}

/** An SDK service exception as the client throws it after its retries. */
export function awsError(name: string, message: string, httpStatusCode = 400, attempts = 1): Error {
  return new EC2ServiceException({
    name,
    $fault: 'client',
    message,
    $metadata: { httpStatusCode, attempts, requestId: 'fake-request' },
  });
}

type Tags = { Key?: string; Value?: string }[] | undefined;

/** Values of a filter name on one item, per resource type. */
type Fields = Record<string, (item: Json) => (string | undefined)[]>;

function tagValues(tags: Tags, key: string): (string | undefined)[] {
  return (tags ?? []).filter((t) => t.Key === key).map((t) => t.Value);
}

function applyFilters(command: string, items: Json[], filters: Filter[] | undefined, fields: Fields): Json[] {
  if (!filters || filters.length === 0) throw new Error(`fake AWS: unscoped ${command} (no Filters)`);
  // Each filter's values as a set: a bench asks for 200 instance ids among 10,000, page after page.
  const wanted = filters.map((f) => ({ name: f.Name ?? '', values: new Set(f.Values ?? []) }));
  return items.filter((item) =>
    wanted.every((f) => {
      let values: (string | undefined)[];
      if (f.name.startsWith('tag:')) values = tagValues((item.Tags ?? item.TagSet) as Tags, f.name.slice(4));
      else if (fields[f.name]) values = fields[f.name]!(item);
      else throw new Error(`fake AWS: ${command} does not support filter ${f.name}`);
      return values.some((v) => v !== undefined && f.values.has(v));
    }),
  );
}

/** One page of `items` from `token`, as EC2/EKS page: NextToken while more remain. */
function page<T>(items: T[], token: string | undefined, size: number): { items: T[]; next?: string } {
  const start = token ? Number(token) : 0;
  const slice = items.slice(start, start + size);
  return start + size < items.length ? { items: slice, next: String(start + size) } : { items: slice };
}

export interface FakeAwsOptions {
  /** Items per page (default 2, so every list of more than two spans pages). */
  readonly pageSize?: number;
  /** Calls that fail, by command name (`DescribeNetworkAclsCommand`), with the error to throw. */
  readonly fail?: Readonly<Record<string, Error>>;
  /** Asked at every call: an error to throw now (a test switches failures on and off). */
  readonly failure?: (command: string) => Error | undefined;
  /**
   * 'instances' (default) builds clients and mocks them; 'classes' mocks every client the code
   * under test creates itself (the CLI path); 'wire' builds clients whose requests are answered
   * beneath the SDK's retry middleware, so its real retry strategy (adaptive mode, backoff, the
   * client-side rate limiter) handles throttling — see latencyMs and throttleEvery.
   */
  readonly mode?: 'instances' | 'classes' | 'wire';
  /** 'wire' mode: milliseconds before each answer (a distant endpoint). */
  readonly latencyMs?: number;
  /** 'wire' mode: every n-th request fails with EC2's RequestLimitExceeded (HTTP 503). */
  readonly throttleEvery?: number;
  /** 'wire' mode: the clients' retry mode and attempts (default adaptive, 6). */
  readonly retryMode?: 'standard' | 'adaptive';
  readonly maxAttempts?: number;
}

export interface RecordedCall {
  readonly command: string;
  readonly input: Json;
  /** 'wire' mode: which EC2 client sent it: 0 for `ec2`, n for `ec2Chains[n - 1]`. */
  readonly ec2Client?: number;
}

export interface FakeAws {
  readonly clients: AwsClients;
  /** Calls answered (in 'wire' mode each attempt, throttled ones included). */
  readonly calls: RecordedCall[];
  /** 'wire' mode: requests refused with RequestLimitExceeded. */
  readonly throttled: number;
  /** 'wire' mode: the most requests being answered at one time. */
  readonly peakInFlight: number;
  /** 'wire' mode: the most requests of one command (`DescribeInstancesCommand`) answered at one time. */
  peakInFlightOf(command: string): number;
  /** Inputs of every call of one command. */
  inputs(command: string): Json[];
  restore(): void;
}

export function fakeAws(world: AwsWorld, options: FakeAwsOptions = {}): FakeAws {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const size = options.pageSize ?? 2;
  const wire = options.mode === 'wire';
  const config = {
    region: world.region,
    credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
    ...(wire ? { retryMode: options.retryMode ?? 'adaptive', maxAttempts: options.maxAttempts ?? 6 } : {}),
  };
  const clients: AwsClients = {
    ec2: new EC2Client(config),
    // 'wire' mode serves any client it adds its middleware to: one EC2 client per chain, as
    // makeAwsClients builds them (the mocks of the other modes answer one client instance).
    ...(wire
      ? { ec2Chains: Array.from({ length: DEFAULT_AWS_CONCURRENCY - 1 }, () => new EC2Client(config)) }
      : {}),
    eks: new EKSClient(config),
    sts: new STSClient(config),
  };
  const classes = options.mode === 'classes';
  // Each command's answer, registered with aws-sdk-client-mock (which replaces `send`, so no SDK
  // middleware runs) or, in 'wire' mode, served by a middleware beneath the SDK's retry step.
  const answers = new Map<string, (input: Json) => Json>();
  const mocks: ReturnType<typeof mockClient>[] = [];
  const register = (client: EC2Client | EKSClient | STSClient, cls: unknown) => {
    const mock = wire ? undefined : mockClient((classes ? cls : client) as STSClient);
    if (mock) mocks.push(mock);
    return {
      on: (command: { name: string }) => ({
        callsFake: <I extends Json>(fn: (input: I) => Json) => {
          answers.set(command.name, fn as (input: Json) => Json);
          (mock?.on as ((c: unknown) => { callsFake: (f: unknown) => void }) | undefined)?.(
            command,
          ).callsFake(fn);
        },
      }),
    };
  };
  const ec2 = register(clients.ec2, EC2Client);
  const eks = register(clients.eks, EKSClient);
  const sts = register(clients.sts, STSClient);
  const calls: RecordedCall[] = [];
  // 'wire' mode: the EC2 client whose request is being answered (answers are synchronous).
  let sender: number | undefined;
  const handler =
    <I extends Json>(command: string, answer: (input: I) => Json) =>
    (input: I): Json => {
      // Paginators reuse and mutate one input object: keep a copy of what was sent.
      calls.push({
        command,
        input: structuredClone(input),
        ...(sender === undefined ? {} : { ec2Client: sender }),
      });
      const failure = options.fail?.[command] ?? options.failure?.(command);
      if (failure) throw failure;
      return answer(input);
    };
  const describe =
    (command: string, key: string, items: () => Json[], fields: Fields) =>
    (input: { Filters?: Filter[]; NextToken?: string }): Json => {
      const { items: slice, next } = page(
        applyFilters(command, items(), input.Filters, fields),
        input.NextToken,
        size,
      );
      return { [key]: slice, ...(next ? { NextToken: next } : {}) };
    };

  sts.on(GetCallerIdentityCommand).callsFake(
    handler('GetCallerIdentityCommand', () => ({
      Account: world.accountId,
      Arn: `arn:aws:sts::${world.accountId}:assumed-role/netcheck/session`,
      UserId: 'AROAFAKE:session',
    })),
  );
  eks.on(DescribeClusterCommand).callsFake(
    handler('DescribeClusterCommand', (input: { name?: string }) => {
      if (input.name !== world.cluster.name)
        throw new ResourceNotFoundException({
          message: `No cluster found for name: ${input.name}.`,
          $metadata: { httpStatusCode: 404 },
        });
      return { cluster: world.cluster };
    }),
  );
  eks.on(ListNodegroupsCommand).callsFake(
    handler('ListNodegroupsCommand', (input: { nextToken?: string }) => {
      const names = world.nodegroups.map((n) => n.nodegroupName as string);
      const { items, next } = page(names, input.nextToken, size);
      return { nodegroups: items, ...(next ? { nextToken: next } : {}) };
    }),
  );
  eks.on(DescribeNodegroupCommand).callsFake(
    handler('DescribeNodegroupCommand', (input: { nodegroupName?: string }) => ({
      nodegroup: world.nodegroups.find((n) => n.nodegroupName === input.nodegroupName),
    })),
  );

  ec2.on(DescribeInstancesCommand).callsFake(
    handler('DescribeInstancesCommand', (input: { Filters?: Filter[]; NextToken?: string }) => {
      // The instances as they stand, each with its reservation beside it (not copied into it: a
      // bench asks 50 times for 200 instances among 10,000).
      const reservationOf = new Map<Json, Json>();
      for (const r of world.reservations)
        for (const instance of (r.Instances as Json[]) ?? []) reservationOf.set(instance, r);
      const matched = applyFilters('DescribeInstancesCommand', [...reservationOf.keys()], input.Filters, {
        'instance-id': (i) => [i.InstanceId as string],
        'vpc-id': (i) => [i.VpcId as string],
      });
      // Matching instances regrouped under their reservations, as EC2 answers.
      const reservations = new Map<Json, Json[]>();
      for (const instance of matched) {
        const r = reservationOf.get(instance)!;
        const list = reservations.get(r);
        if (list) list.push(instance);
        else reservations.set(r, [instance]);
      }
      const all = [...reservations].map(([r, list]) => ({ ...r, Instances: list }));
      const { items, next } = page(all, input.NextToken, size);
      return { Reservations: items, ...(next ? { NextToken: next } : {}) };
    }),
  );
  ec2.on(DescribeNetworkInterfacesCommand).callsFake(
    handler(
      'DescribeNetworkInterfacesCommand',
      describe('DescribeNetworkInterfacesCommand', 'NetworkInterfaces', () => world.networkInterfaces, {
        'vpc-id': (e) => [e.VpcId as string],
        'attachment.instance-id': (e) => [
          (e.Attachment as Json | undefined)?.InstanceId as string | undefined,
        ],
        description: (e) => [e.Description as string],
        'group-id': (e) => ((e.Groups as Json[]) ?? []).map((g) => g.GroupId as string),
      }),
    ),
  );
  ec2.on(DescribeSecurityGroupsCommand).callsFake(
    handler(
      'DescribeSecurityGroupsCommand',
      describe('DescribeSecurityGroupsCommand', 'SecurityGroups', () => world.securityGroups, {
        'group-id': (g) => [g.GroupId as string],
        'vpc-id': (g) => [g.VpcId as string],
      }),
    ),
  );
  const byVpc = { 'vpc-id': (x: Json) => [x.VpcId as string] };
  ec2.on(DescribeSubnetsCommand).callsFake(
    handler(
      'DescribeSubnetsCommand',
      describe('DescribeSubnetsCommand', 'Subnets', () => world.subnets, byVpc),
    ),
  );
  ec2.on(DescribeNetworkAclsCommand).callsFake(
    handler(
      'DescribeNetworkAclsCommand',
      describe('DescribeNetworkAclsCommand', 'NetworkAcls', () => world.networkAcls, byVpc),
    ),
  );
  ec2.on(DescribeVpcsCommand).callsFake(
    handler(
      'DescribeVpcsCommand',
      describe('DescribeVpcsCommand', 'Vpcs', () => world.vpcs, byVpc),
    ),
  );
  const byPrefixList = { 'prefix-list-id': (x: Json) => [x.PrefixListId as string] };
  ec2.on(DescribeManagedPrefixListsCommand).callsFake(
    handler(
      'DescribeManagedPrefixListsCommand',
      describe(
        'DescribeManagedPrefixListsCommand',
        'PrefixLists',
        () => world.managedPrefixLists,
        byPrefixList,
      ),
    ),
  );
  ec2.on(DescribePrefixListsCommand).callsFake(
    handler(
      'DescribePrefixListsCommand',
      describe('DescribePrefixListsCommand', 'PrefixLists', () => world.servicePrefixLists, byPrefixList),
    ),
  );
  ec2.on(GetManagedPrefixListEntriesCommand).callsFake(
    handler('GetManagedPrefixListEntriesCommand', (input: { PrefixListId?: string; NextToken?: string }) => {
      const entries = world.prefixListEntries[input.PrefixListId ?? ''];
      if (!entries)
        throw awsError(
          'InvalidPrefixListID.NotFound',
          `The prefix list ID '${input.PrefixListId}' does not exist`,
        );
      const { items, next } = page(entries, input.NextToken, size);
      return { Entries: items, ...(next ? { NextToken: next } : {}) };
    }),
  );

  let throttled = 0;
  let inFlight = 0;
  let peakInFlight = 0;
  const ofCommand = new Map<string, { now: number; peak: number }>();
  if (wire) {
    let requests = 0;
    const ec2Clients = [clients.ec2, ...(clients.ec2Chains ?? [])];
    for (const client of [...ec2Clients, clients.eks, clients.sts] as {
      middlewareStack: MiddlewareStack;
    }[]) {
      const index = ec2Clients.indexOf(client as EC2Client);
      client.middlewareStack.add(
        (_next: unknown, context: { commandName?: string }) => async (args: { input: Json }) => {
          const command = context.commandName ?? '';
          const answer = answers.get(command);
          if (!answer) throw new Error(`fake AWS: no answer for ${command}`);
          // The request's own number, taken as it arrives: read after the latency, the counter
          // would have moved on with the requests that arrived meanwhile (several calls in flight
          // would all see the same multiple of throttleEvery, and all be refused).
          const number = ++requests;
          inFlight++;
          peakInFlight = Math.max(peakInFlight, inFlight);
          const mine = ofCommand.get(command) ?? { now: 0, peak: 0 };
          ofCommand.set(command, mine);
          mine.now++;
          mine.peak = Math.max(mine.peak, mine.now);
          try {
            if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
          } finally {
            inFlight--;
            mine.now--;
          }
          if (options.throttleEvery && number % options.throttleEvery === 0) {
            throttled++;
            calls.push({
              command,
              input: structuredClone(args.input),
              ...(index < 0 ? {} : { ec2Client: index }),
            });
            throw new EC2ServiceException({
              name: 'RequestLimitExceeded',
              $fault: 'client',
              message: 'Request limit exceeded.',
              $metadata: { httpStatusCode: 503, requestId: 'fake-request' },
            });
          }
          sender = index < 0 ? undefined : index;
          let output: Json;
          try {
            output = answer(args.input);
          } finally {
            sender = undefined;
          }
          return {
            response: { statusCode: 200, headers: {} },
            output: { $metadata: { httpStatusCode: 200, requestId: 'fake-request' }, ...output },
          };
        },
        // Outermost in the deserialize step: inside the retry step, before any HTTP is sent.
        { step: 'deserialize', priority: 'high', name: 'fakeAwsWire' },
      );
    }
  }

  return {
    clients,
    calls,
    get throttled() {
      return throttled;
    },
    get peakInFlight() {
      return peakInFlight;
    },
    peakInFlightOf: (command) => ofCommand.get(command)?.peak ?? 0,
    inputs: (command) => calls.filter((c) => c.command === command).map((c) => c.input),
    restore: () => {
      for (const mock of mocks) mock.restore();
    },
  };
}
