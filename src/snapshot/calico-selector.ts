/**
 * Calico's label-selector expressions (`role == 'db' && !has(quarantine)`), parsed into a tree.
 * Snapshot content is hostile: a selector is only ever parsed into data here, never evaluated as
 * code, and what Calico's own parser would refuse is refused with its reason.
 *
 * Grammar and precedence as Calico documents them
 * (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors): match
 * operators bind tightest, then parentheses, `!`, `&&`, and `||` lowest. Tokens follow Calico's
 * tokenizer (projectcalico/calico libcalico-go/lib/selector/tokenizer/tokenizer.go): a label is
 * `[a-zA-Z0-9_./-]+`, strings are single- or double-quoted without escapes, `has(`, `all(` and
 * `global(` are words only when written with their parenthesis, and the empty selector is `all()`.
 */

export type SelectorNode =
  | { readonly op: 'all' }
  | { readonly op: 'global' }
  | { readonly op: 'has'; readonly key: string }
  | {
      readonly op: '==' | '!=' | 'contains' | 'starts with' | 'ends with';
      readonly key: string;
      readonly value: string;
    }
  | { readonly op: 'in' | 'not in'; readonly key: string; readonly values: readonly string[] }
  | { readonly op: '!'; readonly operand: SelectorNode }
  | { readonly op: '&&' | '||'; readonly operands: readonly SelectorNode[] };

export type SelectorParse = { ok: true; node: SelectorNode } | { ok: false; error: string };

/** Longer inputs and deeper nesting than any real policy has are refused rather than risked. */
export const MAX_SELECTOR_LENGTH = 16_384;
const MAX_DEPTH = 64;

type Token =
  | { kind: 'label' | 'string'; value: string }
  | {
      kind:
        | '('
        | ')'
        | '{'
        | '}'
        | ','
        | '=='
        | '!='
        | '!'
        | '&&'
        | '||'
        | 'in'
        | 'not in'
        | 'contains'
        | 'starts with'
        | 'ends with'
        | 'all'
        | 'global'
        | 'eof';
    }
  | { kind: 'has'; value: string };

const LABEL = /^[a-zA-Z0-9_./-]+/;
const SINGLE: Readonly<Record<string, '(' | ')' | '{' | '}' | ','>> = {
  '(': '(',
  ')': ')',
  '{': '{',
  '}': '}',
  ',': ',',
};

class SelectorError extends Error {}

