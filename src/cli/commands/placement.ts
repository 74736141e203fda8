import { Command, Option } from 'commander';
import { analyzeModel } from '../../questions/analyze.ts';
import { buildModel } from '../../model/build.ts';
import { clusterFacts, schedulingCluster } from '../../placement/cluster.ts';
import { ORCHESTRATOR_PROFILE, profiles, profileSpec } from '../../placement/profiles.ts';
import { renderPlacement } from '../../report/placement.ts';
import { placementReport, type PlacementReport } from '../../questions/placement.ts';
import { schedule } from '../../placement/scheduler.ts';
import { schedulingSpecFromDocument } from '../../placement/spec.ts';
import type { SchedulingSpec } from '../../placement/types.ts';
import { ExitCode, UsageError } from '../errors.ts';
import { outputFormat, warnAboutInput } from '../inputs.ts';
import { addSnapshotSourceOptions, snapshotFrom, type SourceOptions } from '../snapshot-source.ts';
import { addExitCodesAndExamples, NO_COLOR_HELP } from '../help.ts';
import { badInput, printReport, readDocumentFile, type RegisterCommand } from '../shared.ts';

export const registerPlacement: RegisterCommand = (program, setExit) => {
  const command = program
    .command('placement')
    .description(
      'Which nodes a pod can land on (kube-scheduler filters: taints, cordon, readiness, nodeSelector, node and pod (anti-)affinity, resource fit), which it prefers, and the source classes (node group × pod security groups) that implies — for the AICR conformance orchestrator (the default), whether each reaches Prometheus.',
    )
    .argument('[snapshot]', 'snapshot directory (or use --live)')
    .option(
      '--pod-spec <file>',
      'a Pod, or a workload with a pod template (Deployment, Job, …), as YAML or JSON',
    )
    .addOption(
      new Option('--profile <name>', `a built-in pod spec (default when --pod-spec is not given)`).choices(
        Object.keys(profiles),
      ),
    )
    .addOption(
      new Option('-o, --output <format>', 'report format').choices(['table', 'json']).default('table'),
    )
    .option(
      '--strict',
      'also exit 1 when a source class the pod can land in is blocked from Prometheus (3 when one is unknown): the verdict ai-service-metrics will meet',
    )
    .option('--no-color', NO_COLOR_HELP);
  // `--profile` names the pod profile here (as the issue specifies), so the AWS profile is `--aws-profile`.
  for (const option of addSnapshotSourceOptions(new Command()).options) {
    if (option.long !== '--profile') command.addOption(option);
  }
  command.option('--aws-profile <profile>', 'AWS profile (with --live)');
  addExitCodesAndExamples(
    command,
    [
      [
        ExitCode.Pass,
        'the pod fits on some node (--strict: and every source class it implies reaches Prometheus)',
      ],
      [
        ExitCode.Fail,
        'it fits on no node (--strict: or a source class it can land in is blocked from Prometheus)',
      ],
      [ExitCode.Inconclusive, '--strict: it fits and nothing is blocked, but a source class is unknown'],
      [ExitCode.MissingPermissions, 'missing permissions: an IAM action or RBAC verb refused (--live)'],
    ],
    [
      'placement examples/dgxc-multi-sg --strict',
      'placement --live --cluster dgxc-h100 --pod-spec job.yaml -o json',
    ],
  );
  command.action(async (snapshotPath: string | undefined, opts: Record<string, unknown>) => {
    const format = outputFormat(opts.output as string, ['table', 'json'] as const);
    if (opts.podSpec && opts.profile) throw new UsageError('give either --pod-spec or --profile, not both');
    let spec: SchedulingSpec;
    let source: string;
    const profile = (opts.profile as string | undefined) ?? (opts.podSpec ? undefined : ORCHESTRATOR_PROFILE);
    if (opts.strict === true && profile !== ORCHESTRATOR_PROFILE)
      throw new UsageError(
        `--strict checks the source classes against Prometheus, which only the ${ORCHESTRATOR_PROFILE} profile (the default) needs`,
      );
    if (profile) {
      spec = profileSpec(profile);
      source = `profile ${profile} (${profiles[profile]!.description})`;
    } else {
      const file = opts.podSpec as string;
      const parsed = schedulingSpecFromDocument(readDocumentFile(file), file);
      if (!parsed.ok) throw badInput(parsed.issues);
      spec = parsed.spec;
      source = file;
    }
    const { profile: _podProfile, awsProfile, ...rest } = opts;
    if (awsProfile !== undefined && !rest.live) throw new UsageError('--aws-profile needs --live');
    const snapshot = await snapshotFrom(snapshotPath, {
      ...(rest as SourceOptions),
      ...(awsProfile ? { profile: awsProfile as string } : {}),
    });
    warnAboutInput(snapshot);
    const model = buildModel(snapshot);
    const { cluster, issues } = schedulingCluster(model, clusterFacts(snapshot));
    if (issues.length > 0) throw badInput(issues);
    const decision = schedule(cluster, spec);
    // The orchestrator's flow is 9090 to Prometheus: put its static verdict beside each source class.
    const analysis = profile === ORCHESTRATOR_PROFILE ? analyzeModel(model) : undefined;
    // Resources free up between runs: the security groups to open come from the fit-free schedule.
    const ignoringResources = analysis ? schedule(schedulingCluster(model).cluster, spec) : undefined;
    const report = placementReport(model, spec, decision, {
      source,
      ...(analysis ? { analysis } : {}),
      ...(ignoringResources ? { ignoringResources } : {}),
    });
    printReport(format, report, renderPlacement, opts.color);
    setExit(placementExit(report, opts.strict === true));
  });
};

/**
 * Where the pod can land decides; with --strict, so does whether every source class it implies
 * reaches Prometheus (the orchestrator's flow): blocked → 1, else unknown → 3.
 */
export function placementExit(report: PlacementReport, strict: boolean): number {
  if (report.verdict !== 'schedulable') return ExitCode.Fail;
  if (!strict) return ExitCode.Pass;
  const statuses = (report.mustReachPrometheus ?? []).map((sgSet) => sgSet.status);
  if (statuses.includes('blocked')) return ExitCode.Fail;
  if (statuses.some((status) => status !== 'allowed')) return ExitCode.Inconclusive;
  return ExitCode.Pass;
}
