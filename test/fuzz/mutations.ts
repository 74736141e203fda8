/**
 * Mutations of valid snapshots for property tests and the long fuzz run: each takes the bytes of
 * real-shaped input files and returns damaged ones, the way real input goes wrong.
 */
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import YAML from 'yaml';
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
  // Injection: ids and names reach shell commands, YAML, terminals and file names.
  'sg-0affb20cb8865fd98$(touch pwned)',
  'sg-0affb20cb8865fd98`touch pwned`',
  "x'; touch pwned; echo '",
  'a\nkind: List\n- x',
  '\u001b[2J\u202eevil',
  '../../../../etc/passwd',
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
  | { kind: 'drop-file'; file: number }
  | { kind: 'kubectl-cut'; file: number; at: number };

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
    fc.record({ kind: fc.constant('kubectl-cut' as const), file: fc.nat(), at: fc.nat() }),
  ),
  { minLength: 1, maxLength: 4 },
);

/**
 * Damage to the snapshot directory itself, applied on disk (see applyOnDisk): each must make the
 * load an input error naming the path, and none may hang it.
 */
export type DiskMutation =
  | { kind: 'fifo'; file: number }
  | { kind: 'symlink-loop'; file: number }
  | { kind: 'link-out'; file: number }
  | { kind: 'dangling-link'; file: number }
  | { kind: 'oversize'; file: number }
  | { kind: 'manifest-missing'; file: number };

export const diskMutationArb: fc.Arbitrary<DiskMutation> = fc.record({
  kind: fc.constantFrom(
    'fifo' as const,
    'symlink-loop' as const,
    'link-out' as const,
    'dangling-link' as const,
    'oversize' as const,
    'manifest-missing' as const,
  ),
  file: fc.nat(),
});

/** What a case must end in whatever else happens: files whose damage must be an input error. */
export interface Expectations {
  /** Paths that must be named by an issue (a kubectl list cut before its `kind: List`). */
  readonly mustReject: string[];
}

function parseDoc(file: InputBytes): Json | undefined {
  if (!file.path.endsWith('.json')) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(file.bytes));
  } catch {
    return undefined;
  }
}

const encode = (value: Json): Uint8Array => new TextEncoder().encode(JSON.stringify(value, null, 2));

/** A Kubernetes list (JSON or YAML), else undefined. */
function kubernetesList(file: InputBytes): Record<string, unknown> | undefined {
  let doc: unknown;
  try {
    doc = YAML.parse(new TextDecoder().decode(file.bytes));
  } catch {
    return undefined;
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return undefined;
  const record = doc as Record<string, unknown>;
  return typeof record.kind === 'string' && record.kind.endsWith('List') && Array.isArray(record.items)
    ? record
    : undefined;
}

/**
 * The list as `kubectl get -o yaml` writes it (keys sorted: `kind: List` after `items`), cut at
 * `at`. A cut after the first line and before the end of the `kind:` line must be refused.
 */
function kubectlCut(
  file: InputBytes,
  list: Record<string, unknown>,
  at: number,
): { file: InputBytes; mustReject: boolean } {
  const text = YAML.stringify(list, { sortMapEntries: true });
  const cut = at % (text.length + 1);
  const firstLine = text.indexOf('\n') + 1;
  const kindLine = text.search(/^kind: /m);
  const kindEnd = text.indexOf('\n', kindLine);
  const path = file.path.replace(/\.json$/i, '.yaml');
  return {
    file: { path, bytes: new TextEncoder().encode(text.slice(0, cut)) },
    mustReject: firstLine > 0 && kindLine > 0 && cut >= firstLine && cut < kindEnd,
  };
}

/** Applies mutations in order; JSON files are edited structurally, any file byte-wise. */
export function mutate(
  files: readonly InputBytes[],
  mutations: readonly Mutation[],
  expect: Expectations = { mustReject: [] },
): InputBytes[] {
  let out = files.map((f) => ({ ...f }));
  // Text-level damage comes last: structural edits need a document they can parse and print.
  const textLevel = new Set(['deep-nesting', 'truncate', 'bad-bytes', 'kubectl-cut']);
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
    if (m.kind === 'kubectl-cut') {
      if (damaged.has(file.path)) continue;
      const list = kubernetesList(file);
      if (!list) continue;
      const cut = kubectlCut(file, list, m.at);
      out[index] = cut.file;
      damaged.add(cut.file.path);
      if (cut.mustReject) expect.mustReject.push(cut.file.path);
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

/**
 * Writes the files under `dir` (a fresh temp directory) and damages it on disk: a file replaced by
 * a FIFO, a symbolic link loop, a link out of the directory, a broken link, a file over the size
 * limit, or a manifest listing a file that is not there. Returns the load options to use and the
 * path every outcome must name. Never writes outside `dir`; the FIFO is never opened here.
 */
export function applyOnDisk(
  dir: string,
  files: readonly InputBytes[],
  damage: DiskMutation,
): { maxFileSize?: number; names: string } {
  for (const file of files) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.bytes);
  }
  const victim = files.length > 0 ? files[damage.file % files.length]!.path : 'data.json';
  const at = (name: string) => join(dir, name);
  switch (damage.kind) {
    case 'fifo': {
      const path = `${victim}.fifo.yaml`;
      const made = spawnSync('mkfifo', [at(path)]);
      if (made.status !== 0) throw new Error(`mkfifo: ${made.stderr}`);
      return { names: path };
    }
    case 'symlink-loop':
      symlinkSync('loop-b.json', at('loop-a.json'));
      symlinkSync('loop-a.json', at('loop-b.json'));
      return { names: 'loop-a.json' };
    case 'link-out':
      // The target is the temp directory's parent: never read, only named.
      symlinkSync(join(dir, '..'), at('outside'));
      return { names: 'outside' };
    case 'dangling-link':
      symlinkSync('no-such-capture.json', at('dangling.json'));
      return { names: 'dangling.json' };
    case 'oversize': {
      const size = files.find((f) => f.path === victim)?.bytes.length ?? 0;
      if (size === 0) {
        writeFileSync(at('big.json'), ' '.repeat(64));
        return { maxFileSize: 63, names: 'big.json' };
      }
      return { maxFileSize: size - 1, names: victim };
    }
    case 'manifest-missing':
      writeFileSync(
        at('manifest.json'),
        JSON.stringify({
          apiVersion: 'dynamo-netcheck/v1',
          kind: 'SnapshotManifest',
          createdAt: '2026-12-06T00:00:00Z',
          toolVersion: 'fuzz',
          files: [...files.map((f) => ({ path: f.path })), { path: 'k8s/lost-in-transfer.json' }],
        }),
      );
      return { names: 'manifest.json' };
  }
}
