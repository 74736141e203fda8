/**
 * A fast reader for the YAML `kubectl get -o yaml` writes: block mappings and sequences (a
 * sequence under a key at the key's own indentation, as go-yaml writes it), plain, single- and
 * double-quoted scalars, literal block scalars (`|`, `|-`), `{}` and `[]`, full-line comments and
 * `---` between documents. The `yaml` package builds a syntax tree with a node, a range and a
 * source token for every scalar before it gives plain values: about 30 times slower than
 * JSON.parse and 50 bytes of memory per byte of input on a large capture. This reader goes line
 * by line and builds the values directly.
 *
 * Correctness first: it gives exactly the value `yaml` (YAML 1.2, core schema, the options of
 * `parseAllDocuments` the loader uses) would give, or `undefined` — it understood not every line —
 * and the caller parses the text with `yaml`. Plain scalars are resolved by the `yaml` package's
 * own core-schema tags, and a scalar folded over several lines by `yaml` itself. Anything else —
 * anchors, aliases, tags, flow collections with content, folded (`>`) or kept (`|+`) block
 * scalars and indentation indicators, comments after a value, tabs, a CR outside CRLF, NEL/LS/PS
 * or C0/C1 controls, directives, a nesting deeper than the loader allows — is left to `yaml`.
 * test/base/yaml-fast.test.ts holds it equal to `yaml` on the examples and on crafted inputs.
 */
import YAML, { isScalar, type ScalarTag } from 'yaml';

/** Thrown (and caught in `parseKubectlYaml`) when a line is not of the understood subset. */
const NOT_UNDERSTOOD = Symbol('not understood');

/** The options `toJS` and tag resolution see in the loader: `yaml`'s defaults, keys not unique. */
const DOC = new YAML.Document(null, { uniqueKeys: false });
/** The core schema's scalar tags that resolve plain scalars by a test, in `yaml`'s order. */
const TAGS = DOC.schema.tags.filter(
  (tag): tag is ScalarTag & { test: RegExp } => tag.default === true && !tag.collection && !!tag.test,
);
const ON_ERROR = (): never => {
  throw NOT_UNDERSTOOD;
};

/**
 * First characters of every plain scalar a core-schema tag may match: 1 for null and bool words
 * (`null`, `True`, `FALSE`: 4 or 5 letters), 2 for `~`, numbers, `.inf` and `.nan`.
 */
const MAY_BE_TYPED = new Uint8Array(128);
for (const c of 'nNtTfF') MAY_BE_TYPED[c.charCodeAt(0)] = 1;
for (const c of '~0123456789-+.') MAY_BE_TYPED[c.charCodeAt(0)] = 2;

/**
 * Characters the reader leaves to `yaml`: tab, CR (but in CRLF line ends), other C0 and C1
 * controls, DEL, NEL, LS, PS, and a byte-order mark inside the text.
 */
// eslint-disable-next-line no-control-regex
const UNHANDLED_CHARS = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\ufeff]|\r(?!\n)/;

/**
 * Characters that may not start a plain scalar (YAML 1.2, c-indicator), and those that start
 * one only when a non-space follows (`-`, `?`, `:`).
 */
const INDICATOR = new Uint8Array(128);
for (const c of ',[]{}#&*!|>\'"%@`') INDICATOR[c.charCodeAt(0)] = 1;
for (const c of '-?:') INDICATOR[c.charCodeAt(0)] = 2;

const SPACE = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const DQUOTE = 34;
const SQUOTE = 39;

/** `yaml`'s double-quoted escapes (compose/resolve-flow-scalar.js). */
const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
};

/** A plain scalar's value as the core schema resolves it (`0755` → 755, `~` → null, `yes` → 'yes'). */
function resolvePlain(source: string): unknown {
  const c = source.charCodeAt(0);
  if (c < 128) {
    const typed = MAY_BE_TYPED[c];
    if (typed === 0 || (typed === 1 && source.length !== 4 && source.length !== 5)) return source;
  }
  for (const tag of TAGS) {
    if (tag.test.test(source)) {
      const resolved = tag.resolve(source, ON_ERROR, DOC.options);
      return isScalar(resolved) ? resolved.value : resolved;
    }
  }
  return source;
}

