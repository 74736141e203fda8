/** Writes a report to a file named by a flag: whole or not at all, and a bad path is a usage error. */
import { lstatSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { UsageError } from './errors.ts';

/** What a path is when it is not a regular file, for the refusal; undefined when it may be replaced. */
function notRegular(path: string): string | undefined {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return undefined; // not there yet: it will be created
  }
  if (stat.isFile()) return undefined;
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

export function writeReportFile(flag: string, path: string, content: string): void {
  // The report replaces the target whole (below), which would also replace a device, a FIFO or
  // a symlink with a plain file: only a regular file, or a new one, is written.
  const special = notRegular(path);
  if (special)
    throw new UsageError(`${flag} ${path}: ${special}, not a regular file: refusing to replace it`);
  // Written beside the target and renamed over it, so a reader never sees half a report.
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, content, { encoding: 'utf8', flag: 'wx' });
    renameSync(temporary, path);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw new UsageError(`${flag} ${path}: cannot write: ${(err as Error).message}`);
  }
}
