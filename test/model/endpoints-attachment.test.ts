/**
 * The endpoint of a pod, of a pod not created yet, and of the EKS control plane, read straight from
 * the model (model/endpoints.ts): which ENI carries it, its groups, subnet and address, and the
 * words that say why — what a report prints under "placement" and "unresolved".
 * VPC CNI facts (amazon-vpc-cni-k8s README): a hostNetwork pod uses the node's primary IP; under
 * ENABLE_POD_ENI the VPC resource controller writes the branch ENI into the pod annotation
 * `vpc.amazonaws.com/pod-eni` (a JSON list of {eniId, privateIp, …}); POD_SECURITY_GROUP_ENFORCING_MODE
 * is `strict` unless set to `standard`. EKS (describe-cluster): the control plane's cross-account
 * ENIs sit in `resourcesVpcConfig.subnetIds` with `clusterSecurityGroupId` and `securityGroupIds`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allTraffic, scenario, type Scenario } from '../helpers/scenario.ts';
import { controlPlaneEndpoints, podEndpoint, predictedEndpoint } from '../helpers/core.ts';
import { modelOf, type Json } from './model-of.ts';
import type { ClusterModel, PodModel } from '../../src/model/types.ts';

function pod(model: ClusterModel, name: string): PodModel {
  const found = model.pods.find((p) => p.name === name);
  assert.ok(found, `pod ${name} in the model`);
  return found;
}

/** node-1 in subnet-a (primary ENI eni-node-1-0, groups sg-b and sg-a, IP 10.0.16.10, one pod IP). */
function oneNode(env?: Record<string, string>): Scenario {
  const s = scenario()
    .subnet('subnet-a', '10.0.16.0/20')
    .withoutNacls()
    .sg('sg-a', [allTraffic.fromGroup('sg-a')])
    .sg('sg-b', [])
    .node('node-1', {
      group: 'gpu',
      subnet: 'subnet-a',
      ip: '10.0.16.10',
      sgs: ['sg-b', 'sg-a'],
      podIps: ['10.0.16.11'],
    });
  return env ? s.cni(env) : s;
}

const INSTANCE_1 = 'i-00000000000000001';

