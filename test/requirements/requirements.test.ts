import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildModel } from '../../src/model/build.ts';
import { buildRequirementContext, parseServiceUrl } from '../../src/requirements/context.ts';
import { catalog } from '../../src/requirements/catalog.ts';
import { resolveRequirements } from '../../src/requirements/resolve.ts';
import { parseRecipeResult } from '../../src/requirements/recipe.ts';
import { scenario } from '../helpers/scenario.ts';

function ids(
  pods = scenario(),
  options = {},
): { ids: string[]; version: string; source: string; ports: Record<string, string> } {
  const { context } = buildRequirementContext(buildModel(pods.snapshot()).pods, options);
  const set = resolveRequirements(context);
  return {
    ids: set.requirements.map((r) => r.id),
    version: context.dynamoVersion,
    source: context.versionSource,
    ports: Object.fromEntries(set.requirements.map((r) => [r.id, `${r.ports.from}-${r.ports.to}`])),
  };
}

const withPods = (version: string, env: Record<string, string> = {}) =>
  scenario()
    .node('n', { group: 'g', subnet: 'subnet-s', ip: '10.0.0.1', sgs: [] })
    .dynamo('w', 'worker', 'n', '10.0.0.2', version, env)
    .dynamo('f', 'frontend', 'n', '10.0.0.3', version, env);

describe('requirements catalog', () => {
  it('every entry names its source and symptom', () => {
    for (const entry of catalog) {
      assert.ok(entry.source.length > 10, entry.id);
      assert.ok(entry.symptom.length > 10, entry.id);
    }
  });

  it('Dynamo 1.0.x needs etcd 2379, not NATS', () => {
    const r = ids(scenario(), { dynamoVersion: '1.0.2' });
    // No pods captured: AICR's recipes install gpu-operator, so the DCGM scrape and accelerator-metrics' dial are assumed.
    // No cluster read: every dynamo-platform install runs the operator, whose webhooks the API server
    // calls, and ai-service-metrics reads the custom metrics API (prometheus-adapter).
    assert.deepEqual(r.ids, [
      'etcd',
      'prometheus',
      'dcgm-scrape',
      'accelerator-metrics',
      'operator-webhook',
      'custom-metrics-api',
    ]);
  });

  it('Dynamo 1.2 needs NATS 4222, the request plane, and Prometheus', () => {
    const r = ids(scenario(), { dynamoVersion: '1.2.0' });
    assert.deepEqual(r.ids, [
      'nats',
      'prometheus',
      'request-plane',
      'response-stream',
      'dcgm-scrape',
      'accelerator-metrics',
      'operator-webhook',
      'custom-metrics-api',
    ]);
    assert.equal(r.ports.nats, '4222-4222');
    // ai-dynamo/dynamo operator deployment.yaml: containerPort 9443 "webhook-server";
    // prometheus-community prometheus-adapter values.yaml: listenPort 6443.
    assert.equal(r.ports['operator-webhook'], '9443-9443');
    assert.equal(r.ports['custom-metrics-api'], '6443-6443');
    // OS-assigned: Linux's default net.ipv4.ip_local_port_range is 32768-60999 (ip-sysctl docs).
    assert.equal(r.ports['request-plane'], '32768-60999', 'OS-assigned port: only the range is static');
  });

  it('no conformance check → no 9090', () => {
    assert.ok(!ids(scenario(), { dynamoVersion: '1.2.0', conformance: false }).ids.includes('prometheus'));
  });

  it('a recipe without ai-service-metrics drops the 9090 flow', () => {
    const r = ids(scenario(), {
      recipe: {
        name: 'x-eks-ubuntu-inference-dynamo',
        source: 'f',
        dynamoVersion: '1.2.0',
        checks: ['inference-perf'],
      },
    });
    // The custom metrics API goes with ai-service-metrics; the operator's webhook stays.
    assert.deepEqual(r.ids, ['nats', 'request-plane', 'response-stream', 'operator-webhook']);
  });

  it('detects the version from Dynamo image tags, states it, and the flag wins', () => {
    const detected = ids(withPods('1.0.2'));
    assert.equal(detected.version, '1.0.2');
    assert.match(detected.source, /image nvcr\.io\/nvidia\/ai-dynamo\/vllm-runtime:1\.0\.2/);
    assert.equal(ids(withPods('1.0.2'), { dynamoVersion: '1.2.0' }).version, '1.2.0');
  });

  it('falls back to the newest catalog version and says so', () => {
    const r = ids(scenario());
    assert.equal(r.version, '1.4.2');
    assert.match(r.source, /assumed the newest/);
  });

  it('reads DYN_* settings from the pods', () => {
    assert.equal(ids(withPods('1.2.0', { DYN_TCP_RPC_PORT: '9345' })).ports['request-plane'], '9345-9345');
    const zmq = ids(withPods('1.2.0', { DYN_EVENT_PLANE: 'zmq' }));
    assert.ok(zmq.ids.includes('zmq-events') && !zmq.ids.includes('nats'));
    assert.ok(!ids(withPods('1.2.0', { DYN_REQUEST_PLANE: 'nats' })).ids.includes('request-plane'));
  });

  it('NATS_SERVER moves the NATS target', () => {
    const { context } = buildRequirementContext(
      buildModel(withPods('1.2.0', { NATS_SERVER: 'nats://my-nats.infra.svc.cluster.local:4333' }).snapshot())
        .pods,
      {},
    );
    const nats = resolveRequirements(context).requirements.find((r) => r.id === 'nats')!;
    assert.deepEqual(
      [
        nats.to.kind === 'service' && nats.to.service,
        nats.to.kind === 'service' && nats.to.namespace,
        nats.ports.from,
      ],
      ['my-nats', 'infra', 4333],
    );
    assert.deepEqual(parseServiceUrl('nats://a:1,nats://b:2'), { service: 'a', port: 1 });
  });

  it('reads the host of a URL with credentials, not the user name', () => {
    const infra = { service: 'my-nats', namespace: 'infra', port: 4333 };
    assert.deepEqual(parseServiceUrl('nats://dynamo:s3cret@my-nats.infra.svc:4333'), infra);
    assert.deepEqual(parseServiceUrl('nats://T0KEN@my-nats.infra:4333'), infra);
    assert.deepEqual(parseServiceUrl('nats://a:1,nats://u:p@b:2'), { service: 'a', port: 1 });
  });
});

