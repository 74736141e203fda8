/**
 * Amazon VPC CNI settings that decide a pod's security groups and subnet, each checked against
 * what the CNI documents:
 * - POD_SECURITY_GROUP_ENFORCING_MODE defaults to `strict` (amazon-vpc-cni-k8s README), and in
 *   strict mode a branch-ENI pod's traffic always leaves through its branch ENI, so its security
 *   groups apply even to a pod on the same node — whichever end of the flow the branch ENI is.
 * - An ENIConfig that names no security groups gives pods the node's primary ENI groups (EKS User
 *   Guide, custom networking tutorial: "the security groups associated with the node's primary
 *   elastic network interface are used", VPC CNI 1.8.0 and later).
 * - ENI_CONFIG_LABEL_DEF names the node label whose value is the ENIConfig name (default
 *   k8s.amazonaws.com/eniConfig), and the k8s.amazonaws.com/eniConfig annotation takes precedence
 *   over labels (README, ENI_CONFIG_ANNOTATION_DEF and ENI_CONFIG_LABEL_DEF).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ALLOW_ALL_EGRESS,
  allTraffic,
  naclAllowAll,
  scenario,
  tcp,
  type Scenario,
} from '../helpers/scenario.ts';
import { analyzeSnapshot, parseSnapshot, type AnalysisResult, type FlowResult } from '../helpers/core.ts';

function natsFlow(result: AnalysisResult, kind: 'pods' | 'nodes'): FlowResult {
  const flow = result.flows.find((f) => f.requirement === 'nats' && f.source.kind === kind);
  assert.ok(flow, `a NATS flow from ${kind} exists`);
  return flow;
}

/**
 * One node: a Dynamo worker on an SG-for-pods branch ENI (sg-worker-pod, no egress rule at all)
 * and NATS on a secondary IP of the primary ENI (sg-node, which admits 4222 from the worker's SG).
 * Only the branch ENI's missing egress can block the worker → NATS flow.
 */
function branchSource(env: Record<string, string>): AnalysisResult {
  return scenario()
    .subnet('subnet-a', '10.0.16.0/20')
    .withoutNacls()
    .cni(env)
    .sg('sg-node', [allTraffic.fromGroup('sg-node'), tcp(4222).fromGroup('sg-worker-pod')])
    .sg('sg-worker-pod', [allTraffic.fromGroup('sg-node')], [])
    .node('node-1', {
      group: 'gpu',
      subnet: 'subnet-a',
      ip: '10.0.16.10',
      sgs: ['sg-node'],
      gpu: true,
      podIps: ['10.0.16.11'],
    })
    .file('aws/branch-enis.json', {
      NetworkInterfaces: [
        {
          NetworkInterfaceId: 'eni-branch-w',
          InterfaceType: 'branch',
          SubnetId: 'subnet-a',
          Groups: [{ GroupId: 'sg-worker-pod' }],
          PrivateIpAddress: '10.0.16.60',
          PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: '10.0.16.60' }],
          TagSet: [{ Key: 'vpcresources.k8s.aws/trunk-eni-id', Value: 'eni-node-1-0' }],
        },
      ],
    })
    .nats('nats-0', 'node-1', '10.0.16.11')
    .pod('worker-0', {
      namespace: 'dynamo-workload',
      node: 'node-1',
      ip: '10.0.16.60',
      labels: {
        'nvidia.com/dynamo-component-type': 'worker',
        'nvidia.com/dynamo-graph-deployment-name': 'vllm-agg',
      },
      image: 'nvcr.io/nvidia/ai-dynamo/vllm-runtime:1.2.0',
      annotations: { 'vpc.amazonaws.com/pod-eni': '[{"eniId":"eni-branch-w","privateIp":"10.0.16.60"}]' },
    })
    .analyze({ conformance: false });
}

