/**
 * Remediation as code: the aws-cli script runs (against a stand-in `aws` on PATH) and is safe to
 * re-run; the Terraform parses and follows `terraform fmt`'s layout; the CloudFormation template
 * has the types and required properties its schema asks for; JSON carries the EC2 requests.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse as parseHcl } from '@cdktf/hcl2json';
import YAML from 'yaml';
import { analyzeSnapshot } from '../../../src/questions/analyze.ts';
import type { AnalysisResult } from '../../../src/questions/analyze.ts';
import { shellQuote } from '../../../src/base/shell.ts';
import { emitters } from '../../../src/report/fix/index.ts';
import { awsDescription, fixPlan, type FixPlan } from '../../../src/questions/fix/plan.ts';
import { loadSnapshot } from '../../../src/snapshot/load.ts';
import { ingressAndEgress, naclBlocked } from '../../questions/fix/scenarios.ts';

const SYSTEM_SG = 'sg-0280e97ae16fcd306';
const dgxcResult = analyzeSnapshot(await loadSnapshot('examples/dgxc-multi-sg'));
const dgxc = fixPlan(dgxcResult);
const healthy = fixPlan(analyzeSnapshot(await loadSnapshot('examples/healthy-shared-cluster-sg')));

/** dgxc's result with its rules' peers swapped for an IPv4 and an IPv6 CIDR: every peer kind once. */
function withCidrPeers(result: AnalysisResult): FixPlan {
  const [first, second, ...rest] = result.remediation;
  const { sourceGroupId: _a, ...v4 } = first!;
  const { sourceGroupId: _b, ...v6 } = second!;
  return fixPlan({
    ...result,
    remediation: [{ ...v4, cidr: '100.64.0.0/18' }, { ...v6, cidr: '2600:1f14:abc::/56' }, ...rest],
  });
}

/** Every kind of item in one plan: ingress, egress, NACL entries both ways, CIDR peers. */
function mixed(): FixPlan {
  const a = ingressAndEgress();
  const b = naclBlocked().plan;
  const c = withCidrPeers(dgxcResult);
  return { ...a, rules: [...a.rules, ...c.rules], naclEntries: b.naclEntries };
}

