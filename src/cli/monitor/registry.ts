/**
 * The Prometheus side of `monitor`: prom-client metrics built from the catalogue in
 * src/monitor/metrics.ts. Gauges hold the last successful analysis (and probe run) until the next
 * one replaces them whole, so a failed cycle leaves them as they were and only the timestamp and
 * age say how old they are.
 */
import client from 'prom-client';
import {
  ERROR_KINDS,
  METRICS,
  type ErrorKind,
  type GaugeValues,
  type MetricSpec,
} from '../../monitor/metrics.ts';

/**
 * prom-client's defaults that `promtool check metrics` rejects: gauges named like counters. Their
 * unsuffixed twins (`nodejs_active_handles` by type, …) carry the same numbers.
 */
const LINT_FAILING_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

export interface RegistryOptions {
  readonly intervalSeconds: number;
  /** 0 when probing is off. */
  readonly probeIntervalSeconds: number;
  /** Milliseconds since the epoch (tests pass a clock). */
  readonly now?: () => number;
}

export class MonitorRegistry {
  readonly registry = new client.Registry();
  private readonly now: () => number;
  private readonly startedAt: number;
  private lastSuccess: number | undefined;
  private readonly gauges = new Map<string, client.Gauge>();
  private readonly cycles: client.Counter;
  private readonly collectionErrors: client.Counter;
  private readonly probeErrors: client.Counter;
  private readonly flowChanges: client.Counter;
  private readonly histograms: Record<'collection' | 'analysis' | 'probe', client.Histogram>;

  constructor(options: RegistryOptions) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    client.collectDefaultMetrics({ register: this.registry });
    for (const name of LINT_FAILING_DEFAULTS) this.registry.removeSingleMetric(name);
    const registers = [this.registry];
    const gauge = (spec: MetricSpec, collect?: (g: client.Gauge) => void): client.Gauge => {
      const made = new client.Gauge({
        name: spec.name,
        help: spec.help,
        labelNames: [...spec.labelNames],
        registers,
        ...(collect
          ? {
              collect: function (this: client.Gauge) {
                collect(this);
              },
            }
          : {}),
      });
      this.gauges.set(spec.name, made);
      return made;
    };
    const counter = (spec: MetricSpec, kinds?: readonly string[]): client.Counter => {
      const made = new client.Counter({
        name: spec.name,
        help: spec.help,
        labelNames: [...spec.labelNames],
        registers,
      });
      // Every kind from the start, at 0: increase() then sees the first error.
      for (const kind of kinds ?? []) made.inc({ [spec.labelNames[0]!]: kind }, 0);
      return made;
    };
    const histogram = (spec: MetricSpec): client.Histogram =>
      new client.Histogram({
        name: spec.name,
        help: spec.help,
        buckets: [...(spec.buckets ?? [])],
        registers,
      });

    for (const spec of [
      METRICS.flowStatus,
      METRICS.verdict,
      METRICS.flows,
      METRICS.fixRulesOutstanding,
      METRICS.flowFix,
      METRICS.info,
      METRICS.probeTargets,
      METRICS.probePassed,
    ])
      gauge(spec);
    gauge(METRICS.lastSuccess).set(0);
    gauge(METRICS.probeLastSuccess).set(0);
    gauge(METRICS.interval).set(options.intervalSeconds);
    gauge(METRICS.probeInterval).set(options.probeIntervalSeconds);
    gauge(METRICS.analysisAge, (g) => g.set((this.now() - (this.lastSuccess ?? this.startedAt)) / 1000));
    this.cycles = counter(METRICS.cycles, ['success', 'failure']);
    this.collectionErrors = counter(METRICS.collectionErrors, ERROR_KINDS);
    this.probeErrors = counter(METRICS.probeErrors, options.probeIntervalSeconds > 0 ? ERROR_KINDS : []);
    this.flowChanges = counter(METRICS.flowChanges);
    this.histograms = {
      collection: histogram(METRICS.collectionDuration),
      analysis: histogram(METRICS.analysisDuration),
      probe: histogram(METRICS.probeDuration),
    };
  }

  /** Replaces every series of these gauges at once (a series absent now disappears). */
  private replace(values: readonly GaugeValues[]): void {
    for (const { spec, samples } of values) {
      const gauge = this.gauges.get(spec.name)!;
      gauge.reset();
      for (const sample of samples) gauge.set(sample.labels, sample.value);
    }
  }

  analysisSucceeded(values: readonly GaugeValues[], at: number): void {
    this.replace(values);
    this.lastSuccess = at;
    this.gauges.get(METRICS.lastSuccess.name)!.set(at / 1000);
    this.cycles.inc({ result: 'success' });
  }

  cycleFailed(kind: ErrorKind): void {
    this.collectionErrors.inc({ kind });
    this.cycles.inc({ result: 'failure' });
  }

  probeSucceeded(values: readonly GaugeValues[], at: number): void {
    this.replace(values);
    this.gauges.get(METRICS.probeLastSuccess.name)!.set(at / 1000);
  }

  probeFailed(kind: ErrorKind): void {
    this.probeErrors.inc({ kind });
  }

  flowChanged(requirement: string, to: string): void {
    this.flowChanges.inc({ requirement, to });
  }

  observe(what: 'collection' | 'analysis' | 'probe', seconds: number): void {
    this.histograms[what].observe(seconds);
  }

  /** The exposition in Prometheus' text format, and its content type. */
  async exposition(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
