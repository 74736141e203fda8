/**
 * The Calico policy step on hand-made flows: what it decides and what it says. Expected verdicts
 * follow Calico's documentation (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy
 * and …/globalnetworkpolicy, …/tier): policies sort by order (none = last; ties by name), rules run
 * in order, Allow and Deny are final, Log goes on, Pass goes to the namespace profile (which
 * allows); an endpoint selected by a policy of the tier and matched by no rule is denied at the end
 * of the tier; one selected by none is allowed. A NetworkPolicy's rule selectors are scoped to its
 * namespace, a GlobalNetworkPolicy's to every namespace; host-networked pods are host endpoints to
 * Calico (not captured).
 * client-0 (app, role=client, 10.0.16.11) → server-0 (srv, role=server, 10.0.17.11, port "http" = 8000).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isolatedFor } from '../helpers/core.ts';
import type { Fact, TraceStep } from '../../src/reachability/types.ts';
import {
  CALICO_NODE,
  calicoGnp,
  calicoNp,
  clientIdentity,
  netpol,
  policyWorld,
  type Json,
  type WorldOptions,
} from './policy-world.ts';

const world = (policies: Json[], opts: WorldOptions = {}) =>
  policyWorld(policies, { daemonSets: [CALICO_NODE], ...opts });

/** Ingress to server-0 from client-0 (or `source`), TCP 8000 unless told. */
function ingress(policies: Json[], opts: { from?: number; to?: number } & WorldOptions = {}): TraceStep {
  const w = world(policies, opts);
  return w.step('ingress', w.pod('client-0'), w.pod('server-0'), opts);
}

/** A fact without its origin (the file it came from), for exact comparison. */
const bare = (f: Fact): Record<string, unknown> => {
  const { origin: _origin, ...rest } = f as Fact & { origin?: unknown };
  return rest;
};

const serverIngress = (rules: Json[], extra: Json = {}): Json =>
  calicoNp('srv', 'server-in', {
    selector: "role == 'server'",
    types: ['Ingress'],
    ingress: rules,
    ...extra,
  });

