/**
 * The Kubernetes collector through the real client-node against a local API server serving the
 * dgxc-multi-sg objects: paging, absent CRDs, RBAC and connection failures, the wire format, logs.
 */
import assert from 'node:assert/strict';
import { createServer as createHttpsServer } from 'node:https';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { CollectError } from '../../../src/live/errors.ts';
import {
  collectKubernetes,
  loadKubeConfig,
  logTargets,
  type KubeCollection,
} from '../../../src/live/collect/kubernetes.ts';
import { REDACTED } from '../../../src/live/collect/redact.ts';
import { parseSnapshot } from '../../../src/snapshot/parse.ts';
import { toInputFiles } from '../../../src/live/collect/write.ts';
import { SELF_SIGNED_CERT, SELF_SIGNED_KEY } from '../../helpers/tls-certs.ts';
import {
  loadKubeObjects,
  namespacesOf,
  startFakeKubeApi,
  type FakeKubeApi,
} from '../../helpers/fake-kube-api.ts';

const objects = loadKubeObjects('examples/dgxc-multi-sg/k8s');
const allowNats = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: {
    name: 'allow-nats-clients',
    namespace: 'dynamo-system',
    creationTimestamp: '2026-11-20T08:41:02Z',
  },
  spec: {
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'nats' } },
    policyTypes: ['Ingress'],
    ingress: [
      {
        from: [
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dynamo-workload' } } },
          { ipBlock: { cidr: '100.64.0.0/16' } },
        ],
        ports: [{ protocol: 'TCP', port: 4222 }],
      },
    ],
  },
};
const policies = [
  ...loadKubeObjects('examples/policy-default-deny/k8s').filter((o) => o.kind === 'NetworkPolicy'),
  allowNats,
];
/** A graph as ai-dynamo/dynamo's examples declare one, with a token a user put in its env. */
const graph = {
  apiVersion: 'nvidia.com/v1alpha1',
  kind: 'DynamoGraphDeployment',
  metadata: { name: 'vllm-agg-router', namespace: 'dynamo-workload' },
  spec: {
    envs: [{ name: 'HF_TOKEN', value: 'hf_secret' }],
    services: {
      Frontend: {
        componentType: 'frontend',
        replicas: 1,
        envs: [{ name: 'DYN_ROUTER_MODE', value: 'kv' }],
        extraPodSpec: { mainContainer: { image: 'nvcr.io/nvidia/ai-dynamo/vllm-runtime:1.4.2' } },
      },
      VllmDecodeWorker: {
        componentType: 'worker',
        replicas: 2,
        resources: { limits: { gpu: '1' } },
        extraPodSpec: {
          mainContainer: {
            image: 'nvcr.io/nvidia/ai-dynamo/vllm-runtime:1.4.2',
            args: ['--model', 'Qwen/Qwen3-0.6B', '--api-key', 'sk-live'],
            env: [{ name: 'DYN_VLLM_KV_EVENT_PORT', value: '20080' }],
          },
        },
      },
    },
  },
};
/**
 * The Dynamo operator's validating webhook as its chart renders it (ai-dynamo/dynamo
 * webhook-configuration.yaml), with the CA bundle the operator injects, and prometheus-adapter's
 * APIService (prometheus-community/helm-charts custom-metrics-apiservice.yaml).
 */
const webhooks = {
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingWebhookConfiguration',
  metadata: { name: 'dynamo-platform-dynamo-operator-validating', creationTimestamp: '2026-11-20T08:41:02Z' },
  webhooks: [
    {
      name: 'vdynamographdeployment.kb.io',
      admissionReviewVersions: ['v1'],
      sideEffects: 'None',
      failurePolicy: 'Fail',
      clientConfig: {
        caBundle: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t',
        service: {
          namespace: 'dynamo-system',
          name: 'dynamo-platform-dynamo-operator-webhook-service',
          path: '/validate/nvidia.com/v1beta1/dynamographdeployments',
          port: 443,
        },
      },
      rules: [
        {
          apiGroups: ['nvidia.com'],
          apiVersions: ['v1beta1'],
          operations: ['CREATE', 'UPDATE'],
          resources: ['dynamographdeployments'],
        },
      ],
    },
  ],
};
const mutating = {
  ...webhooks,
  kind: 'MutatingWebhookConfiguration',
  metadata: { name: 'dynamo-platform-dynamo-operator-mutating', creationTimestamp: '2026-11-20T08:41:02Z' },
};
const apiService = {
  apiVersion: 'apiregistration.k8s.io/v1',
  kind: 'APIService',
  metadata: { name: 'v1beta1.custom.metrics.k8s.io', creationTimestamp: '2026-11-20T08:41:02Z' },
  spec: {
    group: 'custom.metrics.k8s.io',
    version: 'v1beta1',
    groupPriorityMinimum: 100,
    versionPriority: 100,
    insecureSkipTLSVerify: true,
    service: { namespace: 'monitoring', name: 'prometheus-adapter', port: 443 },
  },
  status: {
    conditions: [{ type: 'Available', status: 'True', reason: 'Passed', message: 'all checks passed' }],
  },
};
const served = [...objects, ...namespacesOf(objects), ...policies, graph, webhooks, mutating, apiService];
const count = (kind: string, among: readonly Json[] = served) => among.filter((o) => o.kind === kind).length;
const quiet = { progress: () => {} };

