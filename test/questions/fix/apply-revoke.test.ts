/**
 * `fix --apply` and its undo, checked against the EC2 API and CLI:
 * - delete-network-acl-entry takes `--egress` for an outbound entry and `--ingress` for an inbound
 *   one; rule numbers are per direction, so the wrong flag deletes another entry (or fails).
 * - revoke-security-group-ingress/-egress take `--security-group-rule-ids`, or else
 *   `--ip-permissions` whose values must match the existing rule exactly (EC2 API Reference,
 *   RevokeSecurityGroupIngress): with no rule id returned, the undo must name the permission.
 * - A taken NACL rule number is only "already done" when the entry there is this very entry: an
 *   existing deny, or an allow for another protocol, is a different entry (CreateNetworkAclEntry
 *   documents RuleAction and Protocol as part of the entry).
 * - CreateNetworkAclEntry takes an IPv6 range in `Ipv6CidrBlock`, never in `CidrBlock`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import {
  CreateNetworkAclEntryCommand,
  DescribeNetworkAclsCommand,
  EC2Client,
  type NetworkAclEntry,
} from '@aws-sdk/client-ec2';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { awsError } from '../../helpers/fake-aws.ts';
import { allTraffic, naclAllowAll, scenario, type NaclEntry } from '../../helpers/scenario.ts';
import {
  applyItems,
  applyPlan,
  fixPlan,
  revokeScript,
  type AnalysisResult,
  type ApplyItem,
  type FixPlan,
  type ItemResult,
} from '../../helpers/core.ts';

const SYS_SUBNET = '10.0.16.0/20';
const GPU_SUBNET = '10.0.32.0/20';

/** NATS's SG lacks 4222 from the GPU SG, and its subnet's NACL admits (and answers) its own subnet only. */
function analysis(): AnalysisResult {
  const own = (egress: boolean): NaclEntry => ({
    RuleNumber: 100,
    Protocol: '6',
    RuleAction: 'allow',
    Egress: egress,
    CidrBlock: SYS_SUBNET,
    PortRange: { From: 0, To: 65535 },
  });
  const denyAll = (egress: boolean): NaclEntry => ({
    RuleNumber: 32767,
    Protocol: '-1',
    RuleAction: 'deny',
    Egress: egress,
    CidrBlock: '0.0.0.0/0',
  });
  return scenario()
    .subnet('subnet-sys', SYS_SUBNET)
    .subnet('subnet-gpu', GPU_SUBNET)
    .nacl('acl-default', ['subnet-gpu'], naclAllowAll(), true)
    .nacl('acl-sys', ['subnet-sys'], [own(false), denyAll(false), own(true), denyAll(true)])
    .sg('sg-sys', [allTraffic.fromGroup('sg-sys')])
    .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')])
    .node('sys-1', {
      group: 'system',
      subnet: 'subnet-sys',
      ip: '10.0.16.10',
      sgs: ['sg-sys'],
      podIps: ['10.0.16.11'],
    })
    .node('gpu-1', { group: 'gpu', subnet: 'subnet-gpu', ip: '10.0.32.10', sgs: ['sg-gpu'], gpu: true })
    .nats('nats-0', 'sys-1', '10.0.16.11')
    .analyze({ dynamoVersion: '1.2.0', conformance: false });
}

function itemsOf(plan: FixPlan): { plan: FixPlan; rule: ApplyItem; inbound: ApplyItem; outbound: ApplyItem } {
  const { items, refused } = applyPlan(plan);
  assert.deepEqual(refused, [], 'nothing is refused');
  const rule = items.find((i) => i.kind === 'sg-rule');
  const nacl = items.filter((i) => i.kind === 'nacl-entry');
  const inbound = nacl.find((i) => i.kind === 'nacl-entry' && !i.planned.entry.egress);
  const outbound = nacl.find((i) => i.kind === 'nacl-entry' && i.planned.entry.egress);
  assert.ok(rule && inbound && outbound, 'the fix has an SG rule, an inbound and an outbound NACL entry');
  return { plan, rule, inbound, outbound };
}

