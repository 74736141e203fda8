/**
 * Kubernetes NetworkPolicies, namespace labels and Cilium policies as the model holds them
 * (model/policy/build.ts, model/policy/cilium.ts).
 * - Kubernetes ("Network Policies", NetworkPolicySpec): policyTypes defaults to Ingress, plus
 *   Egress when the policy has egress rules; a rule without `from`/`to` matches every peer, one
 *   without `ports` every port; a namespaced object without namespace is in "default"; every
 *   namespace carries the label kubernetes.io/metadata.name = its name (Kubernetes ≥ 1.22).
 * - Cilium (cilium.io/v2 CiliumNetworkPolicy): a policy has one rule in `spec` and more in
 *   `specs`; a rule selects pods by `endpointSelector` or nodes by `nodeSelector`, and applies to
 *   ingress with `ingress`/`ingressDeny`, to egress with `egress`/`egressDeny`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasPolicies, policiesEnforced } from '../../src/model/policy/build.ts';
import { calicoNp, cnp, netpol, VPC_CNI_AGENT, type Json } from '../helpers/policy-objects.ts';
import { list, modelFromFiles } from './model-of.ts';

const policiesOf = (files: Record<string, unknown>) => modelFromFiles(files).policies;

describe('Kubernetes NetworkPolicies', () => {
  const only = (policy: Json) => {
    const [p] = policiesOf({ 'k8s/netpol.json': list(policy) }).policies;
    assert.ok(p);
    return p;
  };

  it('isolates: Ingress by default, Egress too when there are egress rules, as policyTypes says when given', () => {
    const isolates = (spec: Json) => only(netpol('ns', 'p', { podSelector: {}, ...spec })).isolates;
    assert.deepEqual(isolates({}), { ingress: true, egress: false });
    assert.deepEqual(isolates({ egress: [] }), { ingress: true, egress: false });
    assert.deepEqual(isolates({ egress: [{}] }), { ingress: true, egress: true });
    assert.deepEqual(isolates({ policyTypes: ['Egress'] }), { ingress: false, egress: true });
    assert.deepEqual(isolates({ policyTypes: ['Ingress'], egress: [{}] }), { ingress: true, egress: false });
  });

  it('rules keep their index, peers and ports; absent from/to/ports stay absent (every peer, every port)', () => {
    const peer = { podSelector: { matchLabels: { role: 'client' } } };
    const port = { protocol: 'TCP', port: 8000 };
    const p = only(
      netpol('ns', 'p', {
        podSelector: { matchLabels: { role: 'server' } },
        ingress: [{}, { from: [peer], ports: [port] }],
        egress: [{ to: [peer] }, { ports: [port] }],
      }),
    );
    assert.equal(p.namespace, 'ns');
    assert.equal(p.name, 'p');
    assert.deepEqual(p.podSelector, { matchLabels: { role: 'server' } });
    assert.deepEqual(p.ingress, [{ index: 0 }, { index: 1, peers: [peer], ports: [port] }]);
    assert.deepEqual(p.egress, [
      { index: 0, peers: [peer] },
      { index: 1, ports: [port] },
    ]);
  });

  it('no ingress or egress list: no rules key; no namespace: "default"', () => {
    const p = only({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'deny' },
      spec: { podSelector: {} },
    });
    assert.equal(p.namespace, 'default');
    assert.equal('ingress' in p, false);
    assert.equal('egress' in p, false);
  });
});

describe('namespace labels', () => {
  const namespace = (name: string, labels?: Record<string, string>): Json => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, ...(labels ? { labels } : {}) },
  });

  it('a captured namespace: its labels and its name label, complete', () => {
    const sets = policiesOf({
      'k8s/namespaces.json': list(namespace('ml', { team: 'ml' }), namespace('bare')),
    });
    assert.deepEqual(sets.namespaceLabels('ml'), {
      labels: { 'kubernetes.io/metadata.name': 'ml', team: 'ml' },
      complete: true,
    });
    assert.deepEqual(sets.namespaceLabels('bare'), {
      labels: { 'kubernetes.io/metadata.name': 'bare' },
      complete: true,
    });
  });

  it('namespaces captured but not this one: its name label, complete; none captured: not complete', () => {
    const captured = policiesOf({ 'k8s/namespaces.json': list(namespace('ml')) });
    assert.deepEqual(captured.namespaceLabels('other'), {
      labels: { 'kubernetes.io/metadata.name': 'other' },
      complete: true,
    });
    const none = policiesOf({ 'k8s/netpol.json': list(netpol('ns', 'p', { podSelector: {} })) });
    assert.deepEqual(none.namespaceLabels('other'), {
      labels: { 'kubernetes.io/metadata.name': 'other' },
      complete: false,
    });
  });
});

describe('Cilium policies', () => {
  const only = (policy: Json) => {
    const [p] = policiesOf({ 'k8s/cilium.json': list(policy) }).cilium;
    assert.ok(p);
    return p;
  };

  it('spec and specs: one rule each, in order; directions from the keys written', () => {
    const p = only({
      ...cnp('prod', 'web', { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{}] }),
      specs: [
        { endpointSelector: {}, egressDeny: [{}] },
        { nodeSelector: {}, ingressDeny: [{}], egress: [{}] },
        { endpointSelector: {} },
      ],
    });
    assert.equal(p.kind, 'CiliumNetworkPolicy');
    assert.equal(p.namespace, 'prod');
    assert.equal(p.name, 'web');
    assert.deepEqual(p.rules, [
      {
        endpointSelector: { matchLabels: { app: 'web' } },
        nodeSelector: false,
        ingress: true,
        egress: false,
      },
      { endpointSelector: {}, nodeSelector: false, ingress: false, egress: true },
      { nodeSelector: true, ingress: true, egress: true },
      { endpointSelector: {}, nodeSelector: false, ingress: true, egress: true },
    ]);
  });

  it('a key written as null is not written; a selector that is not a label selector is unreadable', () => {
    const p = only(
      cnp('prod', 'odd', { endpointSelector: { matchLabels: 'web' }, ingress: null, egress: [{}] }),
    );
    assert.deepEqual(p.rules, [
      { endpointSelector: 'unreadable', nodeSelector: false, ingress: false, egress: true },
    ]);
    const q = only(cnp('prod', 'nul', { endpointSelector: null, nodeSelector: null, ingress: [{}] }));
    assert.deepEqual(q.rules, [{ nodeSelector: false, ingress: true, egress: false }]);
  });

  it('clusterwide: no namespace; a namespaced one without namespace is in "default"', () => {
    const ccnp = only({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumClusterwideNetworkPolicy',
      metadata: { name: 'all' },
      specs: [{ endpointSelector: {}, ingress: [{}] }],
    });
    assert.equal(ccnp.namespace, undefined);
    assert.equal(ccnp.rules.length, 1);
    const bare = only({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'x' } });
    assert.equal(bare.namespace, 'default');
    assert.deepEqual(bare.rules, []);
  });
});

describe('whether policies are present and enforced', () => {
  it('any engine’s policy counts; enforced needs an enforcing engine too', () => {
    const k8s = policiesOf({ 'k8s/p.json': list(netpol('ns', 'p', { podSelector: {} }), VPC_CNI_AGENT) });
    assert.equal(hasPolicies(k8s), true);
    assert.equal(policiesEnforced(k8s), true);
    const cilium = policiesOf({ 'k8s/p.json': list(cnp('ns', 'c', { endpointSelector: {} })) });
    assert.equal(hasPolicies(cilium), true);
    const calico = policiesOf({ 'k8s/p.json': list(calicoNp('ns', 'c', { selector: 'all()' })) });
    assert.equal(hasPolicies(calico), true);
    assert.equal(policiesEnforced(calico), true);
    const none = policiesOf({ 'k8s/p.json': list(VPC_CNI_AGENT) });
    assert.equal(hasPolicies(none), false);
    assert.equal(policiesEnforced(none), false);
  });
});
