/**
 * Mutations of valid snapshots for property tests and the long fuzz run: each takes the bytes of
 * real-shaped input files and returns damaged ones, the way real input goes wrong.
 */
import fc from 'fast-check';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { InputBytes } from '../../src/snapshot/parse.ts';

export function readExample(dir: string): InputBytes[] {
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((f) => {
      const p = join(d, f);
      return statSync(p).isDirectory() ? walk(p) : /\.(json|ya?ml)$/.test(f) ? [p] : [];
    });
  return walk(dir)
    .sort()
    .map((p) => ({ path: relative(dir, p), bytes: readFileSync(p) }));
}

type Json = unknown;

/** Every path to a value inside a JSON document. */
function paths(
  value: Json,
  prefix: (string | number)[] = [],
  out: (string | number)[][] = [],
  limit = 4000,
): (string | number)[][] {
  if (out.length >= limit || prefix.length > 64) return out;
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out, limit));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out, limit);
  return out;
}

function get(value: Json, path: (string | number)[]): Json {
  return path.reduce<Json>((v, k) => (v as Record<string | number, Json>)?.[k], value);
}

function set(root: Json, path: (string | number)[], next: Json | typeof DELETE): Json {
  if (path.length === 0) return next === DELETE ? {} : next;
  const parent = get(root, path.slice(0, -1)) as Record<string | number, Json>;
  const key = path[path.length - 1]!;
  if (next === DELETE) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else parent[key] = next;
  return root;
}

const DELETE = Symbol('delete');
const DEEP = '\u0001deep-nesting\u0001';

/** Replacement values that break types, ranges and formats. */
const hostile: Json[] = [
  null,
  '',
  'x',
  -1,
  65536,
  1e308,
  2 ** 53 + 1,
  true,
  [],
  {},
  [null],
  '10.0.0.0/33',
  '999.1.1.1',
  '10.0.0.1/8/8',
  'sg-',
  '-1',
  '::/0',
  '0.0.0.0/0',
  { kind: 'Pod' },
  '\u0000',
  'é'.repeat(10),
];

export type Mutation =
  | { kind: 'replace'; file: number; pick: number; value: number }
  | { kind: 'delete'; file: number; pick: number }
  | { kind: 'duplicate'; file: number; pick: number }
  | { kind: 'empty-arrays'; file: number }
  | { kind: 'deep-nesting'; file: number; pick: number; depth: number }
  | { kind: 'truncate'; file: number; at: number }
  | { kind: 'bad-bytes'; file: number; at: number }
  | { kind: 'dangling'; file: number; pick: number }
  | { kind: 'drop-file'; file: number };

export const mutationArb: fc.Arbitrary<Mutation[]> = fc.array(
  fc.oneof(
    fc.record({
      kind: fc.constant('replace' as const),
      file: fc.nat(),
      pick: fc.nat(),
      value: fc.nat(hostile.length - 1),
    }),
    fc.record({ kind: fc.constant('delete' as const), file: fc.nat(), pick: fc.nat() }),
    fc.record({ kind: fc.constant('duplicate' as const), file: fc.nat(), pick: fc.nat() }),
    fc.record({ kind: fc.constant('empty-arrays' as const), file: fc.nat() }),
    fc.record({
      kind: fc.constant('deep-nesting' as const),
      file: fc.nat(),
      pick: fc.nat(),
      depth: fc.integer({ min: 10, max: 5000 }),
    }),
    fc.record({ kind: fc.constant('truncate' as const), file: fc.nat(), at: fc.nat() }),
    fc.record({ kind: fc.constant('bad-bytes' as const), file: fc.nat(), at: fc.nat() }),
    fc.record({ kind: fc.constant('dangling' as const), file: fc.nat(), pick: fc.nat() }),
    fc.record({ kind: fc.constant('drop-file' as const), file: fc.nat() }),
  ),
  { minLength: 1, maxLength: 4 },
);

function parseDoc(file: InputBytes): Json | undefined {
  if (!file.path.endsWith('.json')) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(file.bytes));
  } catch {
    return undefined;
  }
}

const encode = (value: Json): Uint8Array => new TextEncoder().encode(JSON.stringify(value, null, 2));

/** Applies mutations in order; JSON files are edited structurally, any file byte-wise. */
export function mutate(files: readonly InputBytes[], mutations: readonly Mutation[]): InputBytes[] {
  let out = files.map((f) => ({ ...f }));
  // Text-level damage comes last: structural edits need a document they can parse and print.
  const textLevel = new Set(['deep-nesting', 'truncate', 'bad-bytes']);
  const ordered = [
    ...mutations.filter((m) => !textLevel.has(m.kind)),
    ...mutations.filter((m) => textLevel.has(m.kind)),
  ];
  const damaged = new Set<string>();
  for (const m of ordered) {
    if (out.length === 0) break;
    const index = m.file % out.length;
    const file = out[index]!;
    if (m.kind === 'drop-file') {
      out = out.filter((_, i) => i !== index);
      continue;
    }
    if (m.kind === 'truncate') {
      out[index] = { ...file, bytes: file.bytes.slice(0, m.at % Math.max(1, file.bytes.length)) };
      damaged.add(file.path);
      continue;
    }
    if (m.kind === 'bad-bytes') {
      const bytes = Uint8Array.from(file.bytes);
      if (bytes.length > 0) bytes[m.at % bytes.length] = 0xff;
      out[index] = { ...file, bytes };
      damaged.add(file.path);
      continue;
    }
    if (damaged.has(file.path)) continue;
    const doc = parseDoc(file);
    if (doc === undefined) continue;
    const all = paths(doc);
    const path = 'pick' in m ? all[m.pick % all.length]! : [];
    let next: Json = doc;
    switch (m.kind) {
      case 'replace':
        next = set(doc, path, hostile[m.value]);
        break;
      case 'delete':
        next = set(doc, path, DELETE);
        break;
      case 'duplicate': {
        const parent = get(doc, path.slice(0, -1));
        if (Array.isArray(parent)) parent.push(structuredClone(get(doc, path)));
        break;
      }
      case 'empty-arrays':
        for (const p of all.reverse()) if (Array.isArray(get(doc, p)) && p.length > 0) set(doc, p, []);
        break;
      case 'deep-nesting': {
        // Built as text: JSON.stringify itself would overflow the stack on such a value.
        const deep = `${'{"a":['.repeat(m.depth)}"x"${']}'.repeat(m.depth)}`;
        const text = new TextDecoder().decode(encode(set(doc, path, DEEP)));
        out[index] = { ...file, bytes: new TextEncoder().encode(text.replace(JSON.stringify(DEEP), deep)) };
        damaged.add(file.path);
        continue;
      }
      case 'dangling': {
        const value = get(doc, path);
        if (typeof value === 'string') next = set(doc, path, value.replace(/[0-9a-f]$/, 'z'));
        break;
      }
    }
    out[index] = { ...file, bytes: encode(next) };
  }
  return out;
}
