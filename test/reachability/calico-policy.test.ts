/**
 * Calico and Cilium policies. Expected verdicts follow Calico's documentation:
 * - ordering, Allow/Deny final, Log continues, Pass skips to the profile:
 *   https://docs.tigera.io/calico/latest/reference/resources/networkpolicy (Rule) and …/tier;
 * - the end-of-tier deny for endpoints a policy selects, "no policy → allowed" for pods:
 *   https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy and
 *   …/get-started/calico-policy/calico-network-policy;
 * - Kubernetes NetworkPolicies at order 1000 (Calico's K8sNetworkPolicyToCalico), the namespace
 *   profile allowing all (NamespaceToProfile);
 * - selector scopes (a NetworkPolicy's rule selector is its own namespace, a GlobalNetworkPolicy's is
 *   every namespace): …/reference/resources/networkpolicy#selectors.
 * Worker (dynamo-workload, 10.0.16.21) → NATS 4222 (dynamo-system); security groups wide open.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnalysisResult } from '../../src/questions/analyze.ts';
import { allTraffic, scenario, type Scenario } from '../helpers/scenario.ts';

type Json = Record<string, unknown>;

const calicoNp = (namespace: string, name: string, spec: Json): Json => ({
  apiVersion: 'projectcalico.org/v3',
  kind: 'NetworkPolicy',
  metadata: { name, namespace },
  spec,
});
const gnp = (name: string, spec: Json): Json => ({
  apiVersion: 'projectcalico.org/v3',
  kind: 'GlobalNetworkPolicy',
  metadata: { name },
  spec,
});
const k8sNp = (namespace: string, name: string, spec: Json): Json => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace },
  spec,
});

const CALICO_NODE = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'calico-node', namespace: 'calico-system' },
  spec: { template: { spec: { containers: [{ name: 'calico-node' }] } } },
};

const NATS = "app.kubernetes.io/name == 'nats'";
const FROM_WORKLOAD = "projectcalico.org/name == 'dynamo-workload'";

function cluster(
  policies: Json[],
  options: { daemonSets?: Json[]; namespaces?: Record<string, Record<string, string>> | false } = {},
): Scenario {
  const s = scenario()
    .subnet('subnet-a', '10.0.16.0/20')
    .withoutNacls()
    .sg('sg-shared', [allTraffic.fromGroup('sg-shared')])
    .node('sys-1', {
      group: 'system',
      subnet: 'subnet-a',
      ip: '10.0.16.10',
      sgs: ['sg-shared'],
      podIps: ['10.0.16.11', '10.0.16.12', '10.0.16.13'],
    })
    .node('gpu-1', {
      group: 'gpu',
      subnet: 'subnet-a',
      ip: '10.0.16.20',
      sgs: ['sg-shared'],
      gpu: true,
      podIps: ['10.0.16.21'],
    })
    .nats('nats-0', 'sys-1', '10.0.16.11')
    .service('kube-system', 'kube-dns', { 'k8s-app': 'kube-dns' }, 53)
    .pod('coredns-1', {
      namespace: 'kube-system',
      node: 'sys-1',
      ip: '10.0.16.12',
      labels: { 'k8s-app': 'kube-dns' },
    })
    .dynamo('frontend-0', 'frontend', 'sys-1', '10.0.16.13')
    .dynamo('worker-0', 'worker', 'gpu-1', '10.0.16.21');
  s.file('k8s/policies.json', { apiVersion: 'v1', kind: 'List', items: policies });
  s.file('k8s/daemonsets.json', {
    apiVersion: 'v1',
    kind: 'List',
    items: options.daemonSets ?? [CALICO_NODE],
  });
  const namespaces =
    options.namespaces === false
      ? undefined
      : (options.namespaces ?? { 'dynamo-workload': {}, 'dynamo-system': {}, 'kube-system': {} });
  if (namespaces)
    s.file('k8s/namespaces.json', {
      apiVersion: 'v1',
      kind: 'List',
      items: Object.entries(namespaces).map(([name, labels]) => ({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, labels },
      })),
    });
  return s;
}

const analyze = (s: Scenario): AnalysisResult => s.analyze({ dynamoVersion: '1.2.0', conformance: false });

function natsFrom(result: AnalysisResult, pod: 'worker-0' | 'frontend-0') {
  const flow = result.flows.find(
    (f) =>
      f.requirement === 'nats' && f.source.kind === 'pods' && f.source.members.some((m) => m.includes(pod)),
  );
  assert.ok(flow, `${pod} → NATS flow among ${result.flows.map((f) => f.id).join(', ')}`);
  return flow;
}

/** Ingress to NATS only from the frontend pods of dynamo-workload, on TCP 4222. */
const frontendOnly = (rule: Json = {}, spec: Json = {}): Json =>
  calicoNp('dynamo-system', 'nats-from-frontend', {
    selector: NATS,
    types: ['Ingress'],
    ingress: [
      {
        action: 'Allow',
        protocol: 'TCP',
        source: {
          namespaceSelector: FROM_WORKLOAD,
          selector: "nvidia.com/dynamo-component-type == 'frontend'",
        },
        destination: { ports: [4222] },
        ...rule,
      },
    ],
    ...spec,
  });

