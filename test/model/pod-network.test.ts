/**
 * Evidence beats defaults (issue 16): where a pod not created yet on a node sits, read from the
 * ENIs the VPC CNI already attached there, checked against the configuration when captured.
 * VPC CNI facts relied on (amazon-vpc-cni-k8s README, EKS User Guide):
 * - custom networking puts pod IPs on secondary ENIs in the ENIConfig's subnet with its SGs, and
 *   none on the primary ENI; default networking copies the primary ENI's subnet and SGs;
 * - prefix delegation hands pods addresses from `/28` prefixes on those ENIs;
 * - trunk/branch (security groups for pods), EFA, `node.k8s.amazonaws.com/no_manage=true` ENIs and
 *   ENIs on another network card never carry an ordinary pod's IP;
 * - a SecurityGroupPolicy that selects a pod gives it a branch ENI on the node's trunk ENI with the
 *   policy's groups (the union over every selecting policy; a selector that is set must match).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ALLOW_ALL_EGRESS,
  allTraffic,
  scenario,
  tcp,
  type ExtraEni,
  type Scenario,
} from '../helpers/scenario.ts';
import {
  analyzeSnapshot,
  buildModel,
  parseSnapshot,
  predictedEndpoint,
  type AnalysisResult,
  type FlowResult,
} from '../helpers/core.ts';

/**
 * sys-1 (default networking: NATS on a secondary IP of its primary ENI, sg-sys) admits 4222 from
 * sg-gpu, the GPU node's primary ENI group only. gpu-1's pods sit on a secondary ENI in
 * subnet-pods with sg-pods unless a case says otherwise. No aws-node DaemonSet, no ENIConfig.
 */
function cluster(gpu: {
  podEni?: { subnet: string; sgs: string[]; ips: string[]; prefixes?: string[] };
  moreEnis?: ExtraEni[];
  sysEnis?: ExtraEni[];
  labels?: Record<string, string>;
}): Scenario {
  return scenario()
    .subnet('subnet-sys', '10.0.16.0/20')
    .subnet('subnet-gpu', '10.0.32.0/20')
    .subnet('subnet-pods', '100.64.0.0/18')
    .subnet('subnet-other', '100.64.64.0/18')
    .withoutNacls()
    .sg('sg-sys', [allTraffic.fromGroup('sg-sys'), tcp(4222).fromGroup('sg-gpu')])
    .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')], [ALLOW_ALL_EGRESS])
    .sg('sg-pods', [allTraffic.fromGroup('sg-pods')], [ALLOW_ALL_EGRESS])
    .sg('sg-branch', [], [ALLOW_ALL_EGRESS])
    .sg('sg-x', [], [ALLOW_ALL_EGRESS])
    .node('sys-1', {
      group: 'system',
      subnet: 'subnet-sys',
      ip: '10.0.16.10',
      sgs: ['sg-sys'],
      podIps: ['10.0.16.11'],
      ...(gpu.sysEnis ? { moreEnis: gpu.sysEnis } : {}),
    })
    .node('gpu-1', {
      group: 'gpu',
      subnet: 'subnet-gpu',
      ip: '10.0.32.10',
      sgs: ['sg-gpu'],
      gpu: true,
      ...(gpu.podEni ? { podEni: gpu.podEni } : {}),
      ...(gpu.moreEnis ? { moreEnis: gpu.moreEnis } : {}),
      ...(gpu.labels ? { labels: gpu.labels } : {}),
    })
    .nats('nats-0', 'sys-1', '10.0.16.11');
}

const CUSTOM = { subnet: 'subnet-pods', sgs: ['sg-pods'], ips: ['100.64.0.10', '100.64.0.11'] };

function natsFromNodes(result: AnalysisResult, node = 'gpu-1'): FlowResult {
  const flow = result.flows.find(
    (f) => f.requirement === 'nats' && f.source.kind === 'nodes' && f.source.members.includes(node),
  );
  assert.ok(flow, `a NATS flow from pods not created yet on ${node} exists`);
  return flow;
}

const analyze = (s: Scenario): AnalysisResult => s.analyze({ conformance: false });

