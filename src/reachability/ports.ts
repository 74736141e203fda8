/** Port sets as sorted, disjoint inclusive intervals: enough to reason about rule coverage exactly. */
import type { PortRange } from '../model/types.ts';

export type PortSet = PortRange[];

export const ALL_PORTS: PortRange = { from: 0, to: 65535 };

/** Linux's default ip_local_port_range: where a client's reply port, and an OS-assigned listener port, come from. */
export const EPHEMERAL_PORTS: PortRange = { from: 32768, to: 60999 };

export function normalise(set: readonly PortRange[]): PortSet {
  const sorted = [...set].filter((r) => r.from <= r.to).sort((a, b) => a.from - b.from);
  const out: PortRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to + 1) out[out.length - 1] = { from: last.from, to: Math.max(last.to, r.to) };
    else out.push({ ...r });
  }
  return out;
}

export function intersect(a: readonly PortRange[], b: readonly PortRange[]): PortSet {
  const out: PortRange[] = [];
  for (const x of a) {
    for (const y of b) {
      const from = Math.max(x.from, y.from);
      const to = Math.min(x.to, y.to);
      if (from <= to) out.push({ from, to });
    }
  }
  return normalise(out);
}

export function subtract(a: readonly PortRange[], b: readonly PortRange[]): PortSet {
  let remaining: PortRange[] = normalise(a);
  for (const cut of b) {
    remaining = remaining.flatMap((r) => {
      if (cut.to < r.from || cut.from > r.to) return [r];
      const parts: PortRange[] = [];
      if (cut.from > r.from) parts.push({ from: r.from, to: cut.from - 1 });
      if (cut.to < r.to) parts.push({ from: cut.to + 1, to: r.to });
      return parts;
    });
  }
  return remaining;
}

export function isEmpty(set: readonly PortRange[]): boolean {
  return set.length === 0;
}

export function formatPortSet(set: readonly PortRange[]): string {
  return set.map((r) => (r.from === r.to ? String(r.from) : `${r.from}-${r.to}`)).join(', ');
}
