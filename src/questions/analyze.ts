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

export interface FlowCounts {
  readonly allowed: number;
  readonly blocked: number;
  readonly unknown: number;
}

function counts(flows: readonly FlowResult[]): FlowCounts {
  return {
    allowed: flows.filter((f) => f.status === 'allowed').length,
    blocked: flows.filter((f) => f.status === 'blocked').length,
    unknown: flows.filter((f) => f.status === 'unknown').length,
  };
}

/** Whether a flow or requirement counts in the verdict: every required one, recommended ones only when strict. */
export function counted(item: { readonly level: 'required' | 'recommended' }, strict: boolean): boolean {
  return strict || item.level === 'required';
}

export interface AnalysisResult {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly tool: { readonly name: 'dynamo-netcheck'; readonly version: string };
  readonly cluster: { readonly name?: string; readonly vpcId?: string; readonly accountId?: string };
  readonly dynamo: { readonly version: string; readonly source: string };
  readonly verdict: Verdict;
  /** Whether recommended flows count in the verdict and get fixes (`--strict`). */
  readonly strict: boolean;
  /**
   * The flow classes the verdict counts (required ones; with `--strict` recommended ones too), and
   * apart, when there are any, the recommended ones it does not count.
   */
  readonly summary: FlowCounts & { readonly recommended?: FlowCounts };
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
  const strict = options.strict === true;
  // Recommended flows not counted are reported, never fixed: the fix is what the verdict needs.
  const fixes = synthesizeFixes(model, {
    ...analysis,
    flows: analysis.flows.filter((f) => counted(f, strict)),
  });
  const flows = analysis.flows.map((f) => ({ ...f, fixedBy: fixes.fixedBy.get(f.id) ?? [] }));
  const recommended = flows.filter((f) => !counted(f, strict));
  const summary = {
    ...counts(flows.filter((f) => counted(f, strict))),
    ...(recommended.length > 0 ? { recommended: counts(recommended) } : {}),
  };
  const skipped = analysis.skipped.filter((s) => counted(s, strict));
  // A requirement not evaluated leaves the verdict open, whatever else passed: nothing proves it
  // allowed (e.g. before install, which request plane the pods will use is not known).
  const verdict: Verdict =
    summary.blocked > 0 ? 'fail' : summary.unknown > 0 || skipped.length > 0 ? 'unknown' : 'pass';
  const notes: string[] = [];
  if (summary.recommended && summary.recommended.blocked + summary.recommended.unknown > 0)
    notes.push(
      `${summary.recommended.blocked} blocked and ${summary.recommended.unknown} unknown recommended flow class${summary.recommended.blocked + summary.recommended.unknown === 1 ? '' : 'es'} (metrics, dashboards, autoscaling): not counted in the verdict and not fixed; --strict counts them and writes their fix`,
    );
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
    strict,
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
    notes: [...notes, ...analysis.notes, ...model.notes.map((n) => n.message), ...(model.inputNotes ?? [])],
  };
}

export function analyzeSnapshot(snapshot: Snapshot, options: AnalyzeOptions = {}): AnalysisResult {
  return analyzeModel(buildModel(snapshot), options);
}
