import { Deadline } from './deadline.ts';
import { endpointOf } from './endpoint.ts';
import type { Step } from './step.ts';
import { DEFAULT_DIAL_TIMEOUT_MS, dialTcp, errnoOf, type TcpDialResult } from './tcp.ts';

export interface HttpDialOptions {
  /** Base URL of the service, e.g. `http://kube-prometheus-prometheus.monitoring.svc:9090`. */
  url: string;
  timeoutMs?: number;
}

export type HttpGetResult = { ok: true; status: number; body: string } | { ok: false; detail: string };

/** `url` + `path`, without doubling the slash between them. */
export function joinUrl(url: string, path: string): string {
  return `${trimSlash(url)}${path}`;
}

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * Dials the URL's endpoint over TCP first, so an L4 failure is classified exactly as `dialTcp`
 * does (timed out / refused / …) rather than as a generic fetch error.
 */
export async function dialEndpoint(url: string, deadline: Deadline): Promise<TcpDialResult> {
  const { host, port } = endpointOf(url);
  return dialTcp({ host, port, timeoutMs: deadline.remainingMs() });
}

/** GET within the deadline; never throws for network failures. Redirects are reported, not followed. */
export async function httpGet(url: string, deadline: Deadline): Promise<HttpGetResult> {
  try {
    const response = await fetch(url, { signal: deadline.signal, redirect: 'manual' });
    return { ok: true, status: response.status, body: await response.text() };
  } catch (err) {
    if (deadline.signal.aborted) {
      return { ok: false, detail: `no HTTP response within ${deadline.totalMs} ms` };
    }
    // fetch wraps the socket error ("fetch failed"); its cause carries the errno.
    return { ok: false, detail: errnoOf(err instanceof Error && err.cause !== undefined ? err.cause : err) };
  }
}

/** A response body as JSON, or undefined when it is not JSON. */
export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** The first line of a response body, short enough for a one-line message. */
export function firstLine(body: string): string {
  return body.trim().split('\n', 1)[0]?.slice(0, 200) ?? '';
}

export type HttpOutcome = 'ok' | 'http-error' | 'unreachable';

export interface HttpDialResult {
  tcp: TcpDialResult;
  http: Step<HttpOutcome>;
}

/** Plain HTTP GET: any 2xx/3xx answer passes. */
export async function dialHttp({
  url,
  timeoutMs = DEFAULT_DIAL_TIMEOUT_MS,
}: HttpDialOptions): Promise<HttpDialResult> {
  const deadline = new Deadline(timeoutMs);
  const tcp = await dialEndpoint(url, deadline);
  if (tcp.outcome !== 'connected') {
    return {
      tcp,
      http: { outcome: 'unreachable', message: `${url} unreachable (${tcp.outcome})`, detail: tcp.outcome },
    };
  }
  const response = await httpGet(url, deadline);
  if (!response.ok) {
    return {
      tcp,
      http: {
        outcome: 'unreachable',
        message: `GET ${url} failed: ${response.detail}`,
        detail: response.detail,
      },
    };
  }
  const outcome = response.status < 400 ? 'ok' : 'http-error';
  return {
    tcp,
    http: {
      outcome,
      message: `GET ${url} answered HTTP ${response.status}`,
      detail: String(response.status),
    },
  };
}
