/**
 * Whether the Kubernetes API server calls the Dynamo operator's admission webhooks and the custom
 * metrics API, whom it calls and on which pod port — from the captured webhook configurations and
 * APIServices first, else predicted from what is deployed or what the recipe installs.
 */
import type { AdmissionWebhookModel, CalledService, ClusterModel, PodModel } from '../model/types.ts';

/** What these decisions read from a recipe (context.ts RecipeInfo). */
interface RecipeInfo {
  readonly name: string;
  readonly dynamoNamespace?: string;
  readonly components?: readonly string[];
}

/** Whether a control-plane flow applies, the facts that say so, and whether a failed call is harmless. */
export interface ControlPlaneCall {
  readonly applies: boolean;
  readonly source: string;
  /** Set when every call has failurePolicy Ignore: a failure lets the request through. */
  readonly nonFatal?: string;
  /** The Service called and the pod port it forwards to, with the facts that settled them. */
  readonly target?: { namespace: string; service: string; port?: number; source: string };
}

export type ControlPlaneEvidence = Pick<
  ClusterModel,
  | 'webhooks'
  | 'webhooksCaptured'
  | 'apiServices'
  | 'apiServicesCaptured'
  | 'servicePorts'
  | 'serviceSelector'
  | 'pods'
>;

/** The chart's webhook port (ai-dynamo/dynamo operator deployment.yaml, containerPort 9443 "webhook-server"). */
const OPERATOR_WEBHOOK_PORT = 9443;
const OPERATOR_WEBHOOK_SERVICE = 'dynamo-platform-dynamo-operator-webhook-service';
/** prometheus-adapter's listenPort (prometheus-community/helm-charts values.yaml). */
const ADAPTER_PORT = 6443;
const CUSTOM_METRICS = 'v1beta1.custom.metrics.k8s.io';

const serviceText = (s: CalledService): string => `${s.namespace}/${s.name}:${s.port}`;

/**
 * The pod port a Service port forwards to: its targetPort (a number, or a container port name
 * resolved on the pods it selects), the port itself when targetPort is unset.
 */
function targetPort(evidence: ControlPlaneEvidence, called: CalledService): { port?: number; fact: string } {
  const ports = evidence.servicePorts(called.namespace, called.name);
  if (!ports) return { fact: `Service ${called.namespace}/${called.name} was not captured` };
  const entry = ports.find((p) => p.port === called.port);
  if (!entry) return { fact: `Service ${called.namespace}/${called.name} has no port ${called.port}` };
  if (entry.targetPort === undefined)
    return { port: called.port, fact: `Service port ${called.port} has no targetPort: the same port` };
  if (typeof entry.targetPort === 'number')
    return { port: entry.targetPort, fact: `Service port ${called.port} → targetPort ${entry.targetPort}` };
  const name = entry.targetPort;
  const selector = evidence.serviceSelector(called.namespace, called.name) ?? {};
  const selected = evidence.pods.filter(
    (p) =>
      p.namespace === called.namespace &&
      Object.keys(selector).length > 0 &&
      Object.entries(selector).every(([k, v]) => p.labels[k] === v),
  );
  const named = selected.map((p) => p.namedPorts[name]?.port).find((p) => p !== undefined);
  return named === undefined
    ? {
        fact: `Service port ${called.port} → targetPort "${name}", a container port name no captured pod of the Service declares`,
      }
    : { port: named, fact: `Service port ${called.port} → targetPort "${name}" = container port ${named}` };
}

function resolvedTarget(
  evidence: ControlPlaneEvidence,
  called: CalledService,
  via: string,
  defaultPort: number,
): NonNullable<ControlPlaneCall['target']> {
  const resolved = targetPort(evidence, called);
  const port = resolved.port ?? defaultPort;
  return {
    namespace: called.namespace,
    service: called.name,
    port,
    source: `${via} → Service ${serviceText(called)}; ${resolved.fact}${resolved.port === undefined ? `: assumed the chart's ${defaultPort}` : ''}`,
  };
}

