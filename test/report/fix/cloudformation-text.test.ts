/**
 * The CloudFormation template as a person reads it, written out in full for a hand-made plan.
 * Property names and types from the CloudFormation resource reference:
 * AWS::EC2::SecurityGroupIngress (GroupId, IpProtocol, FromPort, ToPort: Integer, one of
 * SourceSecurityGroupId / CidrIp / CidrIpv6, Description), AWS::EC2::SecurityGroupEgress (the same
 * with DestinationSecurityGroupId) and AWS::EC2::NetworkAclEntry (NetworkAclId, RuleNumber: Integer,
 * Protocol: Integer, RuleAction, Egress: Boolean, CidrBlock / Ipv6CidrBlock, PortRange {From, To}).
 * Logical ids are letters and digits only.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emitCloudFormation } from '../../../src/report/fix/cloudformation.ts';
import type { PlannedNaclEntry, PlannedRule } from '../../../src/questions/fix/plan.ts';
import {
  EMPTY,
  EMPTY_HEADER,
  ETCD_UNBLOCKS,
  FULL,
  FULL_HEADER,
  NACL_IN,
  NATS_POLICY,
  NATS_RULE,
  NATS_UNBLOCKS,
  NOT_FIXED,
  hashed,
} from './hand-plan.ts';

const NO_TAGS =
  '# These resource types take no Tags: each rule carries its description, and Metadata names the flows.';
const indent = (lines: readonly string[]): string[] => lines.map((l) => `  ${l}`);
const metadata = (id: string, requirement: string, flow: string): string[] => [
  '    Metadata:',
  '      dynamo-netcheck:',
  `        id: ${id}`,
  '        requirements:',
  `          - ${requirement}`,
  '        unblocks:',
  `          - ${flow}`,
];

describe('CloudFormation: the whole template', () => {
  // NACL_OUT's requirements list is NACL_IN's own array: written out twice, with no YAML anchor
  // or alias, which CloudFormation's YAML does not take.
  it('a plan with every kind of item: header comments, quoted version, one commented resource per item', () => {
    assert.equal(
      emitCloudFormation(FULL),
      [
        ...hashed(FULL_HEADER),
        NO_TAGS,
        '# 1 NetworkPolicy also needed: they are Kubernetes objects; `dynamo-netcheck fix -o kubernetes` writes them for kubectl apply.',
        ...hashed(NOT_FIXED),
        '',
        'AWSTemplateFormatVersion: "2010-09-09"',
        'Description: "dynamo-netcheck remediation for EKS cluster gpu-prod: 2 security-group rules, 2 network ACL entries"',
        'Resources:',
        '  # sgr-1: ingress to sg-sys (system) from sg-gpu (gpu), tcp/4222',
        ...indent(hashed(NATS_UNBLOCKS)),
        '  NatsIngressSgSysFromSgGpuTcp4222:',
        '    Type: AWS::EC2::SecurityGroupIngress',
        ...metadata('sgr-1', 'nats', 'flow-nats'),
        '    Properties:',
        '      GroupId: sg-sys',
        '      IpProtocol: tcp',
        '      FromPort: 4222',
        '      ToPort: 4222',
        '      SourceSecurityGroupId: sg-gpu',
        '      Description: NATS from gpu-a',
        '  # sgr-2: egress from sg-gpu (gpu) to 10.0.16.0/20, tcp/2379-2380',
        ...indent(hashed(ETCD_UNBLOCKS)),
        '  EtcdEgressSgGpuTo10016020Tcp23792380:',
        '    Type: AWS::EC2::SecurityGroupEgress',
        ...metadata('sgr-2', 'etcd', 'flow-etcd'),
        '    Properties:',
        '      GroupId: sg-gpu',
        '      IpProtocol: tcp',
        '      FromPort: 2379',
        '      ToPort: 2380',
        '      CidrIp: 10.0.16.0/20',
        '      Description: etcd to system subnet',
        '  # nacl-1: NATS into the system subnet',
        '  # The inbound entry 99 in acl-sys (subnet-sys): allow tcp/4222 from 10.0.32.0/20.',
        ...indent(hashed(NATS_UNBLOCKS)),
        '  NatsAclSysIngress99:',
        '    Type: AWS::EC2::NetworkAclEntry',
        ...metadata('nacl-1', 'nats', 'flow-nats'),
        '    Properties:',
        '      NetworkAclId: acl-sys',
        '      RuleNumber: 99',
        '      Protocol: 6',
        '      RuleAction: allow',
        '      Egress: false',
        '      CidrBlock: 10.0.32.0/20',
        '      PortRange:',
        '        From: 4222',
        '        To: 4222',
        '  # nacl-2: NATS replies to the gpu subnet',
        '  # The outbound entry 98 in acl-sys (subnet-sys): allow tcp/1024-65535 to 10.0.32.0/20.',
        ...indent(hashed(NATS_UNBLOCKS)),
        '  NatsAclSysEgress98:',
        '    Type: AWS::EC2::NetworkAclEntry',
        ...metadata('nacl-2', 'nats', 'flow-nats'),
        '    Properties:',
        '      NetworkAclId: acl-sys',
        '      RuleNumber: 98',
        '      Protocol: 6',
        '      RuleAction: allow',
        '      Egress: true',
        '      CidrBlock: 10.0.32.0/20',
        '      PortRange:',
        '        From: 1024',
        '        To: 65535',
        '',
      ].join('\n'),
    );
  });

  it('an empty plan is a stack with one no-op handle that says so', () => {
    assert.equal(
      emitCloudFormation(EMPTY),
      [
        ...hashed(EMPTY_HEADER),
        NO_TAGS,
        '',
        'AWSTemplateFormatVersion: "2010-09-09"',
        'Description: "dynamo-netcheck remediation: 0 security-group rules, 0 network ACL entries"',
        'Resources:',
        '  # Nothing to fix in security groups or network ACLs: this handle does nothing.',
        '  NothingToFix:',
        '    Type: AWS::CloudFormation::WaitConditionHandle',
        '',
      ].join('\n'),
    );
  });

  it('two NetworkPolicies: the header says they are needed and where they come from', () => {
    const text = emitCloudFormation({ ...EMPTY, policies: [NATS_POLICY, NATS_POLICY] });
    assert.ok(
      text.startsWith(
        [
          '# Remediation by dynamo-netcheck 9.9.9.',
          '# Dynamo 1.2.0 (flag). Verdict before: PASS (0 blocked, 8 allowed, 0 unknown flows).',
          '# 0 security-group rules, 0 network ACL entries, 2 NetworkPolicies: each exactly as wide as the flows it unblocks.',
          NO_TAGS,
          '# 2 NetworkPolicies also needed: they are Kubernetes objects; `dynamo-netcheck fix -o kubernetes` writes them for kubectl apply.',
          '',
          'AWSTemplateFormatVersion',
        ].join('\n'),
      ),
      text,
    );
  });
});

describe('CloudFormation: each peer, protocol and warning', () => {
  it('an egress rule to a group names DestinationSecurityGroupId; an IPv6 peer is CidrIpv6', () => {
    const egress: PlannedRule = {
      ...NATS_RULE,
      rule: {
        ...NATS_RULE.rule,
        direction: 'egress',
        sourceGroupId: undefined,
        destinationGroupId: 'sg-gpu',
      },
    };
    const v6: PlannedRule = { ...NATS_RULE, peer: { kind: 'cidr-ipv6', cidr: '2600:1f14::/56' } };
    const text = emitCloudFormation({ ...EMPTY, rules: [egress, v6] });
    assert.ok(text.includes('      DestinationSecurityGroupId: sg-gpu\n'), text);
    assert.ok(text.includes('      CidrIpv6: 2600:1f14::/56\n'), text);
    assert.ok(!text.includes('SourceSecurityGroupId'), text);
  });

  it("EFA's all-traffic rule (-1) has no FromPort or ToPort; its warning and documented ranges are comments", () => {
    const efa: PlannedRule = {
      ...NATS_RULE,
      rule: {
        ...NATS_RULE.rule,
        groupId: 'sg-gpu',
        protocol: '-1',
        fromPort: -1,
        toPort: -1,
        requirements: ['efa-srd'],
        quotaWarning: 'sg-gpu would have 61 inbound rules (quota 60)',
        documented: ['the EFA guide opens all traffic'],
      },
    };
    const text = emitCloudFormation({ ...EMPTY, rules: [efa] });
    assert.ok(
      text.includes(
        [
          '  # sgr-1: ingress to sg-gpu (gpu) from sg-gpu (gpu), all traffic',
          ...indent(hashed(NATS_UNBLOCKS)),
          '  # WARNING: sg-gpu would have 61 inbound rules (quota 60)',
          '  # Narrowest range that works; the EFA guide opens all traffic.',
          '  EfaSrdIngressSgGpuFromSgGpu1:',
        ].join('\n'),
      ),
      text,
    );
    assert.ok(
      text.includes(
        [
          '    Properties:',
          '      GroupId: sg-gpu',
          '      IpProtocol: "-1"',
          '      SourceSecurityGroupId: sg-gpu',
          '      Description: NATS from gpu-a',
        ].join('\n'),
      ),
      text,
    );
  });

  it('an IPv6 NACL entry is Ipv6CidrBlock; UDP is protocol 17', () => {
    const v6: PlannedNaclEntry = {
      ...NACL_IN,
      protocolNumber: '17',
      ipv6: true,
      entry: { ...NACL_IN.entry, protocol: 'udp', cidr: '2600:1f14::/56' },
    };
    const text = emitCloudFormation({ ...EMPTY, naclEntries: [v6] });
    assert.ok(
      text.includes(
        '\nDescription: "dynamo-netcheck remediation: 0 security-group rules, 1 network ACL entry"\n',
      ),
      text,
    );
    assert.ok(text.includes('      Protocol: 17\n'), text);
    assert.ok(text.includes('      Ipv6CidrBlock: 2600:1f14::/56\n'), text);
    assert.ok(!text.includes('CidrBlock: 10.'), text);
  });
});

describe('CloudFormation: logical ids', () => {
  const ids = (text: string): string[] => [...text.matchAll(/^ {2}([A-Za-z0-9]+):$/gm)].map((m) => m[1]!);

  it('a repeated id gets 2 appended (letters and digits only, no separator)', () => {
    assert.deepEqual(ids(emitCloudFormation({ ...EMPTY, rules: [NATS_RULE, NATS_RULE] })), [
      'NatsIngressSgSysFromSgGpuTcp4222',
      'NatsIngressSgSysFromSgGpuTcp42222',
    ]);
  });

  it('a peer that starts with a separator (::/0) adds no empty word', () => {
    const anyV6: PlannedRule = { ...NATS_RULE, peer: { kind: 'cidr-ipv6', cidr: '::/0' } };
    assert.deepEqual(ids(emitCloudFormation({ ...EMPTY, rules: [anyV6] })), ['NatsIngressSgSysFrom0Tcp4222']);
  });

  it('a very long id is cut to 250 characters (the APIs take logical resource ids of up to 255)', () => {
    const long: PlannedRule = { ...NATS_RULE, rule: { ...NATS_RULE.rule, groupId: `sg-${'a'.repeat(300)}` } };
    assert.deepEqual(ids(emitCloudFormation({ ...EMPTY, rules: [long] })), [
      `NatsIngressSgA${'a'.repeat(236)}`,
    ]);
  });

  it('an id that would start with a digit is prefixed Rule', () => {
    const odd: PlannedNaclEntry = {
      ...NACL_IN,
      entry: { ...NACL_IN.entry, naclId: '9acl', requirements: [] },
    };
    assert.deepEqual(ids(emitCloudFormation({ ...EMPTY, naclEntries: [odd] })), ['Rule9aclIngress99']);
  });
});
