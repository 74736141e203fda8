/**
 * The Kubernetes NetworkPolicy hop of a flow, as the Kubernetes documentation defines it
 * ("Network Policies", kubernetes.io/docs/concepts/services-networking/network-policies/): a pod
 * is isolated for a direction when a policy of that type selects it, and then only what some rule
 * of those policies allows gets through; `ipBlock` matches addresses (its `except` cuts some out);
 * ports may be named, and resolve on the destination pod; host-networked pods are not selected.
 * SGs and NACLs are left open here, so the policy hop alone decides.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Endpoint } from '../../src/model/endpoints.ts';
import type { PodIdentity } from '../../src/model/policy/types.ts';
import type { FlowTrace, TraceStep } from '../../src/reachability/types.ts';
import { evaluateFlow } from '../helpers/core.ts';
import { netpol, policyWorld, type Json, type WorldOptions } from './policy-world.ts';

/**
 * client-0 (ns app, label role=client) on node a-1 → server-0 (ns srv, label role=server, port
 * "http"=8000) on b-1 (policy-world.ts), the whole flow evaluated.
 */
function world(policies: Json[], opts: WorldOptions = {}) {
  const { model, pod, predicted } = policyWorld(policies, opts);
  const flow = (source: Endpoint, destination: Endpoint, from = 8000, to = from): FlowTrace =>
    evaluateFlow(model, { source, destination, protocol: 'tcp', ports: { from, to } });
  return { pod, predicted, flow };
}

const step = (trace: FlowTrace, kind: TraceStep['kind']): TraceStep => {
  const found = trace.steps.find((s) => s.kind === kind);
  assert.ok(found, `a ${kind} step: ${trace.steps.map((s) => s.kind).join(', ')}`);
  return found;
};

const isolateServer = netpol('srv', 'deny-in', { podSelector: {}, policyTypes: ['Ingress'] });
const allowServer = (rule: Json): Json =>
  netpol('srv', 'allow-in', { podSelector: { matchLabels: { role: 'server' } }, ingress: [rule] });
const appClients = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'app' } } };
const clientIdentity: PodIdentity = {
  namespace: 'app',
  labels: { role: 'client' },
  labelsComplete: false,
  hostNetwork: false,
  namedPorts: {},
};

