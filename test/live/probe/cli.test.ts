import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCli, type CliWorker } from '../../helpers/cli-in-worker.ts';
import {
  loadKubeObjects,
  namespacesOf,
  startFakeKubeApi,
  type FakeKubeApi,
} from '../../helpers/fake-kube-api.ts';
import {
  dialLogFor,
  fakeWorkloads,
  isListener,
  l7LogFor,
  ncLogFor,
  type FakeWorkloads,
} from './fake-workloads.ts';

const EXAMPLE = 'examples/healthy-shared-cluster-sg';
/** NATS's pod IP in the example; the fake's probes time out on it when `natsDown` is set. */
const NATS_POD = '10.20.18.131';

describe('dynamo-netcheck probe', () => {
  let cli: CliWorker;
  let api: FakeKubeApi;
  let workloads: FakeWorkloads;
  let dir: string;
  let kubeconfig: string;
  let natsDown = false;
  let jetstream = true;
  before(async () => {
    cli = startCli(EXAMPLE);
    workloads = fakeWorkloads((pod) => {
      const command = pod.spec.containers[0].command as string[];
      if (command[0] === 'dynamo-netcheck') return { phase: 'Succeeded', log: dialLogFor(pod) };
      if (command[2]?.includes('DNC-L7')) return { phase: 'Succeeded', log: l7LogFor(pod, { jetstream }) };
      return {
        phase: 'Succeeded',
        log: ncLogFor(pod, (host) =>
          natsDown && host === NATS_POD
            ? `fail nc: ${host} (${host}:4222): Connection timed out  sent 0, rcvd 0`
            : 'ok open',
        ),
      };
    });
    api = await startFakeKubeApi({ objects: [], extend: workloads.handle });
    dir = mkdtempSync(join(tmpdir(), 'dnc-probe-cli-'));
    kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, api.kubeconfigYaml());
  });
  after(async () => {
    await cli.close();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const probe = (...extra: string[]) =>
    cli.run(['probe', EXAMPLE, '--kubeconfig', kubeconfig, '--poll-interval', '5ms', '--quiet', ...extra]);

  it('exit 0 with -o json when every live check passed, and nothing left behind', async () => {
    natsDown = false;
    const run = await probe('-o', 'json', '--run-id', 'ok1');
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { passed: boolean; rows: Array<{ agreement: string }> };
    assert.equal(report.passed, true);
    assert.ok(report.rows.length > 0);
    assert.ok(report.rows.every((r) => r.agreement === 'agree'));
    assert.equal(workloads.namespaces.size, 0);
  });

  it('exit 1 and a disagreement called out when a statically allowed target times out', async () => {
    natsDown = true;
    const run = await probe('--run-id', 'bad1');
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /FAIL timed-out\s+static allowed\s+nats → 10\.20\.18\.131:4222.*DISAGREES/);
    assert.match(run.stdout, /NetworkPolicies, the host firewall, kube-proxy/);
    // The request plane's OS-assigned range has no fixed port of a real server: stand-ins answer it.
    assert.match(
      run.stdout,
      /PASS connected\s+static allowed\s+request-plane → [\d.]+:46883 \(proved with a stand-in listener dynamo-netcheck-bad1\/listen-gpu-a100\)/,
    );
    assert.match(
      run.stdout,
      /^FAIL: \d+ live checks passed \(\d+ proved with a stand-in listener\), \d+ failed, \d+ disagree/m,
    );
    assert.equal(workloads.podCount(), 0);
  });

  it('stand-in listeners take --image in nc mode, or --listener-image, and are deleted with the namespace', async () => {
    natsDown = false;
    for (const [args, image] of [
      [['--image', 'registry.local/busybox:1.36'], 'registry.local/busybox:1.36'],
      [['--listener-image', 'registry.local/nc:1'], 'registry.local/nc:1'],
    ] as const) {
      const before = workloads.created.length;
      const run = await probe(...args, '--run-id', `img${before}`);
      assert.equal(run.code, 0, run.stderr);
      const listeners = workloads.created.slice(before).filter(isListener);
      assert.ok(listeners.length > 0);
      for (const pod of listeners)
        for (const c of pod.spec.containers) assert.equal(c.image, image, JSON.stringify(args));
      assert.match(
        run.stdout,
        /stand-in listener for request-plane: the port is OS-assigned from 32768-60999/,
      );
      assert.equal(workloads.podCount(), 0);
      assert.equal(workloads.namespaces.size, 0);
    }
  });

  it('--l7 runs the L7 script in the stock busybox image: NATS with JetStream, Prometheus and etcd pass', async () => {
    jetstream = true;
    const before = workloads.created.length;
    const run = await probe('--l7', '-o', 'json', '--run-id', 'l7ok');
    assert.equal(run.code, 0, run.stderr);
    const probes = workloads.created.slice(before).filter((p) => !isListener(p));
    assert.ok(probes.length > 0);
    for (const pod of [...probes, ...workloads.created.slice(before).filter(isListener)])
      for (const c of pod.spec.containers) assert.equal(c.image, 'busybox:1.36');
    for (const pod of probes) {
      const command = pod.spec.containers[0].command as string[];
      assert.deepEqual(command.slice(0, 2), ['sh', '-c']);
      assert.match(command[2]!, /PUB \$JS\.API\.INFO _INBOX\.dnc 0/);
    }
    const report = JSON.parse(run.stdout) as {
      passed: boolean;
      rows: Array<{ requirement: string; live?: { passed: boolean; message: string } }>;
    };
    assert.equal(report.passed, true);
    const nats = report.rows.filter((r) => r.requirement === 'nats' && r.live);
    assert.ok(nats.length > 0);
    for (const row of nats)
      assert.equal(row.live!.message, 'JetStream available (1 streams in this account)');
    assert.equal(workloads.namespaces.size, 0);
  });

  it('--l7 fails (exit 1) where NATS runs without JetStream, saying so', async () => {
    jetstream = false;
    const run = await probe('--l7', '--run-id', 'l7nojs');
    jetstream = true;
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /JetStream not available: .*\(no responders on \$JS\.API\.INFO\)/);
  });

  it("--dial-image runs this tool's own dial in that image; listeners keep busybox", async () => {
    const before = workloads.created.length;
    const run = await probe('--dial-image', 'registry.local/dynamo-netcheck:dev', '--run-id', 'dial1');
    assert.equal(run.code, 0, run.stderr);
    const created = workloads.created.slice(before);
    const probes = created.filter((p) => !isListener(p));
    assert.ok(probes.length > 0);
    for (const pod of probes) {
      assert.equal(pod.spec.containers[0].image, 'registry.local/dynamo-netcheck:dev');
      assert.deepEqual((pod.spec.containers[0].command as string[]).slice(0, 2), ['dynamo-netcheck', 'dial']);
    }
    for (const pod of created.filter(isListener)) assert.equal(pod.spec.containers[0].image, 'busybox:1.36');
  });

  const usage: Array<[string, string[], RegExp]> = [
    ['a concurrency of 0', ['--concurrency', '0'], /--concurrency/],
    ['a bad timeout', ['--timeout', 'soon'], /--timeout soon/],
    ['a missing kubeconfig', ['--kubeconfig', '/nonexistent/kubeconfig'], /cannot read --kubeconfig/],
    ['an unknown context', ['--context', 'nope'], /--context nope is not in the kubeconfig/],
  ];
  for (const [what, args, message] of usage)
    it(`${what} is a usage error (exit 2) that creates nothing`, async () => {
      const before = api.requests.length;
      const run = await probe(...args);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, message);
      assert.equal(run.stdout, '');
      assert.equal(api.requests.length, before);
    });
});