function skipBlanks(input: string, at: number): number {
  while (at < input.length && (input[at] === ' ' || input[at] === '\t')) at += 1;
  return at;
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  for (;;) {
    at = skipBlanks(input, at);
    if (at >= input.length) {
      tokens.push({ kind: 'eof' });
      return tokens;
    }
    const rest = input.slice(at);
    const c = rest[0]!;
    if (Object.hasOwn(SINGLE, c)) {
      tokens.push({ kind: SINGLE[c]! });
      at += 1;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = input.indexOf(c, at + 1);
      if (end === -1) throw new SelectorError(`unterminated string starting at column ${at + 1}`);
      tokens.push({ kind: 'string', value: input.slice(at + 1, end) });
      at = end + 1;
      continue;
    }
    const pair = rest.slice(0, 2);
    if (pair === '==' || pair === '!=' || pair === '&&' || pair === '||') {
      tokens.push({ kind: pair } as Token);
      at += 2;
      continue;
    }
    if (c === '!') {
      tokens.push({ kind: '!' });
      at += 1;
      continue;
    }
    if (c === '=' || c === '&' || c === '|') {
      throw new SelectorError(`expected ${c}${c === '=' ? '=' : c} at column ${at + 1}`);
    }
    // After a label Calico looks for an operator word, not another label.
    if (tokens.at(-1)?.kind === 'label') {
      const word = /^(contains|starts[ \t]*with|ends[ \t]*with|not[ \t]*in|in)/.exec(rest);
      if (!word) {
        const label = (tokens.at(-1) as { value: string }).value;
        throw new SelectorError(`unexpected characters after label '${label}', was expecting an operator`);
      }
      const kind = word[1]!.replace(/[ \t]+/g, ' ').replace(/^(starts|ends|not)(with|in)$/, '$1 $2');
      tokens.push({ kind: kind as 'in' });
      at += word[0].length;
      continue;
    }
    const fn = /^(has|all|global)\(/.exec(rest);
    if (fn) {
      at = skipBlanks(input, at + fn[0].length);
      let key = '';
      if (fn[1] === 'has') {
        key = LABEL.exec(input.slice(at))?.[0] ?? '';
        if (!key) throw new SelectorError('no label name in has( expression');
        at = skipBlanks(input, at + key.length);
      }
      if (input[at] !== ')') throw new SelectorError(`no closing ')' after ${fn[1]}(`);
      at += 1;
      tokens.push(fn[1] === 'has' ? { kind: 'has', value: key } : { kind: fn[1] as 'all' | 'global' });
      continue;
    }
    const label = LABEL.exec(rest)?.[0];
    if (!label) throw new SelectorError(`unexpected character ${JSON.stringify(c)} at column ${at + 1}`);
    tokens.push({ kind: 'label', value: label });
    at += label.length;
  }
}

class Parser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.at]!;
  }

  private next(): Token {
    const token = this.tokens[this.at]!;
    if (token.kind !== 'eof') this.at += 1;
    return token;
  }

  parseRoot(): SelectorNode {
    if (this.peek().kind === 'eof') return { op: 'all' };
    const node = this.parseOr(0);
    if (this.peek().kind !== 'eof')
      throw new SelectorError(`unexpected ${describe(this.peek())} at end of selector`);
    return node;
  }

  private parseOr(depth: number): SelectorNode {
    const operands = [this.parseAnd(depth)];
    while (this.peek().kind === '||') {
      this.next();
      operands.push(this.parseAnd(depth));
    }
    return operands.length === 1 ? operands[0]! : { op: '||', operands };
  }

  private parseAnd(depth: number): SelectorNode {
    const operands = [this.parseOperation(depth)];
    while (this.peek().kind === '&&') {
      this.next();
      operands.push(this.parseOperation(depth));
    }
    return operands.length === 1 ? operands[0]! : { op: '&&', operands };
  }

  /** One operation, with any leading `!`s (Calico collapses them). */
  private parseOperation(depth: number): SelectorNode {
    if (depth > MAX_DEPTH) throw new SelectorError(`nested more than ${MAX_DEPTH} levels deep`);
    let negated = false;
    while (this.peek().kind === '!') {
      this.next();
      negated = !negated;
    }
    const node = this.parseMatch(depth);
    return negated ? { op: '!', operand: node } : node;
  }

  private parseMatch(depth: number): SelectorNode {
    const token = this.next();
    switch (token.kind) {
      case 'has':
        return { op: 'has', key: token.value };
      case 'all':
        return { op: 'all' };
      case 'global':
        return { op: 'global' };
      case '(': {
        const inner = this.parseOr(depth + 1);
        if (this.next().kind !== ')') throw new SelectorError('expected )');
        return inner;
      }
      case 'label': {
        const op = this.next();
        switch (op.kind) {
          case '==':
          case '!=':
          case 'contains':
          case 'starts with':
          case 'ends with': {
            const value = this.next();
            if (value.kind !== 'string')
              throw new SelectorError(`expected a quoted string after '${token.value} ${op.kind}'`);
            return { op: op.kind, key: token.value, value: value.value };
          }
          case 'in':
          case 'not in': {
            if (this.next().kind !== '{')
              throw new SelectorError(`expected a set literal { ... } after '${token.value} ${op.kind}'`);
            const values: string[] = [];
            while (this.peek().kind === 'string') {
              values.push((this.next() as { value: string }).value);
              if (this.peek().kind !== ',') break;
              this.next();
            }
            if (this.next().kind !== '}') throw new SelectorError('expected }');
            return { op: op.kind, key: token.value, values };
          }
          default:
            throw new SelectorError(
              `expected an operator after label '${token.value}', found ${describe(op)}`,
            );
        }
      }
      default:
        throw new SelectorError(`unexpected ${describe(token)}`);
    }
  }
}

function describe(token: Token): string {
  if (token.kind === 'eof') return 'end of selector';
  if (token.kind === 'label') return `label '${token.value}'`;
  if (token.kind === 'string') return `string '${token.value}'`;
  if (token.kind === 'has') return `has(${token.value})`;
  return `'${token.kind}'`;
}

/** Parses a Calico selector; `""` (or only blanks) is `all()`, as in Calico. */
export function parseCalicoSelector(text: string): SelectorParse {
  if (text.length > MAX_SELECTOR_LENGTH)
    return { ok: false, error: `selector longer than ${MAX_SELECTOR_LENGTH} characters` };
  try {
    return { ok: true, node: new Parser(tokenize(text)).parseRoot() };
  } catch (err) {
    if (err instanceof SelectorError) return { ok: false, error: err.message };
    throw err;
  }
}

/** The selector written back in Calico's syntax (for messages). */
export function formatSelector(node: SelectorNode): string {
  const quote = (v: string): string => (v.includes("'") ? `"${v}"` : `'${v}'`);
  switch (node.op) {
    case 'all':
    case 'global':
      return `${node.op}()`;
    case 'has':
      return `has(${node.key})`;
    case 'in':
    case 'not in':
      return `${node.key} ${node.op} {${node.values.map(quote).join(', ')}}`;
    case '!':
      return `!${node.operand.op === '&&' || node.operand.op === '||' ? `(${formatSelector(node.operand)})` : formatSelector(node.operand)}`;
    case '&&':
    case '||':
      return node.operands
        .map((o) => (o.op === '||' && node.op === '&&' ? `(${formatSelector(o)})` : formatSelector(o)))
        .join(` ${node.op} `);
    default:
      return `${node.key} ${node.op} ${quote(node.value)}`;
  }
}
