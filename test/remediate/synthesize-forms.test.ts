/**
 * The commands and entries the fix writes, checked against the AWS CLI reference and EC2's rules:
 * - `aws ec2 create-network-acl-entry --network-acl-id … --ingress|--egress --rule-number N
 *   --protocol tcp|udp --port-range From=…,To=… --cidr-block … --rule-action allow`; entries are
 *   evaluated lowest number first, so an allow helps only below the deny it must precede, and a
 *   NACL holds one entry per number and direction (NetworkAclEntryAlreadyExists).
 * - NACLs are stateless: the reply to the client's ephemeral port needs an outbound entry too.
 * - `authorize-security-group-ingress --protocol --port --source-group` for a group peer;
 *   `authorize-security-group-egress` takes the permission as `--ip-permissions`.
 * - A rule can only be added to a security group: an ENI with none cannot be fixed by one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  allTraffic,
  naclAllowAll,
  scenario,
  tcp,
  type NaclEntry,
  type Permission,
} from '../helpers/scenario.ts';

const SYS_SUBNET = '10.0.16.0/20';
const GPU_SUBNET = '10.0.32.0/20';
const NATS = 'NATS event plane, Dynamo 1.2+ (dynamo-netcheck)';

const entry = (
  RuleNumber: number,
  RuleAction: 'allow' | 'deny',
  Egress: boolean,
  CidrBlock: string,
): NaclEntry => ({
  RuleNumber,
  RuleAction,
  Egress,
  CidrBlock,
  Protocol: '-1',
});

/** NATS on sys-1 (subnet-sys, sg-sys); a GPU node gpu-1 (subnet-gpu, sg-gpu) with no pod yet. */
function cluster(options: {
  sysNacl: NaclEntry[];
  sysSgs?: string[];
  gpuEgress?: Permission[];
  /** More inbound rules on sg-sys, each counted against its quota. */
  sysIngress?: Permission[];
}) {
  return scenario()
    .subnet('subnet-sys', SYS_SUBNET)
    .subnet('subnet-gpu', GPU_SUBNET)
    .nacl('acl-default', ['subnet-gpu'], naclAllowAll(), true)
    .nacl('acl-sys', ['subnet-sys'], options.sysNacl)
    .sg('sg-sys', [allTraffic.fromGroup('sg-sys'), ...(options.sysIngress ?? [])])
    .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')], options.gpuEgress)
    .node('sys-1', {
      group: 'system',
      subnet: 'subnet-sys',
      ip: '10.0.16.10',
      sgs: options.sysSgs ?? ['sg-sys'],
      podIps: ['10.0.16.11'],
    })
    .node('gpu-1', { group: 'gpu', subnet: 'subnet-gpu', ip: '10.0.32.10', sgs: ['sg-gpu'], gpu: true })
    .nats('nats-0', 'sys-1', '10.0.16.11')
    .analyze({ dynamoVersion: '1.2.0', conformance: false });
}

describe('the fix for a NATS flow the SG and both NACL directions block', () => {
  const result = cluster({
    sysNacl: [
      entry(100, 'allow', false, SYS_SUBNET),
      entry(200, 'deny', false, '0.0.0.0/0'),
      entry(100, 'allow', true, SYS_SUBNET),
      entry(32767, 'deny', true, '0.0.0.0/0'),
    ],
  });
  const nats = result.flows.filter((f) => f.requirement === 'nats');

  it('an ingress rule from the client group, in the --source-group form, with the requirement named', () => {
    const rules = result.remediation.filter((r) => r.fromPort === 4222);
    assert.deepEqual(
      rules.map((r) => [r.id, r.command, r.description, r.requirements, r.quotaWarning]),
      [
        [
          rules[0]!.id,
          'aws ec2 authorize-security-group-ingress --group-id sg-sys --protocol tcp --port 4222 --source-group sg-gpu',
          NATS,
          ['nats'],
          undefined,
        ],
      ],
    );
  });

  it('an inbound entry below the deny at 200, and an outbound entry for the replies below 32767', () => {
    const entries = result.naclRemediation.filter((n) => n.naclId === 'acl-sys');
    assert.deepEqual(
      entries.map((n) => [n.egress, n.ruleNumber, n.protocol, n.fromPort, n.toPort, n.cidr, n.subnetId]),
      [
        [false, 199, 'tcp', 4222, 4222, GPU_SUBNET, 'subnet-sys'],
        [true, 32766, 'tcp', 32768, 60999, GPU_SUBNET, 'subnet-sys'],
      ],
    );
    assert.deepEqual(
      entries.map((n) => n.command),
      [
        'aws ec2 create-network-acl-entry --network-acl-id acl-sys --ingress --rule-number 199 --protocol tcp --port-range From=4222,To=4222 --cidr-block 10.0.32.0/20 --rule-action allow',
        'aws ec2 create-network-acl-entry --network-acl-id acl-sys --egress --rule-number 32766 --protocol tcp --port-range From=32768,To=60999 --cidr-block 10.0.32.0/20 --rule-action allow',
      ],
    );
    assert.deepEqual(
      entries.map((n) => n.description),
      [NATS, `${NATS}, return traffic`],
    );
    assert.deepEqual(
      entries.map((n) => n.requirements),
      [['nats'], ['nats']],
    );
  });

  it('each item says which flows it unblocks, and each flow lists its items, rules before entries', () => {
    const ids = nats.map((f) => f.id).sort();
    assert.ok(ids.length > 0);
    const items = [
      ...result.remediation.filter((r) => r.fromPort === 4222),
      ...result.naclRemediation.filter((n) => n.naclId === 'acl-sys'),
    ];
    for (const item of items) assert.deepEqual([...item.unblocks].sort(), ids, item.id);
    for (const flow of nats)
      assert.deepEqual(
        flow.fixedBy,
        items.map((i) => i.id),
        flow.id,
      );
    assert.deepEqual(
      result.warnings.filter((w) => w.startsWith('no fix can be synthesised')),
      [],
    );
  });
});

