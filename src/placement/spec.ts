/**
 * The scheduling-relevant part of a pod spec — tolerations, nodeSelector, affinity, resource
 * requests — validated as the API server would and turned into internal form. Problems become
 * InputIssues naming the file and the path inside it; nothing here throws.
 */
import { z } from 'zod';
import { joinPath } from '../snapshot/parse.ts';
import type { InputIssue, Origin } from '../snapshot/types.ts';
import { resourceAmount } from './quantity.ts';
import type {
  LabelSelector,
  NodeSelectorTerm,
  PodAffinityRules,
  PodAffinityTerm,
  Resources,
  SchedulingSpec,
  SelectorRequirement,
} from './types.ts';

const stringMap = z.record(z.string(), z.string());

/** kube's ValidateNodeSelectorRequirement / label-selector rules on `values`. */
function checkValues(
  r: { operator: string; values?: string[] | null | undefined },
  ctx: z.RefinementCtx,
): void {
  const values = r.values ?? [];
  const problem = (message: string): void => ctx.addIssue({ code: 'custom', path: ['values'], message });
  if ((r.operator === 'In' || r.operator === 'NotIn') && values.length === 0)
    problem(`operator ${r.operator} needs at least one value`);
  if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && values.length > 0)
    problem(`operator ${r.operator} takes no values`);
  if ((r.operator === 'Gt' || r.operator === 'Lt') && (values.length !== 1 || !/^-?\d+$/.test(values[0]!)))
    problem(`operator ${r.operator} needs exactly one integer value`);
}

const requirement = (operators: [string, ...string[]]) =>
  z
    .looseObject({
      key: z.string().min(1),
      operator: z.enum(operators),
      values: z.array(z.string()).nullish(),
    })
    .superRefine(checkValues);

const nodeSelectorTerm = z.looseObject({
  matchExpressions: z.array(requirement(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'])).nullish(),
  matchFields: z
    .array(
      requirement(['In', 'NotIn']).refine((r) => r.key === 'metadata.name', {
        message: 'the only supported field is metadata.name',
        path: ['key'],
      }),
    )
    .nullish(),
});

const labelSelector = z.looseObject({
  matchLabels: stringMap.nullish(),
  matchExpressions: z.array(requirement(['In', 'NotIn', 'Exists', 'DoesNotExist'])).nullish(),
});

const podAffinityTerm = z.looseObject({
  labelSelector: labelSelector.nullish(),
  namespaces: z.array(z.string()).nullish(),
  namespaceSelector: labelSelector.nullish(),
  topologyKey: z.string().min(1, 'topologyKey is required'),
});

const weight = z.number().int().min(1).max(100);

const podAffinityRules = z.looseObject({
  requiredDuringSchedulingIgnoredDuringExecution: z.array(podAffinityTerm).nullish(),
  preferredDuringSchedulingIgnoredDuringExecution: z
    .array(z.looseObject({ weight, podAffinityTerm }))
    .nullish(),
});

const toleration = z
  .looseObject({
    key: z.string().optional(),
    operator: z.enum(['Exists', 'Equal', '']).optional(),
    value: z.string().optional(),
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute', '']).optional(),
    tolerationSeconds: z.number().int().nullish(),
  })
  .superRefine((t, ctx) => {
    if (t.operator === 'Exists' && t.value)
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: 'value must be empty when operator is Exists',
      });
    if (!t.key && t.operator !== 'Exists')
      ctx.addIssue({
        code: 'custom',
        path: ['operator'],
        message: 'operator must be Exists when key is empty',
      });
  });

const schedulingFields = z.looseObject({
  nodeName: z.string().optional(),
  nodeSelector: stringMap.nullish(),
  tolerations: z.array(toleration).nullish(),
  affinity: z
    .looseObject({
      nodeAffinity: z
        .looseObject({
          requiredDuringSchedulingIgnoredDuringExecution: z
            .looseObject({ nodeSelectorTerms: z.array(nodeSelectorTerm).min(1) })
            .nullish(),
          preferredDuringSchedulingIgnoredDuringExecution: z
            .array(z.looseObject({ weight, preference: nodeSelectorTerm }))
            .nullish(),
        })
        .nullish(),
      podAffinity: podAffinityRules.nullish(),
      podAntiAffinity: podAffinityRules.nullish(),
    })
    .nullish(),
});

type RawRequirement = { key: string; operator: string; values?: string[] | null };
type RawSelector = z.infer<typeof labelSelector>;
type RawTerm = z.infer<typeof podAffinityTerm>;
type RawRules = z.infer<typeof podAffinityRules>;

const requirements = (list: readonly RawRequirement[] | null | undefined): SelectorRequirement[] =>
  (list ?? []).map((r) => ({ key: r.key, operator: r.operator, values: r.values ?? [] }));

