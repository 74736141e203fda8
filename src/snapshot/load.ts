/**
 * I/O edge of the loader: finds input files under a directory (recursively) and parses them. Every
 * file is read, whatever its name, and recognised by content (parse.ts); symbolic links are
 * followed while they stay inside the directory. A file that is not read — hidden, a link out of
 * the directory, a second path to a file already read, not a regular file, the run's own standard
 * output — is listed with the reason, never dropped without a word.
 */
import { Buffer } from 'node:buffer';
import { closeSync, fstatSync, openSync, readFileSync, readSync, type Stats } from 'node:fs';
import { lstat, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { binaryReason, SnapshotParser } from './parse.ts';
import { formatIssue, type InputIssue, type Snapshot } from './types.ts';

/** Thrown when the input cannot be used; carries every problem found, each naming file and path. */
export class SnapshotInputError extends Error {
  override readonly name = 'SnapshotInputError';
  constructor(readonly issues: InputIssue[]) {
    super(issues.map(formatIssue).join('\n'));
  }
}

/** A file to read, or a path not read and why. */
type Found =
  | { path: string; full: string; stats: Stats; viaLink: boolean }
  | { path: string; skip: string; expected?: boolean };

/** A file's identity: the same file reached twice (a link, a hard link) is read once. */
const identity = (stats: Stats): string => `${stats.dev}:${stats.ino}`;

/** Inside `root` (or `root` itself)? Both are real paths. */
const inside = (root: string, path: string): boolean => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

async function listInputs(root: string): Promise<Found[]> {
  const realRoot = await realpath(root);
  const found: Found[] = [];
  const shown = (full: string): string => relative(root, full).split(sep).join('/');
  const walked = new Map<string, string>();
  // Directories reached through a link are walked after every real one, so that a file is read
  // by its own path, and its path through the link is the one listed as read once.
  const linked: string[] = [];
  const walk = async (dir: string, throughLink: boolean): Promise<void> => {
    const real = await realpath(dir);
    const before = walked.get(real);
    if (before !== undefined) {
      const what = before === '' ? 'the snapshot directory' : before;
      found.push({ path: shown(dir), skip: `the same directory as ${what}, read once`, expected: true });
      return;
    }
    walked.set(real, shown(dir));
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      const path = shown(full);
      if (entry.name.startsWith('.')) {
        const what = entry.isDirectory() ? 'directory' : 'file';
        found.push({ path, skip: `hidden ${what}, not read`, expected: true });
        continue;
      }
      let stats: Stats;
      let viaLink = throughLink;
      if (entry.isSymbolicLink()) {
        const target = await readlink(full).catch(() => '?');
        let targetReal: string;
        try {
          targetReal = await realpath(full);
          stats = await stat(full);
        } catch {
          found.push({ path, skip: `broken symbolic link (to ${target})` });
          continue;
        }
        if (!inside(realRoot, targetReal)) {
          const named = resolve(dirname(full), target);
          const to = named === targetReal ? named : `${named} (${targetReal})`;
          found.push({ path, skip: `symbolic link to ${to}, outside the snapshot directory: not read` });
          continue;
        }
        viaLink = true;
      } else {
        stats = await lstat(full);
      }
      if (stats.isDirectory()) {
        if (viaLink) linked.push(full);
        else await walk(full, false);
      } else if (stats.isFile()) found.push({ path, full, stats, viaLink });
      else found.push({ path, skip: 'not a regular file (a FIFO, socket or device), not read' });
    }
  };
  await walk(root, false);
  for (let i = 0; i < linked.length; i++) await walk(linked[i]!, true);
  return found;
}

/** The file standard output is redirected to, if it is one (`analyze . -o json > report.json`). */
function stdoutIdentity(): string | undefined {
  try {
    const stats = fstatSync(1);
    return stats.isFile() ? identity(stats) : undefined;
  } catch {
    return undefined;
  }
}