describe('Calico: a policy that admits only frontend pods to NATS', () => {
  it('blocks the workers’ 4222 flow (end-of-tier deny) and allows the frontend’s, naming the policy', () => {
    const result = analyze(cluster([frontendOnly()]));
    const worker = natsFrom(result, 'worker-0');
    assert.equal(worker.status, 'blocked', worker.reason);
    assert.match(
      worker.reason,
      /Calico NetworkPolicy dynamo-system\/nats-from-frontend select .*end-of-tier deny/,
    );
    const fact = worker.steps.find((s) => s.kind === 'policy-ingress')!.facts[0]!;
    assert.ok(fact.kind === 'network-policy' && fact.policyKind === 'Calico NetworkPolicy');
    assert.equal(fact.origin.file, 'k8s/policies.json');
    const frontend = natsFrom(result, 'frontend-0');
    assert.equal(frontend.status, 'allowed', frontend.reason);
    const step = frontend.steps.find((s) => s.kind === 'policy-ingress');
    assert.equal(step?.status, 'allowed');
    assert.match(step.summary, /nats-from-frontend ingress\[0\] allows tcp\/4222 from/);
  });

  it('a rule outside the subset (serviceAccounts): the worker is still blocked (its selector rules it out), the frontend is unknown naming the rule', () => {
    const result = analyze(
      cluster([
        frontendOnly({
          source: {
            namespaceSelector: FROM_WORKLOAD,
            selector: "nvidia.com/dynamo-component-type == 'frontend'",
            serviceAccounts: { names: ['frontend'] },
          },
        }),
      ]),
    );
    assert.equal(natsFrom(result, 'worker-0').status, 'blocked');
    const frontend = natsFrom(result, 'frontend-0');
    assert.equal(frontend.status, 'unknown', frontend.reason);
    assert.match(
      frontend.reason,
      /nats-from-frontend ingress\[0\] may allow .*source\.serviceAccounts, which is not modelled/,
    );
  });

  it('a policy outside the subset (another tier) makes the flows it could select unknown, naming it — never allowed', () => {
    const result = analyze(cluster([frontendOnly({}, { tier: 'security' })]));
    for (const pod of ['worker-0', 'frontend-0'] as const) {
      const flow = natsFrom(result, pod);
      assert.equal(flow.status, 'unknown', flow.reason);
      assert.match(
        flow.reason,
        /Calico NetworkPolicy dynamo-system\/nats-from-frontend selects .* outside the modelled subset: it is in tier security/,
      );
    }
  });

  it('with Calico present, a worker-side fix is still a Kubernetes NetworkPolicy: it sits at order 1000, before the end-of-tier deny', () => {
    const result = analyze(cluster([frontendOnly()]));
    const fix = result.policyRemediation.find(
      (p) => p.direction === 'ingress' && p.namespace === 'dynamo-system',
    );
    assert.ok(fix, JSON.stringify(result.warnings));
    assert.ok(fix.unblocks.includes(natsFrom(result, 'worker-0').id));
  });
});

