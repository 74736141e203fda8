/**
 * applyRemediation: the snapshot as EC2 and Kubernetes would hold it after the fix's commands ran.
 * - `authorize-security-group-ingress` / `-egress` add one IpPermission to the group's
 *   IpPermissions / IpPermissionsEgress: the protocol and port range, and the peer as a group pair
 *   (GroupId, with the owning account as UserId), an IPv4 range (IpRanges[].CidrIp) or an IPv6
 *   range (Ipv6Ranges[].CidrIpv6), each with the rule's description (EC2 API, IpPermission).
 * - `create-network-acl-entry` adds an entry with its rule number, the protocol as its IANA number
 *   (6 TCP, 17 UDP), RuleAction allow, the direction (Egress), CidrBlock for IPv4 or Ipv6CidrBlock
 *   for IPv6, and the port range (EC2 API, NetworkAclEntry).
 * - `kubectl apply` of a NetworkPolicy adds it to the cluster's policies.
 * Nothing else changes, and the input snapshot is left as it was.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NaclRemediation, PolicyRemediation, SgRemediation } from '../../src/remediate/types.ts';
import { applyRemediation } from '../../src/remediate/what-if.ts';
import { ACCOUNT, naclAllowAll, scenario, tcp } from '../helpers/scenario.ts';

const rule = (over: Partial<SgRemediation>): SgRemediation => ({
  id: 'sg-rule-1',
  direction: 'ingress',
  groupId: 'sg-a',
  protocol: 'tcp',
  fromPort: 4222,
  toPort: 4222,
  description: 'NATS (dynamo-netcheck)',
  requirements: ['nats'],
  unblocks: ['f1'],
  command: 'aws ec2 …',
  ...over,
});

const naclEntry = (over: Partial<NaclRemediation>): NaclRemediation => ({
  id: 'nacl-entry-1',
  naclId: 'acl-a',
  subnetId: 'subnet-a',
  egress: false,
  ruleNumber: 99,
  protocol: 'tcp',
  fromPort: 4222,
  toPort: 4222,
  cidr: '10.0.32.0/20',
  description: 'NATS (dynamo-netcheck)',
  requirements: ['nats'],
  unblocks: ['f1'],
  command: 'aws ec2 …',
  ...over,
});

function snapshot() {
  return scenario()
    .subnet('subnet-a', '10.0.16.0/20')
    .subnet('subnet-b', '10.0.32.0/20')
    .nacl('acl-a', ['subnet-a'], naclAllowAll())
    .nacl('acl-b', ['subnet-b'], naclAllowAll())
    .sg('sg-a', [tcp(22).fromCidr('10.0.0.0/8')])
    .sg('sg-b', [])
    .snapshot();
}

const group = (s: ReturnType<typeof snapshot>, id: string) =>
  s.securityGroups.find((g) => g.value.GroupId === id)!.value;
const acl = (s: ReturnType<typeof snapshot>, id: string) =>
  s.networkAcls.find((a) => a.value.NetworkAclId === id)!.value;

describe('applyRemediation: security-group rules', () => {
  const before = snapshot();
  const beforeJson = JSON.stringify(before);
  const after = applyRemediation(before, [
    rule({ sourceGroupId: 'sg-b' }),
    rule({ id: 'sg-rule-2', protocol: 'udp', fromPort: 53, toPort: 53, cidr: '10.0.32.0/20' }),
    rule({ id: 'sg-rule-3', fromPort: 8000, toPort: 8010, cidr: '2600:db8:0:1::/64' }),
    rule({ id: 'sg-rule-4', direction: 'egress', destinationGroupId: 'sg-b', description: 'out' }),
    rule({ id: 'sg-rule-5', direction: 'egress', cidr: '10.0.32.0/20', fromPort: 9090, toPort: 9090 }),
  ]);

  it('ingress rules are appended to IpPermissions after the group’s own, in order', () => {
    assert.deepEqual(group(after, 'sg-a').IpPermissions, [
      ...group(before, 'sg-a').IpPermissions!,
      {
        IpProtocol: 'tcp',
        FromPort: 4222,
        ToPort: 4222,
        UserIdGroupPairs: [{ GroupId: 'sg-b', UserId: ACCOUNT, Description: 'NATS (dynamo-netcheck)' }],
      },
      {
        IpProtocol: 'udp',
        FromPort: 53,
        ToPort: 53,
        IpRanges: [{ CidrIp: '10.0.32.0/20', Description: 'NATS (dynamo-netcheck)' }],
      },
      {
        IpProtocol: 'tcp',
        FromPort: 8000,
        ToPort: 8010,
        Ipv6Ranges: [{ CidrIpv6: '2600:db8:0:1::/64', Description: 'NATS (dynamo-netcheck)' }],
      },
    ]);
  });

  it('egress rules go to IpPermissionsEgress, with the destination group or range', () => {
    assert.deepEqual(group(after, 'sg-a').IpPermissionsEgress, [
      ...group(before, 'sg-a').IpPermissionsEgress!,
      {
        IpProtocol: 'tcp',
        FromPort: 4222,
        ToPort: 4222,
        UserIdGroupPairs: [{ GroupId: 'sg-b', UserId: ACCOUNT, Description: 'out' }],
      },
      {
        IpProtocol: 'tcp',
        FromPort: 9090,
        ToPort: 9090,
        IpRanges: [{ CidrIp: '10.0.32.0/20', Description: 'NATS (dynamo-netcheck)' }],
      },
    ]);
  });

  it('a group with no rule to add is unchanged, and the input snapshot is not modified', () => {
    assert.deepEqual(group(after, 'sg-b'), group(before, 'sg-b'));
    assert.equal(JSON.stringify(before), beforeJson);
    assert.deepEqual(after.networkAcls, before.networkAcls);
    assert.deepEqual(after.networkPolicies, before.networkPolicies);
  });

  it('a group captured without an owner gets the pair without a UserId', () => {
    const base = snapshot();
    const ownerless = {
      ...base,
      securityGroups: base.securityGroups.map((g) =>
        g.value.GroupId === 'sg-a' ? { ...g, value: { ...g.value, OwnerId: undefined } } : g,
      ),
    };
    const out = applyRemediation(ownerless, [rule({ sourceGroupId: 'sg-b' })]);
    assert.deepEqual(group(out, 'sg-a').IpPermissions!.at(-1)!.UserIdGroupPairs, [
      { GroupId: 'sg-b', Description: 'NATS (dynamo-netcheck)' },
    ]);
  });
});

describe('applyRemediation: network ACL entries', () => {
  const before = snapshot();
  const after = applyRemediation(
    before,
    [],
    [
      naclEntry({}),
      naclEntry({
        id: 'nacl-entry-2',
        egress: true,
        ruleNumber: 98,
        protocol: 'udp',
        fromPort: 32768,
        toPort: 60999,
      }),
      naclEntry({ id: 'nacl-entry-3', ruleNumber: 97, cidr: '2600:db8:0:1::/64' }),
    ],
  );

  it('each entry is appended to its NACL: number, protocol number, allow, direction, block, ports', () => {
    assert.deepEqual(acl(after, 'acl-a').Entries, [
      ...acl(before, 'acl-a').Entries!,
      {
        RuleNumber: 99,
        Protocol: '6',
        RuleAction: 'allow',
        Egress: false,
        CidrBlock: '10.0.32.0/20',
        PortRange: { From: 4222, To: 4222 },
      },
      {
        RuleNumber: 98,
        Protocol: '17',
        RuleAction: 'allow',
        Egress: true,
        CidrBlock: '10.0.32.0/20',
        PortRange: { From: 32768, To: 60999 },
      },
      {
        RuleNumber: 97,
        Protocol: '6',
        RuleAction: 'allow',
        Egress: false,
        Ipv6CidrBlock: '2600:db8:0:1::/64',
        PortRange: { From: 4222, To: 4222 },
      },
    ]);
  });

  it('other NACLs and the security groups are unchanged', () => {
    assert.deepEqual(acl(after, 'acl-b'), acl(before, 'acl-b'));
    assert.deepEqual(after.securityGroups, before.securityGroups);
  });
});

describe('applyRemediation: NetworkPolicies', () => {
  it('each policy is added to the cluster’s policies, its manifest whole, from the remediation', () => {
    const manifest = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-nats', namespace: 'dynamo-system', labels: { a: 'b' } },
      spec: {
        podSelector: { matchLabels: { app: 'nats' } },
        policyTypes: ['Ingress'],
        ingress: [{ ports: [{ protocol: 'TCP', port: 4222 }] }],
      },
    };
    const policy: PolicyRemediation = {
      id: 'network-policy-1',
      namespace: 'dynamo-system',
      name: 'allow-nats',
      direction: 'ingress',
      description: 'd',
      manifest,
      requirements: ['nats'],
      unblocks: ['f1'],
      command: 'kubectl apply -f -',
    };
    const before = snapshot();
    const after = applyRemediation(before, [], [], [policy]);
    assert.equal(after.networkPolicies.length, before.networkPolicies.length + 1);
    assert.deepEqual(after.networkPolicies.at(-1), {
      value: manifest,
      origin: { file: '(remediation)', path: 'network-policy-1' },
    });
  });

  it('a manifest that is no NetworkPolicy is refused', () => {
    const bad: PolicyRemediation = {
      id: 'network-policy-1',
      namespace: 'x',
      name: 'x',
      direction: 'ingress',
      description: 'd',
      manifest: { kind: 'NetworkPolicy', metadata: 'not an object' },
      requirements: ['nats'],
      unblocks: [],
      command: '',
    };
    assert.throws(() => applyRemediation(snapshot(), [], [], [bad]));
  });
});

describe('applyRemediation: a group or NACL captured without its rule lists', () => {
  it('gets exactly the added rules and entries', () => {
    const base = snapshot();
    const bare = {
      ...base,
      securityGroups: base.securityGroups.map((g) =>
        g.value.GroupId === 'sg-a'
          ? { ...g, value: { ...g.value, IpPermissions: undefined, IpPermissionsEgress: undefined } }
          : g,
      ),
      networkAcls: base.networkAcls.map((a) =>
        a.value.NetworkAclId === 'acl-a' ? { ...a, value: { ...a.value, Entries: undefined } } : a,
      ),
    };
    const out = applyRemediation(
      bare,
      [
        rule({ sourceGroupId: 'sg-b' }),
        rule({ id: 'sg-rule-2', direction: 'egress', destinationGroupId: 'sg-b' }),
      ],
      [naclEntry({})],
    );
    assert.equal(group(out, 'sg-a').IpPermissions!.length, 1);
    assert.equal(group(out, 'sg-a').IpPermissionsEgress!.length, 1);
    assert.deepEqual(
      acl(out, 'acl-a').Entries!.map((e) => e.RuleNumber),
      [99],
    );
  });
});
