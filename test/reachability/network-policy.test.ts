/** NetworkPolicy semantics, table-tested against the Kubernetes documentation's rules. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeSnapshot } from '../../src/questions/analyze.ts';
import type { AnalysisResult } from '../../src/questions/analyze.ts';
import { applyRemediation } from '../../src/remediate/what-if.ts';
import { allTraffic, proto, scenario, tcp, type Scenario } from '../helpers/scenario.ts';

type Json = Record<string, unknown>;

const policy = (namespace: string, name: string, spec: Json): Json => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace },
  spec,
});

const ENGINE_ON = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'aws-node', namespace: 'kube-system' },
  spec: {
    template: {
      spec: {
        containers: [
          { name: 'aws-node', image: 'amazon-k8s-cni:v1.19.0' },
          {
            name: 'aws-eks-nodeagent',
            image: 'aws-network-policy-agent:v1.1.5',
            args: ['--enable-ipv6=false', '--enable-network-policy=true'],
          },
        ],
      },
    },
  },
};

/** SGs wide open (one shared SG): only policies can block. Worker in dynamo-workload → NATS in dynamo-system. */
function cluster(
  policies: Json[],
  options: {
    engine?: Json[];
    namespaces?: Record<string, Record<string, string>>;
    workerLabels?: Record<string, string>;
    hostNetworkWorker?: boolean;
  } = {},
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
      podIps: ['10.0.16.11', '10.0.16.12'],
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
    });
  if (options.hostNetworkWorker) {
    s.pod('worker-0', {
      namespace: 'dynamo-workload',
      node: 'gpu-1',
      ip: '10.0.16.20',
      hostNetwork: true,
      labels: { 'nvidia.com/dynamo-component-type': 'worker', ...options.workerLabels },
      image: 'nvcr.io/nvidia/ai-dynamo/vllm-runtime:1.2.0',
    });
  } else {
    s.pod('worker-0', {
      namespace: 'dynamo-workload',
      node: 'gpu-1',
      ip: '10.0.16.21',
      labels: {
        'nvidia.com/dynamo-component-type': 'worker',
        'nvidia.com/dynamo-graph-deployment-name': 'vllm-agg',
        ...options.workerLabels,
      },
      image: 'nvcr.io/nvidia/ai-dynamo/vllm-runtime:1.2.0',
    });
  }
  s.file('k8s/networkpolicies.json', { apiVersion: 'v1', kind: 'List', items: policies });
  s.file('k8s/daemonsets.json', { apiVersion: 'v1', kind: 'List', items: options.engine ?? [ENGINE_ON] });
  if (options.namespaces) {
    s.file('k8s/namespaces.json', {
      apiVersion: 'v1',
      kind: 'List',
      items: Object.entries(options.namespaces).map(([name, labels]) => ({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, labels },
      })),
    });
  }
  return s;
}

function natsFromWorker(result: AnalysisResult) {
  const flow = result.flows.find((f) => f.requirement === 'nats' && f.source.kind === 'pods');
  assert.ok(flow, 'worker → NATS flow');
  return flow;
}

const analyze = (s: Scenario) => s.analyze({ dynamoVersion: '1.2.0', conformance: false });
const denyIngress = policy('dynamo-system', 'default-deny', { podSelector: {}, policyTypes: ['Ingress'] });
const allowFrom = (from: Json[], ports?: Json[]) =>
  policy('dynamo-system', 'allow-nats', {
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'nats' } },
    ingress: [{ from, ...(ports ? { ports } : {}) }],
  });
const workloadNs = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dynamo-workload' } },
};

interface Case {
  name: string;
  policies: Json[];
  expected: 'allowed' | 'blocked' | 'unknown';
  options?: Parameters<typeof cluster>[1];
  reason?: RegExp;
}