describe('Calico: the docs’ sample', () => {
  it('is accepted; in its own namespace it touches nothing of Dynamo’s; the report names Calico', () => {
    const sample = calicoNp('production', 'allow-tcp-6379', {
      selector: "role == 'database'",
      types: ['Ingress', 'Egress'],
      ingress: [
        {
          action: 'Allow',
          metadata: { annotations: { from: 'frontend', to: 'database' } },
          protocol: 'TCP',
          source: { selector: "role == 'frontend'" },
          destination: { ports: [6379] },
        },
      ],
      egress: [{ action: 'Allow' }],
    });
    const result = analyze(cluster([sample], { daemonSets: [] }));
    assert.equal(natsFrom(result, 'worker-0').status, 'allowed');
    assert.ok(
      result.notes.some((n) =>
        /NetworkPolicy engine: calico \(Calico NetworkPolicy production\/allow-tcp-6379 .* is present: Calico runs\)/.test(
          n,
        ),
      ),
      result.notes.join('\n'),
    );
    assert.ok(!result.warnings.some((w) => /assumed enforced/.test(w)), result.warnings.join('\n'));
  });
});

describe('Calico: order, Deny, Log and Pass', () => {
  const denyWorkers = (order: number | undefined): Json =>
    gnp('deny-workers-to-nats', {
      ...(order !== undefined ? { order } : {}),
      selector: NATS,
      ingress: [
        {
          action: 'Deny',
          protocol: 'TCP',
          source: { selector: "nvidia.com/dynamo-component-type == 'worker'" },
        },
      ],
    });
  const k8sAllowWorkload = k8sNp('dynamo-system', 'allow-workload', {
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'nats' } },
    ingress: [
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dynamo-workload' } } }],
      },
    ],
  });

  it('a Deny at order 10 comes before a Kubernetes allow (order 1000): blocked, and the fix must change the Calico policy', () => {
    const result = analyze(cluster([denyWorkers(10), k8sAllowWorkload]));
    const worker = natsFrom(result, 'worker-0');
    assert.equal(worker.status, 'blocked', worker.reason);
    assert.match(
      worker.reason,
      /Calico GlobalNetworkPolicy deny-workers-to-nats ingress\[0\] denies tcp\/4222/,
    );
    assert.equal(natsFrom(result, 'frontend-0').status, 'allowed');
    assert.ok(
      !result.policyRemediation.some((p) => p.unblocks.includes(worker.id)),
      'no Kubernetes policy can override it',
    );
    assert.ok(
      result.warnings.some(
        (w) =>
          w.includes(worker.id) &&
          /Calico GlobalNetworkPolicy deny-workers-to-nats ingress\[0\] denies it at order 10.*change that policy/.test(
            w,
          ),
      ),
      result.warnings.join('\n'),
    );
  });

  it('a Deny at order 2000 comes after the Kubernetes allow: allowed', () => {
    const result = analyze(cluster([denyWorkers(2000), k8sAllowWorkload]));
    assert.equal(natsFrom(result, 'worker-0').status, 'allowed', natsFrom(result, 'worker-0').reason);
  });

  it('a Deny without order comes last (after order 1000): allowed by the Kubernetes policy', () => {
    const result = analyze(cluster([denyWorkers(undefined), k8sAllowWorkload]));
    assert.equal(natsFrom(result, 'worker-0').status, 'allowed');
  });

  it('the same Deny alone blocks the worker, and its selector spares the frontend (which no rule matches… end-of-tier deny)', () => {
    const result = analyze(cluster([denyWorkers(undefined)]));
    assert.equal(natsFrom(result, 'worker-0').status, 'blocked');
    // The GNP selects NATS for ingress; the frontend matches no rule: the tier's implicit deny.
    assert.equal(natsFrom(result, 'frontend-0').status, 'blocked');
  });

  it('lower order wins between two Calico policies: Allow at 5 before Deny at 10', () => {
    const allow = gnp('allow-first', {
      order: 5,
      selector: NATS,
      ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [4222] } }],
    });
    assert.equal(natsFrom(analyze(cluster([denyWorkers(10), allow])), 'worker-0').status, 'allowed');
    assert.equal(
      natsFrom(
        analyze(cluster([denyWorkers(10), { ...allow, spec: { ...(allow.spec as Json), order: 20 } }])),
        'worker-0',
      ).status,
      'blocked',
    );
  });

  it('equal order: the name breaks the tie', () => {
    const allow = (name: string) =>
      gnp(name, { order: 10, selector: NATS, ingress: [{ action: 'Allow', protocol: 'TCP' }] });
    // "a-allow" sorts before "deny-workers-to-nats", "z-allow" after.
    assert.equal(
      natsFrom(analyze(cluster([denyWorkers(10), allow('a-allow')])), 'worker-0').status,
      'allowed',
    );
    assert.equal(
      natsFrom(analyze(cluster([denyWorkers(10), allow('z-allow')])), 'worker-0').status,
      'blocked',
    );
  });

  it('Log goes on to the next rule: Log then Allow allows, Log then Deny denies', () => {
    const policy = (second: string) =>
      calicoNp('dynamo-system', 'log-then', {
        selector: NATS,
        ingress: [
          { action: 'Log', protocol: 'TCP' },
          { action: second, protocol: 'TCP' },
        ],
      });
    assert.equal(natsFrom(analyze(cluster([policy('Allow')])), 'worker-0').status, 'allowed');
    assert.equal(natsFrom(analyze(cluster([policy('Deny')])), 'worker-0').status, 'blocked');
  });

  it('Pass skips the remaining policies (the Kubernetes default-deny at 1000 too) to the namespace profile, which allows', () => {
    const k8sDeny = k8sNp('dynamo-system', 'default-deny', { podSelector: {}, policyTypes: ['Ingress'] });
    const pass = gnp('pass-workload', {
      order: 100,
      selector: 'all()',
      ingress: [{ action: 'Pass', source: { namespaceSelector: FROM_WORKLOAD } }],
    });
    assert.equal(natsFrom(analyze(cluster([k8sDeny])), 'worker-0').status, 'blocked');
    const result = analyze(cluster([k8sDeny, pass]));
    const worker = natsFrom(result, 'worker-0');
    assert.equal(worker.status, 'allowed', worker.reason);
    assert.match(
      worker.reason,
      /pass-workload ingress\[0\] passes it to the namespace profile, which allows/,
    );
  });

  it('a Pass rule that does not match falls through to the next policy', () => {
    const pass = gnp('pass-monitoring', {
      order: 100,
      selector: 'all()',
      ingress: [{ action: 'Pass', source: { namespaceSelector: "projectcalico.org/name == 'monitoring'" } }],
    });
    const k8sDeny = k8sNp('dynamo-system', 'default-deny', { podSelector: {}, policyTypes: ['Ingress'] });
    assert.equal(natsFrom(analyze(cluster([k8sDeny, pass])), 'worker-0').status, 'blocked');
  });
});