describe('policy step: what it says', () => {
  it('no policy selects the pod: allowed, saying so', () => {
    const { pod, flow } = world([
      netpol('srv', 'other', { podSelector: { matchLabels: { role: 'db' } }, policyTypes: ['Ingress'] }),
    ]);
    const ingress = step(flow(pod('client-0'), pod('server-0')), 'policy-ingress');
    assert.equal(ingress.status, 'allowed');
    assert.equal(ingress.summary, 'no NetworkPolicy isolates srv/server-0 for ingress');
    assert.equal(ingress.at, 'pod srv/server-0 (namespace srv)');
  });

  it('isolated and no rule allows: blocked, naming the policy and the ports', () => {
    const { pod, flow } = world([isolateServer]);
    const trace = flow(pod('client-0'), pod('server-0'), 8000, 8001);
    const ingress = step(trace, 'policy-ingress');
    assert.equal(ingress.status, 'blocked');
    assert.equal(
      ingress.summary,
      'NetworkPolicy srv/deny-in isolates srv/server-0 for ingress and no rule allows tcp/8000-8001 from app/client-0',
    );
    assert.deepEqual(ingress.deniedPorts, [{ from: 8000, to: 8001 }]);
    assert.deepEqual(
      ingress.facts.map((f) => f.text),
      ['srv/deny-in isolates srv/server-0 for ingress'],
    );
    assert.equal(trace.status, 'blocked');
  });

  it('two isolating policies: "isolate", both named; a rule for part of the ports leaves the rest denied', () => {
    const { pod, flow } = world([
      isolateServer,
      allowServer({ from: [appClients], ports: [{ port: 8000 }] }),
    ]);
    const ingress = step(flow(pod('client-0'), pod('server-0'), 8000, 8001), 'policy-ingress');
    assert.equal(ingress.status, 'blocked');
    assert.equal(
      ingress.summary,
      'NetworkPolicy srv/deny-in, srv/allow-in isolate srv/server-0 for ingress and no rule allows tcp/8001 from app/client-0',
    );
    assert.deepEqual(ingress.deniedPorts, [{ from: 8001, to: 8001 }]);
    assert.deepEqual(
      ingress.facts.map((f) => f.text),
      [
        'srv/deny-in isolates srv/server-0 for ingress',
        'srv/allow-in isolates srv/server-0 for ingress',
        'srv/allow-in ingress[0] allows tcp/8000 from app/client-0',
      ],
    );
  });

  it('allowed by a rule: the rule is named with the ports it allows', () => {
    const { pod, flow } = world([isolateServer, allowServer({ from: [appClients] })]);
    const ingress = step(flow(pod('client-0'), pod('server-0')), 'policy-ingress');
    assert.equal(ingress.status, 'allowed');
    assert.equal(
      ingress.summary,
      'ingress tcp/8000 allowed by srv/allow-in ingress[0] allows tcp/8000 from app/client-0',
    );
  });

  it('egress: the source pod’s policies, rules “to” the destination', () => {
    const { pod, flow } = world([
      netpol('app', 'out', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ podSelector: { matchLabels: { role: 'nothing' } } }] }],
      }),
    ]);
    const egress = step(flow(pod('client-0'), pod('server-0')), 'policy-egress');
    assert.equal(egress.status, 'blocked');
    assert.equal(
      egress.summary,
      'NetworkPolicy app/out isolates app/client-0 for egress and no rule allows tcp/8000 to srv/server-0',
    );
    assert.equal(step(flow(pod('client-0'), pod('server-0')), 'policy-ingress').status, 'allowed');
  });

  it('a host-networked destination is not selected by policies: skipped', () => {
    const { pod, flow } = world([isolateServer], { hostNetworkServer: true });
    const ingress = step(flow(pod('client-0'), pod('server-0')), 'policy-ingress');
    assert.equal(ingress.status, 'skipped');
    assert.equal(ingress.summary, 'srv/server-0 uses the host network: NetworkPolicies do not select it');
  });

  it('a named port resolves on the destination pod', () => {
    const { pod, flow } = world([
      isolateServer,
      allowServer({ from: [appClients], ports: [{ port: 'http' }] }),
    ]);
    assert.equal(step(flow(pod('client-0'), pod('server-0')), 'policy-ingress').status, 'allowed');
    assert.equal(step(flow(pod('client-0'), pod('server-0'), 8001), 'policy-ingress').status, 'blocked');
  });

  it('a port with no protocol means TCP; a UDP port does not allow TCP', () => {
    const tcpDefault = world([isolateServer, allowServer({ from: [appClients], ports: [{ port: 8000 }] })]);
    assert.equal(
      step(tcpDefault.flow(tcpDefault.pod('client-0'), tcpDefault.pod('server-0')), 'policy-ingress').status,
      'allowed',
    );
    const udp = world([
      isolateServer,
      allowServer({ from: [appClients], ports: [{ port: 8000, protocol: 'UDP' }] }),
    ]);
    assert.equal(
      step(udp.flow(udp.pod('client-0'), udp.pod('server-0')), 'policy-ingress').status,
      'blocked',
    );
    const anyPort = world([isolateServer, allowServer({ from: [appClients], ports: [{ protocol: 'TCP' }] })]);
    assert.equal(
      step(anyPort.flow(anyPort.pod('client-0'), anyPort.pod('server-0'), 1, 65535), 'policy-ingress').status,
      'allowed',
    );
  });
});

describe('policy step: pods on one node', () => {
  it('policies still apply; when they allow, the node is the reason', () => {
    const { pod, flow } = world([isolateServer, allowServer({ from: [appClients] })]);
    const trace = flow(pod('client-0'), pod('neighbour-0'));
    assert.deepEqual(
      trace.steps.map((s) => `${s.kind}:${s.status}`),
      ['policy-egress:allowed', 'same-node:allowed', 'policy-ingress:allowed'],
    );
    assert.equal(trace.status, 'allowed');
    assert.equal(
      trace.reason,
      'same node a-1: pod-to-pod traffic does not cross an ENI, so no security group or NACL applies',
    );
  });

  it('an isolating policy blocks a flow that never leaves the node', () => {
    const { pod, flow } = world([isolateServer]);
    const trace = flow(pod('client-0'), pod('neighbour-0'));
    assert.equal(trace.status, 'blocked');
    assert.equal(trace.reason, step(trace, 'policy-ingress').summary);
  });
});

