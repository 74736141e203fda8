/**
 * What an ENIConfig gives the pods of a node, and how the node's pod ENIs are checked against it
 * (model/pod-network.ts). VPC CNI custom networking (EKS User Guide, "Custom networking"): the
 * ENIConfig names the subnet and security groups of the secondary ENIs pods sit on; an ENIConfig
 * naming no group gives them the primary ENI's groups.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { modelOf } from './model-of.ts';
import { addNode, base, eniConfigs, network, reason } from './pod-network-world.ts';

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