type Json = Record<string, unknown>;
function items(collection: KubeCollection, path: string): Json[] {
  const doc = collection.documents.find((d) => d.path === path);
  assert.ok(doc, `${path} written`);
  return (doc.document as { items: Json[] }).items;
}

async function expectCollectError(run: Promise<unknown>, failure: string, message: RegExp): Promise<void> {
  await assert.rejects(run, (err: unknown) => {
    assert.ok(err instanceof CollectError, String(err));
    assert.equal(err.failure, failure);
    assert.match(err.message, message);
    return true;
  });
}

describe('Kubernetes collection', () => {
  let api: FakeKubeApi;
  let collection: KubeCollection;
  const progress: string[] = [];
  before(async () => {
    api = await startFakeKubeApi({
      objects: served,
      pageSize: 2,
      absentCrds: ['securitygrouppolicies'],
      order: 'storage',
    });
    collection = await collectKubernetes(api.kubeConfig(), {
      progress: (m) => progress.push(m),
      pageSize: 3,
    });
  });
  after(() => api.close());

  it('follows continue tokens until every item of every kind is read', () => {
    for (const [path, kind] of [
      ['k8s/nodes.json', 'Node'],
      ['k8s/pods.json', 'Pod'],
      ['k8s/services.json', 'Service'],
      ['k8s/endpointslices.json', 'EndpointSlice'],
      ['k8s/daemonsets.json', 'DaemonSet'],
      ['k8s/eniconfigs.json', 'ENIConfig'],
      ['k8s/networkpolicies.json', 'NetworkPolicy'],
      ['k8s/namespaces.json', 'Namespace'],
    ] as const) {
      assert.equal(items(collection, path).length, count(kind), kind);
    }
    for (const kind of ['Node', 'Pod', 'Service', 'EndpointSlice', 'ENIConfig', 'NetworkPolicy', 'Namespace'])
      assert.ok(count(kind) > 2, `${kind} spans pages`);
    const nodePages = api.requests.filter((r) => r.path === '/api/v1/nodes');
    assert.equal(nodePages.length, Math.ceil(count('Node') / 2));
    assert.equal(nodePages[0]!.query.limit, '3');
    assert.equal(nodePages[0]!.query.continue, undefined);
    assert.ok(nodePages.slice(1).every((r) => r.query.continue));
  });

  it('is answered the same bytes by a server that serialised its objects ahead (the live bench)', async () => {
    // The bench's fake joins each page from JSON made at start; each answer must be the one
    // JSON.stringify gives. Every call of this collection is asked again of both, with its query.
    const options = {
      objects: served,
      pageSize: 2,
      absentCrds: ['securitygrouppolicies'],
      order: 'storage' as const,
    };
    const plain = await startFakeKubeApi(options);
    const ahead = await startFakeKubeApi({ ...options, serialiseAhead: true });
    try {
      const calls = api.requests.filter((r) => r.method === 'GET');
      assert.ok(
        calls.some((r) => r.path.includes('projectcalico.org')) && calls.some((r) => r.query.continue),
      );
      for (const call of calls) {
        const query = new URLSearchParams(call.query).toString();
        const answer = async (server: FakeKubeApi) => {
          const response = await fetch(`${server.url}${call.path}?${query}`);
          return `${response.status} ${await response.text()}`;
        };
        const got = await answer(ahead);
        assert.equal(got, await answer(plain), `${call.path}?${query}`);
        // An absent CRD's 404 aside: JSON.stringify's own form; the items of a built-in kind's list
        // carry no apiVersion or kind (as the API server lists them), a custom resource's do.
        if (!got.startsWith('200 ')) continue;
        const text = got.slice(4);
        const list = JSON.parse(text) as { items?: Json[] };
        assert.equal(text, JSON.stringify(list), call.path);
        const custom = !/^\/(api\/v1|apis\/(apps|[a-z.]+\.k8s\.io))\//.test(call.path);
        for (const item of list.items ?? [])
          assert.equal(
            'kind' in item && 'apiVersion' in item,
            custom,
            `${call.path}: ${JSON.stringify(item).slice(0, 80)}`,
          );
      }
    } finally {
      await plain.close();
      await ahead.close();
    }
  });

  it('reads the pods as one list per namespace once the first page shows more to come', () => {
    // The first page across all namespaces shows there is more: every namespace is then listed
    // on its own (the first page is not kept), and the list across all namespaces not followed.
    const whole = api.requests.filter((r) => r.path === '/api/v1/pods');
    assert.equal(whole.length, 1);
    assert.equal(whole[0]!.query.continue, undefined);
    const inNamespace = (ns: string) =>
      api.requests.filter((r) => r.path === `/api/v1/namespaces/${ns}/pods`);
    for (const ns of namespacesOf(objects)) {
      assert.ok(inNamespace((ns.metadata as { name: string }).name).length >= 1, JSON.stringify(ns.metadata));
    }
    assert.equal(inNamespace('default').length, 1);
    const kubeSystem = inNamespace('kube-system');
    const inKubeSystem = served.filter(
      (o) => o.kind === 'Pod' && (o.metadata as { namespace?: string }).namespace === 'kube-system',
    ).length;
    assert.equal(kubeSystem.length, Math.ceil(inKubeSystem / 2));
    assert.equal(kubeSystem[0]!.query.continue, undefined);
    assert.ok(kubeSystem.slice(1).every((r) => r.query.continue && r.query.limit === '3'));
    // Every pod once, in the order the API server keeps them: by namespace, then name.
    const keys = items(collection, 'k8s/pods.json').map((p) => {
      const m = p.metadata as { namespace: string; name: string };
      return `${m.namespace}/${m.name}`;
    });
    assert.equal(new Set(keys).size, count('Pod'));
    assert.deepEqual(keys, [...keys].sort());
  });

  it('collects the DynamoGraphDeployments, with env values and secret flags redacted as for pods', () => {
    const [dgd] = items(collection, 'k8s/dynamographdeployments.json') as [typeof graph];
    assert.equal(dgd.apiVersion, 'nvidia.com/v1alpha1');
    assert.deepEqual(dgd.spec.envs, [{ name: 'HF_TOKEN', value: REDACTED }]);
    // Not read by the analysis: not on the allow-list.
    assert.deepEqual(dgd.spec.services.Frontend.envs, [{ name: 'DYN_ROUTER_MODE', value: REDACTED }]);
    const main = dgd.spec.services.VllmDecodeWorker.extraPodSpec.mainContainer;
    assert.deepEqual(main.args, ['--model', 'Qwen/Qwen3-0.6B', '--api-key', REDACTED]);
    assert.deepEqual(main.env, [{ name: 'DYN_VLLM_KV_EVENT_PORT', value: '20080' }]);
    assert.equal(dgd.spec.services.VllmDecodeWorker.replicas, 2);
  });

  it('collects the webhook configurations and APIServices the API server calls, without their CA bundles', () => {
    const [validating] = items(collection, 'k8s/validatingwebhookconfigurations.json') as [typeof webhooks];
    assert.equal(validating.kind, 'ValidatingWebhookConfiguration');
    assert.deepEqual(validating.webhooks[0]!.clientConfig, {
      service: {
        namespace: 'dynamo-system',
        name: 'dynamo-platform-dynamo-operator-webhook-service',
        path: '/validate/nvidia.com/v1beta1/dynamographdeployments',
        port: 443,
      },
    });
    assert.equal(validating.webhooks[0]!.failurePolicy, 'Fail');
    assert.equal(items(collection, 'k8s/mutatingwebhookconfigurations.json').length, 1);
    const [api] = items(collection, 'k8s/apiservices.json') as [typeof apiService];
    assert.deepEqual(api.spec.service, { namespace: 'monitoring', name: 'prometheus-adapter', port: 443 });
    assert.equal(api.status.conditions[0]!.type, 'Available');
  });

  it('only lists and gets: no watch, no write, no Secrets or ConfigMaps', () => {
    assert.ok(api.requests.every((r) => r.method === 'GET'));
    assert.ok(api.requests.every((r) => r.query.watch === undefined));
    assert.ok(!api.requests.some((r) => /secrets|configmaps/.test(r.path)));
  });

  it('treats an absent CRD as none, and says so', () => {
    assert.ok(!collection.documents.some((d) => d.path === 'k8s/securitygrouppolicies.json'));
    assert.deepEqual(collection.absent, [
      'SecurityGroupPolicy (CRD securitygrouppolicies.vpcresources.k8s.aws not installed)',
    ]);
    assert.ok(progress.includes('securitygrouppolicies: CRD not installed'));
  });

  it('writes kubectl-style lists: apiVersion/kind on each item, RFC 3339 timestamps, wire field names', () => {
    const nodes = items(collection, 'k8s/nodes.json');
    assert.equal(nodes[0]!.apiVersion, 'v1');
    assert.equal(nodes[0]!.kind, 'Node');
    assert.equal((nodes[0]!.metadata as Json).creationTimestamp, '2025-03-11T18:12:16Z');
    const slices = items(collection, 'k8s/endpointslices.json');
    assert.equal(slices[0]!.apiVersion, 'discovery.k8s.io/v1');
    const eni = items(collection, 'k8s/eniconfigs.json')[0]!;
    assert.equal(eni.apiVersion, 'crd.k8s.amazonaws.com/v1alpha1');
    assert.deepEqual(eni.spec, {
      securityGroups: ['sg-0affb20cb8865fd98'],
      subnet: 'subnet-0eeaca640af34b3c8',
    });
    // client-node calls it `_from`; the API (and the loader) say `from`.
    const written = items(collection, 'k8s/networkpolicies.json').find(
      (p) => (p.metadata as Json).name === 'allow-nats-clients',
    )!;
    assert.deepEqual(written.spec, allowNats.spec);
    assert.ok(!JSON.stringify(items(collection, 'k8s/networkpolicies.json')).includes('"_from"'));
    const text = JSON.stringify(collection.documents.map((d) => d.document));
    assert.ok(!text.includes('.000Z'), 'whole-second timestamps as the API server writes them');
    assert.ok(!text.includes('null'));
  });

  it('redacts pod env and strips last-applied-configuration', () => {
    const frontend = items(collection, 'k8s/pods.json').find((p) =>
      String((p.metadata as Json).name).startsWith('vllm-agg-frontend'),
    )!;
    const env = ((frontend.spec as Json).containers as { env: { name: string; value?: string }[] }[])[0]!.env;
    assert.equal(
      env.find((e) => e.name === 'NATS_SERVER')!.value,
      'nats://dynamo-platform-nats.dynamo-system.svc.cluster.local:4222',
    );
    assert.equal(env.find((e) => e.name === 'DYN_DISCOVERY_BACKEND')!.value, 'kubernetes');
    const awsNodePod = items(collection, 'k8s/pods.json').find((p) =>
      String((p.metadata as Json).name).startsWith('aws-node-'),
    )!;
    const awsEnv = ((awsNodePod.spec as Json).containers as { env: { name: string; value?: string }[] }[])[0]!
      .env;
    assert.equal(awsEnv.find((e) => e.name === 'ADDITIONAL_ENI_TAGS')!.value, REDACTED);
    assert.ok(
      !JSON.stringify(items(collection, 'k8s/eniconfigs.json')).includes('last-applied-configuration'),
    );
  });

  it('reports each step with its count and the calls it took (the fake pages 2 items at a time)', () => {
    const callsFor = (kind: string) => Math.max(1, Math.ceil(count(kind) / 2));
    const podCalls = api.requests.filter((r) =>
      /^\/api\/v1\/(namespaces\/[^/]+\/)?pods$/.test(r.path),
    ).length;
    assert.ok(progress.includes(`pods: ${count('Pod')} (${podCalls} calls)`), progress.join('\n'));
    assert.ok(progress.includes(`nodes: ${count('Node')} (${callsFor('Node')} calls)`));
    assert.ok(progress.includes(`events: ${count('Event')} (${callsFor('Event')} calls)`));
    // Every request answered a page but the one for the CRD that is not installed (404).
    const calls = api.requests.length;
    const pages = calls - api.requests.filter((r) => r.path.endsWith('/securitygrouppolicies')).length;
    assert.ok(progress.includes(`Kubernetes: ${pages} pages (${calls} calls)`), progress.at(-1));
  });

  it('writes the documents in the same order whichever list finishes first', async () => {
    // One list at a time: the order of the lists themselves.
    const other = await startFakeKubeApi({
      objects: served,
      pageSize: 2,
      absentCrds: ['securitygrouppolicies'],
      order: 'storage',
    });
    try {
      const one = await collectKubernetes(other.kubeConfig(), { ...quiet, pageSize: 3, concurrency: 1 });
      assert.deepEqual(
        collection.documents.map((d) => d.path),
        one.documents.map((d) => d.path),
      );
      assert.deepEqual(collection.documents, one.documents);
    } finally {
      await other.close();
    }
  });
});

