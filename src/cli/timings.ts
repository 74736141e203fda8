/** `--timings`: how long each phase took, on stderr (the benchmark reads these lines). */
export class PhaseTimer {
  private readonly phases: [string, number][] = [];
  private last = performance.now();

  constructor(private readonly enabled: boolean) {}

  /** Ends the current phase under `name`. */
  mark(name: string): void {
    const now = performance.now();
    this.phases.push([name, now - this.last]);
    this.last = now;
  }

  report(): void {
    if (!this.enabled) return;
    for (const [name, ms] of this.phases) process.stderr.write(`timing ${name} ${ms.toFixed(0)} ms\n`);
  }
}
