import ipaddr from 'ipaddr.js';

/** An inclusive range of addresses of one family, as big integers: a CIDR block or a single address. */
export interface AddressRange {
  readonly family: 4 | 6;
  readonly start: bigint;
  readonly end: bigint;
}

function toBigInt(bytes: number[]): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/**
 * The value of a plain dotted quad (four decimal octets, each 0–255, no leading zeros, no `10.1`
 * shorthand), or -1. Read character by character: every pod and node IP of a large snapshot comes
 * through here, and a regular expression with four captures costs several times as much.
 */
function dottedQuadValue(text: string): number {
  let value = 0;
  let octets = 0;
  let i = 0;
  while (octets < 4) {
    if (octets > 0) {
      if (text.charCodeAt(i) !== 46 /* . */) return -1;
      i += 1;
    }
    const first = i;
    let octet = 0;
    for (let c = text.charCodeAt(i); c >= 48 && c <= 57 && i - first < 3; c = text.charCodeAt(++i))
      octet = octet * 10 + (c - 48);
    const digits = i - first;
    // One to three digits, no leading zero on two or three.
    if (digits === 0 || (digits > 1 && text.charCodeAt(first) === 48) || octet > 255) return -1;
    value = value * 256 + octet;
    octets += 1;
  }
  return i === text.length ? value : -1;
}

/** The hot path: a plain dotted quad, as every pod and node IP is (no allocation beyond the result). */
function parseDottedQuad(text: string): AddressRange | undefined {
  const value = dottedQuadValue(text);
  if (value < 0) return undefined;
  const big = BigInt(value);
  return { family: 4, start: big, end: big };
}

/** Parses one IPv4 or IPv6 address; `mapped` says what an IPv4-mapped IPv6 address is. */
function parseAddressAs(text: string, mapped: 'ipv4' | 'ipv6'): AddressRange | undefined {
  if (!text.includes(':')) return parseDottedQuad(text);
  // Only the forms AWS and Kubernetes print: dotted quads (not `10.1` shorthands) and IPv6.
  if (!ipaddr.IPv6.isValid(text)) return undefined;
  const parsed = ipaddr.IPv6.parse(text);
  const addr = mapped === 'ipv4' && parsed.isIPv4MappedAddress() ? parsed.toIPv4Address() : parsed;
  const value = toBigInt(addr.toByteArray());
  return { family: addr.kind() === 'ipv4' ? 4 : 6, start: value, end: value };
}

/**
 * Parses one IPv4 or IPv6 address; undefined when it is not one. An IPv4-mapped IPv6 address
 * (`::ffff:10.0.0.1`) is the IPv4 address it carries: that is the host it names.
 */
export function parseAddress(text: string): AddressRange | undefined {
  return parseAddressAs(text, 'ipv4');
}

/**
 * Parses `a.b.c.d/n` or an IPv6 CIDR (host bits are ignored, as AWS does); undefined when
 * malformed. An IPv4-mapped IPv6 block is the IPv6 block it is: `::ffff:0.0.0.0/0` is `::/0`, not
 * every IPv4 address, and its prefix counts 128 bits.
 */
export function parseCidr(text: string): AddressRange | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const base = parseAddressAs(text.slice(0, slash), 'ipv6');
  const bitsText = text.slice(slash + 1);
  if (!base || !/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  const width = base.family === 4 ? 32 : 128;
  if (bits > width) return undefined;
  const hostBits = BigInt(width - bits);
  const mask = (1n << hostBits) - 1n;
  const start = base.start & ~mask;
  return { family: base.family, start, end: start | mask };
}

export function isCidr(text: string): boolean {
  return parseCidr(text) !== undefined;
}

export function isIpv4Cidr(text: string): boolean {
  return parseCidr(text)?.family === 4;
}

export function isIpv6Cidr(text: string): boolean {
  return parseCidr(text)?.family === 6;
}

export function isAddress(text: string): boolean {
  if (!text.includes(':')) {
    // Validation of every IP in a large snapshot: no BigInt needed to say yes or no.
    return dottedQuadValue(text) >= 0;
  }
  return parseAddress(text) !== undefined;
}

