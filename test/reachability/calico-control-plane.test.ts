/**
 * The EKS control plane and Calico: its ENIs are AWS's, with no Felix and no workload or host
 * endpoint behind them, so no Calico policy applies to its own traffic — as no Kubernetes
 * NetworkPolicy does. A cluster-wide default deny (a GlobalNetworkPolicy on `all()`, Calico's
 * documented pattern, https://docs.tigera.io/calico/latest/network-policy/get-started/calico-policy/calico-network-policy)
 * leaves the API server's calls to a webhook alone on their egress side.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isolatedFor } from '../helpers/core.ts';
import { CALICO_NODE, calicoGnp, policyWorld } from './policy-world.ts';

const defaultDeny = calicoGnp('default-deny', { selector: 'all()', types: ['Ingress', 'Egress'] });

describe('Calico policies and the EKS control plane', () => {
  it('a default-deny GlobalNetworkPolicy on all() does not select the control plane for egress', () => {
    const w = policyWorld([defaultDeny], { daemonSets: [CALICO_NODE] });
    const plane = w.controlPlane();
    const step = w.step('egress', plane, w.pod('server-0'));
    assert.equal(step.status, 'allowed');
    assert.equal(step.summary, 'no Calico or Kubernetes policy selects the EKS control plane for egress');
    assert.deepEqual(step.facts, []);
    assert.equal(isolatedFor(w.sets, plane, 'egress'), 'no');
  });

  it('the same policy still isolates the pods: the webhook pod for ingress, with no rule: denied', () => {
    const w = policyWorld([defaultDeny], { daemonSets: [CALICO_NODE] });
    assert.equal(isolatedFor(w.sets, w.pod('server-0'), 'ingress'), 'yes');
    assert.equal(w.step('ingress', w.controlPlane(), w.pod('server-0')).status, 'blocked');
  });
});
