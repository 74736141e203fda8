/**
 * Text from a snapshot or a cluster (names, tags, labels, log lines, events, file names, a server's
 * banner) reaches a terminal. Raw, an ESC starts a control sequence (colours, cursor moves, OSC 52
 * clipboard writes, hyperlinks) and a bidi control (U+202E and its kin) reorders what is shown, so
 * a report could say what it does not. Every human-readable renderer shows such characters as
 * escapes instead: `\x1b`, `\u202e`, `\n`.
 */

/** C0 and C1 controls, DEL, LS/PS, and the bidi and direction marks (Unicode UAX #9). */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_BUT_NEWLINE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** The text with every control and bidi character written as an escape; `keepNewlines` keeps LF. */
export function escapeControls(text: string, options: { keepNewlines?: boolean } = {}): string {
  return text.replace(options.keepNewlines ? UNSAFE_BUT_NEWLINE : UNSAFE, escapeChar);
}

/** Keys whose strings are multi-line by design (a NetworkPolicy fix is a command with a heredoc). */
const MULTI_LINE_KEYS = new Set(['command']);

/**
 * A copy of plain data (what a renderer is given) with `escapeControls` applied to every string,
 * keys included. Strings under a `command` key keep their line breaks.
 */
export function terminalSafe<T>(value: T): T {
  const walk = (v: unknown, keepNewlines: boolean): unknown => {
    if (typeof v === 'string') return escapeControls(v, { keepNewlines });
    if (Array.isArray(v)) return v.map((x) => walk(x, keepNewlines));
    if (v instanceof Map)
      return new Map([...v].map(([k, x]) => [walk(k, false), walk(x, keepNewlines)] as const));
    if (v instanceof Set) return new Set([...v].map((x) => walk(x, keepNewlines)));
    if (v && typeof v === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(v)))
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [escapeControls(k), walk(x, MULTI_LINE_KEYS.has(k))]),
      );
    return v;
  };
  return walk(value, false) as T;
}