describe('Calico step: what a decided step says', () => {
  it('an Allow: the rule named with its policy, action and order', () => {
    const step = ingress([serverIngress([{ action: 'Allow' }], { order: 10 })]);
    assert.equal(step.status, 'allowed');
    assert.equal(step.kind, 'policy-ingress');
    assert.equal(step.at, 'pod srv/server-0 (namespace srv)');
    const text = 'Calico NetworkPolicy srv/server-in ingress[0] allows tcp/8000 from app/client-0';
    assert.equal(step.summary, `ingress tcp/8000 allowed: ${text}`);
    assert.deepEqual(step.facts.map(bare), [
      {
        kind: 'network-policy',
        namespace: 'srv',
        name: 'server-in',
        direction: 'ingress',
        ruleIndex: 0,
        policyKind: 'Calico NetworkPolicy',
        action: 'Allow',
        order: 10,
        text,
      },
    ]);
    assert.equal((step.facts[0] as { origin?: { file: string } }).origin?.file, 'k8s/networkpolicies.json');
  });

  it('a Deny in a GlobalNetworkPolicy without order: blocked, its namespace empty and no order', () => {
    const step = ingress([
      calicoGnp('shut', { selector: "role == 'server'", types: ['Ingress'], ingress: [{ action: 'Deny' }] }),
    ]);
    assert.equal(step.status, 'blocked');
    const text = 'Calico GlobalNetworkPolicy shut ingress[0] denies tcp/8000 from app/client-0';
    assert.equal(step.summary, `Calico policy ingress denies tcp/8000 from app/client-0: ${text}`);
    assert.deepEqual(step.deniedPorts, [{ from: 8000, to: 8000 }]);
    assert.deepEqual(step.facts.map(bare), [
      {
        kind: 'network-policy',
        namespace: '',
        name: 'shut',
        direction: 'ingress',
        ruleIndex: 0,
        policyKind: 'Calico GlobalNetworkPolicy',
        action: 'Deny',
        text,
      },
    ]);
  });

  it('a Pass: the namespace profile allows', () => {
    const step = ingress([serverIngress([{ action: 'Pass' }])]);
    assert.equal(step.status, 'allowed');
    assert.equal(
      step.summary,
      'ingress tcp/8000 allowed: Calico NetworkPolicy srv/server-in ingress[0] passes it to the namespace profile, which allows tcp/8000 from app/client-0',
    );
    assert.equal((step.facts[0] as { action?: string }).action, 'Pass');
  });

  it('selected and no rule acts: the end-of-tier deny, told by the first policy, without a rule', () => {
    const step = ingress([serverIngress([{ action: 'Allow', protocol: 'UDP' }], { order: 5 })]);
    assert.equal(step.status, 'blocked');
    const text =
      "Calico NetworkPolicy srv/server-in select srv/server-0 for ingress and no rule acts on tcp/8000 from app/client-0: Calico's end-of-tier deny";
    assert.equal(step.summary, `Calico policy ingress denies tcp/8000 from app/client-0: ${text}`);
    assert.deepEqual(step.facts.map(bare), [
      {
        kind: 'network-policy',
        namespace: 'srv',
        name: 'server-in',
        direction: 'ingress',
        policyKind: 'Calico NetworkPolicy',
        order: 5,
        text,
      },
    ]);
  });

  it('two policies select the pod and no rule acts: both named in the end-of-tier deny, in order', () => {
    const udpOnly = (name: string, order: number): Json =>
      calicoNp('srv', name, { selector: 'all()', order, ingress: [{ action: 'Allow', protocol: 'UDP' }] });
    const step = ingress([udpOnly('second', 20), udpOnly('first', 10)]);
    assert.equal(step.status, 'blocked');
    assert.deepEqual(
      step.facts.map((f) => f.text),
      [
        "Calico NetworkPolicy srv/first, Calico NetworkPolicy srv/second select srv/server-0 for ingress and no rule acts on tcp/8000 from app/client-0: Calico's end-of-tier deny",
      ],
    );
    assert.equal(step.facts[0]!.kind === 'network-policy' && step.facts[0]!.name, 'first');
  });

  it('no policy selects the pod: allowed, saying so', () => {
    const step = ingress([
      calicoNp('srv', 'db', { selector: "role == 'db'", types: ['Ingress'], ingress: [{ action: 'Deny' }] }),
    ]);
    assert.equal(step.status, 'allowed');
    assert.equal(step.summary, 'no Calico or Kubernetes policy selects srv/server-0 for ingress');
    assert.deepEqual(step.facts, []);
  });

  it('egress: the source’s policies, “to” the destination', () => {
    const w = world([
      calicoNp('app', 'out', { selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny' }] }),
    ]);
    const step = w.step('egress', w.pod('client-0'), w.pod('server-0'));
    assert.equal(step.kind, 'policy-egress');
    assert.equal(step.status, 'blocked');
    assert.equal(step.at, 'pod app/client-0 (namespace app)');
    assert.equal(
      step.summary,
      'Calico policy egress denies tcp/8000 to srv/server-0: Calico NetworkPolicy app/out egress[0] denies tcp/8000 to srv/server-0',
    );
    assert.equal(step.facts[0]!.kind === 'network-policy' && step.facts[0]!.direction, 'egress');
  });

  it('a Kubernetes policy among them: order 1000, its rules Allows, named NetworkPolicy ns/name', () => {
    const step = ingress([
      netpol('srv', 'k8s-in', { podSelector: {}, ingress: [{}] }),
      serverIngress([{ action: 'Deny' }], { order: 2000 }),
    ]);
    assert.equal(step.status, 'allowed');
    const text = 'NetworkPolicy srv/k8s-in ingress[0] allows tcp/8000 from app/client-0';
    assert.deepEqual(step.facts.map(bare), [
      {
        kind: 'network-policy',
        namespace: 'srv',
        name: 'k8s-in',
        direction: 'ingress',
        ruleIndex: 0,
        order: 1000,
        text,
      },
    ]);
  });
});

describe('Calico step: order', () => {
  it('a policy with an order comes before one without; between two orders the lower first', () => {
    const deny = (name: string, order?: number) =>
      calicoNp('srv', name, {
        selector: 'all()',
        ...(order !== undefined ? { order } : {}),
        ingress: [{ action: 'Deny' }],
      });
    const allow = (name: string, order?: number) =>
      calicoNp('srv', name, {
        selector: 'all()',
        ...(order !== undefined ? { order } : {}),
        ingress: [{ action: 'Allow' }],
      });
    assert.equal(ingress([deny('a-deny'), allow('b-allow', 100)]).status, 'allowed');
    assert.equal(ingress([allow('a-allow'), deny('b-deny', 100)]).status, 'blocked');
    assert.equal(ingress([deny('a-deny', 20), allow('b-allow', 10)]).status, 'allowed');
    assert.equal(ingress([allow('b-allow', 10), deny('a-deny', 20)]).status, 'allowed');
    assert.equal(ingress([allow('a-allow', 20), deny('b-deny', 10)]).status, 'blocked');
    // Same order: by name, whichever comes first in the list.
    assert.equal(ingress([deny('b-deny', 10), allow('a-allow', 10)]).status, 'allowed');
    assert.equal(ingress([allow('b-allow', 10), deny('a-deny', 10)]).status, 'blocked');
    assert.equal(ingress([deny('b-deny'), allow('a-allow')]).status, 'allowed');
  });

  it('a GlobalNetworkPolicy sorts by its bare name, a NetworkPolicy by namespace/name', () => {
    // "srv/…" sorts before "t…" but after "r…".
    const nsDeny = calicoNp('srv', 'z', { selector: 'all()', order: 1, ingress: [{ action: 'Deny' }] });
    assert.equal(
      ingress([nsDeny, calicoGnp('t', { selector: 'all()', order: 1, ingress: [{ action: 'Allow' }] })])
        .status,
      'blocked',
    );
    assert.equal(
      ingress([nsDeny, calicoGnp('r', { selector: 'all()', order: 1, ingress: [{ action: 'Allow' }] })])
        .status,
      'allowed',
    );
  });
});

describe('Calico step: port pieces', () => {
  it('an Allow on part of the ports and a Deny on the rest: blocked on the rest only', () => {
    const step = ingress(
      [
        serverIngress([
          { action: 'Allow', protocol: 'TCP', destination: { ports: [8000] } },
          { action: 'Deny' },
        ]),
      ],
      {
        from: 8000,
        to: 8001,
      },
    );
    assert.equal(step.status, 'blocked');
    assert.deepEqual(step.deniedPorts, [{ from: 8001, to: 8001 }]);
    assert.equal(
      step.summary,
      'Calico policy ingress denies tcp/8001 from app/client-0: Calico NetworkPolicy srv/server-in ingress[1] denies tcp/8001 from app/client-0',
    );
  });

  it('two Denies on two ports: blocked, both named', () => {
    const step = ingress(
      [
        serverIngress([
          { action: 'Deny', protocol: 'TCP', destination: { ports: [8000] } },
          { action: 'Deny', protocol: 'TCP', destination: { ports: [8001] } },
        ]),
      ],
      { from: 8000, to: 8001 },
    );
    assert.equal(
      step.summary,
      'Calico policy ingress denies tcp/8000-8001 from app/client-0: Calico NetworkPolicy srv/server-in ingress[0] denies tcp/8000 from app/client-0; Calico NetworkPolicy srv/server-in ingress[1] denies tcp/8001 from app/client-0',
    );
  });

  it('Allows on adjoining ranges: allowed, the pieces joined in the summary', () => {
    const step = ingress(
      [
        serverIngress([
          { action: 'Allow', protocol: 'TCP', destination: { ports: ['8000:8004'] } },
          { action: 'Allow', protocol: 'TCP', destination: { ports: ['8005:8010'] } },
        ]),
      ],
      { from: 8000, to: 8010 },
    );
    assert.equal(step.status, 'allowed');
    assert.equal(
      step.summary,
      'ingress tcp/8000-8010 allowed: Calico NetworkPolicy srv/server-in ingress[0] allows tcp/8000-8004 from app/client-0; Calico NetworkPolicy srv/server-in ingress[1] allows tcp/8005-8010 from app/client-0',
    );
  });

  it('notPorts: an Allow on every port but 8001', () => {
    const step = ingress(
      [serverIngress([{ action: 'Allow', protocol: 'TCP', destination: { notPorts: [8001] } }])],
      { from: 8000, to: 8002 },
    );
    assert.equal(step.status, 'blocked');
    assert.deepEqual(step.deniedPorts, [{ from: 8001, to: 8001 }]);
  });

  it('a Log rule acts on nothing: the next rule decides', () => {
    const step = ingress([serverIngress([{ action: 'Log' }, { action: 'Allow' }])]);
    assert.equal(step.status, 'allowed');
    assert.deepEqual(
      step.facts.map((f) => (f as { ruleIndex?: number }).ruleIndex),
      [1],
    );
  });
});

describe('Calico step: rule matches', () => {
  it('ipVersion: a rule for IPv6 does not match an IPv4 flow; one for IPv4 does', () => {
    assert.equal(ingress([serverIngress([{ action: 'Allow', ipVersion: 6 }])]).status, 'blocked');
    assert.equal(ingress([serverIngress([{ action: 'Allow', ipVersion: 4 }])]).status, 'allowed');
  });

  it('notProtocol: a Deny of everything but UDP does not deny TCP', () => {
    assert.equal(
      ingress([serverIngress([{ action: 'Deny', notProtocol: 'UDP' }, { action: 'Allow' }])]).status,
      'blocked',
    );
    assert.equal(
      ingress([serverIngress([{ action: 'Deny', notProtocol: 'TCP' }, { action: 'Allow' }])]).status,
      'allowed',
    );
  });

  it('source nets: covering the client allows; elsewhere no; notNets the other way round', () => {
    const by = (source: Json) => ingress([serverIngress([{ action: 'Allow', source }])]).status;
    assert.equal(by({ nets: ['10.0.16.0/24'] }), 'allowed');
    assert.equal(by({ nets: ['10.0.18.0/24'] }), 'blocked');
    assert.equal(by({ notNets: ['10.0.16.0/24'] }), 'blocked');
    assert.equal(by({ notNets: ['10.0.18.0/24'] }), 'allowed');
    // Nets that rule the client out decide before the selectors are read.
    assert.equal(
      by({ nets: ['10.0.18.0/24'], selector: "role == 'client'", namespaceSelector: 'all()' }),
      'blocked',
    );
  });

  it('source selectors: a NetworkPolicy’s are its own namespace; namespaceSelector widens; notSelector excludes', () => {
    const by = (source: Json) => ingress([serverIngress([{ action: 'Allow', source }])]).status;
    assert.equal(by({ selector: "role == 'client'" }), 'blocked');
    assert.equal(by({ selector: "role == 'client'", namespaceSelector: 'all()' }), 'allowed');
    assert.equal(by({ namespaceSelector: "projectcalico.org/name == 'app'" }), 'allowed');
    assert.equal(by({ namespaceSelector: "projectcalico.org/name == 'srv'" }), 'blocked');
    // notSelector alone in a namespaced policy: pods of its namespace except those selected.
    assert.equal(by({ notSelector: "role == 'db'" }), 'blocked');
    assert.equal(by({ notSelector: "role == 'client'", namespaceSelector: 'all()' }), 'blocked');
    assert.equal(by({ notSelector: "role == 'db'", namespaceSelector: 'all()' }), 'allowed');
    const gnp = (source: Json) =>
      ingress([calicoGnp('g', { selector: "role == 'server'", ingress: [{ action: 'Allow', source }] })])
        .status;
    assert.equal(gnp({ selector: "role == 'client'" }), 'allowed');
    assert.equal(gnp({ notSelector: "role == 'client'" }), 'blocked');
    assert.equal(gnp({ notSelector: "role == 'db'" }), 'allowed');
  });

  it('from the neighbour in srv: a NetworkPolicy’s rule selector does match pods of its own namespace', () => {
    const w = world([serverIngress([{ action: 'Allow', source: { selector: "role == 'server'" } }])]);
    assert.equal(w.step('ingress', w.pod('neighbour-0'), w.pod('server-0')).status, 'allowed');
  });
});

describe('Calico step: what it cannot decide', () => {
  it('a source whose labels are partly known: the rule may match, and the doubt names the source', () => {
    const w = world([
      serverIngress([
        { action: 'Allow', source: { selector: "tier == 'front'", namespaceSelector: 'all()' } },
      ]),
    ]);
    const step = w.step('ingress', w.predicted(clientIdentity), w.pod('server-0'));
    assert.equal(step.status, 'unknown');
    assert.equal(
      step.summary,
      "Calico policy ingress cannot be decided: Calico NetworkPolicy srv/server-in ingress[0] may allow tcp/8000: whether its source matches a pod on a-1 depends on labels, a namespace or addresses not known; Calico NetworkPolicy srv/server-in select srv/server-0 for ingress and no rule acts on tcp/8000 from a pod on a-1: Calico's end-of-tier deny",
    );
  });

  it('a destination that may match, and a rule field outside the subset: both doubts', () => {
    const w = world([
      calicoNp('app', 'out', {
        selector: 'all()',
        types: ['Egress'],
        egress: [{ action: 'Allow', destination: { nets: ['10.0.16.0/21'] }, http: { methods: ['GET'] } }],
      }),
    ]);
    const step = w.step('egress', w.pod('client-0'), w.predicted(clientIdentity));
    assert.equal(step.status, 'unknown');
    assert.equal(
      step.summary,
      "Calico policy egress cannot be decided: Calico NetworkPolicy app/out egress[0] may allow tcp/8000: whether its destination matches a pod on a-1 depends on labels, a namespace or addresses not known; it also matches on http, which is not modelled; Calico NetworkPolicy app/out select app/client-0 for egress and no rule acts on tcp/8000 to a pod on a-1: Calico's end-of-tier deny",
    );
  });

  it('a Deny that may match and the end-of-tier deny: blocked either way, both named', () => {
    const w = world([
      calicoNp('app', 'out', {
        selector: 'all()',
        types: ['Egress'],
        egress: [{ action: 'Deny', destination: { nets: ['10.0.16.0/21'] } }],
      }),
    ]);
    const step = w.step('egress', w.pod('client-0'), w.predicted(clientIdentity));
    assert.equal(step.status, 'blocked');
    assert.deepEqual(
      step.facts.map((f) => f.text),
      [
        'Calico NetworkPolicy app/out egress[0] may deny tcp/8000: whether its destination matches a pod on a-1 depends on labels, a namespace or addresses not known',
        "Calico NetworkPolicy app/out select app/client-0 for egress and no rule acts on tcp/8000 to a pod on a-1: Calico's end-of-tier deny",
      ],
    );
  });

  it('a policy that may select the pod: its rules and the namespace profile are both told', () => {
    const w = world([
      calicoNp('app', 'out', {
        selector: "tier == 'batch'",
        types: ['Egress'],
        egress: [{ action: 'Pass' }],
      }),
    ]);
    const texts = w.step('egress', w.predicted(), w.pod('server-0')).facts.map((f) => f.text);
    assert.ok(
      texts.includes(
        'Calico NetworkPolicy app/out egress[0] may pass it to the namespace profile (which allows) tcp/8000: whether Calico NetworkPolicy app/out selects a pod on a-1 depends on labels not known',
      ),
      texts.join('\n'),
    );
    assert.ok(
      texts.includes(
        'if Calico NetworkPolicy app/out do not select a pod on a-1, its namespace profile allows it',
      ),
      texts.join('\n'),
    );
  });

  it('a policy that may select the pod and may deny: unknown (denied if it selects, allowed by the profile if not)', () => {
    const w = world([
      calicoNp('app', 'out', {
        selector: "tier == 'batch'",
        types: ['Egress'],
        egress: [{ action: 'Deny' }],
      }),
    ]);
    const step = w.step('egress', w.predicted(clientIdentity), w.pod('server-0'));
    assert.equal(step.status, 'unknown');
    assert.match(
      step.summary,
      /^Calico policy egress cannot be decided: Calico NetworkPolicy app\/out egress\[0\] may deny tcp\/8000: whether Calico NetworkPolicy app\/out selects a pod on a-1 depends on labels not known; /,
    );
    assert.ok(
      step.summary.endsWith(
        '; if Calico NetworkPolicy app/out do not select a pod on a-1, its namespace profile allows it',
      ),
    );
  });

  it('a policy that may select the pod and has no rule: "may select", then the profile', () => {
    const w = world([calicoNp('app', 'out', { selector: "tier == 'batch'", types: ['Egress'] })]);
    const step = w.step('egress', w.predicted(clientIdentity), w.pod('server-0'));
    assert.equal(step.status, 'unknown');
    assert.deepEqual(
      step.facts.map((f) => f.text),
      [
        "Calico NetworkPolicy app/out may select a pod on a-1 for egress and no rule acts on tcp/8000 to srv/server-0: Calico's end-of-tier deny",
        'if Calico NetworkPolicy app/out do not select a pod on a-1, its namespace profile allows it',
      ],
    );
  });

  it('a named port on a destination not known: may allow, "a named port cannot be resolved"', () => {
    const w = world([
      calicoNp('app', 'out', {
        selector: 'all()',
        types: ['Egress'],
        egress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: ['http'] } }],
      }),
    ]);
    const step = w.step('egress', w.pod('client-0'), w.predicted());
    assert.equal(step.status, 'unknown');
    assert.match(
      step.summary,
      /^Calico policy egress cannot be decided: Calico NetworkPolicy app\/out egress\[0\] may allow tcp\/8000: a named port cannot be resolved; /,
    );
    // On the server, "http" is 8000 over TCP: resolved.
    assert.equal(w.step('egress', w.pod('client-0'), w.pod('server-0')).status, 'allowed');
    assert.equal(w.step('egress', w.pod('client-0'), w.pod('server-0'), { from: 8001 }).status, 'blocked');
  });

  it('a policy outside the modelled subset (another tier): unknown, naming why', () => {
    const step = ingress([serverIngress([{ action: 'Allow' }], { tier: 'security' })]);
    assert.equal(step.status, 'unknown');
    const text =
      'Calico NetworkPolicy srv/server-in selects srv/server-0 for ingress and lies outside the modelled subset: it is in tier security, and only the default tier is modelled';
    assert.equal(step.summary, `Calico policy ingress cannot be decided: ${text}`);
    assert.deepEqual(
      step.facts.map((f) => f.text),
      [text],
    );
    assert.equal(Object.hasOwn(step.facts[0]!, 'ruleIndex'), false);
  });

  it('an end whose address is not known against nets: may match', () => {
    const w = world([serverIngress([{ action: 'Allow', source: { nets: ['10.0.0.0/8'] } }])]);
    const plane = w.controlPlane();
    const step = w.step('ingress', plane, w.pod('server-0'));
    assert.equal(step.status, 'unknown');
  });
});

