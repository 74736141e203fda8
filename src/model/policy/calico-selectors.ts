/**
 * Calico selector matching in three values: a label whose presence we cannot know makes a match
 * `maybe`, never `yes`. Semantics per operator as Calico documents them
 * (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors): `!=` and
 * `not in` also match resources without the label; `has`, `==`, `in`, `contains`, `starts with`
 * and `ends with` need it. `all()` matches every in-scope resource; `global()` matches resources
 * that are not namespaced (a pod never is).
 */
import type { SelectorNode } from '../../snapshot/calico-selector.ts';
import { and, or } from './selectors.ts';
import type { Tri } from './types.ts';

/** A label's value; `undefined` = known to be absent; `unknown` = we cannot tell. */
export type LabelLookup = (key: string) => string | undefined | typeof UNKNOWN;
export const UNKNOWN: unique symbol = Symbol('unknown label');

/** The label Calico gives every workload endpoint with its namespace; `global()` is its absence. */
export const NAMESPACE_LABEL = 'projectcalico.org/namespace';

function not(t: Tri): Tri {
  return t === 'yes' ? 'no' : t === 'no' ? 'yes' : 'maybe';
}

export function matchCalicoSelector(node: SelectorNode, lookup: LabelLookup): Tri {
  switch (node.op) {
    case 'all':
      return 'yes';
    case 'global': {
      const ns = lookup(NAMESPACE_LABEL);
      return ns === UNKNOWN ? 'maybe' : ns === undefined ? 'yes' : 'no';
    }
    case '!':
      return not(matchCalicoSelector(node.operand, lookup));
    case '&&':
      return node.operands.reduce<Tri>(
        (acc, o) => (acc === 'no' ? 'no' : and(acc, matchCalicoSelector(o, lookup))),
        'yes',
      );
    case '||':
      return node.operands.reduce<Tri>(
        (acc, o) => (acc === 'yes' ? 'yes' : or(acc, matchCalicoSelector(o, lookup))),
        'no',
      );
    default: {
      const value = lookup(node.key);
      if (value === UNKNOWN) return 'maybe';
      const absentMatches = node.op === '!=' || node.op === 'not in';
      if (value === undefined) return absentMatches ? 'yes' : 'no';
      let hit: boolean;
      switch (node.op) {
        case 'has':
          hit = true;
          break;
        case '==':
          hit = value === node.value;
          break;
        case '!=':
          hit = value !== node.value;
          break;
        case 'in':
          hit = node.values.includes(value);
          break;
        case 'not in':
          hit = !node.values.includes(value);
          break;
        case 'contains':
          hit = value.includes(node.value);
          break;
        case 'starts with':
          hit = value.startsWith(node.value);
          break;
        case 'ends with':
          hit = value.endsWith(node.value);
          break;
      }
      return hit ? 'yes' : 'no';
    }
  }
}

/**
 * A lookup over plain labels: `complete` false means keys we do not see may still be there.
 * `unknownKey` names keys whose values are never known (service-account labels, say).
 */
export function labelLookup(
  labels: Readonly<Record<string, string>>,
  complete: boolean,
  unknownKey: (key: string) => boolean = () => false,
): LabelLookup {
  return (key) => {
    if (Object.hasOwn(labels, key)) return labels[key];
    if (!complete || unknownKey(key)) return UNKNOWN;
    return undefined;
  };
}
