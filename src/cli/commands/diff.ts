import { Option } from 'commander';
import type { AnalyzeOptions } from '../../questions/analyze.ts';
import { diffAnalyses, type UpgradeDiff } from '../../questions/diff.ts';
import { renderDiff } from '../../report/diff.ts';
import { buildModel } from '../../model/build.ts';
import type { RecipeInfo } from '../../requirements/context.ts';
import { ExitCode, UsageError } from '../errors.ts';
import { checkVersion, outputFormat, warnAboutInput } from '../inputs.ts';
import { addExitCodesAndExamples, NO_COLOR_HELP } from '../help.ts';
import { addAnalysisOptions, analysisOptionsFrom, analyzeWithOptions } from '../analysis-options.ts';
import { addSnapshotSourceOptions, snapshotFrom, type SourceOptions } from '../snapshot-source.ts';
import type { RegisterCommand } from '../shared.ts';
import { printReport } from '../shared.ts';

const exitCodes = {
  breaks: ExitCode.Fail,
  inconclusive: ExitCode.Inconclusive,
  safe: ExitCode.Pass,
} as const;

function withoutVersion(recipe: RecipeInfo): RecipeInfo {
  const { dynamoVersion: _target, ...rest } = recipe;
  return rest;
}

function version(flag: string, value: string | undefined): string | undefined {
  try {
    return checkVersion(value);
  } catch {
    throw new UsageError(`${flag} ${value}: expected a version like 1.2.0`);
  }
}

export const registerDiff: RegisterCommand = (program, setExit) => {
  const command = program
    .command('diff')
    .description(
      'Upgrade impact: analyses the cluster for two Dynamo versions and lists the flows that appear, vanish or change, each with its verdict here — what will break if you upgrade.',
    )
    .argument('[snapshot]', 'snapshot directory (or use --live)')
    .requiredOption('--to <version>', 'the Dynamo version to upgrade to, e.g. 1.2.0')
    .option('--from <version>', 'the Dynamo version installed now (default: detected from the cluster)')
    .addOption(
      new Option('-o, --output <format>', 'report format').choices(['table', 'json']).default('table'),
    )
    .option('--no-color', NO_COLOR_HELP);
  addExitCodesAndExamples(
    command,
    [
      [ExitCode.Pass, 'the upgrade blocks no flow'],
      [ExitCode.Fail, 'the upgrade needs a flow that is blocked here'],
      [ExitCode.Inconclusive, 'nothing blocked, but the upgrade adds flows that cannot be decided'],
      [ExitCode.MissingPermissions, 'missing permissions: an IAM action or RBAC verb refused (--live)'],
    ],
    ['diff examples/upgrade-1.0-to-1.2 --to 1.2.0', 'diff --live --cluster dgxc-h100 --to 1.4.0 -o json'],
  );
  addSnapshotSourceOptions(addAnalysisOptions(command, { version: false })).action(
    async (snapshotPath: string | undefined, opts: Record<string, unknown>) => {
      const format = outputFormat(opts.output as string, ['table', 'json'] as const);
      const to = version('--to', opts.to as string)!;
      const from = version('--from', opts.from as string | undefined);
      const snapshot = await snapshotFrom(snapshotPath, opts as SourceOptions);
      warnAboutInput(snapshot);
      const shared: AnalyzeOptions = analysisOptionsFrom(opts);
      // A recipe describes what is about to be installed: its Dynamo version is the target, never
      // the version running now (which comes from --from, else the cluster).
      const { recipe, ...common } = shared;
      const installed: AnalyzeOptions = recipe ? { ...common, recipe: withoutVersion(recipe) } : common;
      const model = buildModel(snapshot);
      let diff: UpgradeDiff = diffAnalyses(
        analyzeWithOptions(model, { ...installed, ...(from ? { dynamoVersion: from } : {}) }),
        analyzeWithOptions(model, { ...shared, dynamoVersion: to }),
      );
      // The analyses were asked for versions; say which flag gave them.
      diff = {
        ...diff,
        from: from ? { ...diff.from, source: '--from' } : diff.from,
        to: { ...diff.to, source: '--to' },
      };
      printReport(format, diff, renderDiff, opts.color);
      setExit(exitCodes[diff.verdict]);
    },
  );
};
