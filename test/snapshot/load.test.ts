/** The loader's I/O edge on a real file system: links, hidden and special files, its own output. */
import assert from 'node:assert/strict';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  linkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadSnapshot, ReusedReader, SnapshotInputError } from '../../src/snapshot/load.ts';
import type { Snapshot } from '../../src/snapshot/types.ts';

const scratch = mkdtempSync(join(tmpdir(), 'netcheck-load-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const sg = (id: string) => JSON.stringify({ SecurityGroups: [{ GroupId: id, VpcId: 'vpc-1' }] });
const skipped = (snapshot: Snapshot) => Object.fromEntries(snapshot.ignored.map((i) => [i.file, i.reason]));
const idOf = (path: string) => {
  const stats = statSync(path);
  return `${stats.dev}:${stats.ino}`;
};

describe('loading a snapshot directory', () => {
  it('follows links that stay inside the directory, reading each file once by its own path', async () => {
    const dir = join(scratch, 'links');
    mkdirSync(join(dir, 'captures', 'monday'), { recursive: true });
    writeFileSync(join(dir, 'captures', 'monday', 'sgs.json'), sg('sg-1'));
    symlinkSync('captures/monday', join(dir, 'a-latest')); // a directory link inside, sorted first: read once
    symlinkSync('captures/monday/sgs.json', join(dir, 'sgs-latest.json')); // a file link inside: read once
    writeFileSync(join(dir, 'pods.out'), sg('sg-2'));
    symlinkSync('pods.out', join(dir, 'a-link-to-pods')); // the link sorts first; the file is read by its own name
    linkSync(join(dir, 'pods.out'), join(dir, 'pods.txt'));
    symlinkSync('.', join(dir, 'self')); // a loop: never walked twice
    const snapshot = await loadSnapshot(dir, { exclude: undefined });
    assert.deepEqual(
      snapshot.securityGroups.map((g) => `${g.value.GroupId} ${g.origin.file}`),
      ['sg-1 captures/monday/sgs.json', 'sg-2 pods.out'],
      'each file once, by its own path',
    );
    const reasons = skipped(snapshot);
    assert.equal(reasons['a-link-to-pods'], 'the same file as pods.out, read once');
    assert.equal(reasons['a-latest'], 'the same directory as captures/monday, read once');
    assert.equal(reasons['a-latest/sgs.json'], undefined, 'its files are not listed one by one');
    assert.equal(reasons['sgs-latest.json'], 'the same file as captures/monday/sgs.json, read once');
    assert.equal(reasons['pods.txt'], 'the same file as pods.out, read once');
    assert.equal(reasons['self'], 'the same directory as the snapshot directory, read once');
    const quiet = snapshot.ignored.filter((i) => i.expected).map((i) => i.file);
    assert.deepEqual(quiet.sort(), ['a-latest', 'a-link-to-pods', 'pods.txt', 'self', 'sgs-latest.json']);
  });

  it('refuses links whose data would vanish: out of the directory, broken, or looping — each named, nothing read', async () => {
    const outside = join(scratch, 'elsewhere');
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'secret.json'), sg('sg-outside'));
    const dir = join(scratch, 'bad-links');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'sgs.json'), sg('sg-1'));
    symlinkSync(join(outside, 'secret.json'), join(dir, 'outside.json'));
    symlinkSync('../elsewhere', join(dir, 'outside-dir'));
    symlinkSync('missing.json', join(dir, 'dangling.json'));
    symlinkSync('loop-b', join(dir, 'loop-a'));
    symlinkSync('loop-a', join(dir, 'loop-b'));
    await assert.rejects(loadSnapshot(dir, { exclude: undefined }), (err: unknown) => {
      assert.ok(err instanceof SnapshotInputError);
      assert.deepEqual(
        err.issues.map((i) => `${i.file}: ${i.message}`),
        [
          'dangling.json: broken symbolic link (to missing.json): what it points to does not exist',
          'loop-a: symbolic link loop (ELOOP; to loop-b): cannot be read',
          'loop-b: symbolic link loop (ELOOP; to loop-a): cannot be read',
          `outside-dir: symbolic link to ${outside}, outside the snapshot directory: refused (copy what it points to into the snapshot to have it read)`,
          `outside.json: symbolic link to ${join(outside, 'secret.json')}, outside the snapshot directory: refused (copy what it points to into the snapshot to have it read)`,
        ],
      );
      assert.doesNotMatch(err.message, /sg-outside/, 'what lies outside is never read');
      return true;
    });
  });

  it('names hidden files instead of reading them', async () => {
    const dir = join(scratch, 'special');
    mkdirSync(join(dir, '.git'), { recursive: true });
    writeFileSync(join(dir, '.git', 'config.json'), sg('sg-git'));
    writeFileSync(join(dir, '.DS_Store'), Buffer.from([0, 0, 0, 1]));
    writeFileSync(join(dir, 'sgs'), sg('sg-1'));
    const snapshot = await loadSnapshot(dir, { exclude: undefined });
    assert.deepEqual(
      snapshot.securityGroups.map((g) => g.value.GroupId),
      ['sg-1'],
    );
    assert.deepEqual(skipped(snapshot), {
      '.DS_Store': 'hidden file, not read',
      '.git': 'hidden directory, not read',
    });
  });

  it("skips the file standard output is redirected to (the run's own report)", async () => {
    const dir = join(scratch, 'own-output');
    cpSync('examples/healthy-shared-cluster-sg', dir, { recursive: true });
    writeFileSync(join(dir, 'report.json'), '{"schemaVers'); // half-written, as the shell leaves it
    const snapshot = await loadSnapshot(dir, { exclude: idOf(join(dir, 'report.json')) });
    assert.equal(
      skipped(snapshot)['report.json'],
      "this run's own output (standard output is redirected to it), not read",
    );
    assert.equal(snapshot.clusters.length, 1);
  });

  it('reads a file not named as data whole only when it is text', async () => {
    const dir = join(scratch, 'archive');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'sgs.txt'), sg('sg-1'));
    // UTF-16 text has NUL bytes too: its byte-order mark says it is text.
    writeFileSync(
      join(dir, 'more-sgs'),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(sg('sg-2'), 'utf16le')]),
    );
    writeFileSync(
      join(dir, 'snapshot.tgz'),
      Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(1 << 20)]),
    );
    const snapshot = await loadSnapshot(dir, { exclude: undefined });
    assert.deepEqual(skipped(snapshot), { 'snapshot.tgz': 'gzip-compressed: decompress it to have it read' });
    assert.deepEqual(
      snapshot.securityGroups.map((g) => g.value.GroupId),
      ['sg-2', 'sg-1'],
    );
  });

  it('reads every file whole into the one buffer: a short file after a long one keeps none of its bytes', async () => {
    const dir = join(scratch, 'long-then-short');
    mkdirSync(dir, { recursive: true });
    const many = Array.from({ length: 2000 }, (_, i) => ({ GroupId: `sg-${i}`, VpcId: 'vpc-1' }));
    writeFileSync(join(dir, 'a-long.json'), JSON.stringify({ SecurityGroups: many }));
    // Shorter than the first: were it read over the first file's bytes, its text would go on with
    // them and not be JSON.
    writeFileSync(join(dir, 'b-short.json'), sg('sg-short'));
    writeFileSync(join(dir, 'c-empty.json'), '');
    const snapshot = await loadSnapshot(dir, { exclude: undefined });
    assert.equal(snapshot.securityGroups.length, 2001);
    assert.deepEqual(
      snapshot.securityGroups.filter((g) => g.origin.file === 'b-short.json').map((g) => g.value.GroupId),
      ['sg-short'],
    );
    assert.deepEqual(
      snapshot.ignored.find((i) => i.file === 'c-empty.json'),
      { file: 'c-empty.json', reason: 'empty file' },
      'the empty file is read as empty, not as what the buffer held',
    );
  });

  it('reads a file longer than its listed size to its end, and refuses one that grows over the limit', () => {
    // Files under /proc say they are 0 bytes long and hold more: the size a listing gives is a hint.
    const status = new ReusedReader(1 << 20, 0).read('/proc/self/status').toString('utf8');
    assert.match(status, /^Name:/);
    assert.match(status, /\nPid:\t\d+\n/, 'read past the first bytes');
    const small = new ReusedReader(100, 0);
    assert.throws(() => small.read('/proc/self/status'), {
      message:
        'more than 100 bytes when read (it was listed smaller), over the size limit of 100 bytes (--max-file-size): refused',
    });
    assert.equal(small.capacity, 101, 'never buffered past the limit and one byte');
  });

  it('a directory with no AWS or Kubernetes data is an input error naming what it found', async () => {
    const dir = join(scratch, 'nothing');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'README.md'), '# notes\n\nnothing captured yet\n');
    writeFileSync(join(dir, 'notes.yaml'), 'hello: world\n');
    await assert.rejects(loadSnapshot(dir, { exclude: undefined }), (err: unknown) => {
      assert.ok(err instanceof SnapshotInputError);
      assert.deepEqual(
        err.issues.map((i) => `${i.file}: ${i.message}`),
        [
          `${dir}: no AWS or Kubernetes data found`,
          'notes.yaml: not a recognised AWS or Kubernetes document',
          'README.md: documentation',
        ],
      );
      return true;
    });
    const empty = join(scratch, 'empty');
    mkdirSync(join(empty, '.hidden'), { recursive: true });
    await assert.rejects(loadSnapshot(empty, { exclude: undefined }), /no files to read/);
  });
});