describe('podEndpoint: a hostNetwork pod', () => {
  it('uses its node’s primary ENI and the node’s InternalIP', () => {
    const model = modelOf(
      oneNode().pod('agent', {
        namespace: 'kube-system',
        node: 'node-1',
        ip: '10.0.16.10',
        hostNetwork: true,
      }),
    );
    const end = podEndpoint(model, pod(model, 'agent'));
    assert.equal(end.id, 'pod:kube-system/agent');
    assert.equal(end.kind, 'pod');
    assert.equal(end.label, 'kube-system/agent');
    assert.equal(end.nodeName, 'node-1');
    assert.equal(end.nodeGroup, 'gpu');
    assert.equal(end.addressText, '10.0.16.10');
    assert.equal(end.addresses?.family, 4);
    assert.equal(end.addresses?.start, end.addresses?.end, 'one address');
    assert.equal(end.eniId, 'eni-node-1-0');
    assert.deepEqual(end.securityGroups, ['sg-a', 'sg-b'], 'sorted');
    assert.equal(end.subnetId, 'subnet-a');
    assert.equal(end.sgOnSameNode, false);
    assert.equal(end.unresolved, undefined);
    assert.deepEqual(end.attachment, [
      "hostNetwork pod: uses node node-1's primary IP 10.0.16.10 on eni-node-1-0",
    ]);
    assert.equal(end.pod?.hostNetwork, true);
    assert.equal(end.pod?.labelsComplete, true);
    assert.equal(end.pod?.namespace, 'kube-system');
  });

  it('a node with no InternalIP: the primary ENI’s own IP', () => {
    const model = modelOf(
      oneNode().pod('agent', { namespace: 'kube-system', node: 'node-1', hostNetwork: true }),
      {
        'k8s/nodes.json': (doc) => {
          for (const node of doc.items as { status: Json }[]) node.status.addresses = [];
        },
      },
    );
    const end = podEndpoint(model, pod(model, 'agent'));
    assert.equal(end.addressText, '10.0.16.10');
    assert.ok(end.addresses);
    assert.match(end.attachment[0]!, /primary IP 10\.0\.16\.10 on eni-node-1-0$/);
  });

  it('on a node not in the snapshot: unresolved, naming the node', () => {
    const model = modelOf(
      oneNode().pod('agent', {
        namespace: 'kube-system',
        node: 'node-9',
        ip: '10.0.16.99',
        hostNetwork: true,
      }),
    );
    const end = podEndpoint(model, pod(model, 'agent'));
    assert.equal(end.unresolved, 'hostNetwork pod on node node-9, which is not in the snapshot');
    assert.equal(end.addressText, '10.0.16.99');
    assert.equal(end.nodeName, 'node-9');
    assert.equal(end.nodeGroup, '(no node group)');
    assert.deepEqual(end.securityGroups, []);
    assert.deepEqual(end.attachment, []);
    assert.equal(end.sgOnSameNode, false);
    assert.equal(end.addresses, undefined);
  });

  it('not scheduled and with no IP: unresolved, "(unscheduled)" and "(no IP)"', () => {
    const model = modelOf(oneNode().pod('agent', { namespace: 'kube-system', node: '', hostNetwork: true }));
    const end = podEndpoint(model, pod(model, 'agent'));
    assert.equal(end.unresolved, 'hostNetwork pod on node (unscheduled), which is not in the snapshot');
    assert.equal(end.addressText, '(no IP)');
    assert.equal(end.nodeName, undefined);
  });

  it('no InternalIP and no IP on the primary ENI: "(unknown)", no address', () => {
    const model = modelOf(
      oneNode().pod('agent', { namespace: 'kube-system', node: 'node-1', hostNetwork: true }),
      {
        'k8s/nodes.json': (doc) => {
          for (const node of doc.items as { status: Json }[]) node.status.addresses = [];
        },
        'aws/network-interfaces.json': (doc) => {
          for (const eni of doc.NetworkInterfaces as Json[]) {
            delete eni.PrivateIpAddress;
            eni.PrivateIpAddresses = [];
          }
        },
      },
    );
    const end = podEndpoint(model, pod(model, 'agent'));
    assert.equal(end.addressText, '(unknown)');
    assert.equal(end.addresses, undefined);
    assert.equal(end.eniId, 'eni-node-1-0');
    assert.deepEqual(end.attachment, [
      "hostNetwork pod: uses node node-1's primary IP (unknown) on eni-node-1-0",
    ]);
  });

  it('a node whose ENIs are not captured: unresolved, naming the missing primary ENI', () => {
    const model = modelOf(
      oneNode().pod('agent', {
        namespace: 'kube-system',
        node: 'node-1',
        ip: '10.0.16.10',
        hostNetwork: true,
      }),
      { 'aws/network-interfaces.json': (doc) => void (doc.NetworkInterfaces = []) },
    );
    const end = podEndpoint(model, pod(model, 'agent'));
    assert.equal(end.unresolved, 'the primary ENI of node node-1 is not in the snapshot');
  });
});

describe('podEndpoint: a pod on a node ENI', () => {
  it('names the ENI, its device index and instance', () => {
    const model = modelOf(
      oneNode().pod('web', {
        namespace: 'apps',
        node: 'node-1',
        ip: '10.0.16.11',
        labels: { app: 'web' },
        ports: [{ name: 'http', containerPort: 8080 }],
      }),
    );
    const end = podEndpoint(model, pod(model, 'web'));
    assert.deepEqual(end.attachment, [
      `pod IP 10.0.16.11 is on eni-node-1-0 (device index 0, instance ${INSTANCE_1})`,
    ]);
    assert.equal(end.eniId, 'eni-node-1-0');
    assert.deepEqual(end.securityGroups, ['sg-a', 'sg-b']);
    assert.equal(end.sgOnSameNode, false);
    assert.equal(end.addressText, '10.0.16.11');
    assert.deepEqual(end.pod?.labels, { app: 'web' });
    assert.equal(end.pod?.hostNetwork, false);
    assert.deepEqual({ ...end.pod?.namedPorts }, { http: { port: 8080, protocol: 'TCP' } });
  });

  it('an ENI with neither attachment nor instance tag: no device index, no instance in the words', () => {
    const model = modelOf(
      oneNode()
        .pod('web', { namespace: 'apps', node: 'node-1', ip: '10.0.16.77' })
        .file('aws/loose-enis.json', {
          NetworkInterfaces: [
            {
              NetworkInterfaceId: 'eni-loose',
              InterfaceType: 'interface',
              SubnetId: 'subnet-a',
              Groups: [{ GroupId: 'sg-a' }],
              PrivateIpAddress: '10.0.16.77',
              PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: '10.0.16.77' }],
            },
          ],
        }),
    );
    const end = podEndpoint(model, pod(model, 'web'));
    assert.deepEqual(end.attachment, ['pod IP 10.0.16.77 is on eni-loose ()']);
  });

  it('an IP on no ENI: unresolved, naming the IP', () => {
    const model = modelOf(oneNode().pod('web', { namespace: 'apps', node: 'node-1', ip: '10.0.17.5' }));
    const end = podEndpoint(model, pod(model, 'web'));
    assert.equal(end.unresolved, 'pod IP 10.0.17.5 is on no ENI in the snapshot');
    assert.equal(end.addressText, '10.0.17.5');
    assert.equal(end.eniId, undefined);
  });

  it('no IP yet: unresolved, naming the phase', () => {
    const model = modelOf(oneNode().pod('web', { namespace: 'apps', node: 'node-1', phase: 'Pending' }));
    assert.equal(podEndpoint(model, pod(model, 'web')).unresolved, 'pod has no IP yet (phase Pending)');
  });

  it('no IP and no phase: "phase unknown"', () => {
    const model = modelOf(oneNode().pod('web', { namespace: 'apps', node: 'node-1', phase: '' }));
    const end = podEndpoint(model, pod(model, 'web'));
    assert.equal(end.unresolved, 'pod has no IP yet (phase unknown)');
    assert.equal(end.addressText, '(no IP)');
  });

  it('is computed once per pod: the same object every time', () => {
    const model = modelOf(oneNode().pod('web', { namespace: 'apps', node: 'node-1', ip: '10.0.16.11' }));
    const p = pod(model, 'web');
    assert.equal(podEndpoint(model, p), podEndpoint(model, p));
  });
});

