// Port sets (src/reachability/ports.ts) as sets: the expected values are written out by hand from
// set semantics over inclusive port intervals, never computed with the module's own helpers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPortSet, intersect, isEmpty, normalise, subtract } from '../../src/reachability/ports.ts';

const r = (from: number, to: number) => ({ from, to });

describe('port sets', () => {
  it('normalise sorts, merges overlapping and adjacent intervals, and drops backwards ones', () => {
    assert.deepEqual(normalise([r(9000, 9100), r(80, 80), r(4222, 4222)]), [
      r(80, 80),
      r(4222, 4222),
      r(9000, 9100),
    ]);
    // 100-200 and 150-300 overlap; 301 touches 300 (inclusive ends), so all three are one run.
    assert.deepEqual(normalise([r(150, 300), r(100, 200), r(301, 301)]), [r(100, 301)]);
    // 302 leaves a gap after 300: two runs.
    assert.deepEqual(normalise([r(100, 300), r(302, 310)]), [r(100, 300), r(302, 310)]);
    // A run inside another keeps the outer end.
    assert.deepEqual(normalise([r(1000, 2000), r(1200, 1300)]), [r(1000, 2000)]);
    assert.deepEqual(normalise([r(10, 5), r(7, 7)]), [r(7, 7)]);
    assert.deepEqual(normalise([]), []);
  });

  it('normalise merges a run into the last one only, and never changes its input', () => {
    const input = [r(5, 6), r(1, 2), r(3, 3)];
    // 1-2 and 3 touch; 4 is in neither, so 5-6 stays apart.
    assert.deepEqual(normalise(input), [r(1, 3), r(5, 6)]);
    assert.deepEqual(input, [r(5, 6), r(1, 2), r(3, 3)]);
    assert.deepEqual(normalise([r(1, 1), r(3, 3), r(4, 9)]), [r(1, 1), r(3, 9)]);
  });

  it('intersect keeps only ports in both sets', () => {
    assert.deepEqual(intersect([r(0, 65535)], [r(4222, 4222)]), [r(4222, 4222)]);
    assert.deepEqual(intersect([r(1000, 2000), r(3000, 4000)], [r(1500, 3500)]), [
      r(1500, 2000),
      r(3000, 3500),
    ]);
    assert.deepEqual(intersect([r(1, 10)], [r(11, 20)]), []);
    assert.deepEqual(intersect([r(1, 10)], [r(10, 20)]), [r(10, 10)]);
  });

  it('subtract removes a cut from the middle, either end, or all of a run, and leaves disjoint runs alone', () => {
    assert.deepEqual(subtract([r(32768, 60999)], [r(40000, 40009)]), [r(32768, 39999), r(40010, 60999)]);
    assert.deepEqual(subtract([r(100, 200)], [r(50, 120)]), [r(121, 200)]);
    assert.deepEqual(subtract([r(100, 200)], [r(180, 250)]), [r(100, 179)]);
    assert.deepEqual(subtract([r(100, 200)], [r(100, 200)]), []);
    assert.deepEqual(subtract([r(100, 200), r(300, 400)], [r(201, 299)]), [r(100, 200), r(300, 400)]);
    assert.deepEqual(subtract([r(100, 200)], [r(0, 99), r(201, 65535)]), [r(100, 200)]);
    assert.deepEqual(subtract([r(5557, 5564)], [r(5557, 5557), r(5560, 5560)]), [
      r(5558, 5559),
      r(5561, 5564),
    ]);
    // A cut far above or far below a run leaves it exactly as it was (not stretched towards the cut).
    assert.deepEqual(subtract([r(100, 200)], [r(300, 400)]), [r(100, 200)]);
    assert.deepEqual(subtract([r(300, 400)], [r(100, 200)]), [r(300, 400)]);
  });

  it('isEmpty and formatPortSet', () => {
    assert.equal(isEmpty([]), true);
    assert.equal(isEmpty([r(1, 1)]), false);
    assert.equal(formatPortSet([r(4222, 4222), r(32768, 60999)]), '4222, 32768-60999');
    assert.equal(formatPortSet([]), '');
  });
});
