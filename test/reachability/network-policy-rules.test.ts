/**
 * The Kubernetes NetworkPolicy hop, rule by rule, as "Network Policies"
 * (kubernetes.io/docs/concepts/services-networking/network-policies/) defines it:
 * - a podSelector alone in a peer selects pods of the policy's own namespace; a namespaceSelector
 *   and a podSelector in one peer are ANDed, separate peers ORed;
 * - an empty or absent `from`/`to` matches every peer, an empty or absent `ports` every port;
 * - policyTypes defaults to Ingress (plus Egress when the policy has egress rules);
 * - named ports resolve on the destination pod, by name and protocol;
 * - peers selected by labels are pods: the control plane (outside the pod network) and
 *   host-networked pods match ipBlock peers only.
 * What the step says (its summary and facts) is read as the format the report documents.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isolatedFor } from '../helpers/core.ts';
import {
  CALICO_NODE,
  calicoNp,
  clientIdentity,
  isolateServer,
  netpol,
  policyWorld,
  VPC_CNI_AGENT,
  type Json,
} from './policy-world.ts';

const allowServer = (...rules: Json[]): Json =>
  netpol('srv', 'allow-in', { podSelector: { matchLabels: { role: 'server' } }, ingress: rules });
const appClients = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'app' } } };

describe('NetworkPolicy peers', () => {
  it('a podSelector alone selects pods of the policy’s own namespace only', () => {
    const w = policyWorld([allowServer({ from: [{ podSelector: { matchLabels: { role: 'server' } } }] })]);
    assert.equal(w.step('ingress', w.pod('neighbour-0'), w.pod('server-0')).status, 'allowed');
    const other = policyWorld([
      allowServer({ from: [{ podSelector: { matchLabels: { role: 'client' } } }] }),
    ]);
    const ingress = other.step('ingress', other.pod('client-0'), other.pod('server-0'));
    assert.equal(ingress.status, 'blocked');
    assert.deepEqual(ingress.deniedPorts, [{ from: 8000, to: 8000 }]);
  });

  it('namespaceSelector and podSelector in one peer must both match; two peers match either', () => {
    const both = { ...appClients, podSelector: { matchLabels: { role: 'db' } } };
    const w = policyWorld([allowServer({ from: [both] })]);
    assert.equal(w.step('ingress', w.pod('client-0'), w.pod('server-0')).status, 'blocked');
    const either = policyWorld([
      allowServer({ from: [{ podSelector: { matchLabels: { role: 'db' } } }, appClients] }),
    ]);
    assert.equal(either.step('ingress', either.pod('client-0'), either.pod('server-0')).status, 'allowed');
  });

  it('an empty `from` and a rule with no `from` admit every source', () => {
    for (const rule of [{ from: [] }, { ports: [{ port: 8000 }] }]) {
      const w = policyWorld([allowServer(rule)]);
      const ingress = w.step('ingress', w.pod('client-0'), w.pod('server-0'));
      assert.equal(ingress.status, 'allowed', JSON.stringify(rule));
      assert.equal(
        ingress.summary,
        'ingress tcp/8000 allowed by srv/allow-in ingress[0] allows tcp/8000 from app/client-0',
      );
    }
  });

  it('an empty `ports` admits every port', () => {
    const w = policyWorld([allowServer({ from: [appClients], ports: [] })]);
    const ingress = w.step('ingress', w.pod('client-0'), w.pod('server-0'), { from: 1, to: 65535 });
    assert.equal(ingress.status, 'allowed');
  });

  it('the control plane is no pod: selector peers never match it, and no policy isolates it', () => {
    const w = policyWorld([
      allowServer({ from: [appClients] }, { from: [{ podSelector: {} }] }),
      netpol('app', 'out', { podSelector: {}, policyTypes: ['Egress'] }),
    ]);
    const plane = w.controlPlane();
    const ingress = w.step('ingress', plane, w.pod('server-0'));
    assert.equal(ingress.status, 'blocked');
    assert.equal(
      ingress.summary,
      `NetworkPolicy srv/allow-in isolates srv/server-0 for ingress and no rule allows tcp/8000 from ${plane.label}`,
    );
    const egress = w.step('egress', plane, w.pod('server-0'));
    assert.equal(egress.status, 'allowed');
    assert.equal(egress.summary, `no NetworkPolicy isolates ${plane.label} for egress`);
    assert.equal(egress.at, plane.label);
    assert.deepEqual(egress.facts, []);
    assert.equal(isolatedFor(w.sets, plane, 'egress'), 'no');
  });

  it('an ipBlock against an end whose address is not known cannot decide', () => {
    const w = policyWorld([allowServer({ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] })]);
    const plane = w.controlPlane();
    assert.equal(plane.addresses, undefined);
    const ingress = w.step('ingress', plane, w.pod('server-0'));
    assert.equal(ingress.status, 'unknown');
    assert.equal(
      ingress.summary,
      `NetworkPolicy ingress cannot be decided: srv/allow-in ingress[0] may allow it: whether it selects ${plane.label} depends on labels or a namespace not known`,
    );
  });
});

describe('NetworkPolicy ports', () => {
  const toServer = (ports: Json[]) =>
    netpol('app', 'out', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports }],
    });

  it('a named port the destination does not declare allows nothing', () => {
    const w = policyWorld([toServer([{ port: 'metrics' }])]);
    const egress = w.step('egress', w.pod('client-0'), w.pod('server-0'));
    assert.equal(egress.status, 'blocked');
  });

  it('a named port matches its protocol only: "http" is TCP, so a UDP flow to 8000 is not allowed', () => {
    const w = policyWorld([toServer([{ port: 'http', protocol: 'UDP' }])]);
    assert.equal(
      w.step('egress', w.pod('client-0'), w.pod('server-0'), { protocol: 'udp' }).status,
      'blocked',
    );
    assert.equal(w.step('egress', w.pod('client-0'), w.pod('server-0')).status, 'blocked');
    const tcp = policyWorld([toServer([{ port: 'http' }])]);
    assert.equal(tcp.step('egress', tcp.pod('client-0'), tcp.pod('server-0')).status, 'allowed');
  });

  it('a named port on a destination not known cannot be resolved: unknown, saying so', () => {
    const w = policyWorld([toServer([{ port: 'http' }])]);
    for (const destination of [w.predicted(), w.predicted(clientIdentity)]) {
      const egress = w.step('egress', w.pod('client-0'), destination);
      assert.equal(egress.status, 'unknown', destination.label);
      assert.equal(
        egress.summary,
        'NetworkPolicy egress cannot be decided: app/out egress[0] may allow it: a named port cannot be resolved',
      );
      assert.deepEqual(
        egress.facts.map((f) => f.text),
        [
          'app/out isolates app/client-0 for egress',
          'app/out egress[0] may allow it: a named port cannot be resolved',
        ],
      );
    }
  });

  it('endPort: a range of ports, its ends included', () => {
    const w = policyWorld([allowServer({ from: [appClients], ports: [{ port: 8000, endPort: 8010 }] })]);
    assert.equal(
      w.step('ingress', w.pod('client-0'), w.pod('server-0'), { from: 8000, to: 8010 }).status,
      'allowed',
    );
    const past = w.step('ingress', w.pod('client-0'), w.pod('server-0'), { from: 8010, to: 8011 });
    assert.equal(past.status, 'blocked');
    assert.deepEqual(past.deniedPorts, [{ from: 8011, to: 8011 }]);
  });
});

describe('NetworkPolicy: which rules the step names', () => {
  it('two rules each allowing part of the ports: both named, in order', () => {
    const w = policyWorld([
      allowServer(
        { from: [appClients], ports: [{ port: 8000 }] },
        { from: [appClients], ports: [{ port: 8001 }] },
      ),
    ]);
    const ingress = w.step('ingress', w.pod('client-0'), w.pod('server-0'), { from: 8000, to: 8001 });
    assert.equal(ingress.status, 'allowed');
    assert.equal(
      ingress.summary,
      'ingress tcp/8000-8001 allowed by srv/allow-in ingress[0] allows tcp/8000 from app/client-0; srv/allow-in ingress[1] allows tcp/8001 from app/client-0',
    );
    assert.deepEqual(
      ingress.facts.map((f) => (f.kind === 'network-policy' ? f.ruleIndex : -1)),
      [0, 1],
    );
  });

  it('a second rule allowing only what the first did is not named', () => {
    const w = policyWorld([
      allowServer({ from: [appClients] }, { from: [{ podSelector: {}, namespaceSelector: {} }] }),
    ]);
    const ingress = w.step('ingress', w.pod('client-0'), w.pod('server-0'));
    assert.deepEqual(
      ingress.facts.map((f) => f.text),
      ['srv/allow-in ingress[0] allows tcp/8000 from app/client-0'],
    );
  });

  it('egress allowed: the rule allows the ports "to" the destination', () => {
    const w = policyWorld([
      netpol('app', 'out', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ namespaceSelector: {} }] }],
      }),
    ]);
    const egress = w.step('egress', w.pod('client-0'), w.pod('server-0'));
    assert.equal(egress.status, 'allowed');
    assert.equal(
      egress.summary,
      'egress tcp/8000 allowed by app/out egress[0] allows tcp/8000 to srv/server-0',
    );
  });

  it('a policy that only isolates leaves a fact without a rule index; a rule’s fact carries its index', () => {
    const w = policyWorld([isolateServer, allowServer({ from: [appClients], ports: [{ port: 8000 }] })]);
    const ingress = w.step('ingress', w.pod('client-0'), w.pod('server-0'), { from: 8000, to: 8001 });
    assert.equal(ingress.status, 'blocked');
    assert.deepEqual(
      ingress.facts.map((f) => [
        f.text,
        Object.hasOwn(f, 'ruleIndex') ? (f as { ruleIndex: number }).ruleIndex : 'none',
      ]),
      [
        ['srv/deny-in isolates srv/server-0 for ingress', 'none'],
        ['srv/allow-in isolates srv/server-0 for ingress', 'none'],
        ['srv/allow-in ingress[0] allows tcp/8000 from app/client-0', 0],
      ],
    );
  });

  it('a rule whose peer may match but whose ports are other ones does not make the step unknown', () => {
    const w = policyWorld([
      allowServer({ from: [{ ipBlock: { cidr: '10.0.16.0/21' } }], ports: [{ port: 9000 }] }),
    ]);
    const ingress = w.step('ingress', w.predicted(clientIdentity), w.pod('server-0'));
    assert.equal(ingress.status, 'blocked');
  });
});

describe('NetworkPolicy: what an undecided step says', () => {
  it('a peer that may match, with no label to name', () => {
    const w = policyWorld([allowServer({ from: [{ ipBlock: { cidr: '10.0.16.0/21' } }] })]);
    const ingress = w.step('ingress', w.predicted(clientIdentity), w.pod('server-0'));
    assert.equal(
      ingress.summary,
      'NetworkPolicy ingress cannot be decided: srv/allow-in ingress[0] may allow it: whether it selects a pod on a-1 depends on labels or a namespace not known',
    );
    assert.deepEqual(
      ingress.facts.map((f) => f.text),
      [
        'srv/allow-in isolates srv/server-0 for ingress',
        'srv/allow-in ingress[0] may allow it: whether it selects a pod on a-1 depends on labels or a namespace not known',
      ],
    );
  });

  it('a peer selecting on two labels the pod may lack names both', () => {
    const w = policyWorld([
      allowServer({
        from: [{ namespaceSelector: {}, podSelector: { matchLabels: { tier: 'front', team: 'web' } } }],
      }),
    ]);
    const ingress = w.step('ingress', w.predicted(clientIdentity), w.pod('server-0'));
    assert.equal(
      ingress.summary,
      'NetworkPolicy ingress cannot be decided: srv/allow-in ingress[0] may allow it: whether it selects a pod on a-1 depends on labels or a namespace not known (label tier, team)',
    );
  });

  it('two undecided rules: both reasons, in order', () => {
    const w = policyWorld([
      allowServer(
        { from: [{ ipBlock: { cidr: '10.0.16.0/21' } }] },
        { from: [{ ipBlock: { cidr: '10.0.24.0/21' } }] },
      ),
    ]);
    const ingress = w.step('ingress', w.predicted(clientIdentity), w.pod('server-0'));
    assert.equal(
      ingress.summary,
      'NetworkPolicy ingress cannot be decided: srv/allow-in ingress[0] may allow it: whether it selects a pod on a-1 depends on labels or a namespace not known; srv/allow-in ingress[1] may allow it: whether it selects a pod on a-1 depends on labels or a namespace not known',
    );
  });

  it('a rule that may match the peer on other ports is no reason: only the rule for the flow’s ports is named', () => {
    const w = policyWorld([
      allowServer(
        { from: [{ ipBlock: { cidr: '10.0.16.0/21' } }] },
        { from: [{ ipBlock: { cidr: '10.0.24.0/21' } }], ports: [{ port: 9000 }] },
      ),
    ]);
    const ingress = w.step('ingress', w.predicted(clientIdentity), w.pod('server-0'));
    assert.equal(
      ingress.summary,
      'NetworkPolicy ingress cannot be decided: srv/allow-in ingress[0] may allow it: whether it selects a pod on a-1 depends on labels or a namespace not known',
    );
  });

  it('a policy that may select the pod on a label it may lack: the label named in the summary and facts', () => {
    const w = policyWorld([
      netpol('app', 'out', {
        podSelector: { matchLabels: { tier: 'batch' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }],
      }),
    ]);
    const egress = w.step('egress', w.predicted(clientIdentity), w.pod('server-0'));
    assert.equal(egress.status, 'unknown');
    assert.equal(
      egress.summary,
      'NetworkPolicy egress cannot be decided: whether app/out select a pod on a-1 depends on labels not known: app/out selects on label tier',
    );
    assert.deepEqual(
      egress.facts.map((f) => f.text),
      [
        'app/out may isolate a pod on a-1 for egress (it selects on label tier)',
        'app/out egress[0] may allow it: whether the policy applies to a pod on a-1 depends on labels not known (label tier)',
      ],
    );
  });

  it('two policies that may select the pod, one on two labels; a rule doubtful on both counts: every label and reason told', () => {
    const w = policyWorld([
      netpol('app', 'a', {
        podSelector: { matchLabels: { tier: 'batch', team: 'ml' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '10.0.16.0/21' } }] }],
      }),
      netpol('app', 'b', { podSelector: { matchLabels: { stage: 'x' } }, policyTypes: ['Egress'] }),
    ]);
    const egress = w.step('egress', w.predicted(clientIdentity), w.predicted(clientIdentity));
    assert.equal(egress.status, 'unknown');
    assert.equal(
      egress.summary,
      'NetworkPolicy egress cannot be decided: whether app/a, app/b select a pod on a-1 depends on labels not known: app/a selects on label tier, team; app/b selects on label stage',
    );
    assert.equal(
      egress.facts[0]!.text,
      'app/a may isolate a pod on a-1 for egress (it selects on label tier, team)',
    );
    assert.ok(
      egress.facts.some(
        (f) =>
          f.text ===
          'app/a egress[0] may allow it: whether it selects a pod on a-1 depends on labels or a namespace not known; whether the policy applies to a pod on a-1 depends on labels not known (label tier, team)',
      ),
      egress.facts.map((f) => f.text).join('\n'),
    );
  });

  it('a peer ruled out on a label it has names no label, though its other labels are not known', () => {
    const w = policyWorld([
      allowServer({
        from: [
          { ipBlock: { cidr: '10.0.16.0/21' } },
          { namespaceSelector: {}, podSelector: { matchLabels: { role: 'db', tier: 'x' } } },
        ],
      }),
    ]);
    const ingress = w.step('ingress', w.predicted(clientIdentity), w.pod('server-0'));
    assert.equal(
      ingress.summary,
      'NetworkPolicy ingress cannot be decided: srv/allow-in ingress[0] may allow it: whether it selects a pod on a-1 depends on labels or a namespace not known',
    );
  });

  it('a pod whose identity is not known: no label to name', () => {
    const w = policyWorld([
      netpol('app', 'out', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }],
      }),
    ]);
    const egress = w.step('egress', w.predicted(), w.pod('server-0'));
    assert.equal(egress.status, 'unknown');
    assert.equal(
      egress.summary,
      'NetworkPolicy egress cannot be decided: whether app/out select a pod on a-1 depends on labels not known',
    );
    assert.deepEqual(
      egress.facts.map((f) => f.text),
      [
        'app/out may isolate a pod on a-1 for egress',
        'app/out egress[0] may allow it: whether the policy applies to a pod on a-1 depends on labels not known',
      ],
    );
  });
});

describe('isolatedFor: is a pod isolated for a direction', () => {
  it('policyTypes: an Ingress policy isolates for ingress only; without policyTypes, egress rules add Egress', () => {
    const w = policyWorld([netpol('app', 'in', { podSelector: {}, policyTypes: ['Ingress'] })]);
    assert.equal(isolatedFor(w.sets, w.pod('client-0'), 'ingress'), 'yes');
    assert.equal(isolatedFor(w.sets, w.pod('client-0'), 'egress'), 'no');
    const defaulted = policyWorld([netpol('app', 'both', { podSelector: {}, egress: [{}] })]);
    assert.equal(isolatedFor(defaulted.sets, defaulted.pod('client-0'), 'ingress'), 'yes');
    assert.equal(isolatedFor(defaulted.sets, defaulted.pod('client-0'), 'egress'), 'yes');
    const ingressOnly = policyWorld([netpol('app', 'in', { podSelector: {}, ingress: [{}] })]);
    assert.equal(isolatedFor(ingressOnly.sets, ingressOnly.pod('client-0'), 'egress'), 'no');
  });

  it('a host-networked pod is never isolated by a NetworkPolicy', () => {
    const w = policyWorld([netpol('srv', 'all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })], {
      hostNetworkServer: true,
    });
    assert.equal(isolatedFor(w.sets, w.pod('server-0'), 'ingress'), 'no');
    assert.equal(isolatedFor(w.sets, w.pod('neighbour-0'), 'ingress'), 'yes');
  });

  it('policies nobody enforces isolate nothing', () => {
    const unenforced = [
      { ...VPC_CNI_AGENT, spec: { template: { spec: { containers: [{ name: 'aws-node' }] } } } },
      {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'kube-proxy', namespace: 'kube-system' },
      },
    ];
    const w = policyWorld([netpol('app', 'all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })], {
      daemonSets: unenforced,
    });
    assert.equal(isolatedFor(w.sets, w.pod('client-0'), 'egress'), 'no');
  });

  it('a Calico policy isolates for the types it lists', () => {
    const w = policyWorld([calicoNp('app', 'in', { selector: 'all()', types: ['Ingress'], ingress: [] })], {
      daemonSets: [CALICO_NODE],
    });
    assert.equal(isolatedFor(w.sets, w.pod('client-0'), 'ingress'), 'yes');
    assert.equal(isolatedFor(w.sets, w.pod('client-0'), 'egress'), 'no');
  });
});
