/**
 * The undo of one `fix --apply` run: a bash script that revokes exactly the rules and NACL
 * entries that run added — by the rule ids EC2 returned — and nothing that was already there.
 * Pure: the CLI writes it to a file after every addition, so a crash mid-run still leaves it.
 */
import { commandLine } from './aws-cli.ts';
import { commentText, count, naclLine, ruleLine, type FixPlan } from '../../questions/fix/plan.ts';
import type { ItemResult } from '../../questions/fix/apply-plan.ts';

export interface RevokeTarget {
  readonly region?: string;
  readonly profile?: string;
  /** When the run started, ISO 8601. */
  readonly when: string;
}

function awsTarget(target: RevokeTarget): string[] {
  return [
    ...(target.region ? ['--region', target.region] : []),
    ...(target.profile ? ['--profile', target.profile] : []),
  ];
}

function revokeArgs(result: ItemResult, target: RevokeTarget): string[] {
  const { item, outcome } = result;
  if (item.kind === 'nacl-entry') {
    const e = item.planned.entry;
    return [
      'aws',
      'ec2',
      'delete-network-acl-entry',
      ...awsTarget(target),
      '--network-acl-id',
      e.naclId,
      e.egress ? '--egress' : '--ingress',
      '--rule-number',
      String(e.ruleNumber),
    ];
  }
  const rule = item.planned.rule;
  const ids = outcome.status === 'added' ? outcome.ruleIds : [];
  return [
    'aws',
    'ec2',
    `revoke-security-group-${rule.direction}`,
    ...awsTarget(target),
    '--group-id',
    rule.groupId,
    // By id where EC2 returned one; else by the exact permission, which matches only an identical rule.
    ...(ids.length > 0
      ? ['--security-group-rule-ids', ...ids]
      : ['--ip-permissions', JSON.stringify([item.planned.permission])]),
  ];
}

export function revokeScript(plan: FixPlan, results: readonly ItemResult[], target: RevokeTarget): string {
  const added = results.filter((r) => r.outcome.status === 'added');
  const rules = added.filter((r) => r.item.kind === 'sg-rule').length;
  const where = [
    plan.cluster.name ? `cluster ${plan.cluster.name}` : undefined,
    plan.cluster.accountId ? `account ${plan.cluster.accountId}` : undefined,
    target.region ? `region ${target.region}` : undefined,
  ].filter(Boolean);
  const header = [
    '#!/usr/bin/env bash',
    `# Revokes exactly what \`dynamo-netcheck fix --apply\` added at ${target.when}${where.length ? ` (${where.join(', ')})` : ''}:`,
    `# ${count(rules, 'security-group rule')}, ${count(added.length - rules, 'network ACL entry', 'network ACL entries')}. Rules that were already present are not listed.`,
    ...(added.length === 0 ? ['# Nothing was added, so there is nothing to revoke.'] : []),
    'set -euo pipefail',
  ].join('\n');
  const sections = added.map(({ item, outcome }) => {
    const what = item.kind === 'sg-rule' ? ruleLine(plan, item.planned) : naclLine(item.planned);
    return [
      `# ${commentText(`${item.id}: ${what}`)}`,
      commandLine(revokeArgs({ item, outcome }, target)),
    ].join('\n');
  });
  return `${[header, ...sections].join('\n\n')}\n`;
}
