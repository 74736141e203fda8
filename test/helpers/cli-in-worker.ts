/** Client of cli-worker.ts: `run(args)` → exit code, stdout, stderr and the AWS calls the run made. */
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { CliRequest, CliResponse } from './cli-worker.ts';

const END = '\u0000end-of-run';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly calls: CliResponse['calls'];
}

export interface CliWorker {
  run(args: string[], options?: { aws?: string; fail?: CliRequest['fail'] }): Promise<CliRun>;
  close(): Promise<void>;
}

/** Collects a worker stream and hands out one run's output at a time, cut at that run's marker. */
function outputOf(stream: Readable) {
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return async (id: number): Promise<string> => {
    const marker = `${END} ${id}\n`;
    while (!text.includes(marker)) await once(stream, 'data');
    const at = text.indexOf(marker);
    const out = text.slice(0, at);
    text = text.slice(at + marker.length);
    return out;
  };
}

/** Workers do not inherit tsx from --import: the entry registers it, then loads the TypeScript worker. */
const entry = new URL(
  `data:text/javascript,${encodeURIComponent(
    [
      `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))};`,
      'register();',
      `await import(${JSON.stringify(new URL('./cli-worker.ts', import.meta.url).href)});`,
    ].join('\n'),
  )}`,
);

export function startCli(defaultAws: string): CliWorker {
  const worker = new Worker(entry, {
    stdout: true,
    stderr: true,
    env: { ...process.env, NO_COLOR: '1' },
  });
  // A worker that dies fails the run in progress instead of leaving it waiting.
  const died = new Promise<never>((_, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`CLI worker exited with code ${code}`)));
  });
  died.catch(() => undefined);
  const stdout = outputOf(worker.stdout);
  const stderr = outputOf(worker.stderr);
  let next = 0;
  return {
    async run(args, options = {}) {
      const id = next++;
      const request: CliRequest = {
        id,
        args,
        aws: options.aws ?? defaultAws,
        ...(options.fail ? { fail: options.fail } : {}),
      };
      worker.postMessage(request);
      const [response] = (await Promise.race([once(worker, 'message'), died])) as [CliResponse];
      const [out, err] = await Promise.race([Promise.all([stdout(id), stderr(id)]), died]);
      return { code: response.code, stdout: out, stderr: err, calls: response.calls };
    },
    close: async () => {
      await worker.terminate();
    },
  };
}
