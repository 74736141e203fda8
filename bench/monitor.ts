/**
 * What a `monitor` costs, read from its own /metrics (process_cpu_seconds_total,
 * process_resident_memory_bytes): idle between cycles on a small cluster, and per cycle on a
 * generated 1,000-node snapshot (bench/generate.ts: ~20 pods per node, 500 SGs, 50k rules). Prints
 * a Markdown table for the README.
 *
 *   node --import tsx bench/monitor.ts [--nodes 1000] [--cycles 3] [--interval 30s] [--idle 60]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { generate } from './generate.ts';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    cycles: { type: 'string', default: '3' },
    interval: { type: 'string', default: '30s' },
    idle: { type: 'string', default: '60' },
    dir: { type: 'string', default: '/tmp/netcheck-bench-monitor' },
  },
});

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function sampleOf(text: string, name: string, labels = ''): number {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}${labels} `) || l.startsWith(`${name}${labels}{`));
  return line ? Number(line.split(' ').pop()) : NaN;
}

async function start(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn('bin/dynamo-netcheck', ['monitor', ...args, '--listen', '127.0.0.1:0', '--quiet'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(log);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`monitor exited ${code}: ${log}`)));
  });
  return { child, url };
}

async function metrics(url: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await (await fetch(`${url}/metrics`)).text();
    } catch (err) {
      if (attempt === 5) throw err;
      await delay(500);
    }
  }
}

async function untilCycles(url: string, count: number): Promise<string> {
  for (;;) {
    const text = await metrics(url);
    if (sampleOf(text, 'dynamo_netcheck_cycles_total', '{result="success"}') >= count) return text;
    await delay(200);
  }
}

async function stop(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
}

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/** The process's peak resident memory so far (Linux: VmHWM). */
function peakRss(child: ChildProcess): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

// Idle: the healthy example, one cycle every 5 minutes; CPU and memory over --idle seconds after the first.
const idleSeconds = Number(values.idle);
const idle = await start(['examples/healthy-shared-cluster-sg', '--interval', '5m']);
const first = await untilCycles(idle.url, 1);
await delay(idleSeconds * 1000);
const later = await metrics(idle.url);
await stop(idle.child);
const idleCpu = sampleOf(later, 'process_cpu_seconds_total') - sampleOf(first, 'process_cpu_seconds_total');

// Per cycle at --nodes nodes.
const nodes = Number(values.nodes);
const dir = `${values.dir}/${nodes}`;
if (!existsSync(dir)) generate({ nodes, out: dir });
const cycles = Number(values.cycles);
const big = await start([dir, '--interval', values.interval]);
const afterFirst = await untilCycles(big.url, 1);
const afterAll = await untilCycles(big.url, 1 + cycles);
const peak = peakRss(big.child);
await stop(big.child);
const cpuPerCycle =
  (sampleOf(afterAll, 'process_cpu_seconds_total') - sampleOf(afterFirst, 'process_cpu_seconds_total')) /
  cycles;
const collect =
  (sampleOf(afterAll, 'dynamo_netcheck_collection_duration_seconds_sum') -
    sampleOf(afterFirst, 'dynamo_netcheck_collection_duration_seconds_sum')) /
  cycles;
const analyse =
  (sampleOf(afterAll, 'dynamo_netcheck_analysis_duration_seconds_sum') -
    sampleOf(afterFirst, 'dynamo_netcheck_analysis_duration_seconds_sum')) /
  cycles;

console.log(
  `machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}\n`,
);
console.log('| monitor | CPU | resident memory | collection / analysis per cycle |');
console.log('| --- | --- | --- | --- |');
console.log(
  `| idle, healthy example, --interval 5m | ${idleCpu.toFixed(2)} s over ${idleSeconds} s (${((idleCpu / idleSeconds) * 100).toFixed(2)} % of a core) | ${mb(sampleOf(later, 'process_resident_memory_bytes'))} | — |`,
);
console.log(
  `| ${nodes.toLocaleString('en')} nodes, ${cycles} cycles | ${cpuPerCycle.toFixed(1)} s per cycle (${((cpuPerCycle / 300) * 100).toFixed(1)} % of a core at --interval 5m) | ${mb(sampleOf(afterAll, 'process_resident_memory_bytes'))} between cycles, ${mb(peak)} peak | ${collect.toFixed(1)} s / ${analyse.toFixed(1)} s |`,
);