const selector = (s: RawSelector): LabelSelector => ({
  matchLabels: s.matchLabels ?? {},
  matchExpressions: requirements(s.matchExpressions),
});

const term = (t: RawTerm): PodAffinityTerm => ({
  ...(t.labelSelector ? { labelSelector: selector(t.labelSelector) } : {}),
  namespaces: t.namespaces ?? [],
  ...(t.namespaceSelector ? { namespaceSelector: selector(t.namespaceSelector) } : {}),
  topologyKey: t.topologyKey,
});

const nodeTerm = (t: z.infer<typeof nodeSelectorTerm>): NodeSelectorTerm => ({
  matchExpressions: requirements(t.matchExpressions),
  matchFields: requirements(t.matchFields),
});

const NO_RULES: PodAffinityRules = { required: [], preferred: [] };

const rules = (r: RawRules | null | undefined): PodAffinityRules =>
  r
    ? {
        required: (r.requiredDuringSchedulingIgnoredDuringExecution ?? []).map(term),
        preferred: (r.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({
          weight: w.weight,
          term: term(w.podAffinityTerm),
        })),
      }
    : NO_RULES;

function issuesOf(error: z.ZodError, file: string, base: string): InputIssue[] {
  return error.issues.map((i) => ({ file, path: joinPath(base, i.path), message: i.message }));
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A container's effective requests: the API server defaults a missing request to its limit.
 * Read by hand rather than with zod: it runs for every pod of a 10k-node cluster.
 */
function containerRequests(
  container: unknown,
  path: string,
  origin: Origin,
  issues: InputIssue[],
): Record<string, number> {
  const out: Record<string, number> = {};
  if (!isRecord(container) || container.resources === undefined || container.resources === null) return out;
  const resources = container.resources;
  if (!isRecord(resources)) {
    issues.push({ file: origin.file, path: `${path}.resources`, message: 'expected object' });
    return out;
  }
  for (const kind of ['limits', 'requests'] as const) {
    const list = resources[kind];
    if (list === undefined || list === null) continue;
    if (!isRecord(list)) {
      issues.push({ file: origin.file, path: `${path}.resources.${kind}`, message: 'expected object' });
      continue;
    }
    for (const [name, value] of Object.entries(list)) {
      const amount =
        typeof value === 'string' || typeof value === 'number' ? resourceAmount(name, value) : undefined;
      if (amount === undefined) {
        issues.push({
          file: origin.file,
          path: joinPath(`${path}.resources.${kind}`, [name]),
          message: `not a Kubernetes quantity: ${JSON.stringify(value)}`,
        });
      } else out[name] = amount;
    }
  }
  return out;
}

function add(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}
function max(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [k, v] of Object.entries(from)) into[k] = Math.max(into[k] ?? 0, v);
}

/**
 * What a pod requests, as kube-scheduler computes it (`resource.PodRequests`): the sum of its
 * containers and restartable (sidecar) init containers, or the largest init step if bigger, plus
 * the RuntimeClass overhead.
 */
export function podRequests(
  spec: unknown,
  specPath: string,
  origin: Origin,
  issues: InputIssue[],
): Resources {
  if (!isRecord(spec)) return {};
  const total: Record<string, number> = {};
  const containers = Array.isArray(spec.containers) ? spec.containers : [];
  containers.forEach((c, i) =>
    add(total, containerRequests(c, `${specPath}.containers[${i}]`, origin, issues)),
  );
  const initMax: Record<string, number> = {};
  const sidecars: Record<string, number> = {};
  const inits = Array.isArray(spec.initContainers) ? spec.initContainers : [];
  inits.forEach((c, i) => {
    const own = containerRequests(c, `${specPath}.initContainers[${i}]`, origin, issues);
    if (isRecord(c) && c.restartPolicy === 'Always') {
      add(total, own);
      add(sidecars, own);
      max(initMax, sidecars);
    } else {
      const step = { ...sidecars };
      add(step, own);
      max(initMax, step);
    }
  });
  max(total, initMax);
  if (isRecord(spec.overhead)) {
    const overhead = containerRequests(
      { resources: { requests: spec.overhead } },
      `${specPath}.overhead`,
      origin,
      issues,
    );
    add(total, overhead);
  }
  return total;
}

const interPodAffinity = z.looseObject({
  podAffinity: podAffinityRules.nullish(),
  podAntiAffinity: podAffinityRules.nullish(),
});

export interface InterPodRules {
  readonly podAffinity: PodAffinityRules;
  readonly podAntiAffinity: PodAffinityRules;
}

const NO_INTER_POD_RULES: InterPodRules = { podAffinity: NO_RULES, podAntiAffinity: NO_RULES };