describe('policy step: ipBlock against a pod not created yet (any address of subnet-a 10.0.16.0/20)', () => {
  const fromBlock = (ipBlock: Json) => [isolateServer, allowServer({ from: [{ ipBlock }] })];

  it('a block holding the whole subnet allows', () => {
    const { pod, predicted, flow } = world(fromBlock({ cidr: '10.0.0.0/16' }));
    assert.equal(step(flow(predicted(clientIdentity), pod('server-0')), 'policy-ingress').status, 'allowed');
  });

  it('a block holding half the subnet cannot decide', () => {
    const { pod, predicted, flow } = world(fromBlock({ cidr: '10.0.16.0/21' }));
    const ingress = step(flow(predicted(clientIdentity), pod('server-0')), 'policy-ingress');
    assert.equal(ingress.status, 'unknown');
    assert.match(
      ingress.summary,
      /^NetworkPolicy ingress cannot be decided: srv\/allow-in ingress\[0\] may allow it: /,
    );
  });

  it('a block outside the subnet does not match', () => {
    const { pod, predicted, flow } = world(fromBlock({ cidr: '10.1.0.0/16' }));
    assert.equal(step(flow(predicted(clientIdentity), pod('server-0')), 'policy-ingress').status, 'blocked');
  });

  it('an except holding the whole subnet rules it out; one holding part of it cannot decide', () => {
    const all = world(fromBlock({ cidr: '10.0.0.0/16', except: ['10.0.16.0/20'] }));
    assert.equal(
      step(all.flow(all.predicted(clientIdentity), all.pod('server-0')), 'policy-ingress').status,
      'blocked',
    );
    const part = world(fromBlock({ cidr: '10.0.0.0/16', except: ['10.0.20.0/22'] }));
    assert.equal(
      step(part.flow(part.predicted(clientIdentity), part.pod('server-0')), 'policy-ingress').status,
      'unknown',
    );
    const elsewhere = world(fromBlock({ cidr: '10.0.0.0/16', except: ['10.0.64.0/20'] }));
    assert.equal(
      step(elsewhere.flow(elsewhere.predicted(clientIdentity), elsewhere.pod('server-0')), 'policy-ingress')
        .status,
      'allowed',
    );
  });

  it('an except holding the client pod’s own address rules it out', () => {
    const { pod, flow } = world(fromBlock({ cidr: '10.0.0.0/16', except: ['10.0.16.11/32'] }));
    assert.equal(step(flow(pod('client-0'), pod('server-0')), 'policy-ingress').status, 'blocked');
  });
});

describe('policy step: what a pod not created yet may be', () => {
  it('a pod whose labels are only partly known may be selected by a policy on another label: unknown, naming the label', () => {
    const { pod, predicted, flow } = world([
      netpol('app', 'out', { podSelector: { matchLabels: { tier: 'batch' } }, policyTypes: ['Egress'] }),
    ]);
    const egress = step(flow(predicted(clientIdentity), pod('server-0')), 'policy-egress');
    assert.equal(egress.status, 'unknown');
    assert.match(egress.summary, /depends on labels not known: app\/out selects on label tier$/);
  });

  it('a pod whose identity is not known at all: a policy may select it', () => {
    const { pod, predicted, flow } = world([
      netpol('app', 'out', { podSelector: {}, policyTypes: ['Egress'] }),
    ]);
    assert.equal(step(flow(predicted(), pod('server-0')), 'policy-egress').status, 'unknown');
  });

  it('a rule selecting peers by a label the pod may lack cannot decide, and names the label', () => {
    const { pod, predicted, flow } = world([
      isolateServer,
      allowServer({ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { tier: 'front' } } }] }),
    ]);
    const ingress = step(flow(predicted(clientIdentity), pod('server-0')), 'policy-ingress');
    assert.equal(ingress.status, 'unknown');
    assert.match(ingress.summary, /depends on labels or a namespace not known \(label tier\)/);
  });
});

