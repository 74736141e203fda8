/**
 * The fake Kubernetes API server of `bench/live.ts`, in a process of its own so that its work
 * (answering 500 pods a page, 200,000 pods in all) does not take CPU from the collector being
 * measured: on a real cluster that work is the API server's. Each object is serialised once at
 * start, so a page is a join of ready JSON: the latency the floor counts is the whole answer time.
 * Started with `fork`; reads the generated cluster's k8s/*.json, answers `{ url }`, then
 * `{ stats }` when asked, and exits on 'close'.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { namespacesOf, startFakeKubeApi } from '../test/helpers/fake-kube-api.ts';
import { SELF_SIGNED_CERT, SELF_SIGNED_KEY } from '../test/helpers/tls-certs.ts';

type Json = Record<string, unknown>;

export interface ChildStart {
  readonly dir: string;
  readonly latencyMs: number;
  readonly throttleEvery: number;
  /** HTTPS, each new connection costing two round trips (TCP, TLS 1.3) before its first request. */
  readonly tls?: boolean;
}

export interface ChildStats {
  readonly requests: { path: string }[];
  readonly throttled: number;
  readonly throttledPaths: readonly string[];
  readonly peakInFlight: number;
  readonly pods: number;
  /** TLS handshakes: connections opened (HTTPS only). */
  readonly handshakes: number;
}

/** Every object of the snapshot's k8s/*.json lists (JSON only: the generated snapshot is JSON). */
export function kubeObjects(dir: string): Json[] {
  const out: Json[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.json')) continue;
    const doc = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Json;
    if (Array.isArray(doc.items)) for (const item of doc.items as Json[]) out.push(item);
    else out.push(doc);
  }
  return out;
}

if (process.send) {
  const send = (message: unknown) => process.send!(message);
  // The bench gone (killed, or failed before closing this): nothing is left to answer.
  process.once('disconnect', () => process.exit(0));
  process.once('message', (start: ChildStart) => {
    void (async () => {
      const objects = kubeObjects(join(start.dir, 'k8s'));
      const api = await startFakeKubeApi({
        objects: [...objects, ...namespacesOf(objects)],
        latencyMs: start.latencyMs,
        throttleEvery: start.throttleEvery,
        retryAfter: '1',
        // As the API server lists them: by namespace, then name.
        order: 'storage',
        // Pages are joined from JSON made before the clock starts: the latency is the whole answer.
        serialiseAhead: true,
        ...(start.tls
          ? { tls: { cert: SELF_SIGNED_CERT, key: SELF_SIGNED_KEY, handshakeMs: 2 * start.latencyMs } }
          : {}),
      });
      const pods = objects.filter((o) => o.kind === 'Pod').length;
      process.on('message', (message: string) => {
        if (message === 'stats') {
          const stats: ChildStats = {
            requests: api.requests.map((r) => ({ path: r.path })),
            throttled: api.throttled,
            throttledPaths: api.throttledPaths,
            peakInFlight: api.peakInFlight,
            pods,
            handshakes: api.handshakes,
          };
          send({ stats });
        } else if (message === 'close') void api.close().then(() => process.exit(0));
      });
      send({ url: api.url, kubeconfig: api.kubeconfigYaml() });
    })();
  });
}
