/**
 * The one place the behaviour tests of the core (model, reachability, remediate, fix) import it
 * from, so moving or renaming a module of src touches this file only.
 */
export { analyzeSnapshot, type AnalysisResult } from '../../src/questions/analyze.ts';
export type { FlowResult } from '../../src/analyze/types.ts';
export { buildModel } from '../../src/model/build.ts';
export { controlPlaneEndpoints, podEndpoint, predictedEndpoint } from '../../src/model/endpoints.ts';
export { evaluateFlow } from '../../src/reachability/evaluate.ts';
export { parseSnapshot } from '../../src/snapshot/parse.ts';
export { fixPlan, type FixPlan, type PlannedNaclEntry } from '../../src/questions/fix/plan.ts';
export { emitTerraform } from '../../src/report/fix/terraform.ts';
export { applyPlan, type ApplyItem, type ItemResult } from '../../src/questions/fix/apply-plan.ts';
export { applyItems } from '../../src/live/ec2-apply.ts';
export { revokeScript } from '../../src/report/fix/revoke.ts';
export { isolatedFor, policyStep } from '../../src/reachability/policy-step.ts';
export {
  describeNaclEntry,
  describePeer,
  describeSgRule,
  sgRuleFact,
} from '../../src/reachability/describe.ts';
