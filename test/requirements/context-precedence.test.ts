/**
 * Which of two pieces of evidence buildRequirementContext takes when both are there (README
 * "Evidence beats defaults": the pods' env, then their command lines, then the graphs), and the
 * control-plane targets a recipe predicts (the operator's webhook Service in the recipe's
 * dynamo-platform namespace; prometheus-adapter in its component namespace on listenPort 6443).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRequirementContext, type RecipeInfo } from '../../src/requirements/context.ts';
import { declaredComponent, dynamoPod, GRAPH, podModels } from './context-pods.ts';

describe('precedence between pieces of evidence', () => {
  it("a worker's DYN_VLLM_KV_EVENT_PORT beats its own --kv-events-config, which beats the graph", () => {
    const config = ['--kv-events-config', '{"endpoint":"tcp://*:5561"}'];
    const worker = dynamoPod('w', 'worker', '1.4.2', {
      env: { DYN_VLLM_KV_EVENT_PORT: '5560' },
      args: config,
    });
    const graph = [declaredComponent('W', 'worker', { env: { DYN_VLLM_KV_EVENT_PORT: '5570' } })];
    assert.equal(
      buildRequirementContext(podModels(worker), { declared: graph }).context.portEnv.DYN_VLLM_KV_EVENT_PORT
        ?.value,
      '5560',
    );
    const argsOnly = dynamoPod('w', 'worker', '1.4.2', { args: config });
    assert.equal(
      buildRequirementContext(podModels(argsOnly), { declared: graph }).context.portEnv.DYN_VLLM_KV_EVENT_PORT
        ?.value,
      '5561',
    );
    const declaredBoth = [
      declaredComponent('W', 'worker', { env: { DYN_VLLM_KV_EVENT_PORT: '5570' }, args: config }),
    ];
    assert.equal(
      buildRequirementContext([], { dynamoVersion: '1.4.2', declared: declaredBoth }).context.portEnv
        .DYN_VLLM_KV_EVENT_PORT?.value,
      '5570',
    );
  });

  it("a graph worker's DYN_SYSTEM_PORT when no worker pod sets one; a graph frontend's is not the workers'", () => {
    const { context } = buildRequirementContext([], {
      dynamoVersion: '1.4.2',
      declared: [
        declaredComponent('Frontend', 'frontend', { env: { DYN_SYSTEM_PORT: '8081' } }),
        declaredComponent('W', 'worker', { env: { DYN_SYSTEM_PORT: '9091' } }),
      ],
    });
    assert.deepEqual(context.portEnv.DYN_SYSTEM_PORT, {
      value: '9091',
      source: `env DYN_SYSTEM_PORT=9091 in ${GRAPH} W`,
    });
    assert.equal(context.dynamoMetrics, true);
    const frontendOnly = buildRequirementContext([], {
      dynamoVersion: '1.4.2',
      declared: [declaredComponent('Frontend', 'frontend', { env: { DYN_SYSTEM_PORT: '8081' } })],
    }).context;
    assert.equal(frontendOnly.dynamoMetrics, false);
    assert.equal(frontendOnly.portEnv.DYN_SYSTEM_PORT, undefined);
  });

  it("the worker pods' data-parallel size beats the graph's", () => {
    const { context } = buildRequirementContext(
      podModels(dynamoPod('w', 'worker', '1.4.2', { args: ['-dp', '2'] })),
      { declared: [declaredComponent('W', 'worker', { args: ['-dp', '8'] })] },
    );
    assert.deepEqual(context.dataParallel, { size: 2, source: 'arg -dp 2 on pod dynamo-workload/w' });
  });

  it('an upgrade what-if leaves out the running NATS pod and operator flags of the other release', () => {
    const pods = podModels(
      dynamoPod('w', 'worker', '1.2.0'),
      { name: 'nats-0', namespace: 'dynamo-system', labels: { 'app.kubernetes.io/name': 'nats' } },
      {
        name: 'op',
        namespace: 'dynamo-system',
        labels: { 'app.kubernetes.io/name': 'dynamo-operator' },
        args: ['--natsAddr=nats://nats.dynamo-system:4222', '--etcdAddr=http://etcd.dynamo-system:2379'],
      },
    );
    const upgrade = buildRequirementContext(pods, { dynamoVersion: '1.4.2' }).context;
    assert.equal(upgrade.eventPlane, 'zmq');
    assert.equal(upgrade.etcd, false);
    assert.equal(upgrade.etcdSource, 'Dynamo 1.4+ needs no etcd by default');
  });
});

describe('control-plane targets a recipe predicts', () => {
  const recipe: RecipeInfo = {
    name: 'r',
    source: 'r.yaml',
    dynamoNamespace: 'dynamo',
    components: ['dynamo-platform', 'prometheus-adapter'],
    componentNamespaces: { 'dynamo-platform': 'dynamo', 'prometheus-adapter': 'metrics' },
  };

  it("without a cluster read: the operator's webhook Service in the recipe's namespace, prometheus-adapter in its own", () => {
    const { context } = buildRequirementContext([], { recipe });
    assert.deepEqual(context.targetOverrides['operator-webhook'], {
      namespace: 'dynamo',
      service: 'dynamo-platform-dynamo-operator-webhook-service',
      source: 'recipe r',
    });
    assert.deepEqual(context.targetOverrides['custom-metrics-api'], {
      namespace: 'metrics',
      service: 'prometheus-adapter',
      port: 6443,
      source: "the chart's listenPort 6443 (Service port 443 → targetPort https)",
    });
    assert.equal(context.controlPlaneCalls['custom-metrics-api']?.applies, true);
  });

  it('a call that does not apply moves no target', () => {
    const { context } = buildRequirementContext([], {
      recipe: { ...recipe, components: ['gpu-operator'] },
      controlPlane: {
        webhooks: [],
        webhooksCaptured: true,
        apiServices: [],
        apiServicesCaptured: true,
        servicePorts: () => undefined,
        serviceSelector: () => undefined,
        pods: [],
      },
    });
    assert.equal(context.controlPlaneCalls['operator-webhook']?.applies, false);
    assert.deepEqual(Object.keys(context.targetOverrides), ['nats']);
  });
});
