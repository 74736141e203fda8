/** One fuzz case at a time: mutate, parse, analyse; report the outcome (see fuzz.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeSnapshot } from '../src/questions/analyze.ts';
import { parseSnapshotBytes } from '../src/snapshot/parse.ts';
import { mutate, readExample, type Mutation } from '../test/fuzz/mutations.ts';

const examples = (workerData as { examples: string[] }).examples.map(readExample);

parentPort!.on('message', ({ which, mutations }: { which: number; mutations: Mutation[] }) => {
  try {
    const files = mutate(examples[which]!, mutations);
    const parsed = parseSnapshotBytes(files);
    if (!parsed.ok) {
      const unnamed = parsed.issues.find((i) => !files.some((f) => f.path === i.file));
      parentPort!.postMessage(
        unnamed
          ? { outcome: 'crashed', detail: `issue names no input file: ${unnamed.file}` }
          : { outcome: 'rejected', detail: parsed.issues[0]!.message },
      );
      return;
    }
    const result = analyzeSnapshot(parsed.snapshot);
    parentPort!.postMessage({ outcome: 'accepted', detail: result.verdict });
  } catch (err) {
    parentPort!.postMessage({
      outcome: 'crashed',
      detail:
        err instanceof Error ? (err.stack ?? err.message).split('\n').slice(0, 4).join(' | ') : String(err),
    });
  }
});
