import { dialEtcd, type EtcdHealthOutcome } from './etcd.ts';
import { DialTargetError, endpointOf } from './endpoint.ts';
import { dialHttp, type HttpOutcome } from './http.ts';
import { dialNats, type JetStreamOutcome, type NatsServerOutcome } from './nats.ts';
import { dialPrometheus, type PrometheusQueryOutcome, type PrometheusReadyOutcome } from './prometheus.ts';
import type { Step } from './step.ts';
import { dialTcp, type TcpDialResult, type TcpOutcome } from './tcp.ts';

export { DialTargetError } from './endpoint.ts';
export { DEFAULT_DIAL_TIMEOUT_MS, dialTcp } from './tcp.ts';
export type { TcpDialOptions, TcpDialResult, TcpOutcome } from './tcp.ts';
export { dialNats } from './nats.ts';
export type { NatsDialOptions, NatsDialResult } from './nats.ts';
export { dialPrometheus, prometheusUnreachableMessage } from './prometheus.ts';
export type { PrometheusDialOptions, PrometheusDialResult } from './prometheus.ts';
export { dialEtcd } from './etcd.ts';
export type { EtcdDialResult } from './etcd.ts';
export { dialHttp } from './http.ts';
export type { HttpDialOptions, HttpDialResult } from './http.ts';

/** Which dialer a URL gets. */
export type DialKind = 'tcp' | 'nats' | 'prometheus' | 'etcd' | 'http';

export interface DialOptions {
  timeoutMs?: number;
  /** nats:// targets: also require JetStream. */
  jetstream?: boolean;
  /** http(s):// targets are Prometheus: run this instant query after the readiness check. */
  promQuery?: string;
  /** http(s):// targets are etcd: check `/health`. */
  etcd?: boolean;
}

export interface DialTarget {
  url: string;
  kind: DialKind;
  host: string;
  port: number;
}

export type CheckName =
  'tcp' | 'nats' | 'jetstream' | 'prometheus-ready' | 'prometheus-query' | 'etcd-health' | 'http';

export type CheckOutcome =
  | TcpOutcome
  | NatsServerOutcome
  | JetStreamOutcome
  | PrometheusReadyOutcome
  | PrometheusQueryOutcome
  | EtcdHealthOutcome
  | HttpOutcome;

export interface Check {
  name: CheckName;
  status: 'pass' | 'fail';
  /** The dialer's classification, e.g. `timed-out`, `jetstream-not-available`, `empty`. */
  outcome: CheckOutcome;
  message: string;
  /** errno code, HTTP status or client error behind the outcome. */
  detail?: string;
}

export interface DialReport {
  target: string;
  kind: DialKind;
  checks: Check[];
  passed: boolean;
}

/** The ports that name their service when no option does. */
const SERVICE_BY_PORT: Readonly<Record<number, 'prometheus' | 'etcd'>> = { 9090: 'prometheus', 2379: 'etcd' };

/** Parses every URL and checks that each service-specific option applies to at least one of them. */
export function parseTargets(urls: readonly string[], options: DialOptions = {}): DialTarget[] {
  const targets = urls.map((url) => parseTarget(url, options));
  const kinds = new Set(targets.map((target) => target.kind));
  const requireTarget = (asked: boolean, kind: DialKind, problem: string): void => {
    if (asked && !kinds.has(kind)) throw new DialTargetError(problem);
  };
  requireTarget(options.jetstream === true, 'nats', 'JetStream check needs a nats:// target');
  requireTarget(
    options.promQuery !== undefined,
    'prometheus',
    'Prometheus query needs a Prometheus http(s):// target',
  );
  requireTarget(options.etcd === true, 'etcd', 'etcd health check needs an etcd http(s):// target');
  return targets;
}

export function parseTarget(url: string, options: DialOptions = {}): DialTarget {
  const { scheme, host, port } = endpointOf(url);
  const kind = scheme === 'http' || scheme === 'https' ? httpKind(url, port, options) : scheme;
  return { url, kind, host, port };
}

/** An explicit option names the service; with both or neither, the well-known port does. */
function httpKind(url: string, port: number, { etcd = false, promQuery }: DialOptions): DialKind {
  const byPort = SERVICE_BY_PORT[port];
  const wantsPrometheus = promQuery !== undefined;
  if (etcd && wantsPrometheus) {
    if (byPort !== undefined) return byPort;
    throw new DialTargetError(
      `${url}: asked for both etcd and Prometheus checks, and port ${port} is neither 2379 nor 9090; dial them separately`,
    );
  }
  if (etcd) return 'etcd';
  if (wantsPrometheus) return 'prometheus';
  return byPort ?? 'http';
}

/** Dials one target with the checks its kind calls for. Network failures are reported, not thrown. */
export async function dial(target: string | DialTarget, options: DialOptions = {}): Promise<DialReport> {
  const resolved = typeof target === 'string' ? parseTarget(target, options) : target;
  const checks = await runChecks(resolved, options);
  return {
    target: resolved.url,
    kind: resolved.kind,
    checks,
    passed: checks.every((check) => check.status === 'pass'),
  };
}

async function runChecks({ url, kind, host, port }: DialTarget, options: DialOptions): Promise<Check[]> {
  const { timeoutMs } = options;
  switch (kind) {
    case 'tcp':
      return [tcpCheck(await dialTcp({ host, port, timeoutMs }))];
    case 'nats': {
      const result = await dialNats({ host, port, timeoutMs, jetstream: options.jetstream });
      return [
        tcpCheck(result.tcp),
        stepCheck('nats', result.server, 'connected'),
        ...optionalCheck('jetstream', result.jetstream, 'jetstream-available'),
      ];
    }
    case 'prometheus': {
      const result = await dialPrometheus({ url, timeoutMs, query: options.promQuery });
      return [
        tcpCheck(result.tcp),
        stepCheck('prometheus-ready', result.ready, 'ready'),
        ...optionalCheck('prometheus-query', result.query, 'series'),
      ];
    }
    case 'etcd': {
      const result = await dialEtcd({ url, timeoutMs });
      return [tcpCheck(result.tcp), stepCheck('etcd-health', result.health, 'healthy')];
    }
    case 'http': {
      const result = await dialHttp({ url, timeoutMs });
      return [tcpCheck(result.tcp), stepCheck('http', result.http, 'ok')];
    }
  }
}

function tcpCheck(result: TcpDialResult): Check {
  return stepCheck(
    'tcp',
    { outcome: result.outcome, message: result.explanation, detail: result.detail },
    'connected',
  );
}

function stepCheck<Outcome extends CheckOutcome>(
  name: CheckName,
  step: Step<Outcome>,
  passing: Outcome,
): Check {
  return {
    name,
    status: step.outcome === passing ? 'pass' : 'fail',
    outcome: step.outcome,
    message: step.message,
    ...(step.detail === undefined ? {} : { detail: step.detail }),
  };
}

function optionalCheck<Outcome extends CheckOutcome>(
  name: CheckName,
  step: Step<Outcome> | undefined,
  passing: Outcome,
): Check[] {
  return step === undefined ? [] : [stepCheck(name, step, passing)];
}
