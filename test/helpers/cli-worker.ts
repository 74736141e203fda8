/**
 * Runs the CLI's `main` inside a worker thread, against the fake AWS account of an example
 * directory, so tests drive the real command line (argument parsing, exit-code map, stdout/stderr)
 * without paying Node's and the SDKs' start-up per run, and without touching the test runner's own
 * stdout. Started by `startCli` in cli-in-worker.ts.
 */
import { parentPort } from 'node:worker_threads';
import { main } from '../../src/cli/main.ts';
import { awsError, fakeAws, loadAwsWorld } from './fake-aws.ts';

export interface CliRequest {
  readonly id: number;
  readonly args: string[];
  /** Example directory whose aws/*.json the fake account serves. */
  readonly aws: string;
  /** Calls to fail: command name → SDK error name, message and HTTP status. */
  readonly fail?: Record<string, { name: string; message: string; status?: number }>;
}

export interface CliResponse {
  readonly id: number;
  readonly code: number;
  readonly calls: { command: string; input: Record<string, unknown> }[];
}

export const END = '\u0000end-of-run';

const flush = (stream: NodeJS.WriteStream, text: string) =>
  new Promise<void>((resolve) => stream.write(text, () => resolve()));

parentPort!.on('message', async (request: CliRequest) => {
  const fake = fakeAws(loadAwsWorld(request.aws), {
    mode: 'classes',
    fail: Object.fromEntries(
      Object.entries(request.fail ?? {}).map(([command, f]) => [
        command,
        awsError(f.name, f.message, f.status),
      ]),
    ),
  });
  let code: number;
  try {
    code = await main(request.args);
  } catch (err) {
    // main maps every error itself; reaching here is a bug worth seeing in the test output.
    process.stderr.write(`cli-worker: main threw: ${String(err)}\n`);
    code = -1;
  } finally {
    fake.restore();
  }
  // Markers on both streams: the parent cuts each run's output at them.
  await flush(process.stdout, `${END} ${request.id}\n`);
  await flush(process.stderr, `${END} ${request.id}\n`);
  const response: CliResponse = { id: request.id, code, calls: fake.calls };
  parentPort!.postMessage(response);
});
