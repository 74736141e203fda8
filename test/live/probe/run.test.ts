import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { analyzeModel, type AnalyzeOptions } from '../../../src/questions/analyze.ts';
import { readSnapshot } from '../../../src/cli/inputs.ts';
import { buildModel } from '../../../src/model/build.ts';
import { planProbes, type ProbePlan } from '../../../src/questions/probe/plan.ts';
import { compareResults } from '../../../src/questions/probe/compare.ts';
import { Interrupted, runProbes } from '../../../src/live/probe/run.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../helpers/fake-kube-api.ts';
import { fakeWorkloads, isListener, ncLogFor, type FakeWorkloads } from './fake-workloads.ts';

async function planFor(example: string, runId: string, analysis: AnalyzeOptions = {}): Promise<ProbePlan> {
  const model = buildModel(await readSnapshot(`examples/${example}`));
  return planProbes(model, analyzeModel(model, analysis), {
    runId,
    timeoutSeconds: 5,
    mode: 'nc',
    image: 'busybox:1.36',
  });
}

async function withFake(
  fate: Parameters<typeof fakeWorkloads>[0],
  body: (api: FakeKubeApi, workloads: FakeWorkloads) => Promise<void>,
  listenerFate?: Parameters<typeof fakeWorkloads>[1],
): Promise<void> {
  const workloads = fakeWorkloads(fate, listenerFate);
  const api = await startFakeKubeApi({ objects: [], extend: workloads.handle });
  try {
    await body(api, workloads);
  } finally {
    await api.close();
  }
}

const fast = { mode: 'nc' as const, concurrency: 2, pendingMs: 2_000, deadlineMs: 10_000, pollMs: 5 };

describe('probe runner against a fake API server', () => {
  let plan: ProbePlan;
  before(async () => {
    plan = await planFor('dgxc-multi-sg', 'r1');
  });

  it('creates pinned, tolerating, restricted pods in a labelled namespace, reads results and deletes everything', async () => {
    // 10.0.25.60 (NATS) times out as the static analysis predicts; everything else connects.
    const answer = (host: string, port: number): string =>
      host === '10.0.25.60'
        ? 'fail nc: 10.0.25.60 (10.0.25.60:4222): Connection timed out'
        : `ok ${host} (${host}:${port}) open`;
    await withFake(
      (pod) => ({ phase: 'Succeeded', log: `busybox banner\n${ncLogFor(pod, answer)}\n` }),
      async (api, workloads) => {
        const runs = await runProbes(plan, { ...fast, kubeConfig: api.kubeConfig() });
        const probes = workloads.created.filter((p) => !isListener(p));
        assert.equal(probes.length, plan.probes.length);
        for (const pod of probes) {
          const probe = plan.probes.find((p) => p.name === pod.metadata.name)!;
          assert.equal(pod.metadata.namespace, 'dynamo-netcheck-r1');
          assert.deepEqual(pod.metadata.labels, {
            'app.kubernetes.io/managed-by': 'dynamo-netcheck',
            'dynamo-netcheck/run': 'r1',
            'dynamo-netcheck/role': 'probe',
          });
          // Pinned through the scheduler, so a probe that cannot land gets a FailedScheduling reason.
          assert.deepEqual(pod.spec.nodeSelector, { 'kubernetes.io/hostname': probe.nodeName });
          assert.deepEqual(pod.spec.tolerations, [{ operator: 'Exists' }]);
          assert.equal(pod.spec.restartPolicy, 'Never');
          assert.ok(pod.spec.activeDeadlineSeconds > 0);
          const sc = pod.spec.containers[0].securityContext;
          assert.deepEqual(
            [
              sc.runAsNonRoot,
              sc.runAsUser,
              sc.allowPrivilegeEscalation,
              sc.capabilities.drop,
              sc.seccompProfile.type,
            ],
            [true, 65534, false, ['ALL'], 'RuntimeDefault'],
          );
          assert.ok(pod.spec.containers[0].resources.limits.memory);
        }
        assert.equal(
          api.requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/namespaces').length,
          1,
        );
        assert.deepEqual(workloads.deletedNamespaces, ['dynamo-netcheck-r1']);
        assert.equal(workloads.namespaces.size, 0);
        assert.equal(workloads.podCount(), 0);

        const report = compareResults(plan, runs);
        const nats = report.rows.filter((r) => r.target === '10.0.25.60:4222');
        assert.ok(nats.length > 0);
        for (const row of nats) assert.deepEqual([row.live?.outcome, row.agreement], ['timed-out', 'agree']);
        // Prometheus is statically blocked from GPU nodes, yet connected here: a disagreement.
        const prom = report.rows.find(
          (r) => r.probe === 'probe-gpu-h100' && r.target === '10.0.18.204:9090',
        )!;
        assert.equal(prom.agreement, 'static-blocked-live-connected');
        assert.equal(report.passed, false);
      },
    );
  });

  it('reports a probe left Pending with the scheduler reason, from the condition or the event, and does not wait on it', async () => {
    for (const via of ['condition', 'event'] as const) {
      const taint = '0/3 nodes are available: 1 node(s) had untolerated taint {nvidia.com/gpu: present}';
      await withFake(
        (pod) =>
          pod.metadata.name === 'probe-gpu-h100'
            ? { pending: taint, via }
            : { phase: 'Succeeded', log: ncLogFor(pod, () => 'ok open') },
        async (api, workloads) => {
          const runs = await runProbes(plan, { ...fast, pendingMs: 30, kubeConfig: api.kubeConfig() });
          const stuck = runs.probes.get('probe-gpu-h100');
          assert.equal(stuck?.state, 'unscheduled', via);
          assert.match(stuck.state === 'unscheduled' ? stuck.reason : '', /untolerated taint/);
          assert.equal(runs.probes.get('probe-system')?.state, 'completed');
          assert.equal(workloads.podCount(), 0);
          assert.equal(workloads.namespaces.size, 0);
        },
      );
    }
  });

  it('sweeps stale namespaces of earlier runs by label; leaves a recent run and unrelated namespaces alone', async () => {
    await withFake(
      (pod) => ({ phase: 'Succeeded', log: ncLogFor(pod, () => 'ok open') }),
      async (api, workloads) => {
        const managed = { 'app.kubernetes.io/managed-by': 'dynamo-netcheck' };
        const ns = (name: string, run: string, creationTimestamp: string) => ({
          metadata: { name, creationTimestamp, labels: { ...managed, 'dynamo-netcheck/run': run } },
        });
        workloads.namespaces.set(
          'dynamo-netcheck-old',
          ns('dynamo-netcheck-old', 'old', '2020-01-01T00:00:00Z'),
        );
        // Someone else's run, started a minute ago: not a leftover.
        const recent = new Date(Date.now() - 60_000).toISOString();
        workloads.namespaces.set('dynamo-netcheck-other', ns('dynamo-netcheck-other', 'other', recent));
        workloads.namespaces.set('team-a', { metadata: { name: 'team-a', labels: {} } });
        await runProbes(plan, { ...fast, kubeConfig: api.kubeConfig() });
        assert.deepEqual([...workloads.namespaces.keys()], ['dynamo-netcheck-other', 'team-a']);
        assert.deepEqual(workloads.deletedNamespaces, ['dynamo-netcheck-old', 'dynamo-netcheck-r1']);
      },
    );
  });

  it('deletes the namespace when aborted while pods are running', async () => {
    await withFake(
      () => ({ pending: 'still pulling', via: 'event' }),
      async (api, workloads) => {
        const controller = new AbortController();
        const running = runProbes(plan, {
          ...fast,
          pendingMs: 60_000,
          kubeConfig: api.kubeConfig(),
          signal: controller.signal,
        });
        while (workloads.podCount() < plan.probes.length) await new Promise((r) => setTimeout(r, 5));
        controller.abort();
        await assert.rejects(running, Interrupted);
        assert.equal(workloads.namespaces.size, 0);
        assert.equal(workloads.podCount(), 0);
      },
    );
  });
});

