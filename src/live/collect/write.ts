/**
 * Writes a snapshot directory all-or-nothing: files go to a hidden temp directory beside the
 * target, which is renamed into place only once everything is written. On any error the temp
 * directory is removed and an existing target (with --force) is put back as it was.
 */
import { mkdir, mkdtemp, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { InputFile } from '../../snapshot/parse.ts';
import { CollectError } from '../errors.ts';
import type { CollectedDocument } from './types.ts';

/** The documents as the loader's input files: the same bytes `snapshot` writes. */
export function toInputFiles(documents: readonly CollectedDocument[]): InputFile[] {
  return documents.map((d) => ({ path: d.path, text: `${JSON.stringify(d.document, null, 2)}\n` }));
}

/** Where `snapshot` writes the SnapshotManifest (live/collect/index.ts). */
const MANIFEST = 'manifest.json';

/**
 * The manifest last: a copy cut short (killed while writing, or copied elsewhere half-way) has no
 * manifest, or one whose listed files are not all there, and `analyze` refuses it as incomplete.
 */
export function inWriteOrder(files: readonly InputFile[]): InputFile[] {
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

/**
 * Refuses a target that would lose data: a file, or a non-empty directory without --force.
 * Called before collecting (fail fast) and again just before the rename.
 */
export async function checkTarget(dir: string, force: boolean): Promise<void> {
  const target = resolve(dir);
  const parent = await statOrUndefined(dirname(target));
  if (!parent?.isDirectory())
    throw new CollectError('config', `-d ${dir}: ${dirname(target)} is not a directory`);
  const info = await statOrUndefined(target);
  if (!info) return;
  if (!info.isDirectory()) throw new CollectError('config', `-d ${dir}: exists and is not a directory`);
  if (!force && (await readdir(target)).length > 0)
    throw new CollectError('config', `-d ${dir}: directory is not empty (pass --force to replace it)`);
}

export async function writeSnapshotDir(
  dir: string,
  files: readonly InputFile[],
  force: boolean,
): Promise<void> {
  await checkTarget(dir, force);
  const target = resolve(dir);
  const temp = await mkdtemp(join(dirname(target), `.${basename(target)}.partial-`));
  const previous = `${temp}.previous`;
  let movedAside = false;
  try {
    for (const file of inWriteOrder(files)) {
      const path = join(temp, ...file.path.split('/'));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.text, { flag: 'wx' });
    }
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
