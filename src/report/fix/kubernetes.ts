/**
 * The NetworkPolicy part of the fix as one multi-document YAML stream for `kubectl apply -f`:
 * each policy with a comment naming what it unblocks. Security-group and NACL fixes are AWS
 * changes; the header says when they are needed too and which format carries them.
 */
import { stringifyYaml } from '../../base/yaml.ts';
import {
  count,
  hashComment,
  headerLines,
  notFixedLines,
  unblocksLines,
  type FixPlan,
} from '../../questions/fix/plan.ts';

const comment = hashComment;

export function emitKubernetes(plan: FixPlan): string {
  const aws = plan.rules.length + plan.naclEntries.length;
  const header = [
    ...headerLines(plan),
    plan.policies.length > 0
      ? 'Apply with: kubectl apply -f <this file> (objects are labelled app.kubernetes.io/managed-by=dynamo-netcheck).'
      : 'Nothing to fix in NetworkPolicies.',
    ...(aws > 0
      ? [
          `${count(plan.rules.length, 'security-group rule')} and ${count(plan.naclEntries.length, 'network ACL entry', 'network ACL entries')} also needed: they are AWS changes; \`dynamo-netcheck fix -o aws-cli|terraform|cloudformation\` writes them.`,
        ]
      : []),
    ...notFixedLines(plan),
  ].map(comment);
  const documents = plan.policies.map((planned) =>
    [
      comment(`${planned.policy.id}: ${planned.policy.description}`),
      ...unblocksLines(plan, planned.flows).map(comment),
      stringifyYaml(planned.policy.manifest).trimEnd(),
    ].join('\n'),
  );
  // The header comments open the first document: no empty document before it.
  return `${[header.join('\n'), documents.join('\n---\n')].filter(Boolean).join('\n')}\n`;
}
