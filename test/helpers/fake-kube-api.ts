/**
 * A local HTTP server speaking the part of the Kubernetes API that `snapshot` reads: cluster-wide
 * lists with `limit`/`continue` paging (optionally in storage order: by namespace, then name), the
 * pods of one namespace, 404 for CRDs that are not installed, 403 Status bodies for
 * forbidden resources, and pod logs; and the namespaced ConfigMap list `diagnose --live` reads. Serves recorded objects (e.g. examples/…/k8s) so the real
 * client-node talks to it through a kubeconfig pointing at http://127.0.0.1:<port>.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import YAML from 'yaml';

type Json = Record<string, unknown>;

/** Every object in a directory of `kubectl get -o json|yaml` files, list items flattened. */
export function loadKubeObjects(dir: string): Json[] {
  const out: Json[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!/\.(json|ya?ml)$/.test(name)) continue;
    for (const doc of YAML.parseAllDocuments(readFileSync(join(dir, name), 'utf8'))) {
      const value = doc.toJS() as Json | null;
      if (!value) continue;
      if (Array.isArray(value.items)) out.push(...(value.items as Json[]));
      else out.push(value);
    }
  }
  return out;
}

/** Namespaces as the API server has them for the namespaces the objects use. */
export function namespacesOf(objects: readonly Json[]): Json[] {
  const names = new Set(
    objects.flatMap((o) => {
      const ns = (o.metadata as { namespace?: string } | undefined)?.namespace;
      return ns ? [ns] : [];
    }),
  );
  return [...names].sort().map((name) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: { 'kubernetes.io/metadata.name': name },
      creationTimestamp: '2025-03-11T17:50:09Z',
    },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  }));
}

interface Route {
  readonly path: string;
  readonly kind: string;
  readonly apiVersion: string;
  /** `resource` or `resource.group`, as RBAC and error messages name it. */
  readonly resource: string;
  readonly group: string;
  /** Custom resources keep apiVersion/kind on list items; built-in lists do not. */
  readonly custom?: boolean;
}

const ROUTES: readonly Route[] = [
  { path: '/api/v1/nodes', kind: 'Node', apiVersion: 'v1', resource: 'nodes', group: '' },
  { path: '/api/v1/pods', kind: 'Pod', apiVersion: 'v1', resource: 'pods', group: '' },
  { path: '/api/v1/services', kind: 'Service', apiVersion: 'v1', resource: 'services', group: '' },
  { path: '/api/v1/endpoints', kind: 'Endpoints', apiVersion: 'v1', resource: 'endpoints', group: '' },
  { path: '/api/v1/namespaces', kind: 'Namespace', apiVersion: 'v1', resource: 'namespaces', group: '' },
  { path: '/api/v1/events', kind: 'Event', apiVersion: 'v1', resource: 'events', group: '' },
  {
    path: '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations',
    kind: 'ValidatingWebhookConfiguration',
    apiVersion: 'admissionregistration.k8s.io/v1',
    resource: 'validatingwebhookconfigurations',
    group: 'admissionregistration.k8s.io',
  },
  {
    path: '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
    kind: 'MutatingWebhookConfiguration',
    apiVersion: 'admissionregistration.k8s.io/v1',
    resource: 'mutatingwebhookconfigurations',
    group: 'admissionregistration.k8s.io',
  },
  {
    path: '/apis/apiregistration.k8s.io/v1/apiservices',
    kind: 'APIService',
    apiVersion: 'apiregistration.k8s.io/v1',
    resource: 'apiservices',
    group: 'apiregistration.k8s.io',
  },
  {
    path: '/apis/discovery.k8s.io/v1/endpointslices',
    kind: 'EndpointSlice',
    apiVersion: 'discovery.k8s.io/v1',
    resource: 'endpointslices',
    group: 'discovery.k8s.io',
  },
  {
    path: '/apis/apps/v1/daemonsets',
    kind: 'DaemonSet',
    apiVersion: 'apps/v1',
    resource: 'daemonsets',
    group: 'apps',
  },
  {
    path: '/apis/networking.k8s.io/v1/networkpolicies',
    kind: 'NetworkPolicy',
    apiVersion: 'networking.k8s.io/v1',
    resource: 'networkpolicies',
    group: 'networking.k8s.io',
  },
  {
    path: '/apis/crd.k8s.amazonaws.com/v1alpha1/eniconfigs',
    kind: 'ENIConfig',
    apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
    resource: 'eniconfigs',
    group: 'crd.k8s.amazonaws.com',
    custom: true,
  },
  {
    path: '/apis/vpcresources.k8s.aws/v1beta1/securitygrouppolicies',
    kind: 'SecurityGroupPolicy',
    apiVersion: 'vpcresources.k8s.aws/v1beta1',
    resource: 'securitygrouppolicies',
    group: 'vpcresources.k8s.aws',
    custom: true,
  },
  {
    path: '/apis/nvidia.com/v1alpha1/dynamographdeployments',
    kind: 'DynamoGraphDeployment',
    apiVersion: 'nvidia.com/v1alpha1',
    resource: 'dynamographdeployments',
    group: 'nvidia.com',
    custom: true,
  },
  ...(
    [
      ['crd.projectcalico.org', 'v1', 'networkpolicies', 'NetworkPolicy'],
      ['crd.projectcalico.org', 'v1', 'globalnetworkpolicies', 'GlobalNetworkPolicy'],
      ['cilium.io', 'v2', 'ciliumnetworkpolicies', 'CiliumNetworkPolicy'],
      ['cilium.io', 'v2', 'ciliumclusterwidenetworkpolicies', 'CiliumClusterwideNetworkPolicy'],
    ] as const
  ).map(([group, version, resource, kind]) => ({
    path: `/apis/${group}/${version}/${resource}`,
    kind,
    apiVersion: `${group}/${version}`,
    resource,
    group,
    custom: true,
  })),
];

