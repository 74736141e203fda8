/**
 * Each row of the catalog as the README's catalog table and `requirements` print it: its protocol
 * and port, who dials whom, when it applies, and the text a user reads (why, symptom, where the
 * port differs from a documentation page). Expected values are written out from the README table,
 * the `requirements` output and the sources each row cites (AICR's pages for Dynamo 1.2 and 1.4+,
 * the charts, vLLM's envs.py, UCX), not computed from the catalog.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catalog, families, knownDynamoVersions, type CatalogEntry } from '../../src/requirements/catalog.ts';

const row = (id: string): CatalogEntry => catalog.find((e) => e.id === id)!;
/** Linux's default net.ipv4.ip_local_port_range (kernel ip-sysctl documentation). */
const EPHEMERAL = { from: 32768, to: 60999 };
const SEED = 'AICR docs "EKS Dynamo Networking Prerequisites"';
const AICR_14 = 'NVIDIA/aicr docs/integrator/eks-dynamo-networking.md (Dynamo 1.4+)';

describe('catalog rows: protocol and port (README "port" column)', () => {
  const expected: Record<string, Pick<CatalogEntry, 'protocol' | 'port'>> = {
    nats: { protocol: 'tcp', port: { fixed: 4222 } },
    etcd: { protocol: 'tcp', port: { fixed: 2379 } },
    prometheus: { protocol: 'tcp', port: { fixed: 9090 } },
    'request-plane': { protocol: 'tcp', port: { env: 'DYN_TCP_RPC_PORT', whenUnset: EPHEMERAL } },
    'response-stream': {
      protocol: 'tcp',
      port: { env: 'DYN_TCP_RESPONSE_STREAM_PORT', whenUnset: EPHEMERAL },
    },
    'zmq-events': {
      protocol: 'tcp',
      port: { fixed: 5557, env: 'DYN_VLLM_KV_EVENT_PORT', perDataParallelRank: true },
    },
    'kv-event-publisher': { protocol: 'tcp', port: { whenUnset: EPHEMERAL } },
    'dcgm-scrape': { protocol: 'tcp', port: { fixed: 9400 } },
    'accelerator-metrics': { protocol: 'tcp', port: { fixed: 9400 } },
    'dynamo-metrics': { protocol: 'tcp', port: { fixed: 9090, env: 'DYN_SYSTEM_PORT' } },
    'nixl-side-channel': {
      protocol: 'tcp',
      port: { fixed: 5600, env: 'VLLM_NIXL_SIDE_CHANNEL_PORT', perNixlRank: true },
    },
    'efa-srd': { protocol: 'efa', port: { noPorts: true } },
    'ucx-tcp': { protocol: 'tcp', port: { envRange: 'UCX_TCP_PORT_RANGE', whenUnset: EPHEMERAL } },
    'ucx-tcp-reverse': { protocol: 'tcp', port: { envRange: 'UCX_TCP_PORT_RANGE', whenUnset: EPHEMERAL } },
    dns: { protocol: 'udp', port: { fixed: 53 } },
    'dns-tcp': { protocol: 'tcp', port: { fixed: 53 } },
    'operator-webhook': { protocol: 'tcp', port: { fixed: 9443 } },
    'custom-metrics-api': { protocol: 'tcp', port: { fixed: 6443 } },
    'kubelet-probe': { protocol: 'tcp', port: { probe: true } },
  };
  it('every row is listed here, in catalog order', () => {
    assert.deepEqual(
      catalog.map((e) => e.id),
      Object.keys(expected),
    );
  });
  for (const [id, want] of Object.entries(expected)) {
    it(`${id}: ${want.protocol} ${JSON.stringify(want.port)}`, () => {
      assert.deepEqual({ protocol: row(id).protocol, port: row(id).port }, want);
    });
  }
});

