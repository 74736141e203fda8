/**
 * The Terraform file as a person reads it, written out in full for a hand-made plan. Resources and
 * arguments as the hashicorp/aws provider documents them: `aws_vpc_security_group_ingress_rule` /
 * `_egress_rule` (security_group_id, one of referenced_security_group_id / cidr_ipv4 / cidr_ipv6,
 * ip_protocol, from_port, to_port, description, tags) and `aws_network_acl_rule` (network_acl_id,
 * rule_number, egress, protocol, rule_action, cidr_block / ipv6_cidr_block, from_port, to_port).
 * Layout as `terraform fmt` writes it: `=` aligned over each run of one-line arguments.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emitTerraform, hclString } from '../../../src/report/fix/terraform.ts';
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

const NATS_TAGS = [
  '  tags = {',
  '    "created-by"                   = "dynamo-netcheck"',
  '    "dynamo-netcheck:requirements" = "nats"',
  '    "dynamo-netcheck:cluster"      = "gpu-prod"',
  '  }',
];

const file = (...blocks: string[][]): string => `${blocks.map((b) => b.join('\n')).join('\n\n')}\n`;

describe('Terraform: the whole text', () => {
  it('a plan with every kind of item: header, then one resource per rule and NACL entry, each with its comment', () => {
    assert.equal(
      emitTerraform(FULL),
      file(
        [
          ...hashed(FULL_HEADER),
          '# Resources of the hashicorp/aws provider >= 5.0; the rules are tagged created-by=dynamo-netcheck.',
          '# 1 NetworkPolicy also needed: they are Kubernetes objects, not AWS resources; `dynamo-netcheck fix -o kubernetes` writes them for kubectl apply.',
          ...hashed(NOT_FIXED),
        ],
        [
          '# sgr-1: ingress to sg-sys (system) from sg-gpu (gpu), tcp/4222',
          ...hashed(NATS_UNBLOCKS),
          'resource "aws_vpc_security_group_ingress_rule" "nats_ingress_sg_sys_from_sg_gpu_tcp_4222" {',
          '  security_group_id            = "sg-sys"',
          '  referenced_security_group_id = "sg-gpu"',
          '  ip_protocol                  = "tcp"',
          '  from_port                    = 4222',
          '  to_port                      = 4222',
          '  description                  = "NATS from gpu-a"',
          ...NATS_TAGS,
          '}',
        ],
        [
          '# sgr-2: egress from sg-gpu (gpu) to 10.0.16.0/20, tcp/2379-2380',
          ...hashed(ETCD_UNBLOCKS),
          'resource "aws_vpc_security_group_egress_rule" "etcd_egress_sg_gpu_to_10_0_16_0_20_tcp_2379_2380" {',
          '  security_group_id = "sg-gpu"',
          '  cidr_ipv4         = "10.0.16.0/20"',
          '  ip_protocol       = "tcp"',
          '  from_port         = 2379',
          '  to_port           = 2380',
          '  description       = "etcd to system subnet"',
          '  tags = {',
          '    "created-by"                   = "dynamo-netcheck"',
          '    "dynamo-netcheck:requirements" = "etcd"',
          '    "dynamo-netcheck:cluster"      = "gpu-prod"',
          '  }',
          '}',
        ],
        [
          '# nacl-1: NATS into the system subnet',
          '# The inbound entry 99 in acl-sys (subnet-sys): allow tcp/4222 from 10.0.32.0/20.',
          ...hashed(NATS_UNBLOCKS),
          'resource "aws_network_acl_rule" "nats_acl_sys_ingress_99" {',
          '  network_acl_id = "acl-sys"',
          '  rule_number    = 99',
          '  egress         = false',
          '  protocol       = "tcp"',
          '  rule_action    = "allow"',
          '  cidr_block     = "10.0.32.0/20"',
          '  from_port      = 4222',
          '  to_port        = 4222',
          '}',
        ],
        [
          '# nacl-2: NATS replies to the gpu subnet',
          '# The outbound entry 98 in acl-sys (subnet-sys): allow tcp/1024-65535 to 10.0.32.0/20.',
          ...hashed(NATS_UNBLOCKS),
          'resource "aws_network_acl_rule" "nats_acl_sys_egress_98" {',
          '  network_acl_id = "acl-sys"',
          '  rule_number    = 98',
          '  egress         = true',
          '  protocol       = "tcp"',
          '  rule_action    = "allow"',
          '  cidr_block     = "10.0.32.0/20"',
          '  from_port      = 1024',
          '  to_port        = 65535',
          '}',
        ],
      ),
    );
  });

  it('an empty plan is a header that says there is nothing to fix', () => {
    assert.equal(
      emitTerraform(EMPTY),
      file([
        ...hashed(EMPTY_HEADER),
        '# Resources of the hashicorp/aws provider >= 5.0; the rules are tagged created-by=dynamo-netcheck.',
        '# Nothing to fix in security groups or network ACLs.',
      ]),
    );
  });

  it('with NetworkPolicies only it points to `fix -o kubernetes` and still has no resource', () => {
    const text = emitTerraform({ ...EMPTY, policies: [NATS_POLICY, NATS_POLICY] });
    assert.ok(
      text.endsWith(
        [
          '# Nothing to fix in security groups or network ACLs.',
          '# 2 NetworkPolicies also needed: they are Kubernetes objects, not AWS resources; `dynamo-netcheck fix -o kubernetes` writes them for kubectl apply.',
          '',
        ].join('\n'),
      ),
      text,
    );
  });

  it('one rule and one NACL entry is not "nothing to fix"', () => {
    const text = emitTerraform({ ...EMPTY, rules: [NATS_RULE], naclEntries: [NACL_IN] });
    assert.ok(!text.includes('Nothing to fix'), text);
  });
});

describe('Terraform: each peer, protocol and warning', () => {
  it('an IPv6 peer is cidr_ipv6, an egress group peer is referenced_security_group_id', () => {
    const v6: PlannedRule = {
      ...NATS_RULE,
      peer: { kind: 'cidr-ipv6', cidr: '2600:1f14::/56' },
    };
    const egress: PlannedRule = {
      ...NATS_RULE,
      rule: {
        ...NATS_RULE.rule,
        direction: 'egress',
        sourceGroupId: undefined,
        destinationGroupId: 'sg-gpu',
      },
    };
    const text = emitTerraform({ ...EMPTY, rules: [v6, egress] });
    assert.ok(text.includes('  cidr_ipv6         = "2600:1f14::/56"\n'), text);
    assert.ok(
      text.includes(
        [
          'resource "aws_vpc_security_group_egress_rule" "nats_egress_sg_sys_to_sg_gpu_tcp_4222" {',
          '  security_group_id            = "sg-sys"',
          '  referenced_security_group_id = "sg-gpu"',
        ].join('\n'),
      ),
      text,
    );
  });

  it("EFA's all-traffic rule (-1) takes no ports; its warnings and documented ranges are comments", () => {
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
    assert.equal(
      emitTerraform({ ...EMPTY, rules: [efa] }).split('\n\n')[1],
      [
        '# sgr-1: ingress to sg-gpu (gpu) from sg-gpu (gpu), all traffic',
        ...hashed(NATS_UNBLOCKS),
        '# WARNING: sg-gpu would have 61 inbound rules (quota 60)',
        '# Narrowest range that works; the EFA guide opens all traffic.',
        'resource "aws_vpc_security_group_ingress_rule" "efa_srd_ingress_sg_gpu_from_sg_gpu_1" {',
        '  security_group_id            = "sg-gpu"',
        '  referenced_security_group_id = "sg-gpu"',
        '  ip_protocol                  = "-1"',
        '  description                  = "NATS from gpu-a"',
        ...NATS_TAGS,
        '}',
        '',
      ].join('\n'),
    );
  });

  it('an IPv6 NACL entry is ipv6_cidr_block', () => {
    const v6: PlannedNaclEntry = {
      ...NACL_IN,
      ipv6: true,
      entry: { ...NACL_IN.entry, cidr: '2600:1f14::/56' },
    };
    const text = emitTerraform({ ...EMPTY, naclEntries: [v6] });
    assert.ok(text.includes('  ipv6_cidr_block = "2600:1f14::/56"\n'), text);
  });
});

describe('Terraform: resource names', () => {
  it('two rules that would get the same name: the second is suffixed _2', () => {
    const text = emitTerraform({ ...EMPTY, rules: [NATS_RULE, NATS_RULE] });
    const names = [...text.matchAll(/^resource "[a-z_]+" "([^"]+)"/gm)].map((m) => m[1]);
    assert.deepEqual(names, [
      'nats_ingress_sg_sys_from_sg_gpu_tcp_4222',
      'nats_ingress_sg_sys_from_sg_gpu_tcp_4222_2',
    ]);
  });

  it('runs of other characters become one underscore (::/0 between two parts)', () => {
    const anyV6: PlannedRule = { ...NATS_RULE, peer: { kind: 'cidr-ipv6', cidr: '::/0' } };
    const text = emitTerraform({ ...EMPTY, rules: [anyV6] });
    assert.ok(text.includes('"nats_ingress_sg_sys_from_0_tcp_4222" {'), text);
  });

  it('ids that start or end with other characters, or with a digit, still give a name that starts with a letter', () => {
    const odd = (naclId: string): PlannedNaclEntry => ({
      ...NACL_IN,
      entry: { ...NACL_IN.entry, naclId, requirements: [] },
    });
    const text = emitTerraform({ ...EMPTY, naclEntries: [odd('-acl-'), odd('9acl')] });
    const names = [...text.matchAll(/^resource "[a-z_]+" "([^"]+)"/gm)].map((m) => m[1]);
    assert.deepEqual(names, ['acl_ingress_99', 'r_9acl_ingress_99']);
  });
});

describe('hclString: HCL string escapes', () => {
  it('newline, carriage return and tab as \\n \\r \\t; other controls as \\uNNNN', () => {
    assert.equal(hclString('a\nb\rc\td\u0001e\u001f'), '"a\\nb\\rc\\td\\u0001e\\u001f"');
  });
});
