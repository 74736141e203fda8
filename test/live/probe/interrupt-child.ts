/**
 * A probe run in its own process, for the interrupt test: the plan comes precomputed (argv[2]),
 * the kubeconfig points at the parent's fake API (argv[3]); signals are handled exactly as the
 * `probe` command handles them. Exit 130 when interrupted, 0 when the run finished.
 */
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import type { ProbePlan } from '../../../src/questions/probe/plan.ts';
import { Interrupted, runProbes } from '../../../src/live/probe/run.ts';
import { abortOnSignals } from '../../../src/live/probe/signals.ts';

const plan = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as ProbePlan;
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(process.argv[3]!);
const guard = abortOnSignals(() => {}, plan.namespace);
try {
  await runProbes(plan, {
    kubeConfig,
    mode: 'nc',
    concurrency: 2,
    pendingMs: 60_000,
    deadlineMs: 60_000,
    pollMs: 5,
    signal: guard.signal,
  });
  process.exitCode = 0;
} catch (err) {
  process.exitCode = err instanceof Interrupted ? 130 : 1;
  if (!(err instanceof Interrupted)) process.stderr.write(`${String(err)}\n`);
} finally {
  guard.dispose();
}
