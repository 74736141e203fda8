/**
 * Writes a snapshot directory all-or-nothing: files go to a hidden temp directory beside the
 * target, which is renamed into place only once everything is written. On any error the temp
 * directory is removed and an existing target (with --force) is put back as it was.
 */
import { constants, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { InputFile } from '../../snapshot/parse.ts';
import { CollectError } from '../errors.ts';
import type { CollectedDocument } from './types.ts';

/** The documents as the loader's input files: the same bytes `snapshot` writes. */
export function toInputFiles(documents: readonly CollectedDocument[]): InputFile[] {
  return documents.map((d) => ({ path: d.path, text: documentText(d) }));
}

/** A document's JSON text as `snapshot` writes it (a spooled one read back from its file). */
function documentText(d: CollectedDocument): string {
  return d.spooled !== undefined
    ? readFileSync(d.spooled, 'utf8')
    : `${JSON.stringify(d.document, null, 2)}\n`;
}

/** Where `snapshot` writes the SnapshotManifest (live/collect/index.ts). */
const MANIFEST = 'manifest.json';

/**
 * The manifest last: a copy cut short (killed while writing, or copied elsewhere half-way) has no
 * manifest, or one whose listed files are not all there, and `analyze` refuses it as incomplete.
 */
export function inWriteOrder<F extends { readonly path: string }>(files: readonly F[]): F[] {
  return [
    ...files.filter((file) => file.path !== MANIFEST),
    ...files.filter((file) => file.path === MANIFEST),
  ];
}

async function statOrUndefined(path: string) {
  try {
    return await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** A directory `--force` must never replace, whatever it holds: /, the home directory, the working
 * directory or one of its parents. */
function precious(target: string): string | undefined {
  const cwd = resolve(process.cwd());
  if (target === resolve('/')) return 'the root directory';
  if (target === resolve(homedir())) return 'your home directory';
  if (cwd === target || cwd.startsWith(target + sep)) return 'the working directory or one of its parents';
  return undefined;
}

/**
 * Refuses a target that would lose data: a file, or a non-empty directory without --force. With
 * --force, a non-empty directory is replaced only when it holds a snapshot (its manifest.json), and
 * never /, $HOME or the working directory. Called before collecting (fail fast) and again just
 * before the rename.
 */
export async function checkTarget(dir: string, force: boolean): Promise<void> {
  const target = resolve(dir);
  const parent = await statOrUndefined(dirname(target));
  if (!parent?.isDirectory())
    throw new CollectError('config', `-d ${dir}: ${dirname(target)} is not a directory`);
  const info = await statOrUndefined(target);
  if (!info) return;
  if (!info.isDirectory()) throw new CollectError('config', `-d ${dir}: exists and is not a directory`);
  const entries = await readdir(target);
  if (entries.length === 0) return;
  if (!force)
    throw new CollectError('config', `-d ${dir}: directory is not empty (pass --force to replace it)`);
  const never = precious(target);
  if (never) throw new CollectError('config', `-d ${dir}: --force never replaces ${never}`);
  if (!entries.includes(MANIFEST))
    throw new CollectError(
      'config',
      `-d ${dir}: --force replaces only a snapshot directory (one holding ${MANIFEST}), and this one holds other files`,
    );
}

export async function writeSnapshotDir(
  dir: string,
  files: readonly InputFile[],
  force: boolean,
): Promise<void> {
  await writeInto(dir, force, async (temp) => {
    for (const file of inWriteOrder(files)) {
      const path = join(temp, ...file.path.split('/'));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.text, { flag: 'wx' });
    }
  });
}

/**
 * `snapshot`'s documents written as writeSnapshotDir writes them: the same bytes, the spooled ones
 * moved into place from their files rather than read back.
 */
export async function writeCollectedDir(
  dir: string,
  documents: readonly CollectedDocument[],
  force: boolean,
): Promise<void> {
  await writeInto(dir, force, async (temp) => {
    for (const document of inWriteOrder(documents)) {
      const path = join(temp, ...document.path.split('/'));
      await mkdir(dirname(path), { recursive: true });
      if (document.spooled !== undefined) await moveFile(document.spooled, path);
      else await writeFile(path, documentText(document), { flag: 'wx' });
    }
  });
}

async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFile(from, to, constants.COPYFILE_EXCL);
    await rm(from);
  }
}

async function writeInto(dir: string, force: boolean, put: (temp: string) => Promise<void>): Promise<void> {
  await checkTarget(dir, force);
  const target = resolve(dir);
  const temp = await mkdtemp(join(dirname(target), `.${basename(target)}.partial-`));
  const previous = `${temp}.previous`;
  let movedAside = false;
  try {
    await put(temp);
    const existing = await statOrUndefined(target);
    if (existing) {
      if ((await readdir(target)).length === 0) await rmdir(target);
      else {
        await rename(target, previous);
        movedAside = true;
      }
    }
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    if (movedAside && !(await statOrUndefined(target))) await rename(previous, target);
    throw err;
  }
  if (movedAside) await rm(previous, { recursive: true, force: true });
}
