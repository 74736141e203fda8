/** Reads what the cluster itself says about Dynamo: version, roles of pods, and `DYN_*` settings. */
import semver from 'semver';
import type { DeclaredComponent } from '../model/dynamo-graph.ts';
import type { PodModel } from '../model/types.ts';
import {
  disaggregationStage,
  stageLabel,
  SUB_COMPONENT_LABEL,
  type StageEvidence,
} from '../model/disaggregation.ts';

export type DynamoRole = 'frontend' | 'worker' | 'router' | 'epp' | 'other';

const ROLE_LABEL = 'nvidia.com/dynamo-component-type';
const DYNAMO_IMAGE = /(^|\/)ai-dynamo\/[^:@]+:v?(\d+\.\d+\.\d+[^@\s]*)/;

const roles = new WeakMap<PodModel, DynamoRole | 'none'>();

/** A Dynamo runtime pod (frontend, worker, router, EPP) — a client of NATS/etcd. Cached per pod: asked per requirement. */
export function dynamoRole(pod: PodModel): DynamoRole | undefined {
  let role = roles.get(pod);
  if (role === undefined) {
    role = roleOf(pod) ?? 'none';
    roles.set(pod, role);
  }
  return role === 'none' ? undefined : role;
}

function roleOf(pod: PodModel): DynamoRole | undefined {
  const label = pod.labels[ROLE_LABEL]?.toLowerCase();
  if (label) {
    if (label === 'frontend' || label === 'worker' || label === 'router' || label === 'epp') return label;
    if (label.includes('worker') || label === 'prefill' || label === 'decode') return 'worker';
    return 'other';
  }
  if (pod.labels['app.kubernetes.io/name'] === 'dynamo-operator') return undefined;
  if (pod.images.some((image) => /ai-dynamo\/(vllm|sglang|tensorrtllm|trtllm)-runtime/.test(image)))
    return 'other';
  return undefined;
}

export interface Evidence {
  readonly value: string;
  readonly source: string;
}

/** Built only for evidence found: the loop below sees every pod of the cluster. */
const podRef = (pod: PodModel): string => `pod ${pod.namespace}/${pod.name}`;

/** Every hint of the installed Dynamo version, strongest first (platform chart, then images). */
export function detectDynamoVersion(pods: readonly PodModel[]): Evidence[] {
  const chart: Evidence[] = [];
  const images: Evidence[] = [];
  for (const pod of pods) {
    const chartLabel = /^dynamo-platform-(\d+\.\d+\.\d+\S*)$/.exec(pod.labels['helm.sh/chart'] ?? '')?.[1];
    if (chartLabel && semver.valid(chartLabel)) {
      chart.push({
        value: chartLabel,
        source: `label helm.sh/chart=dynamo-platform-${chartLabel} on ${podRef(pod)}`,
      });
    } else if (pod.labels['app.kubernetes.io/name'] === 'dynamo-operator') {
      const version = pod.labels['app.kubernetes.io/version'];
      if (version && semver.valid(semver.coerce(version))) {
        chart.push({
          value: semver.coerce(version)!.version,
          source: `label app.kubernetes.io/version=${version} on ${podRef(pod)}`,
        });
      }
    }
    for (const image of pod.images) {
      const tag = DYNAMO_IMAGE.exec(image)?.[2];
      const version = tag ? semver.coerce(tag)?.version : undefined;
      if (version) images.push({ value: version, source: `image ${image} in ${podRef(pod)}` });
    }
  }
  return [...chart, ...images];
}

/** The first value any Dynamo pod sets for an env var, with the pod that set it. */
export function envSetting(pods: readonly PodModel[], name: string): Evidence | undefined {
  for (const pod of pods) {
    const value = pod.env[name];
    if (value !== undefined && value !== '')
      return { value, source: `env ${name}=${value} on pod ${pod.namespace}/${pod.name}` };
  }
  return undefined;
}

/** Dynamo versions the DynamoGraphDeployments' images name (after the pods: they are what runs). */
export function declaredDynamoVersions(components: readonly DeclaredComponent[]): Evidence[] {
  return components.flatMap((c) => {
    const tag = c.image ? DYNAMO_IMAGE.exec(c.image)?.[2] : undefined;
    const version = tag ? semver.coerce(tag)?.version : undefined;
    return version
      ? [
          {
            value: version,
            source: `image ${c.image!} of DynamoGraphDeployment ${c.graph} service ${c.service}`,
          },
        ]
      : [];
  });
}

/** The first value a declared component sets for an env var (graph-wide, service or container env). */
export function declaredEnvSetting(
  components: readonly DeclaredComponent[],
  name: string,
): Evidence | undefined {
  for (const c of components) {
    const value = c.env[name];
    if (value !== undefined && value !== '')
      return {
        value,
        source: `env ${name}=${value} in DynamoGraphDeployment ${c.graph} service ${c.service}`,
      };
  }
  return undefined;
}

/**
 * A worker pod's side of disaggregated serving: the operator's sub-component label, else the
 * launcher's flags on any container; undefined for a frontend, an aggregated worker or a non-Dynamo pod.
 */
export function workerStage(pod: PodModel): StageEvidence | undefined {
  if (dynamoRole(pod) !== 'worker' && dynamoRole(pod) !== 'other') return undefined;
  for (const key of [SUB_COMPONENT_LABEL, ROLE_LABEL]) {
    const label = stageLabel(pod.labels[key]);
    if (label) return { value: label, source: `label ${key}=${pod.labels[key]!} on ${podRef(pod)}` };
  }
  for (const c of pod.raw.spec.containers) {
    const found = disaggregationStage([...(c.command ?? []), ...(c.args ?? [])]);
    if (found) return { value: found.value, source: `${found.source} on ${podRef(pod)}` };
  }
  return undefined;
}
