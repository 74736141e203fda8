/**
 * Kubernetes edge of `snapshot`: lists what the analysis reads through client-node, page by page,
 * and returns `kubectl get -o json`-shaped List documents with secrets redacted. Read-only: every
 * call here is a `list` or a `get`, and docs/rbac.yaml grants exactly these (a test keeps them equal).
 */
import {
  AdmissionregistrationV1Api,
  ApiregistrationV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  KubeConfig,
  NetworkingV1Api,
  Observable,
  ResponseContext,
  type ConfigurationOptions,
  type ObservableMiddleware,
} from '@kubernetes/client-node';
import type { KubernetesKind } from '../../snapshot/schemas.ts';
import { CollectError, kubeFailure, kubeStatus } from '../errors.ts';
import { plainJson } from './json.ts';
import { reuseConnections } from './kube-connections.ts';
import { fromWire } from './kube-wire.ts';
import { redactObject, redactText } from './redact.ts';
import { spoolList } from './spool.ts';
import {
  DEFAULT_KUBE_RETRY,
  meterText,
  mapInTurns,
  newMeter,
  newSlots,
  retryAfterMs,
  withRetry,
  type CallMeter,
  type RetryPolicy,
  type Throttle,
} from './pace.ts';
import type { CollectedDocument, Progress } from './types.ts';

export interface KubeSource {
  readonly kubeconfig?: string;
  readonly context?: string;
}

