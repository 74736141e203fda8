/**
 * Edges of buildRequirementContext the first tests left open (found by mutation testing): the
 * mid-upgrade note with several versions, pre-release versions of each family, DYN_EVENT_PLANE
 * against the family default, the etcd pod's verdict, only the workers' DYN_SYSTEM_PORT, shell
 * scripts with runs of spaces and JSON words, UCX_TLS with spaces, tensor-parallel sizes that are
 * no size, and the context holding only what was found. Expected values from the README and the
 * sources context.ts cites (UCX_TLS: a comma list, `^` for exclusion).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRequirementContext, familyOf } from '../../src/requirements/context.ts';
import { dataParallelOf, declaredComponent, dynamoPod, GRAPH, podModels, withGraph } from './context-pods.ts';

const prefill = (args: string[], env: Record<string, string> = {}) =>
  declaredComponent('VllmPrefillWorker', 'worker', {
    stage: { value: 'prefill', source: 'subComponentType prefill' },
    args,
    env,
  });

describe('versions', () => {
  it('every other version seen is listed, comma-separated, once each', () => {
    const { notes } = buildRequirementContext(
      podModels(
        dynamoPod('a', 'worker', '1.4.2'),
        dynamoPod('b', 'worker', '1.2.0'),
        dynamoPod('c', 'worker', '1.0.2'),
        dynamoPod('d', 'frontend', '1.2.0'),
      ),
      {},
    );
    assert.deepEqual(notes, ['other Dynamo versions also seen in the cluster: 1.2.0, 1.0.2 (mid-upgrade?)']);
  });

  it('a release candidate belongs to its release’s family', () => {
    assert.equal(familyOf('1.3.0-rc1').id, '1.2-1.3');
    assert.equal(familyOf('1.1.0-rc2').id, '1.0-1.1');
    assert.equal(familyOf('1.5.0-rc1').id, '1.4+');
  });
});

describe('the event plane against the family default', () => {
  it('DYN_EVENT_PLANE=nats on 1.4 pods (whose default is ZMQ): nats, named by the env', () => {
    const { context } = buildRequirementContext(
      podModels(dynamoPod('w', 'worker', '1.4.2', { env: { DYN_EVENT_PLANE: 'nats' } })),
      {},
    );
    assert.equal(context.eventPlane, 'nats');
    assert.equal(context.eventPlaneSource, 'env DYN_EVENT_PLANE=nats on pod dynamo-workload/w');
  });

  it('a graph’s DYN_EVENT_PLANE=zmq for 1.2 (whose default is NATS): zmq, named by the graph', () => {
    const { context } = buildRequirementContext([], {
      dynamoVersion: '1.2.0',
      declared: [declaredComponent('W', 'worker', { env: { DYN_EVENT_PLANE: 'zmq' } })],
    });
    assert.equal(context.eventPlane, 'zmq');
    assert.equal(context.eventPlaneSource, `env DYN_EVENT_PLANE=zmq in ${GRAPH} W`);
  });

  it('a running etcd pod keeps discovery in etcd on 1.4', () => {
    const { context } = buildRequirementContext(
      podModels({ name: 'etcd-0', namespace: 'dynamo-system', labels: { 'app.kubernetes.io/name': 'etcd' } }),
      { dynamoVersion: '1.4.2' },
    );
    assert.equal(context.etcd, true);
    assert.equal(context.etcdSource, 'etcd pod dynamo-system/etcd-0 is deployed');
  });
});

describe('what the context holds', () => {
  it('a frontend pod’s DYN_SYSTEM_PORT is not the workers’ system port', () => {
    const { context } = buildRequirementContext(
      podModels(
        dynamoPod('f', 'frontend', '1.4.2', { env: { DYN_SYSTEM_PORT: '8081' } }),
        dynamoPod('w', 'worker', '1.4.2'),
      ),
      {},
    );
    assert.equal(context.dynamoMetrics, false);
    assert.equal(context.dynamoMetricsSource, 'no Dynamo worker pod sets DYN_SYSTEM_PORT');
  });

  it('only the port env vars found, and no target moved when nothing says where', () => {
    const { context } = buildRequirementContext(
      podModels(dynamoPod('w', 'worker', '1.4.2', { env: { DYN_TCP_RPC_PORT: '9345' } })),
      {},
    );
    assert.deepEqual(Object.keys(context.portEnv), ['DYN_TCP_RPC_PORT']);
    assert.deepEqual(Object.keys(buildRequirementContext([], {}).context.targetOverrides), []);
  });

  it('an ETCD_ENDPOINTS that is no URL moves no target', () => {
    const { context } = buildRequirementContext(
      podModels(dynamoPod('w', 'worker', '1.0.2', { env: { ETCD_ENDPOINTS: 'etcd-0:2379' } })),
      {},
    );
    assert.equal(context.etcd, true);
    assert.deepEqual(Object.keys(context.targetOverrides), []);
  });

  it('aggregated workers running: the reason names the labels and flags looked for', () => {
    const { context } = buildRequirementContext(podModels(dynamoPod('w', 'worker', '1.4.2')), {});
    assert.equal(context.disaggregated, false);
    assert.equal(
      context.disaggregatedSource,
      'no prefill worker deployed or declared (no nvidia.com/dynamo-sub-component-type=prefill, --disaggregation-mode prefill or --is-prefill-worker): aggregated serving',
    );
  });
});

describe('command lines', () => {
  const dp = dataParallelOf;
  it('a shell script with runs of spaces', () => {
    assert.deepEqual(dp(['-c', 'python3  -m dynamo.vllm  --data-parallel-size   2']), {
      size: 2,
      source: `arg --data-parallel-size 2 on ${GRAPH} W`,
    });
  });

  it('a shell script whose words are parted by newlines or tabs only (a YAML block scalar)', () => {
    const expected = { size: 4, source: `arg --data-parallel-size 4 on ${GRAPH} W` };
    assert.deepEqual(dp(['-c', 'exec\npython3\n-m\ndynamo.vllm\n--data-parallel-size\n4\n']), expected);
    assert.deepEqual(dp(['-c', 'python3\t-m\tdynamo.vllm\t--data-parallel-size\t4']), expected);
  });

  it('a JSON word is not opened up, even with a flag inside and spaces around it', () => {
    assert.equal(dp(['--kv-events-config', ' {"cmd": "run --data-parallel-size 8 now"}']), undefined);
    assert.equal(dp(['--kv-events-config', '{"cmd": "run --data-parallel-size 8 now"} ']), undefined);
  });

  it('a --kv-events-config endpoint that is a list is no endpoint', () => {
    const { context } = withGraph(
      declaredComponent('W', 'worker', { args: ['--kv-events-config', '{"endpoint":["tcp://*:5560"]}'] }),
    );
    assert.equal(context.portEnv.DYN_VLLM_KV_EVENT_PORT, undefined);
  });
});

describe('tensor-parallel sizes that are no size leave the data-parallel count alone', () => {
  for (const tp of ['0', '2.5', '-1']) {
    it(`-dp 2 -tp ${tp}: 2 ranks, from -dp only`, () => {
      assert.deepEqual(withGraph(prefill(['-dp', '2', '-tp', tp])).context.nixlRanks, {
        count: 2,
        source: `2 data-parallel ranks (arg -dp 2 on ${GRAPH} VllmPrefillWorker)`,
      });
    });
  }
  it('-dp 2 -tp 1: 2 ranks, both named', () => {
    assert.deepEqual(withGraph(prefill(['-dp', '2', '-tp', '1'])).context.nixlRanks, {
      count: 2,
      source: `2 data-parallel ranks (arg -dp 2 on ${GRAPH} VllmPrefillWorker) × 1 tensor-parallel ranks (arg -tp 1 on ${GRAPH} VllmPrefillWorker)`,
    });
  });
});

describe('UCX_TLS with spaces around', () => {
  it('" ^rc": every transport but rc, tcp among them', () => {
    const { context } = withGraph(prefill([], { UCX_TLS: ' ^rc' }));
    assert.equal(context.ucxTcp, true);
  });
});
