/**
 * Cilium policies in the policy step: not modelled, so one that could select the pod leaves the hop
 * unknown, naming it. Which pods a policy selects follows Cilium's policy language
 * (https://docs.cilium.io/en/stable/security/policy/language/): `endpointSelector` is a label
 * selector over the pod's labels (keys may carry the `k8s:` / `any:` source prefix), plus
 * `io.kubernetes.pod.namespace` and the namespace's labels as `io.cilium.k8s.namespace.labels.<key>`;
 * a CiliumNetworkPolicy selects in its own namespace, a CiliumClusterwideNetworkPolicy in all;
 * `nodeSelector` rules are host policies (host-networked pods); a rule applies to the directions it
 * writes (`ingress`/`ingressDeny`, `egress`/`egressDeny`), both when it writes neither.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CILIUM_AGENT,
  clientIdentity,
  cnp,
  policyWorld,
  type Json,
  type WorldOptions,
} from './policy-world.ts';

const ccnp = (name: string, spec: Json): Json => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumClusterwideNetworkPolicy',
  metadata: { name },
  spec,
});

const world = (policies: Json[], opts: WorldOptions = {}) =>
  policyWorld(policies, {
    daemonSets: [CILIUM_AGENT],
    namespaces: { app: {}, srv: { team: 'infra' } },
    ...opts,
  });

function ingress(policies: Json[], opts: WorldOptions = {}) {
  const w = world(policies, opts);
  return w.step('ingress', w.pod('client-0'), w.pod('server-0'));
}

describe('Cilium step: what it says', () => {
  it('a clusterwide policy: named without namespace, its fact’s namespace empty', () => {
    const step = ingress([ccnp('all', { endpointSelector: {}, ingress: [{}] })]);
    assert.equal(step.status, 'unknown');
    const text =
      'CiliumClusterwideNetworkPolicy all selects srv/server-0 for ingress; Cilium policies are not modelled';
    assert.equal(step.summary, `NetworkPolicy ingress cannot be decided: ${text}`);
    assert.deepEqual(
      step.facts.map((f) => {
        const { origin: _origin, ...rest } = f as typeof f & { origin?: unknown };
        return rest;
      }),
      [
        {
          kind: 'network-policy',
          namespace: '',
          name: 'all',
          direction: 'ingress',
          policyKind: 'CiliumClusterwideNetworkPolicy',
          text,
        },
      ],
    );
  });

  it('two policies: both named, in order; a namespaced one carries its namespace', () => {
    const step = ingress([
      cnp('srv', 'one', { endpointSelector: {}, ingress: [{}] }),
      cnp('srv', 'two', { endpointSelector: { matchLabels: { role: 'server' } }, ingressDeny: [{}] }),
    ]);
    assert.equal(
      step.summary,
      'NetworkPolicy ingress cannot be decided: CiliumNetworkPolicy srv/one selects srv/server-0 for ingress; Cilium policies are not modelled; CiliumNetworkPolicy srv/two selects srv/server-0 for ingress; Cilium policies are not modelled',
    );
    assert.deepEqual(
      step.facts.map((f) => (f.kind === 'network-policy' ? f.namespace : '?')),
      ['srv', 'srv'],
    );
  });

  it('egress: the source pod’s policies', () => {
    const w = world([cnp('app', 'out', { endpointSelector: {}, egressDeny: [{}] })]);
    const step = w.step('egress', w.pod('client-0'), w.pod('server-0'));
    assert.equal(step.kind, 'policy-egress');
    assert.equal(step.status, 'unknown');
    assert.equal(step.at, 'pod app/client-0 (namespace app)');
    assert.equal(
      step.summary,
      'NetworkPolicy egress cannot be decided: CiliumNetworkPolicy app/out selects app/client-0 for egress; Cilium policies are not modelled',
    );
    // Its ingress is left alone.
    assert.equal(w.step('ingress', w.pod('server-0'), w.pod('client-0')).status, 'allowed');
  });

  it('a pod not known at all: “at” is the pod’s label', () => {
    const w = world([cnp('app', 'out', { endpointSelector: {}, egress: [{}] })]);
    const step = w.step('egress', w.predicted(), w.pod('server-0'));
    assert.equal(step.at, 'a pod on a-1');
    assert.match(step.summary, /CiliumNetworkPolicy app\/out may select a pod on a-1 for egress/);
  });
});

describe('Cilium step: which pods a policy could select', () => {
  it('a rule writing neither direction touches both', () => {
    const w = world([cnp('srv', 'bare', { endpointSelector: {} })]);
    assert.equal(w.step('ingress', w.pod('client-0'), w.pod('server-0')).status, 'unknown');
    assert.equal(w.step('egress', w.pod('server-0'), w.pod('client-0')).status, 'unknown');
  });

  it('a rule for egress only does not select for ingress, even after a rule for ingress on another pod', () => {
    const policy = cnp('srv', 'mixed', {});
    (policy as { specs?: Json[] }).specs = [
      { endpointSelector: { matchLabels: { role: 'db' } }, ingress: [{}] },
      { endpointSelector: {}, egress: [{}] },
    ];
    delete (policy as { spec?: Json }).spec;
    assert.equal(ingress([policy]).status, 'allowed');
  });

  it('a rule with neither endpointSelector nor nodeSelector, or an unreadable selector: may select', () => {
    const none = ingress([cnp('srv', 'bare', { ingress: [{}] })]);
    assert.equal(none.status, 'unknown');
    assert.match(none.summary, /CiliumNetworkPolicy srv\/bare may select srv\/server-0 for ingress/);
    const unreadable = ingress([
      cnp('srv', 'odd', { endpointSelector: { matchLabels: 'role' }, ingress: [{}] }),
    ]);
    assert.equal(unreadable.status, 'unknown');
    assert.match(unreadable.summary, /may select/);
  });

  it('a host policy (nodeSelector) against a pod not known: may select', () => {
    const w = world([cnp('app', 'host', { nodeSelector: {}, egress: [{}] })]);
    const step = w.step('egress', w.predicted(), w.pod('server-0'));
    assert.equal(step.status, 'unknown');
    assert.match(step.summary, /may select a pod on a-1/);
    assert.equal(w.step('egress', w.pod('client-0'), w.pod('server-0')).status, 'allowed');
  });

  it('a pod whose labels are partly known: a selector on another label may select it; one on a label it has that differs does not', () => {
    const w = world([
      cnp('app', 'out', { endpointSelector: { matchLabels: { tier: 'batch' } }, egress: [{}] }),
    ]);
    const step = w.step('egress', w.predicted(clientIdentity), w.pod('server-0'));
    assert.equal(step.status, 'unknown');
    assert.match(step.summary, /CiliumNetworkPolicy app\/out may select a pod on a-1 for egress/);
    const other = world([
      cnp('app', 'out', { endpointSelector: { matchLabels: { role: 'db' } }, egress: [{}] }),
    ]);
    assert.equal(
      other.step('egress', other.predicted(clientIdentity), other.pod('server-0')).status,
      'allowed',
    );
  });

  it('namespace labels not captured: a selector on one may select', () => {
    const policy = cnp('srv', 'ns', {
      endpointSelector: { matchLabels: { 'io.cilium.k8s.namespace.labels.team': 'infra' } },
      ingress: [{}],
    });
    const w = policyWorld([policy], { daemonSets: [CILIUM_AGENT] });
    const step = w.step('ingress', w.pod('client-0'), w.pod('server-0'));
    assert.equal(step.status, 'unknown');
    assert.match(step.summary, /may select/);
    // Captured, they decide.
    assert.match(ingress([policy]).summary, /CiliumNetworkPolicy srv\/ns selects srv\/server-0/);
  });

  it('keys Cilium derives itself (a source other than k8s/any, io.cilium.*): may select, never selects', () => {
    for (const key of [
      'reserved:host',
      'io.cilium.k8s.policy.cluster',
      'k8s:io.cilium.k8s.policy.serviceaccount',
    ]) {
      const step = ingress([
        cnp('srv', 'derived', { endpointSelector: { matchLabels: { [key]: 'x' } }, ingress: [{}] }),
      ]);
      assert.equal(step.status, 'unknown', key);
      assert.match(step.summary, /CiliumNetworkPolicy srv\/derived may select srv\/server-0/, key);
    }
    // An expression on a label we know rules the pod out.
    const ruledOut = ingress([
      cnp('srv', 'db', {
        endpointSelector: { matchExpressions: [{ key: 'k8s:role', operator: 'In', values: ['db'] }] },
        ingress: [{}],
      }),
    ]);
    assert.equal(ruledOut.status, 'allowed');
    // The same in a matchExpressions entry.
    const derived = ingress([
      cnp('srv', 'derived', {
        endpointSelector: {
          matchExpressions: [{ key: 'io.cilium.k8s.policy.serviceaccount', operator: 'In', values: ['web'] }],
        },
        ingress: [{}],
      }),
    ]);
    assert.match(derived.summary, /CiliumNetworkPolicy srv\/derived may select srv\/server-0/);
    // A key of another source but a label we know is not there: ruled out all the same.
    const expressions = ingress([
      cnp('srv', 'derived', {
        endpointSelector: { matchExpressions: [{ key: 'k8s:role', operator: 'In', values: ['server'] }] },
        ingress: [{}],
      }),
    ]);
    assert.match(expressions.summary, /CiliumNetworkPolicy srv\/derived selects srv\/server-0/);
  });

  it('a clusterwide policy selects in every namespace; a namespaced one only in its own', () => {
    const w = world([ccnp('all', { endpointSelector: { matchLabels: { role: 'client' } }, egress: [{}] })]);
    assert.equal(w.step('egress', w.pod('client-0'), w.pod('server-0')).status, 'unknown');
    const ns = world([
      cnp('srv', 'x', { endpointSelector: { matchLabels: { role: 'client' } }, egress: [{}] }),
    ]);
    assert.equal(ns.step('egress', ns.pod('client-0'), ns.pod('server-0')).status, 'allowed');
  });
});
