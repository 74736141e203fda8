/**
 * Benchmark: `analyze` against a bare JSON.parse of the same files, at 1k / 5k / 10k nodes
 * (~20 pods per node, 500 SGs, 50k rules). Prints a Markdown table for the README.
 *
 *   npm run bench -- [--sizes 1000,5000,10000] [--dir /tmp/netcheck-bench] [--runs 5]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generate } from './generate.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,5000,10000' },
    dir: { type: 'string', default: '/tmp/netcheck-bench' },
    runs: { type: 'string', default: '5' },
  },
});
const sizes = values.sizes.split(',').map(Number);
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
}

function timed(command: string, args: string[]): Run {
  const start = performance.now();
  const child = spawnSync(command, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallS = (performance.now() - start) / 1000;
  const last = child.stderr.trim().split('\n').pop() ?? '{}';
  const report = JSON.parse(last) as { maxRssMb?: number };
  if (child.status !== 0 && child.status !== 1)
    throw new Error(`${command} ${args.join(' ')} exited ${child.status}: ${child.stderr}`);
  return { wallS, maxRssMb: report.maxRssMb ?? NaN, stderr: child.stderr };
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
  const parse = median(
    Array.from({ length: runs }, () => timed(process.execPath, ['bench/parse-only.mjs', dir])),
  );
  const analyze = median(
    Array.from({ length: runs }, () =>
      timed(process.execPath, ['bench/measure.mjs', 'analyze', dir, '-o', 'json', '--timings']),
    ),
  );
  const phases = analyze.stderr
    .split('\n')
    .filter((l) => l.startsWith('timing'))
    .map((l) => l.replace(/^timing /, ''))
    .join(', ');
  const scaling = previous
    ? `${(analyze.wallS / previous.wallS).toFixed(2)}× for ${(nodes / previous.nodes).toFixed(0)}× nodes`
    : '—';
  rows.push(
    `| ${nodes.toLocaleString('en')} | ${mb.toFixed(0)} MB | ${parse.wallS.toFixed(2)} s / ${parse.maxRssMb.toFixed(0)} MB | ${analyze.wallS.toFixed(2)} s / ${analyze.maxRssMb.toFixed(0)} MB | ${(analyze.wallS / parse.wallS).toFixed(2)}× / ${(analyze.maxRssMb / parse.maxRssMb).toFixed(2)}× | ${scaling} | ${phases} |`,
  );
  previous = { nodes, wallS: analyze.wallS };
  process.stderr.write(`${rows[rows.length - 1]}\n`);
}
process.stdout.write(
  [
    '| nodes | input | JSON.parse only (wall / peak RSS) | analyze (wall / peak RSS) | analyze ÷ parse | scaling | analyze phases |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n') + '\n',
);