describe('Calico: default deny for endpoints a policy selects', () => {
  it('a policy selecting NATS for ingress with no rules denies (the docs’ default-deny pattern)', () => {
    const deny = calicoNp('dynamo-system', 'default-deny', { selector: 'all()', types: ['Ingress'] });
    assert.equal(natsFrom(analyze(cluster([deny])), 'worker-0').status, 'blocked');
  });

  it('a policy that selects NATS for egress only leaves its ingress alone', () => {
    const egressOnly = calicoNp('dynamo-system', 'egress-only', { selector: NATS, types: ['Egress'] });
    assert.equal(natsFrom(analyze(cluster([egressOnly])), 'worker-0').status, 'allowed');
  });

  it('types default from the rules present: egress rules alone mean Egress only', () => {
    const egressRules = calicoNp('dynamo-system', 'egress-rules', {
      selector: NATS,
      egress: [{ action: 'Deny' }],
    });
    assert.equal(natsFrom(analyze(cluster([egressRules])), 'worker-0').status, 'allowed');
    // …and no rules at all means Ingress.
    const none = calicoNp('dynamo-system', 'no-rules', { selector: NATS });
    assert.equal(natsFrom(analyze(cluster([none])), 'worker-0').status, 'blocked');
  });

  it('a policy that selects other pods does not isolate NATS; one in another namespace neither', () => {
    const etcd = calicoNp('dynamo-system', 'etcd-only', {
      selector: "app.kubernetes.io/name == 'etcd'",
      types: ['Ingress'],
    });
    const elsewhere = calicoNp('monitoring', 'deny-all', { selector: 'all()', types: ['Ingress'] });
    assert.equal(natsFrom(analyze(cluster([etcd, elsewhere])), 'worker-0').status, 'allowed');
  });

  it('an Allow on another port only: 4222 falls to the end-of-tier deny', () => {
    const monitorOnly = calicoNp('dynamo-system', 'monitor-only', {
      selector: NATS,
      ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: ['8000:8300'] } }],
    });
    assert.equal(natsFrom(analyze(cluster([monitorOnly])), 'worker-0').status, 'blocked');
  });

  it('ports: a range, a named port, and notPorts', () => {
    const allowPorts = (destination: Json) =>
      calicoNp('dynamo-system', 'ports', {
        selector: NATS,
        ingress: [{ action: 'Allow', protocol: 'TCP', destination }],
      });
    assert.equal(
      natsFrom(analyze(cluster([allowPorts({ ports: ['4000:4300'] })])), 'worker-0').status,
      'allowed',
    );
    assert.equal(
      natsFrom(analyze(cluster([allowPorts({ ports: ['client'] })])), 'worker-0').status,
      'allowed',
    );
    assert.equal(
      natsFrom(analyze(cluster([allowPorts({ ports: ['monitor'] })])), 'worker-0').status,
      'blocked',
    );
    assert.equal(
      natsFrom(analyze(cluster([allowPorts({ notPorts: [4222] })])), 'worker-0').status,
      'blocked',
    );
    assert.equal(
      natsFrom(analyze(cluster([allowPorts({ notPorts: [8222] })])), 'worker-0').status,
      'allowed',
    );
  });

  it('protocol: an Allow for UDP does not allow TCP; notProtocol TCP on a Deny spares TCP', () => {
    const udp = calicoNp('dynamo-system', 'udp', {
      selector: NATS,
      ingress: [{ action: 'Allow', protocol: 'UDP' }],
    });
    assert.equal(natsFrom(analyze(cluster([udp])), 'worker-0').status, 'blocked');
    const notTcp = gnp('deny-not-tcp', {
      order: 1,
      selector: NATS,
      ingress: [{ action: 'Deny', notProtocol: 'TCP' }, { action: 'Allow' }],
    });
    assert.equal(natsFrom(analyze(cluster([notTcp])), 'worker-0').status, 'allowed');
    const number = calicoNp('dynamo-system', 'proto-6', {
      selector: NATS,
      ingress: [{ action: 'Allow', protocol: 6 }],
    });
    assert.equal(natsFrom(analyze(cluster([number])), 'worker-0').status, 'allowed');
  });
});

