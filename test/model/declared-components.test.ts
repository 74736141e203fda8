/**
 * What a DynamoGraphDeployment declares (model/dynamo-graph.ts) and what describe-cluster,
 * webhook configurations and APIServices say of the control plane (model/control-plane.ts).
 * - ai-dynamo/dynamo examples/backends/vllm/deploy (agg.yaml, disagg.yaml): each service has
 *   `componentType` (frontend, worker; `main` in older graphs; `prefill`/`decode` in older
 *   disaggregated graphs), `subComponentType` (prefill/decode), `replicas`, `envs`,
 *   `resources.limits.gpu` and `extraPodSpec` (placement and `mainContainer`); `spec.envs` apply to
 *   every service.
 * - admissionregistration.k8s.io/v1: a webhook's clientConfig names a Service (port default 443)
 *   or a url; failurePolicy defaults to Fail. apiregistration.k8s.io/v1: an APIService's
 *   spec.service (port default 443) and its Available condition.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { list, modelFromFiles, type Json } from './model-of.ts';

const graph = (metadata: Json, spec: Json): Json => ({
  apiVersion: 'nvidia.com/v1alpha1',
  kind: 'DynamoGraphDeployment',
  metadata,
  spec,
});
const env = (e: Record<string, string>) => Object.entries(e).map(([name, value]) => ({ name, value }));

describe('declared Dynamo components', () => {
  const model = modelFromFiles({
    'k8s/dgd.json': list(
      graph(
        { name: 'disagg', namespace: 'dynamo' },
        {
          envs: env({ A: 'graph', B: 'graph' }),
          services: {
            Frontend: {
              componentType: 'frontend',
              replicas: 2,
              extraPodSpec: { mainContainer: { image: 'fe:1' } },
            },
            Prefill: {
              componentType: 'worker',
              subComponentType: 'Prefill',
              resources: { limits: { gpu: '2' }, requests: { gpu: '1' } },
              envs: env({ B: 'service', C: 'service' }),
              extraPodSpec: {
                nodeSelector: { pool: 'gpu' },
                tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }],
                mainContainer: {
                  image: 'w:1',
                  command: ['python3', '-m', 'dynamo.vllm'],
                  args: ['--model', 'm'],
                  env: [
                    ...env({ C: 'container' }),
                    { name: 'D', valueFrom: { fieldRef: { fieldPath: 'x' } } },
                  ],
                },
              },
            },
            Decode: { componentType: 'decode', resources: { requests: { gpu: 1 } } },
            Flags: {
              componentType: 'worker',
              replicas: 0,
              extraPodSpec: { mainContainer: { args: ['--disaggregation-mode', 'decode'] } },
            },
            Main: { componentType: 'Main' },
            Gpu: { resources: { limits: { gpu: '4' } } },
            Planner: { componentType: 'planner', resources: { limits: { gpu: 'lots' } } },
            Negative: { resources: { limits: { gpu: -1 } } },
          },
        },
      ),
      graph({ name: 'empty' }, {}),
    ),
  });
  const c = (service: string) => {
    const found = model.dynamoComponents.find((x) => x.service === service);
    assert.ok(found, service);
    return found;
  };

  it('one component per service, with its graph, namespace and place in the file', () => {
    assert.deepEqual(
      model.dynamoComponents.map((x) => x.service),
      ['Frontend', 'Prefill', 'Decode', 'Flags', 'Main', 'Gpu', 'Planner', 'Negative'],
    );
    assert.equal(c('Frontend').graph, 'dynamo/disagg');
    assert.equal(c('Frontend').namespace, 'dynamo');
    assert.deepEqual(c('Prefill').origin, { file: 'k8s/dgd.json', path: 'items[0].spec.services.Prefill' });
  });

  it('roles: frontend (or main), worker (or prefill/decode, or any service asking for a GPU), else other', () => {
    assert.deepEqual(
      model.dynamoComponents.map((x) => `${x.service}:${x.role}`),
      [
        'Frontend:frontend',
        'Prefill:worker',
        'Decode:worker',
        'Flags:worker',
        'Main:frontend',
        'Gpu:worker',
        'Planner:other',
        'Negative:other',
      ],
    );
  });

  it('GPUs from limits, else requests; a count that is no positive number is none', () => {
    assert.deepEqual(
      model.dynamoComponents.map((x) => x.gpus),
      [0, 2, 1, 0, 0, 4, 0, 0],
    );
  });

  it('replicas: as given (0 included), else 1', () => {
    assert.equal(c('Frontend').replicas, 2);
    assert.equal(c('Flags').replicas, 0);
    assert.equal(c('Prefill').replicas, 1);
  });

  it('env: the graph’s, then the service’s, then the main container’s, each over the one before', () => {
    assert.deepEqual(c('Prefill').env, { A: 'graph', B: 'service', C: 'container' });
    assert.deepEqual(c('Frontend').env, { A: 'graph', B: 'graph' });
  });

  it('the main container’s command then args, and image', () => {
    assert.deepEqual(c('Prefill').args, ['python3', '-m', 'dynamo.vllm', '--model', 'm']);
    assert.equal(c('Prefill').image, 'w:1');
    assert.equal(c('Frontend').image, 'fe:1');
    assert.equal('image' in c('Decode'), false);
    assert.deepEqual(c('Decode').args, []);
  });

  it('the stage: subComponentType, then a prefill/decode componentType, then the flags', () => {
    assert.deepEqual(c('Prefill').stage, { value: 'prefill', source: 'subComponentType: Prefill' });
    assert.deepEqual(c('Decode').stage, { value: 'decode', source: 'componentType: decode' });
    assert.deepEqual(c('Flags').stage, { value: 'decode', source: 'arg --disaggregation-mode decode' });
    assert.equal('stage' in c('Frontend'), false);
  });

  it('a pod spec for the scheduler: the placement, and a main container asking for the GPUs', () => {
    assert.deepEqual(c('Prefill').podSpec, {
      nodeSelector: { pool: 'gpu' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }],
      containers: [{ name: 'main', resources: { limits: { 'nvidia.com/gpu': '2' } } }],
    });
    assert.deepEqual(c('Frontend').podSpec, { containers: [{ name: 'main' }] });
  });

  it('a graph with no namespace is in default; one with no services declares nothing', () => {
    const model2 = modelFromFiles({
      'k8s/g.json': graph({ name: 'g' }, { services: { W: { componentType: 'worker' } } }),
    });
    assert.equal(model2.dynamoComponents[0]!.graph, 'default/g');
    assert.equal(model2.dynamoComponents[0]!.namespace, 'default');
    assert.deepEqual(model2.dynamoComponents[0]!.origin, { file: 'k8s/g.json', path: 'spec.services.W' });
  });
});

describe('the control plane from describe-cluster', () => {
  it('not captured: unresolved, saying what is not known', () => {
    assert.deepEqual(modelFromFiles({}).controlPlane, {
      kind: 'unresolved',
      reason:
        'describe-cluster was not captured: the control plane’s security groups (resourcesVpcConfig.clusterSecurityGroupId) and subnets are not known',
    });
  });

  it('the cluster group first, then the additional ones without it; subnets once each', () => {
    const model = modelFromFiles({
      'aws/describe-cluster.json': {
        cluster: {
          name: 'c',
          resourcesVpcConfig: {
            clusterSecurityGroupId: 'sg-c',
            securityGroupIds: ['sg-x', 'sg-c', 'sg-y'],
            subnetIds: ['subnet-a', 'subnet-b', 'subnet-a'],
          },
        },
      },
    });
    assert.deepEqual(model.controlPlane, {
      kind: 'known',
      clusterSecurityGroupId: 'sg-c',
      securityGroupIds: ['sg-c', 'sg-x', 'sg-y'],
      subnetIds: ['subnet-a', 'subnet-b'],
      origin: { file: 'aws/describe-cluster.json', path: 'cluster.resourcesVpcConfig' },
    });
  });
});

describe('webhooks and APIServices', () => {
  const model = modelFromFiles({
    'k8s/webhooks.json': list(
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingWebhookConfiguration',
        metadata: { name: 'dynamo' },
        webhooks: [
          {
            name: 'a.dynamo',
            clientConfig: { service: { namespace: 'dynamo', name: 'op', port: 9443 } },
            failurePolicy: 'Ignore',
            rules: [{ apiGroups: ['nvidia.com'], resources: ['dynamographdeployments'] }, {}],
          },
          {
            name: 'b.dynamo',
            clientConfig: { service: { namespace: 'dynamo', name: 'op' } },
            failurePolicy: 'Fail',
          },
          { name: 'c.url', clientConfig: { url: 'https://example.com/hook' } },
        ],
      },
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'MutatingWebhookConfiguration',
        metadata: { name: 'none' },
      },
    ),
    'k8s/apiservices.json': list(
      {
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name: 'v1beta1.custom.metrics.k8s.io' },
        spec: { service: { namespace: 'monitoring', name: 'adapter', port: 6443 } },
        status: {
          conditions: [
            { type: 'Other', status: 'True' },
            { type: 'Available', status: 'False', reason: 'FailedDiscoveryCheck', message: 'timeout' },
          ],
        },
      },
      {
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name: 'v1beta1.metrics.k8s.io' },
        spec: { service: { namespace: 'kube-system', name: 'metrics-server' } },
        status: { conditions: [{ type: 'Available', status: 'True' }] },
      },
      {
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name: 'v1.apps' },
        spec: {},
      },
    ),
  });

  it('each webhook: its configuration, Service (port 443 unless given) or url, failure policy (Fail unless Ignore), rules', () => {
    assert.deepEqual(model.webhooks, [
      {
        configKind: 'ValidatingWebhookConfiguration',
        configName: 'dynamo',
        name: 'a.dynamo',
        service: { namespace: 'dynamo', name: 'op', port: 9443 },
        failurePolicy: 'Ignore',
        rules: [
          { apiGroups: ['nvidia.com'], resources: ['dynamographdeployments'] },
          { apiGroups: [], resources: [] },
        ],
        origin: { file: 'k8s/webhooks.json', path: 'items[0].webhooks[0]' },
      },
      {
        configKind: 'ValidatingWebhookConfiguration',
        configName: 'dynamo',
        name: 'b.dynamo',
        service: { namespace: 'dynamo', name: 'op', port: 443 },
        failurePolicy: 'Fail',
        rules: [],
        origin: { file: 'k8s/webhooks.json', path: 'items[0].webhooks[1]' },
      },
      {
        configKind: 'ValidatingWebhookConfiguration',
        configName: 'dynamo',
        name: 'c.url',
        url: 'https://example.com/hook',
        failurePolicy: 'Fail',
        rules: [],
        origin: { file: 'k8s/webhooks.json', path: 'items[0].webhooks[2]' },
      },
    ]);
  });

  it('a webhook configuration alone in its file: the path starts at webhooks', () => {
    const one = modelFromFiles({
      'k8s/w.json': {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'MutatingWebhookConfiguration',
        metadata: { name: 'm' },
        webhooks: [{ name: 'x', clientConfig: { url: 'https://x' } }],
      },
    });
    assert.deepEqual(one.webhooks[0]!.origin, { file: 'k8s/w.json', path: 'webhooks[0]' });
  });

  it('each APIService: its Service (port 443 unless given) and its Available condition', () => {
    assert.deepEqual(
      model.apiServices.map(({ origin: _origin, ...rest }) => rest),
      [
        {
          name: 'v1beta1.custom.metrics.k8s.io',
          service: { namespace: 'monitoring', name: 'adapter', port: 6443 },
          available: { status: 'False', reason: 'FailedDiscoveryCheck', message: 'timeout' },
        },
        {
          name: 'v1beta1.metrics.k8s.io',
          service: { namespace: 'kube-system', name: 'metrics-server', port: 443 },
          available: { status: 'True' },
        },
        { name: 'v1.apps' },
      ],
    );
  });
});
