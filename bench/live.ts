/**
 * Benchmark of live collection (`snapshot` / `--live`): the real collector, through the real SDK v3
 * clients and client-node, against local fakes of EC2/EKS/STS and the Kubernetes API serving a
 * generated cluster (bench/generate.ts), with a latency per request and throttling on 1 call in N
 * (EC2's RequestLimitExceeded beneath the SDK's adaptive retry; the API server's 429 with
 * Retry-After). Prints a Markdown row: wall time against the floor, calls, pages, retries, peak RSS.
 *
 *   npm run bench:live -- [--nodes 10000] [--latency 100] [--throttle-every 20] [--dir /tmp/netcheck-bench]
 *
 * The floor is what no collector can beat at this latency: every page costs one round trip, pages
 * of one list follow one another (each needs the `continue` / NextToken of the one before), and at
 * most `concurrency` calls are in flight per API (4 Kubernetes lists, 4 EC2 calls of a kind):
 *   floor = cluster calls × latency + max(longest list's pages, Σ pages ÷ 8) × latency
 * with the STS / EKS calls first and one after another. The goal (issue 18) is ≤ 1.5× the floor.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { collectSnapshot } from '../src/live/collect/index.ts';
import { fakeAws, loadAwsWorld } from '../test/helpers/fake-aws.ts';
import { namespacesOf, startFakeKubeApi } from '../test/helpers/fake-kube-api.ts';
import { generate } from './generate.ts';

type Json = Record<string, unknown>;

export interface LiveBenchOptions {
  readonly nodes: number;
  readonly dir: string;
  readonly latencyMs: number;
  readonly throttleEvery: number;
  readonly pageSize?: number;
}

export interface LiveBenchResult {
  readonly nodes: number;
  readonly pods: number;
  readonly securityGroups: number;
  readonly wallS: number;
  readonly floorS: number;
  readonly kube: { calls: number; pages: number; throttled: number; longestList: number };
  readonly ec2: { calls: number; pages: number; throttled: number };
  readonly clusterCalls: number;
  readonly peakRssMb: number;
  readonly baselineRssMb: number;
  /** Objects in each collected file, by path. */
  readonly counts: Record<string, number>;
  readonly progress: string[];
}

/** Every object of the snapshot's k8s/*.json lists (JSON only: the generated snapshot is JSON). */
function kubeObjects(dir: string): Json[] {
  const out: Json[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.json')) continue;
    const doc = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Json;
    if (Array.isArray(doc.items)) for (const item of doc.items as Json[]) out.push(item);
    else out.push(doc);
  }
  return out;
}

const rssMb = () => process.memoryUsage().rss / 2 ** 20;

export async function benchLive(options: LiveBenchOptions): Promise<LiveBenchResult> {
  const dir = join(options.dir, String(options.nodes));
  if (!existsSync(join(dir, 'k8s', 'pods.json'))) generate({ nodes: options.nodes, out: dir });
  const world = loadAwsWorld(dir);
  const objects = kubeObjects(join(dir, 'k8s'));
  const served = [...objects, ...namespacesOf(objects)];
  const pageSize = options.pageSize ?? 500;
  const api = await startFakeKubeApi({
    objects: served,
    latencyMs: options.latencyMs,
    throttleEvery: options.throttleEvery,
    retryAfter: '1',
  });
  // EC2 answers at most 1000 items a page (the collector's MaxResults).
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
  const start = performance.now();
  let counts: Record<string, number>;
  try {
    const collected = await collectSnapshot({
      clusterName: String(world.cluster.name),
      progress: (line) => progress.push(`${((performance.now() - start) / 1000).toFixed(2)} s  ${line}`),
      awsClients: aws.clients,
      kubeConfig: api.kubeConfig(),
      pageSize,
    });
    counts = Object.fromEntries(collected.documents.map((d) => [d.path, d.count]));
  } finally {
    clearInterval(sampler);
    await api.close();
    aws.restore();
  }
  const wallS = (performance.now() - start) / 1000;
  peakRssMb = Math.max(peakRssMb, rssMb());

  const clusterCommands = /^(GetCallerIdentity|DescribeCluster|ListNodegroups|DescribeNodegroup)Command$/;
  const clusterCalls = aws.calls.filter((c) => clusterCommands.test(c.command)).length;
  const ec2Calls = aws.calls.length - clusterCalls;
  const kubeCalls = api.requests.length;
  const kubePages = kubeCalls - api.throttled;
  // Pages per list: the requests to each path that were answered.
  const perList = new Map<string, number>();
  for (const r of api.requests) perList.set(r.path, (perList.get(r.path) ?? 0) + 1);
  for (const path of api.throttledPaths) perList.set(path, (perList.get(path) ?? 0) - 1);
  const longestList = Math.max(0, ...perList.values());
  const ec2Pages = ec2Calls - aws.throttled;
  const latency = options.latencyMs / 1000;
  const floorS = clusterCalls * latency + Math.max(longestList, (kubePages + ec2Pages) / 8) * latency;
  return {
    nodes: options.nodes,
    pods: served.filter((o) => o.kind === 'Pod').length,
    securityGroups: world.securityGroups.length,
    wallS,
    floorS,
    kube: { calls: kubeCalls, pages: kubePages, throttled: api.throttled, longestList },
    ec2: { calls: ec2Calls, pages: ec2Pages, throttled: aws.throttled },
    clusterCalls,
    peakRssMb,
    baselineRssMb,
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
    },
  });
  const r = await benchLive({
    nodes: Number(values.nodes),
    dir: values.dir,
    latencyMs: Number(values.latency),
    throttleEvery: Number(values['throttle-every']),
  });
  for (const line of r.progress) process.stderr.write(`  ${line}\n`);
  process.stdout.write(
    '| nodes / pods / SGs | latency, throttled | Kubernetes calls (pages, 429s) | EC2 calls (pages, throttled) | floor | wall | wall ÷ floor | peak RSS (over the fakes) |\n' +
      '| --- | --- | --- | --- | --- | --- | --- | --- |\n' +
      `| ${r.nodes.toLocaleString('en')} / ${r.pods.toLocaleString('en')} / ${r.securityGroups} | ${values.latency} ms, 1 in ${values['throttle-every']} | ` +
      `${r.kube.calls} (${r.kube.pages}, ${r.kube.throttled}) | ${r.ec2.calls} (${r.ec2.pages}, ${r.ec2.throttled}) | ` +
      `${r.floorS.toFixed(1)} s | ${r.wallS.toFixed(1)} s | ${(r.wallS / r.floorS).toFixed(2)}× | ` +
      `${Math.round(r.peakRssMb)} MB (${Math.round(r.peakRssMb - r.baselineRssMb)} MB) |\n`,
  );
}
