/**
 * Network ACLs, subnets, ENIs and prefix lists in the model (model/network.ts).
 * EC2 facts (API Reference, VPC User Guide): NACL entries are evaluated in rule-number order,
 * inbound and outbound apart; a subnet not explicitly associated with a NACL uses its VPC's
 * default NACL; describe-network-interfaces lists each ENI's primary and secondary private IPs
 * (`Primary: true` on the ENI's own), IPv6 addresses and delegated prefixes (Ipv4Prefixes,
 * Ipv6Prefixes), its attachment (InstanceId, DeviceIndex, NetworkCardIndex); describe-instances
 * embeds the same ENIs. VPC CNI (amazon-vpc-cni-k8s): ENIs it creates carry the description
 * `aws-K8S-<instance>` and the tag `node.k8s.amazonaws.com/instance_id`; it leaves ENIs tagged
 * `node.k8s.amazonaws.com/no_manage=true` alone. describe-prefix-lists gives a list's name (and
 * Cidrs for AWS-managed lists); get-managed-prefix-list-entries gives a list's entries.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressKey } from '../../src/model/network.ts';
import { modelFromFiles, type Json } from './model-of.ts';

const entry = (
  RuleNumber: number,
  Egress: boolean,
  RuleAction: 'allow' | 'deny',
  extra: Json = {},
): Json => ({
  RuleNumber,
  Egress,
  RuleAction,
  Protocol: '-1',
  CidrBlock: '0.0.0.0/0',
  ...extra,
});

describe('network ACLs', () => {
  const model = modelFromFiles({
    'aws/network-acls.json': {
      NetworkAcls: [
        {
          NetworkAclId: 'acl-1',
          VpcId: 'vpc-1',
          IsDefault: true,
          Entries: [
            entry(200, false, 'deny'),
            entry(100, false, 'allow', {
              Protocol: '6',
              PortRange: { From: 1024, To: 65535 },
              CidrBlock: '10.0.0.0/16',
            }),
            entry(32767, true, 'deny'),
            entry(101, true, 'allow', { Ipv6CidrBlock: '::/0', CidrBlock: undefined }),
            entry(150, false, 'allow', { Protocol: '17', PortRange: { From: 53, To: 53 } }),
          ],
          Associations: [{ SubnetId: 'subnet-explicit-default' }],
        },
        { NetworkAclId: 'acl-2', VpcId: 'vpc-1', Associations: [{ SubnetId: 'subnet-explicit' }] },
      ],
    },
    'aws/subnets.json': {
      Subnets: [
        {
          SubnetId: 'subnet-explicit',
          VpcId: 'vpc-1',
          CidrBlock: '10.0.0.0/24',
          AvailabilityZone: 'us-west-2a',
        },
        { SubnetId: 'subnet-explicit-default', VpcId: 'vpc-1', CidrBlock: '10.0.1.0/24' },
        {
          SubnetId: 'subnet-implicit',
          VpcId: 'vpc-1',
          CidrBlock: '10.0.2.0/24',
          Ipv6CidrBlockAssociationSet: [{ Ipv6CidrBlock: '2600:db8:0:2::/64' }, {}],
        },
        { SubnetId: 'subnet-other-vpc', VpcId: 'vpc-2', CidrBlock: '10.9.0.0/24' },
        { SubnetId: 'subnet-no-vpc', Ipv6CidrBlockAssociationSet: [{ Ipv6CidrBlock: '2600:db8:0:3::/64' }] },
      ],
    },
  });

  it('entries inbound and outbound apart, each in rule-number order, whatever the listed order', () => {
    const acl = model.nacls.get('acl-1')!;
    assert.deepEqual(
      acl.inbound.map((e) => e.ruleNumber),
      [100, 150, 200],
    );
    assert.deepEqual(
      acl.outbound.map((e) => e.ruleNumber),
      [101, 32767],
    );
    assert.equal(acl.isDefault, true);
    assert.equal(acl.id, 'acl-1');
    assert.equal(model.nacls.get('acl-2')!.isDefault, false);
    assert.deepEqual(model.nacls.get('acl-2')!.inbound, []);
  });

  it('each entry: its ACL, number, direction, action, protocol, ports, block and place in the input', () => {
    const [tcp, udp, deny] = model.nacls.get('acl-1')!.inbound;
    assert.equal(tcp!.naclId, 'acl-1');
    assert.equal(tcp!.egress, false);
    assert.equal(tcp!.action, 'allow');
    assert.equal(tcp!.protocol, 'tcp');
    assert.deepEqual(tcp!.ports, { from: 1024, to: 65535 });
    assert.equal(tcp!.cidr, '10.0.0.0/16');
    assert.equal(tcp!.range.family, 4);
    assert.deepEqual(tcp!.origin, { file: 'aws/network-acls.json', path: 'NetworkAcls[0].Entries[1]' });
    assert.equal(udp!.protocol, 'udp');
    assert.deepEqual(udp!.ports, { from: 53, to: 53 });
    assert.equal(deny!.action, 'deny');
    assert.equal(deny!.protocol, 'all');
    assert.equal('ports' in deny!, false);
    const v6 = model.nacls.get('acl-1')!.outbound[0]!;
    assert.equal(v6.cidr, '::/0');
    assert.equal(v6.range.family, 6);
    assert.equal(v6.egress, true);
  });

  it('a subnet’s NACL: explicit association, else its VPC’s default, else unknown', () => {
    const subnet = (id: string) => model.subnets.get(id)!;
    assert.equal(subnet('subnet-explicit').naclId, 'acl-2');
    assert.equal(subnet('subnet-explicit').naclAssociation, 'explicit');
    assert.equal(subnet('subnet-explicit-default').naclId, 'acl-1');
    assert.equal(subnet('subnet-explicit-default').naclAssociation, 'explicit');
    assert.equal(subnet('subnet-implicit').naclId, 'acl-1');
    assert.equal(subnet('subnet-implicit').naclAssociation, 'vpc-default');
    assert.equal(subnet('subnet-other-vpc').naclId, undefined);
    assert.equal(subnet('subnet-other-vpc').naclAssociation, 'unknown');
    assert.equal(subnet('subnet-no-vpc').naclAssociation, 'unknown');
  });

  it('a subnet’s blocks of both families, VPC and zone', () => {
    const implicit = model.subnets.get('subnet-implicit')!;
    assert.equal(implicit.id, 'subnet-implicit');
    assert.deepEqual(implicit.cidrText, ['10.0.2.0/24', '2600:db8:0:2::/64']);
    assert.deepEqual(
      implicit.cidrs.map((c) => c.family),
      [4, 6],
    );
    assert.equal(implicit.vpcId, 'vpc-1');
    assert.equal(implicit.availabilityZone, undefined);
    assert.equal(model.subnets.get('subnet-explicit')!.availabilityZone, 'us-west-2a');
    const noVpc = model.subnets.get('subnet-no-vpc')!;
    assert.equal('vpcId' in noVpc, false);
    assert.deepEqual(noVpc.cidrText, ['2600:db8:0:3::/64']);
  });

  it('NACLs not captured: every subnet says so', () => {
    const bare = modelFromFiles({
      'aws/subnets.json': { Subnets: [{ SubnetId: 'subnet-a', VpcId: 'vpc-1', CidrBlock: '10.0.0.0/24' }] },
    });
    assert.equal(bare.subnets.get('subnet-a')!.naclAssociation, 'not-captured');
    assert.equal(bare.naclsCaptured, false);
  });
});

describe('addressKey: one spelling per address', () => {
  it('a dotted quad is itself; an IPv6 address its canonical form; anything else none', () => {
    assert.equal(addressKey('10.0.0.1'), '10.0.0.1');
    assert.equal(addressKey('2600:DB8:0:0::0:1'), '2600:db8::1');
    assert.equal(addressKey('2600:db8::1'), '2600:db8::1');
    assert.equal(addressKey('10.0.0.256'), undefined);
    assert.equal(addressKey('fe80::zz'), undefined);
    assert.equal(addressKey(''), undefined);
  });
});

const INSTANCE = 'i-0000000000000000a';

describe('ENIs and the address index', () => {
  const model = modelFromFiles({
    'aws/network-interfaces.json': {
      NetworkInterfaces: [
        {
          NetworkInterfaceId: 'eni-1',
          SubnetId: 'subnet-a',
          Groups: [{ GroupId: 'sg-1' }, { GroupId: 'sg-2' }],
          PrivateIpAddress: '10.0.0.10',
          PrivateIpAddresses: [
            { PrivateIpAddress: '10.0.0.10', Primary: true },
            { PrivateIpAddress: '10.0.0.11', Primary: false },
            { PrivateIpAddress: '10.0.0.12' },
          ],
          Ipv6Addresses: [{ Ipv6Address: '2600:db8::a' }, { Ipv6Address: '2600:DB8::B' }],
          Ipv4Prefixes: [{ Ipv4Prefix: '10.0.1.16/28' }],
          Ipv6Prefixes: [{ Ipv6Prefix: '2600:db8:0:0:1::/80' }],
          Attachment: { InstanceId: INSTANCE, DeviceIndex: 1, NetworkCardIndex: 0 },
          Description: 'aws-K8S-i-0000000000000000a',
        },
        {
          NetworkInterfaceId: 'eni-0',
          InterfaceType: 'interface',
          PrivateIpAddress: '10.0.0.5',
          Attachment: { InstanceId: INSTANCE, DeviceIndex: 0 },
        },
        {
          NetworkInterfaceId: 'eni-tagged',
          InterfaceType: 'efa',
          PrivateIpAddress: '10.0.0.6',
          TagSet: [{ Key: 'node.k8s.amazonaws.com/instance_id', Value: INSTANCE }],
        },
        {
          NetworkInterfaceId: 'eni-branch',
          InterfaceType: 'branch',
          PrivateIpAddress: '10.0.0.7',
          Attachment: { InstanceId: INSTANCE, DeviceIndex: 5 },
        },
        {
          NetworkInterfaceId: 'eni-unmanaged',
          PrivateIpAddress: '10.0.0.8',
          TagSet: [{ Key: 'node.k8s.amazonaws.com/no_manage', Value: 'true' }],
          Description: 'aws-K8S-x',
        },
        { NetworkInterfaceId: 'eni-dup-ip', PrivateIpAddress: '10.0.0.11' },
        { NetworkInterfaceId: 'eni-other', PrivateIpAddress: '10.0.0.9', Description: 'user ENI' },
      ],
    },
    'aws/instances.json': {
      Reservations: [
        {
          Instances: [
            {
              InstanceId: 'i-0000000000000000b',
              NetworkInterfaces: [
                { NetworkInterfaceId: 'eni-1', PrivateIpAddress: '10.0.0.99' },
                {
                  NetworkInterfaceId: 'eni-embedded',
                  PrivateIpAddress: '10.0.5.5',
                  Attachment: { DeviceIndex: 0 },
                },
              ],
            },
          ],
        },
      ],
    },
  });
  const eni = (id: string) => {
    const found = model.enis.get(id);
    assert.ok(found, id);
    return found;
  };

  it('an ENI’s type, subnet, groups, addresses, attachment and prefixes', () => {
    const e = eni('eni-1');
    assert.equal(e.type, 'interface', 'the default type');
    assert.equal(e.subnetId, 'subnet-a');
    assert.deepEqual(e.groupIds, ['sg-1', 'sg-2']);
    assert.equal(e.primaryIp, '10.0.0.10');
    assert.equal(e.instanceId, INSTANCE);
    assert.equal(e.deviceIndex, 1);
    assert.equal(e.networkCardIndex, 0);
    assert.equal(e.secondaryIpv4Count, 2, 'the primary IP is not a secondary one');
    assert.equal(e.ipv6Count, 2);
    assert.deepEqual(e.prefixes, ['10.0.1.16/28', '2600:db8:0:0:1::/80']);
    assert.equal(e.cniMark, 'managed', 'by its aws-K8S- description');
    assert.deepEqual(e.origin, { file: 'aws/network-interfaces.json', path: 'NetworkInterfaces[0]' });
    const bare = eni('eni-other');
    assert.equal(bare.type, 'interface');
    assert.equal('subnetId' in bare, false);
    assert.deepEqual(bare.groupIds, []);
    assert.equal('instanceId' in bare, false);
    assert.equal('deviceIndex' in bare, false);
    assert.equal('networkCardIndex' in bare, false);
    assert.equal(bare.secondaryIpv4Count, 0);
    assert.equal(bare.ipv6Count, 0);
    assert.deepEqual(bare.prefixes, []);
    assert.equal('cniMark' in bare, false);
  });

  it('the VPC CNI’s marks: its instance tag, its description, and no_manage over both', () => {
    assert.equal(eni('eni-tagged').cniMark, 'managed');
    assert.equal(eni('eni-tagged').instanceId, INSTANCE, 'the instance from the tag');
    assert.equal(eni('eni-tagged').type, 'efa');
    assert.equal(eni('eni-unmanaged').cniMark, 'no-manage');
  });

  it('an ENI in both describe-network-interfaces and describe-instances: the first, once', () => {
    assert.equal(eni('eni-1').primaryIp, '10.0.0.10');
    assert.equal(model.eniForAddress('10.0.0.99'), undefined);
    const embedded = eni('eni-embedded');
    assert.equal(embedded.instanceId, 'i-0000000000000000b', 'the instance that embeds it');
    assert.deepEqual(embedded.origin, {
      file: 'aws/instances.json',
      path: 'Reservations[0].Instances[0].NetworkInterfaces[1]',
    });
    assert.equal(model.enis.size, 8);
  });

  it('finds the ENI of an address: primary, secondary, IPv6 in any spelling, inside a delegated prefix', () => {
    const of = (ip: string) => model.eniForAddress(ip)?.id;
    assert.equal(of('10.0.0.10'), 'eni-1');
    assert.equal(of('10.0.0.12'), 'eni-1');
    assert.equal(of('10.0.0.11'), 'eni-1', 'the first ENI listing an address keeps it');
    assert.equal(of('2600:db8::b'), 'eni-1');
    assert.equal(of('2600:DB8:0::A'), 'eni-1');
    assert.equal(of('10.0.1.16'), 'eni-1');
    assert.equal(of('10.0.1.31'), 'eni-1');
    assert.equal(of('10.0.1.32'), undefined);
    assert.equal(of('10.0.1.15'), undefined);
    assert.equal(of('2600:db8::1:0:0:7'), 'eni-1');
    assert.equal(of('2600:db8::2:0:0:7'), undefined);
    assert.equal(of('10.0.0.7'), 'eni-branch');
    assert.equal(of('10.0.0.200'), undefined);
    assert.equal(of('not an IP'), undefined);
  });

  it('the ENIs of an instance by device index, without branch ENIs', () => {
    assert.deepEqual(
      model.enisOfInstance(INSTANCE).map((e) => e.id),
      ['eni-0', 'eni-1', 'eni-tagged'],
    );
    assert.deepEqual(model.enisOfInstance('i-0000000000000000c'), []);
  });
});

describe('prefix lists', () => {
  it('Cidrs and name from describe-prefix-lists; entries from get-managed-prefix-list-entries, merged', () => {
    const model = modelFromFiles({
      'aws/prefix-lists.json': {
        PrefixLists: [
          { PrefixListId: 'pl-0aaa', PrefixListName: 'com.amazonaws.us-west-2.s3', Cidrs: ['52.0.0.0/15'] },
          { PrefixListId: 'pl-0bbb', PrefixListName: 'corp' },
          { PrefixListId: 'pl-0ccc' },
        ],
      },
      'aws/pl-0bbb.json': { Entries: [{ Cidr: '192.168.0.0/16' }, { Cidr: '172.16.0.0/12' }] },
      'aws/pl-0aaa.json': { Entries: [{ Cidr: '54.0.0.0/16' }] },
      'aws/pl-0ddd.json': { Entries: [{ Cidr: '2600:db8::/32' }] },
    });
    const lists = model.prefixLists;
    assert.equal(lists.get('pl-0aaa')!.name, 'com.amazonaws.us-west-2.s3');
    assert.equal(lists.get('pl-0aaa')!.cidrs.length, 2);
    assert.equal(lists.get('pl-0bbb')!.name, 'corp');
    assert.equal(lists.get('pl-0bbb')!.cidrs.length, 2);
    assert.equal(lists.get('pl-0ccc'), undefined, 'no Cidrs and no entries: not known');
    assert.equal(lists.get('pl-0ddd')!.name, undefined);
    assert.equal('name' in lists.get('pl-0ddd')!, false);
    assert.equal(lists.get('pl-0ddd')!.cidrs[0]!.family, 6);
  });
});