describe('catalog rows: who dials whom (README "from → to" column)', () => {
  const system = 'system-node-groups';
  const expected: Record<string, Pick<CatalogEntry, 'from' | 'to'>> = {
    nats: {
      from: 'dynamo-clients',
      to: {
        kind: 'service',
        namespace: 'dynamo-system',
        service: 'dynamo-platform-nats',
        podLabels: { 'app.kubernetes.io/name': 'nats', 'app.kubernetes.io/instance': 'dynamo-platform' },
        predictOn: system,
      },
    },
    etcd: {
      from: 'dynamo-clients',
      to: {
        kind: 'service',
        namespace: 'dynamo-system',
        service: 'dynamo-platform-etcd',
        podLabels: { 'app.kubernetes.io/name': 'etcd', 'app.kubernetes.io/instance': 'dynamo-platform' },
        predictOn: system,
      },
    },
    prometheus: {
      from: 'tolerate-all-pods',
      to: {
        kind: 'service',
        namespace: 'monitoring',
        service: 'kube-prometheus-prometheus',
        podLabels: { 'app.kubernetes.io/name': 'prometheus' },
        predictOn: system,
      },
    },
    'request-plane': { from: 'dynamo-frontends', to: { kind: 'dynamo-role', role: 'worker' } },
    'response-stream': { from: 'dynamo-workers', to: { kind: 'dynamo-role', role: 'frontend' } },
    'zmq-events': { from: 'dynamo-frontends', to: { kind: 'dynamo-role', role: 'worker' } },
    'kv-event-publisher': { from: 'dynamo-frontends', to: { kind: 'dynamo-role', role: 'worker' } },
    'dcgm-scrape': {
      from: 'prometheus-pods',
      to: {
        kind: 'service',
        namespace: 'gpu-operator',
        service: 'nvidia-dcgm-exporter',
        podLabels: { app: 'nvidia-dcgm-exporter' },
        predictOn: 'gpu-node-groups',
      },
    },
    'accelerator-metrics': {
      from: 'tolerate-all-pods',
      to: {
        kind: 'service',
        namespace: 'gpu-operator',
        service: 'nvidia-dcgm-exporter',
        podLabels: { app: 'nvidia-dcgm-exporter' },
        predictOn: 'gpu-node-groups',
      },
    },
    'dynamo-metrics': { from: 'prometheus-pods', to: { kind: 'dynamo-role', role: 'worker' } },
    'nixl-side-channel': { from: 'dynamo-decode-workers', to: { kind: 'dynamo-role', role: 'prefill' } },
    'efa-srd': { from: 'dynamo-decode-workers', to: { kind: 'dynamo-role', role: 'prefill' } },
    'ucx-tcp': { from: 'dynamo-decode-workers', to: { kind: 'dynamo-role', role: 'prefill' } },
    'ucx-tcp-reverse': { from: 'dynamo-prefill-workers', to: { kind: 'dynamo-role', role: 'decode' } },
    dns: {
      from: 'egress-isolated-sources',
      to: {
        kind: 'service',
        namespace: 'kube-system',
        service: 'kube-dns',
        podLabels: { 'k8s-app': 'kube-dns' },
        predictOn: system,
      },
    },
    'dns-tcp': {
      from: 'egress-isolated-sources',
      to: {
        kind: 'service',
        namespace: 'kube-system',
        service: 'kube-dns',
        podLabels: { 'k8s-app': 'kube-dns' },
        predictOn: system,
      },
    },
    'operator-webhook': {
      from: 'control-plane',
      to: {
        kind: 'service',
        namespace: 'dynamo-system',
        service: 'dynamo-platform-dynamo-operator-webhook-service',
        // ai-dynamo/dynamo operator templates/deployment.yaml: pod label control-plane: controller-manager.
        podLabels: { 'control-plane': 'controller-manager' },
        predictOn: system,
      },
    },
    'custom-metrics-api': {
      from: 'control-plane',
      to: {
        kind: 'service',
        namespace: 'monitoring',
        service: 'prometheus-adapter',
        podLabels: { 'app.kubernetes.io/name': 'prometheus-adapter' },
        predictOn: system,
      },
    },
    'kubelet-probe': { from: 'kubelet', to: { kind: 'probed-pods' } },
  };
  for (const [id, want] of Object.entries(expected)) {
    it(`${id}: ${want.from} → ${want.to.kind === 'service' ? `${want.to.service}.${want.to.namespace}` : want.to.kind}`, () => {
      assert.deepEqual({ from: row(id).from, to: row(id).to }, want);
    });
  }
});

