/**
 * operatorWebhookCall and customMetricsCall (src/requirements/control-plane.ts) on hand-built
 * evidence: whom the API server calls, on which pod port, and the sentence the report prints.
 * Expected values from the documentation control-plane.test.ts cites: the operator chart's
 * webhooks (vdynamographdeployment.kb.io on dynamo-platform-dynamo-operator-webhook-service,
 * containerPort 9443 "webhook-server", failurePolicy Fail), Kubernetes admissionregistration/v1
 * (service port 443 by default; Ignore lets a request through; clientConfig.url), a Service's
 * targetPort (a number, a container port name, or the port itself when unset), and
 * prometheus-adapter's APIService v1beta1.custom.metrics.k8s.io (443 → https, listenPort 6443).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AdmissionWebhookModel, CalledService } from '../../src/model/types.ts';
import {
  customMetricsCall,
  operatorWebhookCall,
  type ControlPlaneEvidence,
} from '../../src/requirements/control-plane.ts';
import { podModels, type RawPod } from './context-pods.ts';

const SERVICE = 'dynamo-platform-dynamo-operator-webhook-service';
const CALLED: CalledService = { namespace: 'dynamo-system', name: SERVICE, port: 443 };
const ORIGIN = { file: 'k8s/webhooks.json', path: 'items[0]' };

type Ports = readonly { port: number; targetPort?: number | string }[];
const evidence = (
  over: Partial<ControlPlaneEvidence> & {
    ports?: Record<string, Ports>;
    selectors?: Record<string, Record<string, string>>;
  } = {},
): ControlPlaneEvidence => {
  const { ports = {}, selectors = {}, ...rest } = over;
  return {
    webhooks: [],
    webhooksCaptured: false,
    apiServices: [],
    apiServicesCaptured: false,
    servicePorts: (ns, name) => ports[`${ns}/${name}`],
    serviceSelector: (ns, name) => selectors[`${ns}/${name}`],
    pods: [],
    ...rest,
  };
};
const hook = (name: string, extra: Partial<AdmissionWebhookModel> = {}): AdmissionWebhookModel => ({
  configKind: 'ValidatingWebhookConfiguration',
  configName: 'dynamo-platform-validating',
  name,
  service: CALLED,
  failurePolicy: 'Fail',
  rules: [{ apiGroups: ['nvidia.com'], resources: ['dynamographdeployments'] }],
  origin: ORIGIN,
  ...extra,
});
const captured = (hooks: AdmissionWebhookModel[], over: Parameters<typeof evidence>[0] = {}) =>
  evidence({ webhooksCaptured: true, webhooks: hooks, ...over });
const recipe = (components: string[], dynamoNamespace?: string) => ({
  name: 'r',
  components,
  ...(dynamoNamespace ? { dynamoNamespace } : {}),
});
const operatorPod = (extra: Partial<RawPod> = {}): RawPod => ({
  name: 'dynamo-operator-0',
  namespace: 'dynamo',
  labels: { 'control-plane': 'controller-manager', 'app.kubernetes.io/name': 'dynamo-operator' },
  ...extra,
});
const VHOOK =
  'ValidatingWebhookConfiguration dynamo-platform-validating webhook vdynamographdeployment.kb.io';

describe('the operator webhook: no cluster read (`requirements`)', () => {
  it('applies, as every dynamo-platform install registers the webhooks; the recipe’s namespace moves the target', () => {
    const source =
      'no cluster read: every dynamo-platform install runs the Dynamo operator, whose chart registers validating and mutating webhooks for dynamographdeployments (failurePolicy Fail by default)';
    assert.deepEqual(operatorWebhookCall(undefined, undefined), { applies: true, source });
    assert.deepEqual(operatorWebhookCall(undefined, recipe([], 'dynamo')), {
      applies: true,
      source,
      target: { namespace: 'dynamo', service: SERVICE, source: 'recipe r' },
    });
  });
});

describe('the operator webhook from captured webhook configurations', () => {
  it('none on dynamographdeployments: does not apply', () => {
    const call = operatorWebhookCall(
      captured([
        hook('other', { rules: [{ apiGroups: ['apps'], resources: ['dynamographdeployments'] }] }),
        hook('components', {
          rules: [{ apiGroups: ['nvidia.com'], resources: ['dynamocomponentdeployments'] }],
        }),
      ]),
      undefined,
    );
    assert.deepEqual(call, {
      applies: false,
      source: 'webhook configurations were captured and none is called for nvidia.com dynamographdeployments',
    });
  });

  it('rules on * and */* cover the graphs too', () => {
    for (const resources of [['*'], ['*/*']]) {
      const call = operatorWebhookCall(
        captured([hook('wide', { rules: [{ apiGroups: ['nvidia.com'], resources }] })]),
        undefined,
      );
      assert.equal(call.applies, true, resources[0]);
    }
  });

  it('called by URL (or with no client): no pod flow, naming each', () => {
    const call = operatorWebhookCall(
      captured([
        hook('vdynamographdeployment.kb.io', { service: undefined, url: 'https://hooks.example.com/v' }),
        hook('mdynamographdeployment.kb.io', {
          service: undefined,
          configKind: 'MutatingWebhookConfiguration',
          configName: 'dynamo-platform-mutating',
        }),
      ]),
      undefined,
    );
    assert.deepEqual(call, {
      applies: false,
      source: `${VHOOK} calls https://hooks.example.com/v; MutatingWebhookConfiguration dynamo-platform-mutating webhook mdynamographdeployment.kb.io calls (no client): a URL outside the cluster, not a pod behind a Service, so no pod flow`,
    });
  });

  it('one webhook, its Service not captured: the chart’s 9443 is assumed, and said', () => {
    assert.deepEqual(operatorWebhookCall(captured([hook('vdynamographdeployment.kb.io')]), undefined), {
      applies: true,
      source: `${VHOOK} call the Service dynamo-system/${SERVICE}:443`,
      target: {
        namespace: 'dynamo-system',
        service: SERVICE,
        port: 9443,
        source: `${VHOOK} → Service dynamo-system/${SERVICE}:443; Service dynamo-system/${SERVICE} was not captured: assumed the chart's 9443`,
      },
    });
  });

  it('several webhooks: counted and named, another Service noted as not checked, the same Service once', () => {
    const other: CalledService = { namespace: 'dynamo-system', name: 'other-webhook', port: 8443 };
    const two = operatorWebhookCall(
      captured([hook('v.kb.io'), hook('m.kb.io', { service: other }), hook('x.kb.io')]),
      undefined,
    );
    assert.equal(
      two.source,
      `3 webhooks on dynamographdeployments (v.kb.io, m.kb.io, x.kb.io) call the Service dynamo-system/${SERVICE}:443 (also dynamo-system/other-webhook:8443, not checked)`,
    );
    const same = operatorWebhookCall(captured([hook('v.kb.io'), hook('m.kb.io')]), undefined);
    assert.equal(
      same.source,
      `2 webhooks on dynamographdeployments (v.kb.io, m.kb.io) call the Service dynamo-system/${SERVICE}:443`,
    );
  });

  it('Ignore on every one makes the flow recommended; one Fail keeps it required', () => {
    const ignore = operatorWebhookCall(
      captured([hook('v.kb.io', { failurePolicy: 'Ignore' }), hook('m.kb.io', { failurePolicy: 'Ignore' })]),
      undefined,
    );
    assert.equal(
      ignore.nonFatal,
      'every one has failurePolicy Ignore: a failed call lets the DynamoGraphDeployment through unvalidated and undefaulted, so the flow is recommended, not required',
    );
    const mixed = operatorWebhookCall(
      captured([hook('v.kb.io', { failurePolicy: 'Ignore' }), hook('m.kb.io')]),
      undefined,
    );
    assert.equal('nonFatal' in mixed, false);
  });

  it('the Service’s targetPort: a number, unset (the port itself), no such port', () => {
    const target = (ports: Ports) =>
      operatorWebhookCall(
        captured([hook('v')], { ports: { [`dynamo-system/${SERVICE}`]: ports } }),
        undefined,
      ).target!;
    const numbered = target([{ port: 80 }, { port: 443, targetPort: 9444 }]);
    assert.equal(numbered.port, 9444);
    assert.equal(
      numbered.source,
      `ValidatingWebhookConfiguration dynamo-platform-validating webhook v → Service dynamo-system/${SERVICE}:443; Service port 443 → targetPort 9444`,
    );
    const same = target([{ port: 443 }]);
    assert.equal(same.port, 443);
    assert.match(same.source, /; Service port 443 has no targetPort: the same port$/);
    const missing = target([{ port: 8443, targetPort: 9443 }]);
    assert.equal(missing.port, 9443);
    assert.match(
      missing.source,
      new RegExp(`; Service dynamo-system/${SERVICE} has no port 443: assumed the chart's 9443$`),
    );
  });

  it('a named targetPort resolves on the pods the Service selects, in its namespace only', () => {
    const selector = { 'control-plane': 'controller-manager' };
    const pods = podModels(
      operatorPod({
        name: 'elsewhere',
        namespace: 'other',
        ports: [{ name: 'webhook-server', containerPort: 1111 }],
      }),
      operatorPod({
        name: 'unselected',
        namespace: 'dynamo-system',
        labels: { app: 'x' },
        ports: [{ name: 'webhook-server', containerPort: 2222 }],
      }),
      operatorPod({
        name: 'op',
        namespace: 'dynamo-system',
        ports: [{ name: 'webhook-server', containerPort: 9445 }],
      }),
    );
    const over = {
      ports: { [`dynamo-system/${SERVICE}`]: [{ port: 443, targetPort: 'webhook-server' }] },
      selectors: { [`dynamo-system/${SERVICE}`]: selector },
      pods,
    };
    const resolved = operatorWebhookCall(captured([hook('v')], over), undefined).target!;
    assert.equal(resolved.port, 9445);
    assert.match(resolved.source, /; Service port 443 → targetPort "webhook-server" = container port 9445$/);
    // No selector, or no selected pod declaring the name: the chart's port, and why.
    const selectors: (Record<string, string> | undefined)[] = [{}, undefined, { app: 'none' }];
    for (const sel of selectors) {
      const unresolved = operatorWebhookCall(
        captured([hook('v')], { ...over, selectors: sel ? { [`dynamo-system/${SERVICE}`]: sel } : {} }),
        undefined,
      ).target!;
      assert.equal(unresolved.port, 9443, JSON.stringify(sel));
      assert.match(
        unresolved.source,
        /; Service port 443 → targetPort "webhook-server", a container port name no captured pod of the Service declares: assumed the chart's 9443$/,
      );
    }
  });
});

