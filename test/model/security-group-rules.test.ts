/**
 * Security groups in the model (model/security-groups.ts), read from both EC2 shapes:
 * describe-security-groups (IpPermissions / IpPermissionsEgress, each permission with IpRanges,
 * Ipv6Ranges, PrefixListIds and UserIdGroupPairs) and describe-security-group-rules (one rule per
 * entry: CidrIpv4, CidrIpv6, PrefixListId or ReferencedGroupInfo; IsEgress; GroupOwnerId) — EC2
 * API Reference. IpProtocol -1 is every protocol and port. The EKS cluster security group is the
 * describe-cluster `clusterSecurityGroupId`; EKS tags it `aws:eks:cluster-name` and names it
 * `eks-cluster-sg-<cluster>-<id>`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClusterModel, SecurityGroupModel } from '../../src/model/types.ts';
import { modelFromFiles, type Json } from './model-of.ts';

const ACCOUNT = '123456789012';
const OTHER = '999999999999';

function group(id: string, extra: Json = {}): Json {
  return { GroupId: id, OwnerId: ACCOUNT, VpcId: 'vpc-1', ...extra };
}

function sg(model: ClusterModel, id: string): SecurityGroupModel {
  const found = model.securityGroups.get(id);
  assert.ok(found, `group ${id} in the model`);
  return found;
}

const cluster = (clusterSecurityGroupId?: string): Json => ({
  cluster: {
    name: 'c',
    arn: `arn:aws:eks:us-west-2:${ACCOUNT}:cluster/c`,
    resourcesVpcConfig: { vpcId: 'vpc-1', ...(clusterSecurityGroupId ? { clusterSecurityGroupId } : {}) },
  },
});

describe('describe-security-groups', () => {
  const model = modelFromFiles({
    'aws/security-groups.json': {
      SecurityGroups: [
        group('sg-a', {
          GroupName: 'workers',
          IpPermissions: [
            {
              IpProtocol: 'tcp',
              FromPort: 4222,
              ToPort: 4223,
              IpRanges: [{ CidrIp: '10.0.0.0/16', Description: 'vpc' }],
              Ipv6Ranges: [{ CidrIpv6: '2600:db8::/56' }],
              PrefixListIds: [{ PrefixListId: 'pl-0abc', Description: 'corp' }],
              UserIdGroupPairs: [
                { GroupId: 'sg-b', UserId: ACCOUNT, Description: 'peers' },
                { GroupId: 'sg-c' },
                { GroupId: 'sg-x', UserId: OTHER },
                { GroupId: 'sg-p', UserId: ACCOUNT, VpcPeeringConnectionId: 'pcx-1' },
                { GroupId: 'sg-q', UserId: ACCOUNT, PeeringStatus: 'active' },
                { UserId: ACCOUNT },
              ],
            },
          ],
          IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        }),
        group('sg-tagged', { Tags: [{ Key: 'aws:eks:cluster-name', Value: 'c' }], IpPermissions: [] }),
        group('sg-named', { GroupName: 'eks-cluster-sg-c-123', IpPermissions: [] }),
        group('sg-id', { IpPermissions: [] }),
        { GroupId: 'sg-bare' },
      ],
    },
    'aws/describe-cluster.json': cluster('sg-id'),
  });
  const a = sg(model, 'sg-a');

  it('one rule per peer, named by its group, direction and place in the input', () => {
    assert.deepEqual(
      a.ingress.map((r) => r.id),
      [
        'sg-a/ingress:IpPermissions[0].IpRanges[0]',
        'sg-a/ingress:IpPermissions[0].Ipv6Ranges[0]',
        'sg-a/ingress:IpPermissions[0].PrefixListIds[0]',
        'sg-a/ingress:IpPermissions[0].UserIdGroupPairs[0]',
        'sg-a/ingress:IpPermissions[0].UserIdGroupPairs[1]',
        'sg-a/ingress:IpPermissions[0].UserIdGroupPairs[2]',
        'sg-a/ingress:IpPermissions[0].UserIdGroupPairs[3]',
        'sg-a/ingress:IpPermissions[0].UserIdGroupPairs[4]',
        'sg-a/ingress:IpPermissions[0].UserIdGroupPairs[5]',
      ],
    );
    assert.deepEqual(
      a.egress.map((r) => r.id),
      ['sg-a/egress:IpPermissionsEgress[0].IpRanges[0]'],
    );
    assert.equal(a.ingressRuleCount, 9);
    assert.deepEqual(a.ingress[0]!.origin, {
      file: 'aws/security-groups.json',
      path: 'SecurityGroups[0].IpPermissions[0].IpRanges[0]',
    });
    for (const rule of a.ingress) {
      assert.equal(rule.groupId, 'sg-a');
      assert.equal(rule.direction, 'ingress');
      assert.equal(rule.protocol, 'tcp');
      assert.deepEqual(rule.ports, { from: 4222, to: 4223 });
    }
    assert.equal(a.egress[0]!.direction, 'egress');
    assert.equal(a.egress[0]!.protocol, 'all');
    assert.equal('ports' in a.egress[0]!, false, 'protocol -1: every port');
  });

  it('the peers: CIDRs of both families, a prefix list, group references', () => {
    const [v4, v6, list, b, c] = a.ingress;
    assert.equal(v4!.peer.kind, 'cidr');
    assert.equal(v4!.peer.kind === 'cidr' && v4!.peer.cidr, '10.0.0.0/16');
    assert.equal(v4!.peer.kind === 'cidr' && v4!.peer.range.family, 4);
    assert.equal(v4!.description, 'vpc');
    assert.equal(v6!.peer.kind === 'cidr' && v6!.peer.cidr, '2600:db8::/56');
    assert.equal(v6!.peer.kind === 'cidr' && v6!.peer.range.family, 6);
    assert.equal('description' in v6!, false);
    assert.deepEqual(list!.peer, { kind: 'prefix-list', prefixListId: 'pl-0abc' });
    assert.equal(list!.description, 'corp');
    assert.deepEqual(b!.peer, { kind: 'security-group', groupId: 'sg-b', userId: ACCOUNT });
    assert.equal(b!.description, 'peers');
    assert.deepEqual(c!.peer, { kind: 'security-group', groupId: 'sg-c' });
  });

  it('references no ENI of the cluster can carry say why: another account, a peered VPC, no group id', () => {
    const [, , , , , x, p, q, unnamed] = a.ingress;
    assert.deepEqual(x!.peer, {
      kind: 'security-group',
      groupId: 'sg-x',
      userId: OTHER,
      unmatchable: `sg-x belongs to account ${OTHER}; no ENI of this cluster can carry it`,
    });
    assert.deepEqual(p!.peer, {
      kind: 'security-group',
      groupId: 'sg-p',
      userId: ACCOUNT,
      unmatchable: 'sg-p is in a peered VPC; no ENI of this cluster can carry it',
    });
    assert.equal(
      q!.peer.kind === 'security-group' && q!.peer.unmatchable,
      'sg-q is in a peered VPC; no ENI of this cluster can carry it',
    );
    assert.deepEqual(unnamed!.peer, {
      kind: 'security-group',
      groupId: '(unnamed)',
      unmatchable: 'the reference names no group id',
    });
  });

  it('the group’s name, VPC, owner and origin; none when the entry has none', () => {
    assert.equal(a.id, 'sg-a');
    assert.equal(a.name, 'workers');
    assert.equal(a.vpcId, 'vpc-1');
    assert.equal(a.ownerId, ACCOUNT);
    assert.deepEqual(a.origin, { file: 'aws/security-groups.json', path: 'SecurityGroups[0]' });
    const bare = sg(model, 'sg-bare');
    assert.equal('name' in bare, false);
    assert.equal('vpcId' in bare, false);
    assert.equal('ownerId' in bare, false);
    assert.deepEqual(bare.ingress, []);
    assert.deepEqual(bare.egress, []);
  });

  it('the cluster security group: by describe-cluster’s id, by the EKS tag, or by the EKS name', () => {
    assert.equal(sg(model, 'sg-id').isClusterSecurityGroup, true);
    assert.equal(sg(model, 'sg-tagged').isClusterSecurityGroup, true);
    assert.equal(sg(model, 'sg-named').isClusterSecurityGroup, true);
    assert.equal(a.isClusterSecurityGroup, false);
    assert.equal(sg(model, 'sg-bare').isClusterSecurityGroup, false);
  });

  it('the map: every group once, in input order; an unknown id is absent', () => {
    const groups = model.securityGroups;
    assert.equal(groups.size, 5);
    assert.deepEqual([...groups.keys()], ['sg-a', 'sg-tagged', 'sg-named', 'sg-id', 'sg-bare']);
    assert.deepEqual(
      [...groups.values()].map((g) => g.id),
      ['sg-a', 'sg-tagged', 'sg-named', 'sg-id', 'sg-bare'],
    );
    assert.deepEqual(
      [...groups.entries()].map(([k, g]) => `${k}=${g.id}`),
      ['sg-a=sg-a', 'sg-tagged=sg-tagged', 'sg-named=sg-named', 'sg-id=sg-id', 'sg-bare=sg-bare'],
    );
    assert.deepEqual(
      [...groups].map(([k]) => k),
      ['sg-a', 'sg-tagged', 'sg-named', 'sg-id', 'sg-bare'],
    );
    const seen: string[] = [];
    groups.forEach((g, k, map) => {
      assert.equal(map, groups);
      seen.push(`${k}:${g.id}`);
    });
    assert.deepEqual(seen, [
      'sg-a:sg-a',
      'sg-tagged:sg-tagged',
      'sg-named:sg-named',
      'sg-id:sg-id',
      'sg-bare:sg-bare',
    ]);
    assert.equal(groups.has('sg-a'), true);
    assert.equal(groups.has('sg-nope'), false);
    assert.equal(groups.get('sg-nope'), undefined);
    assert.equal(groups.get('sg-a'), groups.get('sg-a'), 'translated once');
  });
});

describe('describe-security-group-rules', () => {
  const rule = (extra: Json): Json => ({
    GroupId: 'sg-r',
    GroupOwnerId: ACCOUNT,
    IsEgress: false,
    IpProtocol: 'tcp',
    FromPort: 443,
    ToPort: 443,
    ...extra,
  });
  const model = modelFromFiles({
    'aws/security-group-rules.json': {
      SecurityGroupRules: [
        rule({ SecurityGroupRuleId: 'sgr-1', CidrIpv4: '10.1.0.0/16', Description: 'office' }),
        rule({ CidrIpv6: '2600:db8::/56' }),
        rule({ SecurityGroupRuleId: 'sgr-3', PrefixListId: 'pl-0abc' }),
        rule({ SecurityGroupRuleId: 'sgr-4', ReferencedGroupInfo: { GroupId: 'sg-x', UserId: OTHER } }),
        rule({ SecurityGroupRuleId: 'sgr-5', ReferencedGroupInfo: { GroupId: 'sg-y', UserId: ACCOUNT } }),
        rule({
          SecurityGroupRuleId: 'sgr-6',
          IsEgress: true,
          IpProtocol: '-1',
          FromPort: -1,
          ToPort: -1,
          CidrIpv4: '0.0.0.0/0',
        }),
        rule({ SecurityGroupRuleId: 'sgr-7' }),
        {
          SecurityGroupRuleId: 'sgr-8',
          GroupId: 'sg-cluster',
          IsEgress: false,
          IpProtocol: '-1',
          CidrIpv4: '10.0.0.0/8',
        },
      ],
    },
    'aws/describe-cluster.json': cluster('sg-cluster'),
  });
  const r = sg(model, 'sg-r');

  it('one rule per entry, with its id (or the group and place in the input), direction and peer', () => {
    assert.deepEqual(
      r.ingress.map((x) => x.id),
      ['sgr-1', 'sg-r/SecurityGroupRules[1]', 'sgr-3', 'sgr-4', 'sgr-5', 'sgr-7'],
    );
    assert.deepEqual(
      r.egress.map((x) => x.id),
      ['sgr-6'],
    );
    assert.equal(r.ingressRuleCount, 6);
    const [v4, v6, list, x, y, , none] = [...r.ingress.slice(0, 5), r.egress[0], r.ingress[5]];
    assert.equal(v4!.peer.kind === 'cidr' && v4!.peer.cidr, '10.1.0.0/16');
    assert.equal(v4!.description, 'office');
    assert.deepEqual(v4!.ports, { from: 443, to: 443 });
    assert.equal(v4!.protocol, 'tcp');
    assert.equal(v4!.groupId, 'sg-r');
    assert.equal(v4!.direction, 'ingress');
    assert.deepEqual(v4!.origin, { file: 'aws/security-group-rules.json', path: 'SecurityGroupRules[0]' });
    assert.equal(v6!.peer.kind === 'cidr' && v6!.peer.cidr, '2600:db8::/56');
    assert.equal('description' in v6!, false);
    assert.deepEqual(list!.peer, { kind: 'prefix-list', prefixListId: 'pl-0abc' });
    assert.equal(
      x!.peer.kind === 'security-group' && x!.peer.unmatchable,
      `sg-x belongs to account ${OTHER}; no ENI of this cluster can carry it`,
    );
    assert.deepEqual(y!.peer, { kind: 'security-group', groupId: 'sg-y', userId: ACCOUNT });
    assert.deepEqual(none!.peer, {
      kind: 'security-group',
      groupId: '(unnamed)',
      unmatchable: 'the reference names no group id',
    });
    assert.equal(r.egress[0]!.direction, 'egress');
    assert.equal(r.egress[0]!.protocol, 'all');
  });

  it('the group from its rules: owner, origin; a cluster group only by describe-cluster’s id', () => {
    assert.equal(r.id, 'sg-r');
    assert.equal(r.ownerId, ACCOUNT);
    assert.deepEqual(r.origin, { file: 'aws/security-group-rules.json', path: 'SecurityGroupRules[0]' });
    assert.equal(r.isClusterSecurityGroup, false);
    const c = sg(model, 'sg-cluster');
    assert.equal(c.isClusterSecurityGroup, true);
    assert.equal('ownerId' in c, false);
    assert.equal(model.securityGroups.size, 2);
  });
});

describe('both shapes captured', () => {
  const model = modelFromFiles({
    'aws/security-groups.json': {
      SecurityGroups: [
        group('sg-trimmed', { GroupName: 'named-only', Tags: [{ Key: 'aws:eks:cluster-name', Value: 'c' }] }),
        group('sg-full', {
          GroupName: 'full',
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
          ],
        }),
        group('sg-egress-only', { IpPermissionsEgress: [] }),
      ],
    },
    'aws/security-group-rules.json': {
      SecurityGroupRules: [
        {
          SecurityGroupRuleId: 'sgr-t1',
          GroupId: 'sg-trimmed',
          IsEgress: false,
          IpProtocol: 'tcp',
          FromPort: 80,
          ToPort: 80,
          CidrIpv4: '10.2.0.0/16',
        },
        {
          SecurityGroupRuleId: 'sgr-t2',
          GroupId: 'sg-trimmed',
          IsEgress: true,
          IpProtocol: '-1',
          CidrIpv4: '0.0.0.0/0',
        },
        {
          SecurityGroupRuleId: 'sgr-f1',
          GroupId: 'sg-full',
          IsEgress: false,
          IpProtocol: 'tcp',
          FromPort: 9999,
          ToPort: 9999,
          CidrIpv4: '10.3.0.0/16',
        },
        {
          SecurityGroupRuleId: 'sgr-e1',
          GroupId: 'sg-egress-only',
          IsEgress: false,
          IpProtocol: 'tcp',
          FromPort: 1,
          ToPort: 1,
          CidrIpv4: '10.4.0.0/16',
        },
      ],
    },
  });

  it('a group entry without its permissions: name and tags from it, rules from describe-security-group-rules', () => {
    const t = sg(model, 'sg-trimmed');
    assert.equal(t.name, 'named-only');
    assert.equal(t.isClusterSecurityGroup, true);
    assert.deepEqual(
      t.ingress.map((r) => r.id),
      ['sgr-t1'],
    );
    assert.deepEqual(
      t.egress.map((r) => r.id),
      ['sgr-t2'],
    );
    assert.equal(t.ingressRuleCount, 1);
    assert.deepEqual(t.origin, { file: 'aws/security-groups.json', path: 'SecurityGroups[0]' });
  });

  it('a group entry with its permissions keeps them; the same rules in the other shape are not added', () => {
    const f = sg(model, 'sg-full');
    assert.deepEqual(
      f.ingress.map((r) => r.id),
      ['sg-full/ingress:IpPermissions[0].IpRanges[0]'],
    );
    assert.equal(f.ingressRuleCount, 1);
    const e = sg(model, 'sg-egress-only');
    assert.deepEqual(e.ingress, [], 'IpPermissionsEgress alone is an entry with its rules');
    assert.equal(model.securityGroups.size, 3);
  });
});
