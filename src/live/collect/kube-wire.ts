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