describe('catalog rows: when each applies', () => {
  const expected: Record<string, Pick<CatalogEntry, 'dynamo' | 'when' | 'level'>> = {
    nats: { level: 'required', when: { eventPlane: 'nats' } },
    etcd: { level: 'required', when: { store: 'etcd' } },
    prometheus: { level: 'required', when: { conformanceCheck: 'ai-service-metrics' } },
    'request-plane': { level: 'required', dynamo: '>=1.2.0-0', when: { requestPlane: 'tcp' } },
    'response-stream': { level: 'required', dynamo: '>=1.2.0-0', when: { requestPlane: 'tcp' } },
    'zmq-events': { level: 'required', when: { eventPlane: 'zmq' } },
    'kv-event-publisher': { level: 'required', when: { eventPlane: 'zmq' } },
    'dcgm-scrape': {
      level: 'required',
      when: { conformanceCheck: 'ai-service-metrics', dcgmExporter: true },
    },
    'accelerator-metrics': {
      level: 'required',
      when: { conformanceCheck: 'accelerator-metrics', dcgmExporter: true },
    },
    'dynamo-metrics': { level: 'recommended', when: { dynamoSystemPort: true } },
    'nixl-side-channel': { level: 'required', when: { disaggregated: true } },
    'efa-srd': { level: 'required', when: { disaggregated: true, efa: true } },
    'ucx-tcp': { level: 'required', when: { disaggregated: true, ucxTcp: true } },
    'ucx-tcp-reverse': { level: 'required', when: { disaggregated: true, ucxTcp: true } },
    dns: { level: 'required', when: { networkPolicies: true } },
    'dns-tcp': { level: 'required', when: { networkPolicies: true } },
    'operator-webhook': { level: 'required', when: { controlPlaneCall: true } },
    'custom-metrics-api': {
      level: 'required',
      when: { conformanceCheck: 'ai-service-metrics', controlPlaneCall: true },
    },
    'kubelet-probe': { level: 'required', when: { podSecurityGroups: true } },
  };
  for (const [id, want] of Object.entries(expected)) {
    it(`${id}: ${JSON.stringify(want)}`, () => {
      const entry = row(id);
      assert.deepEqual(
        { level: entry.level, ...(entry.dynamo ? { dynamo: entry.dynamo } : {}), when: entry.when },
        want,
      );
    });
  }
});