export interface FakeKubeOptions {
  readonly objects: readonly Json[];
  /** Most items the server returns per page, whatever `limit` asks (forces `continue`). */
  readonly pageSize?: number;
  /** CRD resources (`eniconfigs`, `securitygrouppolicies`) that are not installed: 404. */
  readonly absentCrds?: readonly string[];
  /** Resources (`networkpolicies`, `pods/log`) this user may not read: 403 with a Status body. */
  readonly forbidden?: readonly string[];
  /** Resources answered with this HTTP status and a Status body (e.g. 401). */
  readonly statusFor?: Readonly<Record<string, number>>;
  /** Log text by `namespace/pod/container` (current) or `…/container/previous`. */
  readonly logs?: Readonly<Record<string, string>>;
  /** Extra routes (e.g. the probe runner's writes), tried first; returns true when it answered. */
  readonly extend?: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean;
  /** Milliseconds before each answer (a distant API server). */
  readonly latencyMs?: number;
  /**
   * Every n-th request is refused with 429 Too Many Requests, as the API server's priority and
   * fairness does, with `Retry-After: retryAfter` (seconds; default "1", omitted when null).
   */
  readonly throttleEvery?: number;
  readonly retryAfter?: string | null;
  /**
   * 'storage': lists in the API server's order, by namespace then name (etcd's keys), which the
   * collector's split of the pods by namespace relies on; 'given' (default): as passed, so that a
   * snapshot keeps the order of the example it was served from.
   */
  readonly order?: 'storage' | 'given';
  /**
   * Serialise every object once at start, so that answering a page costs a join rather than a
   * `JSON.stringify` of its items; with a latency, each answer is made as its request comes in
   * and sent when the latency is up (a bench: the latency is then the server's whole answer time).
   */
  readonly serialiseAhead?: boolean;
  /**
   * Serve HTTPS with this certificate (the kubeconfig names it as the cluster's CA, as EKS's do);
   * the first request of each new connection is answered `handshakeMs` later: the TCP and TLS
   * round trips a distant server costs a new connection, which the per-request latency does not count.
   */
  readonly tls?: { readonly cert: string; readonly key: string; readonly handshakeMs?: number };
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
}

export interface FakeKubeApi {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Requests answered 429 (throttleEvery). */
  readonly throttled: number;
  /** The paths of the requests answered 429, in order. */
  readonly throttledPaths: readonly string[];
  /** The most requests that were being answered at one time. */
  readonly peakInFlight: number;
  /** TLS handshakes, one per connection opened (`tls` only). */
  readonly handshakes: number;
  kubeConfig(): KubeConfig;
  /** A kubeconfig file's text for this server (for the CLI's --kubeconfig). */
  kubeconfigYaml(): string;
  close(): Promise<void>;
}

function status(
  res: ServerResponse,
  code: number,
  reason: string,
  message: string,
  extra: { headers?: Record<string, string>; details?: Json } = {},
): void {
  res.writeHead(code, { 'content-type': 'application/json', ...extra.headers });
  res.end(
    JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      ...(extra.details ? { details: extra.details } : {}),
      code,
    }),
  );
}

