/**
 * The Dynamo components a DynamoGraphDeployment declares: what the pods will be (or are), read
 * before they exist. Field meanings from ai-dynamo/dynamo examples/backends/vllm/deploy/*.yaml:
 * `componentType` (frontend, worker; `main` in older graphs), `replicas`, `envs`,
 * `resources.limits.gpu`, and `extraPodSpec` (placement, `mainContainer` image/command/args/env).
 */
import type { DynamoService, K8sDynamoGraphDeployment } from '../snapshot/schemas.ts';
import type { Located, Origin, Snapshot } from '../snapshot/types.ts';
import { disaggregationStage } from './disaggregation.ts';

export interface DeclaredComponent {
  /** namespace/name of the DynamoGraphDeployment. */
  readonly graph: string;
  readonly service: string;
  readonly namespace: string;
  readonly role: 'frontend' | 'worker' | 'other';
  /** The worker's side of disaggregated serving, when the graph says it (see disaggregationStage). */
  readonly stage?: { readonly value: 'prefill' | 'decode'; readonly source: string };
  readonly replicas: number;
  /** The env the pods get: graph-wide `envs`, then the service's `envs`, then the main container's `env`. */
  readonly env: Readonly<Record<string, string>>;
  /** The main container's command and args. */
  readonly args: readonly string[];
  readonly image?: string;
  /** GPUs each pod asks for (`resources.limits.gpu`, else `requests.gpu`). */
  readonly gpus: number;
  /** A pod spec with the service's placement and GPU request, for the scheduler. */
  readonly podSpec: Record<string, unknown>;
  /** Where the service sits in its file (`…services.Frontend`). */
  readonly origin: Origin;
}

function roleOf(service: DynamoService, gpus: number): DeclaredComponent['role'] {
  const type = service.componentType?.toLowerCase();
  if (type === 'frontend' || type === 'main') return 'frontend';
  if (type === 'worker' || type === 'prefill' || type === 'decode') return 'worker';
  return gpus > 0 ? 'worker' : 'other';
}

/**
 * Prefill or decode, from the graph: `subComponentType` (newer graphs), a `componentType` of
 * `prefill`/`decode` (older ones), else the worker's own flags (disaggregationStage).
 */
function declaredStage(service: DynamoService, args: readonly string[]): DeclaredComponent['stage'] {
  for (const [field, value] of [
    ['subComponentType', service.subComponentType],
    ['componentType', service.componentType],
  ] as const) {
    const v = value?.toLowerCase();
    if (v === 'prefill' || v === 'decode') return { value: v, source: `${field}: ${value}` };
  }
  return disaggregationStage(args);
}

function gpusOf(service: DynamoService): number {
  const value = service.resources?.limits?.gpu ?? service.resources?.requests?.gpu;
  const count = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(count) && count > 0 ? count : 0;
}

function envOf(graph: K8sDynamoGraphDeployment, service: DynamoService): Record<string, string> {
  const env: Record<string, string> = {};
  for (const list of [graph.spec.envs, service.envs, service.extraPodSpec?.mainContainer?.env])
    for (const variable of list ?? []) if (variable.value !== undefined) env[variable.name] = variable.value;
  return env;
}

function componentsOf(located: Located<K8sDynamoGraphDeployment>): DeclaredComponent[] {
  const graph = located.value;
  const namespace = graph.metadata.namespace ?? 'default';
  return Object.entries(graph.spec.services ?? {}).map(([name, service]) => {
    const gpus = gpusOf(service);
    const main = service.extraPodSpec?.mainContainer;
    const { mainContainer: _main, ...placement } = service.extraPodSpec ?? {};
    const args = [...(main?.command ?? []), ...(main?.args ?? [])];
    const stage = declaredStage(service, args);
    return {
      graph: `${namespace}/${graph.metadata.name}`,
      service: name,
      namespace,
      role: roleOf(service, gpus),
      replicas: service.replicas ?? 1,
      env: envOf(graph, service),
      args,
      ...(stage ? { stage } : {}),
      ...(main?.image ? { image: main.image } : {}),
      gpus,
      podSpec: {
        ...placement,
        containers: [
          {
            name: 'main',
            ...(gpus > 0 ? { resources: { limits: { 'nvidia.com/gpu': String(gpus) } } } : {}),
          },
        ],
      },
      origin: {
        file: located.origin.file,
        path: `${located.origin.path ? `${located.origin.path}.` : ''}spec.services.${name}`,
      },
    };
  });
}

export function declaredComponents(snapshot: Snapshot): DeclaredComponent[] {
  return snapshot.dynamoGraphDeployments.flatMap(componentsOf);
}
