/**
 * What Dynamo needs from the network, as versioned data with the source of each fact.
 * Change this table, not the code, when a Dynamo release moves a port or a plane.
 */
import type { PortRange } from '../model/types.ts';

export type RequirementId =
  | 'nats'
  | 'etcd'
  | 'prometheus'
  | 'dcgm-scrape'
  | 'dynamo-metrics'
  | 'accelerator-metrics'
  | 'request-plane'
  | 'response-stream'
  | 'zmq-events'
  | 'kv-event-publisher'
  | 'dns'
  | 'dns-tcp'
  | 'operator-webhook'
  | 'custom-metrics-api'
  | 'nixl-side-channel'
  | 'efa-srd'
  | 'ucx-tcp'
  | 'ucx-tcp-reverse'
  | 'kubelet-probe';

/** Who opens the connection. */
export type SourceSelector =
  /** Dynamo frontend, worker, router and EPP pods; before install, pods on the GPU node groups. */
  | 'dynamo-clients'
  /** A pod that tolerates every taint (the conformance orchestrator): any node it can land on. */
  | 'tolerate-all-pods'
  | 'dynamo-frontends'
  | 'dynamo-workers'
  /** Sources of the flows above that dial a Service name and whose egress a NetworkPolicy isolates. */
  | 'egress-isolated-sources'
  /** The Prometheus server pods (before install: the system node groups). */
  | 'prometheus-pods'
  /**
   * The EKS control plane (the Kubernetes API server calling webhooks and aggregated APIs): its
   * ENIs in the cluster's subnets, carrying the cluster security group (describe-cluster).
   */
  | 'control-plane'
  /** Workers of a disaggregated graph that are not prefill workers: they pull the KV cache. */
  | 'dynamo-decode-workers'
  /** The prefill workers of a disaggregated graph. */
  | 'dynamo-prefill-workers'
  /**
   * The kubelet of the node each probed pod runs on: the node's host network, so its primary ENI
   * with the node's security groups. It probes only the pods of its own node.
   */
  | 'kubelet';

/** Who accepts it. */
export type TargetSpec =
  | {
      readonly kind: 'service';
      readonly namespace: string;
      readonly service: string;
      /** Labels that find the pods when the Service or its endpoints were not captured. */
      readonly podLabels: Readonly<Record<string, string>>;
      /** Where the pods are predicted to run when not deployed yet. */
      readonly predictOn: 'system-node-groups' | 'gpu-node-groups';
    }
  | { readonly kind: 'dynamo-role'; readonly role: 'frontend' | 'worker' | 'prefill' | 'decode' }
  /**
   * Pods with their own security groups (a branch ENI) whose containers have httpGet, tcpSocket or
   * grpc probes: the Dynamo pods and the pods at either end of the other flows (analyze/flows.ts).
   */
  | { readonly kind: 'probed-pods' };

export interface PortSpec {
  /** The port when nothing deployed sets another (with `env`: the default that env var overrides). */
  readonly fixed?: number;
  /** The env var that sets the port, read from the pods; when unset: `fixed`, else OS-assigned. */
  readonly env?: string;
  readonly whenUnset?: PortRange;
  /** One port per data-parallel rank: port … port + dp_size − 1 (vLLM offsets its ZMQ socket by dp_rank). */
  readonly perDataParallelRank?: true;
  /**
   * One port per data-parallel rank × tensor-parallel rank of the prefill workers: vLLM's NIXL
   * connector listens on port + dp_rank·tp_size + tp_rank (later releases: port + dp_index).
   */
  readonly perNixlRank?: true;
  /** An env var holding a port range `from-to` (or one port) on the listening workers; else `whenUnset`. */
  readonly envRange?: string;
  /** Not TCP/UDP: the flow has no ports (EFA SRD); rules must allow all traffic. */
  readonly noPorts?: true;
  /** Each probed pod's own probe ports (httpGet, tcpSocket, grpc; a name resolves on the container's ports). */
  readonly probe?: true;
}

/** The AICR conformance checks whose own connections are requirements. */
export type ConformanceCheck = 'ai-service-metrics' | 'accelerator-metrics';

