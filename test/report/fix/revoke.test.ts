// The revoke script as a user reads it before running it: its header says when, where and how much
// it undoes; each section names the item and holds exactly one command. Expected texts are written
// out in full.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeSnapshot } from '../../../src/questions/analyze.ts';
import { applyPlan } from '../../../src/questions/fix/apply-plan.ts';
import { fixPlan } from '../../../src/questions/fix/plan.ts';
import { revokeScript } from '../../../src/report/fix/revoke.ts';
import { loadSnapshot } from '../../../src/snapshot/load.ts';
import { naclBlocked } from '../../questions/fix/scenarios.ts';

const dgxc = fixPlan(analyzeSnapshot(await loadSnapshot('examples/dgxc-multi-sg')));
const [first, second] = applyPlan(dgxc).items;
const WHEN = '2026-12-06T11:00:00Z';

describe('the revoke script text', () => {
  it('names the run, the cluster, the account and the region, counts what it undoes, and revokes by rule id', () => {
    const script = revokeScript(
      dgxc,
      [
        { item: first!, outcome: { status: 'added', ruleIds: ['sgr-0aaa'] } },
        { item: second!, outcome: { status: 'already-present' } },
      ],
      { region: 'us-west-2', profile: 'prod admin', when: WHEN },
    );
    assert.equal(
      script,
      [
        '#!/usr/bin/env bash',
        '# Revokes exactly what `dynamo-netcheck fix --apply` added at 2026-12-06T11:00:00Z (cluster dgxc-h100, account 123456789012, region us-west-2):',
        '# 1 security-group rule, 0 network ACL entries. Rules that were already present are not listed.',
        'set -euo pipefail',
        '',
        '# sg-rule-1: ingress to sg-0280e97ae16fcd306 (dgxc-h100-system) from sg-0affb20cb8865fd98 (dgxc-h100-customer), tcp/4222',
        'aws ec2 revoke-security-group-ingress \\',
        '  --region us-west-2 \\',
        "  --profile 'prod admin' \\",
        '  --group-id sg-0280e97ae16fcd306 \\',
        '  --security-group-rule-ids sgr-0aaa',
        '',
      ].join('\n'),
    );
  });

  it('with nothing added it says so, and without a region or profile it names neither', () => {
    assert.equal(
      revokeScript(dgxc, [{ item: first!, outcome: { status: 'already-present' } }], { when: WHEN }),
      [
        '#!/usr/bin/env bash',
        '# Revokes exactly what `dynamo-netcheck fix --apply` added at 2026-12-06T11:00:00Z (cluster dgxc-h100, account 123456789012):',
        '# 0 security-group rules, 0 network ACL entries. Rules that were already present are not listed.',
        '# Nothing was added, so there is nothing to revoke.',
        'set -euo pipefail',
        '',
      ].join('\n'),
    );
  });

  it('without a region or profile, a command carries neither', () => {
    const script = revokeScript(
      dgxc,
      [{ item: second!, outcome: { status: 'added', ruleIds: ['sgr-0bbb'] } }],
      {
        when: WHEN,
      },
    );
    assert.equal(
      script.slice(script.indexOf('aws ec2')),
      [
        'aws ec2 revoke-security-group-ingress \\',
        `  --group-id ${second!.kind === 'sg-rule' ? second!.planned.rule.groupId : ''} \\`,
        '  --security-group-rule-ids sgr-0bbb',
        '',
      ].join('\n'),
    );
  });

  it('counts NACL entries apart from rules, and a failed item is not listed', () => {
    const { plan } = naclBlocked();
    const [inbound, outbound] = applyPlan(plan).items.filter((i) => i.kind === 'nacl-entry');
    // A snapshot that names no cluster or account, and no region: the header names none.
    const script = revokeScript(
      { ...plan, cluster: {} },
      [
        { item: inbound!, outcome: { status: 'added', ruleIds: [] } },
        { item: outbound!, outcome: { status: 'failed', code: 'X', message: 'no' } },
      ],
      { when: WHEN },
    );
    const lines = script.split('\n');
    assert.equal(lines[1], `# Revokes exactly what \`dynamo-netcheck fix --apply\` added at ${WHEN}:`);
    assert.equal(
      lines[2],
      '# 0 security-group rules, 1 network ACL entry. Rules that were already present are not listed.',
    );
    assert.equal(lines[3], 'set -euo pipefail');
    assert.equal(script.match(/^aws ec2 /gm)?.length, 1);
    assert.match(script, new RegExp(`^# ${inbound!.id}: `, 'm'));
    assert.doesNotMatch(script, new RegExp(`^# ${outbound!.id}: `, 'm'));
  });
});