describe('Calico step: host-networked pods', () => {
  it('as a peer: a NetworkPolicy’s selector (namespaced) never matches it, a GlobalNetworkPolicy’s may', () => {
    const np = world(
      [
        calicoNp('app', 'in', {
          selector: 'all()',
          ingress: [
            { action: 'Allow', source: { selector: "role == 'server'", namespaceSelector: 'all()' } },
          ],
        }),
      ],
      { hostNetworkServer: true },
    );
    assert.equal(np.step('ingress', np.pod('server-0'), np.pod('client-0')).status, 'blocked');
    const gnp = world(
      [
        calicoGnp('in', {
          selector: "role == 'client'",
          ingress: [{ action: 'Allow', source: { selector: "role == 'server'" } }],
        }),
      ],
      { hostNetworkServer: true },
    );
    assert.equal(gnp.step('ingress', gnp.pod('server-0'), gnp.pod('client-0')).status, 'unknown');
  });
});

describe('Calico step: the labels a workload endpoint carries', () => {
  const denyWhere = (selector: string): Json =>
    calicoGnp('deny-where', { selector, types: ['Ingress'], ingress: [{ action: 'Deny' }] });

  it('its namespace’s name as pcns.projectcalico.org/name, the orchestrator as projectcalico.org/orchestrator', () => {
    assert.equal(ingress([denyWhere("pcns.projectcalico.org/name == 'srv'")]).status, 'blocked');
    assert.equal(ingress([denyWhere("pcns.projectcalico.org/name == 'app'")]).status, 'allowed');
    assert.equal(ingress([denyWhere("projectcalico.org/orchestrator == 'k8s'")]).status, 'blocked');
  });

  it('its service account’s labels (pcsa.) are not captured: a policy selecting on one may select it', () => {
    assert.equal(ingress([denyWhere("pcsa.name == 'web'")]).status, 'unknown');
  });

  it('a notSelector that may match leaves the rule undecided', () => {
    const w = world([
      calicoGnp('g', {
        selector: "role == 'server'",
        ingress: [{ action: 'Allow', source: { notSelector: "tier == 'batch'" } }],
      }),
    ]);
    assert.equal(w.step('ingress', w.predicted(clientIdentity), w.pod('server-0')).status, 'unknown');
  });

  it('a source pod not known at all against a rule selector: may match', () => {
    const w = world([
      calicoGnp('g', {
        selector: "role == 'server'",
        ingress: [{ action: 'Allow', source: { selector: "role == 'client'" } }],
      }),
    ]);
    const step = w.step('ingress', w.predicted(), w.pod('server-0'));
    assert.equal(step.status, 'unknown');
    assert.match(
      step.summary,
      /whether its source matches a pod on a-1 depends on labels, a namespace or addresses not known/,
    );
  });

  it('a host-networked pod is not selected by Calico’s pod policies', () => {
    const w = world([calicoNp('srv', 'all', { selector: 'all()', types: ['Ingress'] })], {
      hostNetworkServer: true,
    });
    assert.equal(isolatedFor(w.sets, w.pod('server-0'), 'ingress'), 'no');
    assert.equal(isolatedFor(w.sets, w.pod('neighbour-0'), 'ingress'), 'yes');
  });
});

