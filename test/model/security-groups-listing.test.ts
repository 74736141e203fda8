/**
 * Which security group is the EKS cluster's, and a group listed twice (model/security-groups.ts).
 * EKS tags its cluster security group `aws:eks:cluster-name` (EKS User Guide, "View Amazon EKS
 * security group requirements"); other tags say nothing of it. A paged describe-security-groups
 * capture can list a group twice: the model keeps, and cites, the first listing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { modelFromFiles } from './model-of.ts';

describe('the cluster security group', () => {
  it('a group with other tags only is not it', () => {
    const model = modelFromFiles({
      'aws/security-groups.json': {
        SecurityGroups: [
          {
            GroupId: 'sg-1',
            GroupName: 'workers',
            Tags: [{ Key: 'Name', Value: 'eks-cluster-sg-c' }],
            IpPermissions: [],
          },
        ],
      },
    });
    assert.equal(model.securityGroups.get('sg-1')!.isClusterSecurityGroup, false);
  });
});

describe('a group listed twice', () => {
  it('the first listing is kept and cited', () => {
    const group = { GroupId: 'sg-1', GroupName: 'workers', IpPermissions: [] };
    const model = modelFromFiles({ 'aws/security-groups.json': { SecurityGroups: [group, group] } });
    assert.equal(model.securityGroups.size, 1);
    assert.deepEqual(model.securityGroups.get('sg-1')!.origin, {
      file: 'aws/security-groups.json',
      path: 'SecurityGroups[0]',
    });
  });
});
