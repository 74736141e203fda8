import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Dialers, WorkerRequest, WorkerResponse } from './dial-worker.ts';
import type { Lab } from './netns.ts';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKER = fileURLToPath(new URL('./dial-worker.ts', import.meta.url));
const START_TIMEOUT_MS = 20_000;

/** The dial timeout the tests use: short, so the suite is quick. */
export const TIMEOUT_MS = 1000;
/**
 * How long a dial that hits its timeout may take in all: far below the kernel's minutes of SYN
 * retries (so it proves the timeout is honoured), loose enough for a loaded CI machine.
 */
export const TIMEOUT_BOUND_MS = 3 * TIMEOUT_MS;

/** Calls the dialers inside the lab's client namespace; results come back as plain JSON data. */
export interface ClientDialer {
  call<Name extends keyof Dialers>(
    fn: Name,
    ...args: Parameters<Dialers[Name]>
  ): Promise<Awaited<ReturnType<Dialers[Name]>>>;
}

/** Starts the dial worker in the lab's client namespace; the lab stops it on close. */
export async function startDialWorker(lab: Lab): Promise<ClientDialer> {
  const child = spawn('ip', ['netns', 'exec', lab.client, process.execPath, '--import', 'tsx', WORKER], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit');
  lab.defer('stop the dial worker', async () => {
    child.stdin.end(); // the worker exits once its input closes
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited.catch(() => undefined);
    clearTimeout(timer);
  });

  const pending = new Map<number, (response: WorkerResponse) => void>();
  let ready: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (ready = resolve));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line) as WorkerResponse | { ready: true };
    if ('ready' in message) return ready();
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  });

  const failed = exited.then(([code]) => {
    throw new Error(`dial worker exited (${String(code)}):\n${stderr}`);
  });
  failed.catch(() => undefined); // surfaced through the races below, not as an unhandled rejection
  let startTimer: NodeJS.Timeout | undefined;
  const startTimeout = new Promise<never>((_, reject) => {
    startTimer = setTimeout(
      () => reject(new Error(`dial worker not ready within ${START_TIMEOUT_MS} ms:\n${stderr}`)),
      START_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([started, failed, startTimeout]);
  } finally {
    clearTimeout(startTimer);
  }

  let nextId = 0;
  return {
    async call(fn, ...args) {
      const id = nextId++;
      const answered = new Promise<WorkerResponse>((resolve) => pending.set(id, resolve));
      child.stdin.write(`${JSON.stringify({ id, fn, args } satisfies WorkerRequest)}\n`);
      const response = await Promise.race([answered, failed]);
      if ('error' in response) throw new Error(`${fn} threw in the client namespace: ${response.error}`);
      return response.result as never;
    },
  };
}
