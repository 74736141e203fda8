/**
 * The aws-cli script as a person reads it, written out in full for a hand-made plan. The commands
 * follow the AWS CLI reference: `aws ec2 authorize-security-group-ingress|egress --group-id …
 * --ip-permissions <JSON> --tag-specifications …` and `aws ec2 create-network-acl-entry
 * --network-acl-id … --ingress|--egress --rule-number … --protocol … --port-range From=…,To=…
 * --cidr-block|--ipv6-cidr-block … --rule-action allow`. The comments name the rule, the groups,
 * the ports and every flow it unblocks, and the IAM actions the script needs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandLine, emitAwsCli, fixCommands, tagSpecification } from '../../../src/report/fix/aws-cli.ts';
import type { FixPlan, PlannedNaclEntry } from '../../../src/questions/fix/plan.ts';
import {
  EMPTY,
  EMPTY_HEADER,
  ETCD_RULE,
  ETCD_UNBLOCKS,
  FULL,
  FULL_HEADER,
  NACL_IN,
  NACL_OUT,
  NATS_POLICY,
  NATS_POLICY_YAML,
  NATS_RULE,
  NATS_UNBLOCKS,
  NOT_FIXED,
  hashed,
} from './hand-plan.ts';

const OK_IF_PRESENT = [
  '# Runs one aws call; an error naming "$1" (the rule is there already) counts as done, so the',
  '# script can be re-run after a partial failure.',
  'ok_if_present() {',
  '  local code=$1 out',
  '  shift',
  '  if out=$("$@" 2>&1); then',
  '    printf \'%s\\n\' "$out"',
  '  elif [[ $out == *"($code)"* ]]; then',
  '    printf \'already present (%s): %s\\n\' "$code" "${*:1:5}" >&2',
  '  else',
  '    printf \'%s\\n\' "$out" >&2',
  '    return 1',
  '  fi',
  '}',
];

const TAGS = (requirement: string) =>
  `'ResourceType=security-group-rule,Tags=[{Key=created-by,Value=dynamo-netcheck},{Key=dynamo-netcheck:requirements,Value=${requirement}},{Key=dynamo-netcheck:cluster,Value=gpu-prod}]'`;

const NATS_RULE_SECTION = [
  '# sgr-1: NATS from gpu-a',
  '# Adds ingress to sg-sys (system) from sg-gpu (gpu), tcp/4222.',
  ...hashed(NATS_UNBLOCKS),
  'ok_if_present InvalidPermission.Duplicate \\',
  '  aws ec2 authorize-security-group-ingress \\',
  '    --group-id sg-sys \\',
  `    --ip-permissions '[{"IpProtocol":"tcp","FromPort":4222,"ToPort":4222,"UserIdGroupPairs":[{"GroupId":"sg-gpu","Description":"NATS from gpu-a"}]}]' \\`,
  `    --tag-specifications ${TAGS('nats')}`,
];

const ETCD_RULE_SECTION = [
  '# sgr-2: etcd to system subnet',
  '# Adds egress from sg-gpu (gpu) to 10.0.16.0/20, tcp/2379-2380.',
  ...hashed(ETCD_UNBLOCKS),
  'ok_if_present InvalidPermission.Duplicate \\',
  '  aws ec2 authorize-security-group-egress \\',
  '    --group-id sg-gpu \\',
  `    --ip-permissions '[{"IpProtocol":"tcp","FromPort":2379,"ToPort":2380,"IpRanges":[{"CidrIp":"10.0.16.0/20","Description":"etcd to system subnet"}]}]' \\`,
  `    --tag-specifications ${TAGS('etcd')}`,
];

const NACL_IN_SECTION = [
  '# nacl-1: NATS into the system subnet',
  '# Adds the inbound entry 99 in acl-sys (subnet-sys): allow tcp/4222 from 10.0.32.0/20.',
  ...hashed(NATS_UNBLOCKS),
  '# NetworkAclEntryAlreadyExists means rule 99 was taken since the snapshot (or by an earlier run of this script): check it with aws ec2 describe-network-acls --network-acl-ids acl-sys',
  'aws ec2 create-network-acl-entry \\',
  '  --network-acl-id acl-sys \\',
  '  --ingress \\',
  '  --rule-number 99 \\',
  '  --protocol tcp \\',
  '  --port-range From=4222,To=4222 \\',
  '  --cidr-block 10.0.32.0/20 \\',
  '  --rule-action allow',
];

const NACL_OUT_SECTION = [
  '# nacl-2: NATS replies to the gpu subnet',
  '# Adds the outbound entry 98 in acl-sys (subnet-sys): allow tcp/1024-65535 to 10.0.32.0/20.',
  ...hashed(NATS_UNBLOCKS),
  '# NetworkAclEntryAlreadyExists means rule 98 was taken since the snapshot (or by an earlier run of this script): check it with aws ec2 describe-network-acls --network-acl-ids acl-sys',
  'aws ec2 create-network-acl-entry \\',
  '  --network-acl-id acl-sys \\',
  '  --egress \\',
  '  --rule-number 98 \\',
  '  --protocol tcp \\',
  '  --port-range From=1024,To=65535 \\',
  '  --cidr-block 10.0.32.0/20 \\',
  '  --rule-action allow',
];

const POLICY_SECTION = [
  '# np-1: NATS from gpu pods',
  ...hashed(NATS_UNBLOCKS),
  "kubectl apply -f - <<'NETWORKPOLICY'",
  ...NATS_POLICY_YAML,
  'NETWORKPOLICY',
];

const REVOKE_HINT = [
  '# Each security-group rule is tagged created-by=dynamo-netcheck; remove one with',
  '#   aws ec2 revoke-security-group-ingress --group-id <group> --security-group-rule-ids <sgr-id>',
  '# (`dynamo-netcheck fix --apply` writes that revoke script for exactly the rules it adds).',
];

/** Blocks separated by one empty line, the text ending in a newline. */
const script = (...blocks: string[][]): string => `${blocks.map((b) => b.join('\n')).join('\n\n')}\n`;