describe('Calico step: ports and IP versions told by the ends', () => {
  const allowOn = (rule: Json): Json =>
    calicoGnp('g', { selector: 'all()', types: ['Egress'], egress: [{ action: 'Allow', ...rule }] });

  it('a named port resolves by name and protocol: "http" is TCP, so a UDP rule on it allows no UDP flow', () => {
    const w = world([allowOn({ protocol: 'UDP', destination: { ports: ['http'] } })]);
    assert.equal(
      w.step('egress', w.pod('client-0'), w.pod('server-0'), { protocol: 'udp' }).status,
      'blocked',
    );
  });

  it('a named port on a destination whose labels are partly known cannot be resolved', () => {
    const w = world([allowOn({ protocol: 'TCP', destination: { ports: ['http'] } })]);
    const step = w.step('egress', w.pod('client-0'), w.predicted(clientIdentity));
    assert.equal(step.status, 'unknown');
    assert.match(
      step.summary,
      /Calico GlobalNetworkPolicy g egress\[0\] may allow tcp\/8000: a named port cannot be resolved/,
    );
  });

  it('ipVersion read from the source when the destination’s address is not known', () => {
    const w = world([allowOn({ ipVersion: 4 })]);
    assert.equal(w.step('egress', w.pod('client-0'), w.controlPlane()).status, 'allowed');
  });

  it('ipVersion with neither address known: the rule may match', () => {
    const w = world([
      calicoGnp('g', { selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Allow', ipVersion: 4 }] }),
    ]);
    // The control plane's address is not known, nor (here, by hand) the server's.
    const { addresses: _known, ...server } = w.pod('server-0');
    const texts = w.step('ingress', w.controlPlane(), server).facts.map((f) => f.text);
    assert.ok(
      texts.some((t) => t.startsWith('Calico GlobalNetworkPolicy g ingress[0] may allow tcp/8000')),
      texts.join('\n'),
    );
  });

  it('two fields outside the subset in one rule: both named', () => {
    const w = world([allowOn({ http: { methods: ['GET'] }, icmp: { type: 8 } })]);
    const step = w.step('egress', w.pod('client-0'), w.pod('server-0'));
    assert.equal(step.status, 'unknown');
    assert.match(step.summary, /: it also matches on http, icmp, which is not modelled/);
  });
});

describe('Calico step: Kubernetes policies in Calico’s order', () => {
  const k8sAllow = netpol('srv', 'allow', { podSelector: {}, ingress: [{}] });
  const calicoDeny = (name: string): Json =>
    calicoNp('srv', name, { selector: 'all()', order: 1000, ingress: [{ action: 'Deny' }] });

  it('at the same order 1000, by name: a Kubernetes policy sorts as <namespace>/knp.default.<name>', () => {
    assert.equal(ingress([k8sAllow, calicoDeny('a-deny')]).status, 'blocked');
    assert.equal(ingress([k8sAllow, calicoDeny('z-deny')]).status, 'allowed');
  });

  it('a Kubernetes rule that may match the peer: told as the Kubernetes step tells it', () => {
    const w = world([
      netpol('srv', 'allow', {
        podSelector: {},
        ingress: [{ from: [{ ipBlock: { cidr: '10.0.16.0/21' } }] }],
      }),
      // A Calico policy present (selecting nothing here) makes Calico the evaluator.
      calicoNp('srv', 'db', { selector: "role == 'db'", ingress: [{ action: 'Deny' }] }),
    ]);
    const step = w.step('ingress', w.predicted(clientIdentity), w.pod('server-0'));
    assert.equal(step.status, 'unknown');
    assert.match(
      step.summary,
      /^Calico policy ingress cannot be decided: NetworkPolicy srv\/allow ingress\[0\] may allow tcp\/8000: whether it selects a pod on a-1 depends on labels or a namespace not known; /,
    );
  });

  it('a policy outside the subset that may select the pod: "may select"', () => {
    const w = world([
      calicoNp('app', 'tiered', { tier: 'security', selector: "tier == 'batch'", types: ['Egress'] }),
    ]);
    const step = w.step('egress', w.predicted(clientIdentity), w.pod('server-0'));
    assert.equal(
      step.summary,
      'Calico policy egress cannot be decided: Calico NetworkPolicy app/tiered may select a pod on a-1 for egress and lies outside the modelled subset: it is in tier security, and only the default tier is modelled',
    );
  });
});

describe('Calico step: the direction a policy applies to', () => {
  it('a Calico policy of type Ingress and a Kubernetes one isolating for ingress leave egress alone', () => {
    const w = world([
      calicoNp('app', 'in', { selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Deny' }] }),
      netpol('app', 'k8s-in', { podSelector: {}, policyTypes: ['Ingress'] }),
    ]);
    const step = w.step('egress', w.pod('client-0'), w.pod('server-0'));
    assert.equal(step.status, 'allowed');
    assert.equal(step.summary, 'no Calico or Kubernetes policy selects app/client-0 for egress');
  });

  it('two policies outside the subset, one with two reasons: every reason told', () => {
    const step = ingress([
      serverIngress([{ action: 'Allow' }], { tier: 'security', doNotTrack: true }),
      calicoGnp('pre', {
        selector: 'all()',
        preDNAT: true,
        applyOnForward: true,
        ingress: [{ action: 'Deny' }],
      }),
    ]);
    assert.equal(step.status, 'unknown');
    assert.equal(
      step.summary,
      'Calico policy ingress cannot be decided: Calico GlobalNetworkPolicy pre selects srv/server-0 for ingress and lies outside the modelled subset: preDNAT (host-endpoint policy) is not modelled; applyOnForward (host-endpoint policy) is not modelled; Calico NetworkPolicy srv/server-in selects srv/server-0 for ingress and lies outside the modelled subset: it is in tier security, and only the default tier is modelled; doNotTrack (host-endpoint policy) is not modelled',
    );
    assert.equal(step.facts.length, 2);
  });
});

describe('Calico step: some ports decided, others not', () => {
  const maybeFront = { selector: "tier == 'front'", namespaceSelector: 'all()' };
  const endOfTier = (ports: string) =>
    `Calico NetworkPolicy srv/server-in select srv/server-0 for ingress and no rule acts on tcp/${ports} from a pod on a-1: Calico's end-of-tier deny`;
  const mayAllow = (ports: string) =>
    `Calico NetworkPolicy srv/server-in ingress[1] may allow tcp/${ports}: whether its source matches a pod on a-1 depends on labels, a namespace or addresses not known`;

  it('denied on one port, undecided on the other: blocked on the first, the doubts kept among the facts', () => {
    const w = world([
      serverIngress([
        { action: 'Deny', protocol: 'TCP', destination: { ports: [8000] } },
        { action: 'Allow', protocol: 'TCP', source: maybeFront, destination: { ports: [8001] } },
      ]),
    ]);
    const step = w.step('ingress', w.predicted(clientIdentity), w.pod('server-0'), { from: 8000, to: 8001 });
    assert.equal(step.status, 'blocked');
    assert.deepEqual(step.deniedPorts, [{ from: 8000, to: 8000 }]);
    assert.deepEqual(
      step.facts.map((f) => f.text),
      [
        'Calico NetworkPolicy srv/server-in ingress[0] denies tcp/8000 from a pod on a-1',
        mayAllow('8001'),
        endOfTier('8001'),
      ],
    );
  });

  it('allowed on one port, undecided on the other: unknown, the allowing rule among the facts', () => {
    const w = world([
      serverIngress([
        { action: 'Allow', protocol: 'TCP', destination: { ports: [8000] } },
        { action: 'Allow', protocol: 'TCP', source: maybeFront, destination: { ports: [8001] } },
      ]),
    ]);
    const step = w.step('ingress', w.predicted(clientIdentity), w.pod('server-0'), { from: 8000, to: 8001 });
    assert.equal(step.status, 'unknown');
    assert.equal(
      step.summary,
      `Calico policy ingress cannot be decided: ${mayAllow('8001')}; ${endOfTier('8001')}`,
    );
    assert.deepEqual(
      step.facts.map((f) => f.text),
      [
        'Calico NetworkPolicy srv/server-in ingress[0] allows tcp/8000 from a pod on a-1',
        mayAllow('8001'),
        endOfTier('8001'),
      ],
    );
  });
});
