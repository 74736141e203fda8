import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  coverage,
  formatRange,
  isAddress,
  parseAddress,
  parseCidr,
  splitRange,
  unionCovers,
} from '../../src/base/ip.ts';

describe('address ranges', () => {
  const cases: [string, string | undefined][] = [
    ['10.0.16.5/20', '10.0.16.0/20'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['2600:1f14:abc:12ff::/56', '2600:1f14:abc:1200::/56'],
    ['10.0.0.0/33', undefined],
    ['10.1/16', undefined],
    ['300.0.0.0/8', undefined],
    ['10.0.0.0', undefined],
    ['10.0.0.0/-1', undefined],
  ];
  for (const [input, expected] of cases) {
    it(`parses ${input} → ${expected ?? 'invalid'}`, () => {
      const range = parseCidr(input);
      assert.equal(range ? formatRange(range) : undefined, expected);
    });
  }

  it('treats an IPv4-mapped IPv6 address as IPv4', () => {
    assert.equal(formatRange(parseAddress('::ffff:10.0.0.1')!), '10.0.0.1');
  });

  it('an IPv4-mapped IPv6 block is the IPv6 block it is (issue 17): ::ffff:0.0.0.0/0 is ::/0', () => {
    assert.equal(formatRange(parseCidr('::ffff:0.0.0.0/0')!), '::/0');
    assert.equal(parseCidr('::ffff:0.0.0.0/96')!.family, 6);
    assert.equal(formatRange(parseCidr('::ffff:10.0.0.0/104')!), '::ffff:a00:0/104');
  });

  it('tells whether a block covers all, some or none of a range', () => {
    const vpc = parseCidr('10.0.0.0/16')!;
    assert.equal(coverage(vpc, parseCidr('10.0.32.0/20')!), 'all');
    assert.equal(coverage(parseCidr('10.0.32.0/24')!, parseCidr('10.0.32.0/20')!), 'some');
    assert.equal(coverage(vpc, parseCidr('100.64.0.0/18')!), 'none');
    assert.equal(coverage(parseCidr('::/0')!, parseCidr('10.0.0.0/8')!), 'none', 'families never match');
  });
});

describe('unions and pieces of ranges', () => {
  const cidr = (t: string) => parseCidr(t)!;
  it('two /21 halves cover their /20; one half, or halves with a gap, do not', () => {
    assert.equal(unionCovers([cidr('10.0.16.0/21'), cidr('10.0.24.0/21')], cidr('10.0.16.0/20')), true);
    assert.equal(unionCovers([cidr('10.0.24.0/21'), cidr('10.0.16.0/21')], cidr('10.0.16.0/20')), true);
    assert.equal(unionCovers([cidr('10.0.16.0/21')], cidr('10.0.16.0/20')), false);
    assert.equal(unionCovers([cidr('10.0.16.0/22'), cidr('10.0.24.0/21')], cidr('10.0.16.0/20')), false);
    // Another family covers nothing.
    assert.equal(unionCovers([cidr('::/0')], cidr('10.0.16.0/20')), false);
  });

  it('cuts a /20 at a /32 inside it into the part before, the address, and the part after', () => {
    const pieces = splitRange(cidr('10.0.16.0/20'), [cidr('10.0.16.10/32'), cidr('192.168.0.0/16')]);
    assert.deepEqual(
      pieces.map((p) => `${formatRange({ ...p, end: p.start })}-${formatRange({ ...p, start: p.end })}`),
      ['10.0.16.0-10.0.16.9', '10.0.16.10-10.0.16.10', '10.0.16.11-10.0.31.255'],
    );
  });

  it('a block that holds the whole range does not cut it', () => {
    assert.equal(splitRange(cidr('10.0.16.0/20'), [cidr('10.0.0.0/8')]).length, 1);
  });
});

describe('plain IPv4 addresses', () => {
  // What AWS and Kubernetes print: four decimal octets 0–255, no leading zeros, no shorthand.
  const valid: [string, bigint][] = [
    ['10.0.0.17', 167772177n],
    ['0.0.0.0', 0n],
    ['255.255.255.255', 4294967295n],
    ['192.168.1.0', 3232235776n],
    ['100.64.7.200', 1681917896n],
  ];
  for (const [text, value] of valid) {
    it(`reads ${text} as ${value}`, () => {
      assert.equal(isAddress(text), true);
      assert.deepEqual(parseAddress(text), { family: 4, start: value, end: value });
    });
  }
  const invalid = [
    '256.0.0.1',
    '10.0.0.256',
    '1000.0.0.1',
    '010.0.0.1',
    '10.0.00.1',
    '10.1',
    '10.0.1',
    '10.0.0.1.',
    '10.0.0.1.5',
    '10..0.1',
    '.10.0.0.1',
    ' 10.0.0.1',
    '10.0.0.1 ',
    '10.0.0.1\n',
    '10.0.0.1x',
    '+10.0.0.1',
    '0x0a.0.0.1',
    '1e1.0.0.1',
    '',
  ];
  for (const text of invalid) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      assert.equal(isAddress(text), false);
      assert.equal(parseAddress(text), undefined);
    });
  }
});