const cases: Case[] = [
  {
    name: 'default-deny ingress on the NATS namespace blocks',
    policies: [denyIngress],
    expected: 'blocked',
    reason: /NetworkPolicy dynamo-system\/default-deny isolates dynamo-system\/nats-0 for ingress/,
  },
  {
    name: 'a policy of another namespace does not isolate',
    policies: [policy('monitoring', 'deny', { podSelector: {}, policyTypes: ['Ingress'] })],
    expected: 'allowed',
  },
  {
    name: 'a podSelector that does not select NATS does not isolate it',
    policies: [
      policy('dynamo-system', 'deny-etcd', {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'etcd' } },
        policyTypes: ['Ingress'],
      }),
    ],
    expected: 'allowed',
  },
  {
    name: 'default-deny in one direction only: egress deny does not block ingress',
    policies: [policy('dynamo-system', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] })],
    expected: 'allowed',
  },
  {
    name: 'allow from the workload namespace on 4222',
    policies: [denyIngress, allowFrom([workloadNs], [{ port: 4222 }])],
    expected: 'allowed',
  },
  {
    name: 'empty from = every peer',
    policies: [denyIngress, policy('dynamo-system', 'allow-all', { podSelector: {}, ingress: [{}] })],
    expected: 'allowed',
  },
  {
    name: 'allow on another port only',
    policies: [denyIngress, allowFrom([workloadNs], [{ port: 8222 }])],
    expected: 'blocked',
  },
  {
    name: 'UDP 4222 does not allow TCP',
    policies: [denyIngress, allowFrom([workloadNs], [{ port: 4222, protocol: 'UDP' }])],
    expected: 'blocked',
  },
  {
    name: 'named port resolves on the destination pod',
    policies: [denyIngress, allowFrom([workloadNs], [{ port: 'client' }])],
    expected: 'allowed',
  },
  {
    name: 'a named port that names another port',
    policies: [denyIngress, allowFrom([workloadNs], [{ port: 'monitor' }])],
    expected: 'blocked',
  },
  {
    name: 'a port named like an Object.prototype member ("constructor") is not found on the pod',
    policies: [denyIngress, allowFrom([workloadNs], [{ port: 'constructor' }])],
    expected: 'blocked',
  },
  {
    name: 'a label key named like an Object.prototype member ("constructor") does not exist on the pod',
    policies: [
      denyIngress,
      allowFrom([
        {
          namespaceSelector: {},
          podSelector: { matchExpressions: [{ key: 'constructor', operator: 'Exists' }] },
        },
      ]),
    ],
    expected: 'blocked',
  },
  {
    name: 'endPort range covering 4222',
    policies: [denyIngress, allowFrom([workloadNs], [{ port: 4000, endPort: 4300 }])],
    expected: 'allowed',
  },
  {
    name: 'endPort range ending below 4222',
    policies: [denyIngress, allowFrom([workloadNs], [{ port: 4000, endPort: 4221 }])],
    expected: 'blocked',
  },
  {
    name: 'AND trap: namespace and pod selector in ONE peer both must match',
    policies: [
      denyIngress,
      allowFrom([
        {
          namespaceSelector: { matchLabels: { team: 'ml' } },
          podSelector: { matchLabels: { role: 'client' } },
        },
      ]),
    ],
    options: { namespaces: { 'dynamo-workload': { team: 'ml' }, 'dynamo-system': {} } },
    expected: 'blocked',
  },
  {
    name: 'OR: the same selectors as TWO peers allow either',
    policies: [
      denyIngress,
      allowFrom([
        { namespaceSelector: { matchLabels: { team: 'ml' } } },
        { podSelector: { matchLabels: { role: 'client' } } },
      ]),
    ],
    options: { namespaces: { 'dynamo-workload': { team: 'ml' }, 'dynamo-system': {} } },
    expected: 'allowed',
  },
  {
    name: 'a podSelector alone means the policy’s own namespace',
    policies: [
      denyIngress,
      allowFrom([{ podSelector: { matchLabels: { 'nvidia.com/dynamo-component-type': 'worker' } } }]),
    ],
    expected: 'blocked',
  },
  {
    name: 'matchExpressions In / Exists / NotIn / DoesNotExist',
    policies: [
      denyIngress,
      allowFrom([
        {
          ...workloadNs,
          podSelector: {
            matchExpressions: [
              { key: 'nvidia.com/dynamo-component-type', operator: 'In', values: ['worker', 'frontend'] },
              { key: 'nvidia.com/dynamo-graph-deployment-name', operator: 'Exists' },
              { key: 'tier', operator: 'NotIn', values: ['untrusted'] },
              { key: 'quarantine', operator: 'DoesNotExist' },
            ],
          },
        },
      ]),
    ],
    expected: 'allowed',
  },
  {
    name: 'matchExpressions DoesNotExist fails on a present label',
    policies: [
      denyIngress,
      allowFrom([
        {
          ...workloadNs,
          podSelector: { matchExpressions: [{ key: 'quarantine', operator: 'DoesNotExist' }] },
        },
      ]),
    ],
    options: { workerLabels: { quarantine: 'yes' } },
    expected: 'blocked',
  },
  {
    name: 'ipBlock covering the pod IP',
    policies: [denyIngress, allowFrom([{ ipBlock: { cidr: '10.0.16.0/20' } }])],
    expected: 'allowed',
  },
  {
    name: 'ipBlock whose except holds the pod IP',
    policies: [denyIngress, allowFrom([{ ipBlock: { cidr: '10.0.16.0/20', except: ['10.0.16.16/28'] } }])],
    expected: 'blocked',
  },
  {
    name: 'namespace labels not captured: a selector on another label cannot be decided',
    policies: [denyIngress, allowFrom([{ namespaceSelector: { matchLabels: { team: 'ml' } } }])],
    expected: 'unknown',
  },
  {
    name: 'hostNetwork pods are never selected as peers by pod selectors',
    policies: [denyIngress, allowFrom([workloadNs])],
    options: { hostNetworkWorker: true },
    expected: 'blocked',
  },
];

