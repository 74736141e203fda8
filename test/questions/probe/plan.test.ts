import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { analyzeModel } from '../../../src/questions/analyze.ts';
import type { AnalysisResult } from '../../../src/questions/analyze.ts';
import { readSnapshot } from '../../../src/cli/inputs.ts';
import { buildModel } from '../../../src/model/build.ts';
import type { ClusterModel } from '../../../src/model/types.ts';
import {
  bindListeners,
  dialledTargets,
  dialUrl,
  l7Arguments,
  ncScript,
  planProbes,
  probePorts,
  statusAtPort,
  type ProbeTarget,
} from '../../../src/questions/probe/plan.ts';
import type { Status, TraceStep } from '../../../src/reachability/types.ts';

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
      // Ranges are probed too (through stand-in listeners), so every TCP flow's source class counts
      // — except the EKS control plane, where no pod can run: stated as checked statically only.
      const classes = new Set(
        analysis.flows
          .filter((f) => f.protocol === 'tcp' && f.source.kind !== 'control-plane')
          .map((f) => `${f.source.nodeGroup}|${[...f.source.securityGroups].sort().join(',')}`),
      );
      assert.equal(plan.probes.length, classes.size);
      assert.ok(plan.probes.every((p) => p.source.nodeGroup !== 'EKS control plane'));
      for (const webhook of analysis.flows.filter((f) => f.requirement === 'operator-webhook'))
        assert.ok(
          plan.notProbed.some(
            (n) => n.startsWith(`${webhook.title} (tcp/9443)`) && n.includes('checked statically only'),
          ),
          'the plan says the webhook flow is not probed, and why',
        );
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
    it(`--dial-image: dial gets ${host}:${port} as ${url}`, () => assert.equal(dialUrl({ host, port }), url));

  it('--dial-image asks dial for JetStream only when a NATS target is dialed, and for JSON', () => {
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

describe('stand-in listeners where nothing serves the port', () => {
  /** Dynamo 1.4 analysed on dgxc (still running 1.2), with gpu-operator in the recipe: 5557, 9400, the TCP planes. */
  let dgxc14: { model: ClusterModel; analysis: AnalysisResult };
  before(async () => {
    const model = buildModel(await readSnapshot('examples/dgxc-multi-sg'));
    dgxc14 = {
      model,
      analysis: analyzeModel(model, {
        dynamoVersion: '1.4.2',
        recipe: { name: 'test', source: 'test', components: ['gpu-operator'] },
      }),
    };
  });
  const RANGE = [32768, 46883, 60999]; // both ends of 32768-60999 and (32768 + 60999) / 2 rounded down

  it('5557 and 9400 are probed through a stand-in on the GPU workers’ class; Prometheus, which runs, is dialled for real', () => {
    const { model, analysis } = dgxc14;
    const plan = planProbes(model, analysis, options);
    const gpu = plan.listeners.filter((l) => l.destination.nodeGroup === 'gpu-h100');
    assert.equal(gpu.length, 1);
    // 9090 on the GPU class is the workers' system port (the recommended Dynamo metrics scrape),
    // not Prometheus: the running 1.2 workers are not the 1.4.2 analysed, so a stand-in answers it.
    assert.deepEqual(gpu[0]!.ports, [5557, 9090, 9400, ...RANGE]);
    assert.deepEqual(
      gpu[0]!.requirements.filter((r) => r === 'dynamo-metrics' || r === 'prometheus'),
      ['dynamo-metrics'],
    );
    assert.equal(model.nodes.get(gpu[0]!.nodeName)?.nodeGroup, 'gpu-h100');
    assert.ok(
      !plan.listeners.some((l) => l.requirements.includes('prometheus')),
      'Prometheus runs: no stand-in for it',
    );
    const system = plan.probes.find((p) => p.source.nodeGroup === 'system')!;
    const via = (requirement: string) =>
      system.targets.filter((t) => t.requirement === requirement).map((t) => [t.via, t.port, t.expected]);
    assert.deepEqual(via('zmq-events'), [['listener', 5557, 'allowed']]);
    assert.deepEqual(via('dcgm-scrape'), [['listener', 9400, 'allowed']]);
    assert.deepEqual(via('prometheus'), [
      ['pod', 9090, 'allowed'],
      ['service', 9090, 'allowed'],
    ]);
    // The workers run 1.2, which does not serve 5557: the stand-in says why it stands in.
    const zmq = system.targets.find((t) => t.requirement === 'zmq-events')!;
    assert.match(zmq.standInBecause ?? '', /Dynamo 1\.2\.0, not the 1\.4\.2 analysed/);
    // The response stream goes to frontends not deployed yet: one listener per destination class.
    const streams = plan.listeners.filter((l) => l.requirements.includes('response-stream'));
    assert.deepEqual(streams.map((l) => l.destination.nodeGroup).sort(), ['cpu-inference', 'system']);
    for (const l of streams) assert.deepEqual(l.ports, RANGE);
  });

  it('the recommended metrics scrape is probed but marked uncounted; --strict counts it', () => {
    const { model, analysis } = dgxc14;
    assert.deepEqual(planProbes(model, analysis, options).uncounted, ['dynamo-metrics']);
    const strict = analyzeModel(model, {
      dynamoVersion: '1.4.2',
      recipe: { name: 'test', source: 'test', components: ['gpu-operator'] },
      strict: true,
    });
    assert.equal(planProbes(model, strict, options).uncounted, undefined);
  });

  it('a listener lands on a node of its class that no probe runs on, when the class has one', () => {
    const { model, analysis } = dgxc14;
    const plan = planProbes(model, analysis, options);
    const probeNodes = new Set(plan.probes.map((p) => p.nodeName));
    const systemNodes = [...model.nodes.values()].filter((n) => n.nodeGroup === 'system' && n.ready);
    assert.ok(systemNodes.length >= 2);
    const listener = plan.listeners.find((l) => l.destination.nodeGroup === 'system')!;
    assert.ok(!probeNodes.has(listener.nodeName), listener.nodeName);
    assert.ok(plan.probes.every((p) => p.targets.every((t) => t.sameNode !== true)));
  });

  it('a listener pod: restricted like the probes, pinned, tolerating, one persistent nc per port, Ready when it accepts', () => {
    const { model, analysis } = dgxc14;
    const plan = planProbes(model, analysis, { ...options, listenerImage: 'registry.local/busybox:1.36' });
    const listener = plan.listeners.find((l) => l.destination.nodeGroup === 'gpu-h100')!;
    const pod = listener.pod as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(pod.metadata.namespace, plan.namespace);
    assert.deepEqual(pod.metadata.labels, {
      'app.kubernetes.io/managed-by': 'dynamo-netcheck',
      'dynamo-netcheck/run': 'r7',
      'dynamo-netcheck/role': 'listener',
    });
    const hostname = model.nodes.get(listener.nodeName)!.labels['kubernetes.io/hostname'];
    assert.deepEqual(pod.spec.nodeSelector, { 'kubernetes.io/hostname': hostname });
    assert.deepEqual(pod.spec.tolerations, [{ operator: 'Exists' }]);
    assert.equal(pod.spec.restartPolicy, 'Never');
    assert.equal(pod.spec.automountServiceAccountToken, false);
    assert.ok(pod.spec.activeDeadlineSeconds > 0, 'the kubelet stops it even if the tool is killed');
    assert.deepEqual(pod.spec.securityContext, {
      runAsNonRoot: true,
      runAsUser: 65534,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    assert.deepEqual(
      pod.spec.containers.map((c: Record<string, any>) => [c.command, c.readinessProbe.tcpSocket.port]), // eslint-disable-line @typescript-eslint/no-explicit-any
      listener.ports.map((port) => [['nc', '-ll', '-p', String(port), '-e', 'true'], port]),
    );
    for (const c of pod.spec.containers) {
      assert.equal(c.image, 'registry.local/busybox:1.36');
      assert.deepEqual(c.securityContext, {
        runAsNonRoot: true,
        runAsUser: 65534,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      assert.ok(c.resources.limits.memory);
    }
    // Its name is a valid pod name and distinct from the probes'.
    const names = [...plan.probes.map((p) => p.name), ...plan.listeners.map((l) => l.name)];
    assert.equal(new Set(names).size, names.length);
  });

  it('with NATS running (1.2), only the OS-assigned ranges get stand-ins', async () => {
    const model = buildModel(await readSnapshot('examples/healthy-shared-cluster-sg'));
    const plan = planProbes(model, analyzeModel(model), options);
    assert.ok(plan.listeners.length > 0);
    for (const l of plan.listeners) {
      assert.deepEqual(l.ports, RANGE);
      assert.ok(l.requirements.every((r) => r === 'request-plane' || r === 'response-stream'));
    }
    const nats = plan.probes.flatMap((p) => p.targets.filter((t) => t.requirement === 'nats'));
    assert.ok(nats.length > 0 && nats.every((t) => t.via !== 'listener'));
  });

  it('a preflight (nothing of Dynamo or NATS installed, 1.2): 4222 is proved on a stand-in on the system node groups', async () => {
    const snapshot = await readSnapshot('examples/healthy-shared-cluster-sg');
    const bare = {
      ...snapshot,
      pods: snapshot.pods.filter(
        (p) => !['dynamo-system', 'dynamo-workload'].includes(p.value.metadata.namespace ?? ''),
      ),
    };
    const model = buildModel(bare);
    const analysis = analyzeModel(model, { dynamoVersion: '1.2.0' });
    const plan = planProbes(model, analysis, options);
    const nats = plan.listeners.filter((l) => l.requirements.includes('nats'));
    assert.ok(nats.length > 0);
    for (const l of nats) {
      assert.ok(l.ports.includes(4222));
      assert.equal(model.nodes.get(l.nodeName)?.gpu, false);
    }
    const targets = plan.probes.flatMap((p) => p.targets.filter((t) => t.requirement === 'nats'));
    assert.ok(targets.length > 0);
    for (const t of targets) {
      assert.equal(t.via, 'listener');
      assert.equal(t.standInBecause, 'nothing serves it yet');
    }
    // No Service name to dial before install: nothing would answer it.
    assert.ok(!targets.some((t) => t.host.endsWith('.svc.cluster.local')));
  });

  it('--l7: the bound script speaks plain TCP to every stand-in, in busybox with nc limits', () => {
    const { model, analysis } = dgxc14;
    const plan = planProbes(model, analysis, { ...options, mode: 'l7' });
    const gpu = plan.listeners.find((l) => l.destination.nodeGroup === 'gpu-h100')!;
    const system = bindListeners(plan, new Map([[gpu.name, '10.0.40.7']])).find(
      (p) => p.source.nodeGroup === 'system',
    )!;
    const container = (
      system.pod.spec as { containers: Array<{ command: string[]; image: string; resources: unknown }> }
    ).containers[0]!;
    assert.equal(container.image, 'busybox:1.36');
    assert.deepEqual(container.command.slice(0, 2), ['sh', '-c']);
    assert.deepEqual(container.resources, {
      requests: { cpu: '10m', memory: '16Mi' },
      limits: { cpu: '100m', memory: '32Mi' },
    });
    for (const port of [5557, 9400, ...RANGE])
      assert.match(container.command[2]!, new RegExp(`^p t\\d+ 10\\.0\\.40\\.7 ${port} &$`, 'm'));
  });

  it('bindListeners puts the listener’s address into the script; a listener without one is left out', () => {
    const { model, analysis } = dgxc14;
    const plan = planProbes(model, analysis, options);
    const system = plan.probes.find((p) => p.source.nodeGroup === 'system')!;
    const unbound = (system.pod.spec as { containers: Array<{ command: string[] }> }).containers[0]!
      .command[2]!;
    assert.doesNotMatch(unbound, /listen-/, 'an unbound listener is not dialled by name');
    const gpu = plan.listeners.find((l) => l.destination.nodeGroup === 'gpu-h100')!;
    const bound = bindListeners(plan, new Map([[gpu.name, '10.0.40.7']]));
    const script = (
      bound.find((p) => p.name === system.name)!.pod.spec as { containers: Array<{ command: string[] }> }
    ).containers[0]!.command[2]!;
    for (const port of [5557, 9400, ...RANGE])
      assert.match(script, new RegExp(`^t t\\d+ 10\\.0\\.40\\.7 ${port} &$`, 'm'));
    // The GPU probe's listeners: the frontends', which have no address here (left out), and the GPU
    // class's own, bound above, which it dials for accelerator-metrics (the orchestrator on a GPU node → 9400).
    const gpuProbe = bound.find((p) => p.source.nodeGroup === 'gpu-h100')!;
    assert.deepEqual(
      dialledTargets(gpuProbe).map((t) => `${t.via} ${t.requirement}`),
      gpuProbe.targets
        .filter((t) => t.via !== 'listener' || t.listener === gpu.name)
        .map((t) => `${t.via} ${t.requirement}`),
    );
    assert.ok(
      dialledTargets(gpuProbe).some((t) => t.via === 'listener' && t.requirement === 'accelerator-metrics'),
    );
    // The plan itself is not changed.
    assert.equal(
      (system.pod.spec as { containers: Array<{ command: string[] }> }).containers[0]!.command[2],
      unbound,
    );
  });

  for (const address of ['$(id)', '10.0.0.1; rm -rf /', '10.0.0.0/8', 'listen-x', ''])
    it(`bindListeners refuses an address that is not an IP: ${JSON.stringify(address)}`, () => {
      const { model, analysis } = dgxc14;
      const plan = planProbes(model, analysis, options);
      assert.throws(
        () => bindListeners(plan, new Map([[plan.listeners[0]!.name, address]])),
        /not an IP address/,
      );
    });

  it('--dial-image dials a stand-in over plain TCP: it speaks no NATS or HTTP', () => {
    const target = { ...t('t0', '10.0.0.1', 9400), via: 'listener' as const, listener: 'l' };
    assert.equal(dialUrl(target), 'tcp://10.0.0.1:9400');
    assert.equal(dialUrl({ ...target, port: 4222 }), 'tcp://10.0.0.1:4222');
  });
});

describe('the static verdict at one port of a range', () => {
  const flow = (status: Status, steps: TraceStep[]) => ({ status, steps, ports: { from: 32768, to: 60999 } });
  const step = (
    kind: TraceStep['kind'],
    status: TraceStep['status'],
    deniedPorts?: { from: number; to: number }[],
  ) =>
    ({
      kind,
      status,
      at: 'x',
      summary: 'x',
      facts: [],
      ...(deniedPorts ? { deniedPorts } : {}),
    }) as TraceStep;

  it('an SG that allows only the lower part: the ports below its edge are allowed, the top blocked', () => {
    const f = flow('blocked', [
      step('sg-egress', 'allowed'),
      step('sg-ingress', 'blocked', [{ from: 50001, to: 60999 }]),
    ]);
    assert.deepEqual(
      RANGE_PORTS.map((p) => statusAtPort(f, p)),
      ['allowed', 'allowed', 'blocked'],
    );
  });

  it('a NACL that denies the reply ports blocks every request port', () => {
    const f = flow('blocked', [
      step('sg-ingress', 'allowed'),
      step('nacl-destination-outbound-return', 'blocked', [{ from: 32768, to: 40000 }]),
    ]);
    assert.deepEqual(
      RANGE_PORTS.map((p) => statusAtPort(f, p)),
      ['blocked', 'blocked', 'blocked'],
    );
  });

  it('a step undecided for the range leaves the ports the blocking step spares undecided', () => {
    const f = flow('blocked', [
      step('sg-egress', 'unknown'),
      step('sg-ingress', 'blocked', [{ from: 60000, to: 60999 }]),
    ]);
    assert.deepEqual(
      RANGE_PORTS.map((p) => statusAtPort(f, p)),
      ['unknown', 'unknown', 'blocked'],
    );
  });

  it('a blocking step that names no ports blocks them all; an allowed range is allowed at every port', () => {
    assert.equal(statusAtPort(flow('blocked', [step('sg-ingress', 'blocked')]), 46883), 'blocked');
    assert.equal(statusAtPort(flow('allowed', [step('sg-ingress', 'allowed')]), 46883), 'allowed');
  });

  it('probePorts: both ends and the middle; a short range is every port', () => {
    assert.deepEqual(probePorts({ from: 32768, to: 60999 }), [32768, 46883, 60999]);
    assert.deepEqual(probePorts({ from: 1024, to: 65535 }), [1024, 33279, 65535]);
    assert.deepEqual(probePorts({ from: 5557, to: 5557 }), [5557]);
    assert.deepEqual(probePorts({ from: 5557, to: 5558 }), [5557, 5558]);
  });
});

const RANGE_PORTS = [32768, 46883, 60999];