/** Does a webhook run on DynamoGraphDeployments (nvidia.com)? */
function onGraphs(hook: AdmissionWebhookModel): boolean {
  return hook.rules.some(
    (r) =>
      r.apiGroups.includes('nvidia.com') &&
      r.resources.some((x) => x === 'dynamographdeployments' || x === '*' || x === '*/*'),
  );
}

const hookName = (h: AdmissionWebhookModel): string => `${h.configKind} ${h.configName} webhook ${h.name}`;

/** The running Dynamo operator (the chart's controller-manager), which registers the webhooks. */
function operatorPod(pods: readonly PodModel[]): PodModel | undefined {
  return pods.find(
    (p) =>
      p.labels['control-plane'] === 'controller-manager' &&
      (p.labels['app.kubernetes.io/name'] === 'dynamo-operator' ||
        p.images.some((i) => i.includes('ai-dynamo/kubernetes-operator'))) &&
      p.phase !== 'Succeeded' &&
      p.phase !== 'Failed',
  );
}

/** The cluster is not read (`requirements`): what a Dynamo install registers. */
const NO_CLUSTER: ControlPlaneEvidence = {
  webhooks: [],
  webhooksCaptured: false,
  apiServices: [],
  apiServicesCaptured: false,
  servicePorts: () => undefined,
  serviceSelector: () => undefined,
  pods: [],
};

export function operatorWebhookCall(
  cluster: ControlPlaneEvidence | undefined,
  recipe: RecipeInfo | undefined,
): ControlPlaneCall {
  if (!cluster)
    return {
      applies: true,
      source:
        'no cluster read: every dynamo-platform install runs the Dynamo operator, whose chart registers validating and mutating webhooks for dynamographdeployments (failurePolicy Fail by default)',
      ...(recipe?.dynamoNamespace
        ? {
            target: {
              namespace: recipe.dynamoNamespace,
              service: OPERATOR_WEBHOOK_SERVICE,
              source: `recipe ${recipe.name}`,
            },
          }
        : {}),
    };
  const evidence = cluster;
  if (evidence.webhooksCaptured) {
    const hooks = evidence.webhooks.filter(onGraphs);
    if (hooks.length === 0)
      return {
        applies: false,
        source:
          'webhook configurations were captured and none is called for nvidia.com dynamographdeployments',
      };
    const called = hooks.filter((h) => h.service);
    if (called.length === 0)
      return {
        applies: false,
        source: `${hooks.map((h) => `${hookName(h)} calls ${h.url ?? '(no client)'}`).join('; ')}: a URL outside the cluster, not a pod behind a Service, so no pod flow`,
      };
    const first = called[0]!;
    const fatal = called.filter((h) => h.failurePolicy === 'Fail');
    const others = [...new Set(called.map((h) => serviceText(h.service!)))].filter(
      (s) => s !== serviceText(first.service!),
    );
    return {
      applies: true,
      source: `${called.length === 1 ? hookName(first) : `${called.length} webhooks on dynamographdeployments (${called.map((h) => h.name).join(', ')})`} call the Service ${serviceText(first.service!)}${others.length > 0 ? ` (also ${others.join(', ')}, not checked)` : ''}`,
      ...(fatal.length === 0
        ? {
            nonFatal: `every one has failurePolicy Ignore: a failed call lets the DynamoGraphDeployment through unvalidated and undefaulted, so the flow is recommended, not required`,
          }
        : {}),
      target: resolvedTarget(evidence, first.service!, hookName(first), OPERATOR_WEBHOOK_PORT),
    };
  }
  const operator = operatorPod(evidence.pods);
  const installs = recipe?.components?.includes('dynamo-platform');
  if (!operator && !installs)
    return {
      applies: false,
      source:
        'no webhook configurations captured (snapshot collects them), no Dynamo operator pod, and no recipe installing dynamo-platform to predict them from',
    };
  const namespace = operator?.namespace ?? recipe?.dynamoNamespace ?? 'dynamo-system';
  const basis = operator
    ? `the Dynamo operator pod ${operator.namespace}/${operator.name} runs`
    : `recipe ${recipe!.name} installs dynamo-platform`;
  const called: CalledService = { namespace, name: OPERATOR_WEBHOOK_SERVICE, port: 443 };
  const resolved = targetPort(evidence, called);
  const namedOnOperator = operator?.namedPorts['webhook-server']?.port;
  const port = resolved.port ?? namedOnOperator ?? OPERATOR_WEBHOOK_PORT;
  return {
    applies: true,
    source: `predicted: webhook configurations were not captured, and ${basis}; its chart registers validating and mutating webhooks for dynamographdeployments (failurePolicy Fail by default)`,
    target: {
      namespace,
      service: OPERATOR_WEBHOOK_SERVICE,
      port,
      source:
        resolved.port !== undefined
          ? `predicted Service ${serviceText(called)}; ${resolved.fact}`
          : namedOnOperator !== undefined
            ? `predicted Service ${serviceText(called)} (${resolved.fact}); the operator pod's container port webhook-server is ${namedOnOperator}`
            : `predicted Service ${serviceText(called)} (${resolved.fact}); the chart's webhook port ${OPERATOR_WEBHOOK_PORT}`,
    },
  };
}

