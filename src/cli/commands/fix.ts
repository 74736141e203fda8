import { existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Option, type Command } from 'commander';
import type { AnalyzeOptions } from '../../questions/analyze.ts';
import type { AnalysisResult } from '../../questions/analyze.ts';
import { buildModel } from '../../model/build.ts';
import { applyFix } from '../../questions/fix/apply.ts';
import { planText, summaryJson, summaryText } from '../../report/apply.ts';
import { revokeScript, type RevokeTarget } from '../../report/fix/revoke.ts';
import { applyRemediation } from '../../remediate/what-if.ts';
import { emitters, fixFormats, type FixFormat } from '../../report/fix/index.ts';
import { count, fixPlan, type FixPlan } from '../../questions/fix/plan.ts';
import { CollectError } from '../../live/errors.ts';
import type { Snapshot } from '../../snapshot/types.ts';
import { addAnalysisOptions, analysisOptionsFrom, analyzeWithOptions } from '../analysis-options.ts';
import { collectionFailure, ExitCode, UsageError } from '../errors.ts';
import { outputFormat, warn, warnAboutInput } from '../inputs.ts';
import { addSnapshotSourceOptions, snapshotFrom, type SourceOptions } from '../snapshot-source.ts';
import { addExitCodesAndExamples, NO_COLOR_HELP } from '../help.ts';
import type { RegisterCommand } from '../shared.ts';

function analyze(snapshot: Snapshot, options: AnalyzeOptions): AnalysisResult {
  warnAboutInput(snapshot);
  return analyzeWithOptions(buildModel(snapshot), options);
}

function checkApplyFlags(command: Command, opts: Record<string, unknown>): void {
  if (!opts.apply) {
    for (const flag of ['yes', 'revokeScript'] as const) {
      if (opts[flag] !== undefined)
        throw new UsageError(`--${flag === 'yes' ? 'yes' : 'revoke-script'} only goes with --apply`);
    }
    return;
  }
  const output = opts.output as string;
  if (command.getOptionValueSource('output') === 'cli' && output !== 'json' && output !== 'aws-cli')
    throw new UsageError(
      `--apply reports what it did as text, or as JSON with -o json; -o ${output} is for writing the fix`,
    );
  if (!opts.live && !opts.region && !opts.profile)
    throw new UsageError(
      '--apply changes an AWS account: use --live, or name the account of the snapshot with --region and/or --profile',
    );
  if (!opts.yes && !process.stdin.isTTY)
    throw new UsageError('--apply asks before changing anything; without a terminal to ask on, pass --yes');
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^\s*y(es)?\s*$/i.test(await rl.question(question));
  } finally {
    rl.close();
  }
}

