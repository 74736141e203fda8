import { Option } from 'commander';
import { analyzeModel, AnalyzeOptionError } from '../../analyze/analyze.ts';
import { buildModel } from '../../model/build.ts';
import { PhaseTimer } from '../timings.ts';
import type { AnalysisResult } from '../../analyze/types.ts';
import { renderers, reportFormats } from '../../report/index.ts';
import { ExitCode, UsageError } from '../errors.ts';
import { writeReportFile } from '../report-file.ts';
import { checkVersion, collect, outputFormat, readRecipe, warn } from '../inputs.ts';
import { addSnapshotSourceOptions, snapshotFrom, type SourceOptions } from '../snapshot-source.ts';
import type { RegisterCommand } from './index.ts';

export function exitCodeFor(result: AnalysisResult): number {
  return { pass: ExitCode.Pass, fail: ExitCode.Fail, unknown: ExitCode.Inconclusive }[result.verdict];
}

export const registerAnalyze: RegisterCommand = (program, setExit) => {
  const command = program
    .command('analyze')
    .description(
      'Static verdict from a snapshot directory or the live cluster (--live): every required flow × every source class → allowed / blocked / unknown, with the rule chain that decided it and the narrowest fix.',
    )
    .argument(
      '[snapshot]',
      'directory of aws/kubectl JSON or YAML output (searched recursively), or one file',
    )
    .addOption(new Option('-o, --output <format>', 'report format').choices(reportFormats()).default('table'))
    .option(
      '--dynamo-version <version>',
      'Dynamo version to check for (default: detected from the cluster, else the newest known)',
    )
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
    .option('--no-conformance', 'do not require the ai-service-metrics Prometheus flow')
    .option(
      '--html <file>',
      'also write the HTML reachability matrix to <file> (self-contained, opens offline)',
    )
    .option('-v, --verbose', 'also explain allowed flows')
    .option('--no-color', 'plain text even on a terminal')
    .option('--timings', 'print how long each phase took (read+parse, model, analysis, render) to stderr');
  addSnapshotSourceOptions(command).action(
    async (snapshotPath: string | undefined, opts: Record<string, unknown>) => {
      const start = Date.now();
      const timer = new PhaseTimer(opts.timings === true);
      const render = renderers[outputFormat(opts.output as string, reportFormats())]!;
      const dynamoVersion = checkVersion(opts.dynamoVersion as string | undefined);
      const recipe = opts.recipe ? readRecipe(opts.recipe as string, warn) : undefined;
      const snapshot = await snapshotFrom(snapshotPath, opts as SourceOptions);
      for (const ignored of snapshot.ignored) warn(`ignored ${ignored.file}: ${ignored.reason}`);
      timer.mark('read+parse');
      const model = buildModel(snapshot);
      timer.mark('model');
      let result: AnalysisResult;
      try {
        result = analyzeModel(model, {
          ...(dynamoVersion ? { dynamoVersion } : {}),
          ...(recipe ? { recipe } : {}),
          ...(opts.conformance === false ? { conformance: false } : {}),
          ...(opts.systemNodegroup ? { systemNodeGroups: opts.systemNodegroup as string[] } : {}),
          ...(opts.gpuNodegroup ? { gpuNodeGroups: opts.gpuNodegroup as string[] } : {}),
        });
      } catch (err) {
        if (err instanceof AnalyzeOptionError) throw new UsageError(err.message);
        throw err;
      }
      const renderOptions = {
        color: opts.color !== false && process.stdout.isTTY === true,
        verbose: opts.verbose === true,
        timing: { start, stop: Date.now() },
      };
      // The file first: if it cannot be written, exit 2 with nothing on stdout.
      if (opts.html) writeReportFile('--html', opts.html as string, renderers.html!(result, renderOptions));
      timer.mark('analysis');
      process.stdout.write(render(result, renderOptions));
      timer.mark('render');
      timer.report();
      setExit(exitCodeFor(result));
    },
  );
};