describe('NetworkPolicy semantics (worker in dynamo-workload → NATS in dynamo-system)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const flow = natsFromWorker(analyze(cluster(c.policies, c.options)));
      assert.equal(flow.status, c.expected, flow.reason);
      if (c.reason) assert.match(flow.reason, c.reason);
    });
  }
});

describe('policy engine', () => {
  for (const [name, engine] of [
    ['antrea-agent', 'Antrea'],
    ['kube-router', 'kube-router'],
    ['weave-net', 'Weave Net'],
  ] as const)
    it(`${engine} (DaemonSet ${name}) enforces policies: a full capture with it is not "no engine"`, () => {
      const result = analyze(
        cluster([denyIngress], {
          engine: [
            {
              apiVersion: 'apps/v1',
              kind: 'DaemonSet',
              metadata: { name: 'aws-node', namespace: 'kube-system' },
              spec: { template: { spec: { containers: [{ name: 'aws-node' }] } } },
            },
            {
              apiVersion: 'apps/v1',
              kind: 'DaemonSet',
              metadata: { name, namespace: 'kube-system' },
              spec: { template: { spec: { containers: [{ name }] } } },
            },
          ],
        }),
      );
      assert.equal(natsFromWorker(result).status, 'blocked');
      assert.ok(
        result.notes.some((n) => n.includes(`NetworkPolicy engine: other (${engine}`)),
        result.notes.join('\n'),
      );
    });

  it('no engine among a full DaemonSet capture: policies are inert and the report says so', () => {
    const result = analyze(
      cluster([denyIngress], {
        engine: [
          {
            apiVersion: 'apps/v1',
            kind: 'DaemonSet',
            metadata: { name: 'aws-node', namespace: 'kube-system' },
            spec: { template: { spec: { containers: [{ name: 'aws-node' }] } } },
          },
          {
            apiVersion: 'apps/v1',
            kind: 'DaemonSet',
            metadata: { name: 'kube-proxy', namespace: 'kube-system' },
            spec: { template: { spec: { containers: [{ name: 'kube-proxy' }] } } },
          },
        ],
      }),
    );
    assert.equal(natsFromWorker(result).status, 'allowed');
    assert.ok(result.warnings.some((w) => /NetworkPolicies are present but inert/.test(w)));
  });

  it('engine unknown: policies are assumed enforced, and that is said', () => {
    const result = analyze(cluster([denyIngress], { engine: [] }));
    assert.equal(natsFromWorker(result).status, 'blocked');
    assert.ok(result.warnings.some((w) => /assumed enforced/.test(w)));
  });

  it('Calico enforces', () => {
    const calico = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'calico-node', namespace: 'calico-system' },
      spec: { template: { spec: { containers: [{ name: 'calico-node' }] } } },
    };
    assert.equal(natsFromWorker(analyze(cluster([denyIngress], { engine: [calico] }))).status, 'blocked');
  });
});

