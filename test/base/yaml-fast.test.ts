/**
 * Differential: the fast kubectl-YAML reader gives exactly what the `yaml` package gives (as the
 * loader calls it), or says it did not understand the text. It must also really read kubectl's
 * YAML, or the speed it exists for is gone: the kubectl-style texts below must not fall back.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import YAML, { type ToStringOptions } from 'yaml';
import { kubectlYaml } from '../../bench/kubectl-yaml.ts';
import { MAX_NESTING } from '../../src/base/nesting.ts';
import { parseKubectlYaml } from '../../src/base/yaml-fast.ts';
import { readYaml } from '../../src/base/yaml.ts';

/** What the loader got from `yaml` before the fast reader: every document's value, or an error. */
function reference(text: string): unknown[] | 'error' {
  const docs = YAML.parseAllDocuments(text, { uniqueKeys: false });
  if ([...docs].some((doc) => doc.errors.length > 0)) return 'error';
  return [...docs].map((doc) => doc.toJS({ maxAliasCount: 100 }));
}

/** Fast equals `yaml`, or fell back; returns whether it read the text itself. */
function sameOrFallback(text: string): boolean {
  const fast = parseKubectlYaml(text, MAX_NESTING);
  if (fast === undefined) return false;
  const expected = reference(text);
  assert.notEqual(expected, 'error', `yaml refuses ${JSON.stringify(text)}, the fast reader read it`);
  assert.deepStrictEqual(fast, expected, JSON.stringify(text));
  return true;
}

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
const exampleFiles = walk('examples');
/** Every distinct JSON document of the examples (several examples share files). */
const exampleJson = [
  ...new Map(
    exampleFiles.filter((f) => f.endsWith('.json')).map((f) => [readFileSync(f, 'utf8'), f] as const),
  ),
].map(([text, file]) => ({ file, value: JSON.parse(text) as unknown }));

/** The styles kubectl (go-yaml) and other writers use: sequences not indented, 80-column folding. */
const kubectlStyles: [string, ToStringOptions & { version?: '1.1' | '1.2' }][] = [
  ['go-yaml-like (sequences at the key, folded at 80)', { indentSeq: false }],
  ['YAML 1.1 quoting (yes, timestamps)', { indentSeq: false, version: '1.1' }],
  ['no folding', { indentSeq: false, lineWidth: 0 }],
  ['indented sequences', { indentSeq: true }],
  ['single quotes', { indentSeq: false, singleQuote: true }],
];

