/**
 * `fix --apply` as a sequence of decisions: confirm, dry-run every call, write the revoke script
 * before the first change and after each one, add the rules, re-analyse with them in. Every effect
 * (asking, EC2, the file, the analysis after) is passed in, so the order of steps is one testable
 * function and the edge stays thin.
 */
import type { NaclRemediation, SgRemediation } from '../../remediate/types.ts';
import type { AnalysisResult } from '../analyze.ts';
import { applyPlan, type ApplyItem, type Denial, type ItemResult, type Refusal } from './apply-plan.ts';
import type { FixPlan } from './plan.ts';

export interface ApplyEffects {
  /** Shows the plan before anything else happens. */
  readonly showPlan: (items: readonly ApplyItem[], refused: readonly Refusal[]) => void;
  /** Asks the person; resolves true to go on. Not called with `yes`. */
  readonly confirm: (items: readonly ApplyItem[]) => Promise<boolean>;
  readonly checkPermissions: (items: readonly ApplyItem[]) => Promise<Denial[]>;
  /** The revoke script so far (`done` are the items added up to now); called first with none. */
  readonly writeRevoke: (done: readonly ItemResult[], first: boolean) => void;
  readonly removeRevoke: () => void;
  readonly applyItems: (
    items: readonly ApplyItem[],
    onResult: (result: ItemResult) => void,
  ) => Promise<ItemResult[]>;
  /** The verdict with these rules in (re-collected live, or the snapshot with them added). */
  readonly analyzeAfter: (rules: SgRemediation[], nacl: NaclRemediation[]) => Promise<AnalysisResult>;
}

export type ApplyOutcome =
  | { readonly kind: 'nothing-to-do'; readonly refused: readonly Refusal[] }
  | { readonly kind: 'declined' }
  | { readonly kind: 'denied'; readonly denials: readonly Denial[] }
  | {
      readonly kind: 'applied';
      readonly results: readonly ItemResult[];
      readonly refused: readonly Refusal[];
      readonly after: AnalysisResult;
      /** Whether a revoke script was kept (some item was really added). */
      readonly added: boolean;
      /** Some item failed, or was refused before any call. */
      readonly failed: boolean;
    };

function applied(results: readonly ItemResult[]): { rules: SgRemediation[]; nacl: NaclRemediation[] } {
  const done = results.filter((r) => r.outcome.status !== 'failed').map((r) => r.item);
  return {
    rules: done.flatMap((i) => (i.kind === 'sg-rule' ? [i.planned.rule] : [])),
    nacl: done.flatMap((i) => (i.kind === 'nacl-entry' ? [i.planned.entry] : [])),
  };
}

export async function applyFix(plan: FixPlan, yes: boolean, effects: ApplyEffects): Promise<ApplyOutcome> {
  const { items, refused } = applyPlan(plan);
  effects.showPlan(items, refused);
  if (items.length === 0) return { kind: 'nothing-to-do', refused };
  if (!yes && !(await effects.confirm(items))) return { kind: 'declined' };
  const denials = await effects.checkPermissions(items);
  if (denials.length > 0) return { kind: 'denied', denials };
  effects.writeRevoke([], true);
  const done: ItemResult[] = [];
  const results = await effects.applyItems(items, (result) => {
    done.push(result);
    if (result.outcome.status === 'added') effects.writeRevoke(done, false);
  });
  const added = results.some((r) => r.outcome.status === 'added');
  if (!added) effects.removeRevoke();
  const { rules, nacl } = applied(results);
  const after = await effects.analyzeAfter(rules, nacl);
  const failed = results.some((r) => r.outcome.status === 'failed') || refused.length > 0;
  return { kind: 'applied', results, refused, after, added, failed };
}