describe('the operator webhook predicted (webhook configurations not captured)', () => {
  it('no operator pod and no recipe installing dynamo-platform: does not apply', () => {
    assert.deepEqual(operatorWebhookCall(evidence(), recipe(['gpu-operator'])), {
      applies: false,
      source:
        'no webhook configurations captured (snapshot collects them), no Dynamo operator pod, and no recipe installing dynamo-platform to predict them from',
    });
  });

  it('a running operator pod: its namespace, its webhook-server port', () => {
    const call = operatorWebhookCall(
      evidence({
        pods: podModels(operatorPod({ ports: [{ name: 'webhook-server', containerPort: 9446 }] })),
      }),
      undefined,
    );
    assert.deepEqual(call, {
      applies: true,
      source:
        'predicted: webhook configurations were not captured, and the Dynamo operator pod dynamo/dynamo-operator-0 runs; its chart registers validating and mutating webhooks for dynamographdeployments (failurePolicy Fail by default)',
      target: {
        namespace: 'dynamo',
        service: SERVICE,
        port: 9446,
        source: `predicted Service dynamo/${SERVICE}:443 (Service dynamo/${SERVICE} was not captured); the operator pod's container port webhook-server is 9446`,
      },
    });
  });

  it('the operator known by its image; the captured Service’s port first', () => {
    const pods = podModels(
      operatorPod({
        labels: { 'control-plane': 'controller-manager' },
        image: 'nvcr.io/nvidia/ai-dynamo/kubernetes-operator:1.4.2',
        ports: [{ name: 'webhook-server', containerPort: 9446 }],
      }),
    );
    const call = operatorWebhookCall(
      evidence({ pods, ports: { [`dynamo/${SERVICE}`]: [{ port: 443, targetPort: 9447 }] } }),
      undefined,
    );
    assert.equal(call.target!.port, 9447);
    assert.equal(
      call.target!.source,
      `predicted Service dynamo/${SERVICE}:443; Service port 443 → targetPort 9447`,
    );
  });

  it('not the operator: without the controller-manager label, another app, or no longer running', () => {
    for (const pod of [
      operatorPod({ labels: { 'app.kubernetes.io/name': 'dynamo-operator' } }),
      operatorPod({
        labels: { 'control-plane': 'controller-manager', 'app.kubernetes.io/name': 'cert-manager' },
      }),
      operatorPod({ phase: 'Failed' }),
      operatorPod({ phase: 'Succeeded' }),
    ])
      assert.equal(
        operatorWebhookCall(evidence({ pods: podModels(pod) }), undefined).applies,
        false,
        JSON.stringify(pod),
      );
  });

  it("a recipe installing dynamo-platform: its namespace, else dynamo-system; the chart's 9443", () => {
    const call = operatorWebhookCall(evidence(), recipe(['dynamo-platform'], 'dynamo'));
    assert.deepEqual(call, {
      applies: true,
      source:
        'predicted: webhook configurations were not captured, and recipe r installs dynamo-platform; its chart registers validating and mutating webhooks for dynamographdeployments (failurePolicy Fail by default)',
      target: {
        namespace: 'dynamo',
        service: SERVICE,
        port: 9443,
        source: `predicted Service dynamo/${SERVICE}:443 (Service dynamo/${SERVICE} was not captured); the chart's webhook port 9443`,
      },
    });
    assert.equal(
      operatorWebhookCall(evidence(), recipe(['dynamo-platform'])).target!.namespace,
      'dynamo-system',
    );
  });
});