describe('Kubernetes collection: the pods split by namespace', () => {
  // Namespaces whose storage order is not their name order: `team/…` sorts after `team-0/…`.
  const spaces = ['team', 'team-0', 'a', 'zz', 'team-1'];
  const pods: Json[] = spaces.flatMap((ns, n) =>
    Array.from({ length: 3 + n * 2 }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `pod-${(i * 7) % 11}-${i}`,
        namespace: ns,
        creationTimestamp: '2026-11-20T08:41:02Z',
      },
      spec: { nodeName: `node-${i % 3}`, containers: [{ name: 'main', image: 'nginx:1.27' }] },
      status: { phase: 'Running', podIP: `100.64.${n}.${i + 1}` },
    })),
  );
  // Given to the fake shuffled (it serves them in storage order, as the API server does).
  const shuffled = pods
    .map((p, i) => [(i * 37) % 101, p] as const)
    .sort(([a], [b]) => a - b)
    .map(([, p]) => p);
  const world = [...objects.filter((o) => o.kind !== 'Pod'), ...namespacesOf(pods), ...shuffled];
  const collect = async (options: { unsplit?: boolean; order?: 'given' }) => {
    const api = await startFakeKubeApi({ objects: world, pageSize: 4, order: options.order ?? 'storage' });
    try {
      const got = await collectKubernetes(api.kubeConfig(), {
        ...quiet,
        pageSize: 4,
        ...(options.unsplit ? { unsplit: true } : {}),
      });
      return { got, requests: api.requests.map((r) => r.path) };
    } finally {
      await api.close();
    }
  };
  const namespacedPodLists = (paths: string[]) =>
    paths.filter((p) => /^\/api\/v1\/namespaces\/[^/]+\/pods$/.test(p));

  it('writes the same files, byte for byte, split or read as one list', async () => {
    const split = await collect({});
    const whole = await collect({ unsplit: true });
    assert.ok(namespacedPodLists(split.requests).length > 0, 'split');
    assert.equal(namespacedPodLists(whole.requests).length, 0, 'not split');
    assert.deepEqual(toInputFiles(split.got.documents), toInputFiles(whole.got.documents));
    const keys = items(split.got, 'k8s/pods.json').map((p) => {
      const m = p.metadata as { namespace: string; name: string };
      return `${m.namespace}/${m.name}`;
    });
    assert.equal(keys.length, pods.length);
    assert.deepEqual(keys, [...keys].sort());
    assert.ok(keys.indexOf('team-0/pod-0-0') < keys.indexOf('team/pod-0-0'));
  });

  it('writes the same files page by page to disk (spool), holding only what the collection reads again', async () => {
    const spool = mkdtempSync(join(tmpdir(), 'netcheck-kube-spool-'));
    const api = await startFakeKubeApi({ objects: world, pageSize: 4, order: 'storage' });
    try {
      const spooled = await collectKubernetes(api.kubeConfig(), { ...quiet, pageSize: 4, spool });
      const inMemory = await collect({});
      assert.ok(spooled.documents.every((d) => d.spooled !== undefined && d.document === undefined));
      assert.deepEqual(toInputFiles(spooled.documents), toInputFiles(inMemory.got.documents));
      assert.deepEqual(
        spooled.documents.map((d) => [d.path, d.count]),
        inMemory.got.documents.map((d) => [d.path, d.count]),
      );
      // The pods and events are on disk only; nodes and namespaces stay for the AWS side and the split.
      assert.deepEqual(spooled.items.Pod, []);
      assert.equal(spooled.items.Node?.length, count('Node', world));
      assert.equal(spooled.items.Namespace?.length, count('Namespace', world));
    } finally {
      await api.close();
      rmSync(spool, { recursive: true, force: true });
    }
  });

  it('follows one list to the end when its first page is not in storage order (not an API server)', async () => {
    const { got, requests } = await collect({ order: 'given' });
    assert.equal(namespacedPodLists(requests).length, 0);
    assert.equal(requests.filter((p) => p === '/api/v1/pods').length, Math.ceil(pods.length / 4));
    assert.deepEqual(
      items(got, 'k8s/pods.json').map((p) => (p.metadata as Json).name),
      shuffled.map((p) => (p.metadata as Json).name),
    );
  });

  it('loses no pod when a first page is in order by chance but the rest is not', async () => {
    // The server's order: a page in storage order, then the rest reversed. Split, every pod is
    // still read once (namespace by namespace), whatever the first page held.
    const inOrder = [...pods].sort((a, b) => {
      const key = (p: Json) => `${(p.metadata as Json).namespace}/${(p.metadata as Json).name}`;
      return key(a) < key(b) ? -1 : 1;
    });
    const served = [...inOrder.slice(0, 4), ...inOrder.slice(4).reverse()];
    const api = await startFakeKubeApi({
      objects: [...namespacesOf(pods), ...served],
      pageSize: 4,
      order: 'given',
    });
    try {
      const got = await collectKubernetes(api.kubeConfig(), { ...quiet, pageSize: 4 });
      const names = items(got, 'k8s/pods.json').map(
        (p) => `${(p.metadata as Json).namespace}/${(p.metadata as Json).name}`,
      );
      assert.equal(names.length, pods.length);
      assert.equal(new Set(names).size, pods.length);
      assert.ok(namespacedPodLists(api.requests.map((r) => r.path)).length > 0, 'split');
    } finally {
      await api.close();
    }
  });

  it('gives a free call to the namespace with the most pods left, so the longest lists end together', async () => {
    // Two calls at once, four namespaces: `a` and `d` of 4 pods, `b` and `c` of 20, 2 a page.
    // The first pages of all four come first (nothing is known of them), then, whenever calls
    // wait for a slot, the one whose last page said the most items remain.
    const sized = (namespace: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `p-${String(i).padStart(2, '0')}`, namespace },
        spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] },
      }));
    const world = [...sized('a', 4), ...sized('b', 20), ...sized('c', 20), ...sized('d', 4)];
    const api = await startFakeKubeApi({ objects: [...namespacesOf(world), ...world], order: 'storage' });
    try {
      const got = await collectKubernetes(api.kubeConfig(), { ...quiet, pageSize: 2, concurrency: 2 });
      assert.equal(items(got, 'k8s/pods.json').length, world.length);
      const next = api.requests
        .filter((r) => /^\/api\/v1\/namespaces\/[a-d]\/pods$/.test(r.path) && r.query.continue)
        .map((r) => r.path.split('/')[4]);
      assert.ok(next.length >= 2 * 9 + 2 * 1, next.join(' '));
      // After the first pages, `a` and `b` wait together (`a` asked first): `b`, with 18 pods left
      // against 2, is served first.
      assert.ok(next[0] === 'b' || next[0] === 'c', next.join(' '));
    } finally {
      await api.close();
    }
  });

  it('reads many small namespaces as the one list: split, they would take more calls than its pages', async () => {
    // 40 namespaces of one pod, 4 pods a page: 10 pages in a row, against at least 40 calls.
    const small = Array.from({ length: 40 }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'only', namespace: `ns-${String(i).padStart(2, '0')}` },
      spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] },
    }));
    const api = await startFakeKubeApi({
      objects: [...namespacesOf(small), ...small],
      pageSize: 4,
      order: 'storage',
    });
    try {
      const got = await collectKubernetes(api.kubeConfig(), { ...quiet, pageSize: 4 });
      assert.equal(namespacedPodLists(api.requests.map((r) => r.path)).length, 0);
      assert.equal(api.requests.filter((r) => r.path === '/api/v1/pods').length, 10);
      assert.equal(items(got, 'k8s/pods.json').length, 40);
    } finally {
      await api.close();
    }
  });

  it('makes one call when the pods fit in one page', async () => {
    const api = await startFakeKubeApi({ objects: [...namespacesOf(pods), ...pods.slice(0, 3)] });
    try {
      await collectKubernetes(api.kubeConfig(), { ...quiet, pageSize: 500 });
      assert.deepEqual(
        api.requests.filter((r) => r.path.endsWith('/pods')).map((r) => r.path),
        ['/api/v1/pods'],
      );
    } finally {
      await api.close();
    }
  });
});