/** A map key as `yaml`'s toJS writes it into an object (addPairToJSMap: null → '', else String). */
function keyString(value: unknown): string {
  return value === null ? '' : String(value);
}

/** `-` as a block sequence entry indicator at `col`: followed by a space or the end of the line. */
const isDashEntry = (line: string, col: number): boolean =>
  line.charCodeAt(col) === DASH && (col + 1 === line.length || line.charCodeAt(col + 1) === SPACE);

/** `---` or `...` at column 0: a document marker (or text `yaml` may take as one). */
const isMarker = (line: string): boolean => line.startsWith('---') || line.startsWith('...');

/** A plain scalar on one line that `yaml` reads as the text itself (no comment, no key). */
function plainOk(text: string): boolean {
  const c = text.charCodeAt(0);
  if (c < 128) {
    const kind = INDICATOR[c];
    if (kind === 1) return false;
    if (kind === 2 && (text.length === 1 || text.charCodeAt(1) === SPACE)) return false;
  }
  const last = text.charCodeAt(text.length - 1);
  if (last === COLON || last === SPACE) return false;
  // `: ` and ` #` both hold a space; most scalars (names, addresses, numbers) hold none.
  const space = text.indexOf(' ');
  return space === -1 || (text.indexOf(': ', space - 1) === -1 && text.indexOf(' #', space) === -1);
}

/**
 * A later line of a plain scalar that `yaml` folds into it: any first character but `#` and a
 * `-`, `?` or `:` that would start an entry, and no `: ` or ` #`.
 */
function continuationOk(text: string): boolean {
  const c = text.charCodeAt(0);
  if (c === HASH) return false;
  if (c < 128 && INDICATOR[c] === 2 && (text.length === 1 || text.charCodeAt(1) === SPACE)) return false;
  const last = text.charCodeAt(text.length - 1);
  if (last === COLON || last === SPACE) return false;
  return text.indexOf(': ') === -1 && text.indexOf(' #') === -1;
}

/** Index of the closing double quote of a scalar opened at `from - 1`, or -1 when not on this line. */
function closingDouble(line: string, from: number): number {
  for (let i = from; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 92) i++;
    else if (c === DQUOTE) return i;
  }
  return -1;
}

/** Index of the closing single quote (`''` is a quote inside), or -1 when not on this line. */
function closingSingle(line: string, from: number): number {
  for (let i = from; i < line.length; i++) {
    if (line.charCodeAt(i) === SQUOTE) {
      if (line.charCodeAt(i + 1) === SQUOTE) i++;
      else return i;
    }
  }
  return -1;
}

/** The value of a double-quoted scalar's inside, on one line. */
function unescapeDouble(inner: string): string {
  if (inner.indexOf('\\') === -1) return inner;
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i]!;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = inner[++i];
    if (next === undefined) throw NOT_UNDERSTOOD;
    const simple = ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    const length = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    const hex = inner.substr(i + 1, length);
    if (length === 0 || hex.length !== length || !/^[0-9a-fA-F]+$/.test(hex)) throw NOT_UNDERSTOOD;
    const code = parseInt(hex, 16);
    if (code > 0x10ffff) throw NOT_UNDERSTOOD;
    out += String.fromCodePoint(code);
    i += length;
  }
  return out;
}

/** Kinds of line, outside block scalars. */
const CONTENT = 0;
const BLANK = 1;
const COMMENT = 2;

class Reader {
  private i = 0;
  private readonly n: number;
  /** Spaces before each line's first other character (its length when blank). */
  private readonly indent: Int32Array;
  /** CONTENT, BLANK (spaces only) or COMMENT, per line. */
  private readonly kind: Uint8Array;

