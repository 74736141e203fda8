import { Option } from 'commander';
import { buildModel } from '../../model/build.ts';
import { PhaseTimer } from '../timings.ts';
import type { AnalysisResult } from '../../questions/analyze.ts';
import { renderers, reportFormats } from '../../report/index.ts';
import { ExitCode } from '../errors.ts';
import { writeReportFile } from '../report-file.ts';
import { outputFormat, warnAboutInput } from '../inputs.ts';
import { addExitCodesAndExamples, NO_COLOR_HELP } from '../help.ts';
import { addAnalysisOptions, analysisOptionsFrom, analyzeWithOptions } from '../analysis-options.ts';
import { addSnapshotSourceOptions, snapshotFrom, type SourceOptions } from '../snapshot-source.ts';
import { colorWanted, type RegisterCommand } from '../shared.ts';

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
    .addOption(
      new Option('-o, --output <format>', 'report format').choices(reportFormats()).default('table'),
    );
  addAnalysisOptions(command)
    .option(
      '--html <file>',
      'also write the HTML reachability matrix to <file> (self-contained, opens offline)',
    )
    .option('-v, --verbose', 'also explain allowed flows')
    .option('--no-color', NO_COLOR_HELP)
    .option('--timings', 'print how long each phase took (read+parse, model, analysis, render) to stderr');
  addExitCodesAndExamples(
    command,
    [
      [ExitCode.Pass, 'every required flow allowed'],
      [ExitCode.Fail, 'at least one flow blocked'],
      [
        ExitCode.Inconclusive,
        'nothing blocked, but a flow is unknown or a requirement could not be evaluated',
      ],
      [ExitCode.MissingPermissions, 'missing permissions: an IAM action or RBAC verb refused (--live)'],
    ],
    ['analyze examples/dgxc-multi-sg', 'analyze --live --cluster dgxc-h100 --region us-west-2 -o json'],
  );
  addSnapshotSourceOptions(command).action(
    async (snapshotPath: string | undefined, opts: Record<string, unknown>) => {
      const start = Date.now();
      const timer = new PhaseTimer(opts.timings === true);
      const render = renderers[outputFormat(opts.output as string, reportFormats())]!;
      const options = analysisOptionsFrom(opts);
      const snapshot = await snapshotFrom(snapshotPath, opts as SourceOptions);
      warnAboutInput(snapshot);
      timer.mark('read+parse');
      const model = buildModel(snapshot);
      timer.mark('model');
      const result = analyzeWithOptions(model, options);
      const renderOptions = {
        color: colorWanted(opts.color),
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
