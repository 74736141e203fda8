/**
 * Runs inside a lab's client namespace and answers dial requests, one JSON line each way, so a test
 * file pays Node's start-up once instead of once per dial. Started by `startDialWorker`.
 */
import { createInterface } from 'node:readline';
import { dial, dialEtcd, dialHttp, dialNats, dialPrometheus, dialTcp } from '../../src/live/dial/index.ts';

const dialers = { dial, dialTcp, dialNats, dialPrometheus, dialEtcd, dialHttp };
export type Dialers = typeof dialers;

export interface WorkerRequest {
  id: number;
  fn: keyof Dialers;
  args: unknown[];
}

export type WorkerResponse = { id: number; result: unknown } | { id: number; error: string };

function answer(response: WorkerResponse | { ready: true }): void {
  process.stdout.write(`${JSON.stringify(response)}\n`);
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const { id, fn, args } = JSON.parse(line) as WorkerRequest;
  const call = dialers[fn] as (...callArgs: unknown[]) => Promise<unknown>;
  call(...args).then(
    (result) => answer({ id, result }),
    (err: unknown) =>
      answer({ id, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }),
  );
});
answer({ ready: true });
