/**
 * One connection pool per kubeconfig, not one per call. client-node 2.0 builds a new undici Agent
 * for every request whose kubeconfig carries TLS material (a CA, as every EKS kubeconfig does), so
 * each call opened its own TCP connection and TLS handshake: 20 calls, 20 handshakes (measured;
 * test/live/collect/kube-connections.test.ts). Against an API server a round trip away, that is
 * two more round trips per call (TCP, then TLS 1.3), about as many as the call itself. Here the
 * agent built for one set of TLS options is kept and handed to every later call with the same
 * ones, so calls reuse kept-alive connections. Idle connections do not hold the process open
 * (undici unrefs them).
 */
import type { Cluster, KubeConfig } from '@kubernetes/client-node';

type DispatcherFactory = (cluster: Cluster | null, agentOptions: unknown) => unknown;

/** `kc`, its calls sharing one agent per set of TLS options; a client-node without that factory is left alone. */
export function reuseConnections(kc: KubeConfig): KubeConfig {
  // A private method of client-node's KubeConfig (config.js createDispatcher), called for every
  // request by applySecurityAuthentication; the test above fails if a new version drops it.
  const target = kc as unknown as { createDispatcher?: DispatcherFactory };
  const make = target.createDispatcher;
  if (typeof make !== 'function') return kc;
  const kept = new Map<string, unknown>();
  target.createDispatcher = (cluster, agentOptions) => {
    let key: string;
    try {
      // What the agent is built from (client-node's own mapping): the server and its TLS options.
      const options = kc.createDispatcherOptions(
        cluster,
        agentOptions as Parameters<KubeConfig['createDispatcherOptions']>[1],
      );
      key = JSON.stringify([cluster?.server, cluster?.proxyUrl, options]);
    } catch {
      return make.call(kc, cluster, agentOptions);
    }
    if (!kept.has(key)) kept.set(key, make.call(kc, cluster, agentOptions));
    return kept.get(key);
  };
  return kc;
}