describe('dynamo-netcheck probe with Kubernetes access only (no snapshot, no --live)', () => {
  let cli: CliWorker;
  let api: FakeKubeApi;
  let workloads: FakeWorkloads;
  let dir: string;
  before(async () => {
    cli = startCli(EXAMPLE);
    workloads = fakeWorkloads((pod) => ({ phase: 'Succeeded', log: ncLogFor(pod, () => 'ok open') }));
    const objects = loadKubeObjects(`${EXAMPLE}/k8s`);
    api = await startFakeKubeApi({
      objects: [...objects, ...namespacesOf(objects)],
      extend: workloads.handle,
    });
    dir = mkdtempSync(join(tmpdir(), 'dnc-probe-k8s-'));
    writeFileSync(join(dir, 'kubeconfig'), api.kubeconfigYaml());
  });
  after(async () => {
    await cli.close();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('plans from the cluster’s own objects, says the static side is unknown, probes every node group and cleans up', async () => {
    const run = await cli.run([
      'probe',
      '--kubeconfig',
      join(dir, 'kubeconfig'),
      '--poll-interval',
      '5ms',
      '--quiet',
      '-o',
      'json',
      '--run-id',
      'k8s1',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /planning from the Kubernetes objects alone, so the static verdicts are unknown/,
    );
    const report = JSON.parse(run.stdout) as {
      passed: boolean;
      rows: Array<{ source: { nodeGroup: string }; expected: string; live?: { outcome: string } }>;
    };
    assert.equal(report.passed, true);
    assert.deepEqual([...new Set(report.rows.map((r) => r.source.nodeGroup))].sort(), ['gpu-a100', 'system']);
    assert.ok(
      report.rows.every((r) => r.expected === 'unknown' && r.live?.outcome === 'connected'),
      JSON.stringify(report.rows.map((r) => [r.expected, r.live?.outcome])),
    );
    assert.ok(
      api.requests.some((r) => r.path.startsWith('/api/v1/nodes')),
      'nodes listed from the API',
    );
    assert.equal(workloads.podCount(), 0);
    assert.equal(workloads.namespaces.size, 0);
  });

  it('AWS flags without --live are a usage error', async () => {
    const run = await cli.run(['probe', '--kubeconfig', join(dir, 'kubeconfig'), '--cluster', 'x']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--live is needed for --cluster/);
  });
});

describe('dynamo-netcheck probe without the RBAC to create pods', () => {
  it('exit 4 naming the verb and resource, and the namespace it made is deleted', async () => {
    const cli = startCli(EXAMPLE);
    const workloads = fakeWorkloads(() => ({ phase: 'Succeeded', log: '' }));
    const api = await startFakeKubeApi({
      objects: [],
      extend: (req, res, url) => {
        if (req.method === 'POST' && /\/pods$/.test(url.pathname)) {
          res.writeHead(403, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              kind: 'Status',
              apiVersion: 'v1',
              status: 'Failure',
              message: 'pods is forbidden: User "viewer" cannot create resource "pods"',
              reason: 'Forbidden',
              code: 403,
            }),
          );
          return true;
        }
        return workloads.handle(req, res, url);
      },
    });
    const dir = mkdtempSync(join(tmpdir(), 'dnc-probe-rbac-'));
    try {
      writeFileSync(join(dir, 'kubeconfig'), api.kubeconfigYaml());
      const run = await cli.run(['probe', EXAMPLE, '--kubeconfig', join(dir, 'kubeconfig'), '--quiet']);
      assert.equal(run.code, 4, run.stderr);
      assert.match(
        run.stderr,
        /Kubernetes RBAC forbids create on pods in namespace dynamo-netcheck-.*docs\/rbac\.yaml/,
      );
      assert.equal(run.stdout, '');
      assert.ok(
        api.requests.some((r) => r.method === 'DELETE' && r.path.startsWith('/api/v1/namespaces/')),
        'the namespace is deleted',
      );
      assert.equal(workloads.namespaces.size, 0);
    } finally {
      await cli.close();
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
