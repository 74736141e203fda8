/**
 * The analysis flags every command that runs `analyze` takes (--dynamo-version, --recipe,
 * --system-nodegroup, --gpu-nodegroup, --frontend-nodegroup, --no-conformance, --strict): declared once, parsed once, and the
 * analysis run with its option errors mapped to usage errors (exit 2).
 */
import type { Command } from 'commander';
import { analyzeModel, AnalyzeOptionError, type AnalyzeOptions } from '../questions/analyze.ts';
import type { AnalysisResult } from '../questions/analyze.ts';
import type { ClusterModel } from '../model/types.ts';
import { UsageError } from './errors.ts';
import { checkVersion, collect, readRecipe, warn } from './inputs.ts';

/** `version: false` for commands that take versions otherwise (`diff --from/--to`). */
export function addAnalysisOptions(command: Command, { version = true } = {}): Command {
  if (version)
    command.option(
      '--dynamo-version <version>',
      'Dynamo version to check for (default: detected from the cluster, else the newest known)',
    );
  return command
    .option('--recipe <name|file>', 'AICR recipe name, or a RecipeResult file (aicr recipe … -o recipe.yaml)')
    .option(
      '--system-nodegroup <name>',
      'node group(s) that host NATS/Prometheus when not deployed yet (repeatable, comma-separated)',
      collect,
    )
    .option(
      '--gpu-nodegroup <name>',
      'node group(s) that host Dynamo workers (repeatable; default: detected GPU nodes)',
      collect,
    )
    .option(
      '--frontend-nodegroup <name>',
      "node group(s) the Dynamo frontend runs on when not deployed yet (default: AICR's placement — system node groups from Dynamo 1.4, GPU before)",
      collect,
    )
    .option(
      '--no-conformance',
      'do not require the AICR conformance checks’ flows (ai-service-metrics: Prometheus and DCGM; accelerator-metrics: dcgm-exporter)',
    )
    .option(
      '--strict',
      'count recommended flows (metrics scrapes: dashboards, planner, autoscaling) in the verdict and fix them too',
    );
}

/** The flags above as AnalyzeOptions; a bad version or recipe file is a usage error. */
export function analysisOptionsFrom(opts: Record<string, unknown>): AnalyzeOptions {
  const dynamoVersion = checkVersion(opts.dynamoVersion as string | undefined);
  const recipe = opts.recipe ? readRecipe(opts.recipe as string, warn) : undefined;
  return {
    ...(dynamoVersion ? { dynamoVersion } : {}),
    ...(recipe ? { recipe } : {}),
    ...(opts.conformance === false ? { conformance: false } : {}),
    ...(opts.strict === true ? { strict: true } : {}),
    ...(opts.systemNodegroup ? { systemNodeGroups: opts.systemNodegroup as string[] } : {}),
    ...(opts.gpuNodegroup ? { gpuNodeGroups: opts.gpuNodegroup as string[] } : {}),
    ...(opts.frontendNodegroup ? { frontendNodeGroups: opts.frontendNodegroup as string[] } : {}),
  };
}

/** Runs the analysis; an option that does not fit the snapshot (unknown node group) is exit 2. */
export function analyzeWithOptions(model: ClusterModel, options: AnalyzeOptions): AnalysisResult {
  try {
    return analyzeModel(model, options);
  } catch (err) {
    if (err instanceof AnalyzeOptionError) throw new UsageError(err.message);
    throw err;
  }
}
