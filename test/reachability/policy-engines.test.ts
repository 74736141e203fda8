/**
 * The policy hop when more than one engine enforces on it. Every enforcer must allow a packet:
 * - Calico evaluates the Kubernetes NetworkPolicies among its own (at order 1000,
 *   K8sNetworkPolicyToCalico), so with Calico alone they are not evaluated twice; where the VPC CNI
 *   network-policy agent runs too, it enforces the Kubernetes policies again on its own;
 * - Cilium enforces Kubernetes NetworkPolicies and its own CiliumNetworkPolicies (not modelled: one
 *   that could select the pod leaves its part unknown).
 * So the hop is blocked when any enforcer blocks (naming what blocked, and what was left open),
 * unknown when none blocks and one cannot decide, allowed when all allow. (The Calico policies here
 * have order 100, so Calico reads them before the Kubernetes ones at 1000.)
 * Host-networked pods are not selected by NetworkPolicies (kubernetes.io, "Network Policies":
 * "pods with hostNetwork: true … ignored") nor by Calico's pod policies (HostEndpoints, not captured).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CALICO_NODE,
  calicoNp,
  CILIUM_AGENT,
  cnp,
  isolateServer,
  netpol,
  policyWorld,
  VPC_CNI_AGENT,
  type Json,
} from './policy-world.ts';

const allowAllToServer = netpol('srv', 'allow-in', { podSelector: {}, ingress: [{}] });
const calicoAllowAll = calicoNp('srv', 'calico-open', {
  order: 100,
  selector: 'all()',
  types: ['Ingress'],
  ingress: [{ action: 'Allow' }],
});
const calicoDenyAll = calicoNp('srv', 'calico-shut', {
  order: 100,
  selector: 'all()',
  types: ['Ingress'],
  ingress: [{ action: 'Deny' }],
});
const ciliumOnServer = cnp('srv', 'web', {
  endpointSelector: { matchLabels: { role: 'server' } },
  ingress: [{}],
});
const ciliumText =
  'CiliumNetworkPolicy srv/web selects srv/server-0 for ingress; Cilium policies are not modelled';

const ingressToServer = (policies: Json[], daemonSets: Json[]) => {
  const w = policyWorld(policies, { daemonSets });
  return w.step('ingress', w.pod('client-0'), w.pod('server-0'));
};

describe('Calico with the VPC CNI agent: both enforce the Kubernetes policies', () => {
  const both = [VPC_CNI_AGENT, CALICO_NODE];

  it('the Kubernetes policy blocks although Calico allows: blocked, by the Kubernetes hop alone', () => {
    const ingress = ingressToServer([calicoAllowAll, isolateServer], both);
    assert.equal(ingress.status, 'blocked');
    assert.equal(
      ingress.summary,
      'NetworkPolicy srv/deny-in isolates srv/server-0 for ingress and no rule allows tcp/8000 from app/client-0',
    );
    assert.deepEqual(
      ingress.facts.map((f) => f.text),
      ['srv/deny-in isolates srv/server-0 for ingress'],
    );
    assert.deepEqual(ingress.deniedPorts, [{ from: 8000, to: 8000 }]);
    assert.equal(ingress.at, 'pod srv/server-0 (namespace srv)');
    assert.equal(ingress.kind, 'policy-ingress');
  });

  it('Calico denies although the Kubernetes policy allows: blocked, by Calico', () => {
    const ingress = ingressToServer([calicoDenyAll, allowAllToServer], both);
    assert.equal(ingress.status, 'blocked');
    assert.match(ingress.summary, /^Calico policy ingress denies tcp\/8000 from app\/client-0: /);
    assert.deepEqual(ingress.deniedPorts, [{ from: 8000, to: 8000 }]);
    assert.ok(ingress.facts.every((f) => f.kind === 'network-policy' && f.name === 'calico-shut'));
  });

  it('both allow: allowed, both hops’ reasons joined', () => {
    const ingress = ingressToServer([calicoAllowAll, allowAllToServer], both);
    assert.equal(ingress.status, 'allowed');
    assert.equal(ingress.deniedPorts, undefined);
    const [calico, kubernetes] = ingress.summary.split('; ');
    assert.match(calico!, /^ingress tcp\/8000 allowed: /);
    assert.equal(
      kubernetes,
      'ingress tcp/8000 allowed by srv/allow-in ingress[0] allows tcp/8000 from app/client-0',
    );
    assert.deepEqual(
      ingress.facts.map((f) => (f.kind === 'network-policy' ? f.name : f.kind)),
      ['calico-open', 'allow-in'],
    );
  });

  it('with the VPC CNI agent but no Kubernetes policy: Calico’s hop alone', () => {
    const ingress = ingressToServer([calicoAllowAll], both);
    assert.equal(ingress.status, 'allowed');
    assert.equal(
      ingress.summary,
      'ingress tcp/8000 allowed: Calico NetworkPolicy srv/calico-open ingress[0] allows tcp/8000 from app/client-0',
    );
  });

  it('Calico alone: the Kubernetes policies are read once, inside Calico’s order', () => {
    const ingress = ingressToServer([calicoAllowAll], [CALICO_NODE]);
    assert.equal(ingress.status, 'allowed');
    assert.equal(ingress.summary.split('; ').length, 1);
    assert.match(
      ingress.summary,
      /^ingress tcp\/8000 allowed: Calico NetworkPolicy srv\/calico-open ingress\[0\] allows/,
    );
  });
});

describe('Cilium with Kubernetes policies', () => {
  it('the Kubernetes policy blocks and a Cilium policy may too: blocked, the Cilium policy among the facts', () => {
    const ingress = ingressToServer([isolateServer, ciliumOnServer], [CILIUM_AGENT]);
    assert.equal(ingress.status, 'blocked');
    assert.equal(
      ingress.summary,
      'NetworkPolicy srv/deny-in isolates srv/server-0 for ingress and no rule allows tcp/8000 from app/client-0',
    );
    assert.deepEqual(
      ingress.facts.map((f) => f.text),
      ['srv/deny-in isolates srv/server-0 for ingress', ciliumText],
    );
    assert.deepEqual(ingress.deniedPorts, [{ from: 8000, to: 8000 }]);
  });

  it('the Kubernetes policy allows and a Cilium policy selects the pod: unknown, by the Cilium policy', () => {
    const ingress = ingressToServer([allowAllToServer, ciliumOnServer], [CILIUM_AGENT]);
    assert.equal(ingress.status, 'unknown');
    assert.equal(ingress.summary, `NetworkPolicy ingress cannot be decided: ${ciliumText}`);
    assert.deepEqual(
      ingress.facts.map((f) => f.text),
      [ciliumText],
    );
    assert.equal(Object.hasOwn(ingress, 'deniedPorts'), false);
  });

  it('only Cilium policies, none selecting the pod: allowed, no policy isolating it', () => {
    const w = policyWorld(
      [cnp('srv', 'db', { endpointSelector: { matchLabels: { role: 'db' } }, egress: [{}] })],
      {
        daemonSets: [CILIUM_AGENT],
      },
    );
    for (const [direction, self, at] of [
      ['ingress', 'srv/server-0', 'pod srv/server-0 (namespace srv)'],
      ['egress', 'app/client-0', 'pod app/client-0 (namespace app)'],
    ] as const) {
      const step = w.step(direction, w.pod('client-0'), w.pod('server-0'));
      assert.equal(step.kind, `policy-${direction}`);
      assert.equal(step.status, 'allowed');
      assert.equal(step.summary, `no NetworkPolicy isolates ${self} for ${direction}`);
      assert.equal(step.at, at);
      assert.deepEqual(step.facts, []);
    }
    const plane = w.controlPlane();
    assert.equal(w.step('egress', plane, w.pod('server-0')).at, plane.label);
  });
});

describe('host-networked pods', () => {
  it('as the source: egress skipped, on the source pod', () => {
    const w = policyWorld([netpol('srv', 'out', { podSelector: {}, policyTypes: ['Egress'] })], {
      hostNetworkServer: true,
    });
    const egress = w.step('egress', w.pod('server-0'), w.pod('client-0'));
    assert.equal(egress.kind, 'policy-egress');
    assert.equal(egress.status, 'skipped');
    assert.equal(egress.at, 'pod srv/server-0 (namespace srv)');
    assert.equal(egress.summary, 'srv/server-0 uses the host network: NetworkPolicies do not select it');
    assert.deepEqual(egress.facts, []);
  });

  it('with Calico policies: the summary says Calico reaches host networking only through HostEndpoints', () => {
    const w = policyWorld([calicoAllowAll], { hostNetworkServer: true, daemonSets: [CALICO_NODE] });
    const ingress = w.step('ingress', w.pod('client-0'), w.pod('server-0'));
    assert.equal(ingress.status, 'skipped');
    assert.equal(
      ingress.summary,
      'srv/server-0 uses the host network: NetworkPolicies do not select it (Calico policies reach host networking only through HostEndpoints, which are not captured)',
    );
  });
});