describe('Calico: GlobalNetworkPolicy and selector scopes', () => {
  const fromWorkers = {
    action: 'Allow',
    protocol: 'TCP',
    source: { selector: "nvidia.com/dynamo-component-type == 'worker'" },
  };

  it('a NetworkPolicy’s rule selector is its own namespace: it does not match the worker in dynamo-workload', () => {
    const np = calicoNp('dynamo-system', 'allow-workers', { selector: NATS, ingress: [fromWorkers] });
    assert.equal(natsFrom(analyze(cluster([np])), 'worker-0').status, 'blocked');
  });

  it('a GlobalNetworkPolicy’s rule selector spans every namespace: it does', () => {
    const g = gnp('allow-workers', { selector: NATS, ingress: [fromWorkers] });
    assert.equal(natsFrom(analyze(cluster([g])), 'worker-0').status, 'allowed');
  });

  it('a GlobalNetworkPolicy’s own namespaceSelector limits where it applies', () => {
    const deny = (namespaceSelector: string) =>
      gnp('deny-in', { namespaceSelector, selector: 'all()', types: ['Ingress'] });
    assert.equal(
      natsFrom(analyze(cluster([deny("projectcalico.org/name == 'dynamo-system'")])), 'worker-0').status,
      'blocked',
    );
    assert.equal(
      natsFrom(analyze(cluster([deny("projectcalico.org/name == 'monitoring'")])), 'worker-0').status,
      'allowed',
    );
  });

  it('selects a namespace by projectcalico.org/namespace in the selector, and by namespace labels', () => {
    const byLabel = gnp('deny-ns', {
      selector: "projectcalico.org/namespace == 'dynamo-system'",
      types: ['Ingress'],
    });
    assert.equal(natsFrom(analyze(cluster([byLabel])), 'worker-0').status, 'blocked');
    const team = calicoNp('dynamo-system', 'allow-team', {
      selector: NATS,
      ingress: [{ action: 'Allow', source: { namespaceSelector: "team == 'ml'" } }],
    });
    const labelled = { 'dynamo-workload': { team: 'ml' }, 'dynamo-system': {}, 'kube-system': {} };
    assert.equal(natsFrom(analyze(cluster([team], { namespaces: labelled })), 'worker-0').status, 'allowed');
    assert.equal(natsFrom(analyze(cluster([team])), 'worker-0').status, 'blocked');
    // Namespaces not captured: the namespace's labels are not known.
    assert.equal(natsFrom(analyze(cluster([team], { namespaces: false })), 'worker-0').status, 'unknown');
  });

  it('selector operators end to end: !=, in, not in, has(), !, ||, && and all()', () => {
    const cases: [string, 'allowed' | 'blocked'][] = [
      ["nvidia.com/dynamo-component-type != 'frontend'", 'allowed'],
      ["nvidia.com/dynamo-component-type != 'worker'", 'blocked'],
      ["nvidia.com/dynamo-component-type in {'worker', 'planner'}", 'allowed'],
      ["nvidia.com/dynamo-component-type not in {'worker'}", 'blocked'],
      ['has(nvidia.com/dynamo-graph-deployment-name)', 'allowed'],
      ['!has(nvidia.com/dynamo-graph-deployment-name)', 'blocked'],
      ["role == 'client' || nvidia.com/dynamo-component-type == 'worker'", 'allowed'],
      ["has(nvidia.com/dynamo-component-type) && role == 'client'", 'blocked'],
      ['all()', 'allowed'],
      ['!all()', 'blocked'],
    ];
    for (const [selector, expected] of cases) {
      const g = gnp('allow-sel', { selector: NATS, ingress: [{ action: 'Allow', source: { selector } }] });
      assert.equal(natsFrom(analyze(cluster([g])), 'worker-0').status, expected, selector);
    }
  });

  it('notSelector matches everything except what it selects', () => {
    const g = (notSelector: string) =>
      gnp('allow-not', { selector: NATS, ingress: [{ action: 'Allow', source: { notSelector } }] });
    assert.equal(
      natsFrom(analyze(cluster([g("nvidia.com/dynamo-component-type == 'worker'")])), 'worker-0').status,
      'blocked',
    );
    assert.equal(
      natsFrom(analyze(cluster([g("nvidia.com/dynamo-component-type == 'frontend'")])), 'worker-0').status,
      'allowed',
    );
  });
});