describe('Kubernetes pacing', () => {
  /** Waits the policy asked for, without waiting. */
  const recordingRetry = (waits: number[]) => ({
    attempts: 6,
    baseDelayMs: 250,
    maxDelayMs: 10_000,
    sleep: async (ms: number) => {
      waits.push(ms);
    },
    random: () => 0.5,
  });

  it('retries a 429 after the Retry-After the API server sent, and still reads every item', async () => {
    // Every 7th request: with 4 calls in flight, no latency and waits that return at once, every 5th
    // would refuse the same list's retry each time (it is always the 5th request after).
    const api = await startFakeKubeApi({ objects: served, pageSize: 2, throttleEvery: 7, retryAfter: '2' });
    const waits: number[] = [];
    const lines: string[] = [];
    try {
      const got = await collectKubernetes(api.kubeConfig(), {
        progress: (m) => lines.push(m),
        pageSize: 2,
        retry: recordingRetry(waits),
      });
      assert.ok(api.throttled > 3, `throttled ${api.throttled}`);
      // Every 429 was followed by a wait of its Retry-After (2 s, and the jitter), and nothing else waited.
      assert.deepEqual(
        waits,
        // random 0.5: a tenth more than the 2 s asked.
        Array.from({ length: api.throttled }, () => 2200),
      );
      assert.equal(items(got, 'k8s/pods.json').length, count('Pod'));
      assert.equal(items(got, 'k8s/nodes.json').length, count('Node'));
      assert.equal(got.meter.retried, api.throttled);
      assert.equal(got.meter.calls, api.requests.length);
      assert.equal(got.meter.pages, api.requests.length - api.throttled);
      assert.ok(lines.at(-1)!.endsWith(`, ${api.throttled} retried)`), lines.at(-1));
    } finally {
      await api.close();
    }
  });

  it('backs off exponentially when a 429 names no Retry-After', async () => {
    // Every 3rd request refused, one call at a time: a refused page's retry waits behind at most
    // one other call, so it passes, and each wait is the first backoff: 250 ms jittered by random
    // 0.5 to 0.75 of it. (Every 2nd would refuse the retry again: the waiting call goes first.)
    const api = await startFakeKubeApi({ objects: served, pageSize: 50, throttleEvery: 3, retryAfter: null });
    const waits: number[] = [];
    try {
      await collectKubernetes(api.kubeConfig(), {
        ...quiet,
        pageSize: 50,
        concurrency: 1,
        retry: recordingRetry(waits),
      });
      assert.ok(waits.length > 0);
      assert.ok(
        waits.every((w) => w === 187.5),
        waits.join(' '),
      );
    } finally {
      await api.close();
    }
  });

  it("gives up after the policy's attempts with a throttling error that names the list", async () => {
    const api = await startFakeKubeApi({ objects: served, throttleEvery: 1 });
    const waits: number[] = [];
    try {
      await expectCollectError(
        collectKubernetes(api.kubeConfig(), {
          ...quiet,
          concurrency: 1,
          retry: { ...recordingRetry(waits), attempts: 3 },
        }),
        'throttled',
        /throttled list namespaces \(429\)/,
      );
      // Every call was refused and retried after the Retry-After of 1 s (and the jitter); the namespaces, asked
      // first, ran out of attempts first (3 calls), and nothing was sent after that.
      assert.ok(waits.length > 0 && waits.every((w) => w === 1100), waits.join(' '));
      assert.equal(api.requests.filter((r) => r.path === '/api/v1/namespaces').length, 3);
      const sent = api.requests.length;
      // One call at a time, and the lists asked first go first: the nodes used the slot while
      // the namespaces waited; no later list got a turn.
      assert.deepEqual([...new Set(api.requests.map((r) => r.path))].sort(), [
        '/api/v1/namespaces',
        '/api/v1/nodes',
      ]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(api.requests.length, sent);
    } finally {
      await api.close();
    }
  });

  it('keeps up to `concurrency` lists in flight, never more', async () => {
    const api = await startFakeKubeApi({ objects: served, pageSize: 2, latencyMs: 20 });
    try {
      await collectKubernetes(api.kubeConfig(), { ...quiet, pageSize: 2, concurrency: 3 });
      assert.equal(api.peakInFlight, 3);
    } finally {
      await api.close();
    }
    const one = await startFakeKubeApi({ objects: served, pageSize: 2, latencyMs: 5 });
    try {
      await collectKubernetes(one.kubeConfig(), { ...quiet, pageSize: 2, concurrency: 1 });
      assert.equal(one.peakInFlight, 1);
    } finally {
      await one.close();
    }
  });
});

/** An HTTPS API server with that certificate, and a kubeconfig naming it as `host` with `caData`. */
async function withTlsServer(
  host: string,
  caData: string | undefined,
  fn: (kc: KubeConfig, server: string) => Promise<void>,
): Promise<void> {
  const https = createHttpsServer({ cert: SELF_SIGNED_CERT, key: SELF_SIGNED_KEY }, (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"kind":"List","items":[]}');
  });
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  const server = `https://${host}:${(https.address() as { port: number }).port}`;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, ...(caData ? { caData } : {}) }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
  try {
    await fn(kc, server);
  } finally {
    await new Promise((resolve) => https.close(resolve));
  }
}

