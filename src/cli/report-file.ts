/** Writes a report to a file named by a flag: whole or not at all, and a bad path is a usage error. */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { UsageError } from './errors.ts';

export function writeReportFile(flag: string, path: string, content: string): void {
  // Written beside the target and renamed over it, so a reader never sees half a report.
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, content, 'utf8');
    renameSync(temporary, path);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw new UsageError(`${flag} ${path}: cannot write: ${(err as Error).message}`);
  }
}
