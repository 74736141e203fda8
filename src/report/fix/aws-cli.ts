/**
 * The fix as a commented, runnable bash script of aws-cli calls. Rules use the `--ip-permissions`
 * JSON form, the one that carries a description, and are tagged on creation; a rule that already
 * exists counts as done, so the script can be re-run. Every argument is shell-quoted: ids and
 * names come from a snapshot, which is input, not trusted text.
 */
import { heredocDelimiter, shellCommand, shellQuote } from '../../base/shell.ts';
import { stringifyYaml } from '../../base/yaml.ts';
import {
  headerLines,
  naclLine,
  notFixedLines,
  ruleLine,
  unblocksLines,
  type FixPlan,
  type PlannedNaclEntry,
  type PlannedPolicy,
  type PlannedRule,
  type Tag,
  hashComment,
} from '../../questions/fix/plan.ts';

// The aws-cli shorthand needs no escaping for these characters; anything else goes as JSON.
const SHORTHAND_SAFE = /^[A-Za-z0-9_.:/@+-]+$/;

/** `--tag-specifications` for a new security-group rule, in the shorthand form where it can say it. */
export function tagSpecification(tags: readonly Tag[]): string {
  if (tags.every((t) => SHORTHAND_SAFE.test(t.Key) && SHORTHAND_SAFE.test(t.Value))) {
    return `ResourceType=security-group-rule,Tags=[${tags.map((t) => `{Key=${t.Key},Value=${t.Value}}`).join(',')}]`;
  }
  return JSON.stringify([{ ResourceType: 'security-group-rule', Tags: tags }]);
}

/** The aws-cli argument vector that adds a planned rule (apply's revoke script and JSON reuse it). */
export function ruleArgs(planned: PlannedRule): string[] {
  const { rule } = planned;
  return [
    'aws',
    'ec2',
    `authorize-security-group-${rule.direction}`,
    '--group-id',
    rule.groupId,
    '--ip-permissions',
    JSON.stringify([planned.permission]),
    '--tag-specifications',
    tagSpecification(planned.tags),
  ];
}

export function naclArgs(planned: PlannedNaclEntry): string[] {
  const e = planned.entry;
  return [
    'aws',
    'ec2',
    'create-network-acl-entry',
    '--network-acl-id',
    e.naclId,
    e.egress ? '--egress' : '--ingress',
    '--rule-number',
    String(e.ruleNumber),
    '--protocol',
    e.protocol,
    '--port-range',
    `From=${e.fromPort},To=${e.toPort}`,
    planned.ipv6 ? '--ipv6-cidr-block' : '--cidr-block',
    e.cidr,
    '--rule-action',
    'allow',
  ];
}

/** One command on one line (for JSON and reports). */
export function oneLine(args: readonly string[]): string {
  return shellCommand(args);
}

/** One command line, `\`-continued before each option so a person can read it. */
export function commandLine(args: readonly string[], indent = '  '): string {
  const words = args.map(shellQuote);
  const lines: string[] = [];
  let current = '';
  for (const word of words) {
    if (word.startsWith('--') && current !== '') {
      lines.push(current);
      current = word;
    } else current = current === '' ? word : `${current} ${word}`;
  }
  lines.push(current);
  return lines.join(` \\\n${indent}`);
}

const comment = hashComment;

/**
 * One item's command exactly as the script runs it, `\\`-continued lines indented by two: the
 * script and `analyze`'s Fix section both print these, so what a person reads is what `fix` runs.
 * `heredoc` commands carry a here-document whose body and delimiter must stay as they are.
 */
export interface FixCommand {
  readonly id: string;
  readonly command: string;
  readonly heredoc: boolean;
}

function ruleCommand(planned: PlannedRule): FixCommand {
  return { id: planned.rule.id, command: commandLine(ruleArgs(planned)), heredoc: false };
}

function naclCommand(planned: PlannedNaclEntry): FixCommand {
  return { id: planned.entry.id, command: commandLine(naclArgs(planned)), heredoc: false };
}

function policyCommand(planned: PlannedPolicy): FixCommand {
  const body = stringifyYaml(planned.policy.manifest).trimEnd();
  const delimiter = heredocDelimiter(body, 'NETWORKPOLICY');
  return {
    id: planned.policy.id,
    command: [`kubectl apply -f - <<'${delimiter}'`, body, delimiter].join('\n'),
    heredoc: true,
  };
}

/** Every item's command, in the script's order: security-group rules, NACL entries, NetworkPolicies. */
export function fixCommands(plan: FixPlan): FixCommand[] {
  return [
    ...plan.rules.map(ruleCommand),
    ...plan.naclEntries.map(naclCommand),
    ...plan.policies.map(policyCommand),
  ];
}

