/**
 * Every fix for one flow analysis: security-group rules and NACL entries where the VPC blocks a
 * flow, NetworkPolicies where a policy does, and which items unblock which flow. Pure: it reads
 * the flow results and never re-analyses.
 */
import type { FlowAnalysis } from '../analyze/flows.ts';
import type { ClusterModel } from '../model/types.ts';
import { synthesizePolicies } from './policy.ts';
import { synthesizeRemediation } from './synthesize.ts';
import type { NaclRemediation, PolicyRemediation, SgRemediation } from './types.ts';

export interface Fixes {
  readonly rules: SgRemediation[];
  readonly naclEntries: NaclRemediation[];
  readonly policies: PolicyRemediation[];
  /** Item ids that unblock each flow, by flow id: SG and NACL items first, then policies. */
  readonly fixedBy: ReadonlyMap<string, string[]>;
  /** Flows no item can fix, each as a sentence. */
  readonly unfixable: string[];
}

export function synthesizeFixes(model: ClusterModel, analysis: FlowAnalysis): Fixes {
  const plan = synthesizeRemediation(model, analysis.flows);
  const policyFixes = new Map<string, string[]>();
  const unfixable = [...plan.unfixable];
  const policies = synthesizePolicies(
    analysis.flows,
    analysis.identities,
    (flowId, itemId) => policyFixes.set(flowId, [...(policyFixes.get(flowId) ?? []), itemId]),
    unfixable,
  );
  const fixedBy = new Map(
    analysis.flows.map((f) => [f.id, [...(plan.fixes.get(f.id) ?? []), ...(policyFixes.get(f.id) ?? [])]]),
  );
  const documented = new Map(
    analysis.requirements.flatMap((r) => (r.documented ? [[r.id, r.documented] as const] : [])),
  );
  const rules = plan.rules.map((rule) => {
    const notes = [...new Set(rule.requirements.flatMap((id) => documented.get(id) ?? []))];
    return notes.length > 0 ? { ...rule, documented: notes } : rule;
  });
  return { rules, naclEntries: plan.naclEntries, policies, fixedBy, unfixable };
}