describe('stand-in listeners against a fake API server', () => {
  /** Dynamo 1.4 on dgxc (running 1.2), gpu-operator in the recipe: listeners for 5557, 9400 and the ranges. */
  let plan: ProbePlan;
  before(async () => {
    plan = await planFor('dgxc-multi-sg', 's1', {
      dynamoVersion: '1.4.2',
      recipe: { name: 'test', source: 'test', components: ['gpu-operator'] },
    });
    assert.ok(plan.listeners.length >= 2);
  });
  const ok = (pod: Parameters<typeof ncLogFor>[0]) => ({
    phase: 'Succeeded' as const,
    log: ncLogFor(pod, () => 'ok open'),
  });

  it('creates every listener before any probe, dials the pod IPs they got, reports stand-in proof, deletes everything', async () => {
    const ips = new Map(plan.listeners.map((l, i) => [l.name, `10.0.40.${10 + i}`]));
    await withFake(
      ok,
      async (api, workloads) => {
        const outcome = await runProbes(plan, { ...fast, kubeConfig: api.kubeConfig() });
        const roles = workloads.created.map((p) => (isListener(p) ? 'listener' : 'probe'));
        assert.deepEqual(roles, [...plan.listeners.map(() => 'listener'), ...plan.probes.map(() => 'probe')]);
        for (const [name, ip] of ips) assert.deepEqual(outcome.listeners.get(name), { state: 'ready', ip });
        // The system probe's script dials the GPU listener's pod IP on 5557, 9400 and the range.
        const gpu = plan.listeners.find((l) => l.destination.nodeGroup === 'gpu-h100')!;
        const systemPod = workloads.created.find((p) => p.metadata.name === 'probe-system')!;
        const script = systemPod.spec.containers[0].command[2] as string;
        for (const port of [5557, 9400, 32768, 46883, 60999])
          assert.match(
            script,
            new RegExp(`^t t\\d+ ${ips.get(gpu.name)!.replaceAll('.', '\\.')} ${port} &$`, 'm'),
          );
        assert.equal(workloads.namespaces.size, 0);
        assert.equal(workloads.podCount(), 0);

        const report = compareResults(plan, outcome);
        const zmq = report.rows.find((r) => r.probe === 'probe-system' && r.requirement === 'zmq-events')!;
        assert.deepEqual(
          [zmq.target, zmq.server, zmq.live?.outcome, zmq.agreement],
          [`${ips.get(gpu.name)}:5557`, 'stand-in', 'connected', 'agree'],
        );
        const dcgm = report.rows.find((r) => r.requirement === 'dcgm-scrape')!;
        assert.deepEqual([dcgm.target, dcgm.server], [`${ips.get(gpu.name)}:9400`, 'stand-in']);
        const prometheus = report.rows.find((r) => r.requirement === 'prometheus')!;
        assert.equal(prometheus.server, 'real');
        assert.equal(
          report.summary.provedWithStandIn,
          report.rows.filter((r) => r.server === 'stand-in' && r.live?.passed).length,
        );
        assert.ok(report.summary.provedWithStandIn > 0);
      },
      (pod) => ({ phase: 'Running', podIP: ips.get(pod.metadata.name)!, ready: true }),
    );
  });

  it('a listener that never becomes Ready is reported with its reason; its targets are not dialled, and a probe with nothing else is not created', async () => {
    const taint = '0/9 nodes are available: 3 node(s) had untolerated taint {dedicated: frontend}';
    await withFake(
      ok,
      async (api, workloads) => {
        const outcome = await runProbes(plan, { ...fast, pendingMs: 30, kubeConfig: api.kubeConfig() });
        assert.match(
          (outcome.listeners.get('listen-system') as { reason?: string }).reason ?? '',
          /Unschedulable: .*untolerated taint/,
        );
        assert.match(
          (outcome.listeners.get('listen-cpu-inference') as { reason?: string }).reason ?? '',
          /Running but not Ready/,
        );
        // probe-gpu-h100 dials Prometheus (real) as well as the two frontend listeners: it runs, without them.
        const gpuProbe = workloads.created.find((p) => p.metadata.name === 'probe-gpu-h100')!;
        assert.doesNotMatch(gpuProbe.spec.containers[0].command[2] as string, /listen-/);
        const report = compareResults(plan, outcome);
        const stream = report.rows.filter((r) => r.requirement === 'response-stream');
        assert.ok(stream.length > 0);
        for (const row of stream) {
          assert.equal(row.agreement, 'no-live-result');
          assert.match(
            row.missing ?? '',
            /stand-in listener listen-(system|cpu-inference) did not become Ready/,
          );
        }
        assert.equal(report.passed, false);
        assert.equal(workloads.podCount(), 0);
        assert.equal(workloads.namespaces.size, 0);
      },
      (pod) =>
        pod.metadata.name === 'listen-system'
          ? { pending: taint, via: 'condition' }
          : pod.metadata.name === 'listen-cpu-inference'
            ? { phase: 'Running', podIP: '10.0.40.2', ready: false }
            : { phase: 'Running', podIP: '10.0.40.1', ready: true },
    );
  });

  it('a probe whose every target is a listener that did not start is not created', async () => {
    // Without conformance, the GPU probe dials only the response stream's listeners.
    const only = await planFor('dgxc-multi-sg', 's2', { dynamoVersion: '1.4.2', conformance: false });
    const gpuProbe = only.probes.find((p) => p.source.nodeGroup === 'gpu-h100')!;
    assert.ok(gpuProbe.targets.every((t) => t.via === 'listener'));
    await withFake(
      ok,
      async (api, workloads) => {
        const outcome = await runProbes(only, { ...fast, pendingMs: 30, kubeConfig: api.kubeConfig() });
        assert.ok(!workloads.created.some((p) => p.metadata.name === gpuProbe.name));
        assert.deepEqual(outcome.probes.get(gpuProbe.name), {
          state: 'not-finished',
          reason: 'not created: every target is a stand-in listener that did not become Ready',
        });
        assert.equal(outcome.probes.get('probe-system')?.state, 'completed');
      },
      (pod) =>
        pod.metadata.name === 'listen-gpu-h100'
          ? { phase: 'Running', podIP: '10.0.40.1', ready: true }
          : { phase: 'Failed', log: '' },
    );
  });

  it('deletes the namespace with its listeners when aborted while waiting for them; no probe is created', async () => {
    await withFake(
      ok,
      async (api, workloads) => {
        const controller = new AbortController();
        const running = runProbes(plan, {
          ...fast,
          pendingMs: 60_000,
          kubeConfig: api.kubeConfig(),
          signal: controller.signal,
        });
        while (workloads.podCount() < plan.listeners.length) await new Promise((r) => setTimeout(r, 5));
        controller.abort();
        await assert.rejects(running, Interrupted);
        assert.ok(workloads.created.every(isListener));
        assert.equal(workloads.namespaces.size, 0);
        assert.equal(workloads.podCount(), 0);
      },
      () => ({ pending: 'pulling busybox', via: 'event' }),
    );
  });
});