/** Does `outer` hold every address of `inner`? */
export function containsRange(outer: AddressRange, inner: AddressRange): boolean {
  return outer.family === inner.family && outer.start <= inner.start && inner.end <= outer.end;
}

export function overlaps(a: AddressRange, b: AddressRange): boolean {
  return a.family === b.family && a.start <= b.end && b.start <= a.end;
}

/** How a rule's address block relates to the addresses a source may use. */
export type Coverage = 'all' | 'some' | 'none';

export function coverage(block: AddressRange, addresses: AddressRange): Coverage {
  if (containsRange(block, addresses)) return 'all';
  return overlaps(block, addresses) ? 'some' : 'none';
}

export function formatAddress(value: bigint, family: 4 | 6): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.');
  }
  const bytes: number[] = [];
  for (let shift = 120n; shift >= 0n; shift -= 8n) bytes.push(Number((value >> shift) & 255n));
  return ipaddr.fromByteArray(bytes).toString();
}

/** Renders a range as an address when it is one, else as the CIDR it is (or start-end). */
export function formatRange(range: AddressRange): string {
  if (range.start === range.end) return formatAddress(range.start, range.family);
  const size = range.end - range.start + 1n;
  const width = range.family === 4 ? 32 : 128;
  const hostBits = size.toString(2).length - 1;
  if (1n << BigInt(hostBits) === size && (range.start & (size - 1n)) === 0n) {
    return `${formatAddress(range.start, range.family)}/${width - hostBits}`;
  }
  return `${formatAddress(range.start, range.family)}-${formatAddress(range.end, range.family)}`;
}

/** Whether the union of `blocks` contains every address of `target` (blocks of another family count for nothing). */
export function unionCovers(blocks: readonly AddressRange[], target: AddressRange): boolean {
  const sorted = blocks
    .filter((b) => b.family === target.family && b.end >= target.start && b.start <= target.end)
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  let next = target.start;
  for (const block of sorted) {
    if (block.start > next) return false;
    if (block.end >= next) next = block.end + 1n;
    if (next > target.end) return true;
  }
  return next > target.end;
}

/**
 * `target` cut at every edge of `blocks`: pieces that each lie wholly inside or wholly outside
 * every block, so a first-match list decides each piece alike.
 */
export function splitRange(target: AddressRange, blocks: readonly AddressRange[]): AddressRange[] {
  const cuts = new Set<bigint>();
  for (const b of blocks) {
    if (b.family !== target.family) continue;
    if (b.start > target.start && b.start <= target.end) cuts.add(b.start);
    if (b.end >= target.start && b.end < target.end) cuts.add(b.end + 1n);
  }
  const starts = [target.start, ...[...cuts].sort((a, b) => (a < b ? -1 : 1))];
  return starts.map((start, i) => ({
    family: target.family,
    start,
    end: i + 1 < starts.length ? starts[i + 1]! - 1n : target.end,
  }));
}

/**
 * The widest CIDR block a fix may name. An AWS VPC's IPv4 blocks are /16 to /28, so no subnet is
 * wider than /16; the IPv6 block Amazon gives a VPC is a /56 (Amazon VPC User Guide, "VPC CIDR
 * blocks"). A fix names the peer's own subnet, so a wider block is never one.
 */
export const WIDEST_FIX_PREFIX = { 4: 16, 6: 56 } as const;

/** The prefix length of a CIDR block (the number of fixed leading bits). */
export function prefixLength(range: AddressRange): number {
  const width = range.family === 4 ? 32 : 128;
  return width - (range.end - range.start + 1n).toString(2).length + 1;
}

/**
 * Why a rule or NACL entry naming `cidr` would be wider than a fix may be, or undefined when it is
 * a block one subnet can have: every address (`/0`), or wider than `WIDEST_FIX_PREFIX`.
 */
export function fixCidrProblem(cidr: string): string | undefined {
  const range = parseCidr(cidr.trim());
  if (!range) return 'is not a CIDR block';
  const bits = prefixLength(range);
  if (bits === 0) return 'admits every address';
  const widest = WIDEST_FIX_PREFIX[range.family];
  if (bits < widest)
    return `is wider than /${widest}, the widest ${range.family === 4 ? 'IPv4' : 'IPv6'} block an AWS VPC subnet can have`;
  return undefined;
}
