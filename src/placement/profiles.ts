/**
 * Built-in pod specs, written as the Pod objects they stand for. The AICR conformance orchestrator
 * is the Job pod that runs `ai-service-metrics` and dials Prometheus on 9090: it tolerates every
 * taint, prefers nodes without GPUs and the node running Prometheus, and requests 1 CPU / 1 GiB
 * (AICR pkg/validator/job: `preferCPUNodeAffinity`, the dependencyAffinity toward
 * kube-prometheus-stack, `WithRequests(cpu 1, memory 1Gi)`).
 */
import { schedulingSpecFromDocument } from './spec.ts';
import type { SchedulingSpec } from './types.ts';

export const ORCHESTRATOR_PROFILE = 'aicr-conformance-orchestrator';

export interface Profile {
  readonly name: string;
  readonly description: string;
  /** The pod, with only the labels every version of its workload gives it. */
  readonly pod: (options: { prometheusNamespace?: string }) => Record<string, unknown>;
  /**
   * Labels the pod carries in some versions of its workload only, each with the versions: a
   * NetworkPolicy or SecurityGroupPolicy that selects on one cannot be decided.
   */
  readonly versionedLabels?: Readonly<Record<string, string>>;
}

/**
 * AICR stamps its own label keys with its API domain: `aicr.nvidia.com/` up to v0.11.1, `aicr.run/`
 * since (NVIDIA/aicr docs/design/013-aicr-run-domain-migration.md; pkg/header/header.go `Domain`;
 * pkg/validator/labels/labels.go `Validator = header.Domain + "/validator"`). The orchestrator's pod
 * template carries `app.kubernetes.io/name: aicr`, `app.kubernetes.io/component: validation` and
 * `<domain>/validator: <check>` (pkg/validator/job/deployer.go `buildApplyConfig`), in the namespace
 * `aicr validate` deploys to, `aicr-validation` by default (`--namespace`).
 */
const AICR_VALIDATOR_LABELS: Readonly<Record<string, string>> = {
  'aicr.nvidia.com/validator': 'ai-service-metrics, from AICR v0.11.1 and earlier only',
  'aicr.run/validator': 'ai-service-metrics, from AICR after v0.11.1 only',
};

/** The key of the label naming an AICR validator pod's check, in every AICR version. */
export const AICR_VALIDATOR_LABEL_KEYS: readonly string[] = Object.keys(AICR_VALIDATOR_LABELS);

export const profiles: Record<string, Profile> = {
  [ORCHESTRATOR_PROFILE]: {
    name: ORCHESTRATOR_PROFILE,
    description: 'the AICR conformance orchestrator Job pod that runs ai-service-metrics against Prometheus',
    pod: ({ prometheusNamespace = 'monitoring' }) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: 'aicr-ai-service-metrics-',
        namespace: 'aicr-validation',
        labels: {
          'app.kubernetes.io/name': 'aicr',
          'app.kubernetes.io/component': 'validation',
        },
      },
      spec: {
        restartPolicy: 'Never',
        tolerations: [{ operator: 'Exists' }],
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 100,
                preference: {
                  matchExpressions: [{ key: 'nvidia.com/gpu.present', operator: 'DoesNotExist' }],
                },
              },
            ],
          },
          podAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 100,
                podAffinityTerm: {
                  labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
                  namespaces: [prometheusNamespace],
                  topologyKey: 'kubernetes.io/hostname',
                },
              },
            ],
          },
        },
        containers: [
          {
            name: 'validator',
            image: 'ghcr.io/nvidia/aicr-validators/conformance:latest',
            resources: {
              requests: { cpu: '1', memory: '1Gi' },
              limits: { cpu: '1', memory: '1Gi' },
            },
          },
        ],
      },
    }),
    versionedLabels: AICR_VALIDATOR_LABELS,
  },
};

/** The scheduling spec of a built-in profile; the profiles are fixed data, so failure is a bug. */
export function profileSpec(name: string, options: { prometheusNamespace?: string } = {}): SchedulingSpec {
  const profile = profiles[name];
  if (!profile) throw new Error(`no built-in profile ${name}`);
  const parsed = schedulingSpecFromDocument(profile.pod(options), `profile ${name}`);
  if (!parsed.ok)
    throw new Error(`profile ${name}: ${parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  return parsed.spec;
}
