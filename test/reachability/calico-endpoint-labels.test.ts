/**
 * The labels Calico gives a pod's workload endpoint beyond its own, as a policy's `selector` sees
 * them: its namespace's labels prefixed `pcns.` (the namespace's profile, NamespaceToProfile in
 * libcalico-go's conversion.go) and `projectcalico.org/serviceaccount`, its service account's name
 * (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors), which the
 * snapshot does not capture.
 * client-0 (namespace app, team=front) → server-0 (namespace srv, team=storage), TCP 8000.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CALICO_NODE, calicoGnp, policyWorld } from './policy-world.ts';

const namespaces = { app: { team: 'front' }, srv: { team: 'storage' } };

/** Ingress to server-0 under one GlobalNetworkPolicy that denies all ingress to what `selector` picks. */
function ingressUnderDeny(selector: string) {
  const w = policyWorld(
    [calicoGnp('deny-where', { selector, types: ['Ingress'], ingress: [{ action: 'Deny' }] })],
    {
      daemonSets: [CALICO_NODE],
      namespaces,
    },
  );
  return w.step('ingress', w.pod('client-0'), w.pod('server-0'));
}

describe('Calico workload endpoints: labels from the namespace and the service account', () => {
  it('a namespace label is pcns.<key>: the server’s namespace team=storage is selected, team=front is not', () => {
    assert.equal(ingressUnderDeny("pcns.team == 'storage'").status, 'blocked');
    assert.equal(ingressUnderDeny("pcns.team == 'front'").status, 'allowed');
    assert.equal(ingressUnderDeny('has(pcns.team)').status, 'blocked');
  });

  it('projectcalico.org/serviceaccount is not captured: a policy selecting on it may select the pod', () => {
    const step = ingressUnderDeny("projectcalico.org/serviceaccount == 'web'");
    assert.equal(step.status, 'unknown');
    const texts = step.facts.map((f) => f.text);
    for (const expected of [
      'Calico GlobalNetworkPolicy deny-where ingress[0] may deny tcp/8000: whether Calico GlobalNetworkPolicy deny-where selects srv/server-0 depends on labels not known',
      'if Calico GlobalNetworkPolicy deny-where do not select srv/server-0, its namespace profile allows it',
    ])
      assert.ok(texts.includes(expected), texts.join('\n'));
  });
});
