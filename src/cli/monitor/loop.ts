/**
 * The monitor's cycle: collect (or read the snapshot directory), analyse, compare with the last
 * analysis, update the metrics, log and emit an Event per change, and every --probe-interval run
 * the probes. Nothing a cycle meets ends the process: an API error, throttling or a timeout is
 * counted by kind and logged, and the last good analysis stays served, its age rising.
 */
import { buildModel } from '../../model/build.ts';
import type { ClusterModel } from '../../model/types.ts';
import type { AnalysisResult } from '../../questions/analyze.ts';
import type { ProbeReport } from '../../questions/probe/compare.ts';
import { CollectError, type CollectFailure } from '../../live/errors.ts';
import type { EventSink, MonitorEvent } from '../../live/events.ts';
import { renderHtml } from '../../report/html.ts';
import type { Snapshot } from '../../snapshot/types.ts';
import {
  describeFlowChange,
  detectChanges,
  flowTitle,
  networkFacts,
  type Changes,
  type Observation,
} from '../../monitor/changes.ts';
import { analysisGauges, probeGauges, type ErrorKind } from '../../monitor/metrics.ts';
import { fixesFor } from '../../questions/source-classes.ts';
import { UsageError } from '../errors.ts';
import type { MonitorRegistry } from './registry.ts';

/** What one collection gives: the snapshot, and what a person should know about the input. */
export interface Collected {
  readonly snapshot: Snapshot;
  readonly warnings: readonly string[];
}

export interface Prober {
  readonly intervalMs: number;
  run(model: ClusterModel, analysis: AnalysisResult, signal: AbortSignal): Promise<ProbeReport>;
}

export interface MonitorDeps {
  readonly collect: () => Promise<Collected>;
  readonly analyze: (model: ClusterModel) => AnalysisResult;
  readonly registry: MonitorRegistry;
  readonly intervalMs: number;
  /** A collection that has not returned after this is given up as `timeout`. */
  readonly collectTimeoutMs: number;
  readonly prober?: Prober;
  readonly events?: EventSink;
  /** Changes and failures: always shown. */
  readonly log: (line: string) => void;
  /** Routine progress: hidden by --quiet. */
  readonly info: (line: string) => void;
  readonly now?: () => number;
}

/** A collection that did not return in time. */
class CollectTimeout extends Error {
  override readonly name = 'CollectTimeout';
}

const FAILURE_KINDS: Record<CollectFailure, ErrorKind> = {
  throttled: 'throttled',
  'access-denied': 'denied',
  forbidden: 'denied',
  unreachable: 'unreachable',
  credentials: 'credentials',
  'not-found': 'api',
  config: 'api',
  api: 'api',
};

