/**
 * Benchmark of live collection (`snapshot` / `--live`): the real collector, through the real SDK v3
 * clients and client-node, against local fakes of EC2/EKS/STS and the Kubernetes API serving a
 * generated cluster (bench/generate.ts), with a latency per request and throttling on 1 call in N
 * (EC2's RequestLimitExceeded beneath the SDK's adaptive retry; the API server's 429 with
 * Retry-After). Prints a Markdown row: wall time against the floor, calls, pages, retries, peak RSS.
 *
 *   npm run bench:live -- [--nodes 10000] [--latency 100] [--throttle-every 20] [--dir /tmp/netcheck-bench]
 *                         [--tls [--no-reuse]]
 *
 * The floor is what no collector can beat at this latency: every page costs one round trip, pages
 * of one list follow one another (each needs the `continue` / NextToken of the one before; the pods
 * of one namespace follow the first page across all namespaces, which decides the split), and at
 * most so many calls are in flight: 4 to the API server (the collector's limit, a few per user as
 * its priority and fairness admits), 8 in all (4 Kubernetes, 4 EC2 calls of a kind):
 *   floor = cluster calls × latency
 *         + max(longest chain's pages, Σ pages ÷ 8, Kubernetes pages ÷ 4) × latency
 * with the STS / EKS calls first and one after another. The goal (issue 18) is ≤ 1.5× the floor.
 * The floor with waits adds, to the longest chain, the Retry-After seconds its own 429s waited.
 * The fake API server runs in a child process (bench/fake-kube-child.ts): its work is not the
 * collector's. The EC2 fake answers beneath the SDK in this process (no XML on either side).
 */
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { collectSnapshot } from '../src/live/collect/index.ts';
import { reuseConnections } from '../src/live/collect/kube-connections.ts';
import { DEFAULT_KUBE_CONCURRENCY } from '../src/live/collect/kubernetes.ts';
import { fakeAws, loadAwsWorld } from '../test/helpers/fake-aws.ts';
import type { ChildStart, ChildStats } from './fake-kube-child.ts';
import { generate } from './generate.ts';

export interface LiveBenchOptions {
  readonly nodes: number;
  readonly dir: string;
  readonly latencyMs: number;
  readonly throttleEvery: number;
  readonly pageSize?: number;
  /** Write the Kubernetes lists to disk page by page, as `snapshot` does (default true). */
  readonly spool?: boolean;
  /**
   * The API server over HTTPS with its CA in the kubeconfig, as EKS's, each new connection costing
   * two round trips (TCP, TLS 1.3) of `latencyMs` before its first request.
   */
  readonly tls?: boolean;
  /** Calls share connections, as loadKubeConfig sets up for `snapshot` (default true). */
  readonly reuse?: boolean;
}

export interface LiveBenchResult {
  readonly nodes: number;
  readonly pods: number;
  readonly securityGroups: number;
  readonly wallS: number;
  readonly floorS: number;
  /** The floor with the Retry-After waits of the longest chain added to it (see README). */
  readonly floorWithWaitsS: number;
  /** The floor without its last term (Kubernetes pages ÷ 4), as it was defined before the split. */
  readonly floorOldS: number;
  readonly kube: { calls: number; pages: number; throttled: number; longestList: number; lists: number };
  readonly ec2: { calls: number; pages: number; throttled: number };
  readonly clusterCalls: number;
  /** The collector's CPU time (user + system) over the collection, fakes of Kubernetes excluded. */
  readonly cpuS: number;
  readonly peakRssMb: number;
  readonly baselineRssMb: number;
  /** Connections the collector opened to the API server (HTTPS only: its TLS handshakes). */
  readonly handshakes: number;
  /** Objects in each collected file, by path. */
  readonly counts: Record<string, number>;
  readonly progress: string[];
}

const rssMb = () => process.memoryUsage().rss / 2 ** 20;