const scratch = mkdtempSync(join(tmpdir(), 'netcheck-emit-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A stand-in `aws` that logs its argv (one line, `|`-separated) and fails calls as told. */
function fakeAws(
  dir: string,
  failWith: Record<string, string> = {},
): { env: NodeJS.ProcessEnv; log: string } {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  const log = join(dir, 'aws.log');
  const cases = Object.entries(failWith)
    .map(
      ([needle, code]) =>
        `  *${shellQuote(needle)}*) echo "An error occurred (${code}) when calling the operation: fake" >&2; exit 254;;`,
    )
    .join('\n');
  writeFileSync(
    join(dir, 'bin', 'aws'),
    `#!/usr/bin/env bash\nprintf '%s|' "$@" >> ${shellQuote(log)}\necho >> ${shellQuote(log)}\ncase "$*" in\n${cases}\n  *) echo '{"Return": true}';;\nesac\n`,
  );
  chmodSync(join(dir, 'bin', 'aws'), 0o755);
  return { env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}` }, log };
}

function runScript(name: string, text: string, failWith: Record<string, string> = {}) {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  const { env, log } = fakeAws(dir, failWith);
  const file = join(dir, 'fix.sh');
  writeFileSync(file, text);
  const run = spawnSync('bash', [file], { env, encoding: 'utf8', cwd: dir });
  const calls = existsSync(log)
    ? readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split('|').slice(0, -1))
    : [];
  return { code: run.status, stdout: run.stdout, stderr: run.stderr, calls, dir };
}

const option = (argv: string[], name: string): string | undefined => argv[argv.indexOf(name) + 1];

describe('aws-cli script', () => {
  const script = emitters['aws-cli'](dgxc);

  it('is bash with set -euo pipefail, one described and tagged authorize call per rule', () => {
    assert.match(script, /^#!\/usr\/bin\/env bash\n/);
    assert.match(script, /\nset -euo pipefail\n/);
    const run = runScript('dgxc', script);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.calls.length, 3);
    const seen = run.calls.map((argv) => {
      assert.deepEqual(argv.slice(0, 2), ['ec2', 'authorize-security-group-ingress']);
      assert.equal(option(argv, '--group-id'), SYSTEM_SG);
      const [permission, ...more] = JSON.parse(option(argv, '--ip-permissions')!) as Record<
        string,
        unknown
      >[];
      assert.equal(more.length, 0);
      const pairs = permission!.UserIdGroupPairs as { GroupId: string; Description: string }[];
      assert.equal(pairs.length, 1);
      assert.match(pairs[0]!.Description, /\(dynamo-netcheck\)$/);
      assert.equal(
        awsDescription(pairs[0]!.Description),
        pairs[0]!.Description,
        'EC2 accepts the description',
      );
      assert.match(
        option(argv, '--tag-specifications')!,
        /^ResourceType=security-group-rule,Tags=\[\{Key=created-by,Value=dynamo-netcheck\},.*\{Key=dynamo-netcheck:cluster,Value=dgxc-h100\}\]$/,
      );
      return `${permission!.IpProtocol}/${permission!.FromPort}-${permission!.ToPort} from ${pairs[0]!.GroupId}`;
    });
    // examples/dgxc-multi-sg/README.md: exactly these three, nothing wider.
    assert.deepEqual(seen.sort(), [
      'tcp/4222-4222 from sg-0affb20cb8865fd98',
      'tcp/9090-9090 from sg-09d5a469bac1fb67c',
      'tcp/9090-9090 from sg-0affb20cb8865fd98',
    ]);
  });

  it('says which flows each rule unblocks', () => {
    const section = script.slice(script.indexOf('# sg-rule-1:'), script.indexOf('# sg-rule-2:'));
    assert.match(section, /Unblocks:/);
    const flows = dgxc.rules[0]!.flows;
    assert.equal(flows.length, 2);
    for (const flow of flows)
      assert.match(
        section,
        new RegExp(
          `NATS event plane tcp/4222: ${flow.source.nodeGroup} \\(${flow.source.count} ${flow.source.kind === 'pods' ? 'pod' : 'node'}`,
        ),
      );
  });

  it('re-running is safe: a duplicate rule counts as done, the rest still go in', () => {
    const run = runScript('dup', script, { 'FromPort":4222': 'InvalidPermission.Duplicate' });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.calls.length, 3);
    assert.match(
      run.stderr,
      /already present \(InvalidPermission\.Duplicate\): aws ec2 authorize-security-group-ingress --group-id sg-0280e97ae16fcd306/,
    );
  });

  it('any other error stops the script with a non-zero exit', () => {
    const run = runScript('denied', script, { 'sg-09d5a469bac1fb67c': 'UnauthorizedOperation' });
    assert.notEqual(run.code, 0);
    assert.equal(run.calls.length, 2, 'stopped at the first failing call');
    assert.match(run.stderr, /UnauthorizedOperation/);
  });

  it('egress rules and NACL entries (both directions, ephemeral return ports) are emitted too', () => {
    const run = runScript('mixed', emitters['aws-cli'](mixed()));
    assert.equal(run.code, 0, run.stderr);
    const verbs = run.calls.map((argv) => argv[1]);
    assert.ok(verbs.includes('authorize-security-group-egress'));
    const nacl = run.calls.filter((argv) => argv[1] === 'create-network-acl-entry');
    assert.deepEqual(
      nacl.map((argv) => [
        argv.includes('--egress') ? 'egress' : 'ingress',
        option(argv, '--rule-number'),
        option(argv, '--port-range'),
        option(argv, '--cidr-block'),
        option(argv, '--rule-action'),
      ]),
      [
        ['ingress', '199', 'From=4222,To=4222', '10.0.32.0/20', 'allow'],
        ['egress', '32766', 'From=32768,To=60999', '10.0.32.0/20', 'allow'],
      ],
    );
    const v6 = run.calls.find((argv) => argv.join(' ').includes('2600:1f14'))!;
    assert.deepEqual(
      JSON.parse(option(v6, '--ip-permissions')!)[0].Ipv6Ranges[0].CidrIpv6,
      '2600:1f14:abc::/56',
    );
  });

  it('quotes what comes from the snapshot: hostile ids and names stay data', () => {
    const hostileGroup = `sg-1'; touch pwned; echo '$(touch pwned2)`;
    const rule = dgxc.rules[0]!;
    const plan: FixPlan = {
      ...dgxc,
      securityGroupNames: { ...dgxc.securityGroupNames, [SYSTEM_SG]: 'evil\ntouch pwned3 # `touch pwned4`' },
      rules: [
        {
          ...rule,
          rule: { ...rule.rule, groupId: hostileGroup },
          tags: [...rule.tags, { Key: 'team', Value: "a,b=c' {d}" }],
        },
        ...dgxc.rules.slice(1),
      ],
    };
    const run = runScript('hostile', emitters['aws-cli'](plan));
    assert.equal(run.code, 0, run.stderr);
    assert.equal(option(run.calls[0]!, '--group-id'), hostileGroup);
    // Tags the shorthand cannot say go as JSON, exactly.
    assert.deepEqual(JSON.parse(option(run.calls[0]!, '--tag-specifications')!), [
      { ResourceType: 'security-group-rule', Tags: plan.rules[0]!.tags },
    ]);
    for (const file of ['pwned', 'pwned2', 'pwned3', 'pwned4'])
      assert.ok(!existsSync(join(run.dir, file)), file);
  });

  it('NetworkPolicy fixes go to kubectl in a heredoc the manifest cannot close', async () => {
    const policy = fixPlan(analyzeSnapshot(await loadSnapshot('examples/policy-default-deny')));
    assert.ok(policy.policies.length > 0);
    const text = emitters['aws-cli'](policy);
    const match = /kubectl apply -f - <<'(\w+)'\n([\s\S]*?)\n\1\n/.exec(text);
    assert.ok(match);
    assert.deepEqual(YAML.parse(match[2]!), policy.policies[0]!.policy.manifest);
  });

  it('with nothing to fix, says so and runs as a no-op', () => {
    const text = emitters['aws-cli'](healthy);
    assert.match(text, /# Nothing to fix/);
    const run = runScript('healthy', text);
    assert.equal(run.code, 0);
    assert.deepEqual(run.calls, []);
  });
});

/**
 * The layout `terraform fmt` writes (hclwrite's rules): two spaces per nesting level; in a run of
 * consecutive one-line attributes the `=` signs line up one space after the longest name; a line
 * that opens a block or a multi-line value ends the run and has one space before `=`; no trailing
 * spaces; one blank line between top-level blocks; exactly one newline at the end.
 */
function fmtProblems(text: string): string[] {
  const problems: string[] = [];
  if (!text.endsWith('\n') || text.endsWith('\n\n')) problems.push('file must end with exactly one newline');
  const lines = text.slice(0, -1).split('\n');
  let depth = 0;
  let run: { line: number; key: string; eq: number }[] = [];
  const closeRun = (): void => {
    if (run.length === 0) return;
    const want = Math.max(...run.map((r) => r.key.length));
    for (const r of run) {
      const indent = 2 * depth;
      if (r.eq !== indent + want + 1)
        problems.push(`line ${r.line}: "=" at column ${r.eq}, want ${indent + want + 1}`);
    }
    run = [];
  };
  lines.forEach((line, i) => {
    const n = i + 1;
    if (/\s$/.test(line)) problems.push(`line ${n}: trailing whitespace`);
    if (line.trim() === '' || line.trimStart().startsWith('#')) {
      closeRun();
      return;
    }
    const closing = line.trimStart().startsWith('}');
    if (closing) {
      closeRun();
      depth -= 1;
    }
    const indent = line.length - line.trimStart().length;
    if (indent !== 2 * depth) problems.push(`line ${n}: indent ${indent}, want ${2 * depth}`);
    const attribute = /^\s*("[^"]*"|[A-Za-z_][\w-]*)(\s*)=\s/.exec(line);
    if (attribute && !/\{\s*$/.test(line))
      run.push({ line: n, key: attribute[1]!, eq: attribute[0].lastIndexOf('=') });
    else {
      closeRun();
      if (attribute && attribute[2] !== ' ')
        problems.push(`line ${n}: one space before "=" on a line that opens a value`);
      if (!attribute && !closing && /\s{2,}/.test(line.trim()))
        problems.push(`line ${n}: runs of spaces in a block header`);
    }
    if (/\{\s*$/.test(line)) depth += 1;
    if (depth === 0 && closing && lines[i + 1] !== undefined && lines[i + 1] !== '')
      problems.push(`line ${n + 1}: blank line between blocks`);
  });
  if (depth !== 0) problems.push('unbalanced braces');
  return problems;
}

type HclJson = { resource: Record<string, Record<string, Record<string, unknown>[]>> };

describe('terraform', () => {
  it('the checker catches what terraform fmt would change', () => {
    assert.deepEqual(fmtProblems('resource "a" "b" {\n  x = 1\n  yy = 2\n}\n'), [
      'line 2: "=" at column 4, want 5',
    ]);
    assert.match(fmtProblems('resource "a" "b" {\n   x = 1\n}\n').join(), /indent 3, want 2/);
    assert.match(
      fmtProblems('resource "a" "b" {\n  tags  = {\n    a = "b"\n  }\n}\n').join(),
      /one space before/,
    );
    assert.deepEqual(
      fmtProblems('resource "a" "b" {\n  x  = 1\n  yy = 2\n  tags = {\n    "k" = "v"\n  }\n}\n'),
      [],
    );
  });

  for (const [name, plan] of [
    ['dgxc-multi-sg', () => dgxc],
    ['every kind of item', mixed],
  ] as const) {
    it(`${name}: fmt-clean and parses, one resource per item with exactly one peer`, async () => {
      const p = plan();
      const text = emitters.terraform(p);
      assert.deepEqual(fmtProblems(text), []);
      const json = (await parseHcl('netcheck.tf', text)) as HclJson;
      const ingress = Object.values(json.resource.aws_vpc_security_group_ingress_rule ?? {}).map(
        (r) => r[0]!,
      );
      const egress = Object.values(json.resource.aws_vpc_security_group_egress_rule ?? {}).map((r) => r[0]!);
      const nacl = Object.values(json.resource.aws_network_acl_rule ?? {}).map((r) => r[0]!);
      assert.equal(ingress.length + egress.length, p.rules.length);
      assert.equal(nacl.length, p.naclEntries.length);
      for (const r of [...ingress, ...egress]) {
        const peers = ['referenced_security_group_id', 'cidr_ipv4', 'cidr_ipv6', 'prefix_list_id'].filter(
          (k) => k in r,
        );
        assert.equal(peers.length, 1, JSON.stringify(r));
        for (const k of ['security_group_id', 'ip_protocol', 'from_port', 'to_port', 'description'])
          assert.ok(k in r, k);
        assert.equal(typeof r.from_port, 'number');
        assert.equal((r.tags as Record<string, string>)['created-by'], 'dynamo-netcheck');
      }
      const byRule = new Map(
        p.rules.map((r) => [`${r.rule.groupId}|${r.rule.fromPort}|${r.description}`, r]),
      );
      for (const r of [...ingress, ...egress])
        assert.ok(byRule.has(`${r.security_group_id}|${r.from_port}|${r.description}`));
      for (const e of nacl) {
        for (const k of [
          'network_acl_id',
          'rule_number',
          'egress',
          'protocol',
          'rule_action',
          'from_port',
          'to_port',
        ])
          assert.ok(k in e, k);
        assert.equal(e.rule_action, 'allow');
        assert.equal(['cidr_block', 'ipv6_cidr_block'].filter((k) => k in e).length, 1);
      }
    });
  }

  it('dgxc: the three README rules, named by what they are', async () => {
    const json = (await parseHcl('netcheck.tf', emitters.terraform(dgxc))) as HclJson;
    const rules = json.resource.aws_vpc_security_group_ingress_rule!;
    assert.deepEqual(Object.keys(rules).sort(), [
      'nats_ingress_sg_0280e97ae16fcd306_from_sg_0affb20cb8865fd98_tcp_4222',
      'prometheus_ingress_sg_0280e97ae16fcd306_from_sg_09d5a469bac1fb67c_tcp_9090',
      'prometheus_ingress_sg_0280e97ae16fcd306_from_sg_0affb20cb8865fd98_tcp_9090',
    ]);
    // Names depend on the rule, not its position: dropping one leaves the others' names alone.
    const fewer = (await parseHcl(
      'x.tf',
      emitters.terraform({ ...dgxc, rules: dgxc.rules.slice(1) }),
    )) as HclJson;
    assert.deepEqual(
      Object.keys(fewer.resource.aws_vpc_security_group_ingress_rule!).sort(),
      Object.keys(rules).sort().slice(1),
    );
  });

  it('strings are escaped: quotes, backslashes and template sequences stay literal', async () => {
    const rule = dgxc.rules[0]!;
    const nasty = 'a "quoted" \\ ${var.x} %{if} text';
    const json = (await parseHcl(
      'x.tf',
      emitters.terraform({ ...dgxc, rules: [{ ...rule, description: nasty }] }),
    )) as HclJson;
    const [only] = Object.values(json.resource.aws_vpc_security_group_ingress_rule!);
    // hcl2json keeps Terraform's escapes as written: `$${` and `%%{` are the literal `${` and `%{`
    // (Terraform docs, "Strings and Templates": escape sequences). Spelled out, not computed.
    assert.equal(only![0]!.description, 'a "quoted" \\ $${var.x} %%{if} text');
  });
});

const REQUIRED: Record<string, string[]> = {
  'AWS::EC2::SecurityGroupIngress': ['GroupId', 'IpProtocol', 'FromPort', 'ToPort'],
  'AWS::EC2::SecurityGroupEgress': ['GroupId', 'IpProtocol', 'FromPort', 'ToPort'],
  'AWS::EC2::NetworkAclEntry': [
    'NetworkAclId',
    'RuleNumber',
    'Protocol',
    'RuleAction',
    'Egress',
    'PortRange',
  ],
};
const PEERS: Record<string, string[]> = {
  'AWS::EC2::SecurityGroupIngress': ['SourceSecurityGroupId', 'CidrIp', 'CidrIpv6', 'SourcePrefixListId'],
  'AWS::EC2::SecurityGroupEgress': [
    'DestinationSecurityGroupId',
    'CidrIp',
    'CidrIpv6',
    'DestinationPrefixListId',
  ],
  'AWS::EC2::NetworkAclEntry': ['CidrBlock', 'Ipv6CidrBlock'],
};

type Template = {
  AWSTemplateFormatVersion: string;
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
};

describe('kubernetes', () => {
  it('one YAML document per NetworkPolicy, exactly the manifests, each saying what it unblocks', async () => {
    const result = analyzeSnapshot(await loadSnapshot('examples/policy-default-deny'));
    const plan = fixPlan(result);
    const text = emitters.kubernetes(plan);
    const documents = YAML.parseAllDocuments(text);
    assert.ok(documents.every((d) => d.errors.length === 0));
    assert.deepEqual(
      documents.map((d) => d.toJS() as unknown),
      plan.policies.map((p) => p.policy.manifest),
    );
    assert.equal(documents.length, result.policyRemediation.length);
    for (const planned of plan.policies) {
      for (const flow of planned.flows) assert.ok(text.includes(flow.title), flow.id);
    }
    assert.match(text, /^# Apply with: kubectl apply -f/m);
    assert.doesNotMatch(text, /also needed/, 'the policy example needs no AWS change');
  });

  it('with only AWS fixes: no documents, and it points at the formats that carry them', () => {
    const text = emitters.kubernetes(dgxc);
    const documents = YAML.parseAllDocuments(text).filter((d) => d.contents !== null);
    assert.deepEqual(documents, []);
    assert.match(text, /# Nothing to fix in NetworkPolicies/);
    assert.match(text, /# 3 security-group rules and 0 network ACL entries also needed/);
  });
});

describe('cloudformation', () => {
  it('every resource has a valid logical id, a known type, its required properties and exactly one peer', () => {
    const p = mixed();
    const template = YAML.parse(emitters.cloudformation(p)) as Template;
    assert.equal(template.AWSTemplateFormatVersion, '2010-09-09');
    const resources = Object.entries(template.Resources);
    assert.equal(resources.length, p.rules.length + p.naclEntries.length);
    for (const [id, resource] of resources) {
      assert.match(id, /^[A-Za-z][A-Za-z0-9]{0,254}$/);
      const required = REQUIRED[resource.Type];
      assert.ok(required, resource.Type);
      const props = resource.Properties!;
      for (const key of required) assert.ok(key in props, `${id}.${key}`);
      assert.equal(PEERS[resource.Type]!.filter((k) => k in props).length, 1, id);
      if (resource.Type === 'AWS::EC2::NetworkAclEntry') {
        assert.equal(typeof props.Protocol, 'number');
        assert.equal(typeof props.Egress, 'boolean');
        assert.equal(props.RuleAction, 'allow');
        const range = props.PortRange as { From: number; To: number };
        assert.ok(Number.isInteger(range.From) && Number.isInteger(range.To));
      } else {
        assert.ok(['tcp', 'udp'].includes(props.IpProtocol as string));
        assert.match(props.Description as string, /\(dynamo-netcheck\)$/);
      }
    }
    assert.deepEqual(
      resources
        .filter(([, r]) => r.Type === 'AWS::EC2::SecurityGroupEgress')
        .map(([, r]) => r.Properties!.DestinationSecurityGroupId),
      ['sg-sys'],
    );
  });

  it('dgxc: the README rules, with the flows each unblocks in comments and Metadata', () => {
    const text = emitters.cloudformation(dgxc);
    const template = YAML.parse(text) as Template & {
      Resources: Record<string, { Metadata: { 'dynamo-netcheck': { unblocks: string[] } } }>;
    };
    const props = Object.values(template.Resources).map(
      (r) => `${r.Properties!.GroupId} ${r.Properties!.FromPort} ${r.Properties!.SourceSecurityGroupId}`,
    );
    assert.deepEqual(props.sort(), [
      `${SYSTEM_SG} 4222 sg-0affb20cb8865fd98`,
      `${SYSTEM_SG} 9090 sg-09d5a469bac1fb67c`,
      `${SYSTEM_SG} 9090 sg-0affb20cb8865fd98`,
    ]);
    const unblocks = Object.values(template.Resources).flatMap((r) => r.Metadata['dynamo-netcheck'].unblocks);
    assert.deepEqual(unblocks.sort(), dgxc.rules.flatMap((r) => r.rule.unblocks).sort());
    assert.match(text, /\n {2}# Unblocks:\n {2}# {3}- NATS event plane tcp\/4222: gpu-h100/);
  });

  it('with nothing to fix, still a valid template (one no-op resource)', () => {
    const template = YAML.parse(emitters.cloudformation(healthy)) as Template;
    assert.deepEqual(
      Object.values(template.Resources).map((r) => r.Type),
      ['AWS::CloudFormation::WaitConditionHandle'],
    );
  });
});

describe('json', () => {
  it('carries each rule with its EC2 request, tags, command and unblocked flows', () => {
    const out = JSON.parse(emitters.json(mixed())) as {
      securityGroupRules: {
        ipPermissions: Record<string, unknown>[];
        tags: { Key: string }[];
        command: string;
        unblocks: { id: string }[];
      }[];
      networkAclEntries: { protocolNumber: string; command: string }[];
    };
    assert.ok(out.securityGroupRules.length >= 4);
    for (const rule of out.securityGroupRules) {
      assert.equal(rule.ipPermissions.length, 1);
      assert.ok(rule.tags.some((t) => t.Key === 'created-by'));
      assert.match(
        rule.command,
        /^aws ec2 authorize-security-group-(ingress|egress) --group-id \S+ --ip-permissions '\[/,
      );
      assert.ok(rule.unblocks.length > 0);
    }
    assert.deepEqual(
      out.networkAclEntries.map((e) => e.protocolNumber),
      ['6', '6'],
    );
  });
});

describe('rule descriptions', () => {
  it('are made of the characters EC2 accepts, comparison signs as words', () => {
    assert.equal(
      awsDescription('NATS event plane, Dynamo >=1.2 (dynamo-netcheck)'),
      'NATS event plane, Dynamo from 1.2 (dynamo-netcheck)',
    );
    assert.equal(awsDescription('etcd control plane, Dynamo <1.2'), 'etcd control plane, Dynamo before 1.2');
    assert.equal(awsDescription('a\nb"c'), 'a-b-c');
    assert.equal(awsDescription('x'.repeat(300)).length, 255);
  });
});
