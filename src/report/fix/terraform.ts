/**
 * The fix as Terraform (hashicorp/aws >= 5): `aws_vpc_security_group_ingress_rule` /
 * `_egress_rule` (one rule per resource, with description and tags) and `aws_network_acl_rule`.
 * Written the way `terraform fmt` writes it — two-space indent, `=` aligned over each run of
 * one-line attributes — so the file passes `terraform fmt -check` as emitted. Resource names come
 * from what the rule is, not from its position, so they stay put when other rules come and go.
 */
import {
  count,
  headerLines,
  naclLine,
  notFixedLines,
  peerText,
  ruleLine,
  type FixPlan,
  type PlannedNaclEntry,
  type PlannedRule,
  naclNameParts,
  ruleNameParts,
  uniqueNamer,
  hashComment,
  unblocksLines,
} from '../../questions/fix/plan.ts';

type Value = string | number | boolean;

/** One body line: `key = value`, or a map attribute written over several lines. */
type Entry =
  readonly [key: string, value: Value] | readonly [key: string, map: readonly (readonly [string, string])[]];

/** An HCL string literal: escapes quotes, backslashes, control characters and template openers. */
export function hclString(text: string): string {
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    // A function: in a replacement string `$$` means one `$`, so '$${' would write `${` back.
    .replace(/\$\{/g, () => '$${')
    .replace(/%\{/g, '%%{');
  return `"${escaped}"`;
}

function hclValue(value: Value): string {
  return typeof value === 'string' ? hclString(value) : String(value);
}

/** Lines of `key = value` pairs with `=` aligned, as `terraform fmt` aligns a run of them. */
function aligned(pairs: readonly (readonly [string, string])[], indent: string): string[] {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${indent}${k.padEnd(width)} = ${v}`);
}

function block(header: string, entries: readonly Entry[]): string {
  const lines = [`${header} {`];
  let run: [string, string][] = [];
  const flush = (): void => {
    if (run.length > 0) lines.push(...aligned(run, '  '));
    run = [];
  };
  for (const [key, value] of entries) {
    if (Array.isArray(value)) {
      // A multi-line value ends the run: fmt aligns only one-line attributes together.
      flush();
      const map = value as readonly (readonly [string, string])[];
      lines.push(
        `  ${key} = {`,
        ...aligned(
          map.map(([k, v]) => [hclString(k), hclString(v)] as const),
          '    ',
        ),
        '  }',
      );
    } else run.push([key, hclValue(value as Value)]);
  }
  flush();
  lines.push('}');
  return lines.join('\n');
}

/** A Terraform name: letters, digits and underscores, starting with a letter. */
function identifier(parts: readonly (string | number)[]): string {
  return parts
    .map(String)
    .join('_')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '')
    .replace(/^(?![a-z])/, 'r_');
}

const comment = hashComment;

function ruleResource(plan: FixPlan, planned: PlannedRule, name: (n: string) => string): string {
  const { rule, peer } = planned;
  const peerAttribute =
    peer.kind === 'group'
      ? 'referenced_security_group_id'
      : peer.kind === 'cidr-ipv4'
        ? 'cidr_ipv4'
        : 'cidr_ipv6';
  const resourceName = name(identifier(ruleNameParts(planned)));
  return [
    comment(`${rule.id}: ${ruleLine(plan, planned)}`),
    ...unblocksLines(plan, planned.flows).map(comment),
    ...(rule.quotaWarning ? [comment(`WARNING: ${rule.quotaWarning}`)] : []),
    ...(rule.documented ?? []).map((d) => comment(`Narrowest range that works; ${d}.`)),
    block(`resource "aws_vpc_security_group_${rule.direction}_rule" "${resourceName}"`, [
      ['security_group_id', rule.groupId],
      [peerAttribute, peerText(peer)],
      ['ip_protocol', rule.protocol],
      // All traffic (-1, EFA's self-referencing rule) takes no ports.
      ...(rule.protocol === '-1'
        ? []
        : ([
            ['from_port', rule.fromPort],
            ['to_port', rule.toPort],
          ] as const)),
      ['description', planned.description],
      ['tags', planned.tags.map((t) => [t.Key, t.Value] as const)],
    ]),
  ].join('\n');
}

function naclResource(plan: FixPlan, planned: PlannedNaclEntry, name: (n: string) => string): string {
  const e = planned.entry;
  const resourceName = name(identifier(naclNameParts(planned)));
  return [
    comment(`${e.id}: ${e.description}`),
    comment(`The ${naclLine(planned)}.`),
    ...unblocksLines(plan, planned.flows).map(comment),
    block(`resource "aws_network_acl_rule" "${resourceName}"`, [
      ['network_acl_id', e.naclId],
      ['rule_number', e.ruleNumber],
      ['egress', e.egress],
      ['protocol', e.protocol],
      ['rule_action', 'allow'],
      [planned.ipv6 ? 'ipv6_cidr_block' : 'cidr_block', e.cidr],
      ['from_port', e.fromPort],
      ['to_port', e.toPort],
    ]),
  ].join('\n');
}

export function emitTerraform(plan: FixPlan): string {
  const name = uniqueNamer('_');
  const header = [
    ...headerLines(plan),
    'Resources of the hashicorp/aws provider >= 5.0; the rules are tagged created-by=dynamo-netcheck.',
    ...(plan.rules.length + plan.naclEntries.length === 0
      ? ['Nothing to fix in security groups or network ACLs.']
      : []),
    ...(plan.policies.length > 0
      ? [
          `${count(plan.policies.length, 'NetworkPolicy', 'NetworkPolicies')} also needed: they are Kubernetes objects, not AWS resources; \`dynamo-netcheck fix -o kubernetes\` writes them for kubectl apply.`,
        ]
      : []),
    ...notFixedLines(plan),
  ]
    .map(comment)
    .join('\n');
  const resources = [
    ...plan.rules.map((r) => ruleResource(plan, r, name)),
    ...plan.naclEntries.map((e) => naclResource(plan, e, name)),
  ];
  return `${[header, ...resources].join('\n\n')}\n`;
}
