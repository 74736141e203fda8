/**
 * `snapshot` and `analyze --live` through the real command line: the SDK clients against the fake
 * dgxc-multi-sg account, client-node against the fake API server. The round trip (collect → write
 * → analyze) must give the verdict, flows and fix that analyzing examples/dgxc-multi-sg gives; each
 * failure exits 2 with a clear message and leaves no directory behind.
 */
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import YAML from 'yaml';
import { analyzeSnapshot } from '../../../src/questions/analyze.ts';
import type { Diagnosis } from '../../../src/questions/diagnose/types.ts';
import type { AnalysisResult } from '../../../src/questions/analyze.ts';
import { progressReporter } from '../../../src/cli/snapshot-source.ts';
import { loadSnapshot } from '../../../src/snapshot/load.ts';
import { startCli, type CliWorker } from '../../helpers/cli-in-worker.ts';
import {
  loadKubeObjects,
  namespacesOf,
  startFakeKubeApi,
  type FakeKubeApi,
} from '../../helpers/fake-kube-api.ts';

const EXAMPLE = 'examples/dgxc-multi-sg';
const objects = loadKubeObjects(`${EXAMPLE}/k8s`);
const served = [...objects, ...namespacesOf(objects)];

const scratch = mkdtempSync(join(tmpdir(), 'netcheck-snapshot-cli-'));
// One CLI worker for the file: its start-up (Node, tsx, the SDKs) is the slow part.
const cli: CliWorker = startCli(EXAMPLE);
after(async () => {
  await cli.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** What must not change between a hand-made snapshot and a collected one (origins name files, so they may). */
function essence(result: AnalysisResult) {
  return {
    verdict: result.verdict,
    dynamo: result.dynamo.version,
    cluster: result.cluster,
    summary: result.summary,
    flows: result.flows.map((f) => ({
      id: f.id,
      requirement: f.requirement,
      protocol: f.protocol,
      port: f.port,
      source: { ...f.source, placement: undefined },
      destination: { ...f.destination, placement: undefined },
      status: f.status,
      reason: f.reason,
      fixedBy: f.fixedBy,
    })),
    remediation: result.remediation.map((r) => r.command),
  };
}

describe('snapshot and analyze --live on the command line', () => {
  let api: FakeKubeApi;
  let kubeconfig: string;
  let base: string[];
  before(async () => {
    api = await startFakeKubeApi({ objects: served, pageSize: 4, absentCrds: ['securitygrouppolicies'] });
    kubeconfig = join(scratch, 'kubeconfig');
    writeFileSync(kubeconfig, api.kubeconfigYaml());
    base = ['--cluster', 'dgxc-h100', '--region', 'us-west-2', '--kubeconfig', kubeconfig];
  });
  after(() => api.close());

  it('snapshot → analyze gives the same verdict, flows and fix as the hand-made example', async () => {
    const dir = join(scratch, 'snap');
    const run = await cli.run(['snapshot', ...base, '-d', dir]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^wrote \\d+ files to ${dir}\\n$`));
    const collected = analyzeSnapshot(await loadSnapshot(dir));
    const byHand = analyzeSnapshot(await loadSnapshot(EXAMPLE));
    assert.equal(collected.verdict, 'fail');
    assert.deepEqual(essence(collected), essence(byHand));
    assert.ok(collected.remediation.length === 3);
  });

  it('writes the files the loader reads, a manifest, and no secrets', async () => {
    const dir = join(scratch, 'snap');
    const files = readdirSync(dir, { recursive: true }).map(String).sort();
    for (const expected of [
      'manifest.json',
      'aws/describe-cluster.json',
      'aws/nodegroup-gpu-h100.json',
      'aws/instances.json',
      'aws/network-interfaces.json',
      'aws/security-groups.json',
      'aws/subnets.json',
      'aws/network-acls.json',
      'aws/vpcs.json',
      'k8s/nodes.json',
      'k8s/pods.json',
      'k8s/eniconfigs.json',
      'k8s/daemonsets.json',
    ])
      assert.ok(files.includes(expected), expected);
    assert.ok(!files.some((f) => f.startsWith('logs')), 'no logs without --logs');
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(manifest.apiVersion, 'dynamo-netcheck/v1');
    assert.equal(manifest.kind, 'SnapshotManifest');
    assert.equal(manifest.cluster, 'dgxc-h100');
    assert.equal(manifest.region, 'us-west-2');
    assert.equal(manifest.accountId, '123456789012');
    assert.equal(
      manifest.toolVersion,
      (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version,
    );
    assert.ok(!Number.isNaN(Date.parse(manifest.createdAt as string)));
    assert.ok((manifest.collected as string[]).includes('NetworkAcls'));
    assert.ok((manifest.absent as string[])[0]!.startsWith('SecurityGroupPolicy'));
    const everything = files
      .filter((f) => f.endsWith('.json'))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n');
    assert.ok(!everything.includes('not-a-real-token'), 'no kubeconfig token');
    assert.ok(!everything.includes('managedFields'));
    assert.ok(!everything.includes('last-applied-configuration'));
    assert.ok(everything.includes('"value": "<redacted>"'));
  });

  it('analyze --live gives the same JSON report as analyzing the example', async () => {
    const live = await cli.run(['analyze', '--live', ...base, '-o', 'json']);
    const offline = await cli.run(['analyze', EXAMPLE, '-o', 'json']);
    assert.equal(live.code, 1, live.stderr);
    assert.equal(offline.code, 1);
    assert.deepEqual(
      essence(JSON.parse(live.stdout) as AnalysisResult),
      essence(JSON.parse(offline.stdout) as AnalysisResult),
    );
    assert.ok(!/NodeVersionSupportWarning/.test(live.stderr));
  });

  it('keeps stderr free of progress when it is not a terminal; warnings still show', async () => {
    const run = await cli.run(['analyze', '--live', ...base, '-o', 'json']);
    assert.ok(!/pods: \d+/.test(run.stderr), run.stderr);
    assert.match(
      run.stderr,
      /warning: the kubeconfig points at http:\/\/127\.0\.0\.1:\d+, not at the endpoint of EKS cluster dgxc-h100/,
    );
  });

  it('writes progress lines with counts on a terminal, none with --quiet', () => {
    const lines: string[] = [];
    const tty = { isTTY: true, write: (text: string) => lines.push(text) };
    progressReporter(tty, false)('pods: 18');
    progressReporter(tty, true)('pods: 18');
    progressReporter({ isTTY: false, write: (text: string) => lines.push(text) }, false)('nodes: 5');
    assert.deepEqual(lines, ['dynamo-netcheck: pods: 18\n']);
  });

  it('captures pod logs with --logs', async () => {
    const logsApi = await startFakeKubeApi({
      objects: served,
      logs: {
        'dynamo-workload/vllm-agg-frontend-gmjjwhgmc-4vhr7/main/previous':
          'Exception: Failed to connect to NATS: timed out\n',
      },
    });
    const config = join(scratch, 'kubeconfig-logs');
    writeFileSync(config, logsApi.kubeconfigYaml());
    try {
      const dir = join(scratch, 'with-logs');
      const run = await cli.run([
        'snapshot',
        '--cluster',
        'dgxc-h100',
        '--region',
        'us-west-2',
        '--kubeconfig',
        config,
        '-d',
        dir,
        '--logs',
        '--tail-lines',
        '20',
      ]);
      assert.equal(run.code, 0, run.stderr);
      const snapshot = await loadSnapshot(dir);
      assert.deepEqual(
        snapshot.podLogs.map((l) => [l.value.pod, l.value.container, l.value.previous, l.value.lines]),
        [
          [
            'vllm-agg-frontend-gmjjwhgmc-4vhr7',
            'main',
            true,
            ['Exception: Failed to connect to NATS: timed out'],
          ],
        ],
      );
      assert.ok(logsApi.requests.some((r) => r.path.endsWith('/log') && r.query.tailLines === '20'));
    } finally {
      await logsApi.close();
    }
  });
});

describe('diagnose --live', () => {
  const NATS_TIMEOUT = 'Exception: Failed to connect to NATS: timed out';
  // The crashed Dynamo containers' termination messages, as the kubelet keeps them; no log is served.
  const crashed = served.map((o) => {
    const labels = (o.metadata as { labels?: Record<string, string> }).labels ?? {};
    if (o.kind !== 'Pod' || !labels['nvidia.com/dynamo-component-type']) return o;
    const pod = structuredClone(o) as {
      status: { containerStatuses: { lastState?: { terminated?: Record<string, unknown> } }[] };
    };
    for (const c of pod.status.containerStatuses)
      if (c.lastState?.terminated) c.lastState.terminated.message = NATS_TIMEOUT;
    return pod as unknown as Record<string, unknown>;
  });
  const aicrConfigMaps = loadKubeObjects('examples/validator').filter((o) => o.kind === 'ConfigMap');
  const live = async (forbidden: string[] = []) => {
    const api = await startFakeKubeApi({ objects: [...crashed, ...aicrConfigMaps], forbidden });
    const config = join(scratch, `kubeconfig-diagnose-${forbidden.length}`);
    writeFileSync(config, api.kubeconfigYaml());
    try {
      return await cli.run([
        'diagnose',
        '--live',
        '--cluster',
        'dgxc-h100',
        '--region',
        'us-west-2',
        '--kubeconfig',
        config,
        '-o',
        'json',
      ]);
    } finally {
      await api.close();
    }
  };

  it('reads the termination messages and AICR’s report ConfigMaps: the causes the bundled demo gives', async () => {
    const run = await live();
    assert.equal(run.code, 1, run.stderr);
    const d = JSON.parse(run.stdout) as Diagnosis;
    assert.deepEqual(
      d.causes.map((c) => c.id),
      ['flow-blocked:nats', 'flow-blocked:prometheus', 'untolerated-taint'],
    );
    const nats = d.causes[0]!;
    assert.ok(
      nats.evidence.some((e) => e.path.endsWith('status.containerStatuses[0].lastState.terminated.message')),
      'cites the termination message kept through client-node',
    );
    assert.ok(nats.subjects.includes('validator:performance/inference-perf'));
    assert.equal(d.read.validatorTests, 8);
    assert.equal(d.read.logLines, 0);
    const prometheus = d.causes[1]!;
    assert.ok(
      prometheus.evidence.some(
        (e) =>
          e.file === 'configmap aicr-validation/aicr-ctrf-20250617-131643-8f3a1c9e2b7d4a60-conformance' &&
          e.path === 'data["report.json"].results.tests[3].message',
      ),
      JSON.stringify(prometheus.evidence),
    );
    assert.ok(d.notes.some((n) => n.startsWith('read AICR validator run 20250617-131643-8f3a1c9e2b7d4a60')));
  });

  it('without RBAC on the ConfigMaps: a warning, and the diagnosis without validator results', async () => {
    const run = await live(['configmaps']);
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /warning: Kubernetes RBAC forbids list on configmaps in namespace aicr-validation/,
    );
    const d = JSON.parse(run.stdout) as Diagnosis;
    assert.equal(d.read.validatorTests, 0);
    assert.ok(d.causes.some((c) => c.id === 'flow-blocked:nats'));
    assert.ok(d.notes.some((n) => /RBAC forbids list on configmaps/.test(n)));
  });

  it('--ctrf replaces reading them from the cluster', async () => {
    const api = await startFakeKubeApi({ objects: [...crashed, ...aicrConfigMaps] });
    const config = join(scratch, 'kubeconfig-diagnose-ctrf');
    writeFileSync(config, api.kubeconfigYaml());
    try {
      const run = await cli.run([
        'diagnose',
        '--live',
        '--cluster',
        'dgxc-h100',
        '--region',
        'us-west-2',
        '--kubeconfig',
        config,
        '--ctrf',
        'examples/validator/dgxc-multi-sg.ctrf.json',
        '-o',
        'json',
      ]);
      assert.equal(run.code, 1, run.stderr);
      assert.equal((JSON.parse(run.stdout) as Diagnosis).read.validatorTests, 8);
      assert.ok(!api.requests.some((r) => r.path.endsWith('/configmaps')));
    } finally {
      await api.close();
    }
  });
});

describe('snapshot failures: exit 2, a clear message, nothing left behind', () => {
  let api: FakeKubeApi;
  let forbiddingApi: FakeKubeApi;
  let kubeconfig: string;
  let forbiddingConfig: string;
  const work = join(scratch, 'failures');
  mkdirSync(work);
  before(async () => {
    api = await startFakeKubeApi({ objects: served });
    forbiddingApi = await startFakeKubeApi({ objects: served, forbidden: ['endpointslices'] });
    kubeconfig = join(work, 'kubeconfig');
    forbiddingConfig = join(work, 'kubeconfig-forbidding');
    writeFileSync(kubeconfig, api.kubeconfigYaml());
    writeFileSync(forbiddingConfig, forbiddingApi.kubeconfigYaml());
  });
  after(async () => {
    await api.close();
    await forbiddingApi.close();
  });

  const snapshot = (dir: string, config = kubeconfig, cluster = 'dgxc-h100') => [
    'snapshot',
    '--cluster',
    cluster,
    '--region',
    'us-west-2',
    '--kubeconfig',
    config,
    '-d',
    join(work, dir),
  ];

  function assertNothingLeft(dir: string): void {
    assert.ok(!existsSync(join(work, dir)), `${dir} must not exist`);
    assert.ok(!readdirSync(work).some((name) => name.includes('.partial-')), 'no temp directory');
    assert.ok(!readdirSync(work).some((name) => name.includes('.spool-')), 'no spooled lists');
  }

  it('unknown cluster', async () => {
    const run = await cli.run(snapshot('a', kubeconfig, 'no-such-cluster'));
    assert.equal(run.code, 2);
    assert.match(run.stderr, /EKS cluster no-such-cluster not found in us-west-2/);
    assert.equal(run.stdout, '');
    assertNothingLeft('a');
  });

  it('access denied on one EC2 call, late in the collection', async () => {
    const run = await cli.run(snapshot('b'), {
      fail: {
        DescribeNetworkAclsCommand: {
          name: 'UnauthorizedOperation',
          message: 'You are not authorized to perform this operation.',
          status: 403,
        },
      },
    });
    assert.equal(run.code, 4, 'missing permission');
    assert.match(run.stderr, /AWS denied ec2:DescribeNetworkAcls/);
    assert.ok(
      run.calls.some((c) => c.command === 'DescribeSubnetsCommand'),
      'it failed after other calls succeeded',
    );
    assertNothingLeft('b');
  });

  it('expired credentials', async () => {
    const run = await cli.run([...snapshot('c'), '--profile', 'dgxc'], {
      fail: {
        GetCallerIdentityCommand: {
          name: 'ExpiredToken',
          message: 'The security token included in the request is expired',
        },
      },
    });
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /AWS credentials are missing or expired \(ExpiredToken.*aws sso login --profile dgxc/,
    );
    assertNothingLeft('c');
  });

  it('throttling that outlasts the retries', async () => {
    const run = await cli.run(snapshot('d'), {
      fail: {
        DescribeNetworkInterfacesCommand: {
          name: 'RequestLimitExceeded',
          message: 'Request limit exceeded.',
          status: 503,
        },
      },
    });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /AWS throttled ec2:DescribeNetworkInterfaces \(RequestLimitExceeded\)/);
    assertNothingLeft('d');
  });

  it('RBAC forbids one resource', async () => {
    const run = await cli.run(snapshot('e', forbiddingConfig));
    assert.equal(run.code, 4, 'missing permission');
    assert.match(run.stderr, /Kubernetes RBAC forbids list on endpointslices\.discovery\.k8s\.io/);
    assertNothingLeft('e');
  });

  it('API server unreachable', async () => {
    const dead = join(work, 'kubeconfig-dead');
    writeFileSync(
      dead,
      YAML.stringify({
        ...YAML.parse(api.kubeconfigYaml()),
        clusters: [
          { name: 'fake', cluster: { server: 'http://127.0.0.1:9', 'insecure-skip-tls-verify': true } },
        ],
      }),
    );
    const run = await cli.run(snapshot('f', dead));
    assert.equal(run.code, 2);
    assert.match(run.stderr, /cannot reach the Kubernetes API server http:\/\/127\.0\.0\.1:9/);
    assertNothingLeft('f');
  });

  it('refuses a non-empty -d before calling any API; --force replaces an earlier snapshot, not other files', async () => {
    const dir = join(work, 'used');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const refused = await cli.run(snapshot('used'));
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /directory is not empty \(pass --force to replace it\)/);
    assert.deepEqual(refused.calls, []);
    assert.deepEqual(readdirSync(dir), ['notes.txt']);
    const notASnapshot = await cli.run([...snapshot('used'), '--force']);
    assert.equal(notASnapshot.code, 2);
    assert.match(notASnapshot.stderr, /--force replaces only a snapshot directory/);
    assert.deepEqual(notASnapshot.calls, []);
    assert.deepEqual(readdirSync(dir), ['notes.txt']);
    // An earlier snapshot (it has a manifest) with a stray file in it is replaced whole.
    writeFileSync(join(dir, 'manifest.json'), '{}');
    const forced = await cli.run([...snapshot('used'), '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.ok(!readdirSync(dir).includes('notes.txt'));
    assert.ok(readdirSync(dir).includes('manifest.json'));
  });

  it('usage errors: no --cluster, live flags without --live, a path with --live, --vpc with --live', async () => {
    const noCluster = await cli.run(['analyze', '--live', '--region', 'us-west-2']);
    assert.equal(noCluster.code, 2);
    assert.match(noCluster.stderr, /--cluster <name> is required/);
    const stray = await cli.run(['analyze', EXAMPLE, '--region', 'us-west-2']);
    assert.equal(stray.code, 2);
    assert.match(stray.stderr, /--live is needed for --region/);
    // With a snapshot, --cluster picks the cluster to read (issue 16): this one, or none.
    const picked = await cli.run(['analyze', EXAMPLE, '--cluster', 'dgxc-h100']);
    assert.equal(picked.code, 1, picked.stderr);
    const other = await cli.run(['analyze', EXAMPLE, '--cluster', 'prod-inference']);
    assert.equal(other.code, 2);
    assert.match(
      other.stderr,
      /--cluster prod-inference: not in the snapshot; the clusters here:\n {2}dgxc-h100 /,
    );
    const vpcLive = await cli.run(['analyze', '--live', '--cluster', 'dgxc-h100', '--vpc', 'vpc-1']);
    assert.equal(vpcLive.code, 2);
    assert.match(vpcLive.stderr, /--vpc picks a cluster in a snapshot directory/);
    const both = await cli.run(['analyze', EXAMPLE, '--live', '--cluster', 'dgxc-h100']);
    assert.equal(both.code, 2);
    const noDir = await cli.run(['snapshot', '--cluster', 'dgxc-h100']);
    assert.equal(noDir.code, 2);
    assert.match(noDir.stderr, /required option '-d, --dir <path>'/);
  });
});
