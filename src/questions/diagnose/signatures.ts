/**
 * What the symptoms of a Dynamo-on-EKS network problem look like, as data: each signature is a
 * pattern over one kind of observation, the flows it points to, and the cause it means — which
 * depends on whether the static analysis finds those flows blocked. Add a row, not code, when a
 * new symptom is learnt. Sources: AICR docs "EKS Dynamo Networking Prerequisites" (the seed),
 * AICR validators (ai_service_metrics_check.go, inference_perf_constraint.go), kube-scheduler.
 */
import type { RequirementId } from '../../requirements/catalog.ts';
import type { Confidence, ObservationSource } from './types.ts';

export type CauseId =
  | 'flow-blocked'
  | 'nats-not-listening'
  | 'nats-timeout-unexplained'
  | 'jetstream-disabled'
  | 'process-exits-early'
  | 'prometheus-timeout-unexplained'
  | 'workload-never-ready'
  | 'untolerated-taint'
  | 'etcd-lease-failing'
  | 'dcgm-series-unexplained'
  | 'dcgm-exporter-unexplained'
  | 'webhook-call-unexplained'
  | 'custom-metrics-unexplained'
  | 'dns-failure'
  | 'nixl-handshake-unexplained'
  | 'kv-transfer-unexplained'
  | 'probe-timeout-unexplained';

/**
 * Which flows a symptom points to: those from the pod that shows it, those to it (`probed-pod`: the
 * kubelet's probes of it), from the node the validator's pod ran on, or all.
 */
export type FlowScope = 'subject-pod' | 'probed-pod' | 'orchestrator-node' | 'cluster';

/**
 * Every text a process or a validator wrote that the cluster keeps: captured log lines, the
 * messages on a pod (a crashed container's termination message is often all that is left of its
 * log), event messages and failed validator results. A signature of what a process says is matched
 * against all of them, so a snapshot without logs is still read.
 */
export const EVERY_MESSAGE: readonly ObservationSource[] = ['log', 'message', 'event', 'validator'];

export interface Signature {
  readonly id: string;
  readonly in: readonly ObservationSource[];
  readonly pattern: RegExp;
  /** Only for events with this reason. */
  readonly eventReason?: string;
  /**
   * Only for validator checks whose name matches: the check's CTRF result (`validator:<phase>/<check>`),
   * or what its own pod (`aicr-<check>-…` in any namespace) says.
   */
  readonly check?: RegExp;
  /** Only on a pod whose container has restarted (exited at least once). */
  readonly requiresRestart?: boolean;
  /**
   * Only while no validator check of these phases failed: a symptom that means something only
   * when the earlier phases passed (a failed deployment explains a lapsed gate by itself).
   */
  readonly whilePassed?: readonly string[];
  /** What the symptom means, in one sentence: the explanation of the cause it leads to. */
  readonly meaning: string;
  readonly requirements: readonly RequirementId[];
  readonly scope: FlowScope;
  /** The cause when one of the linked flows is statically blocked; absent = `otherwise` regardless. */
  readonly whenBlocked?: CauseId;
  readonly otherwise: CauseId;
  /** A consequence of another failure: joins another cause of the same subject when it has one. */
  readonly consequence?: boolean;
}

