import { Option } from 'commander';
import { parseCtrf, type CtrfReport } from '../../questions/diagnose/ctrf.ts';
import { diagnose } from '../../questions/diagnose/diagnose.ts';
import { renderDiagnosis } from '../../report/diagnose.ts';
import { buildModel } from '../../model/build.ts';
import { ExitCode } from '../errors.ts';
import { outputFormat, warnAboutInput } from '../inputs.ts';
import { addAnalysisOptions, analysisOptionsFrom, analyzeWithOptions } from '../analysis-options.ts';
import { addSnapshotSourceOptions, snapshotFrom, type SourceOptions } from '../snapshot-source.ts';
import type { RegisterCommand } from '../shared.ts';
import { badInput, printReport, readDocumentFile } from '../shared.ts';

const exitCodes = {
  'causes-found': ExitCode.Fail,
  'unexplained-symptoms': ExitCode.Inconclusive,
  'no-problem-found': ExitCode.Pass,
} as const;

export const registerDiagnose: RegisterCommand = (program, setExit) => {
  const command = program
    .command('diagnose')
    .description(
      'Reads pod states, events, captured logs and AICR validator (CTRF) reports, names the root cause of the symptoms, and links it to the blocked flow, its static verdict and its fix. Exit 0 when no problem is found, 1 when causes are found, 3 when symptoms have no known cause.',
    )
    .argument('[snapshot]', 'snapshot directory (or use --live, which also captures pod logs)')
    .option(
      '--ctrf <file>',
      'an AICR validator report in CTRF JSON (aicr validate output); repeatable',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .addOption(
      new Option('-o, --output <format>', 'report format').choices(['table', 'json']).default('table'),
    )
    .option('--no-color', 'plain text even on a terminal');
  addSnapshotSourceOptions(addAnalysisOptions(command)).action(
    async (snapshotPath: string | undefined, opts: Record<string, unknown>) => {
      const format = outputFormat(opts.output as string, ['table', 'json'] as const);
      const options = analysisOptionsFrom(opts);
      const reports: CtrfReport[] = [];
      for (const file of (opts.ctrf as string[] | undefined) ?? []) {
        const parsed = parseCtrf(readDocumentFile(file), file);
        if (!parsed.ok) throw badInput(parsed.issues);
        reports.push(parsed.report);
      }
      const source = opts as SourceOptions;
      const snapshot = await snapshotFrom(snapshotPath, source.live ? { ...source, logs: true } : source);
      warnAboutInput(snapshot);
      const model = buildModel(snapshot);
      const analysis = analyzeWithOptions(model, options);
      const result = diagnose({ snapshot, model, analysis, reports });
      if (!result.ok) throw badInput(result.issues);
      printReport(format, result.diagnosis, renderDiagnosis, opts.color);
      setExit(exitCodes[result.diagnosis.verdict]);
    },
  );
};
