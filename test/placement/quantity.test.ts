import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatAmount, resourceAmount } from '../../src/placement/quantity.ts';

describe('Kubernetes quantities', () => {
  const cases: [string, string | number, number][] = [
    ['cpu', '500m', 500],
    ['cpu', '1', 1000],
    ['cpu', 2, 2000],
    ['cpu', '0.1', 100],
    ['cpu', '1.5', 1500],
    ['cpu', '7910m', 7910],
    ['cpu', '191450m', 191450],
    ['cpu', '0.0001', 1], // rounds up, as MilliValue() does
    ['cpu', '1e-3', 1],
    ['cpu', '2e3', 2_000_000],
    ['cpu', '100u', 1],
    ['memory', '1Gi', 1024 ** 3],
    ['memory', '1.5Gi', 1.5 * 1024 ** 3],
    ['memory', '70Mi', 70 * 1024 ** 2],
    ['memory', '100Ki', 102_400],
    ['memory', '31369692Ki', 31_369_692 * 1024],
    ['memory', '129M', 129_000_000],
    ['memory', '1k', 1000],
    ['memory', '1G', 1e9],
    ['memory', '1E', 1e18],
    ['memory', '1E3', 1000],
    ['memory', '128974848', 128_974_848],
    ['memory', '123456789m', 123_457], // milli-bytes round up
    ['nvidia.com/gpu', '8', 8],
    ['pods', '58', 58],
  ];
  for (const [resource, text, expected] of cases) {
    it(`${resource} ${text} = ${expected}`, () => assert.equal(resourceAmount(resource, text), expected));
  }

  for (const bad of ['', 'abc', '1.2.3', '1K', '1Gb', '1 Gi', '--1', 'Gi', '1e', '0x10']) {
    it(`rejects ${JSON.stringify(bad)}`, () => assert.equal(resourceAmount('memory', bad), undefined));
  }

  it('formats amounts back in the usual units', () => {
    assert.equal(formatAmount('cpu', 1000), '1');
    assert.equal(formatAmount('cpu', 1500), '1500m');
    assert.equal(formatAmount('memory', 1024 ** 3), '1Gi');
    assert.equal(formatAmount('memory', 70 * 1024 ** 2), '70Mi');
    assert.equal(formatAmount('memory', 1000), '1000');
    assert.equal(formatAmount('nvidia.com/gpu', 3), '3');
  });
});