function stripKind(object: Json): Json {
  const { apiVersion: _a, kind: _k, ...rest } = object;
  return rest;
}

export async function startFakeKubeApi(options: FakeKubeOptions): Promise<FakeKubeApi> {
  const requests: RecordedRequest[] = [];
  let throttled = 0;
  const throttledPaths: string[] = [];
  let inFlight = 0;
  let peakInFlight = 0;
  const byKind = new Map<string, Json[]>();
  const lists = new Map<string, Json[]>();
  // Storage order, as the API server lists them (etcd keys `…/<namespace>/<name>`, compared as bytes).
  const key = (o: Json): string => {
    const { namespace, name } = (o.metadata ?? {}) as { namespace?: string; name?: string };
    return namespace ? `${namespace}/${name ?? ''}` : (name ?? '');
  };
  const sorted =
    options.order !== 'storage'
      ? options.objects
      : options.objects
          .map((o) => [key(o), o] as const)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([, o]) => o);
  for (const object of sorted) {
    const kind = object.kind as string;
    const list = byKind.get(kind);
    if (list) list.push(object);
    else byKind.set(kind, [object]);
  }
  // Kinds of one name in several groups (Kubernetes' and Calico's NetworkPolicy) are told apart by group.
  const groupOf = (o: Json): string | undefined =>
    typeof o.apiVersion === 'string'
      ? o.apiVersion.includes('/')
        ? o.apiVersion.split('/')[0]
        : ''
      : undefined;
  // Each item's JSON as a list holds it: without apiVersion and kind, but in a custom resource's list.
  // Kept only when serialised ahead (a test may change an object between two lists).
  const itemJson = [new Map<Json, string>(), new Map<Json, string>()] as const;
  const jsonOf = (item: Json, custom: boolean): string => {
    const cache = itemJson[custom ? 1 : 0];
    let text = cache.get(item);
    if (text === undefined) {
      text = JSON.stringify(custom ? item : stripKind(item));
      if (options.serialiseAhead) cache.set(item, text);
    }
    return text;
  };
  if (options.serialiseAhead)
    for (const object of sorted) {
      const route = ROUTES.find((r) => r.kind === object.kind && r.group === groupOf(object));
      if (route) jsonOf(object, 'custom' in route && route.custom === true);
    }
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    requests.push({ method: req.method ?? 'GET', path: url.pathname, query });
    if (options.throttleEvery && requests.length % options.throttleEvery === 0) {
      throttled++;
      throttledPaths.push(url.pathname);
      const retryAfter = options.retryAfter === undefined ? '1' : options.retryAfter;
      status(res, 429, 'TooManyRequests', 'Too many requests, please try again later.', {
        ...(retryAfter === null ? {} : { headers: { 'retry-after': retryAfter } }),
        details: { retryAfterSeconds: Number(retryAfter ?? 0) },
      });
      return;
    }
    if (options.extend?.(req, res, url)) return;
    const namespaced = /^\/api\/v1\/namespaces\/([^/]+)\/(configmaps|pods)$/.exec(url.pathname);
    const namespace = namespaced?.[1];
    const rbac = (resource: string, group: string, verb: string): boolean => {
      const name = group ? `${resource}.${group}` : resource;
      if (options.forbidden?.includes(resource)) {
        status(
          res,
          403,
          'Forbidden',
          `${name} is forbidden: User "viewer" cannot ${verb} resource "${resource}" in API group "${group}" ${namespace ? `in the namespace "${namespace}"` : 'at the cluster scope'}`,
        );
        return false;
      }
      const code = options.statusFor?.[resource];
      if (code) {
        status(res, code, code === 401 ? 'Unauthorized' : 'Error', code === 401 ? 'Unauthorized' : 'error');
        return false;
      }
      return true;
    };
    const log = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(url.pathname);
    if (log) {
      if (!rbac('pods/log', '', 'get')) return;
      const key = `${log[1]}/${log[2]}/${query.container}${query.previous === 'true' ? '/previous' : ''}`;
      const text = options.logs?.[key];
      if (text === undefined) {
        status(
          res,
          400,
          'BadRequest',
          `previous terminated container "${query.container}" in pod "${log[2]}" not found`,
        );
        return;
      }
      const tail = Number(query.tailLines ?? 0);
      const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end((tail > 0 ? lines.slice(-tail) : lines).map((l) => `${l}\n`).join(''));
      return;
    }
    const route = namespaced
      ? namespaced[2] === 'pods'
        ? { ...ROUTES.find((r) => r.path === '/api/v1/pods')!, path: url.pathname }
        : { path: url.pathname, kind: 'ConfigMap', apiVersion: 'v1', resource: 'configmaps', group: '' }
      : ROUTES.find((r) => r.path === url.pathname);
    if (!route || ('custom' in route && route.custom && options.absentCrds?.includes(route.resource))) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('404 page not found\n');
      return;
    }
    if (!rbac(route.resource, route.group, 'list')) return;
    // Filtered once per list (a bench serves 200,000 pods, page after page).
    const listKey = `${route.kind}\u0000${route.group}\u0000${namespace ?? ''}`;
    let all = lists.get(listKey);
    if (!all) {
      all = (byKind.get(route.kind) ?? []).filter(
        (o) =>
          (groupOf(o) === undefined || groupOf(o) === route.group) &&
          (namespace === undefined || (o.metadata as { namespace?: string }).namespace === namespace),
      );
      lists.set(listKey, all);
    }
    const limit = Math.min(Number(query.limit ?? all.length) || all.length, options.pageSize ?? Infinity);
    const start = query.continue ? Number(Buffer.from(query.continue, 'base64url').toString()) : 0;
    const page = all.slice(start, start + limit);
    const next =
      start + limit < all.length ? Buffer.from(String(start + limit)).toString('base64url') : undefined;
    res.writeHead(200, { 'content-type': 'application/json' });
    const custom = 'custom' in route && route.custom === true;
    // JSON.stringify of { apiVersion, kind, metadata, items } written out, the items' JSON kept.
    const head = JSON.stringify({
      apiVersion: route.apiVersion,
      kind: `${route.kind}List`,
      // As the API server does (a list without selectors): how many items follow this page.
      metadata: {
        resourceVersion: '4190000',
        ...(next ? { continue: next, remainingItemCount: all.length - start - page.length } : {}),
      },
    });
    res.end(`${head.slice(0, -1)},"items":[${page.map((item) => jsonOf(item, custom)).join(',')}]}`);
  };
  const tls = options.tls;
  // A connection's first request comes after its handshake: the round trips a distant server costs.
  const connected = new WeakSet<object>();
  const answer = (req: IncomingMessage, res: ServerResponse): void => {
    inFlight++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    res.on('close', () => inFlight--);
    const fresh = tls?.handshakeMs && !connected.has(req.socket) ? tls.handshakeMs : 0;
    connected.add(req.socket);
    const wait = (options.latencyMs ?? 0) + fresh;
    if (wait && options.serialiseAhead) {
      // The answer is made as the request comes in and sent, ready, when its time is up: the
      // latency is then the whole answer time, the fake's own work hidden in it.
      let head: [number, Record<string, string> | undefined] = [500, undefined];
      let body: Buffer = Buffer.alloc(0);
      handle(req, {
        writeHead: (code: number, headers?: Record<string, string>) => (head = [code, headers]),
        end: (text: string) => (body = Buffer.from(text)),
      } as unknown as ServerResponse);
      setTimeout(() => {
        res.writeHead(...head);
        res.end(body);
      }, wait);
    } else if (wait) setTimeout(() => handle(req, res), wait);
    else handle(req, res);
  };
  const server = tls ? createTlsServer({ cert: tls.cert, key: tls.key }, answer) : createServer(answer);
  let handshakes = 0;
  if (tls) server.on('secureConnection', () => handshakes++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'fake',
        cluster: tls
          ? { server: url, 'certificate-authority-data': Buffer.from(tls.cert).toString('base64') }
          : // client-node refuses plain http unless TLS verification is (pointlessly) switched off.
            { server: url, 'insecure-skip-tls-verify': true },
      },
    ],
    users: [{ name: 'viewer', user: { token: 'not-a-real-token' } }],
    contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'viewer' } }],
    'current-context': 'fake',
  };
  return {
    url,
    requests,
    get throttled() {
      return throttled;
    },
    throttledPaths,
    get peakInFlight() {
      return peakInFlight;
    },
    get handshakes() {
      return handshakes;
    },
    kubeConfig: () => {
      const kc = new KubeConfig();
      kc.loadFromString(YAML.stringify(config));
      return kc;
    },
    kubeconfigYaml: () => YAML.stringify(config),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