describe('aws-cli script: the whole text', () => {
  it('a plan with every kind of item: header, IAM actions, revoke hint, unfixed flows, then each section', () => {
    assert.equal(
      emitAwsCli(FULL),
      script(
        [
          '#!/usr/bin/env bash',
          ...hashed(FULL_HEADER),
          '# Needs the IAM actions ec2:AuthorizeSecurityGroupIngress, ec2:AuthorizeSecurityGroupEgress, ec2:CreateTags, ec2:CreateNetworkAclEntry.',
          ...REVOKE_HINT,
          ...hashed(NOT_FIXED),
          'set -euo pipefail',
        ],
        [
          '# --- Security-group rules ---------------------------------------------------------------',
          ...OK_IF_PRESENT,
        ],
        NATS_RULE_SECTION,
        ETCD_RULE_SECTION,
        ['# --- Network ACL entries (stateless: both directions, return traffic included) ------------'],
        NACL_IN_SECTION,
        NACL_OUT_SECTION,
        ["# --- Kubernetes NetworkPolicies (kubectl, with the cluster's current context) ------------"],
        POLICY_SECTION,
      ),
    );
  });

  it('an empty plan says there is nothing to fix and needs no IAM action', () => {
    assert.equal(
      emitAwsCli(EMPTY),
      script([
        '#!/usr/bin/env bash',
        ...hashed(EMPTY_HEADER),
        '# Nothing to fix: no flow is blocked by a security group, network ACL or NetworkPolicy.',
        'set -euo pipefail',
      ]),
    );
  });

  it('NACL entries only: needs only ec2:CreateNetworkAclEntry, no tags, no revoke hint, no helper function', () => {
    const plan: FixPlan = { ...EMPTY, naclEntries: [NACL_IN] };
    const text = emitAwsCli(plan);
    const lines = text.split('\n');
    assert.ok(lines.includes('# Needs the IAM actions ec2:CreateNetworkAclEntry.'), text);
    assert.ok(!text.includes('ok_if_present'), 'no rule, so no helper and no Duplicate check');
    assert.ok(!text.includes('tagged created-by'), 'NACL entries take no tags');
    assert.ok(!text.includes('Nothing to fix'));
  });

  it('an egress rule only: needs ec2:AuthorizeSecurityGroupEgress and ec2:CreateTags, and nothing for NACLs', () => {
    const text = emitAwsCli({ ...EMPTY, rules: [ETCD_RULE] });
    assert.ok(
      text.split('\n').includes('# Needs the IAM actions ec2:AuthorizeSecurityGroupEgress, ec2:CreateTags.'),
      text,
    );
  });

  it('NetworkPolicies only: kubectl needs no IAM action, and the script says nothing about AWS rules', () => {
    const text = emitAwsCli({ ...EMPTY, policies: [NATS_POLICY] });
    assert.ok(!text.includes('IAM'), text);
    assert.ok(!text.includes('Nothing to fix'), text);
    assert.ok(text.includes(POLICY_SECTION.join('\n')), text);
  });

  it('an IPv6 NACL entry takes --ipv6-cidr-block (create-network-acl-entry has one option per family)', () => {
    const v6: PlannedNaclEntry = {
      ...NACL_IN,
      ipv6: true,
      entry: { ...NACL_IN.entry, cidr: '2600:1f14::/56' },
    };
    const text = emitAwsCli({ ...EMPTY, naclEntries: [v6] });
    assert.ok(text.includes('  --ipv6-cidr-block 2600:1f14::/56 \\\n'), text);
    assert.ok(!text.includes('--cidr-block'), text);
  });

  it('a quota warning and each documented wider range become comments above the rule', () => {
    const rule = {
      ...NATS_RULE,
      rule: {
        ...NATS_RULE.rule,
        quotaWarning: 'sg-sys would have 61 inbound rules (quota 60)',
        documented: ['the NATS docs open 4222-4223', 'the chart opens 4222-6222'],
      },
    };
    const text = emitAwsCli({ ...EMPTY, rules: [rule] });
    assert.ok(
      text.includes(
        [
          ...hashed(NATS_UNBLOCKS),
          '# WARNING: sg-sys would have 61 inbound rules (quota 60)',
          '# Narrowest range that works; the NATS docs open 4222-4223.',
          '# Narrowest range that works; the chart opens 4222-6222.',
          'ok_if_present InvalidPermission.Duplicate \\',
        ].join('\n'),
      ),
      text,
    );
  });
});

