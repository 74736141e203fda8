/**
 * The AWS collector through the real SDK v3 clients: against aws-sdk-client-mock serving the
 * dgxc-multi-sg account (filters applied, answers paged), and against a local HTTP endpoint for the
 * SDK's own retry on throttling. Covers scoping, pagination, reference following and each failure.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { AccessDeniedException, EKSClient } from '@aws-sdk/client-eks';
import { ExpiredTokenException, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import {
  collectCluster,
  collectNetwork,
  makeAwsClients,
  startNetwork,
  type AwsClients,
  type NetworkCapture,
} from '../../../src/live/collect/aws.ts';
import { readSharedProfiles } from '../../../src/live/collect/aws-profiles.ts';
import { CollectError } from '../../../src/live/errors.ts';
import { awsError, fakeAws, loadAwsWorld, type AwsWorld, type FakeAws } from '../../helpers/fake-aws.ts';

const EXAMPLE = 'examples/dgxc-multi-sg';
const VPC = 'vpc-0a82a3006390adbef';
const CLUSTER = 'dgxc-h100';
const SYSTEM_SG = 'sg-0280e97ae16fcd306';
const NODES = [
  'i-0913b24bf611da270',
  'i-0fcfe5f01ec23f9ec',
  'i-036c73459cb252770',
  'i-0cff807fb469e8cfa',
  'i-022694f2235bfcb8c',
];
const quiet = { clusterName: CLUSTER, progress: () => {} };

type Json = Record<string, unknown>;

/** The example account plus what it lacks: referenced-only groups and prefix lists. */
function richerWorld(): AwsWorld {
  const world = loadAwsWorld(EXAMPLE);
  const system = world.securityGroups.find((g) => g.GroupId === SYSTEM_SG)!;
  (system.IpPermissions as Json[]).push(
    {
      IpProtocol: 'tcp',
      FromPort: 22,
      ToPort: 22,
      UserIdGroupPairs: [{ GroupId: 'sg-0bastion0000000001', UserId: world.accountId }],
    },
    {
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      UserIdGroupPairs: [{ GroupId: 'sg-0peer00000000000001', UserId: '999999999999' }],
    },
    {
      IpProtocol: 'tcp',
      FromPort: 9100,
      ToPort: 9100,
      UserIdGroupPairs: [{ GroupId: 'sg-0deleted000000001', UserId: world.accountId }],
    },
    {
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      PrefixListIds: [{ PrefixListId: 'pl-0c0ffee000000001' }, { PrefixListId: 'pl-68a54001' }],
    },
  );
  world.securityGroups.push(
    {
      GroupId: 'sg-0bastion0000000001',
      GroupName: 'bastion',
      VpcId: VPC,
      OwnerId: world.accountId,
      // A second level of reference: not followed.
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: 22,
          ToPort: 22,
          UserIdGroupPairs: [{ GroupId: 'sg-0level2000000001', UserId: world.accountId }],
        },
      ],
      IpPermissionsEgress: [],
    },
    {
      GroupId: 'sg-0level2000000001',
      GroupName: 'level2',
      VpcId: VPC,
      OwnerId: world.accountId,
      IpPermissions: [],
      IpPermissionsEgress: [],
    },
    {
      GroupId: 'sg-0unrelated000001',
      GroupName: 'other-app',
      VpcId: VPC,
      OwnerId: world.accountId,
      IpPermissions: [],
      IpPermissionsEgress: [],
    },
  );
  world.managedPrefixLists.push(
    {
      PrefixListId: 'pl-0c0ffee000000001',
      PrefixListName: 'corp-vpn',
      AddressFamily: 'IPv4',
      OwnerId: world.accountId,
      MaxEntries: 10,
      Version: 3,
    },
    {
      PrefixListId: 'pl-68a54001',
      PrefixListName: 'com.amazonaws.us-west-2.s3',
      AddressFamily: 'IPv4',
      OwnerId: 'AWS',
    },
  );
  world.prefixListEntries['pl-0c0ffee000000001'] = [
    { Cidr: '192.0.2.0/28', Description: 'office' },
    { Cidr: '198.51.100.0/28', Description: 'vpn a' },
    { Cidr: '203.0.113.0/28', Description: 'vpn b' },
  ];
  world.servicePrefixLists.push({
    PrefixListId: 'pl-68a54001',
    PrefixListName: 'com.amazonaws.us-west-2.s3',
    Cidrs: ['3.5.76.0/22', '18.34.244.0/23'],
  });
  return world;
}