describe('what no fix can do, said as a warning', () => {
  it('a deny at rule 1: no allow entry can precede it, so none is proposed', () => {
    const result = cluster({
      sysNacl: [
        entry(1, 'deny', false, GPU_SUBNET),
        entry(100, 'allow', false, '0.0.0.0/0'),
        entry(100, 'allow', true, '0.0.0.0/0'),
      ],
    });
    assert.deepEqual(
      result.naclRemediation.filter((n) => n.naclId === 'acl-sys' && !n.egress),
      [],
    );
    const nats = result.flows.filter((f) => f.requirement === 'nats');
    assert.ok(nats.length > 0);
    for (const flow of nats)
      assert.ok(
        result.warnings.includes(
          `no fix can be synthesised for ${flow.id}: no free rule number below 1 in acl-sys for an allow entry`,
        ),
        result.warnings.join('\n'),
      );
  });

  it('every number below the deny taken: the entry goes below the lowest free one, else nowhere', () => {
    const taken = [1, 2, 3].map((n) => entry(n, 'allow', false, '192.168.0.0/16'));
    const result = cluster({
      sysNacl: [...taken, entry(4, 'deny', false, '0.0.0.0/0'), entry(100, 'allow', true, '0.0.0.0/0')],
    });
    assert.ok(
      result.warnings.some((w) => w.endsWith(': no free rule number below 4 in acl-sys for an allow entry')),
      result.warnings.join('\n'),
    );
    const freeAt2 = cluster({
      sysNacl: [
        entry(1, 'allow', false, '192.168.0.0/16'),
        entry(3, 'allow', false, '192.168.0.0/16'),
        entry(4, 'deny', false, '0.0.0.0/0'),
        entry(100, 'allow', true, '0.0.0.0/0'),
      ],
    });
    assert.deepEqual(
      freeAt2.naclRemediation.filter((n) => !n.egress).map((n) => n.ruleNumber),
      [2],
    );
  });

  it('the server’s ENI has no security group: no rule can be added, and the warning names its node group', () => {
    const result = cluster({ sysNacl: naclAllowAll(), sysSgs: [] });
    assert.deepEqual(
      result.remediation.filter((r) => r.direction === 'ingress' && r.fromPort === 4222),
      [],
    );
    const nats = result.flows.filter((f) => f.requirement === 'nats');
    assert.ok(nats.length > 0);
    for (const flow of nats)
      assert.ok(
        result.warnings.includes(
          `no fix can be synthesised for ${flow.id}: system has no security group to add a rule to`,
        ),
        result.warnings.join('\n'),
      );
  });
});

describe('an egress rule', () => {
  it('to a server with no security group names its subnet, as --ip-permissions IpRanges', () => {
    const result = cluster({
      sysNacl: naclAllowAll(),
      sysSgs: [],
      gpuEgress: [tcp(443).fromCidr('0.0.0.0/0')],
    });
    assert.deepEqual(
      result.remediation.filter((r) => r.direction === 'egress' && r.fromPort === 4222).map((r) => r.command),
      [
        "aws ec2 authorize-security-group-egress --group-id sg-gpu --ip-permissions 'IpProtocol=tcp,FromPort=4222,ToPort=4222,IpRanges=[{CidrIp=10.0.16.0/20}]'",
      ],
    );
  });
});

describe('the per-group quota of inbound rules (default 60)', () => {
  const filler = (n: number) => Array.from({ length: n }, (_, i) => tcp(10000 + i).fromCidr('10.99.0.0/16'));

  it('60 rules after the fix: within the quota, no warning', () => {
    // 1 self rule + 58 + the NATS rule = 60.
    const result = cluster({ sysNacl: naclAllowAll(), sysIngress: filler(58) });
    const rules = result.remediation.filter((r) => r.groupId === 'sg-sys');
    assert.equal(rules.length, 1);
    assert.equal(rules[0]!.quotaWarning, undefined);
  });

  it('61 rules after the fix: the rule warns, with the count', () => {
    const result = cluster({ sysNacl: naclAllowAll(), sysIngress: filler(59) });
    const rules = result.remediation.filter((r) => r.groupId === 'sg-sys');
    assert.deepEqual(
      rules.map((r) => r.quotaWarning),
      [
        'sg-sys would have 61 inbound rules, over the default quota of 60: request a quota increase or consolidate rules first',
      ],
    );
  });
});