describe('fixCommands: each item as the script runs it', () => {
  it('rules, then NACL entries, then policies; only the policy carries a here-document', () => {
    const commands = fixCommands(FULL);
    assert.deepEqual(
      commands.map((c) => [c.id, c.heredoc]),
      [
        ['sgr-1', false],
        ['sgr-2', false],
        ['nacl-1', false],
        ['nacl-2', false],
        ['np-1', true],
      ],
    );
    assert.equal(commands[2]!.command, NACL_IN_SECTION.slice(5).join('\n'));
    assert.equal(commands[4]!.command, POLICY_SECTION.slice(3).join('\n'));
    assert.equal(commands[0]!.command.split('\n')[0], 'aws ec2 authorize-security-group-ingress \\');
  });

  it('a NACL entry alone is one command', () => {
    assert.deepEqual(
      fixCommands({ ...EMPTY, naclEntries: [NACL_OUT] }).map((c) => c.command),
      [NACL_OUT_SECTION.slice(5).join('\n')],
    );
  });
});

describe('commandLine', () => {
  it('breaks before each option but never before the first word', () => {
    assert.equal(commandLine(['--version']), '--version');
    assert.equal(commandLine(['--a', 'x', '--b']), '--a x \\\n  --b');
  });
});

describe('tagSpecification: the --tag-specifications value', () => {
  // The AWS CLI reference gives both forms: shorthand `ResourceType=string,Tags=[{Key=string,Value=string},…]`
  // and JSON `[{"ResourceType": "string", "Tags": [{"Key": "string", "Value": "string"}]}]`.
  it('shorthand while every key and value is plain', () => {
    assert.equal(
      tagSpecification([{ Key: 'dynamo-netcheck:requirements', Value: 'nats+etcd' }]),
      'ResourceType=security-group-rule,Tags=[{Key=dynamo-netcheck:requirements,Value=nats+etcd}]',
    );
  });

  it('JSON as soon as one value holds a character the shorthand would split on, even at its start', () => {
    const tags = [
      { Key: 'created-by', Value: 'dynamo-netcheck' },
      { Key: 'dynamo-netcheck:cluster', Value: 'a,b' },
    ];
    assert.equal(
      tagSpecification(tags),
      '[{"ResourceType":"security-group-rule","Tags":[{"Key":"created-by","Value":"dynamo-netcheck"},{"Key":"dynamo-netcheck:cluster","Value":"a,b"}]}]',
    );
    assert.equal(
      tagSpecification([{ Key: 'k', Value: ' x' }]),
      '[{"ResourceType":"security-group-rule","Tags":[{"Key":"k","Value":" x"}]}]',
    );
  });
});
