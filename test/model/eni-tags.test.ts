/**
 * The VPC CNI's tags on ENIs, as the ENI index reads them (model/network.ts). amazon-vpc-cni-k8s:
 * ipamd tags each ENI it creates `node.k8s.amazonaws.com/instance_id=<instance>`, and leaves alone
 * an ENI tagged `node.k8s.amazonaws.com/no_manage=true`. Other tags mean nothing to it; an EC2 tag
 * may have no value (EC2 API Reference, `Tag`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { modelFromFiles, type Json } from './model-of.ts';

const eniTagged = (...TagSet: Json[]) =>
  modelFromFiles({
    'aws/network-interfaces.json': {
      NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1', PrivateIpAddress: '10.0.0.10', TagSet }],
    },
  }).enis.get('eni-1')!;

describe('tags that are not the VPC CNI’s', () => {
  it('another tag names no instance and makes no CNI mark', () => {
    const eni = eniTagged({ Key: 'Name', Value: 'i-0000000000000000a' });
    assert.equal(eni.instanceId, undefined);
    assert.equal(eni.cniMark, undefined);
  });

  it('another tag set to "true" is not no_manage', () => {
    assert.equal(eniTagged({ Key: 'team-owned', Value: 'true' }).cniMark, undefined);
  });

  it('a no_manage tag with no value is not "true"', () => {
    assert.equal(eniTagged({ Key: 'node.k8s.amazonaws.com/no_manage' }).cniMark, undefined);
  });

  it('control: the instance_id tag after another names the instance', () => {
    const eni = eniTagged(
      { Key: 'Name', Value: 'x' },
      { Key: 'node.k8s.amazonaws.com/instance_id', Value: 'i-0000000000000000a' },
    );
    assert.equal(eni.instanceId, 'i-0000000000000000a');
    assert.equal(eni.cniMark, 'managed');
  });
});
