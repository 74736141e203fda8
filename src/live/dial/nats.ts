import { createConnection, isIPv6 } from 'node:net';
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { Deadline } from './deadline.ts';
import type { Step } from './step.ts';
import { DEFAULT_DIAL_TIMEOUT_MS, dialTcp, errnoOf, type TcpDialOptions, type TcpDialResult } from './tcp.ts';

export interface NatsDialOptions extends TcpDialOptions {
  /** Also ask for the JetStream account info, which Dynamo 1.2 needs for discovery. */
  jetstream?: boolean;
}

export type NatsServerOutcome = 'connected' | 'handshake-failed' | 'unreachable';
export type JetStreamOutcome = 'jetstream-available' | 'jetstream-not-available' | 'error';

export interface NatsDialResult {
  tcp: TcpDialResult;
  server: Step<NatsServerOutcome> & { version?: string };
  /** Present when asked for and the NATS handshake succeeded. */
  jetstream?: Step<JetStreamOutcome>;
}

/**
 * TCP first (so an L4 failure is classified like any other dial), then a NATS handshake with the
 * official client, then the JetStream account info. The connection is always closed.
 */
export async function dialNats({
  host,
  port,
  jetstream = false,
  timeoutMs = DEFAULT_DIAL_TIMEOUT_MS,
}: NatsDialOptions): Promise<NatsDialResult> {
  const deadline = new Deadline(timeoutMs);
  const url = `nats://${hostPort(host, port)}`;

  const tcp = await dialTcp({ host, port, timeoutMs: deadline.remainingMs() });
  if (tcp.outcome !== 'connected') {
    return {
      tcp,
      server: {
        outcome: 'unreachable',
        message: `NATS unreachable at ${url} (${tcp.outcome}): Dynamo pods fail with "Failed to connect to NATS"`,
        detail: tcp.outcome,
      },
    };
  }

  const handshakeFailed = (detail: string): NatsDialResult => ({
    tcp,
    server: {
      outcome: 'handshake-failed',
      message: `${url} accepts TCP but the NATS handshake failed (${detail}): is this the NATS client port?`,
      detail,
    },
  });
  // The client leaks its socket when its connect timeout fires before the server's INFO arrives
  // (@nats-io/transport-node 3.4.0 skips the close of a not-yet-connected transport), so make sure
  // a NATS server is speaking before handing the endpoint to it.
  const greeting = await readServerInfo(tcp.address ?? host, port, deadline);
  if ('failure' in greeting) return handshakeFailed(greeting.failure);

  let connection: NatsConnection;
  try {
    // Loaded only when a NATS target is dialed: the client takes ~0.1 s to import, and every other
    // command (analyze above all) starts without it.
    const { connect } = await import('@nats-io/transport-node');
    connection = await connect({
      servers: hostPort(host, port),
      name: 'dynamo-netcheck',
      timeout: deadline.remainingMs(),
      reconnect: false,
    });
  } catch (err) {
    return handshakeFailed(errnoOf(err));
  }
  try {
    const { version } = greeting;
    const server = {
      outcome: 'connected' as const,
      message: `NATS server ${version} at ${url} accepted the client`,
      version,
    };
    if (!jetstream) return { tcp, server };
    return { tcp, server, jetstream: await jetStreamAccountInfo(connection, deadline) };
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** The first thing a NATS server sends: `INFO {"version":"2.9.10",...}` and CRLF. */
const ServerInfo = z.object({ version: z.string() });
const MAX_INFO_BYTES = 64 * 1024;

/** Reads the server's INFO line on a connection of our own, within the deadline. */
function readServerInfo(
  address: string,
  port: number,
  deadline: Deadline,
): Promise<{ version: string } | { failure: string }> {
  return new Promise((settle) => {
    const socket = createConnection({ host: address, port });
    const timer = setTimeout(
      () => done({ failure: `no NATS INFO within ${deadline.totalMs} ms` }),
      deadline.remainingMs(),
    );
    const done = (result: { version: string } | { failure: string }): void => {
      clearTimeout(timer);
      socket.destroy();
      settle(result);
    };
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      const end = received.indexOf('\r\n');
      if (end === -1) {
        if (received.length > MAX_INFO_BYTES) done({ failure: 'not a NATS server: no INFO line' });
        return;
      }
      const line = received.slice(0, end);
      const info = ServerInfo.safeParse(parseInfo(line));
      done(
        info.success
          ? { version: info.data.version }
          : { failure: `not a NATS server: it sent "${line.slice(0, 80)}"` },
      );
    });
    socket.on('error', (err) => done({ failure: errnoOf(err) }));
    socket.on('close', () => done({ failure: 'connection closed before the NATS INFO' }));
  });
}

function parseInfo(line: string): unknown {
  const json = /^INFO\s+(\{.*\})\s*$/.exec(line)?.[1];
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

async function jetStreamAccountInfo(
  connection: NatsConnection,
  deadline: Deadline,
): Promise<Step<JetStreamOutcome>> {
  try {
    // checkAPI would fetch the account info too; ask once, ourselves.
    const { jetstreamManager } = await import('@nats-io/jetstream');
    const manager = await jetstreamManager(connection, { timeout: deadline.remainingMs(), checkAPI: false });
    const info = await manager.getAccountInfo();
    return {
      outcome: 'jetstream-available',
      message: `JetStream available (${info.streams} streams in this account)`,
    };
  } catch (err) {
    // The client raises JetStreamNotEnabled for "no responders" on $JS.API and for API code 10039.
    if (err instanceof Error && err.name === 'JetStreamNotEnabled') {
      return {
        outcome: 'jetstream-not-available',
        message:
          'JetStream not available: the NATS server is up but runs without JetStream (nats-server -js) or not for this account; Dynamo 1.2 needs it',
        detail: err.message,
      };
    }
    const detail = errnoOf(err);
    return { outcome: 'error', message: `JetStream account info failed: ${detail}`, detail };
  }
}

function hostPort(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}