  constructor(
    private readonly lines: readonly string[],
    private readonly maxDepth: number,
  ) {
    const n = lines.length;
    this.n = n;
    this.indent = new Int32Array(n);
    this.kind = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const line = lines[i]!;
      let at = 0;
      while (line.charCodeAt(at) === SPACE) at++;
      this.indent[i] = at;
      this.kind[i] = at === line.length ? BLANK : line.charCodeAt(at) === HASH ? COMMENT : CONTENT;
    }
  }

  documents(): unknown[] {
    const docs: unknown[] = [];
    let openMarker = false;
    for (;;) {
      this.skipBlank();
      if (this.i >= this.n) {
        if (openMarker) docs.push(null);
        return docs;
      }
      const line = this.lines[this.i]!;
      if (isMarker(line)) {
        if (line !== '---') throw NOT_UNDERSTOOD;
        if (openMarker) docs.push(null);
        openMarker = true;
        this.i++;
        continue;
      }
      docs.push(this.blockNode(this.indent[this.i]!, 1));
      openMarker = false;
      this.skipBlank();
      if (this.i < this.n && !isMarker(this.lines[this.i]!)) throw NOT_UNDERSTOOD;
    }
  }

  private skipBlank(): void {
    while (this.i < this.n && this.kind[this.i] !== CONTENT) this.i++;
  }

  /** Indentation of the current line (after blanks were skipped), -1 at the end or a marker. */
  private peekIndent(): number {
    if (this.i >= this.n) return -1;
    const indent = this.indent[this.i]!;
    return indent === 0 && isMarker(this.lines[this.i]!) ? -1 : indent;
  }

  /** A mapping or sequence starting on the current line at column `indent`. */
  private blockNode(indent: number, depth: number): unknown {
    if (depth > this.maxDepth) throw NOT_UNDERSTOOD;
    const line = this.lines[this.i]!;
    if (isDashEntry(line, indent)) return this.sequence(indent, depth);
    if (this.keyEnd(line, indent) === -1) throw NOT_UNDERSTOOD;
    return this.mapping(indent, depth);
  }

  /**
   * Where the key of a `key: value` entry at `col` ends (the index of its `:`), or -1 when the
   * text there is no key. A quoted key must close on this line.
   */
  private keyEnd(line: string, col: number): number {
    const c = line.charCodeAt(col);
    if (c === DQUOTE || c === SQUOTE) {
      const close = c === DQUOTE ? closingDouble(line, col + 1) : closingSingle(line, col + 1);
      if (close === -1 || line.charCodeAt(close + 1) !== COLON) return -1;
      return close + 2 === line.length || line.charCodeAt(close + 2) === SPACE ? close + 1 : -1;
    }
    const colon = line.indexOf(': ', col);
    if (colon !== -1) return colon;
    return line.charCodeAt(line.length - 1) === COLON && line.length > col + 1 ? line.length - 1 : -1;
  }

  private key(line: string, col: number, end: number): string {
    if (end === col || end - col > 1024) throw NOT_UNDERSTOOD;
    const c = line.charCodeAt(col);
    if (c === DQUOTE) return unescapeDouble(line.slice(col + 1, end - 1));
    if (c === SQUOTE) return line.slice(col + 1, end - 1).replaceAll("''", "'");
    const text = line.slice(col, end);
    if (!plainOk(text) || text === '<<') throw NOT_UNDERSTOOD;
    return keyString(resolvePlain(text));
  }

  /** A block mapping whose keys sit at column `indent`; its first key is on the current line. */
  private mapping(indent: number, depth: number): Record<string, unknown> {
    if (depth > this.maxDepth) throw NOT_UNDERSTOOD;
    const map: Record<string, unknown> = {};
    for (;;) {
      const line = this.lines[this.i]!;
      const end = this.keyEnd(line, indent);
      if (end === -1) throw NOT_UNDERSTOOD;
      const key = this.key(line, indent, end);
      let start = end + 1;
      while (line.charCodeAt(start) === SPACE) start++;
      let value: unknown;
      if (start === line.length) {
        this.i++;
        this.skipBlank();
        const next = this.peekIndent();
        if (next > indent) value = this.blockNode(next, depth + 1);
        else if (next === indent && isDashEntry(this.lines[this.i]!, indent))
          value = this.sequence(indent, depth + 1);
        else value = null;
      } else {
        value = this.inlineValue(line, start, indent);
      }
      // As yaml's addPairToJSMap, which defines a key already there or inherited. Assigning is the
      // same for every key but `__proto__`, the one accessor on Object.prototype.
      if (key === '__proto__')
        Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
      else map[key] = value;
      this.skipBlank();
      const next = this.peekIndent();
      if (next > indent) throw NOT_UNDERSTOOD;
      if (next < indent || isDashEntry(this.lines[this.i]!, indent)) return map;
    }
  }

  /** A block sequence whose `-` sit at column `indent`; its first entry is on the current line. */
  private sequence(indent: number, depth: number): unknown[] {
    if (depth > this.maxDepth) throw NOT_UNDERSTOOD;
    const items: unknown[] = [];
    for (;;) {
      const line = this.lines[this.i]!;
      let col = indent + 1;
      while (line.charCodeAt(col) === SPACE) col++;
      if (col === line.length) {
        this.i++;
        this.skipBlank();
        const next = this.peekIndent();
        items.push(next > indent ? this.blockNode(next, depth + 1) : null);
      } else if (line.charCodeAt(col) === HASH) {
        throw NOT_UNDERSTOOD;
      } else if (isDashEntry(line, col)) {
        // `- - a`: a sequence in a sequence, its entries at the inner dash's column.
        items.push(this.sequence(col, depth + 1));
      } else if (this.keyEnd(line, col) !== -1) {
        items.push(this.mapping(col, depth + 1));
      } else {
        items.push(this.inlineValue(line, col, indent));
      }
      this.skipBlank();
      const next = this.peekIndent();
      if (next > indent) throw NOT_UNDERSTOOD;
      if (next < indent || !isDashEntry(this.lines[this.i]!, indent)) return items;
    }
  }

  /**
   * A scalar (or `{}` / `[]`) starting at `col` of the current line, in a collection whose
   * entries sit at column `parent`; moves past its last line.
   */
  private inlineValue(line: string, col: number, parent: number): unknown {
    const c = line.charCodeAt(col);
    if (c === DQUOTE || c === SQUOTE) {
      const close = c === DQUOTE ? closingDouble(line, col + 1) : closingSingle(line, col + 1);
      if (close === -1) return this.multiLineQuoted(line, col, parent, c);
      if (close !== line.length - 1) throw NOT_UNDERSTOOD;
      this.i++;
      const inner = line.slice(col + 1, close);
      return c === DQUOTE ? unescapeDouble(inner) : inner.replaceAll("''", "'");
    }
    if (c === 124 /* | */) return this.literal(line.slice(col), parent);
    if (c === 91 /* [ */ || c === 123 /* { */) {
      const rest = line.slice(col);
      if (rest !== '[]' && rest !== '{}') throw NOT_UNDERSTOOD;
      this.i++;
      return rest === '[]' ? [] : {};
    }
    const text = line.slice(col);
    if (!plainOk(text)) throw NOT_UNDERSTOOD;
    this.i++;
    // A plain scalar continues on lines indented more than its collection's entries.
    let last = this.i - 1;
    for (let j = this.i; j < this.n; j++) {
      const kind = this.kind[j]!;
      if (kind === BLANK) continue;
      if (this.indent[j]! <= parent) break;
      if (kind === COMMENT) throw NOT_UNDERSTOOD;
      last = j;
    }
    if (last === this.i - 1) return resolvePlain(text);
    for (let j = this.i; j <= last; j++) {
      if (this.kind[j] === CONTENT && !continuationOk(this.lines[j]!.slice(this.indent[j])))
        throw NOT_UNDERSTOOD;
    }
    const value = delegate([text, ...this.lines.slice(this.i, last + 1)].join('\n'));
    this.i = last + 1;
    return value;
  }

  /** A quoted scalar that does not close on its first line: found here, folded by `yaml`. */
  private multiLineQuoted(line: string, col: number, parent: number, quote: number): unknown {
    for (let j = this.i + 1; j < this.n; j++) {
      if (this.kind[j] === BLANK) continue;
      const next = this.lines[j]!;
      const indent = this.indent[j]!;
      if (indent <= parent) throw NOT_UNDERSTOOD;
      // An escaped line break (`\` at the end of the previous line) is not a quote here.
      const close = quote === DQUOTE ? closingDouble(next, indent) : closingSingle(next, indent);
      if (close === -1) continue;
      if (close !== next.length - 1) throw NOT_UNDERSTOOD;
      const value = delegate([line.slice(col), ...this.lines.slice(this.i + 1, j + 1)].join('\n'));
      this.i = j + 1;
      return value;
    }
    throw NOT_UNDERSTOOD;
  }

  /**
   * A literal block scalar, `|` (one final line break) or `|-` (none), with its indentation
   * detected from its first non-blank line (YAML 1.2, 8.1.1.1). Lines of spaces only are empty
   * lines, or content when longer than the indentation, as `yaml` reads them.
   */
  private literal(header: string, parent: number): string {
    if (header !== '|' && header !== '|-') throw NOT_UNDERSTOOD;
    const start = this.i + 1;
    let indent = -1;
    let leadingSpaces = 0;
    let j = start;
    for (; j < this.n; j++) {
      const at = this.indent[j]!;
      if (this.kind[j] === BLANK) {
        leadingSpaces = Math.max(leadingSpaces, at);
        continue;
      }
      indent = at;
      break;
    }
    // No content (an empty literal) or blank lines indented deeper than the text: left to yaml.
    if (indent <= parent || leadingSpaces > indent) throw NOT_UNDERSTOOD;
    let end = j;
    let lastContent = j;
    for (; end < this.n; end++) {
      const at = this.indent[end]!;
      if (this.kind[end] === BLANK) {
        if (at > indent) lastContent = end;
        continue;
      }
      if (at < indent) break;
      lastContent = end;
    }
    const parts: string[] = [];
    for (let k = start; k <= lastContent; k++) {
      const line = this.lines[k]!;
      parts.push(line.length > indent ? line.slice(indent) : '');
    }
    this.i = end;
    return header === '|' ? parts.join('\n') + '\n' : parts.join('\n');
  }
}

/** A scalar written over several lines, read by `yaml` itself, or not understood. */
function delegate(text: string): unknown {
  const doc = YAML.parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length > 0 || doc.warnings.length > 0 || !isScalar(doc.contents)) throw NOT_UNDERSTOOD;
  return doc.toJS();
}

/**
 * Every document of `text` as `YAML.parseAllDocuments(text, { uniqueKeys: false })` and `toJS`
 * would give them, or `undefined` when the text is not of the kubectl subset (then parse it with
 * `yaml`). Never throws; a mapping or sequence nested deeper than `maxDepth` is not understood.
 */
export function parseKubectlYaml(text: string, maxDepth: number): unknown[] | undefined {
  if (UNHANDLED_CHARS.test(text)) return undefined;
  // CRLF line ends (kubectl on Windows, PowerShell's `>`): yaml reads them as LF.
  const lines = (text.includes('\r') ? text.replaceAll('\r\n', '\n') : text).split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  try {
    return new Reader(lines, maxDepth).documents();
  } catch (err) {
    if (err === NOT_UNDERSTOOD) return undefined;
    // A stack overflow on hostile nesting below maxDepth, or a bug: yaml decides.
    if (err instanceof RangeError) return undefined;
    throw err;
  }
}