/** Indents every line (a command without a here-document). */
export function indentLines(text: string, indent: string): string {
  return text
    .split('\n')
    .map((line) => indent + line)
    .join('\n');
}

function ruleSection(plan: FixPlan, planned: PlannedRule): string {
  const { rule } = planned;
  return [
    comment(`${rule.id}: ${planned.description}`),
    comment(`Adds ${ruleLine(plan, planned)}.`),
    ...unblocksLines(plan, planned.flows).map(comment),
    ...(rule.quotaWarning ? [comment(`WARNING: ${rule.quotaWarning}`)] : []),
    ...(rule.documented ?? []).map((d) => comment(`Narrowest range that works; ${d}.`)),
    `ok_if_present InvalidPermission.Duplicate \\\n${indentLines(ruleCommand(planned).command, '  ')}`,
  ].join('\n');
}

function naclSection(plan: FixPlan, planned: PlannedNaclEntry): string {
  const e = planned.entry;
  return [
    comment(`${e.id}: ${e.description}`),
    comment(`Adds the ${naclLine(planned)}.`),
    ...unblocksLines(plan, planned.flows).map(comment),
    comment(
      `NetworkAclEntryAlreadyExists means rule ${e.ruleNumber} was taken since the snapshot (or by an earlier run of this script): check it with ${shellCommand(['aws', 'ec2', 'describe-network-acls', '--network-acl-ids', e.naclId])}`,
    ),
    naclCommand(planned).command,
  ].join('\n');
}

function policySection(plan: FixPlan, planned: PlannedPolicy): string {
  return [
    comment(`${planned.policy.id}: ${planned.policy.description}`),
    ...unblocksLines(plan, planned.flows).map(comment),
    policyCommand(planned).command,
  ].join('\n');
}

const OK_IF_PRESENT = `# Runs one aws call; an error naming "$1" (the rule is there already) counts as done, so the
# script can be re-run after a partial failure.
ok_if_present() {
  local code=$1 out
  shift
  if out=$("$@" 2>&1); then
    printf '%s\\n' "$out"
  elif [[ $out == *"($code)"* ]]; then
    printf 'already present (%s): %s\\n' "$code" "\${*:1:5}" >&2
  else
    printf '%s\\n' "$out" >&2
    return 1
  fi
}`;

export function emitAwsCli(plan: FixPlan): string {
  const actions = [
    ...new Set([
      ...plan.rules.map(
        (r) => `ec2:AuthorizeSecurityGroup${r.rule.direction === 'ingress' ? 'Ingress' : 'Egress'}`,
      ),
      ...(plan.rules.length > 0 ? ['ec2:CreateTags'] : []),
      ...(plan.naclEntries.length > 0 ? ['ec2:CreateNetworkAclEntry'] : []),
    ]),
  ];
  const sections: string[] = [];
  if (plan.rules.length > 0) {
    sections.push(
      [
        '# --- Security-group rules ---------------------------------------------------------------',
        OK_IF_PRESENT,
      ].join('\n'),
      ...plan.rules.map((r) => ruleSection(plan, r)),
    );
  }
  if (plan.naclEntries.length > 0) {
    sections.push(
      '# --- Network ACL entries (stateless: both directions, return traffic included) ------------',
      ...plan.naclEntries.map((e) => naclSection(plan, e)),
    );
  }
  if (plan.policies.length > 0) {
    sections.push(
      "# --- Kubernetes NetworkPolicies (kubectl, with the cluster's current context) ------------",
      ...plan.policies.map((p) => policySection(plan, p)),
    );
  }
  const empty = sections.length === 0;
  const header = [
    '#!/usr/bin/env bash',
    ...headerLines(plan).map(comment),
    ...(actions.length > 0 ? [comment(`Needs the IAM actions ${actions.join(', ')}.`)] : []),
    ...(plan.rules.length > 0
      ? [
          comment('Each security-group rule is tagged created-by=dynamo-netcheck; remove one with'),
          comment(
            '  aws ec2 revoke-security-group-ingress --group-id <group> --security-group-rule-ids <sgr-id>',
          ),
          comment('(`dynamo-netcheck fix --apply` writes that revoke script for exactly the rules it adds).'),
        ]
      : []),
    ...(empty
      ? [comment('Nothing to fix: no flow is blocked by a security group, network ACL or NetworkPolicy.')]
      : []),
    ...notFixedLines(plan).map(comment),
    'set -euo pipefail',
  ].join('\n');
  return `${[header, ...sections].join('\n\n')}\n`;
}
