/** One fuzz case at a time: mutate, parse (or write and load), analyse; report the outcome (see fuzz.ts). */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeSnapshot } from '../src/questions/analyze.ts';
import { loadSnapshot, SnapshotInputError } from '../src/snapshot/load.ts';
import { parseSnapshotBytes } from '../src/snapshot/parse.ts';
import type { InputIssue } from '../src/snapshot/types.ts';
import {
  applyOnDisk,
  mutate,
  readExample,
  type DiskMutation,
  type Expectations,
  type Mutation,
} from '../test/fuzz/mutations.ts';

const { examples: dirs, scratch } = workerData as { examples: string[]; scratch: string };
const examples = dirs.map(readExample);

type Outcome = { outcome: 'accepted' | 'rejected' | 'crashed' | 'wrong'; detail: string };

/** Issues, or a verdict, for the files as they would be on disk with `disk` damage. */
async function onDisk(
  files: ReturnType<typeof mutate>,
  disk: DiskMutation,
): Promise<{ issues: InputIssue[]; names: string } | { verdict: string; names: string }> {
  const dir = mkdtempSync(join(scratch, 'case-'));
  try {
    const { maxFileSize, names } = applyOnDisk(dir, files, disk);
    try {
      const snapshot = await loadSnapshot(dir, {
        exclude: undefined,
        ...(maxFileSize ? { maxFileSize } : {}),
      });
      return { verdict: analyzeSnapshot(snapshot).verdict, names };
    } catch (err) {
      if (err instanceof SnapshotInputError) return { issues: err.issues, names };
      throw err;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runCase(
  which: number,
  mutations: Mutation[],
  disk: DiskMutation | undefined,
): Promise<Outcome> {
  const expect: Expectations = { mustReject: [] };
  const files = mutate(examples[which]!, mutations, expect);
  if (disk) {
    const result = await onDisk(files, disk);
    if ('verdict' in result)
      return {
        outcome: 'wrong',
        detail: `${disk.kind} accepted (verdict ${result.verdict}), ${result.names} not named`,
      };
    const named = result.issues.some((i) => i.file === result.names);
    // A manifest is checked once the files parse: other damage may be what is reported.
    if (
      !named &&
      (disk.kind !== 'manifest-missing' || result.issues.every((i) => i.file === 'manifest.json'))
    )
      return {
        outcome: 'wrong',
        detail: `${disk.kind}: ${result.names} not named: ${result.issues[0]?.message}`,
      };
    return { outcome: 'rejected', detail: result.issues[0]!.message };
  }
  const parsed = parseSnapshotBytes(files);
  if (!parsed.ok) {
    const unnamed = parsed.issues.find((i) => !files.some((f) => f.path === i.file));
    return unnamed
      ? { outcome: 'crashed', detail: `issue names no input file: ${unnamed.file}` }
      : { outcome: 'rejected', detail: parsed.issues[0]!.message };
  }
  if (expect.mustReject.length > 0)
    return {
      outcome: 'wrong',
      detail: `a kubectl list cut before its kind was accepted: ${expect.mustReject.join(', ')}`,
    };
  const result = analyzeSnapshot(parsed.snapshot);
  return { outcome: 'accepted', detail: result.verdict };
}

parentPort!.on(
  'message',
  ({ which, mutations, disk }: { which: number; mutations: Mutation[]; disk?: DiskMutation }) => {
    runCase(which, mutations, disk).then(
      (outcome) => parentPort!.postMessage(outcome),
      (err: unknown) =>
        parentPort!.postMessage({
          outcome: 'crashed',
          detail:
            err instanceof Error
              ? (err.stack ?? err.message).split('\n').slice(0, 4).join(' | ')
              : String(err),
        }),
    );
  },
);
