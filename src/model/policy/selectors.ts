/** Label-selector matching in three values: labels we do not know make a match `maybe`, never `yes`. */
import type { LabelSelector } from '../../snapshot/schemas.ts';
import type { Tri } from './types.ts';

export function and(a: Tri, b: Tri): Tri {
  if (a === 'no' || b === 'no') return 'no';
  return a === 'yes' && b === 'yes' ? 'yes' : 'maybe';
}

export function or(a: Tri, b: Tri): Tri {
  if (a === 'yes' || b === 'yes') return 'yes';
  return a === 'maybe' || b === 'maybe' ? 'maybe' : 'no';
}

export function isEmptySelector(selector: LabelSelector): boolean {
  return (
    Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0
  );
}

/**
 * Does `selector` select an object with these labels? `labels` undefined = not known at all;
 * `complete` false = only some labels are known (a key we cannot see might be there).
 */
export function matchSelector(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>> | undefined,
  complete = true,
): Tri {
  if (isEmptySelector(selector)) return 'yes';
  if (!labels) return 'maybe';
  const known = (key: string): boolean => Object.hasOwn(labels, key) || complete;
  let result: Tri = 'yes';
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (Object.hasOwn(labels, key)) result = and(result, labels[key] === value ? 'yes' : 'no');
    else result = and(result, known(key) ? 'no' : 'maybe');
  }
  for (const expression of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, expression.key);
    const value = has ? labels[expression.key] : undefined;
    const values = expression.values ?? [];
    let verdict: Tri;
    if (!has && !known(expression.key)) verdict = 'maybe';
    else {
      switch (expression.operator) {
        case 'In':
          verdict = has && values.includes(value!) ? 'yes' : 'no';
          break;
        case 'NotIn':
          verdict = has && values.includes(value!) ? 'no' : 'yes';
          break;
        case 'Exists':
          verdict = has ? 'yes' : 'no';
          break;
        case 'DoesNotExist':
          verdict = has ? 'no' : 'yes';
          break;
      }
    }
    result = and(result, verdict);
  }
  return result;
}

/** The label keys a selector reads. */
export function selectorKeys(selector: LabelSelector): string[] {
  return [
    ...new Set([
      ...Object.keys(selector.matchLabels ?? {}),
      ...(selector.matchExpressions ?? []).map((e) => e.key),
    ]),
  ];
}

/**
 * Why a selector's match on a pod is `maybe`: the keys it reads that the pod's known labels do not
 * settle, each with the versions that carry it when the pod's workload says. Empty when the labels
 * are complete or not known at all.
 */
export function unsettledLabels(
  selector: LabelSelector,
  pod: {
    readonly labels: Readonly<Record<string, string>>;
    readonly labelsComplete: boolean;
    readonly versionedLabels?: Readonly<Record<string, string>>;
  },
): string[] {
  if (pod.labelsComplete) return [];
  return selectorKeys(selector)
    .filter((key) => !Object.hasOwn(pod.labels, key))
    .map((key) => {
      const versions =
        pod.versionedLabels && Object.hasOwn(pod.versionedLabels, key) ? pod.versionedLabels[key] : undefined;
      return versions ? `${key} (${versions})` : key;
    });
}
