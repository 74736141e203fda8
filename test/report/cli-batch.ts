/**
 * Runs several command lines through the CLI's one entry point in a single process (one tsx start
 * instead of one per run) and prints [{ code, stdout, stderr }] as JSON. Usage: cli-batch.ts '<argv[][]>'.
 */
import { main } from '../../src/cli/main.ts';

type Write = typeof process.stdout.write;
const text = (chunk: unknown): string =>
  typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString();

const runs = JSON.parse(process.argv[2] ?? '[]') as string[][];
const realStdout = process.stdout.write.bind(process.stdout);
const realStderr = process.stderr.write.bind(process.stderr);
const results: { code: number; stdout: string; stderr: string }[] = [];
for (const argv of runs) {
  let stdout = '';
  let stderr = '';
  process.stdout.write = ((chunk: unknown) => ((stdout += text(chunk)), true)) as Write;
  process.stderr.write = ((chunk: unknown) => ((stderr += text(chunk)), true)) as Write;
  try {
    results.push({ code: await main(argv), stdout, stderr });
  } finally {
    process.stdout.write = realStdout;
    process.stderr.write = realStderr;
  }
}
realStdout(JSON.stringify(results));
