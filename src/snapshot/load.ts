/** I/O edge of the loader: finds input files under a directory (recursively) and parses them. */
import { readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { SnapshotParser } from './parse.ts';
import { formatIssue, type InputIssue, type Snapshot } from './types.ts';

const inputPattern = /\.(json|ya?ml)$/i;

/** Thrown when the input cannot be used; carries every problem found, each naming file and path. */
export class SnapshotInputError extends Error {
  override readonly name = 'SnapshotInputError';
  constructor(readonly issues: InputIssue[]) {
    super(issues.map(formatIssue).join('\n'));
  }
}

async function listInputs(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && inputPattern.test(entry.name)) found.push(full);
    }
  };
  await walk(root);
  return found;
}

/** Reads a snapshot directory (or a single file). Throws SnapshotInputError on bad input. */
export async function loadSnapshot(path: string): Promise<Snapshot> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new SnapshotInputError([{ file: path, path: '', message: 'no such file or directory' }]);
  }
  const root = info.isDirectory() ? path : join(path, '..');
  const paths = info.isDirectory() ? await listInputs(path) : [path];
  if (paths.length === 0) {
    throw new SnapshotInputError([{ file: path, path: '', message: 'no .json, .yaml or .yml files found' }]);
  }
  // One file at a time, read in one synchronous call: its bytes and text are garbage before the
  // next is read, and a 100 MB file costs one read, not hundreds of thread-pool round trips.
  const parser = new SnapshotParser();
  for (const full of paths) {
    parser.addBytes({ path: relative(root, full).split(sep).join('/'), bytes: readFileSync(full) });
  }
  const result = parser.result();
  if (!result.ok) throw new SnapshotInputError(result.issues);
  return result.snapshot;
}
