/** One time budget shared by every step of a dial, so a check never outlives its timeout. */
export class Deadline {
  /** Aborts when the budget is spent; pass it to fetch. Its timer does not keep the process alive. */
  readonly signal: AbortSignal;
  private readonly startedAt = performance.now();

  constructor(readonly totalMs: number) {
    this.signal = AbortSignal.timeout(totalMs);
  }

  elapsedMs(): number {
    return Math.round(performance.now() - this.startedAt);
  }

  /** At least 1 ms, since some clients read a timeout of 0 as "no timeout". */
  remainingMs(): number {
    return Math.max(1, Math.round(this.totalMs - (performance.now() - this.startedAt)));
  }

  /** Resolves when the budget is spent. */
  expiry(): Promise<void> {
    return new Promise((resolve) => {
      if (this.signal.aborted) resolve();
      else this.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }
}
