/**
 * The conformance orchestrator is a pod not created yet, but its profile knows where it runs and
 * some of its labels: AICR deploys it in `aicr-validation` labelled `app.kubernetes.io/name: aicr`,
 * `app.kubernetes.io/component: validation`, and `<domain>/validator`, whose domain changed from
 * `aicr.nvidia.com` to `aicr.run` after v0.11.1 (NVIDIA/aicr pkg/validator/job/deployer.go,
 * pkg/header/header.go). NetworkPolicies decide its flows by Kubernetes rules: a policy selects
 * pods of its own namespace only; a selector on a label whose presence is not known cannot decide.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeSnapshot, type AnalysisResult } from '../../src/questions/analyze.ts';
import { applyRemediation } from '../../src/remediate/what-if.ts';
import { netpol as policy, VPC_CNI_AGENT as AWS_NODE } from '../helpers/policy-objects.ts';
import { allTraffic, scenario, type Scenario } from '../helpers/scenario.ts';

type Json = Record<string, unknown>;

/** One shared, wide-open SG: only NetworkPolicies can block. Prometheus runs on sys-1. */
function cluster(policies: Json[], extra: (s: Scenario) => Scenario = (s) => s): Scenario {
  const s = scenario()
    .subnet('subnet-a', '10.0.16.0/20')
    .withoutNacls()
    .sg('sg-shared', [allTraffic.fromGroup('sg-shared')])
    .node('sys-1', {
      group: 'system',
      subnet: 'subnet-a',
      ip: '10.0.16.10',
      sgs: ['sg-shared'],
      podIps: ['10.0.16.11', '10.0.16.12', '10.0.16.13', '10.0.16.14'],
    })
    .node('gpu-1', {
      group: 'gpu',
      subnet: 'subnet-a',
      ip: '10.0.16.20',
      sgs: ['sg-shared'],
      gpu: true,
      podIps: ['10.0.16.21'],
    })
    .prometheus('prometheus-0', 'sys-1', '10.0.16.11')
    // Dynamo deployed: NATS, a frontend and a worker (future Dynamo pods share their namespace).
    .nats('nats-0', 'sys-1', '10.0.16.13')
    .dynamo('frontend-0', 'frontend', 'sys-1', '10.0.16.14')
    .dynamo('worker-0', 'worker', 'gpu-1', '10.0.16.21')
    .service('kube-system', 'kube-dns', { 'k8s-app': 'kube-dns' }, 53)
    .pod('coredns-1', {
      namespace: 'kube-system',
      node: 'sys-1',
      ip: '10.0.16.12',
      labels: { 'k8s-app': 'kube-dns' },
    })
    .file('k8s/networkpolicies.json', { apiVersion: 'v1', kind: 'List', items: policies })
    .file('k8s/daemonsets.json', { apiVersion: 'v1', kind: 'List', items: [AWS_NODE] });
  return extra(s);
}

const analyze = (s: Scenario): AnalysisResult => s.analyze({ dynamoVersion: '1.2.0' });

function prometheusFlows(result: AnalysisResult) {
  const flows = result.flows.filter((f) => f.requirement === 'prometheus');
  assert.ok(flows.length > 0, 'the orchestrator → Prometheus flows are checked');
  return flows;
}

// The Kubernetes documentation's stock policies (concepts/services-networking/network-policies,
// "Default policies"), applied as the docs do: to the current namespace, `default`.
const docsDenyIngress = policy('default', 'default-deny-ingress', {
  podSelector: {},
  policyTypes: ['Ingress'],
});
const docsDenyAll = policy('default', 'default-deny-all', {
  podSelector: {},
  policyTypes: ['Ingress', 'Egress'],
});

describe('the orchestrator’s namespace decides which policies select it', () => {
  it('without policies the flows pass (the baseline)', () => {
    for (const flow of prometheusFlows(analyze(cluster([]))))
      assert.equal(flow.status, 'allowed', flow.reason);
  });

  for (const docs of [docsDenyIngress, docsDenyAll]) {
    const name = (docs.metadata as Json).name as string;
    it(`the docs' ${name} in namespace default leaves its 9090 flows allowed, not unknown`, () => {
      const result = analyze(cluster([docs]));
      for (const flow of prometheusFlows(result)) {
        assert.equal(flow.status, 'allowed', flow.reason);
        assert.doesNotMatch(JSON.stringify(flow.steps), /default\/default-deny/);
      }
      assert.equal(result.verdict, 'pass');
      assert.ok(
        result.notes.some((n) =>
          /conformance orchestrator as a pod in namespace aicr-validation .*aicr\.run\/validator .* is not assumed/.test(
            n,
          ),
        ),
        result.notes.join('\n'),
      );
    });
  }

  it('a default-deny egress policy in aicr-validation blocks its egress to Prometheus, naming the policy', () => {
    const result = analyze(
      cluster([
        policy('aicr-validation', 'default-deny-egress', { podSelector: {}, policyTypes: ['Egress'] }),
      ]),
    );
    for (const flow of prometheusFlows(result)) {
      assert.equal(flow.status, 'blocked', flow.reason);
      assert.match(flow.reason, /aicr-validation\/default-deny-egress/);
    }
    // It dials kube-prometheus-prometheus.monitoring.svc by name: its DNS is required, and blocked.
    // Nothing else is egress-isolated, so every DNS flow is the orchestrator's.
    const dns = result.flows.filter((f) => f.requirement === 'dns' || f.requirement === 'dns-tcp');
    assert.ok(dns.length > 0, result.flows.map((f) => f.id).join('\n'));
    for (const flow of dns) {
      assert.equal(flow.status, 'blocked', flow.reason);
      assert.match(flow.reason, /aicr-validation\/default-deny-egress/);
    }
  });

  it('the NetworkPolicy fix selects it by the labels every AICR version gives it, and makes the flows pass', () => {
    const s = cluster([
      policy('aicr-validation', 'default-deny-egress', { podSelector: {}, policyTypes: ['Egress'] }),
    ]);
    const snapshot = s.snapshot();
    const before = analyzeSnapshot(snapshot, { dynamoVersion: '1.2.0' });
    const fix = before.policyRemediation.find((p) => p.requirements.includes('prometheus'));
    assert.ok(fix, JSON.stringify(before.policyRemediation));
    assert.equal(fix.namespace, 'aicr-validation');
    const selector = JSON.stringify((fix.manifest.spec as Json).podSelector);
    assert.doesNotMatch(selector, /aicr\.nvidia\.com|aicr\.run/, 'no label only some AICR versions carry');
    const after = analyzeSnapshot(
      applyRemediation(snapshot, before.remediation, before.naclRemediation, before.policyRemediation),
      { dynamoVersion: '1.2.0' },
    );
    for (const flow of prometheusFlows(after)) assert.equal(flow.status, 'allowed', flow.reason);
    assert.equal(after.verdict, 'pass');
  });

  it('a policy in aicr-validation selecting on a label every AICR version gives it decides its flows', () => {
    const result = analyze(
      cluster([
        policy('aicr-validation', 'default-deny-egress', { podSelector: {}, policyTypes: ['Egress'] }),
        policy('aicr-validation', 'allow-prometheus', {
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'aicr' } },
          policyTypes: ['Egress'],
          egress: [
            {
              to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
              ports: [{ protocol: 'TCP', port: 9090 }],
            },
          ],
        }),
      ]),
    );
    for (const flow of prometheusFlows(result)) assert.equal(flow.status, 'allowed', flow.reason);
  });
});

