/**
 * I/O edge of the loader: finds input files under a directory (recursively) and parses them. Every
 * file is read, whatever its name, and recognised by content (parse.ts); symbolic links are
 * followed while they stay inside the directory. A file that is not read because reading it loses
 * nothing — hidden, a second path to a file already read, the run's own standard output — is
 * listed with the reason. A path whose data would vanish is an input error naming it: not a
 * regular file or directory (a FIFO, socket or device: never opened, so never blocked on), over
 * the size limit, unreadable, a symbolic link that is broken, loops or leaves the directory, or a
 * snapshot its manifest says is incomplete.
 */
import { Buffer } from 'node:buffer';
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { lstat, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { binaryReason, SnapshotParser } from './parse.ts';
import { formatIssue, type InputIssue, type Snapshot } from './types.ts';

/** Thrown when the input cannot be used; carries every problem found, each naming file and path. */
export class SnapshotInputError extends Error {
  override readonly name = 'SnapshotInputError';
  constructor(readonly issues: InputIssue[]) {
    super(issues.map(formatIssue).join('\n'));
  }
}

/** A file to read, a path not read and why, or a path that cannot be read without losing data. */
type Found =
  | { path: string; full: string; stats: Stats; viaLink: boolean }
  | { path: string; skip: string; expected?: boolean }
  | { path: string; refuse: string };

/** Files larger than this are refused unless the caller allows more (`--max-file-size`). */
export const DEFAULT_MAX_FILE_SIZE = 2 * 1024 ** 3;

/** The directory `snapshot -d DIR` writes into before renaming it to DIR: `.DIR.partial-XXXXXX`. */
const PARTIAL = /^\..+\.partial-[^/]+$/;
const PARTIAL_WHAT = 'the unfinished copy of an interrupted `snapshot` run';

/** Names listed in one message: the first few, and how many more. */
function someOf(names: readonly string[], limit = 10): string {
  return names.length <= limit
    ? names.join(', ')
    : `${names.slice(0, limit).join(', ')} and ${names.length - limit} more`;
}

/**
 * `snapshot` writes its manifest last, listing every file it wrote: a manifest whose files are not
 * all there is a copy cut short (an interrupted copy, a partial upload, a file deleted since), and
 * so is the directory `snapshot` writes into (`.DIR.partial-…`) without one.
 */
function incompleteSnapshot(root: string, snapshot: Snapshot, present: ReadonlySet<string>): InputIssue[] {
  const issues: InputIssue[] = [];
  for (const manifest of snapshot.manifests) {
    const base = posix.dirname(manifest.origin.file);
    const missing = (manifest.value.files ?? [])
      .map((file) => posix.normalize(posix.join(base, file.path)))
      .filter((file) => !present.has(file));
    if (missing.length > 0)
      issues.push({
        file: manifest.origin.file,
        path: '',
        message: `incomplete snapshot: its manifest lists ${missing.length === 1 ? 'a file that is' : `${missing.length} files that are`} missing: ${someOf(missing)}`,
      });
  }
  const name = basename(resolve(root));
  if (PARTIAL.test(name) && snapshot.manifests.length === 0)
    issues.push({
      file: root,
      path: '',
      message: `incomplete snapshot: ${PARTIAL_WHAT} (its manifest, written last, is missing); collect it again`,
    });
  return issues;
}

/** What a path is when it is neither a regular file nor a directory. */
function specialKind(stats: Stats): string | undefined {
  if (stats.isFile() || stats.isDirectory()) return undefined;
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

const notRegular = (kind: string): string =>
  `${kind}, not a regular file or directory: refused (it is never opened)`;

/** Why a path could not be looked at or read, from the system's error code. */
function failure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return `permission denied (${code}): cannot be read`;
  if (code === 'ELOOP') return 'symbolic link loop (ELOOP): cannot be read';
  if (code === 'ENOTDIR') return 'not a directory (ENOTDIR)';
  return `cannot be read: ${code ?? (err as Error).message}`;
}

/** `2 GiB`, `1 KiB`, `1500 bytes`: a size as a person reads it, exact. */
export function formatSize(bytes: number): string {
  for (const [unit, size] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const)
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  return bytes === 1 ? '1 byte' : `${bytes} bytes`;
}

const tooLarge = (size: number, limit: number): string =>
  `${formatSize(size)}, over the size limit of ${formatSize(limit)} (--max-file-size): refused`;

/** A file's identity: the same file reached twice (a link, a hard link) is read once. */
const identity = (stats: Stats): string => `${stats.dev}:${stats.ino}`;

/** Inside `root` (or `root` itself)? Both are real paths. */
const inside = (root: string, path: string): boolean => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

async function listInputs(root: string, maxFileSize: number): Promise<Found[]> {
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
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      found.push({ path: shown(dir) || '.', refuse: `directory ${failure(err)}` });
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      const path = shown(full);
      if (entry.name.startsWith('.')) {
        const what = entry.isDirectory() ? 'directory' : 'file';
        const partial = PARTIAL.test(entry.name) ? ` (${PARTIAL_WHAT})` : '';
        found.push({ path, skip: `hidden ${what}, not read${partial}`, expected: true });
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
        } catch (err) {
          // The data the link stands for is not there: refused, never passed over.
          const code = (err as NodeJS.ErrnoException).code;
          found.push({
            path,
            refuse:
              code === 'ENOENT'
                ? `broken symbolic link (to ${target}): what it points to does not exist`
                : code === 'ELOOP'
                  ? `symbolic link loop (ELOOP; to ${target}): cannot be read`
                  : `symbolic link to ${target}: ${failure(err)}`,
          });
          continue;
        }
        if (!inside(realRoot, targetReal)) {
          const named = resolve(dirname(full), target);
          const to = named === targetReal ? named : `${named} (${targetReal})`;
          found.push({
            path,
            refuse: `symbolic link to ${to}, outside the snapshot directory: refused (copy what it points to into the snapshot to have it read)`,
          });
          continue;
        }
        viaLink = true;
      } else {
        try {
          stats = await lstat(full);
        } catch (err) {
          found.push({ path, refuse: failure(err) });
          continue;
        }
      }
      const special = specialKind(stats);
      if (special) found.push({ path, refuse: notRegular(special) });
      else if (stats.isDirectory()) {
        if (viaLink) linked.push(full);
        else await walk(full, false);
      } else if (stats.size > maxFileSize) found.push({ path, refuse: tooLarge(stats.size, maxFileSize) });
      else found.push({ path, full, stats, viaLink });
    }
  };
  await walk(root, false);
  for (let i = 0; i < linked.length; i++) await walk(linked[i]!, true);
  return found;
}