/** Loads --kubeconfig (else KUBECONFIG, ~/.kube/config, in-cluster) and selects --context. */
export function loadKubeConfig(source: KubeSource): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (source.kubeconfig) kc.loadFromFile(source.kubeconfig);
    else kc.loadFromDefault();
  } catch (err) {
    const what = source.kubeconfig ? `--kubeconfig ${source.kubeconfig}` : 'the default kubeconfig';
    throw new CollectError('config', `cannot read ${what}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (source.context) {
    if (!kc.getContextObject(source.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new CollectError(
        'config',
        `--context ${source.context} is not in the kubeconfig (contexts: ${known.join(', ') || 'none'})`,
      );
    }
    kc.setCurrentContext(source.context);
  }
  const cluster = kc.getCurrentCluster();
  // client-node falls back to an unauthenticated localhost:8080 when it finds no configuration at all.
  const fallback =
    cluster?.name === 'cluster' && cluster.server === 'http://localhost:8080' && !source.kubeconfig;
  if (!cluster || fallback) {
    throw new CollectError(
      'config',
      'no Kubernetes cluster configured: pass --kubeconfig (and --context), set KUBECONFIG, or run ' +
        '`aws eks update-kubeconfig --name <cluster> --region <region>`',
    );
  }
  return reuseConnections(kc);
}

interface Apis {
  readonly admission: AdmissionregistrationV1Api;
  readonly apiRegistration: ApiregistrationV1Api;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly discovery: DiscoveryV1Api;
  readonly networking: NetworkingV1Api;
  readonly custom: CustomObjectsApi;
}

interface Page {
  readonly limit: number;
  readonly _continue?: string;
}
interface ListResult {
  readonly items: unknown[];
  readonly metadata?: { _continue?: string; continue?: string; remainingItemCount?: number };
}

/** Policy kinds of other engines, named apart from Kubernetes' own (Calico's is also `NetworkPolicy`). */
type EngineKind =
  | 'CalicoNetworkPolicy'
  | 'CalicoGlobalNetworkPolicy'
  | 'CiliumNetworkPolicy'
  | 'CiliumClusterwideNetworkPolicy';

/** One kind the snapshot lists, with the RBAC rule that permits it. */
interface ListSpec {
  readonly kind: KubernetesKind | EngineKind;
  /** The `kind` written on each item, when it is not `kind` (Calico's `NetworkPolicy`). */
  readonly wireKind?: string;
  readonly apiVersion: string;
  readonly file: string;
  /** RBAC API group ('' = core) and resource. */
  readonly group: string;
  readonly resource: string;
  /** client-node model of one item; absent for custom objects (plain JSON already). */
  readonly model?: string;
  /** A CRD that may not be installed: 404 means "none", not an error. */
  readonly crd?: boolean;
  /** With `options`, client-node's per-call options (rawList passes them; custom objects need none). */
  readonly list: (apis: Apis, page: Page, options?: ConfigurationOptions) => Promise<unknown>;
  /**
   * The same list in one namespace. A list this long (the pods) is read as one list per namespace,
   * side by side, once its first page shows it spans more than one page (see readSplit).
   */
  readonly listIn?: (
    apis: Apis,
    namespace: string,
    page: Page,
    options?: ConfigurationOptions,
  ) => Promise<unknown>;
}

const LISTS: readonly ListSpec[] = [
  {
    kind: 'Node',
    apiVersion: 'v1',
    file: 'k8s/nodes.json',
    group: '',
    resource: 'nodes',
    model: 'V1Node',
    list: (a, p, o) => a.core.listNode(p, o),
  },
  {
    kind: 'Pod',
    apiVersion: 'v1',
    file: 'k8s/pods.json',
    group: '',
    resource: 'pods',
    model: 'V1Pod',
    list: (a, p, o) => a.core.listPodForAllNamespaces(p, o),
    listIn: (a, namespace, p, o) => a.core.listNamespacedPod({ namespace, ...p }, o),
  },
  {
    kind: 'Service',
    apiVersion: 'v1',
    file: 'k8s/services.json',
    group: '',
    resource: 'services',
    model: 'V1Service',
    list: (a, p, o) => a.core.listServiceForAllNamespaces(p, o),
  },
  {
    kind: 'EndpointSlice',
    apiVersion: 'discovery.k8s.io/v1',
    file: 'k8s/endpointslices.json',
    group: 'discovery.k8s.io',
    resource: 'endpointslices',
    model: 'V1EndpointSlice',
    list: (a, p, o) => a.discovery.listEndpointSliceForAllNamespaces(p, o),
  },
  {
    kind: 'Endpoints',
    apiVersion: 'v1',
    file: 'k8s/endpoints.json',
    group: '',
    resource: 'endpoints',
    model: 'V1Endpoints',
    list: (a, p, o) => a.core.listEndpointsForAllNamespaces(p, o),
  },
  // Every DaemonSet, not only aws-node: the NetworkPolicy engine (calico-node, cilium) can only be
  // ruled out from a full list. Their pod templates are redacted like pods.
  {
    kind: 'DaemonSet',
    apiVersion: 'apps/v1',
    file: 'k8s/daemonsets.json',
    group: 'apps',
    resource: 'daemonsets',
    model: 'V1DaemonSet',
    list: (a, p, o) => a.apps.listDaemonSetForAllNamespaces(p, o),
  },
  {
    kind: 'ENIConfig',
    apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
    file: 'k8s/eniconfigs.json',
    group: 'crd.k8s.amazonaws.com',
    resource: 'eniconfigs',
    crd: true,
    list: (a, p) =>
      a.custom.listClusterCustomObject({
        group: 'crd.k8s.amazonaws.com',
        version: 'v1alpha1',
        plural: 'eniconfigs',
        ...p,
      }) as Promise<ListResult>,
  },
  {
    kind: 'SecurityGroupPolicy',
    apiVersion: 'vpcresources.k8s.aws/v1beta1',
    file: 'k8s/securitygrouppolicies.json',
    group: 'vpcresources.k8s.aws',
    resource: 'securitygrouppolicies',
    crd: true,
    list: (a, p) =>
      a.custom.listCustomObjectForAllNamespaces({
        group: 'vpcresources.k8s.aws',
        version: 'v1beta1',
        resourcePlural: 'securitygrouppolicies',
        ...p,
      }) as Promise<ListResult>,
  },
  // The Dynamo graphs as declared: their env and placement decide the planes and where the
  // frontend and workers run before (or besides) the pods that exist.
  {
    kind: 'DynamoGraphDeployment',
    apiVersion: 'nvidia.com/v1alpha1',
    file: 'k8s/dynamographdeployments.json',
    group: 'nvidia.com',
    resource: 'dynamographdeployments',
    crd: true,
    list: (a, p) =>
      a.custom.listCustomObjectForAllNamespaces({
        group: 'nvidia.com',
        version: 'v1alpha1',
        resourcePlural: 'dynamographdeployments',
        ...p,
      }) as Promise<ListResult>,
  },
  {
    kind: 'NetworkPolicy',
    apiVersion: 'networking.k8s.io/v1',
    file: 'k8s/networkpolicies.json',
    group: 'networking.k8s.io',
    resource: 'networkpolicies',
    model: 'V1NetworkPolicy',
    list: (a, p, o) => a.networking.listNetworkPolicyForAllNamespaces(p, o),
  },
  // Calico's and Cilium's own policies, where their CRDs are installed. Calico's are read from the
  // CRDs its Kubernetes datastore keeps them in (crd.projectcalico.org/v1, present with or without
  // the Calico API server); their spec is projectcalico.org/v3's.
  {
    kind: 'CalicoNetworkPolicy',
    wireKind: 'NetworkPolicy',
    apiVersion: 'crd.projectcalico.org/v1',
    file: 'k8s/calico-networkpolicies.json',
    group: 'crd.projectcalico.org',
    resource: 'networkpolicies',
    crd: true,
    list: (a, p) =>
      a.custom.listCustomObjectForAllNamespaces({
        group: 'crd.projectcalico.org',
        version: 'v1',
        resourcePlural: 'networkpolicies',
        ...p,
      }) as Promise<ListResult>,
  },
  {
    kind: 'CalicoGlobalNetworkPolicy',
    wireKind: 'GlobalNetworkPolicy',
    apiVersion: 'crd.projectcalico.org/v1',
    file: 'k8s/calico-globalnetworkpolicies.json',
    group: 'crd.projectcalico.org',
    resource: 'globalnetworkpolicies',
    crd: true,
    list: (a, p) =>
      a.custom.listClusterCustomObject({
        group: 'crd.projectcalico.org',
        version: 'v1',
        plural: 'globalnetworkpolicies',
        ...p,
      }) as Promise<ListResult>,
  },
  {
    kind: 'CiliumNetworkPolicy',
    apiVersion: 'cilium.io/v2',
    file: 'k8s/ciliumnetworkpolicies.json',
    group: 'cilium.io',
    resource: 'ciliumnetworkpolicies',
    crd: true,
    list: (a, p) =>
      a.custom.listCustomObjectForAllNamespaces({
        group: 'cilium.io',
        version: 'v2',
        resourcePlural: 'ciliumnetworkpolicies',
        ...p,
      }) as Promise<ListResult>,
  },
  {
    kind: 'CiliumClusterwideNetworkPolicy',
    apiVersion: 'cilium.io/v2',
    file: 'k8s/ciliumclusterwidenetworkpolicies.json',
    group: 'cilium.io',
    resource: 'ciliumclusterwidenetworkpolicies',
    crd: true,
    list: (a, p) =>
      a.custom.listClusterCustomObject({
        group: 'cilium.io',
        version: 'v2',
        plural: 'ciliumclusterwidenetworkpolicies',
        ...p,
      }) as Promise<ListResult>,
  },
  // Whom the API server calls from the EKS control plane: admission webhooks and aggregated APIs
  // (the Dynamo operator's webhooks, prometheus-adapter's custom metrics API).
  {
    kind: 'ValidatingWebhookConfiguration',
    apiVersion: 'admissionregistration.k8s.io/v1',
    file: 'k8s/validatingwebhookconfigurations.json',
    group: 'admissionregistration.k8s.io',
    resource: 'validatingwebhookconfigurations',
    model: 'V1ValidatingWebhookConfiguration',
    list: (a, p, o) => a.admission.listValidatingWebhookConfiguration(p, o),
  },
  {
    kind: 'MutatingWebhookConfiguration',
    apiVersion: 'admissionregistration.k8s.io/v1',
    file: 'k8s/mutatingwebhookconfigurations.json',
    group: 'admissionregistration.k8s.io',
    resource: 'mutatingwebhookconfigurations',
    model: 'V1MutatingWebhookConfiguration',
    list: (a, p, o) => a.admission.listMutatingWebhookConfiguration(p, o),
  },
  {
    kind: 'APIService',
    apiVersion: 'apiregistration.k8s.io/v1',
    file: 'k8s/apiservices.json',
    group: 'apiregistration.k8s.io',
    resource: 'apiservices',
    model: 'V1APIService',
    list: (a, p, o) => a.apiRegistration.listAPIService(p, o),
  },
  {
    kind: 'Namespace',
    apiVersion: 'v1',
    file: 'k8s/namespaces.json',
    group: '',
    resource: 'namespaces',
    model: 'V1Namespace',
    list: (a, p, o) => a.core.listNamespace(p, o),
  },
  {
    kind: 'Event',
    apiVersion: 'v1',
    file: 'k8s/events.json',
    group: '',
    resource: 'events',
    model: 'CoreV1Event',
    list: (a, p, o) => a.core.listEventForAllNamespaces(p, o),
  },
];

/** The RBAC a `snapshot` run needs, derived from what it calls (docs/rbac.yaml must match). */
export function kubernetesPermissions(): {
  group: string;
  resource: string;
  verb: string;
  logsOnly?: true;
}[] {
  return [
    ...LISTS.map((s) => ({ group: s.group, resource: s.resource, verb: 'list' })),
    { group: '', resource: 'pods/log', verb: 'get', logsOnly: true },
  ];
}

const rbacName = (spec: { group: string; resource: string }): string =>
  spec.group ? `${spec.resource}.${spec.group}` : spec.resource;

export interface KubeCollectOptions {
  readonly progress: Progress;
  /** Capture the last lines of Dynamo / NATS / Prometheus / validator pods. */
  readonly logs?: boolean;
  readonly tailLines?: number;
  /** Items per list call (the API server's `limit`); pages are followed with `continue`. */
  readonly pageSize?: number;
  /**
   * Calls in flight at once, across all lists (each list's pages follow one another: a `continue`
   * token needs the page before; the pods are read as one list per namespace, side by side).
   */
  readonly concurrency?: number;
  /** Retries on 429 (tests shorten the waits). */
  readonly retry?: RetryPolicy;
  /** Read the pods as one list (no split by namespace), e.g. to compare the two. */
  readonly unsplit?: boolean;
  /**
   * A directory to write the lists to page by page (`snapshot`): their documents are then
   * `spooled` files, and only the kinds the collection reads again (KEPT) stay in memory.
   */
  readonly spool?: string;
}

/** Kinds kept in memory even when spooled: the AWS side and the warnings read them, the split needs the namespaces. */
const KEPT: ReadonlySet<string> = new Set([
  'Namespace',
  'Node',
  'ENIConfig',
  'SecurityGroupPolicy',
  'DaemonSet',
]);

export interface KubeCollection {
  readonly documents: CollectedDocument[];
  /** Wire-form items by kind, for scoping the AWS calls. */
  readonly items: Partial<Record<KubernetesKind | EngineKind, Record<string, unknown>[]>>;
  /** Kinds whose CRD is not installed. */
  readonly absent: string[];
  /** Facts the user should know about the capture (reported on stderr and in the manifest). */
  readonly warnings: string[];
  readonly server: string;
  /** Calls sent (429 retries included) and pages read. */
  readonly meter: CallMeter;
}

/** Calls in flight at once by default: the API server's priority and fairness admits a few per user. */
export const DEFAULT_KUBE_CONCURRENCY = 4;

/** A collection under way: each kind's items as soon as its list is complete, and the whole. */
export interface KubeCollecting {
  /** The wire items of one kind ([] for a CRD not installed); rejects when the collection fails. */
  listed(kind: KubernetesKind | EngineKind): Promise<Record<string, unknown>[]>;
  readonly done: Promise<KubeCollection>;
}

export async function collectKubernetes(
  kc: KubeConfig,
  options: KubeCollectOptions,
): Promise<KubeCollection> {
  return startKubernetes(kc, options).done;
}

/**
 * Which list's next call goes first when calls wait for a slot: the namespaces (the pods' split
 * needs them), then what the AWS side waits for (nodes, ENIConfigs, SecurityGroupPolicies), then
 * the lists that cannot be split, and the pods last: split into many lists, they fill every slot
 * the others leave free, so the longest chain that cannot be split starts first.
 */
const FIRST: readonly string[] = ['Namespace', 'Node', 'ENIConfig', 'SecurityGroupPolicy'];
function rankOf(spec: ListSpec, index: number): number {
  const first = FIRST.indexOf(spec.kind);
  if (first >= 0) return first;
  return spec.listIn ? LISTS.length + FIRST.length + index : FIRST.length + index;
}

/**
 * Starts every list at once (at most `concurrency` calls in flight), so the AWS side can begin as
 * soon as the nodes, ENIConfigs and SecurityGroupPolicies are in while the pods still page in.
 */
export function startKubernetes(kc: KubeConfig, options: KubeCollectOptions): KubeCollecting {
  const server = kc.getCurrentCluster()?.server ?? '(unknown server)';
  const apis: Apis = {
    admission: kc.makeApiClient(AdmissionregistrationV1Api),
    apiRegistration: kc.makeApiClient(ApiregistrationV1Api),
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    discovery: kc.makeApiClient(DiscoveryV1Api),
    networking: kc.makeApiClient(NetworkingV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
  };
  const pageSize = options.pageSize ?? 500;
  const retry = options.retry ?? DEFAULT_KUBE_RETRY;
  const slots = newSlots(options.concurrency ?? DEFAULT_KUBE_CONCURRENCY);
  const meter = newMeter();
  const waiting = new Map(
    LISTS.map((spec) => {
      let resolve!: (items: Record<string, unknown>[]) => void;
      let reject!: (err: unknown) => void;
      const promise = new Promise<Record<string, unknown>[]>((yes, no) => {
        resolve = yes;
        reject = no;
      });
      // Nobody may ask for a kind; its failure still reaches the caller through `done`.
      promise.catch(() => undefined);
      return [spec.kind, { promise, resolve, reject }] as const;
    }),
  );
  const namespaces = async (): Promise<string[]> =>
    (await waiting.get('Namespace')!.promise).flatMap((ns) => {
      const name = (ns.metadata as { name?: string } | undefined)?.name;
      return name ? [name] : [];
    });
  const listOne = async (spec: ListSpec, rank: number): Promise<ListOutcome> => {
    const own = newMeter();
    // Each page becomes wire form while the next one is on its way.
    const model = spec.model;
    const toWireItem = (item: unknown): Record<string, unknown> =>
      redactObject({
        apiVersion: spec.apiVersion,
        kind: spec.wireKind ?? spec.kind,
        ...((model ? fromWire(item, model) : plainJson(item)) as Record<string, unknown>),
      });
    const pages =
      (list: (page: Page, options?: ConfigurationOptions) => Promise<unknown>): PageFetch =>
      (token, remaining) => {
        const request = { limit: pageSize, ...(token ? { _continue: token } : {}) };
        const call = (): Promise<ListResult | RawAnswer> =>
          model ? rawList((options) => list(request, options)) : (list(request) as Promise<ListResult>);
        // Within a list's rank, the chain with the most items left goes first (a namespace's
        // pods): the longest chains then end together, not one alone after the rest.
        const within = remaining === undefined ? 0 : 0.5 / (1 + remaining);
        return withRetry(() => slots.run(rank + within, call), kubeThrottle, retry, own).then((answer) =>
          answer instanceof RawAnswer ? (JSON.parse(answer.text) as ListResult) : answer,
        );
      };
    const whole = pages((page, o) => spec.list(apis, page, o));
    const spooled = options.spool ? spoolList(options.spool, spec.file.replaceAll('/', '-')) : undefined;
    // With --logs only the pods whose logs are read stay in memory (spooled or not, that is all
    // collectLogs reads of them).
    const keep: ((item: Record<string, unknown>) => boolean) | undefined =
      !spooled || KEPT.has(spec.kind)
        ? () => true
        : spec.kind === 'Pod' && options.logs
          ? (pod) => wantsLogs(pod as WirePod)
          : undefined;
    const kept: Record<string, unknown>[][] = [];
    // One sink per list of pages, in the order of the file (the pods' namespaces in storage order).
    const sink = (): Sink<Record<string, unknown>> => {
      const part = spooled?.part();
      const mine: Record<string, unknown>[] = [];
      kept.push(mine);
      return async (items) => {
        if (keep) for (const item of items) if (keep(item)) mine.push(item);
        await part?.add(items);
      };
    };
    let wire: Record<string, unknown>[];
    let count: number;
    let file: string | undefined;
    try {
      const listIn = options.unsplit ? undefined : spec.listIn;
      if (listIn)
        await readSplit(
          whole,
          (ns) => pages((page, o) => listIn(apis, ns, page, o)),
          namespaces,
          own,
          toWireItem,
          sink,
          options.concurrency ?? DEFAULT_KUBE_CONCURRENCY,
        );
      else await readChain(whole, own, toWireItem, sink());
      wire = kept.flat();
      if (spooled) ({ file, count } = await spooled.finish());
      else count = wire.length;
    } catch (err) {
      addMeter(meter, own);
      if (spec.crd && kubeStatus(err) === 404) {
        options.progress(`${spec.resource}: CRD not installed`);
        return { spec, count: 0, absent: `${spec.kind} (CRD ${spec.resource}.${spec.group} not installed)` };
      }
      throw kubeFailure(err, { verb: 'list', resource: rbacName(spec), server });
    }
    addMeter(meter, own);
    options.progress(`${spec.resource}: ${count} (${meterText(own)})`);
    return { spec, wire, count, ...(file !== undefined ? { file } : {}) };
  };
  const done = (async (): Promise<KubeCollection> => {
    // The first failure ends the run: no new calls start, the ones in flight finish.
    let failure: { readonly err: unknown } | undefined;
    const settled = await Promise.allSettled(
      LISTS.map(async (spec, index) => {
        try {
          const outcome = await listOne(spec, rankOf(spec, index));
          waiting.get(spec.kind)?.resolve(outcome.wire ?? []);
          return outcome;
        } catch (err) {
          failure ??= { err };
          slots.close(failure.err);
          for (const { reject } of waiting.values()) reject(failure.err);
          throw err;
        }
      }),
    );
    if (failure) throw failure.err;
    const outcomes = settled.map((s) => (s as PromiseFulfilledResult<ListOutcome>).value);
    const documents: CollectedDocument[] = [];
    const items: KubeCollection['items'] = {};
    const absent: string[] = [];
    for (const { spec, wire, count, file, absent: missing } of outcomes) {
      if (missing !== undefined || !wire) {
        if (missing) absent.push(missing);
        continue;
      }
      items[spec.kind] = wire;
      documents.push({
        path: spec.file,
        kind: spec.kind,
        count,
        ...(file !== undefined
          ? { spooled: file }
          : { document: { apiVersion: 'v1', kind: 'List', items: wire } }),
      });
    }
    const warnings: string[] = [];
    if (!items.DaemonSet?.some((d) => isAwsNode(d))) {
      warnings.push('no aws-node DaemonSet in kube-system: the analysis will assume VPC CNI defaults');
    }
    if (options.logs) {
      const logs = await collectLogs(apis.core, items.Pod ?? [], options.tailLines ?? 200, server);
      documents.push({
        path: 'logs/pod-logs.json',
        kind: 'PodLogs',
        count: logs.length,
        document: { apiVersion: 'dynamo-netcheck/v1', kind: 'PodLogs', items: logs },
      });
      options.progress(`container logs: ${logs.length}`);
    }
    options.progress(`Kubernetes: ${meter.pages} pages (${meterText(meter)})`);
    return { documents, items, absent, warnings, server, meter };
  })();
  return {
    listed: (kind) => waiting.get(kind)?.promise ?? Promise.resolve([]),
    done,
  };
}

interface ListOutcome {
  readonly spec: ListSpec;
  /** The items kept in memory: all of them, unless spooled (then see KEPT). */
  readonly wire?: Record<string, unknown>[];
  readonly count: number;
  /** The spooled list's file. */
  readonly file?: string;
  readonly absent?: string;
}

function addMeter(into: CallMeter, from: CallMeter): void {
  into.calls += from.calls;
  into.pages += from.pages;
  into.retried += from.retried;
}

function isAwsNode(daemonSet: Record<string, unknown>): boolean {
  const metadata = daemonSet.metadata as { name?: string; namespace?: string } | undefined;
  return metadata?.name === 'aws-node' && metadata.namespace === 'kube-system';
}

/** 429 Too Many Requests: the API server's priority and fairness asks the client to come back later. */
export function kubeThrottle(err: unknown): Throttle | undefined {
  if (kubeStatus(err) !== 429) return undefined;
  const headers = (err as { headers?: Record<string, string> }).headers ?? {};
  const header = Object.entries(headers).find(([name]) => name.toLowerCase() === 'retry-after')?.[1];
  const wait = retryAfterMs(header);
  return wait === undefined ? {} : { retryAfterMs: wait };
}

const EMPTY_LIST = '{"items":[]}';

/**
 * One list call through client-node with its answer kept as the text the API server sent: a
 * middleware of this call alone reads the body, and hands client-node an empty list to turn into
 * its model. The caller parses the text once the call's slot is free (the next call need not wait
 * for it); the items then go to wire form in one walk (fromWire) instead of two (client-node's
 * models, then back). Failures (non-2xx) pass through untouched, as client-node's errors.
 */
async function rawList(call: (options: ConfigurationOptions) => Promise<unknown>): Promise<RawAnswer> {
  let raw: RawAnswer | undefined;
  const keep: ObservableMiddleware = {
    pre: (context) => new Observable(Promise.resolve(context)),
    post: (response) =>
      new Observable(
        (async () => {
          if (response.httpStatusCode < 200 || response.httpStatusCode > 299) return response;
          raw = new RawAnswer(await response.body.text());
          return new ResponseContext(response.httpStatusCode, response.headers, {
            text: () => Promise.resolve(EMPTY_LIST),
            binary: () => Promise.resolve(Buffer.from(EMPTY_LIST)),
            stream: () => null,
          });
        })(),
      ),
  };
  await call({ middleware: [keep], middlewareMergeStrategy: 'append' });
  if (!raw) throw new Error('the list answer was not kept (client-node skipped the middleware)');
  return raw;
}

/** A list answer's body as the API server sent it, not parsed yet (a class: a list's own fields cannot pass for it). */
class RawAnswer {
  constructor(readonly text: string) {}
}

/**
 * One page of a list: the first without a token, the next with the token the one before gave,
 * and the items it said remain (`remainingItemCount`), when it did.
 */
type PageFetch = (token: string | undefined, remaining?: number) => Promise<ListResult>;

const continueOf = (page: ListResult): string | undefined =>
  page.metadata?._continue ?? page.metadata?.continue;

/** Where a list's converted pages go, one page at a time, in order. */
type Sink<T> = (items: T[]) => Promise<void>;

/** The pages of one list, one after another, from `token` (undefined: the first page), into `sink`. */
async function readChain<T>(
  fetch: PageFetch,
  meter: CallMeter,
  convert: (item: unknown) => T,
  sink: Sink<T>,
  token?: string,
): Promise<void> {
  let pending: Promise<ListResult> | undefined = fetch(token);
  while (pending) {
    const page: ListResult = await pending;
    meter.pages++;
    const next = continueOf(page);
    // The next page is requested before this one is converted: the conversion overlaps its round trip.
    pending = next ? fetch(next, page.metadata?.remainingItemCount) : undefined;
    // A failure of the page in flight must not go unhandled while this one converts.
    pending?.catch(() => undefined);
    await sink(await convertInTurns(page.items ?? [], convert));
  }
}

/** Items converted per turn of the event loop (about a millisecond's work for pods). */
const ITEMS_PER_TURN = 50;

/**
 * `items.map(convert)` in turns (mapInTurns): the answers of the other calls in flight are read
 * (and their next calls sent) between turns instead of after a whole page (about 20 ms for 500
 * pods), which kept up to three other calls' slots waiting behind it.
 */
const convertInTurns = <T>(items: readonly unknown[], convert: (item: unknown) => T): Promise<T[]> =>
  mapInTurns(items, ITEMS_PER_TURN, convert);

const metadataOf = (item: unknown) =>
  (item as { metadata?: { namespace?: string; name?: string } } | undefined)?.metadata;

/**
 * Where the API server keeps a namespaced object (etcd key `…/<namespace>/<name>`), and so the order
 * a list across all namespaces returns them in: by namespace, then name, compared as bytes — a
 * namespace `team` comes after `team-0`, since `-` sorts before `/`.
 */
export const storageKey = (namespace: string, name = ''): string => `${namespace}/${name}`;

/**
 * A long namespaced list read as one list per namespace, side by side: the first page of the
 * list across all namespaces decides. With no `continue` it is the whole list (one call, as
 * before), and with many namespaces for its pages (the split would take longer) it is followed as
 * one list. Otherwise every namespace is listed on its own, its pages one after another, all of
 * them sharing the calls in flight, and the first page is dropped (one call spent, nothing
 * assumed about what it held). The namespaces go in storage order, the API server's order for
 * the list across all namespaces, so the file is the same as the one long list would give. A
 * first page that is not in storage order (not an API server's) is followed to the end as one
 * list instead: split, its order would change. One namespace bigger than the rest still pages
 * alone: the longest namespace bounds the time. A namespace created after the namespaces were
 * listed is missed, as an object created after a list's first page is.
 */
async function readSplit<T>(
  whole: PageFetch,
  inNamespace: (namespace: string) => PageFetch,
  namespaces: () => Promise<string[]>,
  meter: CallMeter,
  convert: (item: unknown) => T,
  sink: () => Sink<T>,
  concurrency: number,
): Promise<void> {
  const first = await whole(undefined);
  meter.pages++;
  const token = continueOf(first);
  const items = first.items ?? [];
  const keys = items.map((item) => storageKey(metadataOf(item)?.namespace ?? '', metadataOf(item)?.name));
  const ordered = keys.every((key, i) => i === 0 || keys[i - 1]! < key);
  const all = token && ordered ? [...new Set(await namespaces())] : [];
  // Pages of the one list (the API server counts what remains; without its count, one more page),
  // against the calls of the split: every namespace at least one, `concurrency` at once. Many
  // small namespaces are read faster as the one list.
  const remaining = first.metadata?.remainingItemCount ?? items.length;
  const pages = 1 + Math.ceil(remaining / Math.max(1, items.length));
  if (!token || !ordered || (pages + all.length) / concurrency + 1 >= pages) {
    const one = sink();
    await one(await convertInTurns(items, convert));
    if (token) await readChain(whole, meter, convert, one, token);
    return;
  }
  all.sort((a, b) => (storageKey(a) < storageKey(b) ? -1 : 1));
  // The sinks are made in storage order, before any list starts: the file's order.
  const sinks = all.map(() => sink());
  await Promise.all(all.map((ns, i) => readChain(inNamespace(ns), meter, convert, sinks[i]!)));
}

// ─── --logs ─────────────────────────────────────────────────────────────────────────────────────

export interface LogTarget {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly previous: boolean;
}

interface WirePod {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  spec?: { containers?: { name: string }[] };
  status?: {
    containerStatuses?: { name: string; restartCount?: number; state?: Record<string, unknown> }[];
  };
}

/** Pods whose logs `diagnose` reads: Dynamo components, NATS, Prometheus, validators/conformance. */
export function wantsLogs(pod: WirePod): boolean {
  const name = pod.metadata?.name ?? '';
  const labels = pod.metadata?.labels ?? {};
  const app = labels['app.kubernetes.io/name'] ?? labels.app ?? '';
  return (
    Object.hasOwn(labels, 'nvidia.com/dynamo-component-type') ||
    app === 'nats' ||
    app === 'prometheus' ||
    /(^|-)nats(-|$)/.test(name) ||
    /^prometheus-/.test(name) ||
    /validator|conformance/.test(name)
  );
}

/** Current log of every started container, and the previous one of each container that restarted. */
export function logTargets(pods: readonly WirePod[]): LogTarget[] {
  const out: LogTarget[] = [];
  for (const pod of pods) {
    if (!wantsLogs(pod) || !pod.metadata?.name) continue;
    const namespace = pod.metadata.namespace ?? 'default';
    for (const container of pod.spec?.containers ?? []) {
      const status = pod.status?.containerStatuses?.find((s) => s.name === container.name);
      if (!status) continue;
      const started = status.state !== undefined && !('waiting' in status.state);
      const base = { namespace, pod: pod.metadata.name, container: container.name };
      if (started) out.push({ ...base, previous: false });
      if ((status.restartCount ?? 0) > 0) out.push({ ...base, previous: true });
    }
  }
  return out;
}

async function collectLogs(
  core: CoreV1Api,
  pods: readonly Record<string, unknown>[],
  tailLines: number,
  server: string,
): Promise<(LogTarget & { lines: string[] })[]> {
  const out: (LogTarget & { lines: string[] })[] = [];
  for (const target of logTargets(pods as readonly WirePod[])) {
    let text: string;
    try {
      text = await core.readNamespacedPodLog({
        name: target.pod,
        namespace: target.namespace,
        container: target.container,
        tailLines,
        previous: target.previous,
      });
    } catch (err) {
      // 400/404: the container has no such log (not started yet, pod gone since the list).
      const status = kubeStatus(err);
      if (status === 400 || status === 404) continue;
      throw kubeFailure(err, { verb: 'get', resource: 'pods/log', server, namespace: target.namespace });
    }
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    // Kept for the diagnosis, secrets masked as in termination and event messages.
    out.push({ ...target, lines: lines.map(redactText) });
  }
  return out;
}