describe('the custom metrics API', () => {
  const API = 'v1beta1.custom.metrics.k8s.io';
  const adapter: CalledService = { namespace: 'monitoring', name: 'prometheus-adapter', port: 443 };
  const apis = (
    over: Partial<ControlPlaneEvidence['apiServices'][number]>,
    more: Parameters<typeof evidence>[0] = {},
  ) =>
    evidence({
      apiServicesCaptured: true,
      apiServices: [{ name: API, service: adapter, origin: ORIGIN, ...over }],
      ...more,
    });

  it('no cluster and no recipe: applies, as AICR’s recipes serve it with prometheus-adapter', () => {
    assert.deepEqual(customMetricsCall(undefined, undefined, undefined), {
      applies: true,
      source:
        'no cluster read: ai-service-metrics reads the custom metrics API, which AICR’s inference recipes serve with prometheus-adapter',
    });
  });

  it('captured without the APIService, or one the API server serves itself: no pod flow', () => {
    assert.deepEqual(customMetricsCall(apis({ name: 'v1beta1.metrics.k8s.io' }), undefined, undefined), {
      applies: false,
      source: `APIServices were captured and ${API} is not among them: ai-service-metrics fails on its absence ("custom metrics API not available"), not on the network`,
    });
    assert.deepEqual(customMetricsCall(apis({ service: undefined }), undefined, undefined), {
      applies: false,
      source: `APIService ${API} has no spec.service: the API server serves it itself, so no pod flow`,
    });
  });

  it('the APIService’s Service, its Available condition when not True, and the adapter’s port', () => {
    const call = customMetricsCall(
      apis(
        {
          available: {
            status: 'False',
            reason: 'FailedDiscoveryCheck',
            message: 'failing or missing response',
          },
        },
        { ports: { 'monitoring/prometheus-adapter': [{ port: 443, targetPort: 6443 }] } },
      ),
      undefined,
      undefined,
    );
    assert.deepEqual(call, {
      applies: true,
      source: `APIService ${API} calls the Service monitoring/prometheus-adapter:443; it reports Available=False (FailedDiscoveryCheck: failing or missing response)`,
      target: {
        namespace: 'monitoring',
        service: 'prometheus-adapter',
        port: 6443,
        source: `APIService ${API} → Service monitoring/prometheus-adapter:443; Service port 443 → targetPort 6443`,
      },
    });
    const source = (available?: { status: string; reason?: string; message?: string }) =>
      customMetricsCall(apis(available ? { available } : {}), undefined, undefined).source;
    assert.equal(
      source({ status: 'False', reason: 'ServiceNotFound' }),
      `APIService ${API} calls the Service monitoring/prometheus-adapter:443; it reports Available=False (ServiceNotFound)`,
    );
    assert.equal(
      source({ status: 'Unknown' }),
      `APIService ${API} calls the Service monitoring/prometheus-adapter:443; it reports Available=Unknown`,
    );
    assert.equal(
      source({ status: 'True', reason: 'Passed' }),
      `APIService ${API} calls the Service monitoring/prometheus-adapter:443`,
    );
    assert.equal(source(), `APIService ${API} calls the Service monitoring/prometheus-adapter:443`);
    assert.match(
      customMetricsCall(apis({}), undefined, undefined).target!.source,
      /was not captured: assumed the chart's 6443$/,
    );
  });

  it('predicted from a running adapter pod: its namespace, its https port', () => {
    const pod = (extra: Partial<RawPod>) =>
      podModels({
        name: 'prometheus-adapter-0',
        namespace: 'observability',
        labels: { 'app.kubernetes.io/name': 'prometheus-adapter' },
        ...extra,
      });
    assert.deepEqual(
      customMetricsCall(
        evidence({ pods: pod({ ports: [{ name: 'https', containerPort: 6444 }] }) }),
        undefined,
        'ignored',
      ),
      {
        applies: true,
        source: `predicted: APIServices were not captured, and prometheus-adapter runs (observability/prometheus-adapter-0), whose chart registers ${API} on its Service`,
        target: {
          namespace: 'observability',
          service: 'prometheus-adapter',
          port: 6444,
          source: "the adapter pod's container port https is 6444",
        },
      },
    );
    const unnamed = customMetricsCall(evidence({ pods: pod({}) }), undefined, undefined);
    assert.equal(unnamed.target!.port, 6443);
    assert.equal(unnamed.target!.source, "the chart's listenPort 6443 (Service port 443 → targetPort https)");
    assert.equal(
      customMetricsCall(evidence({ pods: pod({ phase: 'Succeeded' }) }), undefined, undefined).applies,
      false,
    );
  });

  it('predicted from a recipe installing prometheus-adapter: the recipe’s namespace for it, else monitoring', () => {
    const call = customMetricsCall(undefined, recipe(['prometheus-adapter']), 'metrics');
    assert.equal(call.applies, true);
    assert.equal(
      call.source,
      `predicted: APIServices were not captured, and recipe r installs prometheus-adapter, whose chart registers ${API} on its Service`,
    );
    assert.equal(call.target!.namespace, 'metrics');
    assert.equal(
      customMetricsCall(undefined, recipe(['prometheus-adapter']), undefined).target!.namespace,
      'monitoring',
    );
  });

  it('no adapter and a recipe that does not install one: does not apply', () => {
    assert.deepEqual(customMetricsCall(undefined, recipe(['gpu-operator']), undefined), {
      applies: false,
      source:
        'no APIServices captured (snapshot collects them), no prometheus-adapter pod, and no recipe installing prometheus-adapter to predict the custom metrics API from',
    });
  });
});