describe('SG-for-pods: a branch-ENI pod as the source of a same-node flow', () => {
  it('strict mode: its branch ENI SG has no egress rule → blocked at egress, even on the same node', () => {
    const flow = natsFlow(
      branchSource({ ENABLE_POD_ENI: 'true', POD_SECURITY_GROUP_ENFORCING_MODE: 'strict' }),
      'pods',
    );
    assert.deepEqual(flow.source.securityGroups, ['sg-worker-pod']);
    assert.equal(flow.status, 'blocked', flow.reason);
    assert.equal(flow.steps.find((s) => s.kind === 'sg-egress')?.status, 'blocked');
    assert.ok(!flow.steps.some((s) => s.kind === 'same-node'), 'no same-node bypass in strict mode');
  });

  it('control: standard mode lets the same-node flow bypass the SGs', () => {
    const flow = natsFlow(
      branchSource({ ENABLE_POD_ENI: 'true', POD_SECURITY_GROUP_ENFORCING_MODE: 'standard' }),
      'pods',
    );
    assert.equal(flow.status, 'allowed', flow.reason);
  });

  it('POD_SECURITY_GROUP_ENFORCING_MODE unset means strict (the documented default) → blocked', () => {
    const result = branchSource({ ENABLE_POD_ENI: 'true' });
    const flow = natsFlow(result, 'pods');
    assert.equal(flow.status, 'blocked', flow.reason);
    assert.match(flow.source.placement[0]!, /branch ENI eni-branch-w.*strict/);
  });
});

const SYS_INGRESS = [allTraffic.fromGroup('sg-sys'), tcp(4222).fromGroup('sg-gpu')];

