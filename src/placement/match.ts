/** Matching rules of kube-scheduler: tolerations, label and node selectors, affinity term scopes. */
import type {
  LabelSelector,
  NodeSelectorTerm,
  PodAffinityTerm,
  SchedulingNode,
  SelectorRequirement,
  Taint,
  Toleration,
} from './types.ts';

/** A taint as kubectl writes it: `key=value:Effect` (`key:Effect` without a value). */
export function taintLabel(taint: Pick<Taint, 'key' | 'value' | 'effect'>): string {
  return `${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect}`;
}

/** `v1.Toleration.ToleratesTaint`: an empty key with Exists tolerates every taint. */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? '') {
    case '':
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export function toleratedBy(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => tolerates(t, taint));
}

const integer = (text: string | undefined): number | undefined =>
  text !== undefined && /^-?\d+$/.test(text) ? Number(text) : undefined;

/** One requirement against a value that may be absent (NotIn and DoesNotExist match absence). */
export function requirementMatches(r: SelectorRequirement, value: string | undefined): boolean {
  switch (r.operator) {
    case 'In':
      return value !== undefined && r.values.includes(value);
    case 'NotIn':
      return value === undefined || !r.values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      const have = integer(value);
      const want = integer(r.values[0]);
      if (have === undefined || want === undefined) return false;
      return r.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

export function describeRequirement(r: SelectorRequirement): string {
  return r.values.length > 0 ? `${r.key} ${r.operator} (${r.values.join(', ')})` : `${r.key} ${r.operator}`;
}

/** A node selector term: all expressions (labels) and fields (metadata.name) match; empty matches nothing. */
export function nodeTermMatches(term: NodeSelectorTerm, node: SchedulingNode): boolean {
  if (term.matchExpressions.length === 0 && term.matchFields.length === 0) return false;
  return (
    term.matchExpressions.every((r) => requirementMatches(r, node.labels[r.key])) &&
    term.matchFields.every((r) => requirementMatches(r, r.key === 'metadata.name' ? node.name : undefined))
  );
}

export function describeNodeTerm(term: NodeSelectorTerm): string {
  const parts = [
    ...term.matchExpressions.map(describeRequirement),
    ...term.matchFields.map(describeRequirement),
  ];
  return parts.join(', ') || '(empty term)';
}

/** A label selector; an empty selector selects everything. */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  return (
    Object.entries(selector.matchLabels).every(([k, v]) => labels[k] === v) &&
    selector.matchExpressions.every((r) => requirementMatches(r, labels[r.key]))
  );
}

export function describeSelector(selector: LabelSelector | undefined): string {
  if (!selector) return '(no pods)';
  const parts = [
    ...Object.entries(selector.matchLabels).map(([k, v]) => `${k}=${v}`),
    ...selector.matchExpressions.map(describeRequirement),
  ];
  return parts.join(',') || '(all pods)';
}

export interface PodRef {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * `AffinityTerm.Matches`: the pod is in one of the term's namespaces (the listed ones, those the
 * namespaceSelector picks, or — when neither is set — the term owner's own) and its selector picks it.
 */
export function termMatches(
  term: PodAffinityTerm,
  ownerNamespace: string,
  pod: PodRef,
  namespaceLabels: ReadonlyMap<string, Readonly<Record<string, string>>>,
): boolean {
  if (!term.labelSelector) return false;
  let inScope: boolean;
  if (term.namespaces.length === 0 && !term.namespaceSelector) inScope = pod.namespace === ownerNamespace;
  else {
    const labels = namespaceLabels.get(pod.namespace) ?? { 'kubernetes.io/metadata.name': pod.namespace };
    inScope =
      term.namespaces.includes(pod.namespace) ||
      (term.namespaceSelector !== undefined && selectorMatches(term.namespaceSelector, labels));
  }
  return inScope && selectorMatches(term.labelSelector, pod.labels);
}