describe('AICR RecipeResult', () => {
  // The head of NVIDIA/aicr examples/recipes/aks-training.yaml (apiVersion aicr.nvidia.com/v1alpha1).
  const aksTraining = {
    kind: 'RecipeResult',
    apiVersion: 'aicr.nvidia.com/v1alpha1',
    metadata: {
      version: 'dev',
      appliedOverlays: [
        'base',
        'monitoring-hpa',
        'aks',
        'aks-training',
        'h100-aks-training',
        'h100-aks-ubuntu-training',
      ],
    },
    criteria: { service: 'aks', accelerator: 'h100', intent: 'training', os: 'ubuntu', platform: 'any' },
    componentRefs: [
      {
        name: 'kube-prometheus-stack',
        namespace: 'monitoring',
        chart: 'kube-prometheus-stack',
        type: 'Helm',
        version: '82.8.0',
      },
    ],
    validation: { conformance: { checks: ['ai-service-metrics'] } },
  };

  it('reads a recipe that is not for EKS Dynamo, and says why it may not apply', () => {
    const parsed = parseRecipeResult(aksTraining, 'aks-training.yaml');
    assert.ok(parsed.ok);
    if (!parsed.ok) return;
    assert.equal(parsed.recipe.name, 'h100-aks-ubuntu-training');
    assert.equal(parsed.recipe.prometheusNamespace, 'monitoring');
    assert.deepEqual(parsed.warnings, [
      'recipe h100-aks-ubuntu-training is not an EKS recipe (criteria.service is aks): the analysis assumes EKS security groups, NACLs and the VPC CNI, and may not apply',
      'recipe h100-aks-ubuntu-training has no dynamo-platform component: it deploys no Dynamo, so neither the Dynamo version nor its namespace comes from it',
    ]);
    const { criteria: _c, ...noCriteria } = aksTraining;
    const bare = parseRecipeResult(
      { ...noCriteria, componentRefs: [{ name: 'dynamo-platform', version: '1.2.0' }] },
      'bare.yaml',
    );
    assert.ok(bare.ok);
    if (!bare.ok) return;
    assert.deepEqual(
      bare.warnings.map((w) => w.replace(/:.*/, '')),
      ['recipe h100-aks-ubuntu-training is not an EKS recipe (criteria.service is not set)'],
    );
  });
});