const scratch = mkdtempSync(join(tmpdir(), 'netcheck-mutations-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs the revoke script with a stand-in `aws` on PATH; returns each call's argv. */
function runRevoke(plan: FixPlan, results: ItemResult[], name: string): string[][] {
  const dir = join(scratch, name);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  const log = join(dir, 'aws.log');
  writeFileSync(
    join(dir, 'bin', 'aws'),
    `#!/usr/bin/env bash\nprintf '%s\\0' "$@" >> ${JSON.stringify(log)}\nprintf '\\n' >> ${JSON.stringify(log)}\n`,
  );
  chmodSync(join(dir, 'bin', 'aws'), 0o755);
  writeFileSync(join(dir, 'revoke.sh'), revokeScript(plan, results, { region: 'us-west-2', when: 'now' }));
  const run = spawnSync('bash', [join(dir, 'revoke.sh')], {
    env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}` },
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\0').slice(0, -1));
}

const flag = (argv: string[], name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};

describe('the revoke script', () => {
  const { plan, rule, inbound, outbound } = itemsOf(fixPlan(analysis()));

  it('deletes an outbound NACL entry with --egress and an inbound one with --ingress', () => {
    const calls = runRevoke(
      plan,
      [inbound, outbound].map((item) => ({ item, outcome: { status: 'added', ruleIds: [] } })),
      'nacl',
    );
    const deletes = calls.filter((argv) => argv[1] === 'delete-network-acl-entry');
    assert.equal(deletes.length, 2);
    for (const [item, direction, other] of [
      [outbound, '--egress', '--ingress'],
      [inbound, '--ingress', '--egress'],
    ] as const) {
      assert.ok(item.kind === 'nacl-entry');
      const e = item.planned.entry;
      const call = deletes.find(
        (argv) => flag(argv, '--rule-number') === String(e.ruleNumber) && argv.includes(direction),
      );
      assert.ok(
        call,
        `entry ${e.ruleNumber} (${direction}) is deleted with ${direction}: ${JSON.stringify(deletes)}`,
      );
      assert.equal(flag(call, '--network-acl-id'), e.naclId);
      assert.ok(!call.includes(other), `not also ${other}`);
    }
  });

  it('with no rule id from EC2, revokes the rule by its exact --ip-permissions', () => {
    assert.ok(rule.kind === 'sg-rule');
    const [call, ...more] = runRevoke(
      plan,
      [{ item: rule, outcome: { status: 'added', ruleIds: [] } }],
      'no-id',
    );
    assert.deepEqual(more, []);
    assert.ok(call);
    assert.deepEqual(call.slice(0, 2), ['ec2', 'revoke-security-group-ingress']);
    assert.equal(flag(call, '--group-id'), 'sg-sys');
    assert.ok(!call.includes('--security-group-rule-ids'), 'no empty --security-group-rule-ids');
    const permissions = JSON.parse(flag(call, '--ip-permissions') ?? 'null') as {
      IpProtocol: string;
      FromPort: number;
      ToPort: number;
      UserIdGroupPairs?: { GroupId: string }[];
      IpRanges?: unknown[];
    }[];
    assert.equal(permissions.length, 1);
    const [p] = permissions;
    assert.deepEqual(
      [p!.IpProtocol, p!.FromPort, p!.ToPort, p!.UserIdGroupPairs?.map((g) => g.GroupId), p!.IpRanges],
      ['tcp', 4222, 4222, ['sg-gpu'], undefined],
    );
  });

  it('control: with the rule id EC2 returned, revokes by that id', () => {
    const [call] = runRevoke(
      plan,
      [{ item: rule, outcome: { status: 'added', ruleIds: ['sgr-0123456789abcdef0'] } }],
      'with-id',
    );
    assert.ok(call);
    assert.equal(flag(call, '--security-group-rule-ids'), 'sgr-0123456789abcdef0');
    assert.ok(!call.includes('--ip-permissions'));
  });
});

describe('fix --apply: creating NACL entries', () => {
  let mock: AwsClientStub<EC2Client> | undefined;
  afterEach(() => mock?.restore());

  /** An EC2 client whose NACL already holds `existing` at every number asked for. */
  function account(existing?: (asked: NetworkAclEntry) => NetworkAclEntry) {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const client = new EC2Client({
      region: 'us-west-2',
      credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
    });
    mock = mockClient(client);
    const created: NetworkAclEntry[] = [];
    let held: NetworkAclEntry | undefined;
    mock.on(CreateNetworkAclEntryCommand).callsFake((input: NetworkAclEntry & { NetworkAclId?: string }) => {
      if (existing) {
        held = existing(input);
        throw awsError(
          'NetworkAclEntryAlreadyExists',
          `The network acl entry identified by ${input.RuleNumber} already exists.`,
        );
      }
      created.push(input);
      return {};
    });
    mock.on(DescribeNetworkAclsCommand).callsFake((input: { NetworkAclIds?: string[] }) => ({
      NetworkAcls: (input.NetworkAclIds ?? []).map((id) => ({
        NetworkAclId: id,
        Entries: held ? [held] : [],
      })),
    }));
    return { client, created };
  }

  const { inbound } = itemsOf(fixPlan(analysis()));
  assert.ok(inbound.kind === 'nacl-entry');
  const sameAs = (asked: NetworkAclEntry): NetworkAclEntry => ({
    RuleNumber: asked.RuleNumber,
    Egress: asked.Egress,
    Protocol: asked.Protocol,
    RuleAction: asked.RuleAction,
    CidrBlock: asked.CidrBlock,
    PortRange: asked.PortRange,
  });

  it('control: the identical allow already at that number counts as already present', async () => {
    const { client } = account(sameAs);
    const [result] = await applyItems(client, [inbound]);
    assert.deepEqual(result?.outcome, { status: 'already-present' });
  });

  it('a deny already at that number is a different entry: failed, nothing replaced', async () => {
    const { client } = account((asked) => ({ ...sameAs(asked), RuleAction: 'deny' }));
    const [result] = await applyItems(client, [inbound]);
    assert.equal(result?.outcome.status, 'failed');
  });

  it('an allow for another protocol at that number is a different entry: failed', async () => {
    const { client } = account((asked) => ({
      ...sameAs(asked),
      Protocol: asked.Protocol === '6' ? '17' : '6',
    }));
    const [result] = await applyItems(client, [inbound]);
    assert.equal(result?.outcome.status, 'failed');
  });

  it('an IPv6 entry is sent as Ipv6CidrBlock, with no CidrBlock', async () => {
    const base = analysis();
    const ipv6 = '2600:1f14:abc:8000::/56';
    const plan = fixPlan({
      ...base,
      naclRemediation: base.naclRemediation.map((e) => ({ ...e, cidr: ipv6 })),
    });
    const item = applyPlan(plan).items.find((i) => i.kind === 'nacl-entry');
    assert.ok(item);
    const { client, created } = account();
    const [result] = await applyItems(client, [item]);
    assert.equal(result?.outcome.status, 'added');
    assert.equal(created.length, 1);
    assert.equal(created[0]!.Ipv6CidrBlock, ipv6);
    assert.equal(created[0]!.CidrBlock, undefined);
  });
});
