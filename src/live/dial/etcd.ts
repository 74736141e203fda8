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

export type EtcdHealthOutcome = 'healthy' | 'unhealthy' | 'unreachable';

export interface EtcdDialResult {
  tcp: TcpDialResult;
  health: Step<EtcdHealthOutcome>;
}

/** etcd's `/health` answer: `{"health":"true"}`, or `"false"` with a reason. */
const HealthResponse = z.object({ health: z.string(), reason: z.string().optional() });

/** GET `/health` on etcd's client port (2379), which Dynamo 1.0.x needs for its leases. */
export async function dialEtcd({
  url,
  timeoutMs = DEFAULT_DIAL_TIMEOUT_MS,
}: HttpDialOptions): Promise<EtcdDialResult> {
  const deadline = new Deadline(timeoutMs);
  const unreachable = (detail: string): Step<'unreachable'> => ({
    outcome: 'unreachable',
    message: `etcd unreachable at ${trimSlash(url)} (${detail}): Dynamo 1.0.x pods fail with "Unable to create lease"`,
    detail,
  });

  const tcp = await dialEndpoint(url, deadline);
  if (tcp.outcome !== 'connected') return { tcp, health: unreachable(tcp.outcome) };

  const response = await httpGet(joinUrl(url, '/health'), deadline);
  if (!response.ok) return { tcp, health: unreachable(response.detail) };
  const parsed = HealthResponse.safeParse(parseJson(response.body));
  if (response.status === 200 && parsed.success && parsed.data.health === 'true') {
    return { tcp, health: { outcome: 'healthy', message: `etcd at ${trimSlash(url)} is healthy` } };
  }
  const reason = parsed.success
    ? (parsed.data.reason ?? `health=${parsed.data.health}`)
    : firstLine(response.body);
  return {
    tcp,
    health: {
      outcome: 'unhealthy',
      message: `etcd at ${trimSlash(url)} answers but is unhealthy (HTTP ${response.status}: ${reason})`,
      detail: String(response.status),
    },
  };
}
