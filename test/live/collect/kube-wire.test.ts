/**
 * fromWire (one walk from the API server's JSON to wire form) against the way it replaces: the
 * same JSON read by client-node into its models, then written back by toWire. Both must give the
 * same bytes for every kind the snapshot lists with a model, whatever the objects hold.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AdmissionregistrationV1Api,
  ApiregistrationV1Api,
  AppsV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  NetworkingV1Api,
} from '@kubernetes/client-node';
import { fromWire, toWire } from '../../../src/live/collect/kube-wire.ts';
import {
  loadKubeObjects,
  namespacesOf,
  startFakeKubeApi,
  type FakeKubeApi,
} from '../../helpers/fake-kube-api.ts';

type Json = Record<string, unknown>;

const examples = [
  'dgxc-multi-sg',
  'dynamo-1.4-preflight',
  'dynamo-1.4-system-frontend',
  'healthy-shared-cluster-sg',
  'policy-default-deny',
  'upgrade-1.0-to-1.2',
].flatMap((name) => {
  const dir = join('examples', name, 'k8s');
  return existsSync(dir) ? loadKubeObjects(dir) : [];
});

/** What the API server may send that the models do not spell out. */
const odd: Json[] = [
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'odd',
      namespace: 'zz-odd',
      // A fraction beyond milliseconds, a null, a field no model has, labels with a null value.
      creationTimestamp: '2026-11-20T08:41:02.123456Z',
      deletionTimestamp: null,
      labels: { app: 'odd', gone: null },
      futureField: { nested: true },
      managedFields: [{ manager: 'kubectl', operation: 'Update', time: '2026-11-20T08:41:02Z' }],
    },
    spec: {
      nodeName: 'node-1',
      containers: [
        {
          name: 'main',
          image: 'nginx:1.27',
          ports: [{ containerPort: 8080, name: 'http' }, null],
          env: [{ name: 'A', value: 'b', valueFrom: null }],
          resources: { limits: { 'nvidia.com/gpu': '1', cpu: 2 } },
        },
      ],
      overhead: null,
      tolerations: [],
    },
    status: { phase: 'Running', startTime: '2026-11-20T08:41:02Z', podIPs: [{ ip: '100.64.0.9' }] },
  },
  {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'odd.1', namespace: 'zz-odd' },
    involvedObject: { kind: 'Pod', name: 'odd', namespace: 'zz-odd' },
    eventTime: '2026-11-20T08:41:02.000123Z',
    firstTimestamp: '2026-11-20T08:41:02Z',
    series: { count: 2, lastObservedTime: '2026-11-20T08:41:03.5Z' },
    reason: 'Odd',
  },
];

const served = [...examples, ...odd, ...namespacesOf([...examples, ...odd])];

describe('fromWire', () => {
  let api: FakeKubeApi;
  before(async () => {
    api = await startFakeKubeApi({ objects: served });
  });
  after(() => api.close());

  const kinds: [
    string,
    string,
    string,
    (kc: ReturnType<FakeKubeApi['kubeConfig']>) => Promise<{ items: unknown[] }>,
  ][] = [
    ['Node', 'V1Node', '/api/v1/nodes', (kc) => kc.makeApiClient(CoreV1Api).listNode()],
    ['Pod', 'V1Pod', '/api/v1/pods', (kc) => kc.makeApiClient(CoreV1Api).listPodForAllNamespaces()],
    [
      'Service',
      'V1Service',
      '/api/v1/services',
      (kc) => kc.makeApiClient(CoreV1Api).listServiceForAllNamespaces(),
    ],
    ['Namespace', 'V1Namespace', '/api/v1/namespaces', (kc) => kc.makeApiClient(CoreV1Api).listNamespace()],
    [
      'Event',
      'CoreV1Event',
      '/api/v1/events',
      (kc) => kc.makeApiClient(CoreV1Api).listEventForAllNamespaces(),
    ],
    [
      'EndpointSlice',
      'V1EndpointSlice',
      '/apis/discovery.k8s.io/v1/endpointslices',
      (kc) => kc.makeApiClient(DiscoveryV1Api).listEndpointSliceForAllNamespaces(),
    ],
    [
      'DaemonSet',
      'V1DaemonSet',
      '/apis/apps/v1/daemonsets',
      (kc) => kc.makeApiClient(AppsV1Api).listDaemonSetForAllNamespaces(),
    ],
    [
      'NetworkPolicy',
      'V1NetworkPolicy',
      '/apis/networking.k8s.io/v1/networkpolicies',
      (kc) => kc.makeApiClient(NetworkingV1Api).listNetworkPolicyForAllNamespaces(),
    ],
    [
      'ValidatingWebhookConfiguration',
      'V1ValidatingWebhookConfiguration',
      '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations',
      (kc) => kc.makeApiClient(AdmissionregistrationV1Api).listValidatingWebhookConfiguration(),
    ],
    [
      'APIService',
      'V1APIService',
      '/apis/apiregistration.k8s.io/v1/apiservices',
      (kc) => kc.makeApiClient(ApiregistrationV1Api).listAPIService(),
    ],
  ];

  for (const [kind, model, path, list] of kinds) {
    it(`gives what client-node's ${model} and toWire give, byte for byte (${kind})`, async () => {
      const viaModels = (await list(api.kubeConfig())).items.map((item) => toWire(item, model));
      const raw = (await (await fetch(`${api.url}${path}`)).json()) as { items: unknown[] };
      const direct = raw.items.map((item) => fromWire(item, model));
      assert.equal(direct.length, served.filter((o) => o.kind === kind).length);
      assert.equal(JSON.stringify(direct), JSON.stringify(viaModels));
    });
  }

  it('keeps what the models keep of an odd pod: known fields in model order, dates as RFC 3339', () => {
    const pod = fromWire(odd[0], 'V1Pod') as {
      metadata: Json;
      spec: { containers: Json[] };
    };
    assert.equal(pod.metadata.creationTimestamp, '2026-11-20T08:41:02.123Z');
    assert.ok(!('futureField' in pod.metadata));
    assert.ok(!('deletionTimestamp' in pod.metadata));
    assert.deepEqual(pod.metadata.labels, { app: 'odd' });
    assert.deepEqual(Object.keys(pod)[0], 'apiVersion');
    assert.equal(
      JSON.stringify(pod.spec.containers[0]!.ports),
      '[{"containerPort":8080,"name":"http"},null]',
    );
  });
});
