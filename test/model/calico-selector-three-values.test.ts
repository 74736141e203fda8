/**
 * Calico selector matching in three values (model/policy/calico-selectors.ts). Calico's operator
 * table (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors):
 * `has(k)`, `k == v`, `k in {…}`, `k contains s`, `k starts with s` and `k ends with s` need the
 * label; `k != v` and `k not in {…}` also match a resource without it; `all()` matches everything
 * in scope, `global()` a resource that is not namespaced (a workload endpoint carries
 * `projectcalico.org/namespace`). A label we cannot see (labels known only in part) makes a match
 * `maybe`, never `yes`; `!` of `maybe` stays `maybe`, `&&` with a `no` is `no`, `||` with a `yes`
 * is `yes`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCalicoSelector } from '../../src/snapshot/calico-selector.ts';
import {
  labelLookup,
  matchCalicoSelector,
  UNKNOWN,
  type LabelLookup,
} from '../../src/model/policy/calico-selectors.ts';

function match(selector: string, lookup: LabelLookup): string {
  const parsed = parseCalicoSelector(selector);
  assert.ok(parsed.ok, selector);
  return matchCalicoSelector(parsed.node, lookup);
}
const known = (labels: Record<string, string>): LabelLookup => labelLookup(labels, true);
const partly = (labels: Record<string, string>): LabelLookup => labelLookup(labels, false);

describe('Calico selector operators on known labels', () => {
  it('the string operators compare the label value, and need the label', () => {
    const tier = known({ tier: 'frontend-blue' });
    assert.equal(match("tier contains 'end-b'", tier), 'yes');
    assert.equal(match("tier contains 'green'", tier), 'no');
    assert.equal(match("tier starts with 'front'", tier), 'yes');
    assert.equal(match("tier starts with 'blue'", tier), 'no');
    assert.equal(match("tier ends with 'blue'", tier), 'yes');
    assert.equal(match("tier ends with 'front'", tier), 'no');
    for (const op of ['contains', 'starts with', 'ends with'])
      assert.equal(match(`role ${op} 'x'`, tier), 'no', `${op} on an absent label`);
  });

  it('== and in need the label; != and not in hold without it', () => {
    const none = known({});
    assert.equal(match("role == 'db'", none), 'no');
    assert.equal(match("role in {'db'}", none), 'no');
    assert.equal(match('has(role)', none), 'no');
    assert.equal(match("role != 'db'", none), 'yes');
    assert.equal(match("role not in {'db'}", none), 'yes');
  });

  it('!= and not in on a present label: the value decides', () => {
    const db = known({ role: 'db' });
    assert.equal(match("role != 'db'", db), 'no');
    assert.equal(match("role != 'web'", db), 'yes');
    assert.equal(match("role not in {'db', 'cache'}", db), 'no');
    assert.equal(match("role not in {'web'}", db), 'yes');
    assert.equal(match("role in {'web', 'db'}", db), 'yes');
    assert.equal(match('has(role)', db), 'yes');
  });

  it('global() matches what has no namespace label, all() everything', () => {
    // Calico labels every workload endpoint with projectcalico.org/namespace.
    const pod = known({ 'projectcalico.org/namespace': 'prod' });
    assert.equal(match('global()', known({})), 'yes');
    assert.equal(match('global()', pod), 'no');
    assert.equal(match('all()', pod), 'yes');
  });
});

describe('Calico selectors on labels known in part', () => {
  it('a label not seen: every operator is maybe, != and not in included', () => {
    const some = partly({ app: 'web' });
    for (const s of [
      'has(role)',
      "role == 'db'",
      "role != 'db'",
      "role in {'db'}",
      "role not in {'db'}",
      "role contains 'd'",
      "role starts with 'd'",
      "role ends with 'b'",
      'global()',
    ])
      assert.equal(match(s, some), 'maybe', s);
  });

  it('a label seen still decides, even though others are not known', () => {
    const some = partly({ app: 'web' });
    assert.equal(match("app == 'web'", some), 'yes');
    assert.equal(match("app == 'db'", some), 'no');
  });

  it('! turns yes and no around and leaves maybe', () => {
    const some = partly({ app: 'web' });
    assert.equal(match("!app == 'web'", some), 'no');
    assert.equal(match("!app == 'db'", some), 'yes');
    assert.equal(match('!has(role)', some), 'maybe');
  });

  it('&&: a no anywhere is no, all yes is yes, else maybe', () => {
    const some = partly({ app: 'web' });
    assert.equal(match("app == 'web' && app != 'db'", some), 'yes');
    assert.equal(match("has(role) && app == 'db'", some), 'no');
    assert.equal(match("app == 'db' && has(role)", some), 'no');
    assert.equal(match("app == 'web' && has(role)", some), 'maybe');
  });

  it('||: a yes anywhere is yes, all no is no, else maybe', () => {
    const some = partly({ app: 'web' });
    assert.equal(match("app == 'db' || app == 'cache'", some), 'no');
    assert.equal(match("has(role) || app == 'web'", some), 'yes');
    assert.equal(match("app == 'web' || has(role)", some), 'yes');
    assert.equal(match("app == 'db' || has(role)", some), 'maybe');
  });
});

describe('labelLookup', () => {
  it('a label present is its value; absent is undefined when the labels are complete, unknown when not', () => {
    assert.equal(known({ a: '1' })('a'), '1');
    assert.equal(known({ a: '1' })('b'), undefined);
    assert.equal(partly({ a: '1' })('a'), '1');
    assert.equal(partly({ a: '1' })('b'), UNKNOWN);
  });

  it('keys named unknown are unknown even in complete labels, unless present', () => {
    const lookup = labelLookup({ a: '1', 'sa.x': 'y' }, true, (k) => k.startsWith('sa.'));
    assert.equal(lookup('sa.z'), UNKNOWN);
    assert.equal(lookup('sa.x'), 'y');
    assert.equal(lookup('b'), undefined);
  });
});
