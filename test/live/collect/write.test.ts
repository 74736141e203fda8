/** Writing a snapshot directory is all-or-nothing, and never clobbers data without --force. */
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CollectError } from '../../../src/live/errors.ts';
import { checkTarget, inWriteOrder, writeSnapshotDir } from '../../../src/live/collect/write.ts';

const scratch = mkdtempSync(join(tmpdir(), 'netcheck-write-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const files = [
  { path: 'manifest.json', text: '{"kind":"SnapshotManifest"}\n' },
  { path: 'aws/vpcs.json', text: '{"Vpcs":[]}\n' },
  { path: 'prefix-list-entries/pl-0abc.json', text: '{"Entries":[]}\n' },
];

describe('snapshot directory writing', () => {
  it('writes every file under a new directory and leaves no temp directory', async () => {
    const target = join(scratch, 'fresh');
    await writeSnapshotDir(target, files, false);
    assert.equal(readFileSync(join(target, 'aws/vpcs.json'), 'utf8'), '{"Vpcs":[]}\n');
    assert.ok(existsSync(join(target, 'prefix-list-entries/pl-0abc.json')));
    assert.deepEqual(readdirSync(scratch), ['fresh']);
  });

  it('fills an existing empty directory', async () => {
    const target = join(scratch, 'empty');
    mkdirSync(target);
    await writeSnapshotDir(target, files, false);
    assert.ok(existsSync(join(target, 'manifest.json')));
  });

  it('refuses a non-empty directory without --force, and leaves it untouched', async () => {
    const target = join(scratch, 'used');
    mkdirSync(target);
    writeFileSync(join(target, 'notes.txt'), 'mine');
    await assert.rejects(writeSnapshotDir(target, files, false), (err: unknown) => {
      assert.ok(err instanceof CollectError);
      assert.match(err.message, /is not empty \(pass --force to replace it\)/);
      return true;
    });
    assert.deepEqual(readdirSync(target), ['notes.txt']);
    await assert.rejects(checkTarget(target, false), /not empty/);
  });

  it('replaces an earlier snapshot (it holds manifest.json) with --force', async () => {
    const target = join(scratch, 'replace');
    mkdirSync(target);
    writeFileSync(join(target, 'old.json'), '{}');
    writeFileSync(join(target, 'manifest.json'), '{"kind":"SnapshotManifest"}\n');
    await writeSnapshotDir(target, files, true);
    assert.deepEqual(readdirSync(target).sort(), ['aws', 'manifest.json', 'prefix-list-entries']);
    assert.ok(!readdirSync(scratch).some((name) => name.includes('.partial-')));
  });

  it('writes the manifest last, so a copy cut short has none (issue 17 item 13)', () => {
    assert.deepEqual(
      inWriteOrder(files).map((file) => file.path),
      ['aws/vpcs.json', 'prefix-list-entries/pl-0abc.json', 'manifest.json'],
    );
  });

  it('refuses a file, or a missing parent', async () => {
    const file = join(scratch, 'a-file');
    writeFileSync(file, '');
    await assert.rejects(checkTarget(file, true), /exists and is not a directory/);
    await assert.rejects(checkTarget(join(scratch, 'no/such/parent/snap'), false), /is not a directory/);
  });

  it('removes everything it wrote when a write fails, and restores a --force target', async () => {
    const target = join(scratch, 'broken');
    mkdirSync(target);
    writeFileSync(join(target, 'keep.json'), '{"keep":true}');
    writeFileSync(join(target, 'manifest.json'), '{}');
    // The same path twice: the second exclusive write fails half-way through the set.
    const clash = [...files, { path: 'aws/vpcs.json', text: '{}' }];
    await assert.rejects(writeSnapshotDir(target, clash, true), /EEXIST/);
    assert.deepEqual(readdirSync(target).sort(), ['keep.json', 'manifest.json']);
    const fresh = join(scratch, 'never');
    await assert.rejects(writeSnapshotDir(fresh, clash, false), /EEXIST/);
    assert.ok(!existsSync(fresh));
    assert.ok(!readdirSync(scratch).some((name) => name.includes('.partial-')), 'temp directory removed');
  });

  it('--force replaces only a snapshot: a directory of other files is refused and left as it was', async () => {
    const target = join(scratch, 'photos');
    mkdirSync(target);
    writeFileSync(join(target, 'holiday.jpg'), 'mine');
    await assert.rejects(
      writeSnapshotDir(target, files, true),
      /--force replaces only a snapshot directory \(one holding manifest\.json\)/,
    );
    assert.deepEqual(readdirSync(target), ['holiday.jpg']);
  });

  // checkTarget only reads: these never write to /, the home directory or the working directory.
  it('--force never replaces /, the home directory or the working directory and its parents', async () => {
    await assert.rejects(checkTarget('/', true), /--force never replaces the root directory/);
    await assert.rejects(checkTarget(homedir(), true), /--force never replaces your home directory/);
    await assert.rejects(checkTarget('.', true), /--force never replaces the working directory/);
    await assert.rejects(
      checkTarget('..', true),
      /--force never replaces the working directory or one of its parents/,
    );
  });
});
