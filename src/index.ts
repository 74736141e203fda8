/**
 * dynamo-netcheck as a library: load a snapshot, build the cluster model, ask a question, render
 * the answer. Everything here is pure except `loadSnapshot`, which reads a directory. The CLI is
 * a thin layer over exactly these functions.
 *
 * ```ts
 * import { loadSnapshot, analyzeSnapshot, renderers } from 'dynamo-netcheck';
 * const result = analyzeSnapshot(await loadSnapshot('examples/dgxc-multi-sg'));
 * process.stdout.write(renderers.table(result, { color: false, verbose: false }));
 * ```
 */

// Input: the offline snapshot (files as `aws … --output json` and `kubectl get -o json|yaml` print them).
export { loadSnapshot, SnapshotInputError } from './snapshot/load.ts';
export {
  parseSnapshot,
  parseSnapshotBytes,
  type InputFile,
  type InputBytes,
  type ParseResult,
} from './snapshot/parse.ts';
export type { Snapshot, InputIssue } from './snapshot/types.ts';
export { formatIssue } from './snapshot/types.ts';
// One cluster per run: what `--cluster`/`--vpc` do to a directory holding several.
export {
  clusterCaptures,
  pickCluster,
  type ClusterCapture,
  type ClusterPick,
  type ClusterSelection,
} from './snapshot/clusters.ts';

// The cluster model: nodes, ENIs, security groups, NACLs, pods, policies.
export { buildModel } from './model/build.ts';
export type { ClusterModel } from './model/types.ts';

// Requirements: the versioned catalog and what applies to a cluster.
export {
  catalog,
  knownDynamoVersions,
  type CatalogEntry,
  type RequirementId,
} from './requirements/catalog.ts';
export { buildRequirementContext, type ContextOptions, type RecipeInfo } from './requirements/context.ts';
export {
  resolveRequirements,
  newestDynamoVersion,
  type Requirement,
  type RequirementSet,
} from './requirements/resolve.ts';
export { parseRecipeResult } from './requirements/recipe.ts';

// The questions and their answers.
export {
  analyzeModel,
  analyzeSnapshot,
  AnalyzeOptionError,
  SCHEMA_VERSION,
  type AnalysisResult,
  type AnalyzeOptions,
  type Verdict,
} from './questions/analyze.ts';
export type { FlowResult, FlowEnd, Skipped } from './analyze/types.ts';
export type { FlowTrace, TraceStep, Fact, Status } from './reachability/types.ts';
export type { SgRemediation, NaclRemediation, PolicyRemediation } from './remediate/types.ts';
export { applyRemediation } from './remediate/what-if.ts';
export { fixPlan, type FixPlan } from './questions/fix/plan.ts';
export { placementReport, type PlacementReport } from './questions/placement.ts';
export { diagnose, type DiagnoseInput } from './questions/diagnose/diagnose.ts';
export type { Diagnosis } from './questions/diagnose/types.ts';
export { parseCtrf, readCtrfDocument, type CtrfReport } from './questions/diagnose/ctrf.ts';
export { diffAnalyses, type UpgradeDiff } from './questions/diff.ts';

// Renderers: reports of an analysis, fixes as code, and the other answers as text.
export { renderers, reportFormats, type Renderer, type RenderOptions } from './report/index.ts';
export { emitters, fixFormats, type FixFormat } from './report/fix/index.ts';
export { renderRequirements } from './report/requirements.ts';
export { renderPlacement } from './report/placement.ts';
export { renderDiagnosis } from './report/diagnose.ts';
export { renderDiff } from './report/diff.ts';

export { TOOL_VERSION } from './base/version.ts';
