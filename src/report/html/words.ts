/**
 * Versions and planes as people say them. The analysis states a version condition as the catalog
 * writes it (`Dynamo 1.0.2 is outside >=1.2.0-0`); the page says `Dynamo 1.0.2 is older than 1.2`.
 * Only the wording changes: the sentence, its facts and its decision stay those of the result.
 */

const BOUND = String.raw`(>=|<=|>|<)\s*(\d+\.\d+\.\d+)(?:-0)?`;
const RANGE = new RegExp(String.raw`\b(is outside|is)\s+${BOUND}(?:\s+${BOUND})?(?=$|[\s,;:)])`, 'g');

/** `1.2.0` → `1.2`; `1.2.3` stays. */
const version = (v: string): string => v.replace(/^(\d+\.\d+)\.0$/, '$1');

function bound(op: string, v: string): string {
  const at = version(v);
  switch (op) {
    case '>=':
      return `${at} or newer`;
    case '>':
      return `newer than ${at}`;
    case '<':
      return `older than ${at}`;
    default:
      return `${at} or older`;
  }
}

function rangeWords(verb: string, op1: string, v1: string, op2?: string, v2?: string): string {
  if (!op2 || !v2) {
    if (verb === 'is') return `is ${bound(op1, v1)}`;
    // Outside a one-sided range: on the other side of its bound.
    const other: Record<string, string> = { '>=': '<', '>': '<=', '<': '>=', '<=': '>' };
    return `is ${bound(other[op1]!, v1)}`;
  }
  if (op1 === '>=' && op2 === '<') {
    const span = `${version(v1)} or newer but older than ${version(v2)}`;
    return verb === 'is' ? `is ${span}` : `is not ${span}`;
  }
  const both = `${bound(op1, v1)} and ${bound(op2, v2)}`;
  return verb === 'is' ? `is ${both}` : `is not ${both}`;
}

const PLANES: Record<string, string> = { nats: 'NATS', zmq: 'ZMQ', tcp: 'TCP', none: 'none' };

/** A sentence from the result with its version ranges and plane names in plain words. */
export function plainWords(text: string): string {
  return text
    .replace(RANGE, (_m, verb: string, op1: string, v1: string, op2?: string, v2?: string) =>
      rangeWords(verb, op1, v1, op2, v2),
    )
    .replace(
      /\b(event|request) plane (is )?(nats|zmq|tcp|none)\b/g,
      (_m, plane: string, is = '', name: string) =>
        name === 'none' ? `no ${plane} plane` : `${plane} plane ${is}${PLANES[name]}`,
    );
}

/** What each plane word in the flow names means, for the terms a report shows. */
const GLOSSARY: readonly (readonly [RegExp, string, string])[] = [
  [
    /event[ -]plane/i,
    'event plane',
    'how Dynamo parts announce workers and KV-cache updates to each other (NATS, or ZMQ from 1.4)',
  ],
  [/request plane/i, 'request plane', 'how the frontend sends each inference request to a worker'],
  [/response stream/i, 'response stream', 'how a worker streams the generated tokens back to the frontend'],
  [/control plane/i, 'control plane (etcd)', 'where Dynamo before 1.2 keeps discovery and leases'],
];

export function glossary(titles: readonly string[]): { term: string; meaning: string }[] {
  return GLOSSARY.filter(([pattern]) => titles.some((t) => pattern.test(t))).map(([, term, meaning]) => ({
    term,
    meaning,
  }));
}
