/** `--html FILE` replaces a regular file whole, creates a new one, and refuses anything else. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { UsageError } from '../../src/cli/errors.ts';
import { writeReportFile } from '../../src/cli/report-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'dnc-report-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('report files', () => {
  it('creates a new file and replaces a regular one whole', () => {
    const path = join(dir, 'report.html');
    writeReportFile('--html', path, 'first');
    writeReportFile('--html', path, 'second');
    assert.equal(readFileSync(path, 'utf8'), 'second');
  });

  it('refuses a symlink, a FIFO and a directory, and leaves them as they were', () => {
    const target = join(dir, 'elsewhere.txt');
    writeFileSync(target, 'keep me');
    const link = join(dir, 'link.html');
    symlinkSync(target, link);
    const fifo = join(dir, 'fifo.html');
    execFileSync('mkfifo', [fifo]);
    const folder = join(dir, 'folder.html');
    mkdirSync(folder);
    for (const [path, what] of [
      [link, 'a symbolic link'],
      [fifo, 'a FIFO'],
      [folder, 'a directory'],
    ] as const) {
      assert.throws(
        () => writeReportFile('--html', path, 'report'),
        (err: unknown) => err instanceof UsageError && err.message.includes(`${what}, not a regular file`),
      );
    }
    assert.equal(readlinkSync(link), target);
    assert.equal(readFileSync(target, 'utf8'), 'keep me');
    assert.ok(lstatSync(fifo).isFIFO());
    assert.ok(lstatSync(folder).isDirectory());
  });

  it('refuses a device: as root it would otherwise be replaced by a plain file', () => {
    // A device node of its own (/dev/null's numbers, 1:3), so a regression replaces only this one.
    const device = join(dir, 'null.html');
    execFileSync('mknod', ['-m', '666', device, 'c', '1', '3']);
    assert.throws(() => writeReportFile('--html', device, 'report'), /a device, not a regular file/);
    assert.ok(lstatSync(device).isCharacterDevice());
  });
});
