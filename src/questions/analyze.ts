/**
 * The `analyze` question: every required flow × every source class → allowed / blocked / unknown,
 * with its trace and the narrowest fix. Read, then compute: this is a pure function of the snapshot
 * and the options; loading and printing live at the edges.
 */
import { analyzeFlows, type AnalyzeOptions } from '../analyze/flows.ts';
import type { FlowResult, Skipped } from '../analyze/types.ts';
import { TOOL_VERSION } from '../base/version.ts';
import { buildModel } from '../model/build.ts';
import type { ClusterModel } from '../model/types.ts';
import { synthesizeFixes } from '../remediate/fixes.ts';
import type { NaclRemediation, PolicyRemediation, SgRemediation } from '../remediate/types.ts';
import type { NotApplicable, Requirement } from '../requirements/resolve.ts';
import type { Snapshot } from '../snapshot/types.ts';

export { AnalyzeOptionError, type AnalyzeOptions } from '../analyze/flows.ts';

/** The version of the `analyze -o json` shape (docs/schema/analyze.schema.json); raised on a breaking change. */
export const SCHEMA_VERSION = 1;

export type Verdict = 'pass' | 'fail' | 'unknown';

export interface AnalysisResult {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly tool: { readonly name: 'dynamo-netcheck'; readonly version: string };
  readonly cluster: { readonly name?: string; readonly vpcId?: string; readonly accountId?: string };
  readonly dynamo: { readonly version: string; readonly source: string };
  readonly verdict: Verdict;
  readonly summary: { readonly allowed: number; readonly blocked: number; readonly unknown: number };
  readonly requirements: Requirement[];
  readonly notApplicable: NotApplicable[];
  readonly skipped: Skipped[];
  readonly flows: FlowResult[];
  /** Names of the security groups the flows mention, for people (ids stay the reference). */
  readonly securityGroupNames: Record<string, string>;
  readonly remediation: SgRemediation[];
  readonly naclRemediation: NaclRemediation[];
  /** NetworkPolicies to apply where a policy (not the VPC) blocks a flow. */
  readonly policyRemediation: PolicyRemediation[];
  readonly warnings: string[];
  readonly notes: string[];
}

export function analyzeModel(model: ClusterModel, options: AnalyzeOptions = {}): AnalysisResult {
  const analysis = analyzeFlows(model, options);
  const fixes = synthesizeFixes(model, analysis);
  const flows = analysis.flows.map((f) => ({ ...f, fixedBy: fixes.fixedBy.get(f.id) ?? [] }));
  const summary = {
    allowed: flows.filter((f) => f.status === 'allowed').length,
    blocked: flows.filter((f) => f.status === 'blocked').length,
    unknown: flows.filter((f) => f.status === 'unknown').length,
  };
  // A requirement not evaluated leaves the verdict open, whatever else passed: nothing proves it
  // allowed (e.g. before install, which request plane the pods will use is not known).
  const verdict: Verdict =
    summary.blocked > 0 ? 'fail' : summary.unknown > 0 || analysis.skipped.length > 0 ? 'unknown' : 'pass';
  const mentioned = new Set(
    flows.flatMap((f) => [...f.source.securityGroups, ...f.destination.securityGroups]),
  );
  const securityGroupNames = Object.fromEntries(
    [...mentioned].sort().flatMap((id) => {
      const name = model.securityGroups.get(id)?.name;
      return name ? [[id, name]] : [];
    }),
  );
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'dynamo-netcheck', version: TOOL_VERSION },
    cluster: {
      ...(model.clusterName ? { name: model.clusterName } : {}),
      ...(model.vpcId ? { vpcId: model.vpcId } : {}),
      ...(model.accountId ? { accountId: model.accountId } : {}),
    },
    dynamo: analysis.dynamo,
    verdict,
    summary,
    requirements: analysis.requirements,
    notApplicable: analysis.notApplicable,
    skipped: analysis.skipped,
    flows,
    securityGroupNames,
    remediation: fixes.rules,
    naclRemediation: fixes.naclEntries,
    policyRemediation: fixes.policies,
    warnings: [
      ...model.warnings.map((w) => w.message),
      ...fixes.unfixable.map((u) => `no fix can be synthesised for ${u}`),
    ],
    notes: [...analysis.notes, ...model.notes.map((n) => n.message), ...(model.inputNotes ?? [])],
  };
}

export function analyzeSnapshot(snapshot: Snapshot, options: AnalyzeOptions = {}): AnalysisResult {
  return analyzeModel(buildModel(snapshot), options);
}