/** Custom networking: a GPU node (primary ENI sg-gpu) whose pods come from an ENIConfig; no pods yet. */
function customNetworking(env: Record<string, string>, labels: Record<string, string>): Scenario {
  return scenario()
    .subnet('subnet-sys', '10.0.16.0/20')
    .subnet('subnet-gpu', '10.0.32.0/20')
    .subnet('subnet-pods-a', '100.64.0.0/18')
    .subnet('subnet-pods-legacy', '100.64.64.0/18')
    .subnet('subnet-pods-annotated', '100.64.128.0/18')
    .nacl(
      'acl-default',
      ['subnet-sys', 'subnet-gpu', 'subnet-pods-a', 'subnet-pods-legacy', 'subnet-pods-annotated'],
      naclAllowAll(),
      true,
    )
    .sg('sg-sys', SYS_INGRESS)
    .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')], [ALLOW_ALL_EGRESS])
    .sg('sg-pods', [allTraffic.fromGroup('sg-pods')], [ALLOW_ALL_EGRESS])
    .cni({ AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true', ...env })
    .node('sys-1', {
      group: 'system',
      subnet: 'subnet-sys',
      ip: '10.0.16.10',
      sgs: ['sg-sys'],
      podIps: ['10.0.16.11'],
    })
    .node('gpu-1', {
      group: 'gpu',
      subnet: 'subnet-gpu',
      ip: '10.0.32.10',
      sgs: ['sg-gpu'],
      gpu: true,
      labels,
    })
    .nats('nats-0', 'sys-1', '10.0.16.11');
}

const eniConfigs = (items: { name: string; subnet: string; securityGroups?: string[] }[]) => ({
  apiVersion: 'v1',
  kind: 'List',
  items: items.map(({ name, subnet, securityGroups }) => ({
    apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
    kind: 'ENIConfig',
    metadata: { name },
    spec: { subnet, ...(securityGroups ? { securityGroups } : {}) },
  })),
});

/** The snapshot of `s` with annotations added to one node, as `kubectl annotate node` would. */
function annotateNode(s: Scenario, node: string, annotations: Record<string, string>): AnalysisResult {
  const files = s.files().map((f) => {
    if (f.path !== 'k8s/nodes.json') return f;
    const list = JSON.parse(f.text) as { items: { metadata: { name: string; annotations?: object } }[] };
    for (const item of list.items)
      if (item.metadata.name === node)
        item.metadata.annotations = { ...item.metadata.annotations, ...annotations };
    return { ...f, text: JSON.stringify(list) };
  });
  const parsed = parseSnapshot(files);
  assert.ok(parsed.ok, 'the annotated snapshot loads');
  return analyzeSnapshot(parsed.snapshot, { conformance: false });
}

describe('custom networking: an ENIConfig that names no security groups', () => {
  it('pods get the primary ENI groups (sg-gpu), which NATS admits → allowed', () => {
    const result = customNetworking({}, { 'k8s.amazonaws.com/eniConfig': 'pods-a' })
      .file('k8s/eniconfig-no-sgs.json', eniConfigs([{ name: 'pods-a', subnet: 'subnet-pods-a' }]))
      .analyze({ conformance: false });
    const flow = natsFlow(result, 'nodes');
    assert.equal(flow.source.subnetId, 'subnet-pods-a', 'the subnet still comes from the ENIConfig');
    assert.deepEqual(flow.source.securityGroups, ['sg-gpu']);
    assert.equal(flow.status, 'allowed', flow.reason);
  });

  it('an empty securityGroups list means the same', () => {
    const result = customNetworking({}, { 'k8s.amazonaws.com/eniConfig': 'pods-a' })
      .file(
        'k8s/eniconfig-empty-sgs.json',
        eniConfigs([{ name: 'pods-a', subnet: 'subnet-pods-a', securityGroups: [] }]),
      )
      .analyze({ conformance: false });
    const flow = natsFlow(result, 'nodes');
    assert.deepEqual(flow.source.securityGroups, ['sg-gpu']);
    assert.equal(flow.status, 'allowed', flow.reason);
  });
});

describe('custom networking: which ENIConfig a node uses', () => {
  const configs = eniConfigs([
    { name: 'us-west-2a', subnet: 'subnet-pods-a', securityGroups: ['sg-pods'] },
    { name: 'legacy', subnet: 'subnet-pods-legacy', securityGroups: ['sg-gpu'] },
    { name: 'annotated', subnet: 'subnet-pods-annotated', securityGroups: ['sg-gpu'] },
  ]);
  const ZONE = 'topology.kubernetes.io/zone';

  it('ENI_CONFIG_LABEL_DEF=topology.kubernetes.io/zone: the zone label names the ENIConfig', () => {
    const result = customNetworking({ ENI_CONFIG_LABEL_DEF: ZONE }, { [ZONE]: 'us-west-2a' })
      .file('k8s/eniconfigs-all.json', configs)
      .analyze({ conformance: false });
    const flow = natsFlow(result, 'nodes');
    assert.equal(flow.source.subnetId, 'subnet-pods-a');
    assert.deepEqual(flow.source.securityGroups, ['sg-pods']);
    // sg-sys admits sg-gpu only: the ENIConfig's sg-pods is what blocks.
    assert.equal(flow.status, 'blocked', flow.reason);
  });

  it('with ENI_CONFIG_LABEL_DEF set, a k8s.amazonaws.com/eniConfig label is not the one read', () => {
    const result = customNetworking(
      { ENI_CONFIG_LABEL_DEF: ZONE },
      { [ZONE]: 'us-west-2a', 'k8s.amazonaws.com/eniConfig': 'legacy' },
    )
      .file('k8s/eniconfigs-all.json', configs)
      .analyze({ conformance: false });
    const flow = natsFlow(result, 'nodes');
    assert.equal(flow.source.subnetId, 'subnet-pods-a');
    assert.deepEqual(flow.source.securityGroups, ['sg-pods']);
  });

  it('the k8s.amazonaws.com/eniConfig annotation takes precedence over the label', () => {
    for (const env of [{}, { ENI_CONFIG_LABEL_DEF: ZONE }] as Record<string, string>[]) {
      const s = customNetworking(env, { [ZONE]: 'us-west-2a', 'k8s.amazonaws.com/eniConfig': 'legacy' }).file(
        'k8s/eniconfigs-all.json',
        configs,
      );
      const flow = natsFlow(
        annotateNode(s, 'gpu-1', { 'k8s.amazonaws.com/eniConfig': 'annotated' }),
        'nodes',
      );
      assert.equal(flow.source.subnetId, 'subnet-pods-annotated', JSON.stringify(env));
    }
  });

  it('control: without ENI_CONFIG_LABEL_DEF the k8s.amazonaws.com/eniConfig label is read', () => {
    const result = customNetworking({}, { [ZONE]: 'us-west-2a', 'k8s.amazonaws.com/eniConfig': 'legacy' })
      .file('k8s/eniconfigs-all.json', configs)
      .analyze({ conformance: false });
    assert.equal(natsFlow(result, 'nodes').source.subnetId, 'subnet-pods-legacy');
  });
});
