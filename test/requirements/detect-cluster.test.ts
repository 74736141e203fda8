/**
 * What src/requirements/detect.ts reads from the cluster: each pod's Dynamo role (the operator's
 * nvidia.com/dynamo-component-type label, else a Dynamo runtime image), the installed version (the
 * dynamo-platform chart label, the operator's app.kubernetes.io/version, then ai-dynamo image
 * tags), env settings of pods and DynamoGraphDeployments, and a worker's prefill/decode side. The
 * sources are the strings the report prints after "because" and in the version line.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  declaredDynamoVersions,
  declaredEnvSetting,
  detectDynamoVersion,
  dynamoRole,
  envSetting,
  workerStage,
} from '../../src/requirements/detect.ts';
import { declaredComponent, podModels, type RawPod } from './context-pods.ts';

const pod = (spec: Partial<RawPod> & { name?: string }): RawPod => ({ name: 'p', namespace: 'ns', ...spec });
const one = (spec: Partial<RawPod>) => podModels(pod(spec))[0]!;
const ROLE = 'nvidia.com/dynamo-component-type';

describe('dynamoRole', () => {
  for (const [label, role] of [
    ['frontend', 'frontend'],
    ['Frontend', 'frontend'],
    ['worker', 'worker'],
    ['router', 'router'],
    ['epp', 'epp'],
    ['VllmWorker', 'worker'],
    ['prefill', 'worker'],
    ['decode', 'worker'],
    ['planner', 'other'],
  ] as const) {
    it(`${ROLE}=${label} → ${role}`, () =>
      assert.equal(dynamoRole(one({ labels: { [ROLE]: label } })), role));
  }

  it('the Dynamo operator is no runtime pod, even with a Dynamo image', () => {
    assert.equal(
      dynamoRole(
        one({
          labels: { 'app.kubernetes.io/name': 'dynamo-operator' },
          image: 'nvcr.io/nvidia/ai-dynamo/vllm-runtime:1.2.0',
        }),
      ),
      undefined,
    );
  });

  for (const image of [
    'nvcr.io/nvidia/ai-dynamo/vllm-runtime:1.2.0',
    'nvcr.io/nvidia/ai-dynamo/sglang-runtime:1.2.0',
    'nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:1.2.0',
    'nvcr.io/nvidia/ai-dynamo/trtllm-runtime:1.2.0',
  ]) {
    it(`an unlabelled pod running ${image} is a Dynamo pod of no known role`, () =>
      assert.equal(dynamoRole(one({ image })), 'other'));
  }

  it('other pods are none: busybox, the operator image', () => {
    assert.equal(dynamoRole(one({})), undefined);
    assert.equal(dynamoRole(one({ image: 'nvcr.io/nvidia/ai-dynamo/kubernetes-operator:1.2.0' })), undefined);
  });

  it('asked twice, the same answer (cached per pod)', () => {
    const p = one({ labels: { [ROLE]: 'frontend' } });
    assert.equal(dynamoRole(p), 'frontend');
    assert.equal(dynamoRole(p), 'frontend');
    const none = one({});
    assert.equal(dynamoRole(none), undefined);
    assert.equal(dynamoRole(none), undefined);
  });
});

describe('detectDynamoVersion', () => {
  it('the platform chart label, then the operator version label, then image tags, each named', () => {
    const pods = podModels(
      pod({ name: 'w', image: 'nvcr.io/nvidia/ai-dynamo/vllm-runtime:1.2.1' }),
      pod({
        name: 'op',
        labels: { 'app.kubernetes.io/name': 'dynamo-operator', 'app.kubernetes.io/version': 'v1.2.0' },
        image: 'busybox:1.36',
      }),
      pod({ name: 'nats', labels: { 'helm.sh/chart': 'dynamo-platform-1.2.0-rc2' } }),
    );
    assert.deepEqual(detectDynamoVersion(pods), [
      { value: '1.2.0', source: 'label app.kubernetes.io/version=v1.2.0 on pod ns/op' },
      { value: '1.2.0-rc2', source: 'label helm.sh/chart=dynamo-platform-1.2.0-rc2 on pod ns/nats' },
      { value: '1.2.1', source: 'image nvcr.io/nvidia/ai-dynamo/vllm-runtime:1.2.1 in pod ns/w' },
    ]);
  });

  it('a chart label that is not dynamo-platform-X.Y.Z says nothing', () => {
    for (const chart of [
      'dynamo-platform-1.2',
      'my-dynamo-platform-1.2.0',
      'nats-1.2.6',
      'dynamo-platform-1.2.0 x',
    ])
      assert.deepEqual(
        detectDynamoVersion(podModels(pod({ labels: { 'helm.sh/chart': chart } }))),
        [],
        chart,
      );
  });

  it("an operator version label that is no version, or another app's, says nothing", () => {
    assert.deepEqual(
      detectDynamoVersion(
        podModels(
          pod({
            labels: { 'app.kubernetes.io/name': 'dynamo-operator', 'app.kubernetes.io/version': 'latest' },
          }),
          pod({
            name: 'q',
            labels: { 'app.kubernetes.io/name': 'nats', 'app.kubernetes.io/version': '2.10.24' },
          }),
          pod({ name: 'r', labels: { 'app.kubernetes.io/name': 'dynamo-operator' } }),
        ),
      ),
      [],
    );
  });

  it('image tags: v-prefixed, with a suffix, or a digest; not another registry path or latest', () => {
    const versions = (image: string) => detectDynamoVersion(podModels(pod({ image }))).map((e) => e.value);
    assert.deepEqual(versions('ai-dynamo/sglang-runtime:v1.4.2'), ['1.4.2']);
    assert.deepEqual(versions('nvcr.io/nvidia/ai-dynamo/vllm-runtime:1.2.0-cuda12'), ['1.2.0']);
    assert.deepEqual(versions('nvcr.io/nvidia/ai-dynamo/vllm-runtime:1.3.0@sha256:abc'), ['1.3.0']);
    assert.deepEqual(versions('nvcr.io/nvidia/myai-dynamo/vllm-runtime:1.2.0'), []);
    assert.deepEqual(versions('nvcr.io/nvidia/ai-dynamo/vllm-runtime:latest'), []);
    assert.deepEqual(versions('nvcr.io/nvidia/ai-dynamo/vllm-runtime:1.2'), []);
  });
});

describe('env settings', () => {
  it('the first pod that sets a non-empty value, named', () => {
    const pods = podModels(
      pod({ name: 'a', env: { NATS_SERVER: '' } }),
      pod({ name: 'b', env: { NATS_SERVER: 'nats://n:4222' } }),
      pod({ name: 'c', env: { NATS_SERVER: 'nats://m:4222' } }),
    );
    assert.deepEqual(envSetting(pods, 'NATS_SERVER'), {
      value: 'nats://n:4222',
      source: 'env NATS_SERVER=nats://n:4222 on pod ns/b',
    });
    assert.equal(envSetting(pods, 'ETCD_ENDPOINTS'), undefined);
  });

  it('the first graph component that sets a non-empty value, named', () => {
    const components = [
      declaredComponent('Frontend', 'frontend', { env: { DYN_SYSTEM_PORT: '' } }),
      declaredComponent('VllmWorker', 'worker', { env: { DYN_SYSTEM_PORT: '9090' } }),
    ];
    assert.deepEqual(declaredEnvSetting(components, 'DYN_SYSTEM_PORT'), {
      value: '9090',
      source:
        'env DYN_SYSTEM_PORT=9090 in DynamoGraphDeployment dynamo-workload/vllm-disagg service VllmWorker',
    });
    assert.equal(declaredEnvSetting(components, 'NATS_SERVER'), undefined);
  });

  it("the graphs' image tags, named; a component without a Dynamo image says nothing", () => {
    assert.deepEqual(
      declaredDynamoVersions([
        declaredComponent('Frontend', 'frontend'),
        declaredComponent('Other', 'other', { image: 'busybox:1.36' }),
        declaredComponent('VllmWorker', 'worker', { image: 'nvcr.io/nvidia/ai-dynamo/vllm-runtime:v1.4.2' }),
      ]),
      [
        {
          value: '1.4.2',
          source:
            'image nvcr.io/nvidia/ai-dynamo/vllm-runtime:v1.4.2 of DynamoGraphDeployment dynamo-workload/vllm-disagg service VllmWorker',
        },
      ],
    );
  });
});

describe('workerStage', () => {
  it('the sub-component label first, then the component-type label, any case', () => {
    assert.deepEqual(
      workerStage(one({ labels: { [ROLE]: 'worker', 'nvidia.com/dynamo-sub-component-type': 'Prefill' } })),
      { value: 'prefill', source: 'label nvidia.com/dynamo-sub-component-type=Prefill on pod ns/p' },
    );
    assert.deepEqual(workerStage(one({ labels: { [ROLE]: 'decode' } })), {
      value: 'decode',
      source: `label ${ROLE}=decode on pod ns/p`,
    });
  });

  it('else the launcher flags of a container, named with the pod', () => {
    assert.deepEqual(
      workerStage(
        one({
          labels: { [ROLE]: 'worker' },
          command: ['python3', '-m', 'dynamo.vllm'],
          args: ['--is-prefill-worker'],
        }),
      ),
      { value: 'prefill', source: 'arg --is-prefill-worker on pod ns/p' },
    );
    // An unlabelled Dynamo runtime pod (role other) is read too.
    assert.deepEqual(
      workerStage(
        one({
          image: 'nvcr.io/nvidia/ai-dynamo/vllm-runtime:1.4.2',
          args: ['--disaggregation-mode', 'decode'],
        }),
      ),
      { value: 'decode', source: 'arg --disaggregation-mode decode on pod ns/p' },
    );
  });

  it('a frontend, a non-Dynamo pod, or an aggregated worker has none', () => {
    assert.equal(
      workerStage(one({ labels: { [ROLE]: 'frontend' }, args: ['--is-prefill-worker'] })),
      undefined,
    );
    assert.equal(workerStage(one({ args: ['--is-prefill-worker'] })), undefined);
    assert.equal(workerStage(one({ labels: { [ROLE]: 'worker' }, args: ['--model', 'm'] })), undefined);
  });
});
