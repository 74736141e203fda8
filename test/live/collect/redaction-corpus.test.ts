/**
 * Issue 17 item 2: `snapshot --logs` through the real command line, the SDK clients against the
 * fake dgxc-multi-sg account and client-node against the fake API server serving the redaction
 * corpus. Every written file is read back: no marker may be in any; the settings the analysis
 * reads must be, and `analyze` and `diagnose` on the written snapshot must answer as on the
 * unredacted corpus.
 */
import assert from 'node:assert/strict';
import {
  copyFileSync,
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
import { REDACTED } from '../../../src/live/collect/redact.ts';
import type { AnalysisResult } from '../../../src/questions/analyze.ts';
import type { Diagnosis } from '../../../src/questions/diagnose/types.ts';
import { startCli, type CliWorker } from '../../helpers/cli-in-worker.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../helpers/fake-kube-api.ts';
import { FRONTEND, MARKER_PATTERN, NATS_SERVER, redactionCorpus } from './redaction-corpus.ts';
import { diagnoseDir } from '../../questions/diagnose/fixtures.ts';

const EXAMPLE = 'examples/dgxc-multi-sg';
const corpus = redactionCorpus();
const scratch = mkdtempSync(join(tmpdir(), 'netcheck-redaction-corpus-'));
const cli: CliWorker = startCli(EXAMPLE);
after(async () => {
  await cli.close();
  rmSync(scratch, { recursive: true, force: true });
});

type Json = Record<string, unknown>;

/** Every file under a directory, by path relative to it. */
function filesOf(dir: string): Map<string, string> {
  return new Map(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => {
        const path = join(e.parentPath, e.name);
        return [path.slice(dir.length + 1), readFileSync(path, 'utf8')] as const;
      }),
  );
}

