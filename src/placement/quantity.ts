/**
 * Kubernetes resource quantities (`500m`, `1.5Gi`, `2e3`, `129M`), parsed exactly: the scheduler
 * compares integers (milli-CPU, bytes), so floating point would misjudge tight fits.
 */

/** A quantity as an exact fraction. */
interface Fraction {
  readonly num: bigint;
  readonly den: bigint;
}

const binary: Record<string, bigint> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};
const decimal: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

// The grammar of k8s.io/apimachinery resource.Quantity: a signed decimal and one suffix.
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

function parse(text: string): Fraction | undefined {
  const match = QUANTITY.exec(text.trim());
  if (!match) return undefined;
  const [, sign, digits, suffix = ''] = match;
  const [whole, fraction = ''] = digits!.split('.');
  let num = BigInt(`${whole || '0'}${fraction}`) * (sign === '-' ? -1n : 1n);
  let den = 10n ** BigInt(fraction.length);
  let exponent = 0;
  if (suffix in binary) num *= binary[suffix]!;
  else if (suffix in decimal) exponent = decimal[suffix]!;
  else exponent = Number(suffix.slice(1));
  if (exponent >= 0) num *= 10n ** BigInt(exponent);
  else den *= 10n ** BigInt(-exponent);
  return { num, den };
}

function ceilTimes(q: Fraction, factor: bigint): number {
  const scaled = q.num * factor;
  const quotient = scaled / q.den;
  // BigInt division truncates toward zero; round up like Quantity.Value()/MilliValue().
  return Number(scaled % q.den > 0n ? quotient + 1n : quotient);
}

export function isQuantity(text: string): boolean {
  return parse(text) !== undefined;
}

/**
 * The amount the scheduler compares for `resource`: milli-units for cpu, whole units (bytes,
 * devices, pods) for everything else — both rounded up, as kube-scheduler does.
 */
export function resourceAmount(resource: string, quantity: string | number): number | undefined {
  // A cluster repeats a handful of request values across thousands of pods.
  const key = `${resource === 'cpu' ? 'm' : '1'}${quantity}`;
  if (amounts.has(key)) return amounts.get(key);
  const q = parse(String(quantity));
  const amount = q ? ceilTimes(q, resource === 'cpu' ? 1000n : 1n) : undefined;
  if (amounts.size > 10_000) amounts.clear();
  amounts.set(key, amount);
  return amount;
}
const amounts = new Map<string, number | undefined>();

/** Renders an amount back in the usual unit, for messages (`1500m` → `1500m`, bytes → `1Gi`). */
export function formatAmount(resource: string, amount: number): string {
  if (resource === 'cpu') return amount % 1000 === 0 ? `${amount / 1000}` : `${amount}m`;
  if (resource === 'memory' || resource === 'ephemeral-storage' || resource.startsWith('hugepages-')) {
    for (const [suffix, size] of [
      ['Gi', 2 ** 30],
      ['Mi', 2 ** 20],
      ['Ki', 2 ** 10],
    ] as const) {
      if (amount >= size && amount % size === 0) return `${amount / size}${suffix}`;
    }
  }
  return `${amount}`;
}
