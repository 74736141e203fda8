/** Plain JSON as the APIs print it: timestamps as RFC 3339 strings, absent members left out. */

/** RFC 3339 as the API servers write it: whole seconds without a fraction, else the fraction kept. */
export function rfc3339(date: Date, format = 'date-time'): string {
  const iso = date.toISOString();
  if (format === 'date') return iso.slice(0, 10);
  return iso.replace(/\.000Z$/, 'Z');
}

/** Dates as RFC 3339, no undefined or null members; SDK outputs' `$metadata` dropped. */
export function plainJson(value: unknown): unknown {
  if (value instanceof Date) return rfc3339(value);
  if (Array.isArray(value)) return value.map(plainJson);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      if (member !== undefined && member !== null && key !== '$metadata') out[key] = plainJson(member);
    }
    return out;
  }
  return value;
}