describe('fast kubectl-YAML reader', () => {
  it("reads every example's YAML as yaml does", () => {
    const yamlFiles = exampleFiles.filter((f) => /\.ya?ml$/.test(f));
    assert.ok(yamlFiles.length >= 10);
    for (const file of yamlFiles) {
      const text = readFileSync(file, 'utf8');
      const read = sameOrFallback(text);
      // Written with CRLF line ends (kubectl on Windows, PowerShell's `>`).
      const readCrlf = sameOrFallback(text.replaceAll('\n', '\r\n'));
      // Captured with kubectl: the fast reader must read them itself.
      if (file.includes('/k8s/')) assert.ok(read && readCrlf, `${file} fell back`);
    }
  });

  it("reads every example's JSON written as go-yaml-like YAML itself, as yaml does", () => {
    assert.ok(exampleJson.length >= 30);
    for (const { file, value } of exampleJson)
      assert.ok(sameOrFallback(YAML.stringify(value, { indentSeq: false })), `${file} fell back`);
  });

  // The other styles on one example's files (yaml's writer and reader are slow on them all).
  const sample = exampleJson.filter(({ file }) => file.startsWith('examples/dgxc-multi-sg/'));
  for (const [style, options] of kubectlStyles.slice(1)) {
    it(`reads an example's JSON written as YAML, ${style}, itself and as yaml does`, () => {
      assert.ok(sample.length >= 10);
      for (const { file, value } of sample)
        assert.ok(sameOrFallback(YAML.stringify(value, options)), `${file} as YAML (${style}) fell back`);
    });
  }

  it("reads the benchmark's kubectl YAML of every example itself, as the same value as the JSON", () => {
    for (const { file, value } of exampleJson) {
      const text = kubectlYaml(value);
      assert.deepStrictEqual(parseKubectlYaml(text, MAX_NESTING), [value], file);
    }
    for (const { file, value } of sample)
      assert.deepStrictEqual(reference(kubectlYaml(value)), [value], file);
  });

  // [text, the fast reader reads it itself]
  const crafted: [string, boolean][] = [
    // documents and comments
    ['', true],
    ['# only a comment\n', true],
    ['---\na: 1\n', true],
    ['a: 1\n---\nb: 2\n', true],
    ['a: 1\n---\n', true],
    ['---\n---\n', true],
    ['# c\n---\na: 1', true],
    ['a:\n  # comment\n  b: 1\n# top\nc: 2\n', true],
    ['\n\na: 1', true],
    ['a: 1\n...\n', false],
    ['---foo: 1\n', false],
    ['%YAML 1.2\n---\na: 1\n', false],
    ['a: 1 # trailing\n', false],
    // numbers vs strings (YAML 1.2 core schema, as yaml reads it)
    [
      'a: 0755\nb: 1e3\nc: yes\nd: ~\ne: 1_000\nf: .5\ng: +1\nh: 0b11\ni: 1.50\nj: -0\nk: .NaN\nl: -.inf\n' +
        'm: 0x1F\nn: 0o17\no: 1.\np: +.5e-3\nq: no\nr: on\ns: Off\nt: 2024-01-01\nu: 12:30\nv: null\nw: True\n' +
        'x: FALSE\ny: 9007199254740993\nz: 1e400\n',
      true,
    ],
    ['0x10: a\n1e3: b\n~: c\ntrue: d\n1.0: e\n0o7: f\n.inf: g\nnull: h\n', true],
    ['a: "1"\nb: \'0755\'\nc: "true"\nd: "~"\n', true],
    ['a: +0x1\nb: .\nc: -.\nd: 1__2\ne: 00\n', true],
    // quoted scalars
    ["a: 'it''s'\nb: ''\nc: \"\"\nd: '#x'\ne: \"x: y\"\nf: ''''\n", true],
    ['a: "a\\x41\\u00e9\\N\\U0001F600\\_\\t\\/\\0\\e\\"\\\\"\n', true],
    ["'a b': 1\n\"c\\td\": 2\n'': 3\n'x: y': 4\n", true],
    ['a: "bad \\q"\n', false],
    ['a: "x" y\n', false],
    ['a: "multi\n  line\n\n  x"\n', true],
    ['a: "escaped \\\n   break"\n', true],
    ["a: 'one\n\n  two'\n", true],
    ['a: "x\ny"\n', false],
    // plain scalars
    ['a: :x\nb: -x\nc: ?x\nd: x#c\ne: x]\nf: x[y\ng: a,b\nh: é中😀\ni: a\u00a0b\n', true],
    ['a: plain\n  folded over\n\n  lines\n', true],
    [
      'a: plain\n  "quoted\n  [a, b]\n  {c}\n  &x\n  *y\n  !z\n  |p\n  >q\n  %r\n  @s\n  -t\n  ?u\n  :v\n',
      true,
    ],
    ['a: plain\n  - x\n', false],
    ['a: plain\n  ? x\n', false],
    ['a: plain\n  x: y\n', false],
    ['a: plain\n  x #y\n', false],
    ['- x\n y\n', true],
    ['a: plain\n  # comment\n', false],
    ['a: x  \n', false],
    ['a: b: c\n', false],
    ['a: x\n  b: y\n', false],
    ['a: -\n', false],
    ['a: @x\n', false],
    ['a: %x\n', false],
    ['a[1]: x\na,b: y\nkey with spaces: z\n', true],
    ['__proto__: 1\ntoString: 2\nconstructor: 3\n', true],
    ['a: 1\na: 2\nb: 3\n', true],
    ['<<: {a: 1}\n', false],
    // block scalars
    ['a: |\n  x\n\n  y\n\nb: 1\n', true],
    ['a: |-\n  x\n   \nb: 1\n', true],
    ['a: |\n\n  x\n', true],
    ['a: |\n  \n   x\n', true],
    ['a: |\n  x', true],
    ['a: |\n  x\n # a comment, not text\n', true],
    ['a: |\n  x\n  # text, not a comment\n', true],
    ['- |\n  x\n- y\n', true],
    ['- a: |\n   x\n', true],
    ['a: |\n    deeper\n  less\n', false],
    ['a: |\n   \n  x\n', false],
    ['a: |+\n  x\n\n\nb: 1\n', false],
    ['a: |2\n   x\n', false],
    ['a: >\n  x\n  y\n', false],
    ['a: | # c\n  x\n', false],
    ['a: |\nb: 1\n', false],
    // collections
    ['a:\n- 1\n- 2\nb: 3\n', true],
    ['a:\n    - 1\n    - 2\n', true],
    ['- a: 1\n  b: 2\n-\n- x\n', true],
    ['-   a: 1\n    b: 2\n', true],
    ['- \n  a: 1\n', true],
    ['-\n  - x\n', true],
    ['a:\n- b:\n  - c\n  d: 1\n', true],
    ['a:\n  -\n  - b\n', true],
    ['  a: 1\n  b: 2\n', true],
    ['a: {}\nb: []\n', true],
    ['a: { }\n', false],
    ['a: [1, 2]\n', false],
    ['{a: 1}\n', false],
    ['- - a\n  - b\n- - - c\n    - d\n  - e\n', true],
    ['a:\n- - x\n', true],
    ['a:\n  b: 1\n c: 2\n', false],
    ['a: x\n- y\n', false],
    ['? a\n: b\n', false],
    // anchors, aliases, tags
    ['a: &x 1\nb: *x\n', false],
    ['a: !!str 1\n', false],
    // characters left to yaml
    ['a:\tb\n', false],
    ['a: b\r\nc: d\r\n', true],
    ['a: |\r\n  x\r\n\r\n  y\r\nb: "p\r\n  q \\\r\n  r"\r\nc: s\r\n  t\r\n', true],
    ['a: b\rc: d\n', false],
    ['x: \u0085\n', false],
    ['x: \u2028\n', false],
  ];
  it('reads crafted tricky inputs as yaml does, or falls back', () => {
    for (const [text, fast] of crafted) {
      const expected = reference(text);
      const read = sameOrFallback(text);
      assert.equal(read, fast, `${JSON.stringify(text)}: ${read ? 'read' : 'fell back'}`);
      if (!read) assert.ok(expected === 'error' || Array.isArray(expected));
    }
  });

  it('falls back past the nesting limit, and yaml then refuses the file', () => {
    const nested = (depth: number): string =>
      Array.from({ length: depth }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + ' x\n';
    assert.ok(parseKubectlYaml(nested(MAX_NESTING), MAX_NESTING));
    assert.equal(parseKubectlYaml(nested(MAX_NESTING + 1), MAX_NESTING), undefined);
    assert.deepEqual(readYaml(nested(MAX_NESTING + 1)), {
      error: `YAML nested deeper than ${MAX_NESTING} levels: not read`,
      limit: true,
    });
  });

  it('any value written as YAML in any style reads back as yaml reads it', () => {
    const key = fc.oneof(
      fc.string({ unit: 'grapheme-ascii', maxLength: 12 }),
      fc.constantFrom('true', '0755', '1e3', '~', 'null', '-', 'a: b', '#x', '- a', '__proto__', ''),
    );
    const scalar = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.constantFrom('yes', '0755', '1e3', '~', ' lead', 'trail ', 'a\n\nb\n', '\n', 'x: y', "it's", '"q"'),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
    );
    const { collection } = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        scalar,
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(key, tie('value'), { maxKeys: 4 }),
      ),
      collection: fc.oneof(
        fc.array(tie('value'), { minLength: 1, maxLength: 4 }),
        fc.dictionary(key, tie('value'), { minKeys: 1, maxKeys: 6 }),
      ),
    }));
    const options = fc.record({
      indentSeq: fc.boolean(),
      lineWidth: fc.constantFrom(0, 20, 80),
      singleQuote: fc.constantFrom(null, true, false),
      blockQuote: fc.constantFrom(true, 'literal' as const, 'folded' as const),
      version: fc.constantFrom('1.1' as const, '1.2' as const),
    });
    let read = 0;
    fc.assert(
      fc.property(fc.array(collection, { minLength: 1, maxLength: 2 }), options, (docs, opts) => {
        const text = docs.map((doc) => YAML.stringify(doc, opts)).join('---\n');
        if (sameOrFallback(text)) read++;
      }),
      { numRuns: 300, seed: 17 },
    );
    // Most of these are of the subset; a reader that always fell back would pass the rest.
    assert.ok(read > 150, `read ${read} of 300`);
  });
});