export interface Condition {
  readonly eventPlane?: 'nats' | 'zmq';
  readonly requestPlane?: 'tcp';
  readonly conformanceCheck?: ConformanceCheck;
  /** Only where Dynamo keeps discovery and leases in etcd (pre-1.2, or ETCD_ENDPOINTS set). */
  readonly store?: 'etcd';
  /** Only where the GPU operator's dcgm-exporter is deployed or the recipe installs gpu-operator. */
  readonly dcgmExporter?: true;
  /** Only where NetworkPolicies are enforced. */
  readonly networkPolicies?: true;
  /** Only where the Dynamo workers serve their system port (DYN_SYSTEM_PORT on the pods or the graphs). */
  readonly dynamoSystemPort?: true;
  /**
   * Only where the API server calls this target: its webhook configuration or APIService was
   * captured, or something deployed or the recipe predicts it (requirements/control-plane.ts).
   */
  readonly controlPlaneCall?: true;
  /** Only where a graph serves disaggregated: prefill workers deployed or declared. */
  readonly disaggregated?: true;
  /** Only where the workers' nodes have EFA interfaces (InterfaceType efa / efa-only). */
  readonly efa?: true;
  /** Only where UCX may carry the KV cache over TCP: no EFA, and UCX_TLS (if set) allows tcp. */
  readonly ucxTcp?: true;
  /** Only where pods get their own security groups: ENABLE_POD_ENI and a SecurityGroupPolicy. */
  readonly podSecurityGroups?: true;
}

/**
 * How much a flow matters. `required`: without it the install or an AICR validator breaks, so a
 * blocked one fails the verdict. `recommended`: without it only metrics, dashboards or autoscaling
 * break; shown in every report, counted in the verdict only with `--strict`.
 */
export type Level = 'required' | 'recommended';

export interface CatalogEntry {
  readonly id: RequirementId;
  readonly title: string;
  readonly level: Level;
  /** `efa`: SRD between the EFA interfaces of the two ends' nodes (ports do not apply). */
  readonly protocol: 'tcp' | 'udp' | 'efa';
  readonly port: PortSpec;
  /** Dynamo versions this applies to (a semver range); absent = every version. */
  readonly dynamo?: string;
  readonly when?: Condition;
  readonly from: SourceSelector;
  readonly to: TargetSpec;
  readonly why: string;
  readonly symptom: string;
  /** Where the fact comes from. */
  readonly source: string;
  /** Set when the port differs from what a documentation page says: what it says, and where. */
  readonly documented?: string;
}

const SEED = 'AICR docs "EKS Dynamo Networking Prerequisites"';
/** The newest AICR page: NVIDIA/aicr docs/integrator/eks-dynamo-networking.md (Dynamo 1.4+). */
const AICR_14 = 'NVIDIA/aicr docs/integrator/eks-dynamo-networking.md (Dynamo 1.4+)';
const OS_ASSIGNED =
  "OS-assigned ports come from the listening pod's net.ipv4.ip_local_port_range, 32768-60999 unless the pod sets the sysctl";

/**
 * What each Dynamo release family installs and defaults to, when nothing deployed says otherwise.
 * The deployed configuration (pods' env, operator args, recipe values, the NATS/etcd pods that
 * exist) decides first; these fill in only what none of it says.
 */
export interface DynamoFamily {
  readonly id: string;
  /** The versions of the family (a semver range). */
  readonly versions: string;
  /** The event plane the runtime uses by default: NATS, ZMQ, or none (discovery and leases in etcd). */
  readonly eventPlane: 'nats' | 'zmq' | 'none';
  /** Whether the platform chart (as AICR installs it) runs etcd for discovery. */
  readonly etcd: boolean;
  /** Where AICR places the frontend before install. */
  readonly frontendOn: 'gpu-node-groups' | 'system-node-groups';
  /** Where the frontend placement comes from. */
  readonly frontendSource: string;
  readonly source: string;
}

