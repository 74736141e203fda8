/**
 * YAML the tool reads (`readYaml`, below) and writes.
 *
 * YAML the tool writes (CloudFormation, Kubernetes manifests, the NetworkPolicy heredocs) holds
 * names from a snapshot. The `yaml` package writes YAML 1.2, where only CR and LF break lines; a
 * YAML 1.1 reader (PyYAML, many CI linters) also breaks lines at NEL (U+0085), LS (U+2028) and PS
 * (U+2029) (YAML 1.1 spec, 5.4 "Line Break Characters"). A name carrying one of them in a plain
 * scalar or a comment would start a new line there, and so a new key or document. So every string
 * with a line break or another control character is written double-quoted, and inside it those
 * characters are escapes (`\N`, `\L`, `\P`, `\xNN`; YAML 1.1 and 1.2, "Escape Sequences").
 */
import YAML, { type Document, type ToStringOptions } from 'yaml';
import { MAX_NESTING, nestingProblem } from './nesting.ts';
import { parseKubectlYaml } from './yaml-fast.ts';

/** Characters a YAML reader may take as a line break, and other controls it may refuse raw. */
// eslint-disable-next-line no-control-regex
const NEEDS_QUOTES = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/;
const RAW_OUTSIDE_ASCII = /[\u007f-\u009f\u2028\u2029]/g;

function escapeChar(c: string): string {
  if (c === '\u0085') return '\\N';
  if (c === '\u2028') return '\\L';
  if (c === '\u2029') return '\\P';
  return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/** Marks every string scalar (keys included) that holds a line break or control to be double-quoted. */
export function quoteControlScalars(doc: Document): void {
  YAML.visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && NEEDS_QUOTES.test(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
}

/**
 * The document as text, with NEL, LS, PS, DEL and C1 controls escaped. Call only on a document
 * whose comments hold none of them (`quoteControlScalars` has put every scalar that does in double
 * quotes, the one place an escape means the character).
 */
export function safeYamlText(doc: Document, options?: ToStringOptions): string {
  quoteControlScalars(doc);
  return doc.toString(options).replace(RAW_OUTSIDE_ASCII, escapeChar);
}

/** `YAML.stringify` for data from a snapshot: the same text, except strings with line breaks. */
export function stringifyYaml(value: unknown): string {
  return safeYamlText(new YAML.Document(value));
}

/**
 * Comment text on one line: every character any YAML, HCL or shell reader may take as a line
 * break (CR, LF, NEL, LS, PS), and the other controls, become a space.
 */
export function oneLineComment(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
}

/** Aliases `yaml` expands before it calls a document an alias bomb (its `maxAliasCount`). */
const MAX_ALIAS_COUNT = 100;

/** A file's YAML documents as plain values, or why they cannot be read. */
export type YamlRead =
  | { docs: unknown[] }
  /** `limit`: the text is YAML, but hostile (an alias bomb, nesting past MAX_NESTING). */
  | { error: string; limit: boolean };

/**
 * Every YAML document of `text` as plain values (YAML 1.2, core schema; a repeated key keeps its
 * last value). kubectl's YAML is read by a fast path (yaml-fast.ts), anything else by the `yaml`
 * package; both give the same values. Input that would exhaust memory or the stack is an error
 * with `limit` set: aliases past `yaml`'s budget or expanding to more values than the text holds,
 * and mappings or sequences nested deeper than MAX_NESTING (the fast path leaves those to `yaml`).
 */
export function readYaml(text: string): YamlRead {
  const fast = parseKubectlYaml(text, MAX_NESTING);
  if (fast) return { docs: fast };
  const documents = YAML.parseAllDocuments(text, { uniqueKeys: false });
  const docs: unknown[] = [];
  for (const doc of documents) {
    const error = doc.errors[0];
    if (error) {
      const pos = error.linePos?.[0];
      const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
      // yaml reports the stack overflow of a too deeply nested document as resource exhaustion.
      if (error.code === 'RESOURCE_EXHAUSTION')
        return { error: `YAML nested too deep${where}: not read`, limit: true };
      return { error: `invalid YAML${where}: ${error.message.split('\n')[0]}`, limit: false };
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      if (err instanceof RangeError && /call stack/i.test(err.message))
        return { error: `YAML nested too deep: not read`, limit: true };
      if (err instanceof ReferenceError && /alias/i.test(err.message))
        return {
          error: `YAML aliases expand too far (more than ${MAX_ALIAS_COUNT} alias expansions; an alias bomb?): not read`,
          limit: true,
        };
      throw err;
    }
    // Each value takes at least a character to write out, unless an alias repeats it.
    const problem = nestingProblem(value, text.length + 10_000);
    if (problem) return { error: `YAML ${problem}`, limit: true };
    docs.push(value);
  }
  return { docs };
}
