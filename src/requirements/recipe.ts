/**
 * Reads an AICR RecipeResult (`aicr recipe … -o recipe.yaml`, kind RecipeResult): the
 * dynamo-platform version and namespace and the Prometheus namespace from `componentRefs`, and
 * whether `validation.conformance.checks` runs ai-service-metrics. Shape as in NVIDIA/aicr
 * pkg/recipe/metadata.go and validation.go; any apiVersion is read (AICR has written
 * aicr.nvidia.com/v1alpha1, aicr.run/v1alpha2|v1alpha3, and since v0.22 aicr.run/v1 or, for
 * profile-bearing recipes, aicr.run/v1beta2: pkg/header/header.go). A recipe that is not for EKS or
 * deploys no dynamo-platform is read, with a warning. Pure: takes the parsed document; the CLI
 * reads the file.
 */
import { z } from 'zod';
import type { InputIssue } from '../snapshot/types.ts';
import { joinPath } from '../snapshot/parse.ts';
import type { RecipeInfo } from './context.ts';

const phase = z.looseObject({ checks: z.array(z.string()).nullish() });

const recipeResult = z.looseObject({
  kind: z.literal('RecipeResult'),
  metadata: z.looseObject({ appliedOverlays: z.array(z.string()).nullish() }).nullish(),
  criteria: z
    .looseObject({
      service: z.string().optional(),
      accelerator: z.string().optional(),
      intent: z.string().optional(),
      os: z.string().optional(),
      platform: z.string().optional(),
    })
    .nullish(),
  componentRefs: z.array(
    z.looseObject({ name: z.string(), version: z.string().optional(), namespace: z.string().optional() }),
  ),
  validation: z.record(z.string(), phase.nullish()).nullish(),
});

/** Names of AICR recipes this tool is for: `<accelerator>-eks-<os>-inference-dynamo`. */
export const DYNAMO_RECIPE = /^[a-z0-9]+(-[a-z0-9]+)*-eks-[a-z0-9]+-inference-dynamo$/;

export function parseRecipeResult(
  doc: unknown,
  file: string,
): { ok: true; recipe: RecipeInfo; warnings: string[] } | { ok: false; issues: InputIssue[] } {
  const parsed = recipeResult.safeParse(doc);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((i) => ({ file, path: joinPath('', i.path), message: i.message })),
    };
  }
  const recipe = parsed.data;
  const dynamo = recipe.componentRefs.find((c) => c.name === 'dynamo-platform');
  const prometheus = recipe.componentRefs.find((c) => c.name === 'kube-prometheus-stack');
  const overlays = recipe.metadata?.appliedOverlays ?? [];
  const c = recipe.criteria;
  // The most specific overlay is the recipe's name; else compose it from the criteria.
  const name =
    [...overlays].reverse().find((o) => DYNAMO_RECIPE.test(o)) ??
    overlays[overlays.length - 1] ??
    [c?.accelerator, c?.service, c?.os, c?.intent, c?.platform].filter(Boolean).join('-');
  const checks = recipe.validation
    ? Object.values(recipe.validation).flatMap((p) => p?.checks ?? [])
    : undefined;
  const warnings: string[] = [];
  const label = `recipe ${name || file}`;
  if (c?.service !== 'eks')
    warnings.push(
      `${label} is not an EKS recipe (criteria.service ${c?.service ? `is ${c.service}` : 'is not set'}): the analysis assumes EKS security groups, NACLs and the VPC CNI, and may not apply`,
    );
  if (!dynamo)
    warnings.push(
      `${label} has no dynamo-platform component: it deploys no Dynamo, so neither the Dynamo version nor its namespace comes from it`,
    );
  return {
    ok: true,
    warnings,
    recipe: {
      name: name || file,
      source: file,
      ...(dynamo?.version ? { dynamoVersion: dynamo.version } : {}),
      ...(dynamo?.namespace ? { dynamoNamespace: dynamo.namespace } : {}),
      ...(prometheus?.namespace ? { prometheusNamespace: prometheus.namespace } : {}),
      ...(checks ? { checks } : {}),
      components: recipe.componentRefs.map((ref) => ref.name),
      componentNamespaces: Object.fromEntries(
        recipe.componentRefs.flatMap((ref) => (ref.namespace ? [[ref.name, ref.namespace]] : [])),
      ),
      ...(dynamo && isRecord(dynamo.overrides) ? { dynamoValues: dynamo.overrides } : {}),
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
