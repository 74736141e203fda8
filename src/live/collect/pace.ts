/**
 * Pacing for live collection: a bounded number of calls in flight, answers kept in input order (so
 * a snapshot's bytes do not depend on which call finished first), and a retry for the Kubernetes
 * API server's 429 that honours its Retry-After. The AWS SDK paces its own calls (adaptive retry
 * mode, aws.ts).
 */

/**
 * Runs `fn` over `items` with at most `limit` calls at once; results in the order of `items`.
 * `worker` (0 … limit − 1) names the chain of calls an item runs in: one call at a time each.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number, worker: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (_: unknown, id: number): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        out[index] = await fn(items[index] as T, index, id);
      } catch (err) {
        // The first failure ends the run: no new calls start, the ones in flight finish.
        failed = true;
        throw err;
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker);
  const settled = await Promise.allSettled(workers);
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
  return out;
}

/** Counts for the progress lines: calls sent (retries included), pages received, calls retried. */
export interface CallMeter {
  calls: number;
  pages: number;
  retried: number;
}

export const newMeter = (): CallMeter => ({ calls: 0, pages: 0, retried: 0 });

/** `(12 calls, 3 retried)`: what a progress line adds after a count. */
export function meterText(meter: CallMeter): string {
  const calls = `${meter.calls} call${meter.calls === 1 ? '' : 's'}`;
  return meter.retried > 0 ? `${calls}, ${meter.retried} retried` : calls;
}

export interface RetryPolicy {
  /** Attempts per call, the first included. */
  readonly attempts: number;
  /** Wait before retry n (0-based) when the server names none: base·2ⁿ, jittered, capped. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
}

export const DEFAULT_KUBE_RETRY: RetryPolicy = {
  attempts: 6,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/**
 * Seconds from an HTTP Retry-After header (delta-seconds form; the API server's priority and
 * fairness sends it with 429). An HTTP date or anything else is not trusted: undefined.
 */
export function retryAfterMs(header: string | undefined): number | undefined {
  if (header === undefined || !/^\s*\d+\s*$/.test(header)) return undefined;
  return Number(header) * 1000;
}

/** What a failed call says about retrying: throttled (429), with the server's wait if it named one. */
export interface Throttle {
  readonly retryAfterMs?: number;
}

/**
 * Runs `call`, retrying while `throttled(err)` says the server asked to slow down, up to
 * `policy.attempts` in all; any other error, or the last throttle, is thrown as it came. A
 * Retry-After is waited out in full, plus up to a fifth of it at random.
 */
export async function withRetry<R>(
  call: () => Promise<R>,
  throttled: (err: unknown) => Throttle | undefined,
  policy: RetryPolicy,
  meter: CallMeter,
): Promise<R> {
  for (let attempt = 0; ; attempt++) {
    meter.calls++;
    try {
      return await call();
    } catch (err) {
      const throttle = throttled(err);
      if (!throttle || attempt + 1 >= policy.attempts) throw err;
      meter.retried++;
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
      // The server's Retry-After, and up to a fifth more at random: calls refused together (or in
      // step with the calls around them) do not all come back together.
      const wait = Math.min(
        policy.maxDelayMs,
        throttle.retryAfterMs !== undefined
          ? throttle.retryAfterMs * (1 + policy.random() / 5)
          : backoff * (0.5 + policy.random() / 2),
      );
      await policy.sleep(wait);
    }
  }
}

/**
 * Calls in flight across many chains of pages (each chain has one call out at a time): at most
 * `limit` at once. A waiting call of lower rank goes first, calls of equal rank in the order they
 * asked. A chain that waits out a Retry-After holds no slot meanwhile, so the other chains use it.
 */
export interface Slots {
  run<R>(rank: number, call: () => Promise<R>): Promise<R>;
  /** Refuses every waiting and later call with `reason` (the collection failed). */
  close(reason: unknown): void;
}

export function newSlots(limit: number): Slots {
  let free = Math.max(1, limit);
  let seq = 0;
  let scheduled = false;
  let closed: { reason: unknown } | undefined;
  const queue: { rank: number; seq: number; go: () => void; stop: (reason: unknown) => void }[] = [];
  // Calls asked for in one turn of the event loop are ranked together before any is let go.
  const dispatch = (): void => {
    scheduled = false;
    while (free > 0 && queue.length > 0) {
      let best = 0;
      for (let i = 1; i < queue.length; i++) {
        const a = queue[i]!;
        const b = queue[best]!;
        if (a.rank < b.rank || (a.rank === b.rank && a.seq < b.seq)) best = i;
      }
      const [next] = queue.splice(best, 1);
      free--;
      next!.go();
    }
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(dispatch);
  };
  return {
    async run(rank, call) {
      if (closed) throw closed.reason;
      await new Promise<void>((go, stop) => {
        queue.push({ rank, seq: seq++, go, stop });
        schedule();
      });
      try {
        return await call();
      } finally {
        free++;
        schedule();
      }
    },
    close(reason) {
      closed ??= { reason };
      for (const waiting of queue.splice(0)) waiting.stop(reason);
    },
  };
}

/** `values` in runs of `size` (the last one shorter), in order. */
export function chunks<T>(values: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

/**
 * Waits for the next turn of the event loop: the I/O waiting meanwhile (the answers of calls in
 * flight, which hold their slots until read) is handled before what follows.
 */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * `items.map(convert)`, `perTurn` items per turn of the event loop: long work (a page of 500 pods,
 * 18,000 network interfaces) never keeps the answers of the other calls in flight waiting behind it.
 */
export async function mapInTurns<T, R>(
  items: readonly T[],
  perTurn: number,
  convert: (item: T) => R,
): Promise<R[]> {
  const out: R[] = [];
  for (let start = 0; start < items.length; start += perTurn) {
    if (start > 0) await nextTurn();
    const end = Math.min(items.length, start + perTurn);
    for (let i = start; i < end; i++) out.push(convert(items[i]!));
  }
  return out;
}