export const signatures: readonly Signature[] = [
  {
    id: 'nats-connect-timeout',
    in: EVERY_MESSAGE,
    pattern: /Failed to connect to NATS:?.*\b(timed? ?out|timeout|deadline exceeded)/i,
    meaning:
      'the Dynamo runtime gave up on NATS with a timeout, not a refusal: packets to tcp/4222 vanish on the way, which is what a security group or NACL without the rule does',
    requirements: ['nats'],
    scope: 'subject-pod',
    whenBlocked: 'flow-blocked',
    otherwise: 'nats-timeout-unexplained',
  },
  {
    id: 'nats-connect-refused',
    in: EVERY_MESSAGE,
    pattern: /Failed to connect to NATS:?.*(connection refused|ECONNREFUSED|os error 111)/i,
    meaning:
      'the connection to NATS was refused: packets reached an address where nothing listens (NATS down, a Service without ready endpoints) or a firewall that REJECTs — security groups never refuse, they drop',
    requirements: ['nats'],
    scope: 'subject-pod',
    otherwise: 'nats-not-listening',
  },
  {
    id: 'jetstream-unavailable',
    in: EVERY_MESSAGE,
    pattern: /JetStream not (available|enabled)/i,
    meaning: 'the runtime found no JetStream: NATS is unreachable, or runs without JetStream (-js)',
    requirements: ['nats'],
    scope: 'subject-pod',
    whenBlocked: 'flow-blocked',
    otherwise: 'jetstream-disabled',
  },
  {
    id: 'service-name-unresolved',
    in: EVERY_MESSAGE,
    pattern:
      /failed to lookup address|Name or service not known|no such host|Temporary failure in name resolution/i,
    meaning:
      'a Service name (NATS, etcd, Prometheus) did not resolve: the pod cannot reach the cluster DNS, or the name is wrong',
    requirements: [],
    scope: 'subject-pod',
    otherwise: 'dns-failure',
  },
  {
    id: 'startup-probe-refused-after-exit',
    in: ['event'],
    eventReason: 'Unhealthy',
    pattern: /Startup probe failed:.*connection refused/i,
    requiresRestart: true,
    meaning:
      'the startup probe is refused because the process has already exited: the probe failure follows from the exit, it is not the cause',
    requirements: [],
    scope: 'subject-pod',
    otherwise: 'process-exits-early',
    consequence: true,
  },
  {
    id: 'prometheus-unreachable',
    in: EVERY_MESSAGE,
    pattern: /\[SERVICE_UNAVAILABLE\] Prometheus unreachable at/,
    meaning:
      'the conformance orchestrator could not reach Prometheus on tcp/9090 within its 5 s dial timeout from the node it ran on; it only prefers the Prometheus node, so a run that falls back to a node whose security groups lack the 9090 rule fails while the next run may pass',
    requirements: ['prometheus'],
    scope: 'orchestrator-node',
    whenBlocked: 'flow-blocked',
    otherwise: 'prometheus-timeout-unexplained',
  },
  {
    id: 'inference-perf-gates-lapsed',
    in: EVERY_MESSAGE,
    check: /inference-perf/,
    // A failed deployment explains the lapse by itself; a failed conformance check (e.g. 9090) does not.
    whilePassed: ['deployment'],
    pattern:
      /timed out waiting for (DynamoGraphDeployment to become ready|inference endpoint health)|context deadline exceeded/i,
    meaning:
      'the inference-perf workload never became ready within its readiness (10 min) and health (5 min) gates — how Dynamo pods that cannot reach NATS look, even while deployment and conformance pass',
    requirements: ['nats', 'etcd', 'request-plane', 'response-stream'],
    scope: 'cluster',
    whenBlocked: 'flow-blocked',
    otherwise: 'workload-never-ready',
  },
  {
    id: 'pending-untolerated-taint',
    in: ['event', 'pod-status'],
    pattern: /had (untolerated )?taints? \{/,
    meaning:
      'the scheduler found no node whose taints the pod tolerates: GPU node groups are tainted NoSchedule/NoExecute, and a pod without the toleration (a probe, a workload) stays Pending forever',
    requirements: [],
    scope: 'subject-pod',
    otherwise: 'untolerated-taint',
  },
  {
    // NVIDIA/aicr validators/conformance/ai_service_metrics_check.go: after its wait
    // (defaults.AIServiceMetricsWaitTimeout) the check fails with this text when Prometheus holds
    // no DCGM_FI_DEV_GPU_UTIL series, which happens when it cannot scrape dcgm-exporter.
    id: 'dcgm-series-missing',
    in: EVERY_MESSAGE,
    check: /ai-service-metrics/,
    pattern: /no DCGM_FI_DEV_GPU_UTIL time series in Prometheus/,
    meaning:
      'Prometheus holds no GPU utilisation series: it could not scrape the GPU operator’s dcgm-exporter pods on the GPU nodes (tcp/9400), or dcgm-exporter does not run',
    requirements: ['dcgm-scrape'],
    scope: 'cluster',
    whenBlocked: 'flow-blocked',
    otherwise: 'dcgm-series-unexplained',
  },
  {
    // NVIDIA/aicr accelerator_metrics_check.go: the check fetches
    // http://nvidia-dcgm-exporter.gpu-operator.svc:9400/metrics itself, from the orchestrator's node.
    id: 'dcgm-exporter-unreachable',
    in: EVERY_MESSAGE,
    check: /accelerator-metrics/,
    pattern: /DCGM exporter metrics endpoint unreachable/,
    meaning:
      'the accelerator-metrics check could not fetch nvidia-dcgm-exporter.gpu-operator.svc:9400 from the node it ran on; it tolerates every taint, so a run on a node group whose security groups do not admit it to the GPU nodes on tcp/9400 fails',
    requirements: ['accelerator-metrics'],
    scope: 'orchestrator-node',
    whenBlocked: 'flow-blocked',
    otherwise: 'dcgm-exporter-unexplained',
  },
  {
    // The API server's error when it cannot call an admission webhook (kubectl apply, helm, the
    // operator's own updates): the Dynamo operator's webhooks are named *dynamo*.kb.io and call
    // <release>-dynamo-operator-webhook-service (ai-dynamo/dynamo webhook-configuration.yaml).
    id: 'dynamo-webhook-call-failed',
    in: EVERY_MESSAGE,
    pattern:
      /failed calling webhook "?[^"\s]*dynamo[^"\s]*"?.*(deadline exceeded|i\/o timeout|timed? ?out|connection refused|no route to host)/i,
    meaning:
      'the Kubernetes API server could not reach the Dynamo operator’s admission webhook, so creating or updating a DynamoGraphDeployment is rejected (failurePolicy Fail); on EKS the API server dials the operator pod’s webhook port from the control plane’s ENIs, which carry the cluster security group',
    requirements: ['operator-webhook'],
    scope: 'cluster',
    whenBlocked: 'flow-blocked',
    otherwise: 'webhook-call-unexplained',
  },
  {
    // NVIDIA/aicr ai_service_metrics_check.go, after the Prometheus query: the API server proxies
    // /apis/custom.metrics.k8s.io to prometheus-adapter (APIService v1beta1.custom.metrics.k8s.io).
    id: 'custom-metrics-api-unavailable',
    in: EVERY_MESSAGE,
    pattern:
      /custom metrics API not available|failing or missing response from https?:\/\/\S+\/apis\/custom\.metrics\.k8s\.io/i,
    meaning:
      'the custom metrics API did not answer through the API server: the API server proxies it to prometheus-adapter from the control plane’s ENIs (cluster security group), so a node or pod security group that does not admit the cluster security group on the adapter’s port breaks it',
    requirements: ['custom-metrics-api'],
    scope: 'cluster',
    whenBlocked: 'flow-blocked',
    otherwise: 'custom-metrics-unexplained',
  },
  {
    // vllm-project/vllm nixl_connector.py: the decode worker's handshake future fails, and its
    // done-callback logs logger.exception("Handshake with %s failed", engine_id).
    id: 'nixl-handshake-failed',
    in: EVERY_MESSAGE,
    pattern: /Handshake with \S+ failed/,
    meaning:
      'the decode worker could not fetch the prefill worker’s NIXL agent metadata over the side channel (tcp VLLM_NIXL_SIDE_CHANNEL_PORT, 5600 by default): no KV cache can move from prefill to decode',
    requirements: ['nixl-side-channel'],
    scope: 'subject-pod',
    whenBlocked: 'flow-blocked',
    otherwise: 'nixl-handshake-unexplained',
  },
  {
    // vllm-project/vllm nixl_connector.py, prefill side: blocks no decode worker read before the
    // timeout are freed with this warning; "0 decode worker(s)" (later "0 remote worker(s)") means
    // none reached it.
    id: 'kv-blocks-never-read',
    in: EVERY_MESSAGE,
    pattern: /Releasing expired KV blocks for request \S+ which were retrieved by 0 (decode|remote) worker/,
    meaning:
      'the prefill worker computed a KV cache that no decode worker fetched before it expired: decode cannot reach the prefill worker (NIXL side channel, or the KV transfer itself: UCX over TCP, or EFA SRD)',
    requirements: ['nixl-side-channel', 'ucx-tcp', 'ucx-tcp-reverse', 'efa-srd'],
    scope: 'cluster',
    whenBlocked: 'flow-blocked',
    otherwise: 'kv-transfer-unexplained',
  },
  {
    // The kubelet's Unhealthy events when a probe's connection times out (kubernetes pkg/probe:
    // http 'Get "http://<ip>:<port>/…": context deadline exceeded (Client.Timeout exceeded while
    // awaiting headers)', tcp 'dial tcp <ip>:<port>: i/o timeout', grpc 'timeout: failed to connect
    // service'). A refusal is no firewall (security groups drop), so it is left to other signatures.
    id: 'probe-timeout',
    in: ['event'],
    eventReason: 'Unhealthy',
    pattern:
      /(Readiness|Liveness|Startup) probe failed:.*(context deadline exceeded|i\/o timeout|timed? ?out|timeout: failed to connect)/i,
    meaning:
      'the kubelet’s probe of the pod timed out: packets from the node to the pod’s probe port vanish, which is what a pod security group (SecurityGroupPolicy, strict mode) that does not admit the node’s security group does; the pod never becomes Ready, or is restarted',
    requirements: ['kubelet-probe'],
    scope: 'probed-pod',
    whenBlocked: 'flow-blocked',
    otherwise: 'probe-timeout-unexplained',
  },
  {
    id: 'etcd-lease',
    in: EVERY_MESSAGE,
    pattern: /Unable to create lease/i,
    meaning: 'the Dynamo 1.0.x runtime could not create its etcd lease, so workers never register',
    requirements: ['etcd'],
    scope: 'subject-pod',
    whenBlocked: 'flow-blocked',
    otherwise: 'etcd-lease-failing',
  },
];

export interface CauseSpec {
  /** `flow-blocked` takes its title from the blocked requirement instead. */
  readonly title: string;
  readonly confidence: Confidence;
  readonly advice: readonly string[];
}

export const causeSpecs: Record<CauseId, CauseSpec> = {
  'flow-blocked': { title: 'a required flow is blocked', confidence: 'confirmed', advice: [] },
  'nats-not-listening': {
    title: 'nothing accepts connections on NATS tcp/4222',
    confidence: 'likely',
    advice: [
      'kubectl -n dynamo-system get pods,endpointslices -l app.kubernetes.io/name=nats — are the NATS pods ready and behind the Service?',
      'check that NATS_SERVER in the Dynamo pods names the NATS Service and port 4222',
    ],
  },
  'nats-timeout-unexplained': {
    title: 'NATS tcp/4222 times out although the static analysis allows it',
    confidence: 'possible',
    advice: [
      'confirm live from the pod’s node group: dynamo-netcheck dial nats://dynamo-platform-nats.dynamo-system.svc.cluster.local:4222',
      'look for what a snapshot cannot show: a rule changed since it was taken, host firewalls, an overloaded NATS',
    ],
  },
  'jetstream-disabled': {
    title: 'NATS is reachable but JetStream is not enabled',
    confidence: 'likely',
    advice: [
      'enable JetStream on the dynamo-platform NATS (nats-server -js; Helm nats.config.jetstream.enabled=true)',
    ],
  },
  'process-exits-early': {
    title: 'the container exits before it serves; its probes fail as a consequence',
    confidence: 'possible',
    advice: ['read the log of the crashed container: kubectl logs --previous <pod> (or snapshot --logs)'],
  },
  'prometheus-timeout-unexplained': {
    title: 'Prometheus is unreachable although tcp/9090 is allowed from the orchestrator’s node',
    confidence: 'possible',
    advice: [
      'kubectl -n monitoring get pods,endpointslices — is Prometheus ready behind kube-prometheus-prometheus?',
      'confirm live: dynamo-netcheck dial http://kube-prometheus-prometheus.monitoring.svc:9090',
    ],
  },
  'dcgm-exporter-unexplained': {
    title: 'dcgm-exporter is unreachable although tcp/9400 is allowed from the orchestrator’s node',
    confidence: 'possible',
    advice: [
      'kubectl -n gpu-operator get pods,endpointslices -l app=nvidia-dcgm-exporter — does it run and serve behind its Service?',
      'confirm live: dynamo-netcheck dial http://nvidia-dcgm-exporter.gpu-operator.svc:9400',
    ],
  },
  'webhook-call-unexplained': {
    title:
      'the API server cannot call the Dynamo operator’s webhook although the control plane → operator flow is not found blocked',
    confidence: 'possible',
    advice: [
      'kubectl -n dynamo-system get pods,endpointslices -l control-plane=controller-manager — is the operator ready behind its webhook Service ("no endpoints available" means it is not)?',
      'capture the webhook configurations (dynamo-netcheck snapshot collects them) so the analysis reads the Service and port the API server really calls',
    ],
  },
  'custom-metrics-unexplained': {
    title:
      'the custom metrics API is unavailable although the control plane → prometheus-adapter flow is not found blocked',
    confidence: 'possible',
    advice: [
      'kubectl get apiservice v1beta1.custom.metrics.k8s.io -o yaml — its Available condition says why',
      'kubectl -n monitoring get pods,endpointslices -l app.kubernetes.io/name=prometheus-adapter — does the adapter run and serve?',
    ],
  },
  'workload-never-ready': {
    title: 'the inference workload never became ready, and no blocked Dynamo flow explains it',
    confidence: 'possible',
    advice: ['look at the DynamoGraphDeployment’s pods: model download, GPU allocation, image pulls'],
  },
  'untolerated-taint': {
    title: 'pods stay Pending: they tolerate no node’s taints',
    confidence: 'likely',
    advice: [],
  },
  'etcd-lease-failing': {
    title: 'etcd leases fail although tcp/2379 is not found blocked',
    confidence: 'possible',
    advice: ['check etcd health and its space quota: etcdctl endpoint status --write-out=table'],
  },
  'dcgm-series-unexplained': {
    title: 'Prometheus has no DCGM series although the scrape of dcgm-exporter is not found blocked',
    confidence: 'possible',
    advice: [
      'kubectl -n gpu-operator get pods -l app=nvidia-dcgm-exporter — does dcgm-exporter run on every GPU node?',
      'check that Prometheus selects the dcgm-exporter ServiceMonitor (its labels and namespace selector)',
    ],
  },
  'nixl-handshake-unexplained': {
    title: 'the NIXL handshake fails although decode → prefill on the side-channel port is not found blocked',
    confidence: 'possible',
    advice: [
      'check VLLM_NIXL_SIDE_CHANNEL_HOST on the prefill worker: it must be the pod IP, not localhost (Dynamo sets it unless the pod already does)',
      'confirm live from a decode node: dynamo-netcheck probe (it dials the prefill pods on the side-channel port)',
    ],
  },
  'kv-transfer-unexplained': {
    title: 'decode workers never fetch the prefill KV cache, and no blocked flow explains it',
    confidence: 'possible',
    advice: [
      'read the decode workers’ logs for "Handshake with … failed" or UCX/NIXL transfer errors',
      'on EFA node groups, prefill and decode ENIs need a shared security group that allows all traffic to and from itself, ingress and egress',
    ],
  },
  'probe-timeout-unexplained': {
    title: 'the kubelet’s probes of the pod time out, and no blocked kubelet-probe flow explains it',
    confidence: 'possible',
    advice: [
      'if a SecurityGroupPolicy selects the pod (strict mode), its security groups must admit the node’s security group on the probe port, and aws-node’s init container must set DISABLE_TCP_EARLY_DEMUX=true (amazon-vpc-cni-k8s README)',
      'otherwise the process answers too slowly or not on that port: kubectl describe pod shows the probe; raise timeoutSeconds or check the port',
    ],
  },
  'dns-failure': {
    title: 'Service names do not resolve from the pod',
    confidence: 'likely',
    advice: [
      'check that the pod reaches CoreDNS on udp+tcp 53 (security groups, NetworkPolicy egress to kube-dns)',
    ],
  },
};
