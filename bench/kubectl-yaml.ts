/**
 * Writes JSON values as `kubectl get -o yaml` does (go-yaml v2 through sigs.k8s.io/yaml): keys
 * sorted, a sequence under a key at the key's indentation, strings plain when YAML 1.1 would read
 * them back as strings, else double-quoted ("80", "true", "2025-03-11T17:50:09Z", ""), single-quoted
 * when they start with an indicator or hold `: ` or ` #`, and literal blocks (`|`, `|-`) for
 * several lines. Unlike go-yaml it does not fold long strings at 80 columns. Used by the benchmark
 * to write the same snapshot as JSON and as kubectl YAML (test/base/yaml-fast.test.ts checks it
 * reads back as the same value).
 *
 *   node --import tsx bench/kubectl-yaml.ts <json-dir> <yaml-dir>
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** Words and numbers YAML 1.1 (go-yaml v2) or 1.2 resolves to something other than a string. */
const TYPED =
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~|[-+]?(?:[0-9][0-9_]*(?::[0-5]?[0-9])*(?:\.[0-9_]*)?|\.[0-9_]+)(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0o[0-7]+|0b[01_]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|\d{4}-\d\d?-\d\d?(?:[Tt ].*)?)$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_LF = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;
const INDICATOR_START = /^[-?:,[\]{}#&*!|>'"%@` ]/;

function scalar(value: unknown, indent: number): string {
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = String(value);
  if (text === '' || TYPED.test(text)) return JSON.stringify(text);
  if (text.includes('\n')) {
    const body = text.endsWith('\n') ? text.slice(0, -1) : text;
    const lines = body.split('\n');
    const literal =
      body !== '' &&
      !CONTROL_BUT_LF.test(text) &&
      !body.endsWith('\n') &&
      !/^\s/.test(body) &&
      lines.every((l) => !l.endsWith(' '));
    if (literal) {
      const pad = ' '.repeat(indent + 2);
      return `${text.endsWith('\n') ? '|' : '|-'}\n${lines.map((l) => (l ? pad + l : '')).join('\n')}`;
    }
    return JSON.stringify(text);
  }
  if (CONTROL.test(text)) return JSON.stringify(text);
  if (INDICATOR_START.test(text) || text.includes(': ') || text.includes(' #') || /[: ]$/.test(text))
    return `'${text.replaceAll("'", "''")}'`;
  return text;
}

const isEmpty = (value: object): boolean =>
  Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;

function collection(value: object, indent: number, out: string[]): void {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item !== null && typeof item === 'object' && !isEmpty(item)) {
        const start = out.length;
        collection(item, indent + 2, out);
        out[start] = `${pad}- ${out[start]!.slice(indent + 2)}`;
      } else out.push(`${pad}- ${inline(item, indent)}`);
    }
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    const head = `${pad}${scalar(key, indent)}:`;
    if (item !== null && typeof item === 'object' && !isEmpty(item)) {
      out.push(head);
      collection(item, Array.isArray(item) ? indent : indent + 2, out);
    } else out.push(`${head} ${inline(item, indent)}`);
  }
}

const inline = (value: unknown, indent: number): string =>
  value !== null && typeof value === 'object' ? (Array.isArray(value) ? '[]' : '{}') : scalar(value, indent);

/** `value` as kubectl would print it with `-o yaml`. */
export function kubectlYaml(value: unknown): string {
  if (value === null || typeof value !== 'object' || isEmpty(value)) return `${inline(value, -2)}\n`;
  const out: string[] = [];
  collection(value, 0, out);
  return `${out.join('\n')}\n`;
}

/** Every `.json` file under `from` written as kubectl YAML under `to`, same path, `.yaml`. */
export function yamlCopy(from: string, to: string): void {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : [path];
    });
  for (const file of walk(from).filter((f) => f.endsWith('.json'))) {
    const target = join(to, relative(from, file)).replace(/\.json$/, '.yaml');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, kubectlYaml(JSON.parse(readFileSync(file, 'utf8'))));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [from, to] = process.argv.slice(2);
  if (!from || !to) throw new Error('usage: kubectl-yaml.ts <json-dir> <yaml-dir>');
  yamlCopy(from, to);
}
