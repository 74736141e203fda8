/**
 * Label selectors with three answers (model/policy/selectors.ts): yes, no, or maybe when the labels
 * are known only in part. Kubernetes (meta/v1 LabelSelector): an empty selector selects
 * everything; matchLabels and every matchExpression must all hold; In needs the key with one of
 * the values, NotIn holds when the key is absent or has another value, Exists needs the key,
 * DoesNotExist its absence.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  and,
  isEmptySelector,
  matchSelector,
  or,
  selectorKeys,
  unsettledLabels,
} from '../../src/model/policy/selectors.ts';

describe('and / or over yes, no, maybe', () => {
  it('and: no wins, then maybe', () => {
    assert.equal(and('yes', 'yes'), 'yes');
    assert.equal(and('yes', 'maybe'), 'maybe');
    assert.equal(and('maybe', 'yes'), 'maybe');
    assert.equal(and('maybe', 'no'), 'no');
    assert.equal(and('no', 'maybe'), 'no');
    assert.equal(and('maybe', 'maybe'), 'maybe');
  });
  it('or: yes wins, then maybe', () => {
    assert.equal(or('no', 'no'), 'no');
    assert.equal(or('no', 'maybe'), 'maybe');
    assert.equal(or('maybe', 'no'), 'maybe');
    assert.equal(or('maybe', 'yes'), 'yes');
    assert.equal(or('yes', 'no'), 'yes');
  });
});

type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

describe('matchSelector', () => {
  const labels = { app: 'w', tier: 'gpu' };

  it('an empty selector selects everything, even labels not known', () => {
    assert.equal(isEmptySelector({}), true);
    assert.equal(isEmptySelector({ matchLabels: {}, matchExpressions: [] }), true);
    assert.equal(isEmptySelector({ matchLabels: { a: 'b' } }), false);
    assert.equal(isEmptySelector({ matchExpressions: [{ key: 'a', operator: 'Exists' }] }), false);
    assert.equal(matchSelector({}, undefined), 'yes');
  });

  it('labels not known at all: maybe', () => {
    assert.equal(matchSelector({ matchLabels: { app: 'w' } }, undefined), 'maybe');
  });

  it('matchLabels: each key with that value', () => {
    assert.equal(matchSelector({ matchLabels: { app: 'w' } }, labels), 'yes');
    assert.equal(matchSelector({ matchLabels: { app: 'x' } }, labels), 'no');
    assert.equal(matchSelector({ matchLabels: { app: 'w', zone: 'a' } }, labels), 'no');
    assert.equal(matchSelector({ matchLabels: { app: 'w', zone: 'a' } }, labels, false), 'maybe');
    assert.equal(matchSelector({ matchLabels: { app: 'x', zone: 'a' } }, labels, false), 'no');
  });

  it('In and NotIn', () => {
    const expr = (operator: Operator, key: string, values?: string[]) => ({
      matchExpressions: [{ key, operator, ...(values ? { values } : {}) }],
    });
    assert.equal(matchSelector(expr('In', 'app', ['v', 'w']), labels), 'yes');
    assert.equal(matchSelector(expr('In', 'app', ['v']), labels), 'no');
    assert.equal(matchSelector(expr('In', 'zone', ['a']), labels), 'no');
    assert.equal(matchSelector(expr('In', 'app'), labels), 'no');
    assert.equal(matchSelector(expr('NotIn', 'app', ['w']), labels), 'no');
    assert.equal(matchSelector(expr('NotIn', 'app', ['v']), labels), 'yes');
    assert.equal(matchSelector(expr('NotIn', 'zone', ['a']), labels), 'yes');
    assert.equal(matchSelector(expr('Exists', 'app'), labels), 'yes');
    assert.equal(matchSelector(expr('Exists', 'zone'), labels), 'no');
    assert.equal(matchSelector(expr('DoesNotExist', 'zone'), labels), 'yes');
    assert.equal(matchSelector(expr('DoesNotExist', 'app'), labels), 'no');
  });

  it('a key the partly known labels lack: maybe, whatever the operator; a key they have decides', () => {
    for (const operator of ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const)
      assert.equal(
        matchSelector({ matchExpressions: [{ key: 'zone', operator, values: ['a'] }] }, labels, false),
        'maybe',
        operator,
      );
    assert.equal(
      matchSelector({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, labels, false),
      'yes',
    );
  });

  it('every part must hold', () => {
    assert.equal(
      matchSelector(
        { matchLabels: { app: 'w' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['cpu'] }] },
        labels,
      ),
      'no',
    );
    assert.equal(
      matchSelector(
        {
          matchLabels: { app: 'w' },
          matchExpressions: [
            { key: 'tier', operator: 'In', values: ['gpu'] },
            { key: 'x', operator: 'DoesNotExist' },
          ],
        },
        labels,
      ),
      'yes',
    );
  });

  it('a label named like an Object property is a label like any other', () => {
    assert.equal(matchSelector({ matchLabels: { constructor: 'x' } }, labels), 'no');
    assert.equal(
      matchSelector({ matchExpressions: [{ key: 'toString', operator: 'Exists' }] }, labels),
      'no',
    );
  });
});

describe('selectorKeys and unsettledLabels', () => {
  const selector = {
    matchLabels: { app: 'w', tier: 'gpu' },
    matchExpressions: [
      { key: 'tier', operator: 'Exists' as const },
      { key: 'aicr.run/validator', operator: 'Exists' as const },
    ],
  };

  it('the keys a selector reads, once each', () => {
    assert.deepEqual(selectorKeys(selector), ['app', 'tier', 'aicr.run/validator']);
    assert.deepEqual(selectorKeys({}), []);
  });

  it('the keys partly known labels do not settle, with the versions that carry them', () => {
    assert.deepEqual(
      unsettledLabels(selector, {
        labels: { app: 'w' },
        labelsComplete: false,
        versionedLabels: { 'aicr.run/validator': 'AICR v0.12.0 and later' },
      }),
      ['tier', 'aicr.run/validator (AICR v0.12.0 and later)'],
    );
    assert.deepEqual(unsettledLabels(selector, { labels: {}, labelsComplete: false }), [
      'app',
      'tier',
      'aicr.run/validator',
    ]);
    assert.deepEqual(unsettledLabels(selector, { labels: {}, labelsComplete: true }), []);
  });
});