describe('Kubernetes failures', () => {
  it('names the resource and verb RBAC forbids', async () => {
    const api = await startFakeKubeApi({ objects: served, forbidden: ['networkpolicies'] });
    try {
      await expectCollectError(
        collectKubernetes(api.kubeConfig(), quiet),
        'forbidden',
        /RBAC forbids list on networkpolicies\.networking\.k8s\.io.*cannot list resource "networkpolicies".*docs\/rbac\.yaml/,
      );
    } finally {
      await api.close();
    }
  });

  it('says the credentials were rejected on 401', async () => {
    const api = await startFakeKubeApi({ objects: served, statusFor: { nodes: 401 } });
    try {
      await expectCollectError(
        collectKubernetes(api.kubeConfig(), quiet),
        'credentials',
        /rejected the credentials \(401\) on list nodes.*update-kubeconfig/,
      );
    } finally {
      await api.close();
    }
  });

  it('says the API server is unreachable when nothing listens', async () => {
    // A port that was free a moment ago: bind, read it, close.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as { port: number }).port;
        probe.close(() => resolve(p));
      });
    });
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'gone', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'gone', cluster: 'gone', user: 'u' }],
      currentContext: 'gone',
    });
    await expectCollectError(
      collectKubernetes(kc, quiet),
      'unreachable',
      new RegExp(`cannot reach the Kubernetes API server http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`),
    );
  });
});

