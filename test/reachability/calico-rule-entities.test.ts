/**
 * How a Calico rule's source or destination matches an end
 * (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#entityrule):
 * - `nets` matches an address in any of the listed CIDRs, so a pod not created yet (whose address
 *   is any of subnet-a, 10.0.16.0/20) may match a list one of whose CIDRs covers part of the
 *   subnet, though another is elsewhere;
 * - `notSelector` excludes what it selects as written: the namespace scope (the rule's
 *   namespaceSelector) narrows only `selector` (Felix's RuleAPIV2ToBackend), so a pod the
 *   notSelector picks is excluded whatever its namespace.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CALICO_NODE, calicoNp, clientIdentity, policyWorld, type Json } from './policy-world.ts';

const world = (policies: Json[]) => policyWorld(policies, { daemonSets: [CALICO_NODE] });

describe('Calico rule entities: nets', () => {
  const egressTo = (nets: string[]) => {
    const w = world([
      calicoNp('app', 'out', {
        selector: 'all()',
        types: ['Egress'],
        egress: [{ action: 'Allow', destination: { nets } }],
      }),
    ]);
    return w.step('egress', w.pod('client-0'), w.predicted(clientIdentity));
  };

  it('to a pod not created yet: one of two CIDRs covering half its subnet, the other elsewhere: may match', () => {
    const step = egressTo(['10.0.16.0/21', '192.168.0.0/16']);
    assert.equal(step.status, 'unknown');
    assert.ok(
      step.facts.some(
        (f) =>
          f.text ===
          'Calico NetworkPolicy app/out egress[0] may allow tcp/8000: whether its destination matches a pod on a-1 depends on labels, a namespace or addresses not known',
      ),
      step.facts.map((f) => f.text).join('\n'),
    );
  });

  it('the whole subnet among the CIDRs: allowed; none of them touching it: the end-of-tier deny', () => {
    assert.equal(egressTo(['192.168.0.0/16', '10.0.16.0/20']).status, 'allowed');
    assert.equal(egressTo(['192.168.0.0/16', '10.0.32.0/20']).status, 'blocked');
  });
});

describe('Calico rule entities: notSelector is not scoped by the namespaceSelector', () => {
  // Namespace labels are not captured here: whether app matches team == 'front' is not known.
  const ingressFrom = (source: Json) => {
    const w = world([
      calicoNp('srv', 'server-in', {
        selector: "role == 'server'",
        types: ['Ingress'],
        ingress: [{ action: 'Allow', source }],
      }),
    ]);
    return w.step('ingress', w.pod('client-0'), w.pod('server-0'));
  };

  it('the client excluded by notSelector: never allowed, whatever its namespace’s labels (the end-of-tier deny)', () => {
    const step = ingressFrom({ namespaceSelector: "team == 'front'", notSelector: "role == 'client'" });
    assert.equal(step.status, 'blocked');
    assert.deepEqual(
      step.facts.map((f) => f.text),
      [
        "Calico NetworkPolicy srv/server-in select srv/server-0 for ingress and no rule acts on tcp/8000 from app/client-0: Calico's end-of-tier deny",
      ],
    );
  });

  it('the client not excluded: it turns on its namespace’s labels, not known', () => {
    assert.equal(
      ingressFrom({ namespaceSelector: "team == 'front'", notSelector: "role == 'db'" }).status,
      'unknown',
    );
  });
});

describe('Calico rule entities: a notSelector or namespaceSelector of blanks only', () => {
  // Unset, it excludes nothing (the client matches: allowed); read as all(), it would exclude
  // every Calico endpoint, or scope the rule to every namespace. Which Calico does is not settled
  // here: the rule may match, with the doubt named.
  const ingressFrom = (source: Json, from: 'client' | 'control plane' = 'client') => {
    const w = world([
      calicoNp('srv', 'server-in', {
        selector: "role == 'server'",
        types: ['Ingress'],
        ingress: [{ action: 'Allow', source }],
      }),
    ]);
    return w.step('ingress', from === 'client' ? w.pod('client-0') : w.controlPlane(), w.pod('server-0'));
  };

  it('a namespaceSelector of blanks from the EKS control plane (no namespace): still a doubt', () => {
    // Read as all(), it would match workloads only, and the control plane would fall to the
    // end-of-tier deny; unset, the rule matches any source.
    assert.equal(ingressFrom({ namespaceSelector: ' ' }, 'control plane').status, 'unknown');
    assert.equal(ingressFrom({}, 'control plane').status, 'allowed');
  });

  for (const key of ['notSelector', 'namespaceSelector'])
    it(`${key}: "  " is a doubt, not a reading`, () => {
      const step = ingressFrom({ [key]: '  ' });
      assert.equal(step.status, 'unknown');
      assert.ok(
        step.facts.some((f) =>
          f.text.includes(`it also matches on source.${key} (blank), which is not modelled`),
        ),
        step.facts.map((f) => f.text).join('\n'),
      );
      assert.equal(ingressFrom({}).status, 'allowed');
    });
});