describe('labels that depend on the AICR version are never assumed', () => {
  for (const key of ['aicr.nvidia.com/validator', 'aicr.run/validator']) {
    it(`an egress allow that selects on ${key} is unknown, naming the policy and the label`, () => {
      const result = analyze(
        cluster([
          policy('aicr-validation', 'default-deny-egress', { podSelector: {}, policyTypes: ['Egress'] }),
          policy('aicr-validation', 'allow-prometheus', {
            podSelector: { matchLabels: { [key]: 'ai-service-metrics' } },
            policyTypes: ['Egress'],
            egress: [{ ports: [{ protocol: 'TCP', port: 9090 }] }],
          }),
        ]),
      );
      for (const flow of prometheusFlows(result)) {
        assert.equal(flow.status, 'unknown', flow.reason);
        assert.ok(flow.reason.includes(key), flow.reason);
        assert.ok(JSON.stringify(flow.steps).includes('aicr-validation/allow-prometheus'));
      }
    });

    it(`an isolating policy that selects on ${key} leaves its egress unknown, never allowed`, () => {
      const result = analyze(
        cluster([
          policy('aicr-validation', 'deny-validators', {
            podSelector: { matchExpressions: [{ key, operator: 'Exists' }] },
            policyTypes: ['Egress'],
          }),
        ]),
      );
      for (const flow of prometheusFlows(result)) {
        assert.equal(flow.status, 'unknown', flow.reason);
        assert.match(flow.reason, /aicr-validation\/deny-validators selects on label/);
        assert.ok(flow.reason.includes(key), flow.reason);
      }
    });

    it(`Prometheus admitting only pods labelled ${key} is unknown for the orchestrator`, () => {
      const result = analyze(
        cluster([
          policy('monitoring', 'prometheus-ingress', {
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
            policyTypes: ['Ingress'],
            ingress: [
              {
                from: [
                  {
                    namespaceSelector: {
                      matchLabels: { 'kubernetes.io/metadata.name': 'aicr-validation' },
                    },
                    podSelector: { matchLabels: { [key]: 'ai-service-metrics' } },
                  },
                ],
                ports: [{ protocol: 'TCP', port: 9090 }],
              },
            ],
          }),
        ]),
      );
      for (const flow of prometheusFlows(result)) {
        assert.equal(flow.status, 'unknown', flow.reason);
        assert.ok(flow.reason.includes(key), flow.reason);
      }
    });
  }

  it('Prometheus admitting the aicr-validation namespace admits the orchestrator', () => {
    const result = analyze(
      cluster([
        policy('monitoring', 'prometheus-ingress', {
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
          policyTypes: ['Ingress'],
          ingress: [
            {
              from: [
                { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'aicr-validation' } } },
              ],
              ports: [{ protocol: 'TCP', port: 9090 }],
            },
          ],
        }),
      ]),
    );
    for (const flow of prometheusFlows(result)) assert.equal(flow.status, 'allowed', flow.reason);
  });

  it('a SecurityGroupPolicy in aicr-validation selecting on the versioned label makes its placement unknown', () => {
    const result = analyze(
      cluster([], (s) =>
        s.file('k8s/sgp.json', {
          apiVersion: 'v1',
          kind: 'List',
          items: [
            {
              apiVersion: 'vpcresources.k8s.aws/v1beta1',
              kind: 'SecurityGroupPolicy',
              metadata: { name: 'validators', namespace: 'aicr-validation' },
              spec: {
                podSelector: { matchLabels: { 'aicr.nvidia.com/validator': 'ai-service-metrics' } },
                securityGroups: { groupIds: ['sg-validators'] },
              },
            },
          ],
        }),
      ),
    );
    for (const flow of prometheusFlows(result)) {
      assert.equal(flow.status, 'unknown', flow.reason);
      assert.match(flow.reason, /SecurityGroupPolicy aicr-validation\/validators/);
      assert.ok(flow.reason.includes('aicr.nvidia.com/validator'), flow.reason);
    }
  });
});