describe('Kubernetes TLS failures: a certificate problem, not the network', () => {
  const certificateProblem = (err: unknown, server: string, code: string): true => {
    assert.ok(err instanceof CollectError, String(err));
    assert.equal(err.failure, 'config');
    assert.match(
      err.message,
      new RegExp(
        `^the certificate of the Kubernetes API server ${server.replace(/\./g, '\\.')} failed verification \\(${code}`,
      ),
    );
    assert.match(
      err.message,
      /a certificate problem, not the network.*certificate-authority-data.*update-kubeconfig/,
    );
    assert.doesNotMatch(err.message, /cannot reach|VPN/);
    return true;
  };

  it('a server certificate the kubeconfig has no CA for (self-signed)', async () => {
    await withTlsServer('127.0.0.1', undefined, (kc, server) =>
      assert.rejects(collectKubernetes(kc, quiet), (err) =>
        certificateProblem(err, server, 'DEPTH_ZERO_SELF_SIGNED_CERT'),
      ),
    );
  });

  it('a trusted certificate for another host name than the kubeconfig server', async () => {
    const ca = Buffer.from(SELF_SIGNED_CERT).toString('base64');
    await withTlsServer('localhost', ca, (kc, server) =>
      assert.rejects(collectKubernetes(kc, quiet), (err) =>
        certificateProblem(err, server, 'ERR_TLS_CERT_ALTNAME_INVALID'),
      ),
    );
  });

  it('the same server with its CA in the kubeconfig is read', async () => {
    const ca = Buffer.from(SELF_SIGNED_CERT).toString('base64');
    await withTlsServer('127.0.0.1', ca, async (kc) => {
      await collectKubernetes(kc, quiet);
    });
  });
});

