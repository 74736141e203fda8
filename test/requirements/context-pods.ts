/** Pods and DynamoGraphDeployment components for the requirement-context tests, built as the snapshot reader sees them. */
import type { DeclaredComponent } from '../../src/model/dynamo-graph.ts';
import { buildModel } from '../../src/model/build.ts';
import { buildRequirementContext } from '../../src/requirements/context.ts';
import type { PodModel } from '../../src/model/types.ts';
import { scenario } from '../helpers/scenario.ts';

export interface RawPod {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  readonly env?: Record<string, string>;
  readonly args?: string[];
  readonly command?: string[];
  readonly image?: string;
  readonly phase?: string;
  readonly ports?: { name: string; containerPort: number }[];
  /** Images of further containers (sidecars), after the main one. */
  readonly sidecars?: string[];
}

/** Pods as `kubectl get pods -o json` lists them, read through the model. */
export function podModels(...specs: RawPod[]): PodModel[] {
  const items = specs.map((p) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: p.name, namespace: p.namespace ?? 'dynamo-workload', labels: p.labels ?? {} },
    spec: {
      containers: [
        {
          name: 'main',
          image: p.image ?? 'busybox:1.36',
          ...(p.command ? { command: p.command } : {}),
          ...(p.args ? { args: p.args } : {}),
          ...(p.ports ? { ports: p.ports } : {}),
          env: Object.entries(p.env ?? {}).map(([name, value]) => ({ name, value })),
        },
        ...(p.sidecars ?? []).map((image, i) => ({ name: `sidecar-${i}`, image })),
      ],
    },
    status: { phase: p.phase ?? 'Running' },
  }));
  return buildModel(
    scenario().file('k8s/pods-extra.json', { apiVersion: 'v1', kind: 'List', items }).snapshot(),
  ).pods;
}

/** A Dynamo pod of the vLLM runtime at `version`, labelled with its component type as the operator does. */
export const dynamoPod = (
  name: string,
  role: string,
  version: string,
  extra: Partial<RawPod> = {},
): RawPod => ({
  name,
  image: `nvcr.io/nvidia/ai-dynamo/vllm-runtime:${version}`,
  ...extra,
  labels: { 'nvidia.com/dynamo-component-type': role, ...extra.labels },
});

/** A service of a DynamoGraphDeployment, as model/dynamo-graph.ts reads it. */
export const declaredComponent = (
  service: string,
  role: DeclaredComponent['role'],
  extra: Partial<DeclaredComponent> = {},
): DeclaredComponent => ({
  graph: 'dynamo-workload/vllm-disagg',
  service,
  namespace: 'dynamo-workload',
  role,
  replicas: 1,
  env: {},
  args: [],
  gpus: role === 'worker' ? 1 : 0,
  podSpec: {},
  origin: { file: 'k8s/dynamographdeployments.json', path: `items[0].spec.services.${service}` },
  ...extra,
});

/** How requirements/context.ts names the graph of declaredComponent in a source. */
export const GRAPH = 'DynamoGraphDeployment dynamo-workload/vllm-disagg service';

/** The requirement context of a Dynamo 1.4.2 cluster with these graph services and no pods. */
export const withGraph = (...declared: DeclaredComponent[]) =>
  buildRequirementContext([], { dynamoVersion: '1.4.2', declared });

/** The data-parallel size read from one worker service W's arguments. */
export const dataParallelOf = (args: string[]) =>
  withGraph(declaredComponent('W', 'worker', { args })).context.dataParallel;