describe('egress isolation and DNS', () => {
  const denyEgress = policy('dynamo-workload', 'default-deny-egress', {
    podSelector: {},
    policyTypes: ['Egress'],
  });
  const allowNatsEgress = policy('dynamo-workload', 'allow-nats', {
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dynamo-system' } } }],
        ports: [{ port: 4222 }],
      },
    ],
  });

  it('egress default-deny blocks NATS and adds DNS as a required, blocked flow', () => {
    const result = analyze(cluster([denyEgress]));
    assert.equal(natsFromWorker(result).status, 'blocked');
    const dns = result.flows.filter((f) => f.requirement === 'dns' || f.requirement === 'dns-tcp');
    assert.ok(dns.length >= 2);
    assert.ok(dns.every((f) => f.status === 'blocked'));
    assert.deepEqual([...new Set(dns.map((f) => f.protocol))].sort(), ['tcp', 'udp']);
  });

  it('egress allowed to NATS but not to DNS: NATS allowed, DNS blocked', () => {
    const result = analyze(cluster([allowNatsEgress]));
    assert.equal(natsFromWorker(result).status, 'allowed');
    assert.ok(result.flows.filter((f) => f.requirement === 'dns').every((f) => f.status === 'blocked'));
    assert.equal(result.verdict, 'fail');
  });

  it('hostNetwork pods are not isolated by policies in their namespace', () => {
    const result = analyze(cluster([denyEgress], { hostNetworkWorker: true }));
    assert.equal(natsFromWorker(result).status, 'allowed');
    assert.ok(natsFromWorker(result).steps.some((s) => s.kind === 'policy-egress' && s.status === 'skipped'));
  });

  it('no DNS requirement when nothing is egress-isolated', () => {
    const result = analyze(cluster([denyIngress, allowFrom([workloadNs])]));
    assert.ok(!result.flows.some((f) => f.requirement === 'dns'));
  });
});