/** Bytes enough to tell text from binary without reading a large archive whole. */
function head(full: string): Uint8Array {
  const buffer = Buffer.alloc(8192);
  const fd = openSync(full, 'r');
  try {
    return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0));
  } finally {
    closeSync(fd);
  }
}

export interface LoadOptions {
  /** `dev:ino` of a file never to read; default: the file standard output is redirected to. */
  readonly exclude?: string;
}

/** Reads a snapshot directory (or a single file). Throws SnapshotInputError on bad input. */
export async function loadSnapshot(path: string, options: LoadOptions = {}): Promise<Snapshot> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new SnapshotInputError([{ file: path, path: '', message: 'no such file or directory' }]);
  }
  const root = info.isDirectory() ? path : join(path, '..');
  const found: Found[] = info.isDirectory()
    ? await listInputs(path)
    : [{ path: relative(root, path).split(sep).join('/'), full: path, stats: info, viaLink: false }];
  const exclude = 'exclude' in options ? options.exclude : stdoutIdentity();
  const readable = found.filter((entry) => 'full' in entry);
  if (readable.length === 0) {
    throw new SnapshotInputError([
      { file: path, path: '', message: 'no files to read' },
      ...found.map((entry) => ({ file: entry.path, path: '', message: 'skip' in entry ? entry.skip : '' })),
    ]);
  }
  // A file reached by its own path and by a link is read by its own path, else by the first link.
  const readAs = new Map<string, { path: string; viaLink: boolean }>();
  for (const entry of readable) {
    const id = identity(entry.stats);
    const before = readAs.get(id);
    if (!before || (before.viaLink && !entry.viaLink)) readAs.set(id, entry);
  }
  // One file at a time, read in one synchronous call: its bytes and text are garbage before the
  // next is read, and a 100 MB file costs one read, not hundreds of thread-pool round trips.
  const parser = new SnapshotParser();
  const issues: InputIssue[] = [];
  for (const entry of found) {
    if (!('full' in entry)) {
      parser.skip(entry.path, entry.skip, entry.expected);
      continue;
    }
    const id = identity(entry.stats);
    if (id === exclude) {
      parser.skip(entry.path, "this run's own output (standard output is redirected to it), not read", true);
      continue;
    }
    const first = readAs.get(id)!.path;
    if (first !== entry.path) {
      parser.skip(entry.path, `the same file as ${first}, read once`, true);
      continue;
    }
    const named = /\.(json|ya?ml)$/i.test(entry.path);
    try {
      // A file not named as data is looked at first: an archive is not read whole to be skipped.
      const start = named ? undefined : head(entry.full);
      const utf16 =
        start !== undefined &&
        ((start[0] === 0xff && start[1] === 0xfe) || (start[0] === 0xfe && start[1] === 0xff));
      if (start?.includes(0) && !utf16) {
        parser.skip(entry.path, binaryReason(start));
        continue;
      }
      parser.addBytes({ path: entry.path, bytes: readFileSync(entry.full) });
    } catch (err) {
      const reason = `could not be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
      if (named) issues.push({ file: entry.path, path: '', message: reason });
      else parser.skip(entry.path, reason);
    }
  }
  const result = parser.result();
  if (!result.ok || issues.length > 0)
    throw new SnapshotInputError([...issues, ...(result.ok ? [] : result.issues)]);
  const { snapshot } = result;
  if (snapshot.kindsByFile.size === 0) {
    // Nothing to analyse: say so, with what was found instead, rather than a verdict on nothing.
    throw new SnapshotInputError([
      { file: path, path: '', message: 'no AWS or Kubernetes data found' },
      ...snapshot.ignored.map((entry) => ({ file: entry.file, path: '', message: entry.reason })),
      ...snapshot.documentation.map((file) => ({ file, path: '', message: 'documentation' })),
    ]);
  }
  return snapshot;
}