/** What must not change between the unredacted corpus and the written snapshot. */
function essence(result: AnalysisResult) {
  return {
    verdict: result.verdict,
    dynamo: result.dynamo.version,
    summary: result.summary,
    // Each plane and port with the evidence that decided it ("because env NATS_SERVER=… on pod …").
    requirements: result.requirements,
    flows: result.flows.map((f) => ({
      id: f.id,
      requirement: f.requirement,
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

describe('redaction corpus: snapshot writes no secret and keeps what the analysis reads', () => {
  let api: FakeKubeApi;
  const written = join(scratch, 'snap');
  let files: Map<string, string>;
  before(async () => {
    api = await startFakeKubeApi({ objects: corpus.objects, logs: corpus.logs, pageSize: 5 });
    const kubeconfig = join(scratch, 'kubeconfig');
    writeFileSync(kubeconfig, api.kubeconfigYaml());
    const run = await cli.run([
      'snapshot',
      '--cluster',
      'dgxc-h100',
      '--region',
      'us-west-2',
      '--kubeconfig',
      kubeconfig,
      '--logs',
      '-d',
      written,
    ]);
    assert.equal(run.code, 0, run.stderr);
    files = filesOf(written);
  });
  after(() => api.close());

  it('puts at least 45 distinct markers into what the fake API serves, each once', () => {
    assert.ok(corpus.markers.length >= 45, `${corpus.markers.length} markers`);
    const served = JSON.stringify(corpus.objects) + JSON.stringify(corpus.logs);
    for (const marker of corpus.markers)
      assert.equal(served.split(marker.id).length - 1, 1, `${marker.id} (${marker.where}) served once`);
  });

  it('writes none of them to disk, in any file', () => {
    assert.ok(files.has('k8s/pods.json') && files.has('logs/pod-logs.json') && files.has('manifest.json'));
    assert.ok(files.has('k8s/dynamographdeployments.json') && files.has('k8s/events.json'));
    const leaks = [...files].flatMap(([path, text]) =>
      [...text.matchAll(MARKER_PATTERN)].map((m) => {
        const marker = corpus.markers.find((k) => k.id.toLowerCase() === m[0].toLowerCase());
        return `${m[0]} (${marker?.where ?? '?'}) in ${path}`;
      }),
    );
    const distinct = new Set(leaks.map((l) => l.slice(0, 12).toUpperCase()));
    assert.deepEqual(leaks, [], `${distinct.size} of ${corpus.markers.length} markers on disk`);
  });

  it('keeps the env values, flags and annotations the analysis reads', () => {
    const pods = (JSON.parse(files.get('k8s/pods.json')!) as { items: Json[] }).items;
    const pod = (name: string) => pods.find((p) => (p.metadata as Json).name === name)!;
    const frontend = pod(FRONTEND) as { spec: { containers: { env: { name: string; value?: string }[] }[] } };
    const env = Object.fromEntries(frontend.spec.containers[0]!.env.map((e) => [e.name, e.value]));
    assert.equal(env.NATS_SERVER, NATS_SERVER, 'NATS_SERVER host and port');
    assert.equal(env.DYN_EVENT_PLANE, 'nats');
    assert.equal(env.DYN_DISCOVERY_BACKEND, 'kubernetes');
    assert.equal(env.DYN_HTTP_PORT, '8000');
    assert.equal(env.DYN_HF_TOKEN, REDACTED);
    assert.equal(env.DYN_NAMESPACE, REDACTED, 'not read by the analysis: not on the allow-list');
    const dns = pod('coredns-kwgpmm9nv5-vnb96') as {
      spec: { containers: { env: Json[]; args: string[] }[] };
    };
    assert.deepEqual(dns.spec.containers[0]!.env, [
      { name: 'NATS_SERVER', value: 'nats://nats.example:4222' },
      { name: 'ETCD_ENDPOINTS', value: 'http://etcd.example:2379' },
    ]);
    assert.deepEqual(dns.spec.containers[0]!.args.slice(0, 4), [
      '-conf',
      '/etc/coredns/Corefile',
      '--etcdAddr',
      'http://etcd.example:2379',
    ]);
    const operator = pods.find((p) => String((p.metadata as Json).name).includes('dynamo-operator')) as {
      spec: { containers: { args: string[] }[] };
    };
    assert.ok(operator.spec.containers[0]!.args.includes(`--natsAddr=${NATS_SERVER}`));
    const daemonSets = (JSON.parse(files.get('k8s/daemonsets.json')!) as { items: Json[] }).items;
    const awsNode = daemonSets.find((d) => (d.metadata as Json).name === 'aws-node') as {
      spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } };
    };
    const cniEnv = awsNode.spec.template.spec.containers[0]!.env;
    assert.equal(cniEnv.find((e) => e.name === 'AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG')!.value, 'true');
    const nodes = (JSON.parse(files.get('k8s/nodes.json')!) as { items: Json[] }).items;
    assert.ok(
      nodes.every((n) => !('example.com/credentials' in (((n.metadata as Json).annotations as Json) ?? {}))),
    );
  });

  it('keeps the messages the diagnosis reads, with their secrets masked', () => {
    const pods = (JSON.parse(files.get('k8s/pods.json')!) as { items: Json[] }).items;
    const frontend = pods.find((p) => (p.metadata as Json).name === FRONTEND) as {
      status: { containerStatuses: { lastState: { terminated: { message: string } } }[] };
    };
    assert.equal(
      frontend.status.containerStatuses[0]!.lastState.terminated.message,
      [
        'Traceback (most recent call last):',
        `  connecting to nats://dynamo-platform-nats:4222 with token=${REDACTED}`,
        'Exception: Failed to connect to NATS: timed out',
      ].join('\n'),
    );
    const logs = JSON.parse(files.get('logs/pod-logs.json')!) as { items: { lines: string[] }[] };
    assert.deepEqual(logs.items[0]!.lines, [
      'starting frontend',
      `using HF token ${REDACTED}`,
      'NATS url nats://dynamo-platform-nats:4222',
      'Exception: Failed to connect to NATS: timed out',
    ]);
  });

  it('gives the same analysis and diagnosis as the unredacted corpus', async () => {
    // The unredacted corpus as a hand-made snapshot: the example's AWS files, the served objects, the logs.
    const raw = join(scratch, 'raw');
    mkdirSync(join(raw, 'aws'), { recursive: true });
    mkdirSync(join(raw, 'k8s'));
    mkdirSync(join(raw, 'logs'));
    for (const name of readdirSync(join(EXAMPLE, 'aws')))
      copyFileSync(join(EXAMPLE, 'aws', name), join(raw, 'aws', name));
    const collected = corpus.objects.filter((o) => o.kind !== 'ConfigMap');
    writeFileSync(
      join(raw, 'k8s', 'corpus.json'),
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: collected }),
    );
    writeFileSync(
      join(raw, 'logs', 'pod-logs.json'),
      JSON.stringify({
        apiVersion: 'dynamo-netcheck/v1',
        kind: 'PodLogs',
        items: Object.entries(corpus.logs).map(([key, text]) => {
          const [namespace, pod, container] = key.split('/');
          return {
            namespace,
            pod,
            container,
            previous: true,
            lines: text.split('\n').filter((l) => l !== ''),
          };
        }),
      }),
    );
    const before = await diagnoseDir(raw);
    const after = await diagnoseDir(written);
    assert.equal(before.analysis.verdict, 'fail');
    assert.deepEqual(essence(after.analysis), essence(before.analysis));
    const causes = (d: Diagnosis) => d.causes.map((c) => ({ id: c.id, subjects: c.subjects }));
    assert.ok(before.diagnosis.causes.some((c) => c.id === 'flow-blocked:nats'));
    assert.deepEqual(causes(after.diagnosis), causes(before.diagnosis));
    const nats = after.diagnosis.causes.find((c) => c.id === 'flow-blocked:nats')!;
    assert.ok(
      nats.evidence.some((e) => e.path.endsWith('lastState.terminated.message')),
      'the masked termination message is still evidence',
    );
    assert.ok(
      nats.evidence.some((e) => e.file.startsWith('logs/')),
      'so are the masked log lines',
    );
  });
});