/** A branch ENI eni-branch-w (sg-pod) at 10.0.16.60 on node-1's trunk. */
const BRANCH_ENIS = {
  NetworkInterfaces: [
    {
      NetworkInterfaceId: 'eni-branch-w',
      InterfaceType: 'branch',
      SubnetId: 'subnet-a',
      Groups: [{ GroupId: 'sg-pod' }],
      PrivateIpAddress: '10.0.16.60',
      PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: '10.0.16.60' }],
    },
  ],
};

function branchPod(env: Record<string, string>, annotation: string, ip?: string): ClusterModel {
  return modelOf(
    oneNode(env)
      .sg('sg-pod', [])
      .file('aws/branch-enis.json', BRANCH_ENIS)
      .pod('w', {
        namespace: 'apps',
        node: 'node-1',
        ...(ip ? { ip } : {}),
        annotations: { 'vpc.amazonaws.com/pod-eni': annotation },
      }),
  );
}

const ANNOTATION = '[{"eniId":"eni-branch-w","privateIp":"10.0.16.60"}]';

describe('podEndpoint: security groups for pods (a branch ENI)', () => {
  it('strict mode (the default): the branch ENI’s groups apply even on the same node', () => {
    const model = branchPod({ ENABLE_POD_ENI: 'true' }, ANNOTATION, '10.0.16.60');
    const end = podEndpoint(model, pod(model, 'w'));
    assert.equal(end.eniId, 'eni-branch-w');
    assert.deepEqual(end.securityGroups, ['sg-pod']);
    assert.equal(end.sgOnSameNode, true);
    assert.deepEqual(end.attachment, [
      'SG-for-pods branch ENI eni-branch-w holds pod IP 10.0.16.60 (strict mode: SGs apply even on the same node)',
    ]);
  });

  it('standard mode: the same branch ENI, no same-node enforcement', () => {
    const model = branchPod(
      { ENABLE_POD_ENI: 'true', POD_SECURITY_GROUP_ENFORCING_MODE: 'standard' },
      ANNOTATION,
      '10.0.16.60',
    );
    const end = podEndpoint(model, pod(model, 'w'));
    assert.equal(end.sgOnSameNode, false);
    assert.deepEqual(end.attachment, [
      'SG-for-pods branch ENI eni-branch-w holds pod IP 10.0.16.60 (standard mode)',
    ]);
  });

  it('a pod with no podIP yet: the annotation’s privateIp is its address', () => {
    const model = branchPod({ ENABLE_POD_ENI: 'true' }, ANNOTATION);
    const end = podEndpoint(model, pod(model, 'w'));
    assert.equal(end.unresolved, undefined);
    assert.equal(end.addressText, '10.0.16.60');
    assert.equal(end.eniId, 'eni-branch-w');
  });

  it('ENABLE_POD_ENI off: the annotation is not read, so a pod without podIP has no IP', () => {
    const model = branchPod({ ENABLE_POD_ENI: 'false' }, ANNOTATION);
    assert.match(podEndpoint(model, pod(model, 'w')).unresolved ?? '', /^pod has no IP yet/);
  });

  it('the annotation names a branch ENI the snapshot lacks: unresolved, naming it', () => {
    const model = branchPod(
      { ENABLE_POD_ENI: 'true' },
      '[{"eniId":"eni-gone","privateIp":"10.0.16.61"}]',
      '10.0.16.61',
    );
    const end = podEndpoint(model, pod(model, 'w'));
    assert.equal(
      end.unresolved,
      'branch ENI eni-gone (annotation vpc.amazonaws.com/pod-eni) is not in the snapshot',
    );
    assert.equal(end.addressText, '10.0.16.61');
  });

  it('the annotation names a branch ENI the snapshot lacks, but its IP is on a captured ENI: that ENI', () => {
    const model = branchPod(
      { ENABLE_POD_ENI: 'true' },
      '[{"eniId":"eni-gone","privateIp":"10.0.16.60"}]',
      '10.0.16.60',
    );
    assert.equal(podEndpoint(model, pod(model, 'w')).eniId, 'eni-branch-w');
  });

  for (const [what, annotation] of [
    ['not JSON', '{eniId'],
    ['a JSON object, not a list', '{"eniId":"eni-gone","privateIp":"10.0.16.61"}'],
    ['an empty list', '[]'],
  ] as const) {
    it(`an annotation that is ${what}: ignored, the pod IP decides`, () => {
      const model = branchPod({ ENABLE_POD_ENI: 'true' }, annotation, '10.0.16.60');
      const end = podEndpoint(model, pod(model, 'w'));
      assert.equal(end.eniId, 'eni-branch-w');
      assert.equal(end.unresolved, undefined);
    });
    it(`an annotation that is ${what}, and no podIP: no IP`, () => {
      const model = branchPod({ ENABLE_POD_ENI: 'true' }, annotation);
      assert.match(podEndpoint(model, pod(model, 'w')).unresolved ?? '', /^pod has no IP yet/);
    });
  }
});