describe('kubeconfig loading', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netcheck-kubeconfig-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'config');
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: a, cluster: {server: "https://a.example"}}, {name: b, cluster: {server: "https://b.example"}}]',
      'users: [{name: u, user: {token: t}}]',
      'contexts: [{name: ctx-a, context: {cluster: a, user: u}}, {name: ctx-b, context: {cluster: b, user: u}}]',
      'current-context: ctx-a',
    ].join('\n'),
  );

  it('selects --context', () => {
    assert.equal(loadKubeConfig({ kubeconfig: file }).getCurrentCluster()?.server, 'https://a.example');
    assert.equal(
      loadKubeConfig({ kubeconfig: file, context: 'ctx-b' }).getCurrentCluster()?.server,
      'https://b.example',
    );
  });

  it('rejects an unknown context, naming the known ones', () => {
    assert.throws(
      () => loadKubeConfig({ kubeconfig: file, context: 'prod' }),
      /--context prod is not in the kubeconfig \(contexts: ctx-a, ctx-b\)/,
    );
  });

  it('rejects a missing kubeconfig file, naming it', () => {
    assert.throws(
      () => loadKubeConfig({ kubeconfig: join(dir, 'nope') }),
      (err: unknown) => {
        assert.ok(err instanceof CollectError);
        assert.match(err.message, /cannot read --kubeconfig .*nope/);
        return true;
      },
    );
  });
});