describe('policy explanations and fixes', () => {
  it('SG and policy steps appear in one trace in path order, naming the policy', () => {
    const flow = natsFromWorker(analyze(cluster([denyIngress])));
    const kinds = flow.steps.map((s) => s.kind);
    assert.ok(kinds.indexOf('sg-egress') < kinds.indexOf('sg-ingress'));
    assert.ok(kinds.indexOf('sg-ingress') < kinds.indexOf('policy-ingress'));
    const fact = flow.steps.find((s) => s.kind === 'policy-ingress')!.facts[0]!;
    assert.equal(fact.kind, 'network-policy');
    assert.ok(
      fact.kind === 'network-policy' &&
        fact.name === 'default-deny' &&
        fact.origin.file === 'k8s/networkpolicies.json',
    );
  });

  it('emits the narrowest NetworkPolicy, and applying it makes the cluster pass', () => {
    const snapshot = cluster([
      denyIngress,
      policy('dynamo-workload', 'default-deny-egress', { podSelector: {}, policyTypes: ['Egress'] }),
    ]).snapshot();
    const before = analyzeSnapshot(snapshot, { dynamoVersion: '1.2.0', conformance: false });
    assert.equal(before.verdict, 'fail');
    assert.deepEqual(before.remediation, [], 'SGs are fine: no SG rule is proposed');
    const ingress = before.policyRemediation.find((p) => p.direction === 'ingress')!;
    assert.deepEqual(ingress.manifest, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name: 'allow-nats-from-dynamo-workload',
        namespace: 'dynamo-system',
        labels: { 'app.kubernetes.io/managed-by': 'dynamo-netcheck' },
      },
      spec: {
        podSelector: {
          matchLabels: {
            'app.kubernetes.io/name': 'nats',
            'app.kubernetes.io/instance': 'dynamo-platform',
          },
        },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dynamo-workload' } },
                podSelector: {
                  matchLabels: {
                    'nvidia.com/dynamo-component-type': 'worker',
                    'nvidia.com/dynamo-graph-deployment-name': 'vllm-agg',
                  },
                },
              },
            ],
            ports: [{ protocol: 'TCP', port: 4222 }],
          },
        ],
      },
    });
    assert.match(ingress.command, /^kubectl apply -f - <<'EOF'\napiVersion: networking\.k8s\.io\/v1/);
    const after = analyzeSnapshot(
      applyRemediation(snapshot, before.remediation, before.naclRemediation, before.policyRemediation),
      { dynamoVersion: '1.2.0', conformance: false },
    );
    assert.deepEqual(
      after.flows.filter((f) => f.status !== 'allowed').map((f) => `${f.id}: ${f.reason}`),
      [],
    );
    // No frontend is deployed: it is predicted on the GPU nodes (Dynamo 1.2's placement), so the
    // request plane is decided too and nothing is left open.
    assert.deepEqual(after.skipped, []);
    assert.equal(after.verdict, 'pass');
  });

  it('an SG-only cluster is unchanged: no policy steps, no DNS flows', () => {
    const result = scenario()
      .subnet('subnet-a', '10.0.16.0/20')
      .withoutNacls()
      .sg('sg-shared', [allTraffic.fromGroup('sg-shared')])
      .node('sys-1', {
        group: 'system',
        subnet: 'subnet-a',
        ip: '10.0.16.10',
        sgs: ['sg-shared'],
        podIps: ['10.0.16.11'],
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
      .dynamo('worker-0', 'worker', 'gpu-1', '10.0.16.21')
      .analyze({ conformance: false });
    assert.ok(result.flows.every((f) => f.steps.every((s) => !s.kind.startsWith('policy'))));
    assert.ok(!result.flows.some((f) => f.requirement.startsWith('dns')));
  });

  /** One GPU node holds the worker, NATS and CoreDNS; sg-gpu has no rule for 4222 from itself. */
  function coLocated(policies: Json[]): AnalysisResult {
    return scenario()
      .subnet('subnet-a', '10.0.16.0/20')
      .withoutNacls()
      .sg('sg-gpu', [tcp(53).fromGroup('sg-gpu'), proto('udp', 53).fromGroup('sg-gpu')])
      .node('gpu-1', {
        group: 'gpu',
        subnet: 'subnet-a',
        ip: '10.0.16.20',
        sgs: ['sg-gpu'],
        gpu: true,
        podIps: ['10.0.16.21', '10.0.16.22', '10.0.16.23'],
      })
      .nats('nats-0', 'gpu-1', '10.0.16.22')
      .dynamo('worker-0', 'worker', 'gpu-1', '10.0.16.21')
      .service('kube-system', 'kube-dns', { 'k8s-app': 'kube-dns' }, 53)
      .pod('coredns-1', {
        namespace: 'kube-system',
        node: 'gpu-1',
        ip: '10.0.16.23',
        labels: { 'k8s-app': 'kube-dns' },
      })
      .file('k8s/networkpolicies.json', { apiVersion: 'v1', kind: 'List', items: policies })
      .file('k8s/daemonsets.json', { apiVersion: 'v1', kind: 'List', items: [ENGINE_ON] })
      .analyze({ dynamoVersion: '1.2.0', conformance: false });
  }

  it('a co-located flow blocked by a policy gets the policy and the SG rule its across-nodes path needs', () => {
    const result = coLocated([denyIngress]);
    const flow = natsFromWorker(result);
    assert.equal(flow.status, 'blocked');
    assert.equal(flow.coLocationMasks, undefined, 'a blocked flow is not "allowed only because" of anything');
    const sgRule = result.remediation.find((r) => r.groupId === 'sg-gpu' && r.fromPort === 4222);
    assert.ok(sgRule, JSON.stringify(result.remediation));
    assert.equal(sgRule.sourceGroupId, 'sg-gpu');
    assert.ok(sgRule.unblocks.includes(flow.id));
    const policyFix = result.policyRemediation.find((p) => p.direction === 'ingress');
    assert.ok(policyFix?.unblocks.includes(flow.id));
    assert.equal(flow.fixedBy.length, 2, flow.fixedBy.join(', '));
  });

  it('a co-located flow whose only gap is a policy is not called masked, and needs no SG rule', () => {
    const result = coLocated([
      policy('dynamo-workload', 'default-deny-egress', { podSelector: {}, policyTypes: ['Egress'] }),
    ]);
    const dns = result.flows.filter((f) => f.requirement.startsWith('dns'));
    assert.ok(dns.length > 0);
    for (const flow of dns) {
      assert.equal(flow.status, 'blocked', flow.id);
      assert.equal(flow.coLocationMasks, undefined, flow.id);
    }
    assert.ok(!result.remediation.some((r) => r.fromPort === 53), JSON.stringify(result.remediation));
  });
});