describe('predictedEndpoint: a pod not created yet on a node', () => {
  it('default networking: the primary ENI’s groups and subnet, an address of the subnet', () => {
    const model = modelOf(oneNode({}));
    const end = predictedEndpoint(model, model.nodes.get('node-1')!);
    assert.equal(end.id, 'node:node-1');
    assert.equal(end.kind, 'predicted');
    assert.equal(end.label, 'a pod on node-1');
    assert.equal(end.nodeName, 'node-1');
    assert.equal(end.nodeGroup, 'gpu');
    assert.equal(end.addressText, 'an IP in subnet-a (10.0.16.0/20)');
    assert.equal(end.addresses?.family, 4);
    assert.equal(end.eniId, 'eni-node-1-0');
    assert.deepEqual(end.securityGroups, ['sg-a', 'sg-b']);
    assert.equal(end.subnetId, 'subnet-a');
    assert.equal(end.sgOnSameNode, false);
    assert.equal(end.unresolved, undefined);
    assert.equal(end.pod, undefined, 'no identity given');
  });

  it('carries the identity it is given, and is computed once per node, identity and selection', () => {
    const model = modelOf(oneNode({}));
    const node = model.nodes.get('node-1')!;
    const identity = {
      namespace: 'apps',
      labels: { app: 'x' },
      labelsComplete: false,
      hostNetwork: false,
      namedPorts: {},
    };
    const selection = { namespace: 'apps', labels: {}, labelsComplete: false };
    const a = predictedEndpoint(model, node, identity);
    assert.equal(a.pod, identity);
    assert.equal(predictedEndpoint(model, node, identity), a);
    assert.notEqual(predictedEndpoint(model, node), a);
    const b = predictedEndpoint(model, node, identity, selection);
    assert.notEqual(b, a);
    assert.equal(predictedEndpoint(model, node, identity, selection), b);
    assert.equal(predictedEndpoint(model, node), predictedEndpoint(model, node));
  });

  it('a subnet with no block of the cluster’s family: unresolved, naming the family and why', () => {
    const model = modelOf(oneNode({ ENABLE_IPv6: 'true' }));
    const end = predictedEndpoint(model, model.nodes.get('node-1')!);
    assert.equal(end.addresses, undefined);
    assert.equal(end.addressText, 'an IP in subnet-a (10.0.16.0/20)');
    assert.equal(
      end.unresolved,
      "subnet subnet-a of node node-1's pods has no IPv6 block, and pods of this cluster get IPv6 addresses (aws-node ENABLE_IPv6=true)",
    );
  });

  it('a subnet not captured: unresolved, naming it', () => {
    const model = modelOf(oneNode({}), { 'aws/subnets.json': (doc) => void (doc.Subnets = []) });
    const end = predictedEndpoint(model, model.nodes.get('node-1')!);
    assert.equal(end.addressText, 'an IP in an uncaptured subnet');
    assert.equal(end.unresolved, "subnet subnet-a of node node-1's pods is not in the snapshot");
    assert.equal(end.subnetId, 'subnet-a');
  });

  it('an IPv4 cluster and a subnet with IPv6 blocks only: every block named, unresolved', () => {
    const model = modelOf(oneNode({}), {
      'aws/subnets.json': (doc) => {
        const subnet = (doc.Subnets as Json[])[0]!;
        delete subnet.CidrBlock;
        subnet.Ipv6CidrBlockAssociationSet = [
          { Ipv6CidrBlock: '2600:db8:0:1::/64' },
          { Ipv6CidrBlock: '2600:db8:0:2::/64' },
        ];
      },
    });
    const end = predictedEndpoint(model, model.nodes.get('node-1')!);
    assert.equal(end.addressText, 'an IP in subnet-a (2600:db8:0:1::/64, 2600:db8:0:2::/64)');
    assert.match(end.unresolved ?? '', /has no IPv4 block/);
  });

  it('a primary ENI with no subnet: "(unknown)"', () => {
    const model = modelOf(oneNode({}), {
      'aws/network-interfaces.json': (doc) => {
        for (const eni of doc.NetworkInterfaces as Json[]) delete eni.SubnetId;
      },
    });
    const end = predictedEndpoint(model, model.nodes.get('node-1')!);
    assert.equal(end.unresolved, "subnet (unknown) of node node-1's pods is not in the snapshot");
    assert.equal(end.subnetId, undefined);
  });

  it('a node the model does not know: unresolved', () => {
    const model = modelOf(oneNode({}));
    const ghost = { ...model.nodes.get('node-1')!, name: 'ghost' };
    const end = predictedEndpoint(model, ghost);
    assert.equal(end.unresolved, 'node ghost is not in the model');
    assert.equal(end.addressText, '(unknown)');
    assert.deepEqual(end.securityGroups, []);
    assert.deepEqual(end.attachment, []);
    assert.equal(end.sgOnSameNode, false);
    assert.equal(end.id, 'node:ghost');
  });

  it('a node whose pod network is unresolved: its reason', () => {
    const model = modelOf(oneNode({ AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true' }));
    const end = predictedEndpoint(model, model.nodes.get('node-1')!);
    assert.equal(end.unresolved, 'custom networking is on but node node-1 names no ENIConfig');
    assert.equal(end.addressText, '(unknown)');
  });
});

/** node-1 with a trunk ENI (eni-node-1-2 in subnet-t) and SecurityGroupPolicies in `policies`. */
function withPolicies(env: Record<string, string>, policies: Json[], trunk = true): ClusterModel {
  return modelOf(
    scenario()
      .subnet('subnet-a', '10.0.16.0/20')
      .subnet('subnet-t', '10.0.48.0/20')
      .withoutNacls()
      .sg('sg-a', [])
      .cni(env)
      .node('node-1', {
        group: 'gpu',
        subnet: 'subnet-a',
        ip: '10.0.16.10',
        sgs: ['sg-a'],
        moreEnis: trunk ? [{ subnet: 'subnet-t', sgs: ['sg-a'], ips: ['10.0.48.5'], type: 'trunk' }] : [],
      })
      .file('k8s/sgp.json', {
        apiVersion: 'v1',
        kind: 'List',
        items: policies.map((p) => ({
          apiVersion: 'vpcresources.k8s.aws/v1beta1',
          kind: 'SecurityGroupPolicy',
          ...p,
        })),
      }),
  );
}

const policy = (namespace: string, name: string, spec: Json): Json => ({
  metadata: { name, namespace },
  spec,
});
const groups = (...ids: string[]) => ({ securityGroups: { groupIds: ids } });
const APP_X = {
  namespace: 'apps',
  labels: { app: 'x' },
  labelsComplete: true,
  hostNetwork: false,
  namedPorts: {},
};

describe('predictedEndpoint: SecurityGroupPolicies', () => {
  it('two policies select it: a branch ENI on the trunk with the union of their groups (strict)', () => {
    const model = withPolicies({ ENABLE_POD_ENI: 'true' }, [
      policy('apps', 'p1', { podSelector: { matchLabels: { app: 'x' } }, ...groups('sg-2', 'sg-1') }),
      policy('apps', 'p2', { podSelector: {}, ...groups('sg-1', 'sg-3') }),
    ]);
    const end = predictedEndpoint(model, model.nodes.get('node-1')!, APP_X);
    assert.deepEqual(end.securityGroups, ['sg-1', 'sg-2', 'sg-3']);
    assert.equal(end.subnetId, 'subnet-t');
    assert.equal(end.addressText, 'an IP in subnet-t (10.0.48.0/20)');
    assert.equal(end.eniId, undefined, 'the branch ENI does not exist yet');
    assert.equal(end.sgOnSameNode, true);
    assert.deepEqual(end.attachment, [
      'SecurityGroupPolicy apps/p1, apps/p2 selects it: a branch ENI on trunk eni-node-1-2 (subnet subnet-t) with SGs sg-1, sg-2, sg-3 (strict mode: SGs apply even on the same node)',
    ]);
  });

  it('standard mode: sgOnSameNode false, "(standard mode)"', () => {
    const model = withPolicies({ ENABLE_POD_ENI: 'true', POD_SECURITY_GROUP_ENFORCING_MODE: 'standard' }, [
      policy('apps', 'p1', { podSelector: {}, ...groups('sg-1') }),
    ]);
    const end = predictedEndpoint(model, model.nodes.get('node-1')!, APP_X);
    assert.equal(end.sgOnSameNode, false);
    assert.match(end.attachment[0]!, /with SGs sg-1 \(standard mode\)$/);
  });

  it('a trunk ENI with no subnet: "(subnet (unknown))"', () => {
    const model = modelOf(
      scenario()
        .subnet('subnet-a', '10.0.16.0/20')
        .withoutNacls()
        .sg('sg-a', [])
        .node('node-1', {
          group: 'gpu',
          subnet: 'subnet-a',
          ip: '10.0.16.10',
          sgs: ['sg-a'],
          moreEnis: [{ subnet: 'subnet-a', sgs: ['sg-a'], ips: ['10.0.16.5'], type: 'trunk' }],
        })
        .file('k8s/sgp.json', {
          apiVersion: 'v1',
          kind: 'List',
          items: [
            {
              apiVersion: 'vpcresources.k8s.aws/v1beta1',
              kind: 'SecurityGroupPolicy',
              ...policy('apps', 'p1', { podSelector: {}, ...groups('sg-1') }),
            },
          ],
        }),
      {
        'aws/network-interfaces.json': (doc) => {
          for (const eni of doc.NetworkInterfaces as Json[])
            if (eni.InterfaceType === 'trunk') delete eni.SubnetId;
        },
      },
    );
    const end = predictedEndpoint(model, model.nodes.get('node-1')!, APP_X);
    assert.match(end.attachment[0]!, /on trunk eni-node-1-2 \(subnet \(unknown\)\)/);
  });

  it('selected, but the node has no trunk ENI: unresolved', () => {
    const model = withPolicies(
      { ENABLE_POD_ENI: 'true' },
      [policy('apps', 'p1', { podSelector: {}, ...groups('sg-1') })],
      false,
    );
    const end = predictedEndpoint(model, model.nodes.get('node-1')!, APP_X);
    assert.equal(
      end.unresolved,
      'SecurityGroupPolicy apps/p1 selects a pod on node-1, but the node has no SG-for-pods trunk ENI in the snapshot: the pod cannot get its branch ENI there',
    );
    assert.equal(end.addressText, '(unknown)');
  });

  it('a policy of another namespace, one without a selector, one without groups: none applies', () => {
    const model = withPolicies({ ENABLE_POD_ENI: 'true' }, [
      policy('other', 'p1', { podSelector: {}, ...groups('sg-1') }),
      policy('apps', 'no-selector', groups('sg-2')),
      policy('apps', 'no-groups', { podSelector: {}, ...groups() }),
      policy('apps', 'label-y', { podSelector: { matchLabels: { app: 'y' } }, ...groups('sg-3') }),
    ]);
    const end = predictedEndpoint(model, model.nodes.get('node-1')!, APP_X);
    assert.equal(end.unresolved, undefined);
    assert.deepEqual(end.securityGroups, ['sg-a'], 'the node’s pod groups');
  });

  it('a serviceAccountSelector alone, with labels: maybe (service-account labels are not captured)', () => {
    const model = withPolicies({ ENABLE_POD_ENI: 'true' }, [
      policy('apps', 'by-sa', { serviceAccountSelector: { matchLabels: { role: 'w' } }, ...groups('sg-1') }),
    ]);
    const end = predictedEndpoint(model, model.nodes.get('node-1')!, APP_X);
    assert.equal(
      end.unresolved,
      "SecurityGroupPolicy apps/by-sa (its serviceAccountSelector reads service-account labels, which are not captured) may select a pod on node-1, which would then get a branch ENI with that policy's SGs instead of [sg-a]",
    );
  });

  it('an empty serviceAccountSelector selects every pod of its namespace', () => {
    const model = withPolicies({ ENABLE_POD_ENI: 'true' }, [
      policy('apps', 'any-sa', { serviceAccountSelector: {}, ...groups('sg-1') }),
    ]);
    assert.deepEqual(predictedEndpoint(model, model.nodes.get('node-1')!, APP_X).securityGroups, ['sg-1']);
  });

  it('a pod whose labels are known only in part: maybe, naming the labels the selector reads', () => {
    const model = withPolicies({ ENABLE_POD_ENI: 'true' }, [
      policy('apps', 'p1', {
        podSelector: { matchLabels: { app: 'x', tier: 'gpu', zone: 'a' } },
        ...groups('sg-1'),
      }),
    ]);
    const end = predictedEndpoint(model, model.nodes.get('node-1')!, undefined, {
      namespace: 'apps',
      labels: { app: 'x' },
      labelsComplete: false,
    });
    assert.equal(
      end.unresolved,
      "SecurityGroupPolicy apps/p1 (its podSelector reads labels the pod is not known to carry or lack (tier, zone)) may select a pod on node-1, which would then get a branch ENI with that policy's SGs instead of [sg-a]",
    );
    assert.equal(end.pod, undefined, 'the selection is not the identity');
  });

  it('nothing known of the pod: its namespace and its labels are in doubt, for each policy', () => {
    const model = withPolicies({ ENABLE_POD_ENI: 'true' }, [
      policy('apps', 'p1', { podSelector: { matchLabels: { app: 'x' } }, ...groups('sg-1') }),
      policy('ops', 'p2', { podSelector: {}, ...groups('sg-2') }),
    ]);
    const end = predictedEndpoint(model, model.nodes.get('node-1')!);
    assert.equal(
      end.unresolved,
      "SecurityGroupPolicy apps/p1 (the pod’s namespace is not known; its podSelector reads labels the pod is not known to carry or lack), ops/p2 (the pod’s namespace is not known) may select a pod on node-1, which would then get a branch ENI with that policy's SGs instead of [sg-a]",
    );
  });

  it('maybe on a node whose pod network is unresolved: "instead of the node’s pod SGs"', () => {
    const model = withPolicies({ ENABLE_POD_ENI: 'true', AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true' }, [
      policy('ops', 'p2', { podSelector: {}, ...groups('sg-2') }),
    ]);
    const end = predictedEndpoint(model, model.nodes.get('node-1')!);
    assert.match(end.unresolved ?? '', /with that policy's SGs instead of the node’s pod SGs$/);
  });
});

/** describe-cluster with the given resourcesVpcConfig; subnet-a and subnet-b6 (IPv6 only) captured. */
function withCluster(vpcConfig: Json | undefined, ipv6 = false): ClusterModel {
  return modelOf(oneNode(ipv6 ? { ENABLE_IPv6: 'true' } : {}), {
    'aws/describe-cluster.json': (doc) => {
      const cluster = doc.cluster as Json;
      if (vpcConfig) cluster.resourcesVpcConfig = vpcConfig;
    },
    'aws/subnets.json': (doc) => {
      (doc.Subnets as Json[]).push({
        SubnetId: 'subnet-b6',
        VpcId: 'vpc-0abc',
        CidrBlock: '10.0.64.0/20',
        Ipv6CidrBlockAssociationSet: [{ Ipv6CidrBlock: '2600:db8:0:2::/64' }],
      });
    },
  });
}

describe('controlPlaneEndpoints: the EKS control plane', () => {
  it('one end per cluster subnet, with the cluster group first and the additional groups', () => {
    const model = withCluster({
      vpcId: 'vpc-0abc',
      clusterSecurityGroupId: 'sg-cluster',
      securityGroupIds: ['sg-extra-2', 'sg-extra-1'],
      subnetIds: ['subnet-a', 'subnet-gone'],
    });
    const ends = controlPlaneEndpoints(model);
    assert.equal(ends.length, 2);
    const [a, gone] = ends as [(typeof ends)[0], (typeof ends)[0]];
    assert.equal(a.id, 'control-plane:subnet-a');
    assert.equal(a.kind, 'control-plane');
    assert.equal(a.label, 'the EKS control plane in subnet-a');
    assert.equal(a.nodeGroup, 'EKS control plane');
    assert.equal(a.nodeName, undefined);
    assert.equal(a.sgOnSameNode, false);
    assert.equal(a.addressText, 'an IP in subnet-a (10.0.16.0/20)');
    assert.equal(a.addresses?.family, 4);
    assert.equal(a.subnetId, 'subnet-a');
    assert.deepEqual(a.securityGroups, ['sg-cluster', 'sg-extra-1', 'sg-extra-2']);
    assert.equal(a.unresolved, undefined);
    assert.deepEqual(a.attachment, [
      'EKS control-plane ENIs in subnet-a carry the cluster security group sg-cluster and sg-extra-2, sg-extra-1 (aws/describe-cluster.json: resourcesVpcConfig)',
    ]);
    assert.equal(gone.addressText, 'an IP in subnet-gone (not captured)');
    assert.equal(gone.addresses, undefined);
    assert.equal(gone.subnetId, 'subnet-gone');
    assert.equal(controlPlaneEndpoints(model), ends, 'computed once per model');
  });

  it('only the cluster group: no "and …"', () => {
    const model = withCluster({ clusterSecurityGroupId: 'sg-cluster', subnetIds: ['subnet-a'] });
    assert.deepEqual(controlPlaneEndpoints(model)[0]!.attachment, [
      'EKS control-plane ENIs in subnet-a carry the cluster security group sg-cluster (aws/describe-cluster.json: resourcesVpcConfig)',
    ]);
  });

  it('an IPv6 cluster: the subnet’s IPv6 block; a subnet with none has no address', () => {
    const model = withCluster(
      { clusterSecurityGroupId: 'sg-cluster', subnetIds: ['subnet-b6', 'subnet-a'] },
      true,
    );
    const [b6, a] = controlPlaneEndpoints(model);
    assert.equal(b6!.addressText, 'an IP in subnet-b6 (2600:db8:0:2::/64)');
    assert.equal(b6!.addresses?.family, 6);
    assert.equal(a!.addressText, 'an IP in subnet-a (not captured)');
    assert.equal(a!.addresses, undefined);
  });

  it('describe-cluster names no subnet: one end, no subnet, address unknown', () => {
    const model = withCluster({ clusterSecurityGroupId: 'sg-cluster' });
    const ends = controlPlaneEndpoints(model);
    assert.equal(ends.length, 1);
    assert.equal(ends[0]!.id, 'control-plane:(no subnet named)');
    assert.equal(ends[0]!.label, 'the EKS control plane');
    assert.equal(ends[0]!.addressText, '(unknown)');
    assert.equal(ends[0]!.subnetId, undefined);
    assert.equal(ends[0]!.unresolved, undefined);
    assert.deepEqual(ends[0]!.attachment, [
      'EKS control-plane ENIs (describe-cluster names no subnet) carry the cluster security group sg-cluster (aws/describe-cluster.json: resourcesVpcConfig)',
    ]);
  });

  it('no cluster security group: one unresolved end with describe-cluster’s reason', () => {
    const model = withCluster({ vpcId: 'vpc-0abc', subnetIds: ['subnet-a'] });
    const ends = controlPlaneEndpoints(model);
    assert.equal(ends.length, 1);
    assert.equal(ends[0]!.id, 'control-plane');
    assert.equal(ends[0]!.kind, 'control-plane');
    assert.equal(ends[0]!.label, 'the EKS control plane');
    assert.equal(ends[0]!.nodeGroup, 'EKS control plane');
    assert.equal(ends[0]!.addressText, '(unknown)');
    assert.deepEqual(ends[0]!.securityGroups, []);
    assert.deepEqual(ends[0]!.attachment, []);
    assert.equal(ends[0]!.sgOnSameNode, false);
    assert.equal(
      ends[0]!.unresolved,
      'describe-cluster of test has no resourcesVpcConfig.clusterSecurityGroupId: the security group on the control plane’s ENIs is not known',
    );
  });
});
