/**
 * Which blocked flow classes a set of fixes unblocks, from the data the analysis carries: a flow
 * is fixed when every remediation item it needs (its `fixedBy`: SG rules, NACL entries,
 * NetworkPolicies, all of them) is in the set. Never from the wording of a fix.
 */
import type { FlowResult } from '../../analyze/types.ts';
import { counted, type AnalysisResult } from '../../questions/analyze.ts';

export interface Coverage {
  /** The blocked flow classes the verdict counts. */
  readonly blocked: readonly FlowResult[];
  /** Those the items fix on their own. */
  readonly fixed: readonly FlowResult[];
  /** Items the other blocked flow classes still need (sg-rule-2 before sg-rule-10). */
  readonly stillNeeded: readonly string[];
  /** Blocked flow classes no item was synthesised for. */
  readonly unfixable: readonly FlowResult[];
}

export function coverage(result: AnalysisResult, itemIds: readonly string[]): Coverage {
  const items = new Set(itemIds);
  const blocked = result.flows.filter((f) => f.status === 'blocked' && counted(f, result.strict));
  const fixed = blocked.filter((f) => f.fixedBy.length > 0 && f.fixedBy.every((id) => items.has(id)));
  const rest = blocked.filter((f) => !fixed.includes(f));
  return {
    blocked,
    fixed,
    stillNeeded: [...new Set(rest.flatMap((f) => f.fixedBy.filter((id) => !items.has(id))))].sort((a, b) =>
      a.localeCompare(b, 'en', { numeric: true }),
    ),
    unfixable: rest.filter((f) => f.fixedBy.length === 0),
  };
}
