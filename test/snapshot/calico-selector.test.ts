/**
 * Calico selector expressions. Expected matches are Calico's: the operator table and precedence
 * example of https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors and
 * the match / non-match / bad-selector tables of Calico's own parser tests
 * (projectcalico/calico libcalico-go/lib/selector/parser/parser_test.go).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSelector, parseCalicoSelector } from '../../src/snapshot/calico-selector.ts';
import { labelLookup, matchCalicoSelector } from '../../src/model/policy/calico-selectors.ts';

type Labels = Record<string, string>;

function matches(selector: string, labels: Labels, complete = true): string {
  const parsed = parseCalicoSelector(selector);
  assert.ok(parsed.ok, `${selector}: ${parsed.ok ? '' : parsed.error}`);
  return matchCalicoSelector(parsed.node, labelLookup(labels, complete));
}

const table: [string, Labels[], Labels[]][] = [
  ['a == "b"', [{ a: 'b' }, { a: 'b', c: 'd' }], [{}, { a: 'c' }, { c: 'd' }]],
  [
    'a == "b" && c == "d"',
    [{ a: 'b', c: 'd' }],
    [{}, { a: 'b', c: 'e' }, { a: 'c', c: 'd' }, { c: 'd' }, { a: 'b' }],
  ],
  [
    'a == "b" || c == "d"',
    [{ a: 'b', c: 'd' }, { a: 'b' }, { c: 'd' }],
    [{}, { a: 'e', c: 'e' }, { c: 'e' }, { a: 'e' }],
  ],
  [`a in {"'", '"', "c"}`, [{ a: 'c' }, { a: '"' }, { a: "'" }], [{}, { a: 'e' }]],
  [`a not in {"'", '"', "c"}`, [{}, { a: 'e' }], [{ a: 'c' }, { a: '"' }, { a: "'" }]],
  ["a == 'a'", [{ a: 'a' }], [{ a: 'b' }, {}]],
  ['a != "b"', [{ a: 'a' }], []],
  ['a != "a"', [{}], [{ a: 'a' }]],
  ['a contains "a"', [{ a: 'a' }, { a: 'bab' }, { a: 'aaa', b: 'c' }], [{}, { a: 'b' }, { b: 'aaa' }]],
  [
    'a starts with "a"',
    [{ a: 'a' }, { a: 'abb' }, { a: 'aaa', b: 'c' }],
    [{}, { a: 'b' }, { a: 'baa' }, { b: 'aaa' }],
  ],
  [
    'a ends with "a"',
    [{ a: 'a' }, { a: 'bba' }, { a: 'aaa', b: 'c' }],
    [{}, { a: 'b' }, { a: 'aab' }, { b: 'aaa' }],
  ],
  ['!a in {"a"}', [{ a: 'b' }], []],
  ['a in {"a", "b"}', [{ a: 'a' }, { a: 'b' }], [{ a: 'c' }]],
  ['a not in {"d", "e"}', [{ a: 'a' }], []],
  ['a not in {"a"}', [], [{ a: 'a' }]],
  ['has(a)', [{ a: 'b' }], []],
  ['!has(a)', [{ b: 'b' }], [{ a: 'b' }]],
  ['has(b)', [], [{ a: 'b' }]],
  ['!!has(b)', [], [{ a: 'b' }]],
  ['! has(a)', [], [{ a: 'b' }]],
  ['!!! has(a)', [], [{ a: 'b' }]],
  ['!! ! has(a)', [], [{ a: 'b' }]],
  ['', [{}, { a: 'b' }], []],
  [' ', [{}], []],
  ['all()', [{}], []],
  [' all()', [{ a: 'b' }], []],
  ['global()', [{}, { a: 'b' }], [{ 'projectcalico.org/namespace': 'default' }]],
  ["a == 'a1' && b != 'b1'", [], [{ a: 'a1', b: 'b1' }]],
  ["a != 'a1' && !b == 'b1'", [], [{ a: 'a1', b: 'b1' }]],
  ['has(a) && !has(b)', [{ a: 'a' }], []],
  ['!(!has(a) || has(b))', [{ a: 'a' }], []],
  ['!(has(b) || !has(a))', [{ a: 'a' }], []],
  ["a == 'a1' || b != 'b1'", [{ a: 'a1', b: 'b1' }], []],
  ["a != 'a1' || b != 'b1'", [], [{ a: 'a1', b: 'b1' }]],
  ["! a == 'a1' || ! b == 'b1'", [], [{ a: 'a1', b: 'b1' }]],
  [
    'a startswith "x" && b endswith "y" && c notin {"z"}',
    [{ a: 'xa', b: 'by' }],
    [{ a: 'xa', b: 'by', c: 'z' }],
  ],
];

describe('Calico selectors: each operator, as Calico matches it', () => {
  for (const [selector, yes, no] of table) {
    it(JSON.stringify(selector), () => {
      for (const labels of yes) assert.equal(matches(selector, labels), 'yes', JSON.stringify(labels));
      for (const labels of no) assert.equal(matches(selector, labels), 'no', JSON.stringify(labels));
    });
  }

  it('precedence: the docs’ example brackets as ((!has(my-label)) || ((my-label starts with prod) && (role in {…})))', () => {
    const selector = "! has(my-label) || my-label starts with 'prod' && role in {'frontend','business'}";
    const parsed = parseCalicoSelector(selector);
    assert.ok(parsed.ok);
    assert.equal(
      formatSelector(parsed.node),
      "!has(my-label) || my-label starts with 'prod' && role in {'frontend', 'business'}",
    );
    assert.equal(parsed.node.op, '||');
    // The docs: it matches any resource without my-label, and those with a prod* my-label and either role.
    assert.equal(matches(selector, {}), 'yes');
    assert.equal(matches(selector, { 'my-label': 'prod-1', role: 'business' }), 'yes');
    assert.equal(matches(selector, { 'my-label': 'prod-1', role: 'backend' }), 'no');
    assert.equal(matches(selector, { 'my-label': 'dev', role: 'frontend' }), 'no');
  });

  it('the docs’ sample selectors parse', () => {
    for (const s of [
      "role == 'database'",
      "role == 'frontend'",
      "color == 'red'",
      "shape == 'circle'",
      'env == "stage"',
    ])
      assert.ok(parseCalicoSelector(s).ok, s);
  });
});

describe('Calico selectors: labels not known', () => {
  it('a label not known makes ==, !=, has and in maybe, never yes', () => {
    for (const s of [
      "a == 'x'",
      "a != 'x'",
      'has(a)',
      '!has(a)',
      "a in {'x'}",
      "a not in {'x'}",
      "a contains 'x'",
    ])
      assert.equal(matches(s, {}, false), 'maybe', s);
  });

  it('a known label still decides, and && with a certain no is no; || with a certain yes is yes', () => {
    assert.equal(matches("a == 'x' && b == 'y'", { a: 'z' }, false), 'no');
    assert.equal(matches("a == 'x' || b == 'y'", { a: 'x' }, false), 'yes');
    assert.equal(matches("a == 'x' && b == 'y'", { a: 'x' }, false), 'maybe');
  });

  it('a label named like an Object.prototype member is not present', () => {
    assert.equal(matches('has(constructor)', {}), 'no');
    assert.equal(matches('has(toString)', {}), 'no');
  });
});

describe('Calico selectors: malformed input is refused, as Calico refuses it', () => {
  const bad = [
    'b == b',
    'b contains b',
    'b starts with b',
    'b ends with b',
    "'b1' == b",
    'b',
    'a b',
    '!',
    'foo == "bar" &',
    'foo == "bar" |',
    'foo != ||',
    'foo in {"", ||',
    'foo in ""',
    '"FOO',
    `"FOO'`,
    "'FOO",
    '(',
    '(a == "foo"',
    ')',
    '()',
    '%',
    'a == "b" && %',
    'a == "b" || %',
    'a ',
    'has(foo) &&',
    'a = "b"',
    'has()',
    'all(x)',
  ];
  for (const s of bad)
    it(JSON.stringify(s), () => {
      const parsed = parseCalicoSelector(s);
      assert.equal(parsed.ok, false);
      assert.ok(!parsed.ok && parsed.error.length > 0);
    });

  it('explains what is wrong', () => {
    const parsed = parseCalicoSelector('role == frontend');
    assert.ok(!parsed.ok);
    assert.match(parsed.error, /expected a quoted string after 'role =='/);
  });

  it('refuses absurd nesting and length instead of overflowing the stack', () => {
    assert.equal(parseCalicoSelector('('.repeat(100_000)).ok, false);
    assert.equal(parseCalicoSelector(`${'('.repeat(70)}has(a)${')'.repeat(70)}`).ok, false);
    assert.equal(parseCalicoSelector(`${'('.repeat(20)}has(a)${')'.repeat(20)}`).ok, true);
    assert.equal(parseCalicoSelector("a == 'x' && ".repeat(5000) + 'has(b)').ok, false);
  });

  it('is data, never code: a selector that looks like JavaScript is only a syntax error', () => {
    assert.equal(parseCalicoSelector('process.exit(1)').ok, false);
    assert.equal(parseCalicoSelector("a == '${process.exit(1)}'").ok, true);
    assert.equal(matches("a == '${process.exit(1)}'", { a: '${process.exit(1)}' }), 'yes');
  });
});