describe('catalog rows: the text a user reads', () => {
  // A phrase of each row's why and symptom, as `requirements` prints them.
  const text: Record<string, { why: string; symptom: string }> = {
    nats: { why: 'NATS event plane', symptom: 'JetStream not available' },
    etcd: { why: 'etcd', symptom: 'Unable to create lease' },
    prometheus: { why: 'dials Prometheus', symptom: 'Prometheus unreachable' },
    'request-plane': { why: 'DYN_TCP_RPC_PORT', symptom: 'requests fail or hang' },
    'response-stream': { why: 'DYN_TCP_RESPONSE_STREAM_PORT', symptom: 'no tokens stream back' },
    'zmq-events': { why: 'TCP 5557', symptom: 'nc -zv <worker> 5557' },
    'kv-event-publisher': { why: 'OS-assigned port', symptom: '5557 is open' },
    'dcgm-scrape': { why: 'DCGM_FI_DEV_GPU_UTIL', symptom: 'no DCGM_FI_DEV_GPU_UTIL time series' },
    'accelerator-metrics': {
      why: 'http://nvidia-dcgm-exporter.gpu-operator.svc:9400/metrics',
      symptom: 'DCGM exporter metrics endpoint unreachable',
    },
    'dynamo-metrics': { why: '9090 by default', symptom: 'PodMonitor target is down' },
    'nixl-side-channel': { why: '5600 by default', symptom: 'Handshake with <engine id> failed' },
    'efa-srd': { why: 'SRD', symptom: 'retrieved by 0 decode worker(s)' },
    'ucx-tcp': { why: 'UCX_TCP_PORT_RANGE unset', symptom: 'Endpoint timeout' },
    'ucx-tcp-reverse': { why: 'prefill worker also dials', symptom: 'one direction are open' },
    dns: { why: 'cluster DNS', symptom: 'dynamo-platform-nats.dynamo-system.svc.cluster.local' },
    'dns-tcp': { why: 'falls back to TCP', symptom: 'large responses' },
    'operator-webhook': { why: 'webhook port', symptom: 'failed calling webhook' },
    'custom-metrics-api': { why: 'prometheus-adapter', symptom: 'custom metrics API not available' },
    'kubelet-probe': { why: 'DISABLE_TCP_EARLY_DEMUX=true', symptom: 'Readiness probe failed' },
  };
  for (const [id, want] of Object.entries(text)) {
    it(`${id}: why names ${want.why}; symptom names ${want.symptom}`, () => {
      assert.ok(row(id).why.includes(want.why), row(id).why);
      assert.ok(row(id).symptom.includes(want.symptom), row(id).symptom);
    });
  }

  it('where AICR documents another port or range, the row says so (the `docs` line)', () => {
    assert.deepEqual(
      Object.fromEntries(catalog.filter((e) => e.documented).map((e) => [e.id, e.documented])),
      {
        'request-plane': `${AICR_14} documents TCP 1024-65535 system → GPU; it covers the OS-assigned range`,
        'response-stream': `${AICR_14} documents TCP 1024-65535 GPU → system; it covers the OS-assigned range`,
        'kv-event-publisher': `${AICR_14} names 5557 for KV events; the runtime's cross-node port is OS-assigned`,
      },
    );
  });

  it('the rows with OS-assigned ports say where the range comes from', () => {
    const note =
      "OS-assigned ports come from the listening pod's net.ipv4.ip_local_port_range, 32768-60999 unless the pod sets the sysctl";
    for (const id of ['request-plane', 'response-stream', 'kv-event-publisher', 'ucx-tcp', 'ucx-tcp-reverse'])
      assert.ok(row(id).source.endsWith(note), id);
  });
});

describe('Dynamo release families (README family table, `requirements` family lines)', () => {
  it('1.0–1.1: no event plane, etcd, frontend on the GPU node groups; 1.2–1.3: NATS; 1.4+: ZMQ, frontend on the system node groups', () => {
    assert.deepEqual(
      families.map((f) => [f.id, f.versions, f.eventPlane, f.etcd, f.frontendOn]),
      [
        ['1.0-1.1', '<1.2.0-0', 'none', true, 'gpu-node-groups'],
        ['1.2-1.3', '>=1.2.0-0 <1.4.0-0', 'nats', false, 'gpu-node-groups'],
        ['1.4+', '>=1.4.0-0', 'zmq', false, 'system-node-groups'],
      ],
    );
  });

  it('each family cites its AICR page, for its defaults and for the frontend placement', () => {
    const gpuFrontend = `${SEED}: Dynamo frontend and vLLM worker pods run on the GPU node groups ("ports may be blocked from GPU nodes to system nodes")`;
    assert.deepEqual(
      families.map((f) => f.frontendSource),
      [
        gpuFrontend,
        gpuFrontend,
        `${AICR_14}: frontend pods run on the system node group, workers on the GPU node groups`,
      ],
    );
    assert.deepEqual(
      families.map((f) => f.source),
      [
        `${SEED}: "A cluster whose system-node security group only allowlisted the pre-1.2 control-plane ports will not have 4222 open"`,
        `${SEED}: "This NATS dependency is new as of the Dynamo 1.2 bump, which switched discovery to the NATS event plane"; AICR pins dynamo-platform 1.2.x with global.nats.install: true (NVIDIA/aicr recipes/components/dynamo-platform/values.yaml)`,
        `${AICR_14}: "From Dynamo 1.4, AICR no longer installs bundled NATS … the KV event plane [defaults] to ZMQ (ai-dynamo/dynamo#11951)"; frontend pods on the system node group, workers on the GPU node groups`,
      ],
    );
  });

  it('the releases the catalog knows, 1.4.2 the newest', () => {
    assert.deepEqual(
      [...knownDynamoVersions],
      ['1.0.0', '1.0.1', '1.0.2', '1.2.0', '1.2.1', '1.3.0', '1.4.0', '1.4.2'],
    );
  });
});
