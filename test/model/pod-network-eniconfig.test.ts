/**
 * What an ENIConfig gives the pods of a node, and how the node's pod ENIs are checked against it
 * (model/pod-network.ts). VPC CNI custom networking (EKS User Guide, "Custom networking"): the
 * ENIConfig names the subnet and security groups of the secondary ENIs pods sit on; an ENIConfig
 * naming no group gives them the primary ENI's groups.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { modelOf } from './model-of.ts';
import type { Scenario } from '../helpers/scenario.ts';
import {
  CUSTOM_P,
  addNode,
  base,
  eniConfigs,
  known,
  network,
  notes,
  rawEni,
  reason,
  type NodeOpts,
} from './pod-network-world.ts';

const CUSTOM_ON = { AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true' };
const LABEL = { 'k8s.amazonaws.com/eniConfig': 'cfg' };

describe('an ENIConfig naming no security group', () => {
  it('with the node’s ENIs not in the snapshot: unresolved, since the primary ENI’s groups are not known', () => {
    const model = modelOf(
      addNode(base().cni(CUSTOM_ON), 'n1', '10.0.0.10', { labels: LABEL }).file(
        'k8s/eniconfigs.json',
        eniConfigs({ name: 'cfg', subnet: 'subnet-p' }),
      ),
      { 'aws/network-interfaces.json': (doc) => void (doc.NetworkInterfaces = []) },
    );
    assert.equal(
      reason(network(model, 'n1')),
      "ENIConfig cfg names no SGs, so pods get the primary ENI's, but no ENI of node n1 is in the snapshot",
    );
  });
});

describe('an ENIConfig naming no subnet', () => {
  const noSubnet = eniConfigs({ name: 'cfg', sgs: ['sg-p'] });

  it('aws-node captured, no pod ENI yet: pods get its groups and no subnet, said "(none)"', () => {
    const model = modelOf(
      addNode(base().cni(CUSTOM_ON), 'n1', '10.0.0.10', { labels: LABEL }).file(
        'k8s/eniconfigs.json',
        noSubnet,
      ),
    );
    const n = known(network(model, 'n1'));
    assert.equal(n.subnetId, undefined);
    assert.deepEqual(n.attachment, [
      'custom networking: ENIConfig cfg gives pods subnet (none) and SGs sg-p',
    ]);
  });

  it('aws-node captured, a pod ENI in a subnet: a conflict that says "(none)"', () => {
    const model = modelOf(
      addNode(base().cni(CUSTOM_ON), 'n1', '10.0.0.10', { labels: LABEL, podEni: CUSTOM_P }).file(
        'k8s/eniconfigs.json',
        noSubnet,
      ),
    );
    assert.equal(
      reason(network(model, 'n1')),
      "conflict: ENIConfig cfg gives pods subnet (none) and SGs sg-p, but n1's pod ENIs eni-n1-1 (device index 1; 2 secondary IPv4 addresses) in subnet subnet-p with SGs sg-p",
    );
  });

  it('no aws-node and no pod ENI: unresolved, saying "(none)"', () => {
    const model = modelOf(
      addNode(base(), 'n1', '10.0.0.10', { labels: LABEL }).file('k8s/eniconfigs.json', noSubnet),
    );
    assert.equal(
      reason(network(model, 'n1')),
      'no aws-node DaemonSet in the snapshot: node n1 names ENIConfig cfg (subnet (none), SGs sg-p), but no ENI of it shows whether custom networking uses it',
    );
  });

  it('no aws-node, a pod ENI with no subnet either: they agree, and the note says "(none)"', () => {
    const model = modelOf(
      addNode(base(), 'n1', '10.0.0.10', { labels: LABEL, podEni: CUSTOM_P }).file(
        'k8s/eniconfigs.json',
        noSubnet,
      ),
      { 'aws/network-interfaces.json': (doc) => void delete rawEni(doc, 'eni-n1-1').SubnetId },
    );
    assert.equal(known(network(model, 'n1')).subnetId, undefined);
    assert.deepEqual(notes(model, 'inferred-from-enis'), [
      'no aws-node DaemonSet in the snapshot: pods on n1 (node group gpu) use ENIConfig cfg (subnet (none), SGs sg-p), as their ENIs show',
    ]);
  });
});

describe('pod ENIs checked against the ENIConfig', () => {
  it('the same groups in another order agree: a security-group set has no order', () => {
    const model = modelOf(
      addNode(base().cni(CUSTOM_ON), 'n1', '10.0.0.10', {
        labels: LABEL,
        podEni: { ...CUSTOM_P, sgs: ['sg-p', 'sg-q'] },
      }).file('k8s/eniconfigs.json', eniConfigs({ name: 'cfg', subnet: 'subnet-p', sgs: ['sg-q', 'sg-p'] })),
    );
    const n = known(network(model, 'n1'));
    assert.deepEqual(n.groupIds, ['sg-q', 'sg-p']);
    assert.deepEqual(notes(model, 'conflict'), []);
  });

  it('two sets of pod ENIs that both contradict it: the conflict names both, split by "; "', () => {
    const model = modelOf(
      addNode(base().cni(CUSTOM_ON), 'n1', '10.0.0.10', {
        labels: LABEL,
        podEni: { subnet: 'subnet-q', sgs: ['sg-q'], ips: ['100.64.64.10', '100.64.64.11'] },
        moreEnis: [{ subnet: 'subnet-q', sgs: ['sg-p'], ips: ['100.64.64.20', '100.64.64.21'] }],
      }).file('k8s/eniconfigs.json', eniConfigs({ name: 'cfg', subnet: 'subnet-p', sgs: ['sg-p'] })),
    );
    assert.equal(
      reason(network(model, 'n1')),
      "conflict: ENIConfig cfg gives pods subnet subnet-p and SGs sg-p, but n1's pod ENIs eni-n1-1 (device index 1; 1 secondary IPv4 address) in subnet subnet-q with SGs sg-q; eni-n1-2 (device index 2; 1 secondary IPv4 address) in subnet subnet-q with SGs sg-p",
    );
  });

  it('conflicts make one note per node group and per contradicting evidence, not one for all', () => {
    const conflicting = (s: Scenario, name: string, ip: string, o: NodeOpts) =>
      addNode(s, name, ip, { labels: LABEL, ...o });
    const inQ = (sg: string, ips: string[]) => ({ subnet: 'subnet-q', sgs: [sg], ips });
    let s = base().cni(CUSTOM_ON);
    s = conflicting(s, 'n1', '10.0.0.10', { podEni: inQ('sg-q', ['100.64.64.10', '100.64.64.11']) });
    s = conflicting(s, 'n2', '10.0.0.20', { podEni: inQ('sg-p', ['100.64.64.20', '100.64.64.21']) });
    s = conflicting(s, 'n3', '10.0.0.30', {
      group: 'cpu',
      podEni: inQ('sg-q', ['100.64.64.30', '100.64.64.31']),
    });
    const model = modelOf(
      s.file('k8s/eniconfigs.json', eniConfigs({ name: 'cfg', subnet: 'subnet-p', sgs: ['sg-p'] })),
    );
    const said = notes(model, 'conflict');
    assert.equal(said.length, 3, said.join('\n'));
    assert.match(said[0]!, /^conflict on n1 \(node group gpu\): .* with SGs sg-q;/);
    assert.match(said[1]!, /^conflict on n2 \(node group gpu\): .* with SGs sg-p;/);
    assert.match(said[2]!, /^conflict on n3 \(node group cpu\): .* with SGs sg-q;/);
  });

  it('aws-node captured: agreeing pod ENIs make no "inferred" note (the configuration decides)', () => {
    const model = modelOf(
      addNode(base().cni(CUSTOM_ON), 'n1', '10.0.0.10', { labels: LABEL, podEni: CUSTOM_P }).file(
        'k8s/eniconfigs.json',
        eniConfigs({ name: 'cfg', subnet: 'subnet-p', sgs: ['sg-p'] }),
      ),
    );
    assert.equal(known(network(model, 'n1')).subnetId, 'subnet-p');
    assert.deepEqual(notes(model, 'inferred-from-enis'), []);
  });
});

describe('no aws-node DaemonSet: ENIConfigs the nodes name', () => {
  it('one note per node group naming the same ENIConfig', () => {
    const model = modelOf(
      addNode(addNode(base(), 'n1', '10.0.0.10', { labels: LABEL, podEni: CUSTOM_P }), 'n2', '10.0.0.20', {
        group: 'cpu',
        labels: LABEL,
        podEni: { ...CUSTOM_P, ips: ['100.64.0.20', '100.64.0.21'] },
      }).file('k8s/eniconfigs.json', eniConfigs({ name: 'cfg', subnet: 'subnet-p', sgs: ['sg-p'] })),
    );
    assert.deepEqual(notes(model, 'inferred-from-enis'), [
      'no aws-node DaemonSet in the snapshot: pods on n1 (node group gpu) use ENIConfig cfg (subnet subnet-p, SGs sg-p), as their ENIs show',
      'no aws-node DaemonSet in the snapshot: pods on n2 (node group cpu) use ENIConfig cfg (subnet subnet-p, SGs sg-p), as their ENIs show',
    ]);
  });

  it('an ENIConfig that gives the primary ENI’s subnet and groups proves no custom networking: a node with no pod ENI keeps the defaults', () => {
    const model = modelOf(
      addNode(
        addNode(base(), 'n1', '10.0.0.10', { labels: LABEL, podIps: ['10.0.0.11'] }),
        'n2',
        '10.0.0.20',
      ).file('k8s/eniconfigs.json', eniConfigs({ name: 'cfg', subnet: 'subnet-n', sgs: ['sg-n'] })),
    );
    assert.equal(known(network(model, 'n1')).subnetId, 'subnet-n');
    const n2 = known(network(model, 'n2'));
    assert.equal(n2.eniId, 'eni-n2-0');
    assert.deepEqual(n2.attachment, [
      "no aws-node DaemonSet and no pod ENI on n2: assumed VPC CNI defaults, pods copy the primary ENI eni-n2-0's subnet and SGs",
    ]);
  });

  it('an ENIConfig the node names but the snapshot lacks: its pod ENIs decide, and the words blame no aws-node, not the ENIConfig', () => {
    const model = modelOf(
      addNode(base(), 'n1', '10.0.0.10', {
        labels: { 'k8s.amazonaws.com/eniConfig': 'gone' },
        podEni: CUSTOM_P,
      }),
    );
    assert.deepEqual(known(network(model, 'n1')).attachment, [
      "no aws-node DaemonSet in the snapshot: the node's pod ENIs eni-n1-1 (device index 1; 2 secondary IPv4 addresses) in subnet subnet-p with SGs sg-p, another subnet and other SGs than the primary ENI eni-n1-0 (subnet subnet-n, SGs sg-n): custom networking inferred, pods take that subnet and those SGs",
    ]);
  });
});
