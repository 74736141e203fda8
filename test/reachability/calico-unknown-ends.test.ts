/**
 * The Calico step where the end whose policies apply is not an ordinary pod:
 * - a pod not created yet, of which nothing is known (not even its namespace): any Calico policy
 *   may select it, so a policy with no rule for the flow may deny it at the end of the tier
 *   (https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy) or, if it
 *   does not select it, the namespace profile allows it;
 * - a host-networked pod: to Calico a host endpoint, which its pod policies never select (host
 *   endpoints are not captured), so where a Cilium host policy (a nodeSelector) may apply to it,
 *   the hop is Cilium's alone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isolatedFor } from '../helpers/core.ts';
import { CALICO_NODE, CILIUM_AGENT, calicoGnp, calicoNp, netpol, policyWorld } from './policy-world.ts';

describe('Calico step: a pod of which nothing is known', () => {
  it('a policy on all() with no egress rule: may select it, so denied at the end of the tier or allowed by the profile', () => {
    const w = policyWorld([calicoNp('app', 'out', { selector: 'all()', types: ['Egress'] })], {
      daemonSets: [CALICO_NODE],
    });
    const unknownPod = w.predicted();
    assert.equal(isolatedFor(w.sets, unknownPod, 'egress'), 'maybe');
    const step = w.step('egress', unknownPod, w.pod('server-0'));
    assert.equal(step.status, 'unknown');
    assert.deepEqual(
      step.facts.map((f) => f.text),
      [
        "Calico NetworkPolicy app/out may select a pod on a-1 for egress and no rule acts on tcp/8000 to srv/server-0: Calico's end-of-tier deny",
        'if Calico NetworkPolicy app/out do not select a pod on a-1, its namespace profile allows it',
      ],
    );
  });
});

describe('Calico step: a host-networked pod that a Cilium host policy may select', () => {
  const hostFirewall = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumClusterwideNetworkPolicy',
    metadata: { name: 'host-fw' },
    spec: { nodeSelector: {}, ingress: [{ fromEntities: ['cluster'] }] },
  };

  it('Calico’s and Kubernetes’ pod policies on all pods add nothing: the hop is Cilium’s', () => {
    const w = policyWorld(
      [
        calicoGnp('deny-all', { selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Deny' }] }),
        netpol('srv', 'from-srv', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] }),
        hostFirewall,
      ],
      { daemonSets: [CALICO_NODE, CILIUM_AGENT], hostNetworkServer: true },
    );
    const step = w.step('ingress', w.pod('client-0'), w.pod('server-0'));
    assert.equal(step.status, 'unknown');
    const text =
      'CiliumClusterwideNetworkPolicy host-fw may select srv/server-0 for ingress; Cilium policies are not modelled';
    assert.equal(step.summary, `NetworkPolicy ingress cannot be decided: ${text}`);
    assert.deepEqual(
      step.facts.map((f) => f.text),
      [text],
    );
  });
});
