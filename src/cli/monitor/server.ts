/**
 * The monitor's HTTP endpoints: /metrics (Prometheus text format), /healthz (the process serves),
 * /readyz (an analysis exists and the monitor is not stopping), /report (the latest HTML report)
 * and /report.json (the latest `analyze -o json`). Read-only: GET and HEAD only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../errors.ts';

export interface Endpoints {
  metrics(): Promise<{ body: string; contentType: string }>;
  /** Undefined before the first successful analysis. */
  report(format: 'html' | 'json'): { body: string; at: number } | undefined;
  /** Why the monitor is not ready, or undefined when it is. */
  notReady(): string | undefined;
}

export interface ListenAddress {
  /** Undefined: every interface. */
  readonly host?: string;
  readonly port: number;
}

/** `:9477`, `0.0.0.0:9477`, `127.0.0.1:0`, `[::1]:9477` or a bare port. */
export function parseListen(text: string): ListenAddress {
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]*):)?(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[2]);
  if (!match || port > 65535)
    throw new UsageError(
      `--listen ${text}: expected [host]:port, such as :9477, 127.0.0.1:9477 or [::1]:9477`,
    );
  const host = match[1]?.replace(/^\[(.*)\]$/, '$1');
  return { ...(host ? { host } : {}), port };
}

const TEXT = 'text/plain; charset=utf-8';

const INDEX = [
  'dynamo-netcheck monitor',
  '',
  '/metrics      Prometheus metrics',
  '/healthz      200 while the process serves',
  '/readyz       200 once an analysis exists, 503 before it and while stopping',
  '/report       the latest HTML report',
  '/report.json  the latest analyze -o json',
  '',
].join('\n');

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(body);
}

async function handle(endpoints: Endpoints, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, TEXT, 'only GET and HEAD\n', { allow: 'GET, HEAD' });
    return;
  }
  const path = new URL(req.url ?? '/', 'http://monitor').pathname;
  switch (path) {
    case '/metrics': {
      const { body, contentType } = await endpoints.metrics();
      send(res, 200, contentType, body);
      return;
    }
    case '/healthz':
      send(res, 200, TEXT, 'ok\n');
      return;
    case '/readyz': {
      const why = endpoints.notReady();
      send(res, why ? 503 : 200, TEXT, why ? `not ready: ${why}\n` : 'ready\n');
      return;
    }
    case '/report':
    case '/report.json': {
      const format = path === '/report' ? 'html' : 'json';
      const report = endpoints.report(format);
      if (!report) {
        send(res, 503, TEXT, 'no analysis yet: the first one is under way or failed (see /metrics)\n', {
          'retry-after': '10',
        });
        return;
      }
      send(res, 200, format === 'html' ? 'text/html; charset=utf-8' : 'application/json', report.body, {
        'last-modified': new Date(report.at).toUTCString(),
      });
      return;
    }
    case '/':
      send(res, 200, TEXT, INDEX);
      return;
    default:
      send(res, 404, TEXT, 'not found: see /\n');
  }
}

export interface RunningServer {
  /** `http://host:port`, with the port the system chose for port 0. */
  readonly url: string;
  /**
   * Stops accepting connections, closes idle keep-alive ones, lets requests in flight finish for up
   * to `graceMs`, then closes whatever is left.
   */
  close(graceMs: number): Promise<void>;
}

export async function startServer(
  endpoints: Endpoints,
  listen: ListenAddress,
  onError: (err: unknown) => void,
): Promise<RunningServer> {
  const server: Server = createServer((req, res) => {
    handle(endpoints, req, res).catch((err: unknown) => {
      onError(err);
      if (!res.headersSent) send(res, 500, TEXT, 'internal error\n');
      else res.destroy();
    });
  });
  // An analysis holds the event loop for seconds on a large cluster: with Node's 5 s default, a
  // keep-alive socket's timer then fires as a scraper's next request arrives on it (ECONNRESET).
  // Longer than Prometheus' usual scrape intervals; close() ends idle sockets at once anyway.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException): void => {
      reject(
        err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL'
          ? new UsageError(`--listen: cannot listen on ${listen.host ?? '*'}:${listen.port} (${err.code})`)
          : err,
      );
    };
    server.once('error', failed);
    server.listen({ port: listen.port, ...(listen.host ? { host: listen.host } : {}) }, () => {
      server.off('error', failed);
      resolve();
    });
  });
  server.on('error', onError);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: (graceMs) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
