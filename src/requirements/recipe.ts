/**
 * Reads an AICR RecipeResult (`aicr recipe … -o recipe.yaml`): the dynamo-platform version and
 * namespaces from `componentRefs`, and whether the ai-service-metrics check runs.
 * Pure: takes the parsed document; the CLI reads the file.
 */
import { z } from 'zod';
import type { InputIssue } from '../snapshot/types.ts';
import { joinPath } from '../snapshot/parse.ts';
import type { RecipeInfo } from './context.ts';

const componentRef = z.looseObject({
  name: z.string(),
  version: z.string().optional(),
  namespace: z.string().optional(),
});

const recipeResult = z.looseObject({
  kind: z.string().optional(),
  metadata: z.looseObject({ name: z.string().optional() }).optional(),
  componentRefs: z.array(componentRef),
});

/** Names of AICR recipes this tool is for: `<accelerator>-eks-<os>-inference-dynamo`. */
export const DYNAMO_RECIPE = /^[a-z0-9]+(-[a-z0-9]+)*-eks-[a-z0-9]+-inference-dynamo$/;

function collectChecks(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    if (/^[a-z0-9]+(-[a-z0-9]+)+$/.test(value)) into.add(value);
    return;
  }
  if (Array.isArray(value)) value.forEach((v) => collectChecks(v, into));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (
        k === 'name' ||
        k === 'checks' ||
        k === 'check' ||
        k === 'id' ||
        Array.isArray(v) ||
        typeof v === 'object'
      )
        collectChecks(v, into);
    }
  }
}

export function parseRecipeResult(
  doc: unknown,
  file: string,
): { ok: true; recipe: RecipeInfo } | { ok: false; issues: InputIssue[] } {
  const parsed = recipeResult.safeParse(doc);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((i) => ({ file, path: joinPath('', i.path), message: i.message })),
    };
  }
  const recipe = parsed.data;
  const dynamo = recipe.componentRefs.find((c) => c.name === 'dynamo-platform');
  const prometheus = recipe.componentRefs.find(
    (c) => c.name === 'kube-prometheus-stack' || c.name === 'prometheus',
  );
  // Validation checks live under a validation/conformance section whose exact nesting varies by release.
  const section =
    (recipe as Record<string, unknown>).validation ??
    (recipe as Record<string, unknown>).checks ??
    (recipe as Record<string, unknown>).conformance;
  let checks: string[] | undefined;
  if (section !== undefined) {
    const found = new Set<string>();
    collectChecks(section, found);
    checks = [...found];
  }
  const name = recipe.metadata?.name ?? file;
  return {
    ok: true,
    recipe: {
      name,
      source: file,
      ...(dynamo?.version ? { dynamoVersion: dynamo.version } : {}),
      ...(dynamo?.namespace ? { dynamoNamespace: dynamo.namespace } : {}),
      ...(prometheus?.namespace ? { prometheusNamespace: prometheus.namespace } : {}),
      ...(checks ? { checks } : {}),
    },
  };
}
