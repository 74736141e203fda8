/**
 * `fix --apply` against the real EC2Client and a stateful mock account: permission is checked by
 * dry run before anything changes, existing rules count as done, one failure does not stop the
 * rest, the revoke script names exactly what was added, and a second run changes nothing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { analyzeSnapshot } from '../../../src/questions/analyze.ts';
import { applyItems, checkPermissions } from '../../../src/live/ec2-apply.ts';
import { applyPlan, type ApplyItem } from '../../../src/questions/fix/apply-plan.ts';
import { revokeScript } from '../../../src/report/fix/revoke.ts';
import { fixPlan } from '../../../src/questions/fix/plan.ts';
import { loadSnapshot } from '../../../src/snapshot/load.ts';
import { ingressAndEgress, naclBlocked } from './scenarios.ts';
import { emptyState, fakeEc2, type Ec2State, type FakeEc2 } from './fake-ec2.ts';

const SYSTEM_SG = 'sg-0280e97ae16fcd306';
const CUSTOMER_SG = 'sg-0affb20cb8865fd98';
const dgxc = fixPlan(analyzeSnapshot(await loadSnapshot('examples/dgxc-multi-sg')));
const dgxcItems = applyPlan(dgxc).items;

let fake: FakeEc2 | undefined;
const account = (state: Ec2State, denied: string[] = []): FakeEc2 => {
  fake = fakeEc2(state, { denied });
  return fake;
};
afterEach(() => fake?.restore());

const scratch = mkdtempSync(join(tmpdir(), 'netcheck-apply-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const outcomes = (results: { item: ApplyItem; outcome: { status: string } }[]) =>
  Object.fromEntries(results.map((r) => [r.item.id, r.outcome.status]));

describe('fix --apply against EC2', () => {
  it('a denied dry run changes nothing and names the missing action', async () => {
    const ec2 = account(emptyState([SYSTEM_SG, CUSTOMER_SG]), ['ec2:AuthorizeSecurityGroupIngress']);
    const denials = await checkPermissions(ec2.client, dgxcItems);
    assert.equal(denials.length, 3);
    for (const d of denials)
      assert.deepEqual(d.actions, ['ec2:AuthorizeSecurityGroupIngress', 'ec2:CreateTags']);
    assert.match(denials[0]!.message, /not allowed to call ec2:AuthorizeSecurityGroupIngress/);
    assert.deepEqual(ec2.state.rules, []);
    assert.ok(
      ec2.calls.every((c) => c.dryRun),
      'only dry runs were sent',
    );
  });

  it('tells a missing ec2:CreateTags apart from a missing authorize permission', async () => {
    const ec2 = account(emptyState([SYSTEM_SG, CUSTOMER_SG]), ['ec2:CreateTags']);
    const denials = await checkPermissions(ec2.client, dgxcItems.slice(0, 1));
    assert.deepEqual(
      denials.map((d) => d.actions),
      [['ec2:CreateTags']],
    );
    assert.match(denials[0]!.message, /not to tag it/);
    assert.deepEqual(ec2.state.rules, []);
  });

  it('an allowed dry run reports nothing and adds nothing', async () => {
    const ec2 = account(emptyState([SYSTEM_SG]));
    assert.deepEqual(await checkPermissions(ec2.client, dgxcItems), []);
    assert.deepEqual(ec2.state.rules, []);
  });

  it('adds each rule with its description and tags; a rule already there counts as done', async () => {
    const state = emptyState([SYSTEM_SG]);
    state.rules.push({
      id: 'sgr-preexisting0000000',
      groupId: SYSTEM_SG,
      egress: false,
      protocol: 'tcp',
      from: 4222,
      to: 4222,
      peer: CUSTOMER_SG,
      tags: [],
    });
    const ec2 = account(state);
    const results = await applyItems(ec2.client, dgxcItems);
    assert.deepEqual(outcomes(results), {
      'sg-rule-1': 'already-present',
      'sg-rule-2': 'added',
      'sg-rule-3': 'added',
    });
    assert.equal(state.rules.length, 3);
    const added = state.rules.slice(1);
    for (const rule of added) {
      assert.equal(rule.description, 'Prometheus for ai-service-metrics (dynamo-netcheck)');
      assert.deepEqual(rule.tags.find((t) => t.Key === 'created-by')?.Value, 'dynamo-netcheck');
      assert.deepEqual(rule.tags.find((t) => t.Key === 'dynamo-netcheck:requirements')?.Value, 'prometheus');
      assert.equal(rule.to - rule.from, 0, 'one port, never a range');
    }
    const script = revokeScript(dgxc, results, { region: 'us-west-2', when: '2025-01-01T00:00:00Z' });
    assert.doesNotMatch(script, /sgr-preexisting/);
    for (const rule of added) assert.match(script, new RegExp(`--security-group-rule-ids ${rule.id}`));
  });

  it('a partial failure goes on with the rest, and the revoke script lists only what was added', async () => {
    const plan = ingressAndEgress();
    const { items } = applyPlan(plan);
    assert.deepEqual(
      items
        .map((i) => (i.kind === 'sg-rule' ? `${i.planned.rule.direction} ${i.planned.rule.groupId}` : i.id))
        .sort(),
      ['egress sg-gpu', 'ingress sg-sys', 'ingress sg-sys'],
    );
    // sg-gpu was deleted since the snapshot: its egress rule fails, the others still go in.
    const ec2 = account(emptyState(['sg-sys', 'sg-gpu2']));
    const results = await applyItems(ec2.client, items);
    const byDirection = results.map((r) => [
      r.item.kind === 'sg-rule' ? r.item.planned.rule.direction : 'nacl',
      r.outcome.status,
    ]);
    assert.deepEqual(byDirection.sort(), [
      ['egress', 'failed'],
      ['ingress', 'added'],
      ['ingress', 'added'],
    ]);
    const failed = results.find((r) => r.outcome.status === 'failed')!.outcome;
    assert.equal(failed.status === 'failed' && failed.code, 'InvalidGroup.NotFound');
    const script = revokeScript(plan, results, { region: 'us-west-2', when: '2025-01-01T00:00:00Z' });
    const ids = [...script.matchAll(/--security-group-rule-ids (\S+)/g)].map((m) => m[1]).sort();
    assert.deepEqual(ids, ec2.state.rules.map((r) => r.id).sort());
    assert.doesNotMatch(script, /revoke-security-group-egress/);
    assert.match(script, /# 2 security-group rules, 0 network ACL entries\./);
  });

  it('applying twice is a no-op the second time', async () => {
    const ec2 = account(emptyState([SYSTEM_SG]));
    const first = await applyItems(ec2.client, dgxcItems);
    assert.ok(first.every((r) => r.outcome.status === 'added'));
    const snapshotOfState = structuredClone(ec2.state);
    const second = await applyItems(ec2.client, dgxcItems);
    assert.ok(second.every((r) => r.outcome.status === 'already-present'));
    assert.deepEqual(ec2.state, snapshotOfState);
    assert.match(revokeScript(dgxc, second, { when: 'x' }), /Nothing was added/);
  });

  it('NACL entries: added below the deny; the same entry again is done; a different one at that number is not replaced', async () => {
    const { plan, entries } = naclBlocked();
    const { items } = applyPlan(plan);
    assert.deepEqual(
      items.map((i) =>
        i.kind === 'nacl-entry' ? [i.planned.entry.egress, i.planned.entry.ruleNumber] : i.id,
      ),
      [
        [false, 199],
        [true, 32766],
      ],
    );
    const state = emptyState([], { 'acl-sys': structuredClone(entries) });
    const ec2 = account(state);
    assert.deepEqual(await checkPermissions(ec2.client, items), []);
    assert.deepEqual(outcomes(await applyItems(ec2.client, items)), {
      'nacl-entry-1': 'added',
      'nacl-entry-2': 'added',
    });
    const added = state.nacls['acl-sys']!.find((e) => e.RuleNumber === 199 && !e.Egress)!;
    assert.deepEqual(added, {
      RuleNumber: 199,
      Egress: false,
      Protocol: '6',
      RuleAction: 'allow',
      CidrBlock: '10.0.32.0/20',
      PortRange: { From: 4222, To: 4222 },
    });
    assert.deepEqual(outcomes(await applyItems(ec2.client, items)), {
      'nacl-entry-1': 'already-present',
      'nacl-entry-2': 'already-present',
    });
    // Someone else's entry holds 199: reported, never replaced.
    added.CidrBlock = '10.9.0.0/16';
    const third = await applyItems(ec2.client, items.slice(0, 1));
    assert.equal(third[0]!.outcome.status, 'failed');
    assert.match(
      third[0]!.outcome.status === 'failed' ? third[0]!.outcome.message : '',
      /holds a different entry/,
    );
    assert.equal(added.CidrBlock, '10.9.0.0/16');
  });

  it('a denied NACL dry run names ec2:CreateNetworkAclEntry', async () => {
    const { plan, entries } = naclBlocked();
    const ec2 = account(emptyState([], { 'acl-sys': structuredClone(entries) }), [
      'ec2:CreateNetworkAclEntry',
    ]);
    const denials = await checkPermissions(ec2.client, applyPlan(plan).items);
    assert.deepEqual(
      denials.map((d) => d.actions),
      [['ec2:CreateNetworkAclEntry'], ['ec2:CreateNetworkAclEntry']],
    );
    assert.equal(ec2.state.nacls['acl-sys']!.length, entries.length);
  });

  it('sends only calls that add: never revoke, replace or modify', async () => {
    const ec2 = account(emptyState([SYSTEM_SG]));
    await checkPermissions(ec2.client, dgxcItems);
    await applyItems(ec2.client, dgxcItems);
    await applyItems(ec2.client, dgxcItems);
    assert.deepEqual([...new Set(ec2.calls.map((c) => c.command))], ['AuthorizeSecurityGroupIngress']);
  });

  it('the revoke script runs, revoking exactly the added rule ids', async () => {
    const ec2 = account(emptyState([SYSTEM_SG]));
    const results = await applyItems(ec2.client, dgxcItems);
    const script = join(scratch, 'revoke.sh');
    writeFileSync(
      script,
      revokeScript(dgxc, results, { region: 'us-west-2', profile: 'prod admin', when: 'now' }),
    );
    const bin = join(scratch, 'bin');
    const log = join(scratch, 'aws.log');
    spawnSync('mkdir', ['-p', bin]);
    writeFileSync(
      join(bin, 'aws'),
      `#!/usr/bin/env bash\nprintf '%s|' "$@" >> ${JSON.stringify(log)}\necho >> ${JSON.stringify(log)}\n`,
    );
    chmodSync(join(bin, 'aws'), 0o755);
    const run = spawnSync('bash', [script], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    const lines = readFileSync(log, 'utf8').trim().split('\n').sort();
    assert.deepEqual(
      lines,
      ec2.state.rules
        .map(
          (r) =>
            `ec2|revoke-security-group-ingress|--region|us-west-2|--profile|prod admin|--group-id|${SYSTEM_SG}|--security-group-rule-ids|${r.id}|`,
        )
        .sort(),
    );
  });
});
