/**
 * Pod identity: the namespace and labels a flow end's pods share, and which labels are too
 * short-lived to select on. The analysis keys flow ends on it; NetworkPolicy fixes select on it.
 */
import type { PodIdentity } from './policy/types.ts';

/** Labels of one pod instance or one release: a selector on them breaks on the next rollout or upgrade. */
export const UNSTABLE_LABELS = new Set([
  'pod-template-hash',
  'controller-revision-hash',
  'statefulset.kubernetes.io/pod-name',
  'pod-template-generation',
  'apps.kubernetes.io/pod-index',
  'app.kubernetes.io/version',
  'app.kubernetes.io/managed-by',
  'helm.sh/chart',
]);

export interface EndIdentity {
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

/** The namespace and the labels all pods of a flow end share (undefined when not one namespace or unknown). */
export function commonIdentity(pods: readonly (PodIdentity | undefined)[]): EndIdentity | undefined {
  if (pods.length === 0 || pods.some((p) => !p || p.hostNetwork)) return undefined;
  const known = pods as PodIdentity[];
  const namespace = known[0]!.namespace;
  if (known.some((p) => p.namespace !== namespace)) return undefined;
  const labels = Object.fromEntries(
    Object.entries(known[0]!.labels).filter(
      ([k, v]) => !UNSTABLE_LABELS.has(k) && known.every((p) => p.labels[k] === v),
    ),
  );
  return { namespace, labels };
}
