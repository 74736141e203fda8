import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_NESTING, nestingProblem } from '../../src/base/nesting.ts';

/** `depth` objects and arrays, one inside the other, around a string. */
const nested = (depth: number): unknown => {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { k: value };
  return value;
};

describe('nestingProblem', () => {
  it('accepts MAX_NESTING nested collections and refuses one more', () => {
    assert.equal(nestingProblem(nested(MAX_NESTING)), undefined);
    assert.equal(
      nestingProblem(nested(MAX_NESTING + 1)),
      `nested deeper than ${MAX_NESTING} levels: not read`,
    );
  });

  it('counts a shared subtree at every place it appears, as an expanded alias would be', () => {
    const shared = Array.from({ length: 100 }, (_, i) => i);
    const doc = { a: shared, b: shared, c: shared };
    // 1 document + 3 × (1 array + 100 numbers) = 304 values.
    assert.equal(nestingProblem(doc, 304), undefined);
    assert.match(nestingProblem(doc, 303) ?? '', /^its aliases expand to more than 303 values/);
  });

  it('gives the same answer with and without a value count (JSON takes the walk that does not count)', () => {
    for (const depth of [0, 1, 2, MAX_NESTING - 1, MAX_NESTING, MAX_NESTING + 1, MAX_NESTING + 5]) {
      const docs = [
        nested(depth),
        [1, 'x', null, nested(depth)],
        { a: [], b: {}, c: nested(depth), d: null },
      ];
      for (const doc of docs) assert.equal(nestingProblem(doc), nestingProblem(doc, Number.MAX_SAFE_INTEGER));
    }
    for (const scalar of [null, 1, 'x', true]) assert.equal(nestingProblem(scalar), undefined);
  });
});
