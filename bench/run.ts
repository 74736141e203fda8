/**
 * Benchmark: `analyze` against a bare JSON.parse of the same files, at 1k / 5k / 10k nodes
 * (~20 pods per node, 500 SGs, 50k rules), the two run in turn, `--runs` pairs; then the same snapshot of `--pair` nodes as JSON and as
 * kubectl YAML (bench/kubectl-yaml.ts), `analyze` run on each in turn. Prints Markdown tables for
 * the README.
 *
 *   npm run bench -- [--sizes 1000,5000,10000] [--pair 1000] [--dir /tmp/netcheck-bench] [--runs 5]
 *   npm run bench -- --sizes '' --pair 1000     # the JSON / YAML pair alone
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generate } from './generate.ts';
import { yamlCopy } from './kubectl-yaml.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,5000,10000' },
    dir: { type: 'string', default: '/tmp/netcheck-bench' },
    runs: { type: 'string', default: '5' },
    pair: { type: 'string', default: '1000' },
  },
});
const sizes = values.sizes.split(',').filter(Boolean).map(Number);
const pairNodes = Number(values.pair);
const runs = Number(values.runs);

function bytesUnder(dir: string): number {
  return readdirSync(dir).reduce((sum, f) => {
    const p = join(dir, f);
    const s = statSync(p);
    return sum + (s.isDirectory() ? bytesUnder(p) : s.size);
  }, 0);
}

interface Run {
  wallS: number;
  maxRssMb: number;
  stderr: string;
  stdout: string;
}

function timed(command: string, args: string[]): Run {
  const start = performance.now();
  const child = spawnSync(command, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
  const wallS = (performance.now() - start) / 1000;
  const last = child.stderr.trim().split('\n').pop() ?? '{}';
  const report = JSON.parse(last) as { maxRssMb?: number };
  if (child.status !== 0 && child.status !== 1)
    throw new Error(`${command} ${args.join(' ')} exited ${child.status}: ${child.stderr}`);
  return { wallS, maxRssMb: report.maxRssMb ?? NaN, stderr: child.stderr, stdout: child.stdout };
}

/** Median of several runs, so one slow run on a busy machine does not decide. */
function median(list: Run[]): Run {
  return [...list].sort((a, b) => a.wallS - b.wallS)[Math.floor(list.length / 2)]!;
}

// Measure what users run: the bundle `npm ci` builds (bin/entry.mjs falls back to tsx when stale).
const built = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
if (built.status !== 0) throw new Error('scripts/build.mjs failed');

const rows: string[] = [];
let previous: { nodes: number; wallS: number } | undefined;
for (const nodes of sizes) {
  const dir = join(values.dir, String(nodes));
  if (!existsSync(join(dir, 'k8s', 'pods.json'))) generate({ nodes, out: dir });
  const mb = bytesUnder(dir) / 1e6;
  // Parse-only and analyze in turn (parse, analyze, parse, …) so that a busy machine slows both
  // alike; the ratio of each pair, then their median and range.
  const pairs = Array.from({ length: runs }, () => ({
    parse: timed(process.execPath, ['bench/parse-only.mjs', dir]),
    analyze: timed(process.execPath, ['bench/measure.mjs', 'analyze', dir, '-o', 'json', '--timings']),
  }));
  const parse = median(pairs.map((p) => p.parse));
  const analyze = median(pairs.map((p) => p.analyze));
  const range = (list: number[]): string => {
    const sorted = [...list].sort((a, b) => a - b);
    return `${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)}× (${sorted[0]!.toFixed(2)}–${sorted[sorted.length - 1]!.toFixed(2)}×)`;
  };
  const wallRatios = range(pairs.map((p) => p.analyze.wallS / p.parse.wallS));
  const rssRatios = range(pairs.map((p) => p.analyze.maxRssMb / p.parse.maxRssMb));
  const walls = (list: Run[]): string =>
    `${Math.min(...list.map((r) => r.wallS)).toFixed(2)}–${Math.max(...list.map((r) => r.wallS)).toFixed(2)} s`;
  const phases = analyze.stderr
    .split('\n')
    .filter((l) => l.startsWith('timing'))
    .map((l) => l.replace(/^timing /, ''))
    .join(', ');
  const scaling = previous
    ? `${(analyze.wallS / previous.wallS).toFixed(2)}× for ${(nodes / previous.nodes).toFixed(0)}× nodes`
    : '—';
  rows.push(
    `| ${nodes.toLocaleString('en')} | ${mb.toFixed(0)} MB | ${parse.wallS.toFixed(2)} s (${walls(pairs.map((p) => p.parse))}) / ${parse.maxRssMb.toFixed(0)} MB | ${analyze.wallS.toFixed(2)} s (${walls(pairs.map((p) => p.analyze))}) / ${analyze.maxRssMb.toFixed(0)} MB | ${wallRatios} / ${rssRatios} | ${scaling} | ${phases} |`,
  );
  previous = { nodes, wallS: analyze.wallS };
  process.stderr.write(`${rows[rows.length - 1]}\n`);
}
if (rows.length > 0)
  process.stdout.write(
    [
      `| nodes | input | JSON.parse only: wall, median (range) / peak RSS | analyze: wall, median (range) / peak RSS | analyze ÷ parse, wall / RSS: median (range) of ${runs} pairs | scaling | analyze phases |`,
      '|---|---|---|---|---|---|---|',
      ...rows,
    ].join('\n') + '\n',
  );