function body(capture: NetworkCapture, path: string): Json {
  const doc = capture.documents.find((d) => d.path === path);
  assert.ok(doc, `${path} collected`);
  return doc.document as Json;
}

async function expectFailure(run: Promise<unknown>, failure: string, message: RegExp): Promise<void> {
  await assert.rejects(run, (err: unknown) => {
    assert.ok(err instanceof CollectError, String(err));
    assert.equal(err.failure, failure);
    assert.match(err.message, message);
    return true;
  });
}

/** Runs `fn` with env vars set (undefined = unset), then puts every one back as it was. */
async function withEnv(vars: Record<string, string | undefined>, fn: () => Promise<void>): Promise<void> {
  const before = Object.fromEntries(Object.keys(vars).map((key) => [key, process.env[key]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(vars);
  try {
    await fn();
  } finally {
    apply(before);
  }
}

async function collectAll(
  clients: AwsClients,
  world: AwsWorld,
  options: { progress?: (line: string) => void; concurrency?: number; instanceIds?: string[] } = {},
) {
  const cluster = await collectCluster(clients, quiet);
  const network = await collectNetwork(
    clients,
    {
      clusterName: CLUSTER,
      vpcId: VPC,
      accountId: world.accountId,
      instanceIds: options.instanceIds ?? NODES,
      groupIds: ['sg-02f8cc0d69d9dbd07', 'sg-0affb20cb8865fd98'],
    },
    {
      ...quiet,
      region: cluster.region,
      ...(options.progress ? { progress: options.progress } : {}),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    },
  );
  return { cluster, network };
}

describe('AWS collection, scoped and paged', () => {
  const world = richerWorld();
  let fake: FakeAws;
  let result: Awaited<ReturnType<typeof collectAll>>;
  before(async () => {
    fake = fakeAws(world, { pageSize: 2 });
    result = await collectAll(fake.clients, world);
  });
  after(() => fake.restore());

  it('reads the account, the cluster and every node group across pages', () => {
    assert.equal(result.cluster.accountId, '123456789012');
    assert.equal(result.cluster.region, 'us-west-2');
    assert.deepEqual(result.cluster.nodegroups.map((n) => n.nodegroupName).sort(), [
      'cpu-inference',
      'gpu-h100',
      'system',
    ]);
    assert.equal(fake.inputs('ListNodegroupsCommand').length, 2, 'three node groups at two per page');
    assert.equal(fake.inputs('ListNodegroupsCommand')[1]!.nextToken, '2');
    assert.deepEqual(fake.inputs('DescribeClusterCommand'), [{ name: CLUSTER }]);
  });

  it('describes only the node instances, by id', () => {
    const inputs = fake.inputs('DescribeInstancesCommand');
    assert.deepEqual(inputs[0]!.Filters, [{ Name: 'instance-id', Values: NODES }]);
    const reservations = body(result.network, 'aws/instances.json').Reservations as Json[];
    const ids = reservations.flatMap((r) => (r.Instances as Json[]).map((i) => i.InstanceId)).sort();
    assert.deepEqual(ids, [...NODES].sort());
    assert.ok(inputs.length >= 3, 'five instances in five reservations, two per page');
  });

  it('describes ENIs by VPC and node: attached, branch (tagged) and the control plane ones', () => {
    const filters = fake.inputs('DescribeNetworkInterfacesCommand').map((i) => JSON.stringify(i.Filters));
    const distinct = [...new Set(filters)];
    assert.deepEqual(
      distinct.map((f) => JSON.parse(f) as unknown),
      [
        [
          { Name: 'vpc-id', Values: [VPC] },
          { Name: 'attachment.instance-id', Values: NODES },
        ],
        [
          { Name: 'vpc-id', Values: [VPC] },
          { Name: 'tag:node.k8s.amazonaws.com/instance_id', Values: NODES },
        ],
        [
          { Name: 'vpc-id', Values: [VPC] },
          { Name: 'description', Values: [`Amazon EKS ${CLUSTER}`] },
        ],
      ],
    );
    const enis = body(result.network, 'aws/network-interfaces.json').NetworkInterfaces as Json[];
    assert.equal(enis.length, world.networkInterfaces.length, 'every ENI of the cluster, once');
    assert.ok(
      fake.inputs('DescribeNetworkInterfacesCommand').some((i) => i.NextToken),
      'NextToken followed',
    );
  });

  it('describes the SGs in use, then one level of same-account references, and nothing else', () => {
    const inputs = fake
      .inputs('DescribeSecurityGroupsCommand')
      .map((i) => i.Filters as { Name: string; Values: string[] }[]);
    assert.ok(inputs.every((f) => f.length === 1 && f[0]!.Name === 'group-id'));
    const requested = new Set(inputs.flatMap((f) => f[0]!.Values));
    assert.ok(requested.has('sg-0bastion0000000001'), 'referenced by a rule');
    assert.ok(!requested.has('sg-0level2000000001'), 'second-level reference not followed');
    assert.ok(!requested.has('sg-0peer00000000000001'), 'another account is not asked');
    assert.ok(!requested.has('sg-0unrelated000001'));
    const groups = (body(result.network, 'aws/security-groups.json').SecurityGroups as Json[])
      .map((g) => g.GroupId)
      .sort();
    assert.deepEqual(groups, [
      'sg-0280e97ae16fcd306',
      'sg-02917b7ce111d49a7',
      'sg-02f8cc0d69d9dbd07',
      'sg-09d5a469bac1fb67c',
      'sg-0affb20cb8865fd98',
      'sg-0bastion0000000001',
    ]);
    assert.ok(result.network.warnings.some((w) => /sg-0peer00000000000001 of account 999999999999/.test(w)));
    assert.ok(
      result.network.warnings.some((w) => /sg-0deleted000000001 is referenced but does not exist/.test(w)),
    );
  });

  it('scopes subnets, NACLs and the VPC by vpc-id', () => {
    for (const command of ['DescribeSubnetsCommand', 'DescribeNetworkAclsCommand', 'DescribeVpcsCommand'])
      for (const input of fake.inputs(command))
        assert.deepEqual(input.Filters, [{ Name: 'vpc-id', Values: [VPC] }], command);
    assert.equal((body(result.network, 'aws/subnets.json').Subnets as Json[]).length, world.subnets.length);
    assert.equal(fake.inputs('DescribeSubnetsCommand').length, Math.ceil(world.subnets.length / 2));
    assert.equal((body(result.network, 'aws/network-acls.json').NetworkAcls as Json[]).length, 1);
  });

  it('reads referenced prefix lists: entries for customer lists, CIDRs for AWS service lists', () => {
    assert.deepEqual(fake.inputs('DescribeManagedPrefixListsCommand')[0]!.Filters, [
      { Name: 'prefix-list-id', Values: ['pl-0c0ffee000000001', 'pl-68a54001'] },
    ]);
    assert.deepEqual(fake.inputs('DescribePrefixListsCommand')[0]!.Filters, [
      { Name: 'prefix-list-id', Values: ['pl-68a54001'] },
    ]);
    const entries = body(result.network, 'aws/prefix-list-entries/pl-0c0ffee000000001.json');
    assert.equal(entries.PrefixListId, 'pl-0c0ffee000000001');
    assert.deepEqual(
      (entries.Entries as Json[]).map((e) => e.Cidr),
      ['192.0.2.0/28', '198.51.100.0/28', '203.0.113.0/28'],
    );
    assert.equal(fake.inputs('GetManagedPrefixListEntriesCommand').length, 2, 'three entries, two per page');
    assert.ok(
      !fake.inputs('GetManagedPrefixListEntriesCommand').some((i) => i.PrefixListId === 'pl-68a54001'),
    );
    const service = body(result.network, 'aws/prefix-lists.json').PrefixLists as Json[];
    assert.deepEqual(service[0]!.Cidrs, ['3.5.76.0/22', '18.34.244.0/23']);
  });

  it('never makes an unfiltered describe call, and only read-only ones', () => {
    for (const call of fake.calls) {
      assert.match(call.command, /^(Describe|List|Get)/);
      if (
        /^Describe(Instances|NetworkInterfaces|SecurityGroups|Subnets|NetworkAcls|Vpcs|ManagedPrefixLists|PrefixLists)/.test(
          call.command,
        )
      )
        assert.ok(
          Array.isArray(call.input.Filters) && (call.input.Filters as unknown[]).length > 0,
          call.command,
        );
    }
  });

  it('writes the CLI shapes: PascalCase keys, timestamps as strings, no SDK metadata', () => {
    const instance = (body(result.network, 'aws/instances.json').Reservations as { Instances: Json[] }[])[0]!
      .Instances[0]!;
    assert.equal(typeof instance.LaunchTime, 'string');
    assert.match(instance.LaunchTime as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const cluster = result.cluster.documents.find((d) => d.path === 'aws/describe-cluster.json')!
      .document as { cluster: Json };
    assert.equal(typeof cluster.cluster.createdAt, 'string');
    assert.ok(!JSON.stringify(result.network.documents.map((d) => d.document)).includes('$metadata'));
  });
});

describe('AWS failures', () => {
  const world = loadAwsWorld(EXAMPLE);
  const denied = (action: string) =>
    awsError(
      'UnauthorizedOperation',
      `You are not authorized to perform this operation. User: arn:aws:sts::123456789012:assumed-role/readonly/s is not authorized to perform: ${action}`,
      403,
    );

  it('names the IAM action that was denied', async () => {
    const fake = fakeAws(world, { fail: { DescribeNetworkAclsCommand: denied('ec2:DescribeNetworkAcls') } });
    try {
      await expectFailure(
        collectAll(fake.clients, world),
        'access-denied',
        /AWS denied ec2:DescribeNetworkAcls \(UnauthorizedOperation\): grant .*ec2:DescribeNetworkAcls/,
      );
    } finally {
      fake.restore();
    }
  });

  it('names eks:DescribeCluster when EKS denies it', async () => {
    const error = new AccessDeniedException({
      message: 'User is not authorized to perform: eks:DescribeCluster',
      $metadata: { httpStatusCode: 403 },
    });
    const fake = fakeAws(world, { fail: { DescribeClusterCommand: error } });
    try {
      await expectFailure(collectCluster(fake.clients, quiet), 'access-denied', /eks:DescribeCluster/);
    } finally {
      fake.restore();
    }
  });

  it('says an unknown cluster is not found in the region', async () => {
    const fake = fakeAws(world);
    try {
      await expectFailure(
        collectCluster(fake.clients, { ...quiet, clusterName: 'dgxc-h200' }),
        'not-found',
        /EKS cluster dgxc-h200 not found in us-west-2: check --cluster and --region/,
      );
    } finally {
      fake.restore();
    }
  });

  it('tells how to log in again when the token expired', async () => {
    const error = new ExpiredTokenException({
      message: 'The security token included in the request is expired',
      $metadata: { httpStatusCode: 400 },
    });
    const fake = fakeAws(world, { fail: { GetCallerIdentityCommand: error } });
    try {
      await expectFailure(
        collectCluster(fake.clients, { ...quiet, profile: 'dgxc' }),
        'credentials',
        /credentials are missing or expired \(ExpiredTokenException.*aws sso login --profile dgxc/,
      );
    } finally {
      fake.restore();
    }
  });

  it('says "throttled" when throttling outlasts the retries', async () => {
    const fake = fakeAws(world, {
      fail: {
        DescribeSecurityGroupsCommand: awsError('RequestLimitExceeded', 'Request limit exceeded.', 503, 6),
      },
    });
    try {
      await expectFailure(
        collectAll(fake.clients, world),
        'throttled',
        /AWS throttled ec2:DescribeSecurityGroups \(RequestLimitExceeded\) after 6 attempts/,
      );
    } finally {
      fake.restore();
    }
  });

  /** Shared AWS files in a temporary folder: `[profile dgxc]` and `[default]` in config, `[keys]` in credentials. */
  const awsFiles = (() => {
    const dir = mkdtempSync(join(tmpdir(), 'netcheck-aws-files-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const config = join(dir, 'config');
    const credentials = join(dir, 'credentials');
    writeFileSync(
      config,
      '[default]\nregion = us-west-2\n\n[profile dgxc]\nregion = us-west-2\n\n[sso-session corp]\nsso_region = us-east-1\n',
    );
    writeFileSync(credentials, '[keys]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n');
    return { config, credentials };
  })();
  /** The real provider chain with only the files above: no keys in env, no IMDS. */
  const chainEnv = (vars: Record<string, string | undefined> = {}) => ({
    ...Object.fromEntries(
      Object.keys(process.env)
        .filter((key) =>
          /^AWS_(ACCESS|SECRET|SESSION|PROFILE|WEB_IDENTITY|ROLE|CONTAINER|REGION|DEFAULT_REGION)/.test(key),
        )
        .map((key) => [key, undefined]),
    ),
    AWS_CONFIG_FILE: awsFiles.config,
    AWS_SHARED_CREDENTIALS_FILE: awsFiles.credentials,
    AWS_EC2_METADATA_DISABLED: 'true',
    ...vars,
  });

  it('reports missing credentials from the real provider chain (a profile without keys or login, no IMDS)', async () => {
    await withEnv(chainEnv(), () =>
      expectFailure(
        collectCluster(makeAwsClients({ region: 'us-west-2', profile: 'dgxc' }), {
          ...quiet,
          profile: 'dgxc',
        }),
        'credentials',
        /CredentialsProviderError.*sts:GetCallerIdentity.*aws sso login --profile dgxc/,
      ),
    );
  });

  it('a --profile no shared file defines is "no such profile", not "log in again" (with or without --region)', async () => {
    for (const region of ['us-west-2', undefined])
      await withEnv(chainEnv(), async () => {
        const run = collectCluster(makeAwsClients({ ...(region ? { region } : {}), profile: 'dgxcc' }), {
          ...quiet,
          profile: 'dgxcc',
        });
        await assert.rejects(run, (err: unknown) => {
          assert.ok(err instanceof CollectError, String(err));
          assert.equal(err.failure, 'config');
          assert.equal(
            err.message.split('. ')[0],
            `no such profile dgxcc: ${awsFiles.config} and ${awsFiles.credentials} define default, dgxc, keys`,
          );
          assert.doesNotMatch(err.message, /sso login|expired|region/);
          return true;
        });
      });
  });

  it('AWS_PROFILE naming no profile is "no such profile" too, and says it came from AWS_PROFILE', async () => {
    await withEnv(chainEnv({ AWS_PROFILE: 'nope' }), () =>
      expectFailure(
        collectCluster(makeAwsClients({ region: 'us-west-2' }), quiet),
        'config',
        /^no such profile nope \(AWS_PROFILE\): /,
      ),
    );
  });

  it('reads profiles as the SDK does: [profile NAME] and [default] in config, bare names in credentials', () => {
    const shared = readSharedProfiles(
      { AWS_CONFIG_FILE: awsFiles.config, AWS_SHARED_CREDENTIALS_FILE: awsFiles.credentials },
      '/nonexistent-home',
    );
    assert.deepEqual([...shared.names].sort(), ['default', 'dgxc', 'keys']);
    assert.deepEqual(shared.files, [awsFiles.config, awsFiles.credentials]);
    const home = readSharedProfiles({}, '/nonexistent-home');
    assert.deepEqual(home.files, ['/nonexistent-home/.aws/config', '/nonexistent-home/.aws/credentials']);
    assert.equal(home.names.size, 0);
  });

  it('asks for a region when none is configured', async () => {
    await withEnv(
      {
        AWS_REGION: undefined,
        AWS_DEFAULT_REGION: undefined,
        AWS_PROFILE: undefined,
        AWS_CONFIG_FILE: '/nonexistent/aws-config',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      () =>
        expectFailure(collectCluster(makeAwsClients({}), quiet), 'config', /no AWS region: pass --region/),
    );
  });
});

describe('AWS retry on throttling (real SDK over HTTP)', () => {
  let server: Server;
  let throttleFirst = 0;
  const seen: string[] = [];
  const world = loadAwsWorld(EXAMPLE);
  before(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (throttleFirst > 0) {
        throttleFirst -= 1;
        res.writeHead(429, { 'content-type': 'application/json', 'x-amzn-errortype': 'ThrottlingException' });
        res.end(JSON.stringify({ message: 'Rate exceeded' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url?.startsWith(`/clusters/${CLUSTER}/node-groups`))
        res.end(JSON.stringify({ nodegroups: [] }));
      // EKS speaks REST-JSON with timestamps as epoch seconds.
      else
        res.end(
          JSON.stringify({ cluster: world.cluster }, (key, value: unknown) =>
            /At$/.test(key) && typeof value === 'string' ? Date.parse(value) / 1000 : value,
          ),
        );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function clients(maxAttempts: number): { clients: AwsClients; restore: () => void } {
    const config = {
      region: 'us-west-2',
      credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
      maxAttempts,
    };
    const sts = new STSClient(config);
    const stub = mockClient(sts);
    stub.on(GetCallerIdentityCommand).resolves({ Account: world.accountId });
    const eks = new EKSClient({
      ...config,
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    });
    return {
      clients: { sts, eks, ec2: makeAwsClients({ region: 'us-west-2' }).ec2 },
      restore: () => stub.restore(),
    };
  }

  it('retries a throttled call and goes on', async () => {
    seen.length = 0;
    throttleFirst = 1;
    const { clients: c, restore } = clients(3);
    try {
      const capture = await collectCluster(c, quiet);
      assert.equal(capture.cluster.name, CLUSTER);
      assert.deepEqual(seen.slice(0, 2), [`GET /clusters/${CLUSTER}`, `GET /clusters/${CLUSTER}`]);
    } finally {
      restore();
    }
  });

  it('gives up after maxAttempts and says throttled', async () => {
    seen.length = 0;
    throttleFirst = 100;
    const { clients: c, restore } = clients(2);
    try {
      await expectFailure(
        collectCluster(c, quiet),
        'throttled',
        /AWS throttled eks:DescribeCluster \(ThrottlingException\) after 2 attempts/,
      );
      assert.equal(seen.length, 2);
    } finally {
      restore();
      throttleFirst = 0;
    }
  });
});

describe('AWS pacing: parallel pages, throttling retried by the SDK', () => {
  it('builds clients in adaptive retry mode', async () => {
    const mode = makeAwsClients({ region: 'us-west-2' }).ec2.config.retryMode;
    assert.equal(typeof mode === 'string' ? mode : await mode(), 'adaptive');
  });

  it('collects the same documents when EC2 throttles, the SDK retrying each refused call', async () => {
    const world = richerWorld();
    const plain = fakeAws(world, { pageSize: 2 });
    let expected: Awaited<ReturnType<typeof collectAll>>;
    try {
      expected = await collectAll(plain.clients, world);
    } finally {
      plain.restore();
    }
    // Standard mode here: the same retry of each refused call, without adaptive mode's client-side
    // rate limit, which on a client throttled within its first half second (before it has measured
    // its own rate) falls to its floor of 0.5 requests a second — 15 s for this small account.
    // `npm run bench -- --live` measures the adaptive mode the collector uses.
    const fake = fakeAws(world, { pageSize: 2, mode: 'wire', throttleEvery: 6, retryMode: 'standard' });
    const lines: string[] = [];
    const got = await collectAll(fake.clients, world, { progress: (line) => lines.push(line) });
    assert.ok(fake.throttled >= 3, `throttled ${fake.throttled}`);
    assert.deepEqual(got.network.documents, expected.network.documents);
    assert.deepEqual(got.network.warnings, expected.network.warnings);
    // The EC2 calls: every attempt the fake answered but the cluster-level EKS/STS ones.
    const ec2Calls = fake.calls.filter((c) => !/Cluster|Nodegroup|CallerIdentity/.test(c.command)).length;
    assert.equal(got.network.meter.calls, ec2Calls);
    assert.equal(got.network.meter.pages + got.network.meter.retried, ec2Calls);
    assert.ok(got.network.meter.retried > 0);
    assert.equal(
      lines.at(-1),
      `EC2: ${got.network.meter.pages} pages (${ec2Calls} calls, ${got.network.meter.retried} retried)`,
    );
  });

  it('the wire fake refuses 1 request in throttleEvery, however many are in flight', async () => {
    const world = richerWorld();
    // One attempt each: 8 requests at once, all in flight together during the latency.
    const fake = fakeAws(world, { mode: 'wire', latencyMs: 20, throttleEvery: 4, maxAttempts: 1 });
    const settled = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        fake.clients.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'vpc-id', Values: [VPC] }] })),
      ),
    );
    assert.equal(fake.throttled, 2, 'the 4th and the 8th');
    assert.equal(settled.filter((s) => s.status === 'rejected').length, 2);
  });

  it('describes the subnets, NACLs and the VPC before the nodes are known', async () => {
    const world = richerWorld();
    const fake = fakeAws(world, { pageSize: 2, mode: 'wire', latencyMs: 5 });
    const start = startNetwork(
      fake.clients,
      { clusterName: CLUSTER, vpcId: VPC, accountId: world.accountId },
      { ...quiet, region: 'us-west-2' },
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const asked = new Set(fake.calls.map((c) => c.command));
    assert.deepEqual(
      [...asked].sort(),
      ['DescribeNetworkAclsCommand', 'DescribeSubnetsCommand', 'DescribeVpcsCommand'],
      'nothing scoped by the nodes yet',
    );
    const network = await start.finish({ instanceIds: NODES, groupIds: [] });
    // The documents in the order collectNetwork gives them: instances, ENIs, SGs, then these three.
    assert.deepEqual(
      network.documents.slice(0, 6).map((d) => d.path),
      [
        'aws/instances.json',
        'aws/network-interfaces.json',
        'aws/security-groups.json',
        'aws/subnets.json',
        'aws/network-acls.json',
        'aws/vpcs.json',
      ],
    );
  });

  it('sends each chain of calls side by side through an EC2 client of its own', async () => {
    const clients = makeAwsClients({ region: 'us-west-2' });
    assert.equal(clients.ec2Chains?.length, 3, 'one client for each of the 4 chains but the first');
    assert.equal(new Set([clients.ec2, ...clients.ec2Chains!]).size, 4);
    const world = richerWorld();
    // 700 instance ids: four filter chunks of at most 200, read by four workers at once.
    const instanceIds = [
      ...NODES,
      ...Array.from({ length: 695 }, (_, i) => `i-${(i + 1).toString(16).padStart(17, '0')}`),
    ];
    const fake = fakeAws(world, { pageSize: 2, mode: 'wire', latencyMs: 15 });
    await collectAll(fake.clients, world, { instanceIds, concurrency: 4 });
    const senders = fake.calls
      .filter((c) => c.command === 'DescribeInstancesCommand')
      .map((c) => c.ec2Client);
    assert.deepEqual([...new Set(senders)].sort(), [0, 1, 2, 3]);
  });

  it('writes hundreds of network interfaces (made plain JSON a few hundred per turn) whole, in order', async () => {
    const world = richerWorld();
    const model = world.networkInterfaces.find((e) => (e as { Attachment?: unknown }).Attachment)!;
    // 450 more on the first node: three turns of at most 200.
    for (let i = 0; i < 450; i++)
      world.networkInterfaces.push({
        ...model,
        NetworkInterfaceId: `eni-${(i + 1).toString(16).padStart(17, '0')}`,
        PrivateIpAddress: `10.99.${i >> 8}.${i & 255}`,
      });
    const fake = fakeAws(world, { pageSize: 1000 });
    try {
      const got = await collectAll(fake.clients, world);
      const enis = body(got.network, 'aws/network-interfaces.json').NetworkInterfaces as Json[];
      const ids = (list: readonly Json[]) => list.map((e) => e.NetworkInterfaceId as string).sort();
      assert.equal(enis.length, world.networkInterfaces.length);
      assert.deepEqual(ids(enis), ids(world.networkInterfaces as Json[]));
      assert.equal(new Set(ids(enis)).size, enis.length, 'none twice');
      const doc = got.network.documents.find((d) => d.path === 'aws/network-interfaces.json')!;
      assert.equal(doc.count, enis.length);
      assert.ok(!JSON.stringify(enis).includes('$metadata'));
    } finally {
      fake.restore();
    }
  });

  it('keeps up to `concurrency` calls of one kind in flight, and their items in input order', async () => {
    const world = richerWorld();
    // 450 instance ids: three filter chunks of at most 200 (EC2's limit per filter).
    const instanceIds = [
      ...NODES,
      ...Array.from({ length: 445 }, (_, i) => `i-${(i + 1).toString(16).padStart(17, '0')}`),
    ];
    const plain = fakeAws(world, { pageSize: 2 });
    let one: Awaited<ReturnType<typeof collectAll>>;
    try {
      one = await collectAll(plain.clients, world, { instanceIds, concurrency: 1 });
    } finally {
      plain.restore();
    }
    const fake = fakeAws(world, { pageSize: 2, mode: 'wire', latencyMs: 15 });
    const got = await collectAll(fake.clients, world, { instanceIds, concurrency: 3 });
    assert.equal(fake.peakInFlightOf('DescribeInstancesCommand'), 3);
    assert.deepEqual(got.network.documents, one.network.documents);
    const serial = fakeAws(world, { pageSize: 2, mode: 'wire', latencyMs: 15 });
    await collectAll(serial.clients, world, { instanceIds, concurrency: 1 });
    assert.equal(serial.peakInFlightOf('DescribeInstancesCommand'), 1);
  });
});
