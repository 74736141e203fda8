/**
 * What buildRequirementContext reads from the workers' env and command lines: the port env vars
 * (README "Evidence beats defaults": DYN_TCP_RPC_PORT, DYN_TCP_RESPONSE_STREAM_PORT,
 * DYN_VLLM_KV_EVENT_PORT, --kv-events-config, --data-parallel-size, VLLM_NIXL_SIDE_CHANNEL_PORT,
 * --tensor-parallel-size, UCX_TLS, UCX_TCP_PORT_RANGE), disaggregation, and where NATS and etcd
 * are (NATS_SERVER, ETCD_ENDPOINTS). Expected values written out from the README and the sources
 * the catalog cites (vLLM's NIXL connector: port + dp_rank·tp_size + tp_rank; the older Dynamo
 * launcher's 20000-30000; UCX's UCX_TLS with `^` for exclusion).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRequirementContext, parseServiceUrl, type RecipeInfo } from '../../src/requirements/context.ts';
import { dataParallelOf, declaredComponent, dynamoPod, GRAPH, podModels, withGraph } from './context-pods.ts';

const prefill = (args: string[], env: Record<string, string> = {}) =>
  declaredComponent('VllmPrefillWorker', 'worker', {
    stage: { value: 'prefill', source: 'subComponentType prefill' },
    args,
    env,
  });
const decode = declaredComponent('VllmDecodeWorker', 'worker', {
  stage: { value: 'decode', source: 'subComponentType decode' },
});

describe('parseServiceUrl', () => {
  it('service, namespace and port of a cluster-local URL', () => {
    assert.deepEqual(parseServiceUrl('nats://dynamo-platform-nats.dynamo-system.svc.cluster.local:4222'), {
      service: 'dynamo-platform-nats',
      namespace: 'dynamo-system',
      port: 4222,
    });
  });
  it('no port, a path, spaces around, an upper-case scheme', () => {
    assert.deepEqual(parseServiceUrl('  HTTP://etcd.infra/v3  '), { service: 'etcd', namespace: 'infra' });
  });
  it('`<service>.svc` has no namespace', () => {
    assert.deepEqual(parseServiceUrl('nats://nats.svc:4222'), { service: 'nats', port: 4222 });
  });
  it('ports 1 and 65535 are ports; 0 and 65536 are not, and are handed back as badPort', () => {
    assert.deepEqual(parseServiceUrl('nats://n:1'), { service: 'n', port: 1 });
    assert.deepEqual(parseServiceUrl('nats://n:65535'), { service: 'n', port: 65535 });
    assert.deepEqual(parseServiceUrl('nats://n:0'), { service: 'n', badPort: '0' });
    assert.deepEqual(parseServiceUrl('nats://n:65536'), { service: 'n', badPort: '65536' });
  });
  it('no scheme, or a scheme with no host: not a URL', () => {
    assert.equal(parseServiceUrl('my-nats:4222'), undefined);
    assert.equal(parseServiceUrl('nats://'), undefined);
    assert.equal(parseServiceUrl('x nats://n:4222'), undefined);
  });
});

describe('where NATS and etcd are', () => {
  it('NATS_SERVER on the pods moves the nats target, named by the env', () => {
    const { context } = buildRequirementContext(
      podModels(dynamoPod('w', 'worker', '1.2.0', { env: { NATS_SERVER: 'nats://my-nats.infra:4333' } })),
      {},
    );
    assert.deepEqual(context.targetOverrides.nats, {
      service: 'my-nats',
      namespace: 'infra',
      port: 4333,
      source: 'env NATS_SERVER=nats://my-nats.infra:4333 on pod dynamo-workload/w',
    });
  });

  it('a NATS_SERVER port that is no TCP port is noted and left out: the default port is used', () => {
    const { context, notes } = buildRequirementContext(
      podModels(dynamoPod('w', 'worker', '1.2.0', { env: { NATS_SERVER: 'nats://my-nats.infra:99999' } })),
      {},
    );
    assert.deepEqual(context.targetOverrides.nats, {
      service: 'my-nats',
      namespace: 'infra',
      source: 'env NATS_SERVER=nats://my-nats.infra:99999 on pod dynamo-workload/w',
    });
    assert.deepEqual(notes, [
      'env NATS_SERVER=nats://my-nats.infra:99999 on pod dynamo-workload/w names port 99999, which is not a TCP port (1-65535): ignored, the default port is used',
    ]);
  });

  it("without NATS_SERVER, the recipe's dynamo-platform namespace; a NATS_SERVER that is no URL is not used", () => {
    const recipe: RecipeInfo = { name: 'r', source: 'r.yaml', dynamoNamespace: 'dynamo' };
    assert.deepEqual(buildRequirementContext([], { recipe }).context.targetOverrides.nats, {
      namespace: 'dynamo',
      source: 'recipe r',
    });
    const { context } = buildRequirementContext(
      podModels(dynamoPod('w', 'worker', '1.2.0', { env: { NATS_SERVER: 'my-nats:4222' } })),
      {},
    );
    assert.equal(context.targetOverrides.nats, undefined);
  });

  it('the first of ETCD_ENDPOINTS moves the etcd target', () => {
    const { context } = buildRequirementContext(
      podModels(
        dynamoPod('w', 'worker', '1.0.2', {
          env: { ETCD_ENDPOINTS: 'http://etcd-a.infra:2380,http://etcd-b.infra:2381' },
        }),
      ),
      {},
    );
    assert.deepEqual(context.targetOverrides.etcd, {
      service: 'etcd-a',
      namespace: 'infra',
      port: 2380,
      source: 'env ETCD_ENDPOINTS=http://etcd-a.infra:2380,http://etcd-b.infra:2381 on pod dynamo-workload/w',
    });
  });

  it("the recipe's kube-prometheus-stack namespace moves the prometheus target", () => {
    const recipe: RecipeInfo = { name: 'r', source: 'r.yaml', prometheusNamespace: 'observability' };
    assert.deepEqual(buildRequirementContext([], { recipe }).context.targetOverrides.prometheus, {
      namespace: 'observability',
      source: 'recipe r',
    });
  });
});

describe('port env vars', () => {
  it('the request plane and response stream ports, from a pod or else a graph', () => {
    const fromPod = buildRequirementContext(
      podModels(dynamoPod('f', 'frontend', '1.4.2', { env: { DYN_TCP_RESPONSE_STREAM_PORT: '9100' } })),
      { declared: [declaredComponent('VllmWorker', 'worker', { env: { DYN_TCP_RPC_PORT: '9345' } })] },
    ).context;
    assert.deepEqual(fromPod.portEnv, {
      DYN_TCP_RESPONSE_STREAM_PORT: {
        value: '9100',
        source: 'env DYN_TCP_RESPONSE_STREAM_PORT=9100 on pod dynamo-workload/f',
      },
      DYN_TCP_RPC_PORT: { value: '9345', source: `env DYN_TCP_RPC_PORT=9345 in ${GRAPH} VllmWorker` },
    });
  });

  it("the KV-event port is the workers': a frontend's DYN_VLLM_KV_EVENT_PORT is not it", () => {
    const { context } = buildRequirementContext(
      podModels(
        dynamoPod('f', 'frontend', '1.4.2', { env: { DYN_VLLM_KV_EVENT_PORT: '6000' } }),
        dynamoPod('w', 'worker', '1.4.2'),
      ),
      {},
    );
    assert.equal(context.portEnv.DYN_VLLM_KV_EVENT_PORT, undefined);
  });

  it("a worker pod's --kv-events-config endpoint gives the port, with where it was read", () => {
    const { context } = buildRequirementContext(
      podModels(
        dynamoPod('w', 'worker', '1.4.2', {
          args: ['--kv-events-config', '{"publisher":"zmq","endpoint":"tcp://*:5560"}'],
        }),
      ),
      {},
    );
    assert.deepEqual(context.portEnv.DYN_VLLM_KV_EVENT_PORT, {
      value: '5560',
      source: '--kv-events-config endpoint tcp://*:5560 on pod dynamo-workload/w',
    });
  });

  it("a graph worker's DYN_VLLM_KV_EVENT_PORT, then its --kv-events-config", () => {
    const env = withGraph(
      declaredComponent('W', 'worker', { env: { DYN_VLLM_KV_EVENT_PORT: '5570' } }),
    ).context;
    assert.deepEqual(env.portEnv.DYN_VLLM_KV_EVENT_PORT, {
      value: '5570',
      source: `env DYN_VLLM_KV_EVENT_PORT=5570 in ${GRAPH} W`,
    });
    const args = withGraph(
      declaredComponent('W', 'worker', { args: ['--kv-events-config={"endpoint":"tcp://*:5571"}'] }),
    ).context;
    assert.deepEqual(args.portEnv.DYN_VLLM_KV_EVENT_PORT, {
      value: '5571',
      source: `--kv-events-config endpoint tcp://*:5571 on ${GRAPH} W`,
    });
  });

  for (const [what, config] of [
    ['not JSON', '{endpoint: tcp://*:5560'],
    ['an endpoint with no port', '{"endpoint":"tcp://*"}'],
    ['an endpoint that is no string', '{"endpoint":5560}'],
    ['a port of six digits', '{"endpoint":"tcp://*:555700"}'],
  ] as const) {
    it(`--kv-events-config ${what}: no port from it`, () => {
      const { context } = withGraph(
        declaredComponent('W', 'worker', { args: ['--kv-events-config', config] }),
      );
      assert.equal(context.portEnv.DYN_VLLM_KV_EVENT_PORT, undefined);
    });
  }

  it("a frontend graph's --kv-events-config is not the workers'", () => {
    const { context } = withGraph(
      declaredComponent('Frontend', 'frontend', {
        args: ['--kv-events-config', '{"endpoint":"tcp://*:5560"}'],
      }),
    );
    assert.equal(context.portEnv.DYN_VLLM_KV_EVENT_PORT, undefined);
  });

  it("DYN_SYSTEM_PORT: a worker pod's, even of another release (an upgrade what-if); the metrics flow applies", () => {
    const { context } = buildRequirementContext(
      podModels(dynamoPod('w', 'worker', '1.2.0', { env: { DYN_SYSTEM_PORT: '9091' } })),
      { dynamoVersion: '1.4.2' },
    );
    assert.deepEqual(context.portEnv.DYN_SYSTEM_PORT, {
      value: '9091',
      source: 'env DYN_SYSTEM_PORT=9091 on pod dynamo-workload/w',
    });
    assert.equal(context.dynamoMetrics, true);
    assert.equal(context.dynamoMetricsSource, 'env DYN_SYSTEM_PORT=9091 on pod dynamo-workload/w');
  });

  it('no DYN_SYSTEM_PORT: the metrics flow does not apply, and the reason says whether workers were seen', () => {
    const withWorkers = buildRequirementContext(podModels(dynamoPod('w', 'worker', '1.4.2')), {}).context;
    assert.equal(withWorkers.dynamoMetrics, false);
    assert.equal(withWorkers.dynamoMetricsSource, 'no Dynamo worker pod sets DYN_SYSTEM_PORT');
    const none = buildRequirementContext([], {}).context;
    assert.equal(
      none.dynamoMetricsSource,
      'no Dynamo worker pod or DynamoGraphDeployment worker sets DYN_SYSTEM_PORT',
    );
  });
});

describe('data-parallel size (--data-parallel-size, -dp)', () => {
  const dp = dataParallelOf;
  it('--data-parallel-size 4 and -dp=2, with where they were read', () => {
    assert.deepEqual(dp(['--data-parallel-size', '4']), {
      size: 4,
      source: `arg --data-parallel-size 4 on ${GRAPH} W`,
    });
    assert.deepEqual(dp(['-dp=2']), { size: 2, source: `arg -dp 2 on ${GRAPH} W` });
  });
  it('inside a shell script (sh -c "…"), but not inside a JSON word', () => {
    assert.deepEqual(dp(['-c', 'python3 -m dynamo.vllm --model m --data-parallel-size 8']), {
      size: 8,
      source: `arg --data-parallel-size 8 on ${GRAPH} W`,
    });
    assert.equal(dp(['--kv-events-config', ' {"x": "--data-parallel-size 8"}']), undefined);
  });
  it('1 and 1024 are sizes; 0, 1025, 2.5 and words are not', () => {
    assert.deepEqual(dp(['-dp', '1'])?.size, 1);
    assert.deepEqual(dp(['-dp', '1024'])?.size, 1024);
    for (const bad of ['0', '1025', '2.5', 'four']) assert.equal(dp(['-dp', bad]), undefined, bad);
  });
  it("from a worker pod's command line", () => {
    const { context } = buildRequirementContext(
      podModels(
        dynamoPod('w', 'worker', '1.4.2', { command: ['python3', '-m', 'dynamo.vllm'], args: ['-dp', '2'] }),
      ),
      {},
    );
    assert.deepEqual(context.dataParallel, { size: 2, source: 'arg -dp 2 on pod dynamo-workload/w' });
  });
});

describe('disaggregated serving and the NIXL side channel', () => {
  it('a running prefill worker pod (the operator’s sub-component label) says so; a failed one does not', () => {
    const label = { 'nvidia.com/dynamo-sub-component-type': 'prefill' };
    const running = buildRequirementContext(
      podModels(dynamoPod('p', 'worker', '1.4.2', { labels: label })),
      {},
    ).context;
    assert.equal(running.disaggregated, true);
    assert.equal(
      running.disaggregatedSource,
      'prefill worker: label nvidia.com/dynamo-sub-component-type=prefill on pod dynamo-workload/p',
    );
    const failed = buildRequirementContext(
      podModels(dynamoPod('p', 'worker', '1.4.2', { labels: label, phase: 'Failed' })),
      {},
    ).context;
    assert.equal(failed.disaggregated, false);
    const done = buildRequirementContext(
      podModels(dynamoPod('p', 'worker', '1.4.2', { labels: label, phase: 'Succeeded' })),
      {},
    ).context;
    assert.equal(done.disaggregated, false);
  });

  it('a graph’s prefill worker with replicas says so; with none it does not', () => {
    const { context } = withGraph(prefill([]), decode);
    assert.equal(context.disaggregated, true);
    assert.equal(
      context.disaggregatedSource,
      `prefill worker declared: ${GRAPH} VllmPrefillWorker (subComponentType prefill)`,
    );
    const scaledDown = withGraph({ ...prefill([]), replicas: 0 }, decode).context;
    assert.equal(scaledDown.disaggregated, false);
    assert.equal(
      scaledDown.disaggregatedSource,
      'no prefill worker deployed or declared (no nvidia.com/dynamo-sub-component-type=prefill, --disaggregation-mode prefill or --is-prefill-worker): aggregated serving',
    );
  });

  it('no workers at all: nothing says the serving is disaggregated', () => {
    assert.equal(
      buildRequirementContext([], {}).context.disaggregatedSource,
      'no Dynamo workers deployed or declared: nothing says the serving is disaggregated',
    );
  });

  it('VLLM_NIXL_SIDE_CHANNEL_PORT and UCX_TCP_PORT_RANGE count only when serving disaggregated', () => {
    const env = { VLLM_NIXL_SIDE_CHANNEL_PORT: '5700', UCX_TCP_PORT_RANGE: '40000-40100' };
    const disagg = withGraph(prefill([], env), decode).context;
    assert.deepEqual(disagg.portEnv.VLLM_NIXL_SIDE_CHANNEL_PORT, {
      value: '5700',
      source: `env VLLM_NIXL_SIDE_CHANNEL_PORT=5700 in ${GRAPH} VllmPrefillWorker`,
    });
    assert.deepEqual(disagg.portEnv.UCX_TCP_PORT_RANGE, {
      value: '40000-40100',
      source: `env UCX_TCP_PORT_RANGE=40000-40100 in ${GRAPH} VllmPrefillWorker`,
    });
    const agg = withGraph(declaredComponent('W', 'worker', { env })).context;
    assert.equal(agg.portEnv.VLLM_NIXL_SIDE_CHANNEL_PORT, undefined);
    assert.equal(agg.portEnv.UCX_TCP_PORT_RANGE, undefined);
  });

  it("the prefill worker pod's own VLLM_NIXL_SIDE_CHANNEL_PORT", () => {
    const { context } = buildRequirementContext(
      podModels(
        dynamoPod('p', 'worker', '1.4.2', {
          labels: { 'nvidia.com/dynamo-sub-component-type': 'prefill' },
          env: { VLLM_NIXL_SIDE_CHANNEL_PORT: '5800' },
        }),
      ),
      {},
    );
    assert.deepEqual(context.portEnv.VLLM_NIXL_SIDE_CHANNEL_PORT, {
      value: '5800',
      source: 'env VLLM_NIXL_SIDE_CHANNEL_PORT=5800 on pod dynamo-workload/p',
    });
  });

  it('side-channel ranks: dp × tp, each named; one factor alone; a single rank is none', () => {
    assert.deepEqual(
      withGraph(prefill(['-dp', '2', '--tensor-parallel-size', '4']), decode).context.nixlRanks,
      {
        count: 8,
        source: `2 data-parallel ranks (arg -dp 2 on ${GRAPH} VllmPrefillWorker) × 4 tensor-parallel ranks (arg --tensor-parallel-size 4 on ${GRAPH} VllmPrefillWorker)`,
      },
    );
    assert.deepEqual(withGraph(prefill(['-tp=2']), decode).context.nixlRanks, {
      count: 2,
      source: `2 tensor-parallel ranks (arg -tp 2 on ${GRAPH} VllmPrefillWorker)`,
    });
    assert.deepEqual(withGraph(prefill(['-dp', '3']), decode).context.nixlRanks, {
      count: 3,
      source: `3 data-parallel ranks (arg -dp 3 on ${GRAPH} VllmPrefillWorker)`,
    });
    assert.equal(withGraph(prefill(['-tp', '1', '-dp', '1']), decode).context.nixlRanks, undefined);
    for (const bad of ['0', '1025', 'x'])
      assert.equal(withGraph(prefill(['-tp', bad]), decode).context.nixlRanks, undefined, bad);
    assert.equal(withGraph(prefill(['-tp', '1024']), decode).context.nixlRanks?.count, 1024);
    // Only a prefill worker's flags count, and only when serving disaggregated.
    assert.equal(
      withGraph(declaredComponent('W', 'worker', { args: ['-tp', '2'] })).context.nixlRanks,
      undefined,
    );
  });

  it("the older launcher's --dynamo-port-min/--dynamo-port-max: its range, 20000-30000 for the one not given", () => {
    const both = withGraph(
      prefill(['--dynamo-port-min', '21000', '--dynamo-port-max=21999']),
      decode,
    ).context;
    assert.deepEqual(both.nixlLauncherRange, {
      from: 21000,
      to: 21999,
      source: `--dynamo-port-min 21000, --dynamo-port-max 21999 on ${GRAPH} VllmPrefillWorker: that Dynamo launcher allocates the side-channel ports from 21000-21999`,
    });
    const min = withGraph(prefill(['--dynamo-port-min', '25000']), decode).context.nixlLauncherRange;
    assert.deepEqual([min?.from, min?.to], [25000, 30000]);
    const max = withGraph(prefill(['--dynamo-port-max', '25000']), decode).context.nixlLauncherRange;
    assert.deepEqual([max?.from, max?.to], [20000, 25000]);
    assert.equal(max?.source.startsWith(`--dynamo-port-max 25000 on ${GRAPH} VllmPrefillWorker:`), true);
    const one = withGraph(prefill(['--dynamo-port-min', '1', '--dynamo-port-max', '1']), decode).context;
    assert.deepEqual([one.nixlLauncherRange?.from, one.nixlLauncherRange?.to], [1, 1]);
    const top = withGraph(prefill(['--dynamo-port-max', '65535']), decode).context;
    assert.equal(top.nixlLauncherRange?.to, 65535);
  });

  for (const [what, args] of [
    ['a backwards range', ['--dynamo-port-min', '30001']],
    ['port 0', ['--dynamo-port-min', '0']],
    ['above 65535', ['--dynamo-port-max', '65536', '--dynamo-port-min', '60000']],
    ['a fraction', ['--dynamo-port-min', '20000.5']],
    ['a word', ['--dynamo-port-max', 'high']],
  ] as const) {
    it(`--dynamo-port-min/max with ${what}: no launcher range`, () => {
      assert.equal(withGraph(prefill([...args]), decode).context.nixlLauncherRange, undefined);
    });
  }
});

describe('UCX over TCP (UCX_TLS, EFA)', () => {
  const ucx = (tls: string | undefined, efa = false) =>
    buildRequirementContext([], {
      dynamoVersion: '1.4.2',
      declared: [prefill([], tls === undefined ? {} : { UCX_TLS: tls }), decode],
      ...(efa ? { efa: { value: true, source: 'eni-0a InterfaceType efa' } } : {}),
    }).context;
  it('UCX_TLS unset and no EFA: tcp, and why', () => {
    const c = ucx(undefined);
    assert.equal(c.ucxTcp, true);
    assert.equal(c.ucxTcpSource, 'no EFA interface, and UCX_TLS unset: UCX moves the KV cache over tcp');
  });
  it('EFA: not tcp, the KV cache moves over EFA (efa-srd)', () => {
    const c = ucx(undefined, true);
    assert.equal(c.ucxTcp, false);
    assert.equal(
      c.ucxTcpSource,
      "eni-0a InterfaceType efa: the KV cache moves over EFA (efa-srd), not UCX's tcp transport",
    );
  });
  for (const [tls, tcp] of [
    ['tcp', true],
    [' TCP , cuda_copy', true],
    ['all', true],
    ['^rc', true],
    ['rc,cuda_copy', false],
    ['^tcp', false],
    ['^rc,tcp', false],
    ['tcpx', false],
  ] as const) {
    it(`UCX_TLS=${tls}: tcp ${tcp ? 'is' : 'is not'} among the transports`, () => {
      const c = ucx(tls);
      assert.equal(c.ucxTcp, tcp);
      assert.equal(
        c.ucxTcpSource,
        `env UCX_TLS=${tls} in ${GRAPH} VllmPrefillWorker: tcp ${tcp ? 'is' : 'is not'} among the transports`,
      );
    });
  }
  it('aggregated serving: no UCX transfer at all', () => {
    const c = buildRequirementContext([], { dynamoVersion: '1.4.2' }).context;
    assert.equal(c.ucxTcp, false);
  });
});