/**
 * Opens a file that was a regular file when listed without ever blocking: O_NONBLOCK, so a FIFO put
 * in its place since is not waited on, and the type and size checked again on what was opened.
 */
function openRegular(full: string, maxFileSize: number): number {
  const fd = openSync(full, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(fd);
    const special = specialKind(stats);
    if (special) throw new RefusedFile(notRegular(special));
    if (stats.size > maxFileSize) throw new RefusedFile(tooLarge(stats.size, maxFileSize));
    return fd;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

class RefusedFile extends Error {}

/**
 * Regular files' bytes, at most `maxFileSize` of them (anything else throws, see openRegular), read
 * one after another into one buffer kept for the whole load: on this kind of host a page of fresh
 * memory costs far more the first time it is touched (a 33 MB read into a new buffer: ~95 ms; into
 * one already touched: ~4 ms), so only the largest file pays for its pages. What `read` returns is
 * valid until the next call.
 */
export class ReusedReader {
  private buffer: Buffer;
  /** `expected`: the largest size the files had when listed, so that one buffer usually serves all. */
  constructor(
    private readonly maxFileSize: number,
    expected: number,
  ) {
    this.buffer = Buffer.allocUnsafeSlow(Math.min(expected, maxFileSize) + 1);
  }

  read(full: string): Buffer {
    const fd = openRegular(full, this.maxFileSize);
    try {
      let length = 0;
      for (;;) {
        // Room for the size fstat gave and one byte more, so that the end of the file is seen.
        // Never past the limit and a byte: a file growing without end is refused, not buffered.
        if (length === this.buffer.length)
          this.grow(Math.min(Math.max(fstatSync(fd).size + 1, length * 2, 65536), this.maxFileSize + 1));
        const read = readSync(fd, this.buffer, length, this.buffer.length - length, null);
        if (read === 0) break;
        length += read;
        if (length > this.maxFileSize)
          throw new RefusedFile(
            `more than ${formatSize(this.maxFileSize)} when read (it was listed smaller), over the size limit of ${formatSize(this.maxFileSize)} (--max-file-size): refused`,
          );
      }
      return this.buffer.subarray(0, length);
    } finally {
      closeSync(fd);
    }
  }

  /** Bytes the buffer holds room for (what the load keeps allocated). */
  get capacity(): number {
    return this.buffer.length;
  }

  private grow(size: number): void {
    const bigger = Buffer.allocUnsafeSlow(size);
    this.buffer.copy(bigger);
    this.buffer = bigger;
  }
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

/**
 * One file a flag names (`--ctrf`, `--pod-spec`, `--recipe`), read as a snapshot file is: a regular
 * file (a FIFO or device is never opened), at most `maxFileSize` bytes, else SnapshotInputError.
 */
export function readInputFile(path: string, maxFileSize: number = DEFAULT_MAX_FILE_SIZE): Buffer {
  try {
    // Looked at before it is opened: opening some devices does something.
    const stats = statSync(path);
    if (stats.isDirectory()) throw new RefusedFile('a directory, not a file');
    const special = specialKind(stats);
    if (special) throw new RefusedFile(notRegular(special));
    return new ReusedReader(maxFileSize, stats.size).read(path);
  } catch (err) {
    const message = err instanceof RefusedFile ? err.message : failure(err);
    throw new SnapshotInputError([{ file: path, path: '', message }]);
  }
}

/** Bytes enough to tell text from binary without reading a large archive whole. */
function head(full: string, maxFileSize: number): Uint8Array {
  const buffer = Buffer.alloc(8192);
  const fd = openRegular(full, maxFileSize);
  try {
    return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0));
  } finally {
    closeSync(fd);
  }
}

export interface LoadOptions {
  /** `dev:ino` of a file never to read; default: the file standard output is redirected to. */
  readonly exclude?: string;
  /** Files larger than this many bytes are refused; default DEFAULT_MAX_FILE_SIZE (2 GiB). */
  readonly maxFileSize?: number;
}

/** Reads a snapshot directory (or a single file). Throws SnapshotInputError on bad input. */
export async function loadSnapshot(path: string, options: LoadOptions = {}): Promise<Snapshot> {
  const maxFileSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new SnapshotInputError([{ file: path, path: '', message: failure(err) }]);
  }
  const special = specialKind(info);
  if (special) throw new SnapshotInputError([{ file: path, path: '', message: notRegular(special) }]);
  if (!info.isDirectory() && info.size > maxFileSize)
    throw new SnapshotInputError([{ file: path, path: '', message: tooLarge(info.size, maxFileSize) }]);
  const root = info.isDirectory() ? path : join(path, '..');
  const found: Found[] = info.isDirectory()
    ? await listInputs(path, maxFileSize)
    : [{ path: relative(root, path).split(sep).join('/'), full: path, stats: info, viaLink: false }];
  // Refused paths stop the run before any file is read: each named, with why.
  const refused = found.flatMap((entry) =>
    'refuse' in entry ? [{ file: entry.path, path: '', message: entry.refuse }] : [],
  );
  if (refused.length > 0) throw new SnapshotInputError(refused);
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
  // One file at a time, read in synchronous calls into the one buffer: its text is garbage before
  // the next is read, and a 100 MB file costs one read, not hundreds of thread-pool round trips.
  const parser = new SnapshotParser();
  const reader = new ReusedReader(
    maxFileSize,
    readable.reduce((max, entry) => Math.max(max, entry.stats.size), 0),
  );
  const issues: InputIssue[] = [];
  for (const entry of found) {
    if ('skip' in entry) {
      parser.skip(entry.path, entry.skip, entry.expected);
      continue;
    }
    if (!('full' in entry)) continue;
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
    let bytes: Buffer;
    try {
      // A file not named as data is looked at first: an archive is not read whole to be skipped.
      const start = named ? undefined : head(entry.full, maxFileSize);
      const utf16 =
        start !== undefined &&
        ((start[0] === 0xff && start[1] === 0xfe) || (start[0] === 0xfe && start[1] === 0xff));
      if (start?.includes(0) && !utf16) {
        parser.skip(entry.path, binaryReason(start));
        continue;
      }
      bytes = reader.read(entry.full);
    } catch (err) {
      // Unreadable is an input error whatever the name: what the file holds would vanish.
      issues.push({
        file: entry.path,
        path: '',
        message: err instanceof RefusedFile ? err.message : failure(err),
      });
      continue;
    }
    try {
      parser.addBytes({ path: entry.path, bytes });
    } catch (err) {
      // V8 holds no string over ~512 MiB: such a file is input the tool cannot take, not a bug.
      if ((err as NodeJS.ErrnoException).code !== 'ERR_STRING_TOO_LONG') throw err;
      issues.push({
        file: entry.path,
        path: '',
        message: `${formatSize(bytes.length)}: too large to decode as one text (the limit is about 512 MiB of text); split the capture`,
      });
    }
  }
  const result = parser.result();
  if (!result.ok || issues.length > 0)
    throw new SnapshotInputError([...issues, ...(result.ok ? [] : result.issues)]);
  const { snapshot } = result;
  if (info.isDirectory()) {
    const incomplete = incompleteSnapshot(path, snapshot, new Set(found.map((entry) => entry.path)));
    if (incomplete.length > 0) throw new SnapshotInputError(incomplete);
  }
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
