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
});