describe('no CNI configuration captured: the ENIs show custom networking', () => {
  it('a secondary ENI in another subnet with other SGs gives predicted pods that subnet and those SGs', () => {
    const result = analyze(cluster({ podEni: CUSTOM }));
    const flow = natsFromNodes(result);
    assert.deepEqual(flow.source.securityGroups, ['sg-pods']);
    assert.equal(flow.source.subnetId, 'subnet-pods');
    // The defaults (sg-gpu) would have said allowed: sg-sys admits sg-gpu, not sg-pods.
    assert.equal(flow.status, 'blocked', flow.reason);
    assert.deepEqual(
      result.remediation
        .filter((r) => r.fromPort === 4222)
        .map((r) => `${r.groupId} ${r.fromPort} ${r.sourceGroupId}`),
      ['sg-sys 4222 sg-pods'],
    );
    assert.match(
      flow.source.placement.join('\n'),
      /eni-gpu-1-1 \(device index 1; 1 secondary IPv4 address\)/,
    );
    assert.match(flow.source.placement.join('\n'), /custom networking inferred/);
    assert.ok(
      result.notes.some((n) =>
        /custom networking inferred on gpu-1 .*subnet-pods.*sg-pods.*eni-gpu-1-1/.test(n),
      ),
      result.notes.join('\n'),
    );
    assert.ok(!result.warnings.some((w) => /assumed VPC CNI defaults/.test(w)), result.warnings.join('\n'));
  });

  it('prefix delegation: an ENI with only a /28 prefix counts the same', () => {
    const result = analyze(
      cluster({
        podEni: {
          subnet: 'subnet-pods',
          sgs: ['sg-pods'],
          ips: ['100.64.0.10'],
          prefixes: ['100.64.0.16/28'],
        },
      }),
    );
    const flow = natsFromNodes(result);
    assert.deepEqual(flow.source.securityGroups, ['sg-pods']);
    assert.equal(flow.status, 'blocked', flow.reason);
    assert.match(flow.source.placement.join('\n'), /delegated prefix 100\.64\.0\.16\/28/);
  });

  it('only another subnet (same SGs) is custom networking too: the subnet is the ENI’s', () => {
    const flow = natsFromNodes(
      analyze(
        cluster({ podEni: { subnet: 'subnet-pods', sgs: ['sg-gpu'], ips: ['100.64.0.10', '100.64.0.11'] } }),
      ),
    );
    assert.equal(flow.source.subnetId, 'subnet-pods');
    assert.deepEqual(flow.source.securityGroups, ['sg-gpu']);
    assert.match(flow.source.placement.join('\n'), /another subnet than the primary ENI/);
  });

  it('ENIs that never carry an ordinary pod’s IP are not evidence: trunk, EFA, no_manage, another network card', () => {
    const ignored: ExtraEni[] = [
      { subnet: 'subnet-other', sgs: ['sg-x'], ips: ['100.64.64.10', '100.64.64.11'], type: 'trunk' },
      { subnet: 'subnet-other', sgs: ['sg-x'], ips: ['100.64.64.20', '100.64.64.21'], type: 'efa' },
      {
        subnet: 'subnet-other',
        sgs: ['sg-x'],
        ips: ['100.64.64.30', '100.64.64.31'],
        tags: { 'node.k8s.amazonaws.com/no_manage': 'true' },
      },
      { subnet: 'subnet-other', sgs: ['sg-x'], ips: ['100.64.64.40', '100.64.64.41'], networkCardIndex: 1 },
    ];
    const withPodEni = natsFromNodes(analyze(cluster({ podEni: CUSTOM, moreEnis: ignored })));
    assert.deepEqual(withPodEni.source.securityGroups, ['sg-pods'], withPodEni.reason);
    assert.equal(withPodEni.source.subnetId, 'subnet-pods');

    // With nothing else, the defaults stand, with their warning.
    const result = analyze(cluster({ moreEnis: ignored }));
    const flow = natsFromNodes(result);
    assert.deepEqual(flow.source.securityGroups, ['sg-gpu']);
    assert.equal(flow.status, 'allowed', flow.reason);
    assert.ok(
      result.warnings.some((w) => /no aws-node DaemonSet.*gpu-1.*assumed VPC CNI defaults/.test(w)),
      result.warnings.join('\n'),
    );
  });

  it('pod ENIs that disagree with each other leave the predicted pod unknown, naming both', () => {
    const flow = natsFromNodes(
      analyze(
        cluster({
          podEni: CUSTOM,
          moreEnis: [{ subnet: 'subnet-other', sgs: ['sg-x'], ips: ['100.64.64.10', '100.64.64.11'] }],
        }),
      ),
    );
    assert.equal(flow.status, 'unknown');
    assert.match(flow.reason, /pod ENIs disagree: eni-gpu-1-1 .*subnet-pods.*; eni-gpu-1-2 .*subnet-other/);
  });

  it('a node with no pod ENI, where another node shows custom networking, is unknown rather than defaulted', () => {
    const result = analyze(
      cluster({ podEni: CUSTOM }).node('gpu-2', {
        group: 'gpu',
        subnet: 'subnet-gpu',
        ip: '10.0.32.20',
        sgs: ['sg-gpu'],
        gpu: true,
      }),
    );
    const flow = natsFromNodes(result, 'gpu-2');
    assert.equal(flow.status, 'unknown');
    assert.match(
      flow.reason,
      /custom networking shows on node gpu-1's eni-gpu-1-1, but no ENI of node gpu-2/,
    );
    assert.equal(natsFromNodes(result, 'gpu-1').status, 'blocked');
  });

  it('secondary ENIs that copy the primary ENI confirm the defaults, and say so', () => {
    const result = analyze(
      cluster({ podEni: { subnet: 'subnet-gpu', sgs: ['sg-gpu'], ips: ['10.0.32.50', '10.0.32.51'] } }),
    );
    const flow = natsFromNodes(result);
    assert.deepEqual(flow.source.securityGroups, ['sg-gpu']);
    assert.equal(flow.status, 'allowed', flow.reason);
    assert.ok(!result.warnings.some((w) => /assumed VPC CNI defaults/.test(w)), result.warnings.join('\n'));
    assert.ok(
      result.notes.some((n) =>
        /pods on gpu-1 .* use the primary ENI's subnet subnet-gpu and SGs sg-gpu/.test(n),
      ),
      result.notes.join('\n'),
    );
  });
});