export function customMetricsCall(
  cluster: ControlPlaneEvidence | undefined,
  recipe: RecipeInfo | undefined,
  namespaceFromRecipe: string | undefined,
): ControlPlaneCall {
  if (!cluster && !recipe)
    return {
      applies: true,
      source:
        'no cluster read: ai-service-metrics reads the custom metrics API, which AICR’s inference recipes serve with prometheus-adapter',
    };
  const evidence = cluster ?? NO_CLUSTER;
  if (evidence.apiServicesCaptured) {
    const api = evidence.apiServices.find((a) => a.name === CUSTOM_METRICS);
    if (!api)
      return {
        applies: false,
        source: `APIServices were captured and ${CUSTOM_METRICS} is not among them: ai-service-metrics fails on its absence ("custom metrics API not available"), not on the network`,
      };
    if (!api.service)
      return {
        applies: false,
        source: `APIService ${CUSTOM_METRICS} has no spec.service: the API server serves it itself, so no pod flow`,
      };
    const down =
      api.available && api.available.status !== 'True'
        ? `; it reports Available=${api.available.status}${api.available.reason ? ` (${api.available.reason}${api.available.message ? `: ${api.available.message}` : ''})` : ''}`
        : '';
    return {
      applies: true,
      source: `APIService ${CUSTOM_METRICS} calls the Service ${serviceText(api.service)}${down}`,
      target: resolvedTarget(evidence, api.service, `APIService ${CUSTOM_METRICS}`, ADAPTER_PORT),
    };
  }
  const adapter = evidence.pods.find(
    (p) => p.labels['app.kubernetes.io/name'] === 'prometheus-adapter' && p.phase !== 'Succeeded',
  );
  const installs = recipe?.components?.includes('prometheus-adapter');
  if (!adapter && !installs)
    return {
      applies: false,
      source:
        'no APIServices captured (snapshot collects them), no prometheus-adapter pod, and no recipe installing prometheus-adapter to predict the custom metrics API from',
    };
  const namespace = adapter?.namespace ?? namespaceFromRecipe ?? 'monitoring';
  const named = adapter?.namedPorts.https?.port;
  return {
    applies: true,
    source: `predicted: APIServices were not captured, and ${adapter ? `prometheus-adapter runs (${adapter.namespace}/${adapter.name})` : `recipe ${recipe!.name} installs prometheus-adapter`}, whose chart registers ${CUSTOM_METRICS} on its Service`,
    target: {
      namespace,
      service: 'prometheus-adapter',
      port: named ?? ADAPTER_PORT,
      source:
        named !== undefined
          ? `the adapter pod's container port https is ${named}`
          : `the chart's listenPort ${ADAPTER_PORT} (Service port 443 → targetPort https)`,
    },
  };
}