/** The kind `collection_errors_total` counts an error under. */
export function errorKind(err: unknown): ErrorKind {
  if (err instanceof CollectError) return FAILURE_KINDS[err.failure];
  if (err instanceof CollectTimeout) return 'timeout';
  if (err instanceof UsageError) return 'input';
  return 'internal';
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

/** Events one cycle may emit; the rest are summed up in one more. */
const MAX_EVENTS_PER_CYCLE = 10;

interface Latest {
  readonly result: AnalysisResult;
  readonly at: number;
  readonly timing: { start: number; stop: number };
  html?: string;
  json?: string;
}

export class Monitor {
  private readonly now: () => number;
  private latest: Latest | undefined;
  private previous: Observation | undefined;
  private warned = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  /** A collection given up on that has not returned yet: no second one is started beside it. */
  private stuck: { since: number } | undefined;
  private lastProbe: number | undefined;
  private readonly probeAbort = new AbortController();
  private probing: Promise<unknown> | undefined;
  private stopping = false;
  private eventFailures = new Set<string>();

  constructor(private readonly deps: MonitorDeps) {
    this.now = deps.now ?? Date.now;
  }

  start(): void {
    this.schedule(0);
  }

  /** Why /readyz answers 503, or undefined. */
  notReady(): string | undefined {
    if (this.stopping) return 'stopping';
    return this.latest ? undefined : 'no analysis yet';
  }

  report(format: 'html' | 'json'): { body: string; at: number } | undefined {
    const latest = this.latest;
    if (!latest) return undefined;
    if (format === 'html') latest.html ??= renderHtml(latest.result, latest.timing);
    else latest.json ??= `${JSON.stringify(latest.result, null, 2)}\n`;
    return { body: (format === 'html' ? latest.html : latest.json)!, at: latest.at };
  }

  /**
   * No new cycle starts; a probe run in progress is stopped and its namespace deleted (waited for
   * up to `graceMs`). A collection in progress is left: its answer is dropped.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    this.probeAbort.abort();
    if (this.probing) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.probing.catch(() => {}),
        new Promise((resolve) => (timer = setTimeout(resolve, graceMs))),
      ]);
      clearTimeout(timer);
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      const started = this.now();
      void this.cycle()
        .catch((err: unknown) =>
          this.deps.log(
            `internal error in a cycle: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
          ),
        )
        .then(() => this.schedule(Math.max(0, started + this.deps.intervalMs - this.now())));
    }, delayMs);
  }

  private failed(kind: ErrorKind, message: string, what: 'collection' | 'analysis' = 'collection'): void {
    this.deps.registry.cycleFailed(kind);
    const served = this.latest
      ? `serving the analysis of ${new Date(this.latest.at).toISOString()} (${Math.round((this.now() - this.latest.at) / 1000)} s old)`
      : 'no analysis to serve yet';
    this.deps.log(`${what} failed (${kind}): ${message}; ${served}`);
  }

  private async collect(): Promise<Collected | undefined> {
    if (this.stuck) {
      this.failed(
        'timeout',
        `the collection started ${Math.round((this.now() - this.stuck.since) / 1000)} s ago has not returned; not starting another beside it`,
      );
      return undefined;
    }
    const started = this.now();
    const collection = this.deps.collect();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new CollectTimeout(`no answer within ${this.deps.collectTimeoutMs / 1000} s`)),
        this.deps.collectTimeoutMs,
      );
    });
    try {
      const collected = await Promise.race([collection, deadline]);
      this.deps.registry.observe('collection', (this.now() - started) / 1000);
      return collected;
    } catch (err) {
      if (err instanceof CollectTimeout) {
        const stuck = { since: started };
        this.stuck = stuck;
        void collection
          .catch(() => {})
          .finally(() => {
            if (this.stuck === stuck) this.stuck = undefined;
          });
      }
      if (!this.stopping) this.failed(errorKind(err), firstLine(err));
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  private async cycle(): Promise<void> {
    const collected = await this.collect();
    if (!collected || this.stopping) return;
    for (const warning of collected.warnings)
      if (!this.warned.has(warning)) this.deps.log(`warning: ${warning}`);
    this.warned = new Set(collected.warnings);

    const start = this.now();
    let model: ClusterModel;
    let observation: Observation;
    try {
      model = buildModel(collected.snapshot);
      observation = { result: this.deps.analyze(model), facts: networkFacts(model) };
    } catch (err) {
      this.failed(errorKind(err), firstLine(err), 'analysis');
      return;
    }
    const stop = this.now();
    this.deps.registry.observe('analysis', (stop - start) / 1000);
    const { result } = observation;
    const changes = detectChanges(this.previous, observation);
    const first = this.previous === undefined;
    this.previous = observation;
    this.latest = { result, at: stop, timing: { start, stop } };
    this.deps.registry.analysisSucceeded(analysisGauges(result), stop);
    this.tell(result, changes, first, (stop - start) / 1000);

    if (
      this.deps.prober &&
      (this.lastProbe === undefined || stop - this.lastProbe >= this.deps.prober.intervalMs)
    ) {
      this.lastProbe = stop;
      await this.probe(model, result);
    }
  }

  /** Log lines and Events for one successful analysis. */
  private tell(result: AnalysisResult, changes: Changes, first: boolean, seconds: number): void {
    const { summary } = result;
    const counts = `${summary.blocked} blocked, ${summary.unknown} unknown, ${summary.allowed} allowed`;
    const events: MonitorEvent[] = [];
    if (first) {
      this.deps.log(`first analysis: verdict ${result.verdict} (${counts}) in ${seconds.toFixed(2)} s`);
      for (const flow of result.flows)
        if (flow.status !== 'allowed' && (result.strict || flow.level === 'required'))
          this.deps.log(
            `flow ${flow.id} (${flowTitle(result, flow)}): ${flow.status} at the first analysis: ${flow.reason}`,
          );
      events.push({
        type: result.verdict === 'pass' ? 'Normal' : 'Warning',
        reason: 'Analyzed',
        message: `first analysis: verdict ${result.verdict} (${counts} flow classes)`,
      });
    } else {
      this.deps.info(`analysis: verdict ${result.verdict} (${counts}) in ${seconds.toFixed(2)} s`);
    }
    if (changes.verdict) {
      const line = `verdict ${changes.verdict.from} → ${changes.verdict.to} (${counts})`;
      this.deps.log(line);
      events.unshift({
        type: changes.verdict.to === 'pass' ? 'Normal' : 'Warning',
        reason: 'VerdictChanged',
        message: line,
      });
    }
    for (const change of changes.network)
      if (!changes.flows.some((f) => f.causes.includes(change)))
        this.deps.info(`changed since the last collection: ${change.fact.text} ${change.change}`);
    for (const change of changes.flows) {
      const line = describeFlowChange(result, change);
      this.deps.log(line);
      this.deps.registry.flowChanged(change.flow.requirement, change.to);
      const fixes = change.to === 'blocked' ? fixesFor(result, [change.flow]).map((f) => f.command) : [];
      events.push({
        type: change.to === 'blocked' || change.to === 'unknown' ? 'Warning' : 'Normal',
        reason: { blocked: 'FlowBlocked', unknown: 'FlowUnknown', allowed: 'FlowAllowed', gone: 'FlowGone' }[
          change.to
        ],
        message: fixes.length > 0 ? `${line}; fix: ${fixes.join(' ; ')}` : line,
      });
    }
    this.emit(events);
  }

  private emit(events: readonly MonitorEvent[]): void {
    const sink = this.deps.events;
    if (!sink || events.length === 0) return;
    // The verdict first, then what became blocked or unknown, then the rest.
    const sent = [...events]
      .sort((a, b) => Number(a.type === 'Normal') - Number(b.type === 'Normal'))
      .slice(0, MAX_EVENTS_PER_CYCLE);
    if (events.length > sent.length)
      sent.push({
        type: 'Warning',
        reason: 'FlowsChanged',
        message: `${events.length - sent.length} more changes in this analysis: see the monitor's log and /report`,
      });
    for (const event of sent)
      sink(event).catch((err: unknown) => {
        // Said once per distinct failure: an RBAC gap must not fill the log every cycle.
        const message = firstLine(err);
        if (this.eventFailures.has(message)) return;
        this.eventFailures.add(message);
        this.deps.log(`cannot emit a Kubernetes Event (${errorKind(err)}): ${message}`);
      });
  }

  private async probe(model: ClusterModel, result: AnalysisResult): Promise<void> {
    const prober = this.deps.prober!;
    const started = this.now();
    const run = prober.run(model, result, this.probeAbort.signal);
    this.probing = run;
    try {
      const report = await run;
      if (this.stopping) return;
      const at = this.now();
      this.deps.registry.observe('probe', (at - started) / 1000);
      this.deps.registry.probeSucceeded(probeGauges(report), at);
      const { summary } = report;
      const line = `probe ${report.runId}: ${report.passed ? 'passed' : 'failed'} (${summary.passed} reached, ${summary.failed} not, ${summary.disagreements} disagreeing with the static verdict)`;
      if (report.passed) this.deps.info(line);
      else this.deps.log(line);
    } catch (err) {
      if (this.stopping) return;
      const kind = errorKind(err);
      this.deps.registry.probeFailed(kind);
      this.deps.log(`probe failed (${kind}): ${firstLine(err)}`);
    } finally {
      this.probing = undefined;
    }
  }
}
