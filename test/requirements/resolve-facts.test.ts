/**
 * resolveRequirements (src/requirements/resolve.ts): which catalog rows apply, the port each gets,
 * its target, and the facts the report prints after "because" (or in "Not required here"). Ports
 * written out from the catalog's sources: OS-assigned listeners take Linux's default
 * ip_local_port_range 32768-60999; ZMQ KV events 5557 + dp_rank (AICR); NIXL 5600 + rank (vLLM).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRequirementContext } from '../../src/requirements/context.ts';
import type { RequirementId } from '../../src/requirements/catalog.ts';
import { resolveRequirements, type RequirementContext } from '../../src/requirements/resolve.ts';

type Patch = Partial<{ -readonly [K in keyof RequirementContext]: RequirementContext[K] }>;
const base = (version = '1.4.2'): RequirementContext =>
  buildRequirementContext([], { dynamoVersion: version }).context;
const resolve = (patch: Patch, version?: string) => resolveRequirements({ ...base(version), ...patch });
const required = (id: RequirementId, patch: Patch = {}, version?: string) => {
  const found = resolve(patch, version).requirements.find((r) => r.id === id);
  assert.ok(found, `${id} should apply`);
  return found;
};
const notRequired = (id: RequirementId, patch: Patch = {}, version?: string) => {
  const found = resolve(patch, version).notApplicable.find((r) => r.id === id);
  assert.ok(found, `${id} should not apply`);
  return found;
};
const env = (value: string, name = 'X') => ({ value, source: `env ${name}=${value} on pod ns/w` });
const OS = 'the port is OS-assigned, so only the range 32768-60999 can be allowed statically';
const disaggregated: Patch = {
  disaggregated: true,
  disaggregatedSource: 'prefill worker: label x on pod ns/p',
};

describe('when a row applies, and what the report says', () => {
  it('a Dynamo range: 1.0.2 is outside >=1.2.0-0; 1.2.0-rc1 is inside, printed without the -0', () => {
    assert.equal(notRequired('request-plane', {}, '1.0.2').because, 'Dynamo 1.0.2 is outside >=1.2.0-0');
    assert.equal(
      required('request-plane', { dynamoVersion: '1.2.0-rc1', versionSource: '--dynamo-version' })
        .decidedBy[0],
      'Dynamo 1.2.0-rc1 (--dynamo-version) is >=1.2.0',
    );
  });

  it('the event plane, the etcd store, the request plane, with their sources', () => {
    const c = { eventPlaneSource: 'E', etcdSource: 'S', requestPlaneSource: 'R' };
    assert.equal(notRequired('nats', { ...c, eventPlane: 'zmq' }).because, 'event plane is zmq (E)');
    assert.equal(required('nats', { ...c, eventPlane: 'nats' }).decidedBy[0], 'event plane nats (E)');
    assert.equal(notRequired('etcd', { ...c, etcd: false }).because, 'no etcd store (S)');
    assert.equal(required('etcd', { ...c, etcd: true }).decidedBy[0], 'etcd store (S)');
    assert.equal(
      notRequired('request-plane', { ...c, requestPlane: 'nats' }).because,
      'request plane is nats (R)',
    );
    assert.equal(required('response-stream', c).decidedBy[1], 'request plane tcp (R)');
  });

  it('a conformance check, dcgm-exporter, the workers’ system port', () => {
    const checks = {
      'ai-service-metrics': { runs: false, source: 'A' },
      'accelerator-metrics': { runs: true, source: 'B' },
    };
    assert.equal(
      notRequired('prometheus', { conformanceChecks: checks }).because,
      'conformance check ai-service-metrics does not run (A)',
    );
    const accel = required('accelerator-metrics', { conformanceChecks: checks, dcgmExporterSource: 'D' });
    assert.deepEqual(accel.decidedBy, [
      'conformance check accelerator-metrics runs (B)',
      'dcgm-exporter (D)',
    ]);
    assert.equal(
      notRequired('accelerator-metrics', {
        conformanceChecks: checks,
        dcgmExporter: false,
        dcgmExporterSource: 'D',
      }).because,
      'no dcgm-exporter (D)',
    );
    assert.equal(
      notRequired('dynamo-metrics', { dynamoMetricsSource: 'M' }).because,
      'no Dynamo worker system port (M)',
    );
    assert.equal(
      required('dynamo-metrics', { dynamoMetrics: true, dynamoMetricsSource: 'M' }).decidedBy[0],
      'Dynamo workers serve metrics on their system port (M)',
    );
  });

  it('a control-plane call: not read, not called, called; Ignore on every webhook makes it recommended', () => {
    assert.equal(
      notRequired('operator-webhook', { controlPlaneCalls: {} }).because,
      'the cluster’s webhook configurations and APIServices were not read',
    );
    assert.equal(
      notRequired('operator-webhook', {
        controlPlaneCalls: { 'operator-webhook': { applies: false, source: 'none' } },
      }).because,
      'none',
    );
    const ignored = required('operator-webhook', {
      controlPlaneCalls: { 'operator-webhook': { applies: true, source: 'called', nonFatal: 'Ignore' } },
    });
    assert.equal(ignored.level, 'recommended');
    assert.deepEqual(ignored.decidedBy, ['called', 'Ignore']);
    const fatal = required('operator-webhook', {
      controlPlaneCalls: { 'operator-webhook': { applies: true, source: 'called' } },
    });
    assert.equal(fatal.level, 'required');
    assert.deepEqual(fatal.decidedBy, ['called']);
  });

  it('disaggregated serving, EFA, UCX over tcp: the sources, or what is said when none is given', () => {
    assert.equal(notRequired('nixl-side-channel', { disaggregatedSource: 'agg' }).because, 'agg');
    assert.equal(
      notRequired('nixl-side-channel', { disaggregated: false, disaggregatedSource: undefined }).because,
      'no prefill worker deployed or declared',
    );
    assert.equal(
      required('nixl-side-channel', disaggregated).decidedBy[0],
      'disaggregated serving (prefill worker: label x on pod ns/p)',
    );
    assert.equal(
      required('nixl-side-channel', { disaggregated: true, disaggregatedSource: undefined }).decidedBy[0],
      'disaggregated serving (prefill workers)',
    );
    assert.equal(notRequired('efa-srd', { ...disaggregated, efaSource: 'no efa' }).because, 'no efa');
    assert.equal(
      notRequired('efa-srd', { ...disaggregated, efa: undefined, efaSource: undefined }).because,
      'no EFA interface',
    );
    assert.equal(
      required('efa-srd', { ...disaggregated, efa: true, efaSource: 'eni-1 efa' }).decidedBy[1],
      'EFA interfaces (eni-1 efa)',
    );
    assert.equal(
      required('efa-srd', { ...disaggregated, efa: true, efaSource: undefined }).decidedBy[1],
      'EFA interfaces (EFA)',
    );
    assert.equal(notRequired('ucx-tcp', { ...disaggregated, ucxTcpSource: 'efa' }).because, 'efa');
    assert.equal(
      notRequired('ucx-tcp', { ...disaggregated, ucxTcp: undefined, ucxTcpSource: undefined }).because,
      'UCX does not use tcp here',
    );
    assert.equal(
      required('ucx-tcp', { ...disaggregated, ucxTcp: true, ucxTcpSource: 'no EFA interface' }).decidedBy[1],
      'UCX over tcp (no EFA interface)',
    );
    assert.equal(
      required('ucx-tcp-reverse', { ...disaggregated, ucxTcp: true, ucxTcpSource: undefined }).decidedBy[1],
      'UCX over tcp (no EFA)',
    );
  });

  it('security groups for pods, NetworkPolicies', () => {
    assert.equal(notRequired('kubelet-probe', { podSecurityGroupsSource: 'no SGP' }).because, 'no SGP');
    assert.equal(
      notRequired('kubelet-probe', { podSecurityGroups: undefined, podSecurityGroupsSource: undefined })
        .because,
      'no cluster read: no SecurityGroupPolicy known',
    );
    assert.equal(
      required('kubelet-probe', { podSecurityGroups: true, podSecurityGroupsSource: 'SGP x' }).decidedBy[0],
      'SGP x',
    );
    assert.equal(
      required('kubelet-probe', { podSecurityGroups: true, podSecurityGroupsSource: undefined }).decidedBy[0],
      'security groups for pods',
    );
    assert.equal(notRequired('dns').because, 'no enforced NetworkPolicies');
    assert.deepEqual(required('dns-tcp', { networkPolicies: true }).decidedBy, [
      'NetworkPolicies are enforced',
    ]);
  });

  it('a row that does not apply keeps its title, level and source', () => {
    assert.deepEqual(notRequired('dynamo-metrics'), {
      id: 'dynamo-metrics',
      title: 'Dynamo metrics: Prometheus → worker',
      level: 'recommended',
      because:
        'no Dynamo worker system port (no Dynamo worker pod or DynamoGraphDeployment worker sets DYN_SYSTEM_PORT)',
      source:
        'ai-dynamo/dynamo deploy/operator/internal/consts/consts.go (DynamoSystemPort = 9090, DynamoSystemPortName = "system"); docs/kubernetes/observability/metrics.md (the worker PodMonitor scrapes port system, path /metrics)',
    });
  });

  it('a row that applies carries the catalog text, and its docs line only where it has one', () => {
    const stream = required('response-stream');
    assert.equal(
      stream.documented,
      'NVIDIA/aicr docs/integrator/eks-dynamo-networking.md (Dynamo 1.4+) documents TCP 1024-65535 GPU → system; it covers the OS-assigned range',
    );
    assert.equal(stream.title, 'TCP response stream (worker → frontend)');
    assert.equal(stream.protocol, 'tcp');
    assert.equal(stream.from, 'dynamo-workers');
    assert.equal(stream.symptom, 'requests hang after being accepted; no tokens stream back');
    assert.match(stream.why, /^Workers stream responses back/);
    assert.match(stream.source, /response stream GPU → system on DYN_TCP_RESPONSE_STREAM_PORT/);
    assert.equal('documented' in required('zmq-events'), false);
  });
});

describe('ports', () => {
  it('a target override’s port wins, named', () => {
    const nats = required('nats', {
      eventPlane: 'nats',
      targetOverrides: { nats: { port: 4333, source: 'env NATS_SERVER=nats://n:4333 on pod ns/w' } },
    });
    assert.deepEqual(nats.ports, { from: 4333, to: 4333 });
    assert.deepEqual(nats.decidedBy.slice(1), ['port 4333 (env NATS_SERVER=nats://n:4333 on pod ns/w)']);
  });

  it('a fixed port with no env var: just the port, no fact', () => {
    const nats = required('nats', { eventPlane: 'nats' });
    assert.deepEqual(nats.ports, { from: 4222, to: 4222 });
    assert.equal(nats.decidedBy.length, 1);
  });

  it('a fixed port an env var moves: 1 and 65535 are ports; 0, 65536, 2.5 and words are not', () => {
    const kv = (value?: string) =>
      required('zmq-events', value === undefined ? {} : { portEnv: { DYN_VLLM_KV_EVENT_PORT: env(value) } });
    assert.deepEqual(kv().ports, { from: 5557, to: 5557 });
    assert.equal(kv().decidedBy.at(-1), 'DYN_VLLM_KV_EVENT_PORT unset: port 5557');
    assert.deepEqual(kv('1').ports, { from: 1, to: 1 });
    assert.equal(kv('1').decidedBy.at(-1), 'port 1 (env X=1 on pod ns/w)');
    assert.deepEqual(kv('65535').ports, { from: 65535, to: 65535 });
    for (const bad of ['0', '65536', '2.5', 'high']) {
      assert.deepEqual(kv(bad).ports, { from: 5557, to: 5557 }, bad);
      assert.equal(kv(bad).decidedBy.at(-1), `env X=${bad} on pod ns/w is not a port: port 5557`);
    }
  });

  it('one port per data-parallel rank, for the KV events only, and never past 65535', () => {
    const dp = (size: number, port?: string) =>
      required('zmq-events', {
        dataParallel: { size, source: 'arg -dp on pod ns/w' },
        ...(port ? { portEnv: { DYN_VLLM_KV_EVENT_PORT: env(port) } } : {}),
      });
    assert.deepEqual(dp(4).ports, { from: 5557, to: 5560 });
    assert.equal(
      dp(4).decidedBy.at(-1),
      '4 data-parallel ranks (arg -dp on pod ns/w): one port per rank, 5557-5560',
    );
    assert.deepEqual(dp(1).ports, { from: 5557, to: 5557 });
    assert.deepEqual(dp(2, '65534').ports, { from: 65534, to: 65535 });
    assert.deepEqual(dp(3, '65534').ports, { from: 65534, to: 65534 });
    const metrics = required('dynamo-metrics', {
      dynamoMetrics: true,
      dataParallel: { size: 4, source: 'x' },
    });
    assert.deepEqual(metrics.ports, { from: 9090, to: 9090 });
  });

  it('one side-channel port per NIXL rank, never past 65535; the launcher range wins', () => {
    const ranks = (count: number, patch: Patch = {}) =>
      required('nixl-side-channel', {
        ...disaggregated,
        nixlRanks: { count, source: '2 × 2 ranks' },
        ...patch,
      });
    assert.deepEqual(ranks(4).ports, { from: 5600, to: 5603 });
    assert.equal(ranks(4).decidedBy.at(-1), '2 × 2 ranks: one port per rank, 5600-5603');
    assert.deepEqual(ranks(1).ports, { from: 5600, to: 5600 });
    const near = { portEnv: { VLLM_NIXL_SIDE_CHANNEL_PORT: env('65534') } };
    assert.deepEqual(ranks(2, near).ports, { from: 65534, to: 65535 });
    assert.deepEqual(ranks(3, near).ports, { from: 65534, to: 65534 });
    const launcher = ranks(4, { nixlLauncherRange: { from: 20000, to: 30000, source: 'launcher range' } });
    assert.deepEqual(launcher.ports, { from: 20000, to: 30000 });
    assert.equal(launcher.decidedBy.at(-1), 'launcher range');
    // The launcher range is the side channel's only.
    const zmq = required('zmq-events', {
      nixlLauncherRange: { from: 20000, to: 30000, source: 'launcher range' },
    });
    assert.deepEqual(zmq.ports, { from: 5557, to: 5557 });
  });

  it('an env-only port: set, or OS-assigned (32768-60999) when unset or no port', () => {
    const rpc = (value?: string) =>
      required('request-plane', value === undefined ? {} : { portEnv: { DYN_TCP_RPC_PORT: env(value) } });
    assert.deepEqual(rpc('9345').ports, { from: 9345, to: 9345 });
    assert.equal(rpc('9345').decidedBy.at(-1), 'port 9345 (env X=9345 on pod ns/w)');
    assert.deepEqual(rpc('65535').ports, { from: 65535, to: 65535 });
    assert.deepEqual(rpc('1').ports, { from: 1, to: 1 });
    assert.deepEqual(rpc().ports, { from: 32768, to: 60999 });
    assert.equal(rpc().decidedBy.at(-1), `DYN_TCP_RPC_PORT unset: ${OS}`);
    for (const bad of ['0', '65536', '1.5', 'any']) {
      assert.deepEqual(rpc(bad).ports, { from: 32768, to: 60999 }, bad);
      assert.equal(rpc(bad).decidedBy.at(-1), `env X=${bad} on pod ns/w is not a port (1-65535): ${OS}`);
    }
  });

  it('no env var at all: OS-assigned', () => {
    const publisher = required('kv-event-publisher');
    assert.deepEqual(publisher.ports, { from: 32768, to: 60999 });
    assert.equal(
      publisher.decidedBy.at(-1),
      'the port is OS-assigned: only the range 32768-60999 can be allowed statically',
    );
  });

  it('UCX_TCP_PORT_RANGE: a range or one port; 0, unset or no range gives the OS-assigned range', () => {
    const ucx = (value?: string) =>
      required('ucx-tcp', {
        ...disaggregated,
        ucxTcp: true,
        ...(value === undefined ? {} : { portEnv: { UCX_TCP_PORT_RANGE: env(value) } }),
      });
    assert.deepEqual(ucx('40000-40100').ports, { from: 40000, to: 40100 });
    assert.equal(ucx('40000-40100').decidedBy.at(-1), 'ports 40000-40100 (env X=40000-40100 on pod ns/w)');
    assert.deepEqual(ucx(' 40000 - 40100 ').ports, { from: 40000, to: 40100 });
    assert.deepEqual(ucx('5000').ports, { from: 5000, to: 5000 });
    assert.deepEqual(ucx('1-65535').ports, { from: 1, to: 65535 });
    assert.deepEqual(ucx('7-7').ports, { from: 7, to: 7 });
    assert.equal(ucx().decidedBy.at(-1), `UCX_TCP_PORT_RANGE unset: ${OS}`);
    assert.deepEqual(ucx().ports, { from: 32768, to: 60999 });
    assert.equal(ucx(' 0 ').decidedBy.at(-1), `UCX_TCP_PORT_RANGE 0: ${OS}`);
    for (const bad of ['40100-40000', '0-10', '60000-65536', 'a-b', '123456', '1-2-3', 'x5000']) {
      assert.deepEqual(ucx(bad).ports, { from: 32768, to: 60999 }, bad);
      assert.equal(ucx(bad).decidedBy.at(-1), `env X=${bad} on pod ns/w is not a port range: ${OS}`);
    }
  });

  it('kubelet probes: any TCP port until each pod’s probes settle it; SRD: no ports', () => {
    const probe = required('kubelet-probe', { podSecurityGroups: true });
    assert.deepEqual(probe.ports, { from: 1, to: 65535 });
    assert.equal(
      probe.decidedBy.at(-1),
      'each probed pod’s own probe ports (httpGet, tcpSocket, grpc; a named port resolves on the container’s ports; exec probes open no connection)',
    );
    const srd = required('efa-srd', { ...disaggregated, efa: true });
    assert.deepEqual(srd.ports, { from: 0, to: 65535 });
    assert.equal(
      srd.decidedBy.at(-1),
      'SRD is not TCP or UDP: it has no ports, and only all-traffic rules carry it',
    );
  });
});

describe('targets', () => {
  it('a namespace override keeps the Service name, and says so', () => {
    const nats = required('nats', {
      eventPlane: 'nats',
      targetOverrides: { nats: { namespace: 'dynamo', source: 'recipe r' } },
    });
    assert.deepEqual(nats.to, {
      kind: 'service',
      namespace: 'dynamo',
      service: 'dynamo-platform-nats',
      podLabels: { 'app.kubernetes.io/name': 'nats', 'app.kubernetes.io/instance': 'dynamo-platform' },
      predictOn: 'system-node-groups',
    });
    assert.equal(nats.decidedBy.at(-1), 'target dynamo-platform-nats.dynamo (recipe r)');
  });

  it('a Service override keeps the namespace', () => {
    const etcd = required('etcd', {
      etcd: true,
      targetOverrides: { etcd: { service: 'my-etcd', source: 'env' } },
    });
    assert.equal(
      etcd.to.kind === 'service' && `${etcd.to.service}.${etcd.to.namespace}`,
      'my-etcd.dynamo-system',
    );
    assert.equal(etcd.decidedBy.at(-1), 'target my-etcd.dynamo-system (env)');
  });

  it('a port-only override leaves the target; a role target has none to move', () => {
    const nats = required('nats', {
      eventPlane: 'nats',
      targetOverrides: { nats: { port: 4333, source: 's' } },
    });
    assert.equal(nats.to.kind === 'service' && nats.to.namespace, 'dynamo-system');
    assert.equal(
      nats.decidedBy.some((f) => f.startsWith('target')),
      false,
    );
    const rpc = required('request-plane', {
      targetOverrides: { 'request-plane': { namespace: 'x', source: 's' } },
    });
    assert.deepEqual(rpc.to, { kind: 'dynamo-role', role: 'worker' });
  });
});
