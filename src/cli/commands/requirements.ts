import { Option } from 'commander';
import { buildModel } from '../../model/build.ts';
import { podSecurityGroupsEvidence } from '../../model/kubelet.ts';
import { buildRequirementContext } from '../../requirements/context.ts';
import { resolveRequirements } from '../../requirements/resolve.ts';
import { renderRequirements } from '../../report/requirements.ts';
import { ExitCode } from '../errors.ts';
import { checkVersion, DEFAULT_MAX_FILE_SIZE_TEXT, readRecipe, readSnapshot, warn } from '../inputs.ts';
import { MAX_FILE_SIZE_FLAGS, MAX_FILE_SIZE_HELP } from '../snapshot-source.ts';
import { addExitCodesAndExamples, NO_COLOR_HELP, QUIET_HELP } from '../help.ts';
import type { RegisterCommand } from '../shared.ts';

export const registerRequirements: RegisterCommand = (program, setExit) => {
  const command = program
    .command('requirements')
    .description(
      'Print the network flows Dynamo needs for a recipe and Dynamo version, with why and the symptom when missing.',
    )
    .argument('[snapshot]', 'optional snapshot directory: reads the version and DYN_* settings from its pods')
    .option('--recipe <name|file>', 'AICR recipe name, or a RecipeResult file (aicr recipe … -o recipe.yaml)')
    .option(
      '--dynamo-version <version>',
      'Dynamo version (default: from the recipe or snapshot, else the newest known)',
    )
    .option(
      '--no-conformance',
      'leave out the AICR conformance checks’ flows (ai-service-metrics, accelerator-metrics)',
    )
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .option(MAX_FILE_SIZE_FLAGS, MAX_FILE_SIZE_HELP, DEFAULT_MAX_FILE_SIZE_TEXT)
    .option('--no-color', NO_COLOR_HELP)
    .option('--quiet', QUIET_HELP);
  addExitCodesAndExamples(
    command,
    [[ExitCode.Pass, 'the requirements were printed']],
    [
      'requirements --dynamo-version 1.4.0',
      'requirements --recipe examples/recipes/h100-eks-ubuntu-inference-dynamo.yaml -o json',
    ],
  );
  command.action(async (snapshotPath: string | undefined, opts: Record<string, unknown>) => {
    const dynamoVersion = checkVersion(opts.dynamoVersion as string | undefined);
    const recipe = opts.recipe ? readRecipe(opts.recipe as string, warn) : undefined;
    const model = snapshotPath
      ? buildModel(await readSnapshot(snapshotPath, { maxFileSize: opts.maxFileSize as string }))
      : undefined;
    const { context, notes } = buildRequirementContext(model?.pods ?? [], {
      ...(model
        ? {
            declared: model.dynamoComponents,
            controlPlane: model,
            podSecurityGroups: podSecurityGroupsEvidence(model),
          }
        : {}),
      ...(dynamoVersion ? { dynamoVersion } : {}),
      ...(recipe ? { recipe } : {}),
      ...(opts.conformance === false ? { conformance: false } : {}),
    });
    for (const note of notes) warn(note);
    const set = resolveRequirements(context);
    process.stdout.write(
      opts.output === 'json' ? `${JSON.stringify(set, null, 2)}\n` : renderRequirements(set, recipe?.name),
    );
    setExit(ExitCode.Pass);
  });
};
