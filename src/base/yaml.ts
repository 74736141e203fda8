/**
 * YAML the tool writes (CloudFormation, Kubernetes manifests, the NetworkPolicy heredocs) holds
 * names from a snapshot. The `yaml` package writes YAML 1.2, where only CR and LF break lines; a
 * YAML 1.1 reader (PyYAML, many CI linters) also breaks lines at NEL (U+0085), LS (U+2028) and PS
 * (U+2029) (YAML 1.1 spec, 5.4 "Line Break Characters"). A name carrying one of them in a plain
 * scalar or a comment would start a new line there, and so a new key or document. So every string
 * with a line break or another control character is written double-quoted, and inside it those
 * characters are escapes (`\N`, `\L`, `\P`, `\xNN`; YAML 1.1 and 1.2, "Escape Sequences").
 */
import YAML, { type Document, type ToStringOptions } from 'yaml';

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