export const families: readonly DynamoFamily[] = [
  {
    id: '1.0-1.1',
    versions: '<1.2.0-0',
    eventPlane: 'none',
    etcd: true,
    frontendOn: 'gpu-node-groups',
    frontendSource: `${SEED}: Dynamo frontend and vLLM worker pods run on the GPU node groups ("ports may be blocked from GPU nodes to system nodes")`,
    source: `${SEED}: "A cluster whose system-node security group only allowlisted the pre-1.2 control-plane ports will not have 4222 open"`,
  },
  {
    id: '1.2-1.3',
    versions: '>=1.2.0-0 <1.4.0-0',
    eventPlane: 'nats',
    etcd: false,
    frontendOn: 'gpu-node-groups',
    frontendSource: `${SEED}: Dynamo frontend and vLLM worker pods run on the GPU node groups ("ports may be blocked from GPU nodes to system nodes")`,
    source: `${SEED}: "This NATS dependency is new as of the Dynamo 1.2 bump, which switched discovery to the NATS event plane"; AICR pins dynamo-platform 1.2.x with global.nats.install: true (NVIDIA/aicr recipes/components/dynamo-platform/values.yaml)`,
  },
  {
    id: '1.4+',
    versions: '>=1.4.0-0',
    eventPlane: 'zmq',
    etcd: false,
    frontendOn: 'system-node-groups',
    frontendSource: `${AICR_14}: frontend pods run on the system node group, workers on the GPU node groups`,
    source: `${AICR_14}: "From Dynamo 1.4, AICR no longer installs bundled NATS … the KV event plane [defaults] to ZMQ (ai-dynamo/dynamo#11951)"; frontend pods on the system node group, workers on the GPU node groups`,
  },
];

/** The GPU operator's dcgm-exporter, which both DCGM flows dial (scraped, and fetched directly). */
const DCGM_EXPORTER = {
  kind: 'service',
  namespace: 'gpu-operator',
  service: 'nvidia-dcgm-exporter',
  podLabels: { app: 'nvidia-dcgm-exporter' },
  predictOn: 'gpu-node-groups',
} as const;

/**
 * Flows the Kubernetes API server opens from the EKS control plane. Separate from the table above
 * only to keep the two lists easy to read; `catalog` ends with them.
 */
const controlPlaneFlows: readonly CatalogEntry[] = [
  {
    id: 'operator-webhook',
    title: 'Dynamo operator admission webhook (control plane → operator)',
    level: 'required',
    protocol: 'tcp',
    port: { fixed: 9443 },
    when: { controlPlaneCall: true },
    from: 'control-plane',
    to: {
      kind: 'service',
      namespace: 'dynamo-system',
      service: 'dynamo-platform-dynamo-operator-webhook-service',
      podLabels: { 'control-plane': 'controller-manager' },
      predictOn: 'system-node-groups',
    },
    why: 'Creating or updating a DynamoGraphDeployment makes the Kubernetes API server call the Dynamo operator’s validating and mutating webhooks (failurePolicy Fail by default). On EKS the API server dials the operator pod’s own IP on its webhook port from the control plane’s ENIs, which carry the cluster security group; a node group whose launch template sets its own security groups does not carry that group, so its security group must admit the cluster security group on the webhook port.',
    symptom:
      '"Internal error occurred: failed calling webhook "vdynamographdeployment.kb.io": failed to call webhook: Post "https://dynamo-platform-dynamo-operator-webhook-service.dynamo-system.svc:443/…": context deadline exceeded" on kubectl apply of a DynamoGraphDeployment; nothing gets deployed',
    source:
      'ai-dynamo/dynamo deploy/helm/charts/platform/components/operator/templates/webhook-configuration.yaml (webhooks for dynamographdeployments on <release>-dynamo-operator-webhook-service, failurePolicy from webhook.failurePolicy, Fail in values.yaml), templates/deployment.yaml (manager containerPort 9443 "webhook-server", pod label control-plane: controller-manager), docs/kubernetes/webhooks.md (dynamo-platform-dynamo-operator-webhook-service.dynamo-system.svc); terraform-aws-modules/terraform-aws-eks#2270 (the API server dials the pod IP on 9443: "dial tcp 10.0.202.48:9443: i/o timeout" until the node security group admits the cluster on 9443); kubernetes-sigs/aws-load-balancer-controller#2460',
  },
  {
    id: 'custom-metrics-api',
    title: 'Custom metrics API for ai-service-metrics (control plane → prometheus-adapter)',
    level: 'required',
    protocol: 'tcp',
    port: { fixed: 6443 },
    when: { conformanceCheck: 'ai-service-metrics', controlPlaneCall: true },
    from: 'control-plane',
    to: {
      kind: 'service',
      namespace: 'monitoring',
      service: 'prometheus-adapter',
      podLabels: { 'app.kubernetes.io/name': 'prometheus-adapter' },
      predictOn: 'system-node-groups',
    },
    why: 'ai-service-metrics reads /apis/custom.metrics.k8s.io/v1beta1 through the Kubernetes API server, which proxies it (APIService v1beta1.custom.metrics.k8s.io) to prometheus-adapter: the API server dials the adapter pod’s https port from the control plane’s ENIs, which carry the cluster security group.',
    symptom:
      '"custom metrics API not available — verify prometheus-adapter is deployed and healthy" from ai-service-metrics; the APIService shows Available=False (FailedDiscoveryCheck, "failing or missing response"); HPAs on custom metrics stop scaling',
    source:
      'NVIDIA/aicr validators/conformance/ai_service_metrics_check.go (GET /apis/custom.metrics.k8s.io/v1beta1 after the Prometheus query); prometheus-community/helm-charts charts/prometheus-adapter/templates/custom-metrics-apiservice.yaml (APIService v1beta1.custom.metrics.k8s.io → the adapter Service), templates/service.yaml (port 443 → targetPort https), values.yaml (listenPort 6443)',
  },
];

