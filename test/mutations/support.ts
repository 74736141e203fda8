/**
 * The one place the mutation-killing tests import the code under test from, so moving or renaming
 * a module of src touches this file only. Everything else they need comes from test/helpers/.
 */
export { analyzeSnapshot } from '../../src/analyze/analyze.ts';
export type { AnalysisResult, FlowResult } from '../../src/analyze/types.ts';
export { buildModel } from '../../src/model/build.ts';
export { podEndpoint } from '../../src/model/endpoints.ts';
export { evaluateFlow } from '../../src/reachability/evaluate.ts';
export { parseSnapshot } from '../../src/snapshot/parse.ts';
export { fixPlan, type FixPlan, type PlannedNaclEntry } from '../../src/remediate/emit/plan.ts';
export { emitTerraform } from '../../src/remediate/emit/terraform.ts';
export { applyPlan, type ApplyItem, type ItemResult } from '../../src/remediate/apply/plan.ts';
export { applyItems } from '../../src/remediate/apply/ec2.ts';
export { revokeScript } from '../../src/remediate/apply/revoke.ts';