const eniConfig = (name: string, subnet: string, securityGroups: string[]) => ({
  apiVersion: 'v1',
  kind: 'List',
  items: [
    {
      apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
      kind: 'ENIConfig',
      metadata: { name },
      spec: { subnet, securityGroups },
    },
  ],
});

/** gpu-1 labelled for ENIConfig `pods-a`, its pods on a secondary ENI in subnet-pods with sg-pods. */
const labelled = (): Scenario =>
  cluster({ podEni: CUSTOM, labels: { 'k8s.amazonaws.com/eniConfig': 'pods-a' } });

describe('evidence that contradicts the captured configuration is a conflict', () => {
  it('aws-node custom networking, ENIConfig subnet-other/sg-gpu, ENIs in subnet-pods/sg-pods: unknown, never allowed', () => {
    const result = analyze(
      labelled()
        .cni({ AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true' })
        .file('k8s/eniconfigs.json', eniConfig('pods-a', 'subnet-other', ['sg-gpu'])),
    );
    const flow = natsFromNodes(result);
    assert.equal(flow.status, 'unknown');
    assert.match(
      flow.reason,
      /conflict: ENIConfig pods-a gives pods subnet subnet-other and SGs sg-gpu, but gpu-1's pod ENIs eni-gpu-1-1 .* in subnet subnet-pods with SGs sg-pods/,
    );
    assert.ok(
      result.notes.some((n) => /^conflict on gpu-1 \(node group gpu\): ENIConfig pods-a/.test(n)),
      result.notes.join('\n'),
    );
    assert.ok(!result.remediation.some((r) => r.sourceGroupId === 'sg-gpu'), 'no fix on the configured SG');
  });

  it('without aws-node, an ENIConfig the node names is checked against its ENIs the same way', () => {
    const result = analyze(
      labelled().file('k8s/eniconfigs.json', eniConfig('pods-a', 'subnet-other', ['sg-gpu'])),
    );
    const flow = natsFromNodes(result);
    assert.equal(flow.status, 'unknown');
    assert.match(flow.reason, /^.*conflict: ENIConfig pods-a \(named by node gpu-1; no aws-node DaemonSet/);
  });

  it('control: an ENIConfig the ENIs agree with decides, and the attachment names the confirming ENIs', () => {
    const result = analyze(
      labelled()
        .cni({ AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true' })
        .file('k8s/eniconfigs.json', eniConfig('pods-a', 'subnet-pods', ['sg-pods'])),
    );
    const flow = natsFromNodes(result);
    assert.equal(flow.status, 'blocked', flow.reason);
    assert.deepEqual(flow.source.securityGroups, ['sg-pods']);
    assert.match(flow.source.placement.join('\n'), /confirmed by the node's pod ENIs: eni-gpu-1-1/);
    assert.ok(!result.notes.some((n) => /conflict/.test(n)), result.notes.join('\n'));
  });

  it('aws-node custom networking with the node’s ENIConfig missing: its ENIs decide', () => {
    const result = analyze(labelled().cni({ AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true' }));
    const flow = natsFromNodes(result);
    assert.deepEqual(flow.source.securityGroups, ['sg-pods']);
    assert.match(
      flow.source.placement.join('\n'),
      /ENIConfig pods-a \(node gpu-1\) is not in the snapshot: the node's pod ENIs/,
    );
  });
});

const TRUNK: ExtraEni = { subnet: 'subnet-gpu', sgs: ['sg-gpu'], ips: ['10.0.32.30'], type: 'trunk' };

/** A running Dynamo worker on gpu-1 (so predicted clients carry its namespace and labels). */
function withWorker(s: Scenario): Scenario {
  return s.dynamo('worker-0', 'worker', 'gpu-1', '100.64.0.11');
}

const sgp = (namespace: string, spec: Record<string, unknown>) => ({
  apiVersion: 'v1',
  kind: 'List',
  items: [
    {
      apiVersion: 'vpcresources.k8s.aws/v1beta1',
      kind: 'SecurityGroupPolicy',
      metadata: { name: 'pods-sg', namespace },
      spec: { securityGroups: { groupIds: ['sg-branch'] }, ...spec },
    },
  ],
});

describe('a SecurityGroupPolicy that selects a predicted pod gives it the policy’s groups', () => {
  const byGraph = { podSelector: { matchLabels: { 'nvidia.com/dynamo-graph-deployment-name': 'vllm-agg' } } };

  it('a Dynamo client predicted on a node with a trunk ENI: a branch ENI with sg-branch, in the trunk’s subnet', () => {
    const result = analyze(
      withWorker(cluster({ podEni: CUSTOM, moreEnis: [TRUNK] })).file(
        'k8s/sgp.json',
        sgp('dynamo-workload', byGraph),
      ),
    );
    const flow = natsFromNodes(result);
    assert.deepEqual(flow.source.securityGroups, ['sg-branch']);
    assert.equal(flow.source.subnetId, 'subnet-gpu');
    assert.match(
      flow.source.placement[0]!,
      /SecurityGroupPolicy dynamo-workload\/pods-sg selects it: a branch ENI on trunk eni-gpu-1-2/,
    );
    assert.equal(flow.status, 'blocked', flow.reason);
    assert.ok(
      result.remediation.some((r) => r.sourceGroupId === 'sg-branch'),
      JSON.stringify(result.remediation),
    );
  });

  it('no trunk ENI on the node: the pod cannot get its branch ENI there → unknown', () => {
    const flow = natsFromNodes(
      analyze(withWorker(cluster({ podEni: CUSTOM })).file('k8s/sgp.json', sgp('dynamo-workload', byGraph))),
    );
    assert.equal(flow.status, 'unknown');
    assert.match(flow.reason, /no SG-for-pods trunk ENI/);
  });

  it('a policy of another namespace does not select it', () => {
    const flow = natsFromNodes(
      analyze(
        withWorker(cluster({ podEni: CUSTOM, moreEnis: [TRUNK] })).file(
          'k8s/sgp.json',
          sgp('other', byGraph),
        ),
      ),
    );
    assert.deepEqual(flow.source.securityGroups, ['sg-pods']);
  });

  it('a selector on labels a future pod is not known to carry, or on service-account labels, makes it unknown', () => {
    for (const spec of [
      { podSelector: { matchLabels: { team: 'a' } } },
      { serviceAccountSelector: { matchLabels: { role: 'inference' } } },
    ]) {
      const flow = natsFromNodes(
        analyze(
          withWorker(cluster({ podEni: CUSTOM, moreEnis: [TRUNK] })).file(
            'k8s/sgp.json',
            sgp('dynamo-workload', spec),
          ),
        ),
      );
      assert.equal(flow.status, 'unknown', JSON.stringify(spec));
      assert.match(
        flow.reason,
        /SecurityGroupPolicy dynamo-workload\/pods-sg \(.*\) may select a pod on gpu-1/,
      );
    }
  });

  it('an empty serviceAccountSelector selects every service account', () => {
    const flow = natsFromNodes(
      analyze(
        withWorker(cluster({ podEni: CUSTOM, moreEnis: [TRUNK] })).file(
          'k8s/sgp.json',
          sgp('dynamo-workload', { ...byGraph, serviceAccountSelector: {} }),
        ),
      ),
    );
    assert.deepEqual(flow.source.securityGroups, ['sg-branch']);
  });

  it('a Dynamo client predicted before any Dynamo pod runs: its namespace is not known, so any policy may select it → unknown', () => {
    const flow = natsFromNodes(
      analyze(cluster({ podEni: CUSTOM, moreEnis: [TRUNK] }).file('k8s/sgp.json', sgp('elsewhere', byGraph))),
    );
    assert.equal(flow.status, 'unknown');
    assert.match(flow.reason, /SecurityGroupPolicy elsewhere\/pods-sg \(the pod’s namespace is not known/);
  });

  it('a target not deployed yet (NATS predicted on the system nodes) gets the groups of a policy that selects it', () => {
    const result = analyze(
      scenario()
        .subnet('subnet-sys', '10.0.16.0/20')
        .subnet('subnet-gpu', '10.0.32.0/20')
        .withoutNacls()
        .sg('sg-sys', [allTraffic.fromGroup('sg-sys'), tcp(4222).fromGroup('sg-gpu')])
        .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')])
        .sg('sg-branch', [])
        .node('sys-1', {
          group: 'system',
          subnet: 'subnet-sys',
          ip: '10.0.16.10',
          sgs: ['sg-sys'],
          podIps: ['10.0.16.11'],
          moreEnis: [{ subnet: 'subnet-sys', sgs: ['sg-sys'], ips: ['10.0.16.30'], type: 'trunk' }],
        })
        .node('gpu-1', {
          group: 'gpu',
          subnet: 'subnet-gpu',
          ip: '10.0.32.10',
          sgs: ['sg-gpu'],
          gpu: true,
          podIps: ['10.0.32.11'],
        })
        // A running worker: the clients predicted on gpu-1 are then known to be in dynamo-workload.
        .dynamo('worker-0', 'worker', 'gpu-1', '10.0.32.11')
        .file(
          'k8s/sgp.json',
          sgp('dynamo-system', { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'nats' } } }),
        ),
    );
    const flows = result.flows.filter((f) => f.requirement === 'nats');
    assert.equal(flows.length, 2, JSON.stringify(result.skipped)); // from the worker, and from pods still to come
    const flow = flows.find((f) => f.source.kind === 'nodes')!;
    assert.equal(flow.destination.kind, 'nodes');
    assert.deepEqual(flow.destination.securityGroups, ['sg-branch']);
    assert.equal(flow.status, 'blocked', flow.reason);
  });
});

describe('the address family of pods', () => {
  it('an IPv6 cluster (describe-cluster ipFamily ipv6) predicts pods in the subnet’s IPv6 block only', () => {
    const files = scenario()
      .subnet('subnet-sys', '10.0.16.0/20')
      .withoutNacls()
      .sg('sg-sys', [allTraffic.fromGroup('sg-sys')])
      .node('sys-1', { group: 'system', subnet: 'subnet-sys', ip: '10.0.16.10', sgs: ['sg-sys'] })
      .files()
      .map((f) => {
        if (f.path === 'aws/describe-cluster.json') {
          const doc = JSON.parse(f.text) as { cluster: Record<string, unknown> };
          doc.cluster.kubernetesNetworkConfig = { ipFamily: 'ipv6' };
          return { ...f, text: JSON.stringify(doc) };
        }
        if (f.path === 'aws/subnets.json') {
          const doc = JSON.parse(f.text) as { Subnets: Record<string, unknown>[] };
          doc.Subnets[0]!.Ipv6CidrBlockAssociationSet = [{ Ipv6CidrBlock: '2600:db8:0:1::/64' }];
          return { ...f, text: JSON.stringify(doc) };
        }
        return f;
      });
    const parsed = parseSnapshot(files);
    assert.ok(parsed.ok);
    const model = buildModel(parsed.snapshot);
    assert.equal(model.ipFamily, 6);
    assert.equal(model.ipFamilySource, 'EKS cluster ipFamily ipv6');
    const predicted = predictedEndpoint(model, model.nodes.get('sys-1')!);
    assert.equal(predicted.addresses?.family, 6);
    assert.equal(predicted.addressText, 'an IP in subnet-sys (2600:db8:0:1::/64)');
    const result = analyzeSnapshot(parsed.snapshot, { conformance: false });
    assert.ok(
      result.notes.some((n) => /^IPv6 cluster/.test(n)),
      result.notes.join('\n'),
    );
  });
});
