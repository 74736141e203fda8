/**
 * client-node v2 hands back typed models (camelCase fields that can differ from the wire name,
 * `Date` objects for timestamps). The snapshot must hold what `kubectl get -o json` prints, so this
 * walks each model's attribute map back to wire names, writes timestamps as RFC 3339 and drops
 * absent fields. client-node does not export its own ObjectSerializer, hence this small one.
 */
import * as k8s from '@kubernetes/client-node';
import { plainJson, rfc3339 } from './json.ts';

interface Attribute {
  readonly name: string;
  readonly baseName: string;
  readonly type: string;
  readonly format: string;
}
interface Model {
  getAttributeTypeMap(): Attribute[];
}

const models = k8s as unknown as Record<string, Partial<Model> | undefined>;

/** Serialises a client-node model of `type` (e.g. `V1Pod`) to its wire JSON. */
export function toWire(value: unknown, type: string, format = ''): unknown {
  if (value === undefined || value === null) return undefined;
  const bare = type.replace(/ \| (null|undefined)$/, '');
  const array = /^Array<(.+)>$/.exec(bare);
  if (array) return (value as unknown[]).map((item) => toWire(item, array[1]!));
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(bare);
  if (map) {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
      const wire = toWire(member, map[1]!);
      if (wire !== undefined) out[key] = wire;
    }
    return out;
  }
  if (value instanceof Date) return rfc3339(value, format);
  const model = models[bare];
  if (typeof model?.getAttributeTypeMap !== 'function') return plainJson(value);
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const attribute of model.getAttributeTypeMap()) {
    const wire = toWire(record[attribute.name], attribute.type, attribute.format);
    if (wire !== undefined) out[attribute.baseName] = wire;
  }
  return out;
}

type Walk = (raw: unknown) => unknown;
const walkers = new Map<string, Walk>();

/**
 * The wire JSON an item of `type` as the API server sent it becomes: exactly what
 * `toWire(<client-node's model of it>, type)` gives — fields the model knows, in its order, dates
 * as RFC 3339, absent and null fields dropped — in one walk, with no model built in between.
 * Each type's walk is built once (the attribute maps are fixed) and reused for every item.
 */
export function fromWire(raw: unknown, type: string, format = ''): unknown {
  return walker(type, format)(raw);
}

function walker(type: string, format: string): Walk {
  const key = `${type}\u0000${format}`;
  const known = walkers.get(key);
  if (known) return known;
  // A type that contains itself (JSONSchemaProps) finds this stand-in while its walk is built.
  const slot: { walk?: Walk } = {};
  walkers.set(key, (raw) => slot.walk!(raw));
  const built = build(type, format);
  slot.walk = built;
  walkers.set(key, built);
  return built;
}

function build(type: string, format: string): Walk {
  const bare = type.replace(/ \| (null|undefined)$/, '');
  const array = /^Array<(.+)>$/.exec(bare);
  if (array) {
    const item = walker(array[1]!, '');
    // client-node iterates what it is given (for…of); the items keep their places.
    return (raw) =>
      raw === undefined || raw === null ? undefined : [...(raw as Iterable<unknown>)].map(item);
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(bare);
  if (map) {
    const member = walker(map[1]!, '');
    return (raw) => {
      if (raw === undefined || raw === null) return undefined;
      const out: Record<string, unknown> = {};
      for (const key in raw as Record<string, unknown>) {
        const wire = member((raw as Record<string, unknown>)[key]);
        if (wire !== undefined) out[key] = wire;
      }
      return out;
    };
  }
  if (bare === 'Date')
    return (raw) =>
      raw === undefined || raw === null ? undefined : rfc3339(new Date(raw as string), format);
  const model = models[bare];
  if (typeof model?.getAttributeTypeMap !== 'function')
    return (raw) =>
      raw === undefined || raw === null ? undefined : typeof raw === 'object' ? plainJson(raw) : raw;
  const attributes = model.getAttributeTypeMap().map((a) => ({
    name: a.baseName,
    walk: walker(a.type, a.format),
  }));
  return (raw) => {
    if (raw === undefined || raw === null) return undefined;
    const record = raw as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const attribute of attributes) {
      const wire = attribute.walk(record[attribute.name]);
      if (wire !== undefined) out[attribute.name] = wire;
    }
    return out;
  };
}