describe('Calico: nets', () => {
  const allowFrom = (source: Json) =>
    calicoNp('dynamo-system', 'nets', { selector: NATS, ingress: [{ action: 'Allow', source }] });

  it('a CIDR covering the worker’s IP allows; one that does not leaves it to the end-of-tier deny', () => {
    assert.equal(
      natsFrom(analyze(cluster([allowFrom({ nets: ['10.0.16.16/28'] })])), 'worker-0').status,
      'allowed',
    );
    assert.equal(
      natsFrom(analyze(cluster([allowFrom({ nets: ['10.0.16.0/28'] })])), 'worker-0').status,
      'blocked',
    );
    assert.equal(
      natsFrom(analyze(cluster([allowFrom({ nets: ['10.0.16.21'] })])), 'worker-0').status,
      'allowed',
    );
  });

  it('notNets excludes the CIDR', () => {
    assert.equal(
      natsFrom(analyze(cluster([allowFrom({ notNets: ['10.0.16.16/28'] })])), 'worker-0').status,
      'blocked',
    );
    assert.equal(
      natsFrom(analyze(cluster([allowFrom({ notNets: ['192.168.0.0/16'] })])), 'worker-0').status,
      'allowed',
    );
  });

  it('a Deny on the worker’s CIDR before an Allow-all blocks it; destination nets match the NATS pod', () => {
    const g = gnp('deny-gpu-subnet', {
      order: 1,
      selector: NATS,
      ingress: [
        { action: 'Deny', source: { nets: ['10.0.16.20/30'] }, destination: { nets: ['10.0.16.11/32'] } },
        { action: 'Allow' },
      ],
    });
    assert.equal(natsFrom(analyze(cluster([g])), 'worker-0').status, 'blocked');
    assert.equal(natsFrom(analyze(cluster([g])), 'frontend-0').status, 'allowed');
  });
});