/** The fake Kubernetes API server in a child process (bench/fake-kube-child.ts). */
async function startChild(start: ChildStart) {
  const child = fork(new URL('./fake-kube-child.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T>(key: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (message: Record<string, unknown>) => {
        if (!(key in message)) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message as T);
      };
      const onExit = (code: number | null) => reject(new Error(`fake Kubernetes API exited (${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ready = next<{ url: string; kubeconfig: string }>('url');
  child.send(start);
  const { kubeconfig } = await ready;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(kubeconfig);
  return {
    kubeConfig,
    stats: async (): Promise<ChildStats> => {
      const answer = next<{ stats: ChildStats }>('stats');
      child.send('stats');
      return (await answer).stats;
    },
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send('close');
      }),
  };
}

export async function benchLive(options: LiveBenchOptions): Promise<LiveBenchResult> {
  const dir = join(options.dir, String(options.nodes));
  if (!existsSync(join(dir, 'k8s', 'pods.json'))) generate({ nodes: options.nodes, out: dir });
  const world = loadAwsWorld(dir);
  const pageSize = options.pageSize ?? 500;
  const api = await startChild({
    dir,
    latencyMs: options.latencyMs,
    throttleEvery: options.throttleEvery,
    ...(options.tls ? { tls: true } : {}),
  });
  if (options.reuse !== false) reuseConnections(api.kubeConfig);
  // EC2 answers at most 1000 items a page (the collector's MaxResults). This fake answers beneath
  // the SDK's retry step, in this process: its work is counted with the collector's.
  const aws = fakeAws(world, {
    mode: 'wire',
    pageSize: 1000,
    latencyMs: options.latencyMs,
    throttleEvery: options.throttleEvery,
  });
  global.gc?.();
  const baselineRssMb = rssMb();
  let peakRssMb = baselineRssMb;
  const sampler = setInterval(() => (peakRssMb = Math.max(peakRssMb, rssMb())), 50);
  const progress: string[] = [];
  const spool = options.spool === false ? undefined : mkdtempSync(join(tmpdir(), 'netcheck-bench-spool-'));
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  let counts: Record<string, number> | undefined;
  let stats: ChildStats;
  let cpuS: number;
  try {
    const collected = await collectSnapshot({
      clusterName: String(world.cluster.name),
      progress: (line) => progress.push(`${((performance.now() - start) / 1000).toFixed(2)} s  ${line}`),
      awsClients: aws.clients,
      kubeConfig: api.kubeConfig,
      pageSize,
      ...(spool ? { spool } : {}),
    });
    const cpu = process.cpuUsage(cpuStart);
    cpuS = (cpu.user + cpu.system) / 1e6;
    counts = Object.fromEntries(collected.documents.map((d) => [d.path, d.count]));
  } finally {
    clearInterval(sampler);
    aws.restore();
    if (spool) rmSync(spool, { recursive: true, force: true });
    // A failed collection must not leave the fake API server's process running.
    if (counts === undefined) await api.close();
  }
  const wallS = (performance.now() - start) / 1000;
  peakRssMb = Math.max(peakRssMb, rssMb());
  try {
    stats = await api.stats();
  } finally {
    await api.close();
  }

  const clusterCommands = /^(GetCallerIdentity|DescribeCluster|ListNodegroups|DescribeNodegroup)Command$/;
  const clusterCalls = aws.calls.filter((c) => clusterCommands.test(c.command)).length;
  const ec2Calls = aws.calls.length - clusterCalls;
  const kubeCalls = stats.requests.length;
  const kubePages = kubeCalls - stats.throttled;
  // Pages per list (the requests to each path that were answered) and Retry-After waits per list.
  const perList = new Map<string, number>();
  const waitsPerList = new Map<string, number>();
  for (const r of stats.requests) perList.set(r.path, (perList.get(r.path) ?? 0) + 1);
  for (const path of stats.throttledPaths) {
    perList.set(path, (perList.get(path) ?? 0) - 1);
    waitsPerList.set(path, (waitsPerList.get(path) ?? 0) + 1);
  }
  // The pods of one namespace follow the first page across all namespaces (it decides the split).
  const split = (path: string) => /^\/api\/v1\/namespaces\/[^/]+\/pods$/.test(path);
  const splitHead = [...perList.keys()].some(split) ? '/api/v1/pods' : undefined;
  const chain = (path: string, of: Map<string, number>) =>
    (of.get(path) ?? 0) + (split(path) && splitHead ? (of.get(splitHead) ?? 0) : 0);
  const longestList = Math.max(0, ...[...perList.keys()].map((p) => chain(p, perList)));
  const ec2Pages = ec2Calls - aws.throttled;
  const latency = options.latencyMs / 1000;
  // Round trips no collector can avoid: the longest chain of pages; all pages over the 8 calls in
  // flight (4 Kubernetes, 4 EC2); the Kubernetes pages over the 4 calls the API server is sent at once.
  const roundTrips = Math.max(longestList, (kubePages + ec2Pages) / 8, kubePages / DEFAULT_KUBE_CONCURRENCY);
  const floorS = clusterCalls * latency + roundTrips * latency;
  const floorOldS = clusterCalls * latency + Math.max(longestList, (kubePages + ec2Pages) / 8) * latency;
  // A refused call's Retry-After (1 s) lengthens its own chain; the longest chain with its waits.
  const withWaits = Math.max(
    0,
    ...[...perList.keys()].map((p) => chain(p, perList) * latency + chain(p, waitsPerList) * 1),
  );
  const floorWithWaitsS = clusterCalls * latency + Math.max(roundTrips * latency, withWaits);
  return {
    nodes: options.nodes,
    pods: stats.pods,
    securityGroups: world.securityGroups.length,
    wallS,
    floorS,
    floorWithWaitsS,
    floorOldS,
    kube: {
      calls: kubeCalls,
      pages: kubePages,
      throttled: stats.throttled,
      longestList,
      lists: perList.size,
    },
    ec2: { calls: ec2Calls, pages: ec2Pages, throttled: aws.throttled },
    clusterCalls,
    cpuS,
    peakRssMb,
    baselineRssMb,
    handshakes: stats.handshakes,
    counts,
    progress,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '10000' },
      latency: { type: 'string', default: '100' },
      'throttle-every': { type: 'string', default: '20' },
      dir: { type: 'string', default: '/tmp/netcheck-bench' },
      tls: { type: 'boolean', default: false },
      'no-reuse': { type: 'boolean', default: false },
    },
  });
  const r = await benchLive({
    nodes: Number(values.nodes),
    dir: values.dir,
    latencyMs: Number(values.latency),
    throttleEvery: Number(values['throttle-every']),
    tls: values.tls,
    reuse: !values['no-reuse'],
  });
  if (values.tls)
    process.stderr.write(
      `HTTPS, ${values['no-reuse'] ? 'a connection per call (client-node alone)' : 'connections shared'}: ${r.handshakes} connections opened\n`,
    );
  for (const line of r.progress) process.stderr.write(`  ${line}\n`);
  const ratio = (floor: number) => `${(r.wallS / floor).toFixed(2)}×`;
  process.stdout.write(
    '| nodes / pods / SGs | latency, throttled | Kubernetes calls (pages, 429s) | EC2 calls (pages, throttled) | floor (with waits; old formula) | wall | wall ÷ floor (÷ with waits; ÷ old) | collector CPU | peak RSS (over the start) |\n' +
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n' +
      `| ${r.nodes.toLocaleString('en')} / ${r.pods.toLocaleString('en')} / ${r.securityGroups} | ` +
      `${values.latency} ms, ${Number(values['throttle-every']) > 0 ? `1 in ${values['throttle-every']}` : 'none'} | ` +
      `${r.kube.calls} (${r.kube.pages}, ${r.kube.throttled}) | ${r.ec2.calls} (${r.ec2.pages}, ${r.ec2.throttled}) | ` +
      `${r.floorS.toFixed(1)} s (${r.floorWithWaitsS.toFixed(1)} s; ${r.floorOldS.toFixed(1)} s) | ${r.wallS.toFixed(1)} s | ` +
      `${ratio(r.floorS)} (${ratio(r.floorWithWaitsS)}; ${ratio(r.floorOldS)}) | ${r.cpuS.toFixed(1)} s | ` +
      `${Math.round(r.peakRssMb)} MB (${Math.round(r.peakRssMb - r.baselineRssMb)} MB) |\n`,
  );
}
