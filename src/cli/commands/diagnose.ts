import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Option } from 'commander';
import {
  AICR_VALIDATION_NAMESPACE,
  newestRun,
  readCtrfDocument,
  type CtrfReport,
} from '../../questions/diagnose/ctrf.ts';
import { diagnose } from '../../questions/diagnose/diagnose.ts';
import { renderDiagnosis } from '../../report/diagnose.ts';
import { buildModel } from '../../model/build.ts';
import type { AicrReportConfigMaps } from '../../live/collect/aicr.ts';
import { formatIssue } from '../../snapshot/types.ts';
import { ExitCode, UsageError } from '../errors.ts';
import { outputFormat, warn, warnAboutInput } from '../inputs.ts';
import { addExitCodesAndExamples, NO_COLOR_HELP } from '../help.ts';
import { addAnalysisOptions, analysisOptionsFrom, analyzeWithOptions } from '../analysis-options.ts';
import {
  addSnapshotSourceOptions,
  snapshotAndAicrReportsFrom,
  type SourceOptions,
} from '../snapshot-source.ts';
import type { RegisterCommand } from '../shared.ts';
import { badInput, printReport, readDocumentFile } from '../shared.ts';

const exitCodes = {
  'causes-found': ExitCode.Fail,
  'unexplained-symptoms': ExitCode.Inconclusive,
  'no-problem-found': ExitCode.Pass,
} as const;

const REPORT_FILE = /\.(json|ya?ml)$/i;

/** One --ctrf value: a file (CTRF, an AICR CTRF ConfigMap, or a List of them) or a directory of such files. */
function readCtrfArgument(value: string): CtrfReport[] {
  let directory: boolean;
  try {
    directory = statSync(value).isDirectory();
  } catch {
    throw new UsageError(`--ctrf ${value}: no such file or directory`);
  }
  if (!directory) {
    const read = readCtrfDocument(readDocumentFile(value), value);
    if (!read.ok) throw badInput(read.issues);
    return read.reports;
  }
  const reports: CtrfReport[] = [];
  for (const name of readdirSync(value).sort()) {
    const file = join(value, name);
    if (!REPORT_FILE.test(name) || !statSync(file).isFile()) continue;
    const read = readCtrfDocument(readDocumentFile(file), file);
    if (read.ok) reports.push(...read.reports);
    else if (read.unrecognized) warn(`ignored ${file}: ${read.issues[0]!.message}`);
    else throw badInput(read.issues);
  }
  if (reports.length === 0)
    throw new UsageError(
      `--ctrf ${value}: no CTRF report and no AICR validator ConfigMap (aicr-ctrf-<runID>-<phase>) in the directory`,
    );
  return reports;
}

/** The reports in AICR's ConfigMaps as the live cluster has them; a malformed one is passed over, said. */
function reportsFromCluster(read: AicrReportConfigMaps, notes: string[]): CtrfReport[] {
  const reports: CtrfReport[] = [];
  for (const cm of read.configMaps) {
    const name = (cm.metadata as { name: string }).name;
    const parsed = readCtrfDocument(cm, `configmap ${read.namespace}/${name}`);
    if (parsed.ok) reports.push(...parsed.reports);
    else {
      const why = `ignored configmap ${read.namespace}/${name}: ${parsed.issues.map(formatIssue).join('; ')}`;
      warn(why);
      notes.push(why);
    }
  }
  if (read.configMaps.length === 0 && read.warnings.length === 0)
    notes.push(
      `no AICR validator report in the cluster: no ConfigMap aicr-ctrf-<runID>-<phase> in namespace ${read.namespace} (aicr validate deletes them after a run unless --no-cleanup; pass its report with --ctrf)`,
    );
  notes.push(...read.warnings);
  return reports;
}

export const registerDiagnose: RegisterCommand = (program, setExit) => {
  const command = program
    .command('diagnose')
    .description(
      'Reads pod states, the messages Kubernetes keeps (termination messages, events), captured logs and AICR validator (CTRF) reports, names the root cause of the symptoms, and links it to the blocked flow, its static verdict and its fix.',
    )
    .argument(
      '[snapshot]',
      `snapshot directory (or use --live, which also captures pod logs and reads AICR's report ConfigMaps in ${AICR_VALIDATION_NAMESPACE})`,
    )
    .option(
      '--ctrf <file|dir>',
      `an AICR validator report: CTRF JSON (aicr validate output), AICR's ConfigMap aicr-ctrf-<runID>-<phase> (kubectl get configmap -n ${AICR_VALIDATION_NAMESPACE} -o yaml|json, alone or a List), or a directory of them; repeatable. With --live, replaces reading them from the cluster`,
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .addOption(
      new Option('-o, --output <format>', 'report format').choices(['table', 'json']).default('table'),
    )
    .option('--no-color', NO_COLOR_HELP);
  addExitCodesAndExamples(
    command,
    [
      [ExitCode.Pass, 'no problem found'],
      [ExitCode.Fail, 'causes found (each with its blocked flow and fix)'],
      [ExitCode.Inconclusive, 'symptoms without a known cause'],
      [ExitCode.MissingPermissions, 'missing permissions: an IAM action or RBAC verb refused (--live)'],
    ],
    [
      'diagnose examples/dgxc-multi-sg --ctrf examples/validator/dgxc-multi-sg.ctrf.json',
      'diagnose --live --cluster dgxc-h100 --region us-west-2',
    ],
  );
  addSnapshotSourceOptions(addAnalysisOptions(command)).action(
    async (snapshotPath: string | undefined, opts: Record<string, unknown>) => {
      const format = outputFormat(opts.output as string, ['table', 'json'] as const);
      const options = analysisOptionsFrom(opts);
      const ctrf = (opts.ctrf as string[] | undefined) ?? [];
      const given = ctrf.flatMap(readCtrfArgument);
      const source = opts as SourceOptions;
      const { snapshot, aicrReports } = await snapshotAndAicrReportsFrom(
        snapshotPath,
        source.live ? { ...source, logs: true, aicrReports: ctrf.length === 0 } : source,
      );
      warnAboutInput(snapshot);
      const notes: string[] = [];
      const all = aicrReports ? [...given, ...reportsFromCluster(aicrReports, notes)] : given;
      const { reports, run, olderRuns } = newestRun(all);
      if (run) {
        const where = [...new Set(reports.flatMap((r) => (r.configMap ? [r.configMap.name] : [])))];
        notes.push(`read AICR validator run ${run}: ${where.join(', ')}`);
      }
      if (olderRuns.length > 0) {
        const older = `only the newest AICR validator run was read: ${olderRuns.length} older run${olderRuns.length === 1 ? '' : 's'} ignored (${olderRuns.join(', ')})`;
        warn(older);
        notes.push(older);
      }
      const model = buildModel(snapshot);
      const analysis = analyzeWithOptions(model, options);
      const result = diagnose({ snapshot, model, analysis, reports, notes });
      if (!result.ok) throw badInput(result.issues);
      printReport(format, result.diagnosis, renderDiagnosis, opts.color);
      setExit(exitCodes[result.diagnosis.verdict]);
    },
  );
};