describe('Cilium policies: one that could select the pod leaves the hop unknown, naming it', () => {
  const CILIUM = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'cilium', namespace: 'kube-system' },
    spec: { template: { spec: { containers: [{ name: 'cilium-agent' }] } } },
  };
  const cnp = (namespace: string, name: string, spec: Json): Json => ({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name, namespace },
    spec,
  });
  const ingressOf = (policies: Json[], opts: Parameters<typeof world>[1] = {}) => {
    const { pod, flow } = world(policies, { daemonSets: [CILIUM], ...opts });
    return step(flow(pod('client-0'), pod('server-0')), 'policy-ingress');
  };

  it('an endpointSelector on the pod’s label (with the k8s: or any: source prefix) selects it', () => {
    for (const key of ['role', 'k8s:role', 'any:role']) {
      const ingress = ingressOf([
        cnp('srv', 'web', { endpointSelector: { matchLabels: { [key]: 'server' } }, ingress: [{}] }),
      ]);
      assert.equal(ingress.status, 'unknown', key);
      assert.equal(
        ingress.summary,
        'NetworkPolicy ingress cannot be decided: CiliumNetworkPolicy srv/web selects srv/server-0 for ingress; Cilium policies are not modelled',
      );
      assert.equal(ingress.at, 'pod srv/server-0 (namespace srv)');
    }
  });

  it('one of another namespace, on another label, or for egress only does not', () => {
    for (const policy of [
      cnp('app', 'web', { endpointSelector: {}, ingress: [{}] }),
      cnp('srv', 'web', { endpointSelector: { matchLabels: { role: 'db' } }, ingress: [{}] }),
      cnp('srv', 'web', { endpointSelector: {}, egress: [{}] }),
    ])
      assert.equal(ingressOf([policy]).status, 'allowed', JSON.stringify(policy));
  });

  it('the namespace Cilium labels every pod with: io.kubernetes.pod.namespace', () => {
    const on = cnp('srv', 'ns', {
      endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'srv' } },
      ingress: [{}],
    });
    assert.equal(ingressOf([on]).status, 'unknown');
    const off = cnp('srv', 'ns', {
      endpointSelector: { matchLabels: { 'io.kubernetes.pod.namespace': 'app' } },
      ingress: [{}],
    });
    assert.equal(ingressOf([off]).status, 'allowed');
  });

  it('the namespace’s labels, as io.cilium.k8s.namespace.labels.<key>', () => {
    const policy = cnp('srv', 'ns', {
      endpointSelector: { matchLabels: { 'io.cilium.k8s.namespace.labels.team': 'infra' } },
      ingress: [{}],
    });
    assert.equal(ingressOf([policy], { namespaces: { srv: { team: 'infra' }, app: {} } }).status, 'unknown');
    assert.equal(ingressOf([policy], { namespaces: { srv: { team: 'ml' }, app: {} } }).status, 'allowed');
  });

  it('a key Cilium derives from what is not modelled (a service account) may select it: "may select"', () => {
    const ingress = ingressOf([
      cnp('srv', 'sa', {
        endpointSelector: { matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'server' } },
        ingress: [{}],
      }),
    ]);
    assert.equal(ingress.status, 'unknown');
    assert.match(ingress.summary, /CiliumNetworkPolicy srv\/sa may select srv\/server-0 for ingress/);
    // Ruled out all the same when a label we know does not match.
    const ruledOut = ingressOf([
      cnp('srv', 'sa', {
        endpointSelector: { matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'server', role: 'db' } },
        ingress: [{}],
      }),
    ]);
    assert.equal(ruledOut.status, 'allowed');
  });

  it('a host policy (nodeSelector) reaches host-networked pods only', () => {
    const host = cnp('srv', 'host', { nodeSelector: {}, ingress: [{}] });
    assert.equal(ingressOf([host]).status, 'allowed');
    const onHost = ingressOf([host], { hostNetworkServer: true });
    assert.equal(onHost.status, 'unknown');
    // An endpointSelector never selects a host-networked pod.
    const endpoint = cnp('srv', 'web', { endpointSelector: {}, ingress: [{}] });
    assert.equal(ingressOf([endpoint], { hostNetworkServer: true }).status, 'skipped');
  });

  it('a pod whose identity is not known may be selected', () => {
    const { pod, predicted, flow } = world(
      [cnp('app', 'out', { endpointSelector: { matchLabels: { role: 'client' } }, egress: [{}] })],
      {
        daemonSets: [CILIUM],
      },
    );
    const egress = step(flow(predicted(), pod('server-0')), 'policy-egress');
    assert.equal(egress.status, 'unknown');
    assert.match(egress.summary, /may select a pod on a-1 for egress/);
    const known = step(flow(predicted(clientIdentity), pod('server-0')), 'policy-egress');
    assert.equal(known.status, 'unknown');
    assert.match(known.summary, /CiliumNetworkPolicy app\/out selects a pod on a-1 for egress/);
  });
});