describe('--logs', () => {
  const logs = {
    'dynamo-workload/vllm-agg-frontend-gmjjwhgmc-4vhr7/main/previous':
      'starting frontend\nException: Failed to connect to NATS: timed out\n',
    'dynamo-system/dynamo-platform-nats-0/nats': Array.from({ length: 300 }, (_, i) => `nats line ${i}`).join(
      '\n',
    ),
    'monitoring/prometheus-kube-prometheus-prometheus-0/prometheus':
      'Server is ready to receive web requests.\n',
  };

  it('chooses Dynamo, NATS, Prometheus and validator pods; previous logs only for restarted containers', () => {
    const targets = logTargets(served.filter((o) => o.kind === 'Pod') as Parameters<typeof logTargets>[0]);
    const names = targets.map((t) => `${t.pod}/${t.container}${t.previous ? ' (previous)' : ''}`);
    assert.ok(names.includes('vllm-agg-frontend-gmjjwhgmc-4vhr7/main (previous)'));
    assert.ok(
      !names.includes('vllm-agg-frontend-gmjjwhgmc-4vhr7/main'),
      'a waiting container has no current log',
    );
    assert.ok(names.includes('dynamo-platform-nats-0/nats'));
    assert.ok(names.includes('prometheus-kube-prometheus-prometheus-0/prometheus'));
    assert.ok(!names.some((n) => n.startsWith('aws-node') || n.startsWith('coredns')));
    const validator = logTargets([
      {
        metadata: { name: 'aicr-conformance-validator-x7', namespace: 'aicr' },
        spec: { containers: [{ name: 'run' }] },
        status: { containerStatuses: [{ name: 'run', restartCount: 0, state: { terminated: {} } }] },
      },
    ]);
    assert.deepEqual(validator, [
      { namespace: 'aicr', pod: 'aicr-conformance-validator-x7', container: 'run', previous: false },
    ]);
  });

  it('captures the last N lines as a PodLogs document', async () => {
    const api = await startFakeKubeApi({ objects: served, logs });
    try {
      const collection = await collectKubernetes(api.kubeConfig(), { ...quiet, logs: true, tailLines: 50 });
      const doc = collection.documents.find((d) => d.path === 'logs/pod-logs.json')!.document as {
        apiVersion: string;
        kind: string;
        items: { pod: string; container: string; previous: boolean; lines: string[] }[];
      };
      assert.equal(doc.apiVersion, 'dynamo-netcheck/v1');
      assert.equal(doc.kind, 'PodLogs');
      const frontend = doc.items.find((i) => i.pod.startsWith('vllm-agg-frontend'))!;
      assert.equal(frontend.previous, true);
      assert.deepEqual(frontend.lines, [
        'starting frontend',
        'Exception: Failed to connect to NATS: timed out',
      ]);
      const nats = doc.items.find((i) => i.container === 'nats')!;
      assert.equal(nats.lines.length, 50);
      assert.equal(nats.lines.at(-1), 'nats line 299');
      const logRequests = api.requests.filter((r) => r.path.endsWith('/log'));
      assert.ok(logRequests.every((r) => r.query.tailLines === '50'));
      // Containers without a log (400 from the kubelet) are skipped, not fatal.
      assert.ok(!doc.items.some((i) => i.container === 'config-reloader'));
    } finally {
      await api.close();
    }
  });

  it('names pods/log when RBAC forbids reading logs', async () => {
    const api = await startFakeKubeApi({ objects: served, logs, forbidden: ['pods/log'] });
    try {
      await expectCollectError(
        collectKubernetes(api.kubeConfig(), { ...quiet, logs: true }),
        'forbidden',
        /RBAC forbids get on pods\/log in namespace/,
      );
    } finally {
      await api.close();
    }
  });
});

describe('Kubernetes collection: Calico and Cilium policies', () => {
  const calicoNp = {
    apiVersion: 'crd.projectcalico.org/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'default.nats-from-frontend', namespace: 'dynamo-system' },
    spec: {
      tier: 'default',
      selector: "app.kubernetes.io/name == 'nats'",
      types: ['Ingress'],
      ingress: [{ action: 'Allow', protocol: 'TCP', source: { selector: "component == 'frontend'" } }],
    },
  };
  const calicoGnp = {
    apiVersion: 'crd.projectcalico.org/v1',
    kind: 'GlobalNetworkPolicy',
    metadata: { name: 'default.deny-all' },
    spec: { tier: 'default', selector: 'all()', types: ['Ingress', 'Egress'] },
  };

  it('lists them from their CRDs, keeps their apiVersion and kind, and the loader reads them as Calico’s, apart from Kubernetes’', async () => {
    const api = await startFakeKubeApi({
      objects: [allowNats, calicoNp, calicoGnp],
      absentCrds: ['ciliumnetworkpolicies', 'ciliumclusterwidenetworkpolicies'],
    });
    try {
      const collection = await collectKubernetes(api.kubeConfig(), quiet);
      assert.deepEqual(
        items(collection, 'k8s/calico-networkpolicies.json').map((o) => `${o.apiVersion} ${o.kind}`),
        ['crd.projectcalico.org/v1 NetworkPolicy'],
      );
      assert.deepEqual(
        items(collection, 'k8s/calico-globalnetworkpolicies.json').map((o) => (o.metadata as Json).name),
        ['default.deny-all'],
      );
      assert.deepEqual(
        items(collection, 'k8s/networkpolicies.json').map((o) => (o.metadata as Json).name),
        ['allow-nats-clients'],
      );
      assert.ok(
        collection.absent.includes('CiliumNetworkPolicy (CRD ciliumnetworkpolicies.cilium.io not installed)'),
        collection.absent.join('\n'),
      );
      const parsed = parseSnapshot(
        collection.documents.map((d) => ({ path: d.path, text: JSON.stringify(d.document) })),
      );
      assert.ok(parsed.ok);
      assert.equal(parsed.snapshot.networkPolicies.length, 1);
      assert.deepEqual(
        parsed.snapshot.calicoPolicies.map((p) => `${p.value.kind} ${p.value.metadata.name}`),
        ['NetworkPolicy default.nats-from-frontend', 'GlobalNetworkPolicy default.deny-all'],
      );
    } finally {
      await api.close();
    }
  });

  it('collects Cilium policies where their CRDs are installed', async () => {
    const cnp = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'l4', namespace: 'dynamo-system' },
      spec: { endpointSelector: {}, ingress: [{}] },
    };
    const api = await startFakeKubeApi({ objects: [cnp] });
    try {
      const collection = await collectKubernetes(api.kubeConfig(), quiet);
      assert.deepEqual(
        items(collection, 'k8s/ciliumnetworkpolicies.json').map((o) => `${o.apiVersion} ${o.kind}`),
        ['cilium.io/v2 CiliumNetworkPolicy'],
      );
      assert.equal(items(collection, 'k8s/ciliumclusterwidenetworkpolicies.json').length, 0);
    } finally {
      await api.close();
    }
  });
});