export const catalog: readonly CatalogEntry[] = [
  {
    id: 'nats',
    title: 'NATS event plane',
    level: 'required',
    protocol: 'tcp',
    port: { fixed: 4222 },
    when: { eventPlane: 'nats' },
    from: 'dynamo-clients',
    to: {
      kind: 'service',
      namespace: 'dynamo-system',
      service: 'dynamo-platform-nats',
      podLabels: { 'app.kubernetes.io/name': 'nats', 'app.kubernetes.io/instance': 'dynamo-platform' },
      predictOn: 'system-node-groups',
    },
    why: 'Dynamo 1.2 moved discovery and KV-cache events to the NATS event plane: frontend, workers, KV router and EPP connect to NATS.',
    symptom:
      '"JetStream not available"; frontend/worker CrashLoopBackOff with "Failed to connect to NATS: timed out"; startup probes "connection refused"; inference-perf fails after ~15 min of gates',
    source: `${SEED}: "nats on TCP 4222 … new as of the Dynamo 1.2 bump"`,
  },
  {
    id: 'etcd',
    title: 'etcd control plane (pre-1.2)',
    level: 'required',
    protocol: 'tcp',
    port: { fixed: 2379 },
    when: { store: 'etcd' },
    from: 'dynamo-clients',
    to: {
      kind: 'service',
      namespace: 'dynamo-system',
      service: 'dynamo-platform-etcd',
      podLabels: { 'app.kubernetes.io/name': 'etcd', 'app.kubernetes.io/instance': 'dynamo-platform' },
      predictOn: 'system-node-groups',
    },
    why: 'Dynamo 1.0.x keeps discovery and leases in etcd in dynamo-system.',
    symptom: '"Unable to create lease"; workers never register',
    source: `${SEED}: "the pre-1.2 control-plane ports"`,
  },
  {
    id: 'prometheus',
    title: 'Prometheus for ai-service-metrics',
    level: 'required',
    protocol: 'tcp',
    port: { fixed: 9090 },
    when: { conformanceCheck: 'ai-service-metrics' },
    from: 'tolerate-all-pods',
    to: {
      kind: 'service',
      namespace: 'monitoring',
      service: 'kube-prometheus-prometheus',
      podLabels: { 'app.kubernetes.io/name': 'prometheus' },
      predictOn: 'system-node-groups',
    },
    why: 'The conformance orchestrator dials Prometheus; it tolerates every taint and only prefers the Prometheus node, so any node group may host it.',
    symptom:
      '"[SERVICE_UNAVAILABLE] Prometheus unreachable at http://kube-prometheus-prometheus.monitoring.svc:9090 — verify network connectivity" after 5 s; non-deterministic between runs',
    source: `${SEED}: "Every node group whose pods can host the orchestrator must therefore be able to reach the Prometheus pod's IP on 9090"`,
  },
  {
    id: 'request-plane',
    title: 'TCP request plane (frontend → worker)',
    level: 'required',
    protocol: 'tcp',
    port: { env: 'DYN_TCP_RPC_PORT', whenUnset: { from: 32768, to: 60999 } },
    dynamo: '>=1.2.0-0',
    when: { requestPlane: 'tcp' },
    from: 'dynamo-frontends',
    to: { kind: 'dynamo-role', role: 'worker' },
    why: 'Dynamo 1.2 defaults DYN_REQUEST_PLANE to tcp and AICR does not override it: the frontend dials each worker’s RPC port (OS-assigned unless DYN_TCP_RPC_PORT is set).',
    symptom: 'requests fail or hang while pods look healthy',
    source: `${SEED}: "Dynamo 1.2 defaults DYN_REQUEST_PLANE to TCP, and AICR does not override it"; ${OS_ASSIGNED}`,
    documented: `${AICR_14} documents TCP 1024-65535 system → GPU; it covers the OS-assigned range`,
  },
  {
    id: 'response-stream',
    title: 'TCP response stream (worker → frontend)',
    level: 'required',
    protocol: 'tcp',
    port: { env: 'DYN_TCP_RESPONSE_STREAM_PORT', whenUnset: { from: 32768, to: 60999 } },
    dynamo: '>=1.2.0-0',
    when: { requestPlane: 'tcp' },
    from: 'dynamo-workers',
    to: { kind: 'dynamo-role', role: 'frontend' },
    why: 'Workers stream responses back to the frontend’s response-stream port (OS-assigned unless DYN_TCP_RESPONSE_STREAM_PORT is set).',
    symptom: 'requests hang after being accepted; no tokens stream back',
    source: `${AICR_14}: response stream GPU → system on DYN_TCP_RESPONSE_STREAM_PORT; ${OS_ASSIGNED}`,
    documented: `${AICR_14} documents TCP 1024-65535 GPU → system; it covers the OS-assigned range`,
  },
  {
    id: 'zmq-events',
    title: 'ZMQ KV events (router → worker)',
    level: 'required',
    protocol: 'tcp',
    port: { fixed: 5557, env: 'DYN_VLLM_KV_EVENT_PORT', perDataParallelRank: true },
    when: { eventPlane: 'zmq' },
    from: 'dynamo-frontends',
    to: { kind: 'dynamo-role', role: 'worker' },
    why: 'With the ZMQ event plane the frontend / KV router subscribes to each worker’s KV-cache events; AICR documents TCP 5557 (+dp_rank for dp_rank > 0), dialled from the system node group to the GPU node groups.',
    symptom:
      'KV-aware routing is blind (no cache hits) while requests still succeed; AICR’s check `nc -zv <worker> 5557` from a system node times out',
    source: `${AICR_14}: "system → GPU TCP 5557 (KV events, +dp_rank)"; its live check runs nc -zv from a system node to a worker on 5557. DYN_VLLM_KV_EVENT_PORT moves the port (ai-dynamo/dynamo deploy/operator sets it per engine; docs list 5557 as the vLLM ZMQ KV event port)`,
  },
  {
    id: 'kv-event-publisher',
    title: 'ZMQ event-plane publisher (router → worker)',
    level: 'required',
    protocol: 'tcp',
    port: { whenUnset: { from: 32768, to: 60999 } },
    when: { eventPlane: 'zmq' },
    from: 'dynamo-frontends',
    to: { kind: 'dynamo-role', role: 'worker' },
    why: 'The Dynamo runtime re-publishes the worker’s local vLLM KV events (read on 127.0.0.1:5557 inside the pod) on an OS-assigned port it advertises through discovery; the router connects to that port, so this is the KV-event flow the code opens across nodes.',
    symptom: 'KV-aware routing is blind although 5557 is open between the node groups',
    source: `ai-dynamo/dynamo lib/runtime/src/transports/event_plane/mod.rs (publisher binds an OS-assigned port and advertises it); ${OS_ASSIGNED}`,
    documented: `${AICR_14} names 5557 for KV events; the runtime's cross-node port is OS-assigned`,
  },
  {
    id: 'dcgm-scrape',
    title: 'DCGM scrape for ai-service-metrics (Prometheus → dcgm-exporter)',
    level: 'required',
    protocol: 'tcp',
    port: { fixed: 9400 },
    when: { conformanceCheck: 'ai-service-metrics', dcgmExporter: true },
    from: 'prometheus-pods',
    to: DCGM_EXPORTER,
    why: 'ai-service-metrics queries Prometheus for DCGM_FI_DEV_GPU_UTIL; the series exists only when Prometheus (system nodes) can scrape the GPU operator’s dcgm-exporter pods on the GPU nodes.',
    symptom:
      '"no DCGM_FI_DEV_GPU_UTIL time series in Prometheus after 2m0s — verify DCGM exporter is running and scraping GPU metrics"',
    source:
      'NVIDIA/aicr validators/conformance/ai_service_metrics_check.go (queries DCGM_FI_DEV_GPU_UTIL); recipes/components/gpu-operator/values.yaml (dcgmExporter serviceMonitor enabled, port 9400 by default)',
  },
  {
    id: 'accelerator-metrics',
    title: 'dcgm-exporter for accelerator-metrics',
    level: 'required',
    protocol: 'tcp',
    port: { fixed: 9400 },
    when: { conformanceCheck: 'accelerator-metrics', dcgmExporter: true },
    from: 'tolerate-all-pods',
    to: DCGM_EXPORTER,
    why: 'The accelerator-metrics conformance check fetches http://nvidia-dcgm-exporter.gpu-operator.svc:9400/metrics itself, from the orchestrator, which tolerates every taint and can land on any node group.',
    symptom:
      '"DCGM exporter metrics endpoint unreachable" from the accelerator-metrics check; non-deterministic between runs when only some node groups can reach the GPU nodes',
    source:
      'NVIDIA/aicr validators/conformance/accelerator_metrics_check.go (the path issue 21 cites): const dcgmExporterURL = "http://nvidia-dcgm-exporter.gpu-operator.svc:9400/metrics", fetched directly by CheckAcceleratorMetrics, which fails with "DCGM exporter metrics endpoint unreachable"',
  },
  {
    id: 'dynamo-metrics',
    title: 'Dynamo metrics: Prometheus → worker',
    level: 'recommended',
    protocol: 'tcp',
    port: { fixed: 9090, env: 'DYN_SYSTEM_PORT' },
    when: { dynamoSystemPort: true },
    from: 'prometheus-pods',
    to: { kind: 'dynamo-role', role: 'worker' },
    why: 'The Dynamo operator gives each worker a system port (DYN_SYSTEM_PORT, container port "system", 9090 by default) and a PodMonitor on it, so Prometheus (on the system nodes) scrapes the workers (on the GPU nodes); dashboards, the planner and autoscaling read those metrics.',
    symptom:
      'the dynamo-worker PodMonitor target is down in Prometheus ("context deadline exceeded"); dynamo_component_* and vllm:* worker metrics are missing while inference works',
    source:
      'ai-dynamo/dynamo deploy/operator/internal/consts/consts.go (DynamoSystemPort = 9090, DynamoSystemPortName = "system"); docs/kubernetes/observability/metrics.md (the worker PodMonitor scrapes port system, path /metrics)',
  },
  {
    id: 'nixl-side-channel',
    title: 'NIXL side channel (decode → prefill)',
    level: 'required',
    protocol: 'tcp',
    port: { fixed: 5600, env: 'VLLM_NIXL_SIDE_CHANNEL_PORT', perNixlRank: true },
    when: { disaggregated: true },
    from: 'dynamo-decode-workers',
    to: { kind: 'dynamo-role', role: 'prefill' },
    why: 'In disaggregated serving the decode worker pulls each request’s KV cache from the prefill worker; before the first transfer its NIXL connector dials the prefill worker’s side channel (VLLM_NIXL_SIDE_CHANNEL_HOST, which Dynamo sets to the pod IP, on VLLM_NIXL_SIDE_CHANNEL_PORT, 5600 by default, + dp_rank·tp_size + tp_rank) to fetch its NIXL agent metadata. Without it no KV cache moves and disaggregated requests fail.',
    symptom:
      'decode worker logs "Handshake with <engine id> failed" (vLLM NixlConnector) and requests routed through prefill fail or time out while aggregated traffic and health checks pass',
    source:
      'vllm-project/vllm vllm/envs.py (VLLM_NIXL_SIDE_CHANNEL_PORT, default 5600); vllm/distributed/kv_transfer/kv_connector/v1/nixl_connector.py (listens on the port + dp_rank·tp_size + tp_rank; "Handshake with %s failed"); ai-dynamo/dynamo components/src/dynamo/vllm/args.py (sets VLLM_NIXL_SIDE_CHANNEL_HOST only)',
  },
  {
    id: 'efa-srd',
    title: 'EFA SRD KV transfer (decode ↔ prefill)',
    level: 'required',
    protocol: 'efa',
    port: { noPorts: true },
    when: { disaggregated: true, efa: true },
    from: 'dynamo-decode-workers',
    to: { kind: 'dynamo-role', role: 'prefill' },
    why: 'On EFA node groups NIXL moves the KV cache with UCX over EFA: SRD between the EFA interfaces of the decode and the prefill nodes. Security groups carry SRD only through an all-traffic rule that references the group itself, of a group both interfaces carry, in ingress and egress; egress 0.0.0.0/0 or a rule naming the other group does not. Prefill and decode in different security groups drop it.',
    symptom:
      'the NIXL handshake succeeds (it is TCP) but KV transfers stall or fail: UCX/NIXL transfer errors or timeouts on the decode worker, and the prefill worker logs "Releasing expired KV blocks … retrieved by 0 decode worker(s)"',
    source:
      'AWS EC2 User Guide "Get started with EFA" Step 1 and EKS User Guide "node-efa": "The security group must allow all inbound and outbound traffic to and from the security group itself"; describe-network-interfaces InterfaceType efa / efa-only',
  },
  {
    id: 'ucx-tcp',
    title: 'UCX over TCP KV transfer (decode → prefill)',
    level: 'required',
    protocol: 'tcp',
    port: { envRange: 'UCX_TCP_PORT_RANGE', whenUnset: { from: 32768, to: 60999 } },
    when: { disaggregated: true, ucxTcp: true },
    from: 'dynamo-decode-workers',
    to: { kind: 'dynamo-role', role: 'prefill' },
    why: 'Without EFA the NIXL UCX backend moves the KV cache over UCX’s tcp transport: each worker listens on a port the OS assigns (UCX_TCP_PORT_RANGE unset), advertised in the NIXL metadata. No fixed port can be named, so only the listening pod’s ephemeral range can be allowed statically.',
    symptom:
      'the NIXL handshake succeeds but transfers hang or fail: UCX errors such as "Connection timed out" / "Endpoint timeout" on the decode worker, and "Releasing expired KV blocks … retrieved by 0 decode worker(s)" on the prefill worker',
    source: `openucx/ucx src/uct/tcp/tcp_iface.c (UCX_TCP_PORT_RANGE, default 0: "let the operating system select the port number"); vLLM's NixlConnector uses NIXL's UCX backend, tcp without EFA; ${OS_ASSIGNED}`,
  },
  {
    id: 'ucx-tcp-reverse',
    title: 'UCX over TCP KV transfer (prefill → decode)',
    level: 'required',
    protocol: 'tcp',
    port: { envRange: 'UCX_TCP_PORT_RANGE', whenUnset: { from: 32768, to: 60999 } },
    when: { disaggregated: true, ucxTcp: true },
    from: 'dynamo-prefill-workers',
    to: { kind: 'dynamo-role', role: 'decode' },
    why: 'UCX endpoints are created by both peers (each connects to the other’s worker address during wireup, and NIXL notifications flow back), so the prefill worker also dials the decode worker’s OS-assigned UCX port.',
    symptom:
      'as for the decode → prefill direction: transfers stall although the side channel and one direction are open',
    source: `openucx/ucx src/uct/tcp/tcp_iface.c (UCX_TCP_PORT_RANGE, default 0: "let the operating system select the port number"); vLLM's NixlConnector uses NIXL's UCX backend, tcp without EFA; ${OS_ASSIGNED}`,
  },
  {
    id: 'dns',
    title: 'Cluster DNS (UDP) for egress-isolated pods',
    level: 'required',
    protocol: 'udp',
    port: { fixed: 53 },
    when: { networkPolicies: true },
    from: 'egress-isolated-sources',
    to: {
      kind: 'service',
      namespace: 'kube-system',
      service: 'kube-dns',
      podLabels: { 'k8s-app': 'kube-dns' },
      predictOn: 'system-node-groups',
    },
    why: 'Pods reach NATS and Prometheus by Service name; a pod whose egress a NetworkPolicy isolates must also be allowed to the cluster DNS.',
    symptom:
      'name resolution of dynamo-platform-nats.dynamo-system.svc.cluster.local times out; looks like NATS being down',
    source: 'Kubernetes NetworkPolicy documentation (egress isolation includes DNS); issue 9',
  },
  {
    id: 'dns-tcp',
    title: 'Cluster DNS (TCP) for egress-isolated pods',
    level: 'required',
    protocol: 'tcp',
    port: { fixed: 53 },
    when: { networkPolicies: true },
    from: 'egress-isolated-sources',
    to: {
      kind: 'service',
      namespace: 'kube-system',
      service: 'kube-dns',
      podLabels: { 'k8s-app': 'kube-dns' },
      predictOn: 'system-node-groups',
    },
    why: 'DNS falls back to TCP for large answers; CoreDNS serves both.',
    symptom: 'intermittent resolution failures for large responses',
    source: 'RFC 7766 (DNS over TCP); issue 9',
  },
  ...controlPlaneFlows,
  {
    id: 'kubelet-probe',
    title: 'Kubelet probes of pods with their own security groups (node → pod)',
    // Required: a pod whose readiness probe fails is never Ready and leaves its Service's
    // endpoints, and a failing liveness or startup probe restarts it, so the component the other
    // flows reach never serves; only the Dynamo pods and those components are probed here. A pod
    // only at the ends of recommended flows gets a recommended flow (analyze/flows.ts).
    level: 'required',
    protocol: 'tcp',
    port: { probe: true },
    when: { podSecurityGroups: true },
    from: 'kubelet',
    to: { kind: 'probed-pods' },
    why: 'With security groups for pods, a pod a SecurityGroupPolicy selects gets a branch ENI with the policy’s groups. The kubelet probes it from the node’s host network (the node’s primary ENI and security groups) on the probe’s port (httpGet, tcpSocket and grpc connect; exec does not). In strict mode, the VPC CNI’s default, security groups apply even to that same-node traffic, so the pod’s groups must admit the node’s group on every probe port; in standard mode they do not apply to it. The CNI’s init container must also set DISABLE_TCP_EARLY_DEMUX=true for TCP probes to reach branch-ENI pods.',
    symptom:
      'events "Readiness probe failed: Get "http://<pod IP>:<port>/…": context deadline exceeded (Client.Timeout exceeded while awaiting headers)" or "dial tcp <pod IP>:<port>: i/o timeout" (reason Unhealthy) on the pod; it never becomes Ready and leaves its Service’s endpoints, and a failing liveness probe restarts it (CrashLoopBackOff)',
    source:
      'aws/amazon-vpc-cni-k8s README.md: POD_SECURITY_GROUP_ENFORCING_MODE (strict, the default: "all inbound/outbound traffic from pod with security group will be enforced by security group rules"; standard: traffic from "another service on the same host(such as kubelet/nodeLocalDNS) won\'t be enforced by security group rules") and DISABLE_TCP_EARLY_DEMUX (v1.7.3+: "for the kubelet to connect via TCP (for liveness or readiness probes) to pods that are using per pod security groups", it "should be set to true" on the init container); awsdocs/amazon-eks-user-guide doc_source/sg-pods-example-deployment.md (the pods\' security groups "must allow inbound communication from the security group applied to your nodes (for kubelet) over any ports that you\'ve configured probes for")',
  },
];

/** Dynamo releases the catalog knows; the newest is assumed when nothing else says. */
export const knownDynamoVersions = [
  '1.0.0',
  '1.0.1',
  '1.0.2',
  '1.2.0',
  '1.2.1',
  '1.3.0',
  '1.4.0',
  '1.4.2',
] as const;