/**
 * The same snapshot as JSON and as kubectl YAML, `analyze` on each in turn (JSON, YAML, JSON, …)
 * so that a busy machine slows both alike; the ratio of each pair, then their median and range.
 */
if (pairNodes > 0) {
  const jsonDir = join(values.dir, String(pairNodes));
  const yamlDir = join(values.dir, `${pairNodes}-yaml`);
  if (!existsSync(join(jsonDir, 'k8s', 'pods.json'))) generate({ nodes: pairNodes, out: jsonDir });
  if (!existsSync(join(yamlDir, 'k8s', 'pods.yaml'))) {
    rmSync(yamlDir, { recursive: true, force: true });
    yamlCopy(jsonDir, yamlDir);
  }
  const analyze = (dir: string) =>
    timed(process.execPath, ['bench/measure.mjs', 'analyze', dir, '-o', 'json', '--timings']);
  const pairs = Array.from({ length: runs }, () => ({ json: analyze(jsonDir), yaml: analyze(yamlDir) }));
  // The same verdict, flows and fixes from both: the YAML is the same snapshot.
  const report = (run: Run) => run.stdout.replaceAll('.yaml', '.json');
  if (report(pairs[0]!.json) !== report(pairs[0]!.yaml))
    throw new Error('analyze gave different reports for the JSON and the YAML copy of the snapshot');
  const ratios = pairs.map((p) => p.yaml.wallS / p.json.wallS).sort((a, b) => a - b);
  const json = median(pairs.map((p) => p.json));
  const yaml = median(pairs.map((p) => p.yaml));
  const phases = (run: Run) =>
    run.stderr
      .split('\n')
      .filter((l) => l.startsWith('timing read+parse'))
      .map((l) => l.replace(/^timing read\+parse /, ''))
      .join('');
  process.stdout.write(
    [
      '',
      '| nodes | input JSON / YAML | analyze JSON (wall / peak RSS) | analyze YAML (wall / peak RSS) | YAML ÷ JSON wall: median (range) of ' +
        `${runs} pairs | read+parse JSON / YAML |`,
      '|---|---|---|---|---|---|',
      `| ${pairNodes.toLocaleString('en')} | ${(bytesUnder(jsonDir) / 1e6).toFixed(0)} MB / ${(bytesUnder(yamlDir) / 1e6).toFixed(0)} MB | ` +
        `${json.wallS.toFixed(2)} s / ${json.maxRssMb.toFixed(0)} MB | ${yaml.wallS.toFixed(2)} s / ${yaml.maxRssMb.toFixed(0)} MB | ` +
        `${ratios[Math.floor(ratios.length / 2)]!.toFixed(2)}× (${ratios[0]!.toFixed(2)}–${ratios[ratios.length - 1]!.toFixed(2)}×) | ` +
        `${phases(json)} / ${phases(yaml)} |`,
    ].join('\n') + '\n',
  );
}
