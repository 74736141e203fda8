/**
 * The long fuzz run (outside the unit suite): N mutated snapshots, each parsed and analysed in a
 * worker under a watchdog, counted as accepted (a verdict) / rejected (issues naming a file) /
 * crashed (an exception escaped) / hung (over the time limit) / wrong (damage that must be an
 * input error was accepted: a kubectl list cut before its kind, or damage on disk not named).
 * About one case in five is written to a temp directory and damaged on disk (a FIFO, a symlink
 * loop, a link out, a broken link, a file over the size limit, a manifest naming a missing file)
 * and loaded from there.
 *
 *   npm run fuzz -- --cases 10000 [--seed 1] [--timeout-ms 10000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { diskMutationArb, mutationArb, type DiskMutation, type Mutation } from '../test/fuzz/mutations.ts';

const EXAMPLES = [
  'examples/upgrade-1.0-to-1.2',
  'examples/policy-default-deny',
  'examples/dgxc-multi-sg',
  'examples/healthy-shared-cluster-sg',
];

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    'timeout-ms': { type: 'string', default: '10000' },
  },
});
const total = Number(values.cases);
const timeoutMs = Number(values['timeout-ms']);
const cases = fc.sample(
  fc.tuple(
    fc.nat(EXAMPLES.length - 1),
    mutationArb,
    fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: diskMutationArb, weight: 1 }),
  ),
  { numRuns: total, seed: Number(values.seed) },
);

type Outcome = 'accepted' | 'rejected' | 'crashed' | 'hung' | 'wrong';
const counts: Record<Outcome, number> = { accepted: 0, rejected: 0, crashed: 0, hung: 0, wrong: 0 };
const failures: {
  index: number;
  outcome: Outcome;
  detail: string;
  mutations: Mutation[];
  disk: DiskMutation | undefined;
}[] = [];

// Cases on disk live here, removed at the end even when a hung worker left one behind.
const scratch = mkdtempSync(join(tmpdir(), 'netcheck-fuzz-'));
const workerUrl = new URL('./fuzz-worker.mjs', import.meta.url);
const startWorker = (): Worker => new Worker(workerUrl, { workerData: { examples: EXAMPLES, scratch } });
let onDisk = 0;

let worker = startWorker();
const started = performance.now();
for (let index = 0; index < cases.length; index++) {
  const [which, mutations, disk] = cases[index]!;
  if (disk) onDisk += 1;
  const result = await new Promise<{ outcome: Outcome; detail: string }>((resolve) => {
    const timer = setTimeout(() => resolve({ outcome: 'hung', detail: `over ${timeoutMs} ms` }), timeoutMs);
    const onMessage = (message: { outcome: Outcome; detail: string }): void => {
      clearTimeout(timer);
      resolve(message);
    };
    const onError = (error: Error): void => {
      clearTimeout(timer);
      resolve({ outcome: 'crashed', detail: `worker died: ${error.message}` });
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    worker.postMessage({ which, mutations, disk });
  });
  worker.removeAllListeners('message');
  worker.removeAllListeners('error');
  counts[result.outcome] += 1;
  if (result.outcome === 'wrong')
    failures.push({ index, outcome: result.outcome, detail: result.detail, mutations, disk });
  if (result.outcome === 'crashed' || result.outcome === 'hung') {
    failures.push({ index, outcome: result.outcome, detail: result.detail, mutations, disk });
    await worker.terminate();
    worker = startWorker();
  }
  if ((index + 1) % 1000 === 0) process.stderr.write(`${index + 1}/${total} ${JSON.stringify(counts)}\n`);
}
await worker.terminate();
rmSync(scratch, { recursive: true, force: true });
const seconds = ((performance.now() - started) / 1000).toFixed(0);
process.stdout.write(
  `fuzz: ${total} cases (${onDisk} on disk) in ${seconds} s — accepted ${counts.accepted}, rejected ${counts.rejected}, crashed ${counts.crashed}, hung ${counts.hung}, wrong ${counts.wrong}\n`,
);
for (const f of failures.slice(0, 20))
  process.stdout.write(
    `  case ${f.index} ${f.outcome}: ${f.detail}\n    ${JSON.stringify(f.mutations)}${f.disk ? ` on disk: ${JSON.stringify(f.disk)}` : ''}\n`,
  );
process.exitCode = counts.crashed + counts.hung + counts.wrong > 0 ? 1 : 0;