/** Writes the revoke script, creating it only if it does not exist yet. */
function writeRevoke(path: string, text: string, create: boolean): void {
  try {
    writeFileSync(path, text, { mode: 0o755, flag: create ? 'wx' : 'w' });
  } catch (err) {
    throw new UsageError(
      `--revoke-script ${path}: cannot write it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
}

interface ApplyContext {
  readonly opts: Record<string, unknown>;
  readonly source: SourceOptions;
  readonly snapshot: Snapshot;
  readonly analysisOptions: AnalyzeOptions;
  readonly before: AnalysisResult;
  readonly plan: FixPlan;
}

async function runApply(context: ApplyContext): Promise<number> {
  const { opts, source, plan, before } = context;
  const target: RevokeTarget = {
    ...(source.region ? { region: source.region } : {}),
    ...(source.profile ? { profile: source.profile } : {}),
    when: new Date().toISOString(),
  };
  const revokePath = resolve(
    (opts.revokeScript as string | undefined) ??
      `dynamo-netcheck-revoke-${target.when.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.sh`,
  );
  // Loaded only when needed: the SDK takes a while to import and offline `fix` never needs it.
  const ec2Edge = async () => {
    const { makeAwsClients } = await import('../../live/collect/aws.ts');
    const edge = await import('../../live/ec2-apply.ts');
    return { ec2: makeAwsClients(target).ec2, ...edge };
  };
  let edge: Awaited<ReturnType<typeof ec2Edge>> | undefined;
  const outcome = await applyFix(plan, opts.yes === true, {
    showPlan: (items, refused) => process.stderr.write(planText(plan, items, refused)),
    confirm: (items) => {
      const where = plan.cluster.accountId ? `account ${plan.cluster.accountId}` : 'the account';
      return confirm(`Add ${count(items.length, 'item')} to ${where}? [y/N] `);
    },
    checkPermissions: async (items) => {
      edge = await ec2Edge();
      try {
        return await edge.checkPermissions(edge.ec2, items);
      } catch (err) {
        if (err instanceof CollectError) throw collectionFailure(err);
        throw err;
      }
    },
    writeRevoke: (done, first) => {
      if (first && existsSync(revokePath))
        throw new UsageError(`--revoke-script ${revokePath}: exists already; name a new file`);
      writeRevoke(revokePath, revokeScript(plan, done, target), first);
    },
    removeRevoke: () => unlinkSync(revokePath),
    applyItems: (items, onResult) => edge!.applyItems(edge!.ec2, items, onResult),
    // The verdict with the rules in: re-collected when live, else the snapshot with them added.
    analyzeAfter: async (rules, nacl) =>
      source.live
        ? analyze(await snapshotFrom(undefined, source), context.analysisOptions)
        : analyze(applyRemediation(context.snapshot, rules, nacl), context.analysisOptions),
  });
  const print = (summary: Parameters<typeof summaryText>[1]): void => {
    process.stdout.write(opts.output === 'json' ? summaryJson(summary) : summaryText(plan, summary));
  };
  switch (outcome.kind) {
    case 'nothing-to-do':
      print({ results: [], refused: outcome.refused, before });
      return outcome.refused.length > 0 ? ExitCode.Fail : ExitCode.Pass;
    case 'declined':
      process.stderr.write('dynamo-netcheck: nothing changed\n');
      return ExitCode.Fail;
    case 'denied': {
      const actions = [...new Set(outcome.denials.flatMap((d) => d.actions))];
      process.stderr.write(
        `dynamo-netcheck: missing permissions — nothing was changed. The dry run was denied for:\n${outcome.denials.map((d) => `  ${d.message}\n`).join('')}` +
          `Grant the caller ${actions.join(', ')} (on the security groups / network ACLs above; the whole --apply policy is docs/iam-policy-apply.json) and run again.\n`,
      );
      return ExitCode.MissingPermissions;
    }
    case 'applied':
      print({
        results: outcome.results,
        refused: outcome.refused,
        before,
        after: outcome.after,
        ...(outcome.added ? { revokeScript: revokePath } : {}),
      });
      return outcome.failed ? ExitCode.Fail : ExitCode.Pass;
  }
}

export const registerFix: RegisterCommand = (program, setExit) => {
  const command = program
    .command('fix')
    .description(
      'Writes the narrowest fix for every blocked flow as code (aws-cli script, Terraform, CloudFormation, Kubernetes NetworkPolicies or JSON), or with --apply adds its rules through the EC2 API: it asks first, dry-runs every call, only ever adds, and writes a revoke script. README "Fixing" has the details.',
    )
    .argument('[snapshot]', 'snapshot directory (or use --live)')
    .addOption(
      new Option('-o, --output <format>', 'what to write (with --apply: json prints the report as JSON)')
        .choices(fixFormats)
        .default('aws-cli'),
    );
  addAnalysisOptions(command)
    .option(
      '--apply',
      'add the rules to the AWS account (with --live, or with a snapshot and --region/--profile naming its account)',
    )
    .option('--yes', 'with --apply: do not ask for confirmation (needed without a terminal)')
    .option(
      '--revoke-script <file>',
      'with --apply: where to write the script that undoes this run (default: ./dynamo-netcheck-revoke-<UTC time>.sh)',
    )
    .option('--no-color', NO_COLOR_HELP);
  addSnapshotSourceOptions(command);
  addExitCodesAndExamples(
    command,
    [
      [ExitCode.Pass, 'the fix was written, or (--apply) every rule applied or already present'],
      [ExitCode.Fail, '--apply: a rule failed or was refused, or you declined'],
      [
        ExitCode.MissingPermissions,
        "missing permissions: --apply's dry run or --live collection was refused; nothing changed",
      ],
    ],
    ['fix examples/dgxc-multi-sg -o terraform', 'fix --live --cluster dgxc-h100 --region us-west-2 --apply'],
  );
  // Here --region and --profile also name the account --apply changes when the data is a snapshot.
  for (const option of command.options) {
    if (option.long === '--region')
      option.description =
        'AWS region (with --live, or the account --apply changes; default: the standard AWS chain)';
    if (option.long === '--profile')
      option.description = 'AWS profile (with --live, or the account --apply changes)';
  }
  command.action(async (snapshotPath: string | undefined, opts: Record<string, unknown>) => {
    const format = outputFormat<FixFormat>(opts.output as string, fixFormats);
    checkApplyFlags(command, opts);
    const analysisOptions = analysisOptionsFrom(opts);
    const source = opts as SourceOptions;
    // With --apply, --region/--profile name the account to change even when the data is a snapshot.
    const snapshot = await snapshotFrom(
      snapshotPath,
      opts.apply && !source.live ? { ...source, region: undefined, profile: undefined } : source,
    );
    const before = analyze(snapshot, analysisOptions);
    const plan = fixPlan(before);
    for (const flow of plan.notFixed)
      warn(`no fix here for ${flow.id} (${flow.reason}); see \`dynamo-netcheck analyze\``);
    if (!opts.apply) {
      process.stdout.write(emitters[format](plan));
      setExit(ExitCode.Pass);
      return;
    }
    setExit(await runApply({ opts, source, snapshot, analysisOptions, before, plan }));
  });
};
