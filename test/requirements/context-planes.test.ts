/**
 * The event plane, etcd and dcgm-exporter decisions of buildRequirementContext, each with the
 * sentence the report prints after "because". Order of evidence from the README ("Evidence beats
 * defaults"): the Dynamo pods' env, the DynamoGraphDeployments, the operator's --natsAddr /
 * --etcdAddr, the recipe's platform values, NATS / etcd pods, the family default. Family defaults
 * from AICR's pages: 1.0–1.1 no event plane and etcd, 1.2–1.3 NATS, 1.4+ ZMQ.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRequirementContext, type RecipeInfo } from '../../src/requirements/context.ts';
import { declaredComponent, dynamoPod, podModels, type RawPod } from './context-pods.ts';

const recipe = (extra: Partial<RecipeInfo> = {}): RecipeInfo => ({
  name: 'h100-eks-ubuntu-inference-dynamo',
  source: 'recipe.yaml',
  ...extra,
});
const operator = (args: string[], phase = 'Running'): RawPod => ({
  name: 'dynamo-operator-0',
  namespace: 'dynamo-system',
  labels: { 'app.kubernetes.io/name': 'dynamo-operator' },
  image: 'nvcr.io/nvidia/ai-dynamo/kubernetes-operator:1.4.2',
  args,
  phase,
});
const labelled = (name: string, app: string, phase = 'Running'): RawPod => ({
  name,
  namespace: 'dynamo-system',
  labels: { 'app.kubernetes.io/name': app },
  phase,
});

describe('the event plane', () => {
  it('DYN_EVENT_PLANE=ZMQ on a 1.2 pod: zmq (any case), named by the env', () => {
    const { context } = buildRequirementContext(
      podModels(dynamoPod('w', 'worker', '1.2.0', { env: { DYN_EVENT_PLANE: 'ZMQ' } })),
      {},
    );
    assert.equal(context.eventPlane, 'zmq');
    assert.equal(context.eventPlaneSource, 'env DYN_EVENT_PLANE=ZMQ on pod dynamo-workload/w');
  });

  it('a DYN_EVENT_PLANE Dynamo does not know is passed over: NATS_SERVER decides', () => {
    const { context } = buildRequirementContext(
      podModels(
        dynamoPod('w', 'worker', '1.4.2', {
          env: { DYN_EVENT_PLANE: 'kafka', NATS_SERVER: 'nats://nats.infra:4222' },
        }),
      ),
      {},
    );
    assert.equal(context.eventPlane, 'nats');
    assert.equal(
      context.eventPlaneSource,
      'env NATS_SERVER=nats://nats.infra:4222 on pod dynamo-workload/w: the runtime connects to NATS',
    );
  });

  it('Dynamo pods that set neither: the family default, and the pods are the evidence', () => {
    const zmq = buildRequirementContext(podModels(dynamoPod('w', 'worker', '1.4.2')), {}).context;
    assert.equal(zmq.eventPlane, 'zmq');
    assert.equal(
      zmq.eventPlaneSource,
      'the Dynamo pods set neither DYN_EVENT_PLANE nor NATS_SERVER: zmq is the Dynamo 1.4+ default',
    );
    const none = buildRequirementContext(podModels(dynamoPod('w', 'worker', '1.0.2')), {}).context;
    assert.equal(none.eventPlane, 'none');
    assert.equal(
      none.eventPlaneSource,
      'the Dynamo pods set neither DYN_EVENT_PLANE nor NATS_SERVER: no NATS event plane is the Dynamo 1.0-1.1 default',
    );
  });

  it('the pods beat the graphs; without pods the graph’s DYN_EVENT_PLANE decides, then its NATS_SERVER', () => {
    const graph = [declaredComponent('VllmWorker', 'worker', { env: { DYN_EVENT_PLANE: 'Nats' } })];
    const fromGraph = buildRequirementContext([], { dynamoVersion: '1.4.2', declared: graph }).context;
    assert.equal(fromGraph.eventPlane, 'nats');
    assert.equal(
      fromGraph.eventPlaneSource,
      'env DYN_EVENT_PLANE=Nats in DynamoGraphDeployment dynamo-workload/vllm-disagg service VllmWorker',
    );
    const withPods = buildRequirementContext(podModels(dynamoPod('w', 'worker', '1.4.2')), {
      declared: graph,
    }).context;
    assert.equal(withPods.eventPlane, 'zmq');
    const natsServer = [
      declaredComponent('VllmWorker', 'worker', {
        env: { DYN_EVENT_PLANE: 'other', NATS_SERVER: 'nats://nats.infra:4222' },
      }),
    ];
    const fromServer = buildRequirementContext([], { dynamoVersion: '1.4.2', declared: natsServer }).context;
    assert.equal(fromServer.eventPlane, 'nats');
    assert.equal(
      fromServer.eventPlaneSource,
      'env NATS_SERVER=nats://nats.infra:4222 in DynamoGraphDeployment dynamo-workload/vllm-disagg service VllmWorker: the runtime connects to NATS',
    );
  });

  it('before install the operator’s --natsAddr VALUE (two words) says nats; an empty --natsAddr= says nothing', () => {
    const two = buildRequirementContext(
      podModels(operator(['--leader-elect', '--natsAddr', 'nats://n.ns:4222'])),
      {
        dynamoVersion: '1.4.2',
      },
    ).context;
    assert.equal(two.eventPlane, 'nats');
    assert.equal(
      two.eventPlaneSource,
      'arg --natsAddr=nats://n.ns:4222 of pod dynamo-system/dynamo-operator-0',
    );
    const empty = buildRequirementContext(podModels(operator(['--natsAddr='])), {
      dynamoVersion: '1.4.2',
    }).context;
    assert.equal(empty.eventPlane, 'zmq');
    // A flag with no value after it, and one that only starts like it.
    const last = buildRequirementContext(podModels(operator(['--natsAddrX=nats://x:1', '--natsAddr'])), {
      dynamoVersion: '1.4.2',
    }).context;
    assert.equal(last.eventPlane, 'zmq');
  });

  it('the recipe’s global.nats.install: false gives the family’s plane without NATS: zmq on 1.4, none on 1.0', () => {
    const off = recipe({ dynamoValues: { global: { nats: { install: false } } } });
    const on14 = buildRequirementContext([], { dynamoVersion: '1.4.2', recipe: off }).context;
    assert.equal(on14.eventPlane, 'zmq');
    assert.equal(
      on14.eventPlaneSource,
      'recipe h100-eks-ubuntu-inference-dynamo: dynamo-platform global.nats.install: false',
    );
    assert.equal(
      buildRequirementContext([], { dynamoVersion: '1.0.2', recipe: off }).context.eventPlane,
      'none',
    );
    assert.equal(
      buildRequirementContext([], { dynamoVersion: '1.2.0', recipe: off }).context.eventPlane,
      'zmq',
    );
  });

  it('a recipe value that is not a boolean, or a path only partly there, is passed over for the next path', () => {
    const values = { global: { nats: { install: 'yes' } }, nats: { enabled: true } };
    const { context } = buildRequirementContext([], {
      dynamoVersion: '1.4.2',
      recipe: recipe({ dynamoValues: values }),
    });
    assert.equal(context.eventPlane, 'nats');
    assert.equal(
      context.eventPlaneSource,
      'recipe h100-eks-ubuntu-inference-dynamo: dynamo-platform nats.enabled: true',
    );
    const partial = buildRequirementContext([], {
      dynamoVersion: '1.4.2',
      recipe: recipe({ dynamoValues: { global: 'x', nats: null } }),
    }).context;
    assert.equal(partial.eventPlaneSource, 'nothing deployed says: zmq is the Dynamo 1.4+ default');
    // An inherited property is no value of the recipe's.
    const inherited = buildRequirementContext([], {
      dynamoVersion: '1.4.2',
      recipe: recipe({ dynamoValues: Object.create({ nats: { enabled: true } }) as Record<string, unknown> }),
    }).context;
    assert.equal(inherited.eventPlane, 'zmq');
  });

  it('a NATS pod that failed or completed says nothing; a running one says nats', () => {
    const failed = buildRequirementContext(
      podModels(labelled('nats-0', 'nats', 'Failed'), labelled('nats-1', 'nats', 'Succeeded')),
      { dynamoVersion: '1.4.2' },
    ).context;
    assert.equal(failed.eventPlane, 'zmq');
    const running = buildRequirementContext(
      podModels(labelled('nats-0', 'nats', 'Failed'), labelled('nats-1', 'nats')),
      {
        dynamoVersion: '1.4.2',
      },
    ).context;
    assert.equal(running.eventPlane, 'nats');
    assert.equal(running.eventPlaneSource, 'NATS pod dynamo-system/nats-1 is deployed');
  });

  it('nothing deployed, 1.0: no NATS event plane is the default', () => {
    const { context } = buildRequirementContext([], { dynamoVersion: '1.0.2' });
    assert.equal(context.eventPlane, 'none');
    assert.equal(
      context.eventPlaneSource,
      'nothing deployed says: no NATS event plane is the Dynamo 1.0-1.1 default',
    );
  });
});

describe('etcd', () => {
  it('DYN_DISCOVERY_BACKEND=ETCD (any case) keeps etcd; another backend drops it; each named', () => {
    const on = buildRequirementContext(
      podModels(dynamoPod('w', 'worker', '1.4.2', { env: { DYN_DISCOVERY_BACKEND: 'ETCD' } })),
      {},
    ).context;
    assert.equal(on.etcd, true);
    assert.equal(on.etcdSource, 'env DYN_DISCOVERY_BACKEND=ETCD on pod dynamo-workload/w');
    const off = buildRequirementContext(
      podModels(dynamoPod('w', 'worker', '1.0.2', { env: { DYN_DISCOVERY_BACKEND: 'kubernetes' } })),
      {},
    ).context;
    assert.equal(off.etcd, false);
  });

  it('the graphs speak only when no Dynamo pod runs', () => {
    const graph = [
      declaredComponent('VllmWorker', 'worker', { env: { ETCD_ENDPOINTS: 'http://etcd.infra:2379' } }),
    ];
    const before = buildRequirementContext([], { dynamoVersion: '1.4.2', declared: graph }).context;
    assert.equal(before.etcd, true);
    assert.equal(
      before.etcdSource,
      'env ETCD_ENDPOINTS=http://etcd.infra:2379 in DynamoGraphDeployment dynamo-workload/vllm-disagg service VllmWorker',
    );
    const running = buildRequirementContext(podModels(dynamoPod('w', 'worker', '1.4.2')), {
      declared: graph,
    }).context;
    assert.equal(running.etcd, false);
    assert.equal(running.etcdSource, 'Dynamo 1.4+ needs no etcd by default');
  });

  it('with Dynamo pods running, the operator’s --etcdAddr, the recipe and an etcd pod are not asked', () => {
    const pods = podModels(
      dynamoPod('w', 'worker', '1.4.2'),
      operator(['--etcdAddr=http://etcd.dynamo-system:2379']),
      labelled('etcd-0', 'etcd'),
    );
    const { context } = buildRequirementContext(pods, {
      recipe: recipe({ dynamoValues: { etcd: { enabled: true } } }),
    });
    assert.equal(context.etcd, false);
    assert.equal(context.etcdSource, 'Dynamo 1.4+ needs no etcd by default');
  });

  it('before install: --etcdAddr, then global.etcd.install, then a running etcd pod', () => {
    const addr = buildRequirementContext(podModels(operator(['--etcdAddr', 'http://etcd.ns:2379'])), {
      dynamoVersion: '1.4.2',
    }).context;
    assert.equal(addr.etcd, true);
    assert.equal(
      addr.etcdSource,
      'arg --etcdAddr=http://etcd.ns:2379 of pod dynamo-system/dynamo-operator-0',
    );
    const install = buildRequirementContext([], {
      dynamoVersion: '1.0.2',
      recipe: recipe({ dynamoValues: { global: { etcd: { install: false } } } }),
    }).context;
    assert.equal(install.etcd, false);
    assert.equal(
      install.etcdSource,
      'recipe h100-eks-ubuntu-inference-dynamo: dynamo-platform global.etcd.install: false',
    );
    const pod = buildRequirementContext(
      podModels(labelled('etcd-0', 'etcd', 'Succeeded'), labelled('etcd-1', 'etcd')),
      {
        dynamoVersion: '1.4.2',
      },
    ).context;
    assert.equal(pod.etcdSource, 'etcd pod dynamo-system/etcd-1 is deployed');
  });
});

describe('dcgm-exporter', () => {
  it('a dcgm-exporter pod anywhere decides, named', () => {
    const { context } = buildRequirementContext(
      podModels({
        name: 'nvidia-dcgm-exporter-x',
        namespace: 'gpu-operator',
        labels: { app: 'nvidia-dcgm-exporter' },
      }),
      {},
    );
    assert.equal(context.dcgmExporter, true);
    assert.equal(context.dcgmExporterSource, 'dcgm-exporter pod gpu-operator/nvidia-dcgm-exporter-x');
  });

  it('else the recipe’s components: gpu-operator or not', () => {
    const yes = buildRequirementContext([], { recipe: recipe({ components: ['gpu-operator'] }) }).context;
    assert.equal(yes.dcgmExporter, true);
    assert.equal(yes.dcgmExporterSource, 'recipe h100-eks-ubuntu-inference-dynamo installs gpu-operator');
    const no = buildRequirementContext([], { recipe: recipe({ components: ['dynamo-platform'] }) }).context;
    assert.equal(no.dcgmExporter, false);
    assert.equal(
      no.dcgmExporterSource,
      'recipe h100-eks-ubuntu-inference-dynamo does not install gpu-operator',
    );
  });

  const AICR =
    "AICR's inference recipes install gpu-operator with its dcgm-exporter ServiceMonitor (NVIDIA/aicr recipes/components/gpu-operator/values.yaml)";
  it('before install, AICR’s recipes install it: no cluster data, or other pods only', () => {
    const none = buildRequirementContext([], {}).context;
    assert.equal(none.dcgmExporter, true);
    assert.equal(none.dcgmExporterSource, `no cluster data: ${AICR}`);
    const others = buildRequirementContext(
      podModels({ name: 'coredns', namespace: 'kube-system' }),
      {},
    ).context;
    assert.equal(others.dcgmExporter, true);
    assert.equal(others.dcgmExporterSource, `neither Dynamo nor the GPU operator is installed yet: ${AICR}`);
  });

  for (const [what, pod] of [
    ['a pod in namespace gpu-operator', { name: 'gpu-feature-discovery', namespace: 'gpu-operator' }],
    [
      'a pod labelled app.kubernetes.io/component=gpu-operator',
      { name: 'gpu-op', namespace: 'nvidia', labels: { 'app.kubernetes.io/component': 'gpu-operator' } },
    ],
    [
      'a pod labelled app=gpu-operator',
      { name: 'gpu-op', namespace: 'nvidia', labels: { app: 'gpu-operator' } },
    ],
    ['a Dynamo pod', dynamoPod('gpu-op', 'worker', '1.4.2', { namespace: 'nvidia' })],
  ] as const) {
    it(`the GPU operator or Dynamo installed (${what}) without dcgm-exporter: none, naming that pod`, () => {
      const { context } = buildRequirementContext(podModels(pod), {});
      assert.equal(context.dcgmExporter, false);
      assert.equal(
        context.dcgmExporterSource,
        `no dcgm-exporter pod in the cluster although pod ${pod.namespace!}/${pod.name} runs, and no recipe that installs gpu-operator`,
      );
    });
  }
});
