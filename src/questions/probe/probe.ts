/**
 * The `probe` question: plan one probe pod per source class from the static analysis (and a
 * stand-in listener per destination class where no real server serves the port), have them run
 * (the runner is passed in: it is the Kubernetes edge), and set each live result next to the
 * static verdict it was expected to confirm.
 */
import type { ClusterModel } from '../../model/types.ts';
import type { AnalysisResult } from '../analyze.ts';
import { compareResults, type ProbeReport, type RunOutcome } from './compare.ts';
import { planProbes, type PlanOptions, type ProbePlan } from './plan.ts';

/** The plan cannot be made from these options (bad run id, unsafe host name, nothing to probe). */
export class ProbePlanError extends Error {
  override readonly name = 'ProbePlanError';
}

export function probePlan(model: ClusterModel, analysis: AnalysisResult, options: PlanOptions): ProbePlan {
  let plan;
  try {
    plan = planProbes(model, analysis, options);
  } catch (err) {
    throw new ProbePlanError((err as Error).message);
  }
  if (plan.probes.length === 0)
    throw new ProbePlanError(`nothing to probe: ${plan.notProbed.join('; ') || 'no TCP flows'}`);
  return plan;
}

export async function probeCluster(
  plan: ProbePlan,
  run: (plan: ProbePlan) => Promise<RunOutcome>,
): Promise<ProbeReport> {
  return compareResults(plan, await run(plan));
}
