/**
 * What Dynamo needs from the network, as versioned data with the source of each fact.
 * Change this table, not the code, when a Dynamo release moves a port or a plane.
 */
import type { PortRange } from '../model/types.ts';

export type RequirementId =
  'nats' | 'etcd' | 'prometheus' | 'request-plane' | 'response-stream' | 'zmq-events' | 'dns' | 'dns-tcp';

/** Who opens the connection. */
export type SourceSelector =
  /** Dynamo frontend, worker, router and EPP pods; before install, pods on the GPU node groups. */
  | 'dynamo-clients'
  /** A pod that tolerates every taint (the conformance orchestrator): any node it can land on. */
  | 'tolerate-all-pods'
  | 'dynamo-frontends'
  | 'dynamo-workers'
  /** Sources of the flows above that dial a Service name and whose egress a NetworkPolicy isolates. */
  | 'egress-isolated-sources';

/** Who accepts it. */
export type TargetSpec =
  | {
      readonly kind: 'service';
      readonly namespace: string;
      readonly service: string;
      /** Labels that find the pods when the Service or its endpoints were not captured. */
      readonly podLabels: Readonly<Record<string, string>>;
      /** Where the pods are predicted to run when not deployed yet. */
      readonly predictOn: 'system-node-groups';
    }
  | { readonly kind: 'dynamo-role'; readonly role: 'frontend' | 'worker' };

export interface PortSpec {
  readonly fixed?: number;
  /** The env var that sets the port, read from the pods; when unset the port is OS-assigned. */
  readonly env?: string;
  readonly whenUnset?: PortRange;
}

export interface Condition {
  readonly eventPlane?: 'nats' | 'zmq';
  readonly requestPlane?: 'tcp';
  readonly conformanceCheck?: 'ai-service-metrics';
  /** Only where NetworkPolicies are enforced. */
  readonly networkPolicies?: true;
}

export interface CatalogEntry {
  readonly id: RequirementId;
  readonly title: string;
  readonly protocol: 'tcp' | 'udp';
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
}

const SEED = 'AICR docs "EKS Dynamo Networking Prerequisites"';

export const catalog: readonly CatalogEntry[] = [
  {
    id: 'nats',
    title: 'NATS event plane',
    protocol: 'tcp',
    port: { fixed: 4222 },
    dynamo: '>=1.2.0-0',
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
    protocol: 'tcp',
    port: { fixed: 2379 },
    dynamo: '<1.2.0-0',
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
    protocol: 'tcp',
    port: { env: 'DYN_TCP_RPC_PORT', whenUnset: { from: 1024, to: 65535 } },
    dynamo: '>=1.2.0-0',
    when: { requestPlane: 'tcp' },
    from: 'dynamo-frontends',
    to: { kind: 'dynamo-role', role: 'worker' },
    why: 'Dynamo 1.2 defaults DYN_REQUEST_PLANE to tcp and AICR does not override it: the frontend dials each worker’s RPC port (OS-assigned unless DYN_TCP_RPC_PORT is set).',
    symptom: 'requests fail or hang while pods look healthy',
    source: `${SEED}: "Dynamo 1.2 defaults DYN_REQUEST_PLANE to TCP, and AICR does not override it"`,
  },
  {
    id: 'response-stream',
    title: 'TCP response stream (worker → frontend)',
    protocol: 'tcp',
    port: { env: 'DYN_TCP_RESPONSE_STREAM_PORT', whenUnset: { from: 1024, to: 65535 } },
    dynamo: '>=1.2.0-0',
    when: { requestPlane: 'tcp' },
    from: 'dynamo-workers',
    to: { kind: 'dynamo-role', role: 'frontend' },
    why: 'Workers stream responses back to the frontend’s response-stream port (OS-assigned unless DYN_TCP_RESPONSE_STREAM_PORT is set).',
    symptom: 'requests hang after being accepted; no tokens stream back',
    source: `${SEED}: request plane (frontend → worker TCP, DYN_TCP_RPC_PORT)`,
  },
  {
    id: 'zmq-events',
    title: 'ZMQ event plane (router → worker)',
    protocol: 'tcp',
    port: { fixed: 5557 },
    when: { eventPlane: 'zmq' },
    from: 'dynamo-frontends',
    to: { kind: 'dynamo-role', role: 'worker' },
    why: 'With DYN_EVENT_PLANE=zmq the frontend / KV router subscribes to each worker’s KV events on TCP 5557.',
    symptom: 'KV-aware routing is blind (no cache hits) while requests still succeed',
    source: `${SEED}: "the worker runtime relays local vLLM ZMQ KV-cache events"`,
  },
  {
    id: 'dns',
    title: 'Cluster DNS (UDP) for egress-isolated pods',
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
];

/** Dynamo releases the catalog knows; the newest is assumed when nothing else says. */
export const knownDynamoVersions = ['1.0.0', '1.0.1', '1.0.2', '1.2.0'] as const;
