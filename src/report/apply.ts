/**
 * What `fix --apply` says: the plan before it asks, and per item what happened after, with the
 * verdict the analysis gives once the applied rules are in. Pure: renders outcomes it is given.
 */
import { terminalSafe } from '../base/terminal.ts';
import type { AnalysisResult } from '../questions/analyze.ts';
import { count, naclLine, ruleLine, type FixPlan } from '../questions/fix/plan.ts';
import type { ApplyItem, ItemResult, Refusal } from '../questions/fix/apply-plan.ts';

function itemLine(plan: FixPlan, item: ApplyItem): string {
  return `${item.id}: ${item.kind === 'sg-rule' ? `${ruleLine(plan, item.planned)} "${item.planned.description}"` : naclLine(item.planned)}`;
}

export function planText(
  unsafePlan: FixPlan,
  unsafeItems: readonly ApplyItem[],
  unsafeRefused: readonly Refusal[],
): string {
  const [plan, items, refused] = terminalSafe([unsafePlan, unsafeItems, unsafeRefused] as const);
  const lines = [
    `dynamo-netcheck will add ${count(items.length, 'item')}${plan.cluster.name ? ` for cluster ${plan.cluster.name}` : ''}${plan.cluster.accountId ? ` in account ${plan.cluster.accountId}` : ''} (nothing is removed or widened):`,
    ...items.map((item) => `  + ${itemLine(plan, item)}`),
    ...refused.map((r) => `  ! refused ${itemLine(plan, r.item)} — ${r.why}`),
    ...(plan.policies.length > 0
      ? [
          `  (${count(plan.policies.length, 'NetworkPolicy', 'NetworkPolicies')} not applied here: \`dynamo-netcheck fix -o aws-cli\` prints them for kubectl)`,
        ]
      : []),
  ];
  return `${lines.join('\n')}\n`;
}

const LABELS = { added: 'added', 'already-present': 'already present', failed: 'FAILED' } as const;

export interface ApplySummary {
  readonly results: readonly ItemResult[];
  readonly refused: readonly Refusal[];
  readonly revokeScript?: string;
  readonly before: AnalysisResult;
  readonly after?: AnalysisResult;
}

function verdictText(result: AnalysisResult): string {
  const s = result.summary;
  return `${result.verdict.toUpperCase()} (${s.allowed} allowed, ${s.blocked} blocked, ${s.unknown} unknown)`;
}

export function summaryText(unsafePlan: FixPlan, unsafeSummary: ApplySummary): string {
  const [plan, summary] = terminalSafe([unsafePlan, unsafeSummary] as const);
  const width = Math.max(...Object.values(LABELS).map((l) => l.length), 'refused'.length);
  const lines = [
    ...summary.results.map(({ item, outcome }) => {
      const detail =
        outcome.status === 'added'
          ? outcome.ruleIds.length > 0
            ? ` (${outcome.ruleIds.join(', ')})`
            : ''
          : outcome.status === 'failed'
            ? ` — ${outcome.code}: ${outcome.message}`
            : '';
      return `${LABELS[outcome.status].padEnd(width)}  ${itemLine(plan, item)}${detail}`;
    }),
    ...summary.refused.map((r) => `${'refused'.padEnd(width)}  ${itemLine(plan, r.item)} — ${r.why}`),
    summary.revokeScript
      ? `Revoke script (exactly what this run added): ${summary.revokeScript}`
      : 'Nothing was added, so there is no revoke script.',
    ...(summary.after
      ? [`Verdict after: ${verdictText(summary.after)}; before: ${verdictText(summary.before)}`]
      : []),
  ];
  return `${lines.join('\n')}\n`;
}

export function summaryJson(summary: ApplySummary): string {
  return `${JSON.stringify(
    {
      results: summary.results.map(({ item, outcome }) => ({ id: item.id, kind: item.kind, ...outcome })),
      refused: summary.refused.map((r) => ({ id: r.item.id, kind: r.item.kind, why: r.why })),
      ...(summary.revokeScript ? { revokeScript: summary.revokeScript } : {}),
      before: { verdict: summary.before.verdict, summary: summary.before.summary },
      ...(summary.after ? { after: { verdict: summary.after.verdict, summary: summary.after.summary } } : {}),
    },
    null,
    2,
  )}\n`;
}
