import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildSync } from 'esbuild';
import { analyzeModel } from '../../../src/questions/analyze.ts';
import { readSnapshot } from '../../../src/cli/inputs.ts';
import { buildModel } from '../../../src/model/build.ts';
import { planProbes, type ProbePlan } from '../../../src/questions/probe/plan.ts';
import { startFakeKubeApi } from '../../helpers/fake-kube-api.ts';
import { fakeWorkloads, isListener, ncLogFor } from './fake-workloads.ts';

const RUNS = 50;
const LANES = 3;
const SEED = 0x5eed;

/** mulberry32: a small seeded generator, so a failing interrupt point can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('probe runs interrupted by SIGINT or SIGTERM at random points', () => {
  let dir: string;
  let child: string;
  let template: ProbePlan;
  let planFor: (runId: string) => ProbePlan;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dnc-interrupt-'));
    child = join(dir, 'child.mjs');
    // One bundle: a child starts in a fraction of a second instead of compiling through tsx each time.
    buildSync({
      entryPoints: [new URL('./interrupt-child.ts', import.meta.url).pathname],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: child,
      banner: {
        js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      },
      logLevel: 'error',
    });
    const model = buildModel(await readSnapshot('examples/dgxc-multi-sg'));
    // Dynamo 1.4 on the 1.2 cluster: stand-in listeners (5557, the OS-assigned ranges) are created
    // before the probes, so signals land in the listener phase as well as the probe phase.
    const analysis = analyzeModel(model, { dynamoVersion: '1.4.2' });
    planFor = (runId) =>
      planProbes(model, analysis, { runId, timeoutSeconds: 5, mode: 'nc', image: 'busybox:1.36' });
    template = planFor('x');
    assert.ok(template.probes.length >= 2);
    assert.ok(template.listeners.length >= 2);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(`leaves no namespace, listener or probe pod behind across ${RUNS} interrupted runs`, async () => {
    const rand = random(SEED);
    // Points decided up front, so lanes running in parallel do not change who gets which.
    const points = Array.from({ length: RUNS }, () => ({
      early: rand() < 0.1,
      afterRequests: 1 + Math.floor(rand() * 8),
      delayMs: Math.floor(rand() * 20),
      second: rand() < 0.3,
      // Ctrl-C from a terminal, or SIGTERM from a CI runner or `kill` stopping the job.
      signal: (rand() < 0.3 ? 'SIGTERM' : 'SIGINT') as NodeJS.Signals,
    }));
    let interruptedMidRun = 0;
    let interruptedAmongListeners = 0;
    const lane = async (laneIndex: number): Promise<void> => {
      // One probe never leaves Pending, so every run is still going when the signal comes.
      const workloads = fakeWorkloads((pod) =>
        pod.metadata.name === template.probes[0]!.name
          ? { pending: 'untolerated taint', via: 'event' }
          : { phase: 'Succeeded', log: ncLogFor(pod, () => 'ok open') },
      );
      const api = await startFakeKubeApi({ objects: [], extend: workloads.handle });
      const kubeconfig = join(dir, `kubeconfig-${laneIndex}.yaml`);
      writeFileSync(kubeconfig, api.kubeconfigYaml());
      try {
        for (let run = laneIndex; run < RUNS; run += LANES) {
          const point = points[run]!;
          const runId = `i${run}`;
          const planFile = join(dir, `plan-${run}.json`);
          writeFileSync(planFile, JSON.stringify(planFor(runId)));
          const seen = api.requests.length;
          const proc = spawn(process.execPath, [child, planFile, kubeconfig], {
            stdio: ['ignore', 'ignore', 'pipe'],
          });
          let stderr = '';
          proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
          const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
            proc.on('exit', (code, signal) => resolve({ code, signal })),
          );
          if (point.early) await sleep(point.delayMs * 10);
          else
            while (api.requests.length - seen < point.afterRequests && proc.exitCode === null) await sleep(1);
          if (!point.early) await sleep(point.delayMs);
          proc.kill(point.signal);
          if (point.second) {
            await sleep(1 + (point.delayMs % 5));
            proc.kill(point.signal);
          }
          const { code, signal } = await exited;
          const wrote = api.requests.slice(seen).some((r) => r.method === 'POST');
          const where = `run ${run} (${JSON.stringify(point)}): exit ${code} ${signal ?? ''} ${stderr}`;
          if (wrote) interruptedMidRun += 1;
          const created = workloads.created.filter(
            (p) => p.metadata.namespace === `dynamo-netcheck-${runId}`,
          );
          if (created.length > 0 && created.every(isListener)) interruptedAmongListeners += 1;
          if (signal === point.signal) {
            // Killed by the signal itself: either before the handlers were installed (nothing
            // written yet), or after the run had deleted its namespace and put them away.
            const cleanedUp = api.requests
              .slice(seen)
              .some((r) => r.method === 'DELETE' && r.path.endsWith(`/namespaces/dynamo-netcheck-${runId}`));
            assert.ok(
              !wrote || cleanedUp,
              `killed by the signal after writing, before its cleanup — ${where}`,
            );
          } else assert.equal(code, 130, where);
          assert.deepEqual([...workloads.namespaces.keys()], [], where);
          assert.equal(workloads.podCount(), 0, where);
        }
      } finally {
        await api.close();
      }
    };
    await Promise.all(Array.from({ length: LANES }, (_, i) => lane(i)));
    assert.ok(points.filter((p) => p.signal === 'SIGTERM').length >= RUNS * 0.15, 'SIGTERM exercised too');
    // Most signals must land after the run created something, or cleanup was never exercised.
    assert.ok(
      interruptedMidRun >= RUNS * 0.7,
      `only ${interruptedMidRun} of ${RUNS} runs were interrupted mid-run`,
    );
    // Some signals land after the listeners exist and before any probe does.
    assert.ok(interruptedAmongListeners > 0, 'no run was interrupted in the listener phase');
  });
});
