import { z } from 'zod';
import { Deadline } from './deadline.ts';
import {
  dialEndpoint,
  firstLine,
  httpGet,
  joinUrl,
  parseJson,
  trimSlash,
  type HttpDialOptions,
} from './http.ts';
import type { Step } from './step.ts';
import { DEFAULT_DIAL_TIMEOUT_MS, type TcpDialResult } from './tcp.ts';

export interface PrometheusDialOptions extends HttpDialOptions {
  /** PromQL for an instant query, e.g. `DCGM_FI_DEV_GPU_UTIL`. */
  query?: string;
}

export type PrometheusReadyOutcome = 'ready' | 'not-ready' | 'unreachable';
export type PrometheusQueryOutcome = 'series' | 'empty' | 'error';

export interface PrometheusQueryStep extends Step<PrometheusQueryOutcome> {
  query: string;
  seriesCount?: number;
}

export interface PrometheusDialResult {
  tcp: TcpDialResult;
  ready: Step<PrometheusReadyOutcome>;
  /** Present when a query was asked for and Prometheus was ready to answer it. */
  query?: PrometheusQueryStep;
}

/** The conformance validator's (ai-service-metrics) words when it cannot reach Prometheus. */
export function prometheusUnreachableMessage(url: string): string {
  return `[SERVICE_UNAVAILABLE] Prometheus unreachable at ${trimSlash(url)} — verify network connectivity`;
}

/** The HTTP API's envelope for `/api/v1/query`, on success and on error. */
const QueryResponse = z.object({
  status: z.enum(['success', 'error']),
  data: z.object({ resultType: z.string(), result: z.unknown() }).optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
});

/** Readiness (`/-/ready`), then the optional instant query; an empty answer is not an outage. */
export async function dialPrometheus({
  url,
  query,
  timeoutMs = DEFAULT_DIAL_TIMEOUT_MS,
}: PrometheusDialOptions): Promise<PrometheusDialResult> {
  const deadline = new Deadline(timeoutMs);
  const unreachable = (detail: string): Step<'unreachable'> => ({
    outcome: 'unreachable',
    message: prometheusUnreachableMessage(url),
    detail,
  });

  const tcp = await dialEndpoint(url, deadline);
  if (tcp.outcome !== 'connected') return { tcp, ready: unreachable(tcp.outcome) };

  const readiness = await httpGet(joinUrl(url, '/-/ready'), deadline);
  if (!readiness.ok) return { tcp, ready: unreachable(readiness.detail) };
  if (readiness.status !== 200) {
    const ready: Step<'not-ready'> = {
      outcome: 'not-ready',
      message: `Prometheus at ${trimSlash(url)} answers but is not ready (HTTP ${readiness.status}: ${firstLine(readiness.body)})`,
      detail: String(readiness.status),
    };
    return { tcp, ready };
  }
  const ready: Step<'ready'> = { outcome: 'ready', message: `Prometheus at ${trimSlash(url)} is ready` };
  if (query === undefined) return { tcp, ready };
  return { tcp, ready, query: await instantQuery(url, query, deadline) };
}

async function instantQuery(url: string, query: string, deadline: Deadline): Promise<PrometheusQueryStep> {
  const failed = (detail: string): PrometheusQueryStep => ({
    query,
    outcome: 'error',
    message: `query ${query} failed: ${detail}`,
    detail,
  });

  const response = await httpGet(joinUrl(url, `/api/v1/query?query=${encodeURIComponent(query)}`), deadline);
  if (!response.ok) return failed(response.detail);
  const parsed = QueryResponse.safeParse(parseJson(response.body));
  if (!parsed.success)
    return failed(`HTTP ${response.status}, not a Prometheus API answer: ${firstLine(response.body)}`);
  const { status, data, errorType, error } = parsed.data;
  if (status === 'error' || data === undefined)
    return failed(`${errorType ?? `HTTP ${response.status}`}: ${error ?? ''}`);

  const seriesCount = countSeries(data.resultType, data.result);
  if (seriesCount === 0) {
    return {
      query,
      outcome: 'empty',
      seriesCount,
      message: `query ${query} returned no series: Prometheus is reachable, but nothing it scrapes exports that metric (exporter missing or not scraped)`,
    };
  }
  return { query, outcome: 'series', seriesCount, message: `query ${query} returned ${seriesCount} series` };
}

/** vector and matrix answers hold one entry per series; scalar and string answers are one value. */
function countSeries(resultType: string, result: unknown): number {
  if (resultType === 'vector' || resultType === 'matrix') return Array.isArray(result) ? result.length : 0;
  return result === undefined || result === null ? 0 : 1;
}
