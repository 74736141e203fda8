import { lookup } from 'node:dns/promises';
import { Socket } from 'node:net';
import { Deadline } from './deadline.ts';

/** The validator's dial timeout: ai-service-metrics gives Prometheus 5 s. */
export const DEFAULT_DIAL_TIMEOUT_MS = 5000;

/** What a TCP dial ended in — the classification is what the user acts on. */
export type TcpOutcome = 'connected' | 'timed-out' | 'refused' | 'dns-failure' | 'no-route' | 'error';

export interface TcpDialOptions {
  host: string;
  port: number;
  timeoutMs?: number;
}

export interface TcpDialResult {
  host: string;
  port: number;
  outcome: TcpOutcome;
  /** The IP the host resolved to; absent when resolution failed. */
  address?: string;
  elapsedMs: number;
  /** errno code or message behind a failure. */
  detail?: string;
  /** One line telling the user what the outcome means and what to act on. */
  explanation: string;
}

/** Connect-time errno → outcome. Anything else is a plain 'error' carrying its code. */
const OUTCOME_BY_ERRNO: Readonly<Record<string, TcpOutcome>> = {
  ECONNREFUSED: 'refused',
  ECONNRESET: 'refused',
  ETIMEDOUT: 'timed-out',
  EHOSTUNREACH: 'no-route',
  ENETUNREACH: 'no-route',
  EHOSTDOWN: 'no-route',
  ENETDOWN: 'no-route',
};

/**
 * Resolves `host`, then opens (and immediately closes) one TCP connection, all within
 * `timeoutMs`. Network failures are classified, never thrown.
 */
export async function dialTcp({
  host,
  port,
  timeoutMs = DEFAULT_DIAL_TIMEOUT_MS,
}: TcpDialOptions): Promise<TcpDialResult> {
  const deadline = new Deadline(timeoutMs);
  const finish = (outcome: TcpOutcome, address?: string, detail?: string): TcpDialResult => {
    const elapsedMs = deadline.elapsedMs();
    return {
      host,
      port,
      outcome,
      ...(address === undefined ? {} : { address }),
      elapsedMs,
      ...(detail === undefined ? {} : { detail }),
      explanation: explainTcp({ host, port, timeoutMs, elapsedMs, outcome, address, detail }),
    };
  };

  const resolved = await resolve(host, deadline);
  if ('failure' in resolved) return finish('dns-failure', undefined, resolved.failure);
  const { outcome, detail } = await connect(resolved.address, port, deadline);
  return finish(outcome, resolved.address, detail);
}

async function resolve(host: string, deadline: Deadline): Promise<{ address: string } | { failure: string }> {
  // getaddrinfo cannot be cancelled; a resolver that never answers still ends the dial on time.
  const expired = deadline.expiry().then(() => ({ failure: `no DNS answer within ${deadline.totalMs} ms` }));
  const answered = lookup(host).then(
    ({ address }) => ({ address }),
    (err: unknown) => ({ failure: errnoOf(err) }),
  );
  return Promise.race([answered, expired]);
}

function connect(
  address: string,
  port: number,
  deadline: Deadline,
): Promise<{ outcome: TcpOutcome; detail?: string }> {
  return new Promise((settle) => {
    const socket = new Socket();
    // net's own `timeout` is an idle timer, not a connect timeout, so the deadline ends the attempt.
    const timer = setTimeout(
      () => done({ outcome: 'timed-out', detail: 'no reply to SYN' }),
      deadline.remainingMs(),
    );
    const done = (result: { outcome: TcpOutcome; detail?: string }): void => {
      clearTimeout(timer);
      socket.destroy();
      settle(result);
    };
    socket.once('connect', () => done({ outcome: 'connected' }));
    socket.once('error', (err) => {
      const code = errnoOf(err);
      done({ outcome: OUTCOME_BY_ERRNO[code] ?? 'error', detail: code });
    });
    socket.connect({ host: address, port });
  });
}

/** The errno code (`ECONNREFUSED`) of a Node error, or its message when it has none. */
export function errnoOf(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return typeof code === 'string' ? code : err.message;
  }
  return String(err);
}

interface Explained {
  host: string;
  port: number;
  timeoutMs: number;
  elapsedMs: number;
  outcome: TcpOutcome;
  address?: string | undefined;
  detail?: string | undefined;
}

function explainTcp({ host, port, timeoutMs, elapsedMs, outcome, address, detail }: Explained): string {
  const target = `${host}:${port}`;
  switch (outcome) {
    case 'connected': {
      const via = address !== undefined && address !== host ? ` at ${address}` : '';
      return `${target}${via} accepted the TCP connection in ${elapsedMs} ms`;
    }
    case 'timed-out':
      return `no answer from ${target} within ${timeoutMs} ms: a security group or network ACL is silently dropping TCP ${port}; allow it from this source`;
    case 'refused':
      return `${target} refused the connection: nothing listens on port ${port} there (pod not ready, wrong port), or a firewall rejects it`;
    case 'dns-failure':
      return `${host} does not resolve (${detail}): check the service name and namespace, and that this node reaches cluster DNS`;
    case 'no-route':
      return `no route to ${address ?? host} (${detail}): the address is in no network reachable from here, or a router or firewall answers "unreachable"`;
    case 'error':
      return `TCP dial to ${target} failed: ${detail}`;
  }
}