/** A bound pod's inter-pod (anti-)affinity: what it imposes on pods scheduled after it. */
export function boundPodAffinity(spec: unknown, origin: Origin, issues: InputIssue[]): InterPodRules {
  const affinity = isRecord(spec) ? spec.affinity : undefined;
  if (!isRecord(affinity) || (!affinity.podAffinity && !affinity.podAntiAffinity)) return NO_INTER_POD_RULES;
  const parsed = interPodAffinity.safeParse(affinity);
  if (!parsed.success) {
    issues.push(...issuesOf(parsed.error, origin.file, joinPath(origin.path, ['spec', 'affinity'])));
    return NO_INTER_POD_RULES;
  }
  return { podAffinity: rules(parsed.data.podAffinity), podAntiAffinity: rules(parsed.data.podAntiAffinity) };
}

export interface PodIdentity {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The full scheduling spec of the pod being placed. `specPath` is where `spec` sits in its file. */
export function schedulingSpec(
  identity: PodIdentity,
  spec: unknown,
  specPath: string,
  origin: Origin,
): { ok: true; spec: SchedulingSpec } | { ok: false; issues: InputIssue[] } {
  const issues: InputIssue[] = [];
  const parsed = schedulingFields.safeParse(spec);
  if (!parsed.success) return { ok: false, issues: issuesOf(parsed.error, origin.file, specPath) };
  const containers = isRecord(spec) ? spec.containers : undefined;
  if (!Array.isArray(containers) || containers.length === 0)
    issues.push({
      file: origin.file,
      path: `${specPath}.containers`,
      message: 'a pod needs at least one container',
    });
  const requests = podRequests(spec, specPath, origin, issues);
  if (issues.length > 0) return { ok: false, issues };
  const { nodeName, nodeSelector, tolerations, affinity } = parsed.data;
  const nodeAffinity = affinity?.nodeAffinity;
  const required = nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return {
    ok: true,
    spec: {
      ...identity,
      ...(nodeName ? { nodeName } : {}),
      nodeSelector: nodeSelector ?? {},
      tolerations: (tolerations ?? []).map((t) => ({
        ...(t.key ? { key: t.key } : {}),
        ...(t.operator ? { operator: t.operator } : {}),
        ...(t.value ? { value: t.value } : {}),
        ...(t.effect ? { effect: t.effect } : {}),
      })),
      ...(required ? { requiredNodeTerms: required.nodeSelectorTerms.map(nodeTerm) } : {}),
      preferredNodeTerms: (nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((p) => ({
        weight: p.weight,
        term: nodeTerm(p.preference),
      })),
      podAffinity: rules(affinity?.podAffinity),
      podAntiAffinity: rules(affinity?.podAntiAffinity),
      requests,
      origin,
    },
  };
}

/** Where the pod template sits in each kind a user may hand to `--pod-spec`. */
const templatePaths: Record<string, string[]> = {
  Pod: [],
  PodTemplate: ['template'],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/** A Pod, or the pod template of a workload, read from a user's YAML/JSON document. */
export function schedulingSpecFromDocument(
  doc: unknown,
  file: string,
): { ok: true; spec: SchedulingSpec } | { ok: false; issues: InputIssue[] } {
  const fail = (path: string, message: string) => ({ ok: false as const, issues: [{ file, path, message }] });
  if (!isRecord(doc))
    return fail('', 'expected a Kubernetes object (a Pod or a workload with a pod template)');
  const kind = typeof doc.kind === 'string' ? doc.kind : undefined;
  const route = kind ? templatePaths[kind] : undefined;
  if (!route)
    return fail(
      'kind',
      `expected one of ${Object.keys(templatePaths).join(', ')}, received ${kind ? JSON.stringify(kind) : 'no kind'}`,
    );
  let template: unknown = doc;
  for (const key of route) template = isRecord(template) ? template[key] : undefined;
  const templatePath = joinPath('', route);
  if (!isRecord(template) || !isRecord(template.spec))
    return fail(joinPath(templatePath, ['spec']), 'expected object');
  const meta = isRecord(doc.metadata) ? doc.metadata : {};
  const templateMeta = isRecord(template.metadata) ? template.metadata : {};
  const labels = stringMap.nullish().safeParse(templateMeta.labels);
  if (!labels.success) {
    const base = joinPath(templatePath, ['metadata', 'labels']);
    return { ok: false, issues: issuesOf(labels.error, file, base) };
  }
  const name =
    typeof meta.name === 'string'
      ? meta.name
      : typeof meta.generateName === 'string'
        ? `${meta.generateName}xxxxx`
        : kind!;
  return schedulingSpec(
    {
      namespace: typeof meta.namespace === 'string' ? meta.namespace : 'default',
      name,
      labels: labels.data ?? {},
    },
    template.spec,
    joinPath(templatePath, ['spec']),
    { file, path: '' },
  );
}
