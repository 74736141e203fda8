/**
 * Kubernetes NetworkPolicies isolating for egress where Calico evaluates them (order 1000 among
 * Calico's own, their rules Allows; Calico's K8sNetworkPolicyToCalico). A policy of the source's
 * namespace with policyTypes Egress selects the source: only what its egress rules allow leaves
 * it (https://kubernetes.io/docs/concepts/services-networking/network-policies/), and Calico's
 * end of tier denies the rest. Its ingress rules play no part in egress.
 * A Calico policy selecting nothing here (role=db) makes Calico the evaluator.
 * client-0 (app, role=client) → server-0 (srv, role=server, "http" = TCP 8000).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CALICO_NODE, calicoNp, netpol, policyWorld, type Json } from './policy-world.ts';

const calicoElsewhere = calicoNp('srv', 'db', { selector: "role == 'db'", ingress: [{ action: 'Deny' }] });

function egressUnder(k8sSpec: Json, destination?: 'predicted') {
  const w = policyWorld([netpol('app', 'out', k8sSpec), calicoElsewhere], { daemonSets: [CALICO_NODE] });
  return w.step('egress', w.pod('client-0'), destination ? w.predicted() : w.pod('server-0'));
}

describe('Calico step: Kubernetes policies for egress', () => {
  it('egress isolated with no egress rule (but an ingress rule allowing all): denied at the end of the tier', () => {
    const step = egressUnder({ podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{}] });
    assert.equal(step.status, 'blocked');
    assert.equal(
      step.summary,
      "Calico policy egress denies tcp/8000 to srv/server-0: NetworkPolicy app/out select app/client-0 for egress and no rule acts on tcp/8000 to srv/server-0: Calico's end-of-tier deny",
    );
  });

  it('an egress rule to role=server in any namespace: allowed, the rule named', () => {
    const step = egressUnder({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { role: 'server' } }, namespaceSelector: {} }] }],
    });
    assert.equal(step.status, 'allowed');
    assert.equal(
      step.summary,
      'egress tcp/8000 allowed: NetworkPolicy app/out egress[0] allows tcp/8000 to srv/server-0',
    );
  });

  it('an egress rule on a named port, to a pod not created yet: may allow, the port being what is not known', () => {
    const step = egressUnder(
      { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] },
      'predicted',
    );
    assert.equal(step.status, 'unknown');
    assert.ok(
      step.summary.startsWith(
        'Calico policy egress cannot be decided: NetworkPolicy app/out egress[0] may allow tcp/8000: a named port cannot be resolved',
      ),
      step.summary,
    );
  });
});
