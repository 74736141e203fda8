import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { analyzeModel } from '../../../src/questions/analyze.ts';
import type { AnalysisResult } from '../../../src/questions/analyze.ts';
import { readSnapshot } from '../../../src/cli/inputs.ts';
import { buildModel } from '../../../src/model/build.ts';
import type { ClusterModel } from '../../../src/model/types.ts';
import {
  dialUrl,
  l7Arguments,
  ncScript,
  planProbes,
  type ProbeTarget,
} from '../../../src/questions/probe/plan.ts';

const EXAMPLES = ['healthy-shared-cluster-sg', 'dgxc-multi-sg', 'policy-default-deny', 'upgrade-1.0-to-1.2'];
const options = { runId: 'r7', timeoutSeconds: 5, mode: 'nc' as const, image: 'busybox:1.36' };

describe('planProbes over the example clusters', () => {
  const loaded = new Map<string, { model: ClusterModel; analysis: AnalysisResult }>();
  before(async () => {
    for (const example of EXAMPLES) {
      const model = buildModel(await readSnapshot(`examples/${example}`));
      loaded.set(example, { model, analysis: analyzeModel(model) });
    }
  });

  for (const example of EXAMPLES) {
    it(`${example}: one probe per source class, pinned to a node of the class, expectations from the flows`, () => {
      const { model, analysis } = loaded.get(example)!;
      const plan = planProbes(model, analysis, options);
      // Ranges are probed too (through stand-in listeners), so every TCP flow's source class counts.
      const classes = new Set(
        analysis.flows
          .filter((f) => f.protocol === 'tcp')
          .map((f) => `${f.source.nodeGroup}|${[...f.source.securityGroups].sort().join(',')}`),
      );
      assert.equal(plan.probes.length, classes.size);
      assert.equal(plan.namespace, 'dynamo-netcheck-r7');
      assert.equal(new Set(plan.probes.map((p) => p.name)).size, plan.probes.length, 'pod names are unique');
      for (const probe of plan.probes) {
        assert.equal(model.nodes.get(probe.nodeName)?.nodeGroup, probe.source.nodeGroup);
        const spec = probe.pod.spec as Record<string, unknown>;
        const hostname = model.nodes.get(probe.nodeName)!.labels['kubernetes.io/hostname'];
        if (hostname) assert.deepEqual(spec.nodeSelector, { 'kubernetes.io/hostname': hostname });
        else assert.equal(spec.nodeName, probe.nodeName);
        assert.deepEqual(spec.tolerations, [{ operator: 'Exists' }]);
        for (const target of probe.targets) {
          if (target.via === 'pod') {
            assert.ok(
              model.pods.some((p) => p.ip === target.host),
              `${target.host} is a pod IP`,
            );
            const flow = analysis.flows.find((f) => f.id === target.flowId);
            assert.equal(target.expected, flow?.status ?? 'unknown');
          } else if (target.via === 'listener') {
            // Not bound yet: the host is the listener's pod name, which lives on the flow's destination class.
            const listener = plan.listeners.find((l) => l.name === target.listener)!;
            assert.equal(target.host, listener.name);
            assert.ok(listener.ports.includes(target.port));
            const flow = analysis.flows.find((f) => f.id === target.flowId)!;
            assert.equal(target.requirement, flow.requirement);
            assert.equal(model.nodes.get(listener.nodeName)?.nodeGroup, flow.destination.nodeGroup);
            assert.ok(target.port >= flow.ports.from && target.port <= flow.ports.to);
            if (flow.status !== 'blocked') assert.equal(target.expected, flow.status);
          } else {
            assert.match(target.host, /\.svc\.cluster\.local$/);
          }
        }
      }
    });
  }

  it('a blocked flow is expected blocked from its source class (dgxc: GPU nodes → Prometheus)', () => {
    const { model, analysis } = loaded.get('dgxc-multi-sg')!;
    const plan = planProbes(model, analysis, options);
    const gpu = plan.probes.find((p) => p.source.nodeGroup === 'gpu-h100')!;
    const prom = gpu.targets.filter((t) => t.requirement === 'prometheus');
    assert.deepEqual(
      prom.map((t) => [t.via, t.expected]),
      [
        ['pod', 'blocked'],
        ['service', 'blocked'],
      ],
    );
  });

  it('rejects a run id that cannot name a namespace', () => {
    const { model, analysis } = loaded.get('dgxc-multi-sg')!;
    for (const runId of ['', 'UPPER', 'a_b', 'x'.repeat(40), '-a'])
      assert.throws(() => planProbes(model, analysis, { ...options, runId }), /run id/);
  });
});

const t = (id: string, host: string, port: number): ProbeTarget => ({
  id,
  requirement: 'nats',
  host,
  port,
  via: 'pod',
  name: host,
  expected: 'allowed',
});

describe('probe commands', () => {
  it('nc script: one background nc -zvv -w line per target, then wait', () => {
    const script = ncScript([t('t0', '10.0.0.1', 4222), t('t1', 'nats.ns.svc.cluster.local', 4222)], 3);
    assert.match(script, /nc -zvv -w 3 "\$2" "\$3"/);
    assert.deepEqual(
      script.split('\n').filter((l) => l.startsWith('t t')),
      ['t t0 10.0.0.1 4222 &', 't t1 nats.ns.svc.cluster.local 4222 &'],
    );
    assert.match(script, /\nwait\n$/);
  });

  for (const host of ['a;rm -rf /', '$(id)', 'a b', "x'"])
    it(`nc script refuses a host a shell would interpret: ${host}`, () => {
      assert.throws(() => ncScript([t('t0', host, 1)], 5), /unsafe host/);
    });

  const urls: Array<[string, number, string]> = [
    ['10.0.0.1', 4222, 'nats://10.0.0.1:4222'],
    ['10.0.0.1', 9090, 'http://10.0.0.1:9090'],
    ['10.0.0.1', 2379, 'http://10.0.0.1:2379'],
    ['10.0.0.1', 1024, 'tcp://10.0.0.1:1024'],
    ['fd00::1', 4222, 'nats://[fd00::1]:4222'],
  ];
  for (const [host, port, url] of urls)
    it(`--l7 dials ${host}:${port} as ${url}`, () => assert.equal(dialUrl({ host, port }), url));

  it('--l7 asks for JetStream only when a NATS target is dialed, and for JSON', () => {
    assert.deepEqual(l7Arguments([t('t0', '10.0.0.1', 4222)], 5), [
      'dial',
      'nats://10.0.0.1:4222',
      '--jetstream',
      '--timeout',
      '5s',
      '-o',
      'json',
    ]);
    assert.ok(!l7Arguments([t('t0', '10.0.0.1', 9090)], 5).includes('--jetstream'));
  });
});