describe('Calico: egress', () => {
  it('a GlobalNetworkPolicy default-denying egress of dynamo-workload blocks NATS and makes DNS a required, blocked flow', () => {
    const g = gnp('deny-egress', {
      namespaceSelector: "projectcalico.org/name == 'dynamo-workload'",
      selector: 'all()',
      types: ['Egress'],
    });
    const result = analyze(cluster([g]));
    assert.equal(natsFrom(result, 'worker-0').status, 'blocked');
    const dns = result.flows.filter((f) => f.requirement === 'dns' || f.requirement === 'dns-tcp');
    assert.ok(dns.length >= 2, result.flows.map((f) => f.id).join(', '));
    assert.ok(dns.every((f) => f.status === 'blocked'));
  });
});

describe('Cilium policies: never a confident verdict', () => {
  const cnp = (spec: Json, name = 'nats-l4', namespace = 'dynamo-system'): Json => ({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name, namespace },
    spec,
  });
  const CILIUM_AGENT = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'cilium', namespace: 'kube-system' },
    spec: { template: { spec: { containers: [{ name: 'cilium-agent' }] } } },
  };

  it('a CiliumNetworkPolicy selecting NATS makes the worker’s flow unknown, naming it', () => {
    const result = analyze(
      cluster(
        [cnp({ endpointSelector: { matchLabels: { 'k8s:app.kubernetes.io/name': 'nats' } }, ingress: [{}] })],
        {
          daemonSets: [CILIUM_AGENT],
        },
      ),
    );
    const worker = natsFrom(result, 'worker-0');
    assert.equal(worker.status, 'unknown', worker.reason);
    assert.match(
      worker.reason,
      /CiliumNetworkPolicy dynamo-system\/nats-l4 selects .*nats-0 for ingress; Cilium policies are not modelled/,
    );
  });

  it('one that selects other pods, or only egress of NATS, leaves the flow decided', () => {
    const other = cnp({ endpointSelector: { matchLabels: { app: 'etcd' } }, ingress: [{}] });
    const egress = cnp(
      { endpointSelector: { matchLabels: { 'app.kubernetes.io/name': 'nats' } }, egress: [{}] },
      'nats-egress',
    );
    assert.equal(
      natsFrom(analyze(cluster([other, egress], { daemonSets: [CILIUM_AGENT] })), 'worker-0').status,
      'allowed',
    );
  });

  it('a CiliumClusterwideNetworkPolicy selecting every endpoint makes both ends unknown; its presence means Cilium runs', () => {
    const ccnp = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumClusterwideNetworkPolicy',
      metadata: { name: 'lockdown' },
      specs: [{ endpointSelector: {}, ingress: [{}], egress: [{}] }],
    };
    const result = analyze(cluster([ccnp], { daemonSets: [] }));
    const worker = natsFrom(result, 'worker-0');
    assert.equal(worker.status, 'unknown');
    assert.match(worker.reason, /CiliumClusterwideNetworkPolicy lockdown/);
    assert.ok(
      result.notes.some((n) =>
        /NetworkPolicy engine: cilium \(CiliumClusterwideNetworkPolicy lockdown .* is present: Cilium runs\)/.test(
          n,
        ),
      ),
    );
  });
});
