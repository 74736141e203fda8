/**
 * Hostile input at the loader's edge (issue 17, items 3, 11, 12, 13): what is not a regular file
 * or directory, too large, unreadable or looping is refused naming the path, before anything is
 * read; a snapshot whose manifest lists missing files, or the unfinished copy of an interrupted
 * `snapshot`, is incomplete; a kubectl list cut short is an input error, never a smaller list.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import YAML from 'yaml';
import { DEFAULT_MAX_FILE_SIZE, loadSnapshot, SnapshotInputError } from '../../src/snapshot/load.ts';
import { parseSnapshot } from '../../src/snapshot/parse.ts';

const scratch = mkdtempSync(join(tmpdir(), 'netcheck-limits-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const sg = (id: string) => JSON.stringify({ SecurityGroups: [{ GroupId: id, VpcId: 'vpc-1' }] });

/** The issues a load was refused with, as `file: message` lines. */
async function refusal(path: string, options: { maxFileSize?: number } = {}): Promise<string[]> {
  try {
    await loadSnapshot(path, { exclude: undefined, ...options });
  } catch (err) {
    assert.ok(err instanceof SnapshotInputError, String(err));
    return err.issues.map((i) => `${i.file}: ${i.message}`);
  }
  assert.fail(`${path} was loaded`);
}

const fresh = (name: string): string => {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  return dir;
};

describe('what is not a regular file or directory is refused, never opened', () => {
  it(
    'a FIFO inside the snapshot: refused naming it, and the load never blocks on it',
    { timeout: 20_000 },
    async () => {
      const dir = fresh('fifo-inside');
      writeFileSync(join(dir, 'sgs.json'), sg('sg-1'));
      assert.equal(spawnSync('mkfifo', [join(dir, 'pods.yaml')]).status, 0);
      assert.deepEqual(await refusal(dir), [
        'pods.yaml: a FIFO, not a regular file or directory: refused (it is never opened)',
      ]);
    },
  );

  it('a FIFO given as the snapshot itself', { timeout: 20_000 }, async () => {
    const fifo = join(fresh('fifo-root'), 'snapshot.json');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    assert.deepEqual(await refusal(fifo), [
      `${fifo}: a FIFO, not a regular file or directory: refused (it is never opened)`,
    ]);
  });

  it('character devices given as the snapshot (only looked at with stat, never opened)', async () => {
    for (const device of ['/dev/zero', '/dev/null'])
      assert.deepEqual(await refusal(device), [
        `${device}: a character device, not a regular file or directory: refused (it is never opened)`,
      ]);
  });

  it('a symbolic link loop given as the snapshot', async () => {
    const dir = fresh('loop-root');
    symlinkSync('b', join(dir, 'a'));
    symlinkSync('a', join(dir, 'b'));
    assert.deepEqual(await refusal(join(dir, 'a')), [
      `${join(dir, 'a')}: symbolic link loop (ELOOP): cannot be read`,
    ]);
  });
});

describe('the size limit', () => {
  it('a file over the limit is refused naming its size and the limit; one at the limit is read', async () => {
    const dir = fresh('size');
    const exact = sg('sg-1');
    writeFileSync(join(dir, 'sgs.json'), exact);
    writeFileSync(join(dir, 'big.json'), `${sg('sg-2')}${' '.repeat(2048 - sg('sg-2').length)}`);
    assert.deepEqual(await refusal(dir, { maxFileSize: 1024 }), [
      'big.json: 2 KiB, over the size limit of 1 KiB (--max-file-size): refused',
    ]);
    rmSync(join(dir, 'big.json'));
    const atLimit = await loadSnapshot(dir, { exclude: undefined, maxFileSize: exact.length });
    assert.deepEqual(
      atLimit.securityGroups.map((g) => g.value.GroupId),
      ['sg-1'],
    );
    assert.deepEqual(await refusal(dir, { maxFileSize: exact.length - 1 }), [
      `sgs.json: ${exact.length} bytes, over the size limit of ${exact.length - 1} bytes (--max-file-size): refused`,
    ]);
    assert.deepEqual(await refusal(join(dir, 'sgs.json'), { maxFileSize: 10 }), [
      `${join(dir, 'sgs.json')}: ${exact.length} bytes, over the size limit of 10 bytes (--max-file-size): refused`,
    ]);
  });

  it('the default is 2 GiB: a sparse file one byte over it is refused without being read', async () => {
    assert.equal(DEFAULT_MAX_FILE_SIZE, 2 * 1024 ** 3);
    const dir = fresh('sparse');
    writeFileSync(join(dir, 'sgs.json'), sg('sg-1'));
    // A sparse file: its size is 2 GiB + 1, it holds no blocks, and reading it would take seconds.
    writeFileSync(join(dir, 'huge.json'), '');
    truncateSync(join(dir, 'huge.json'), 2 * 1024 ** 3 + 1);
    const started = Date.now();
    assert.deepEqual(await refusal(dir), [
      `huge.json: ${2 * 1024 ** 3 + 1} bytes, over the size limit of 2 GiB (--max-file-size): refused`,
    ]);
    assert.ok(Date.now() - started < 5000, 'refused from its size, not read');
  });
});

describe('unreadable files and directories', () => {
  /**
   * Root reads a mode-000 file anyway, so as root the load runs in a child process as `nobody`
   * (uid 65534), for whom the permission bits hold; otherwise in this process.
   */
  const loadAs = async (dir: string): Promise<string[]> => {
    if (process.getuid?.() !== 0) return refusal(dir);
    chmodSync(scratch, 0o755);
    const script = `
      const { loadSnapshot } = await import(${JSON.stringify(resolve('src/snapshot/load.ts'))});
      try { await loadSnapshot(${JSON.stringify(dir)}, { exclude: undefined }); console.log('[]'); }
      catch (err) { console.log(JSON.stringify(err.issues.map((i) => i.file + ': ' + i.message))); }`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      uid: 65534,
      gid: 65534,
      encoding: 'utf8',
    });
    assert.equal(child.status, 0, child.stderr);
    return JSON.parse(child.stdout) as string[];
  };

  it('a file that cannot be read is refused naming it (EACCES), whatever its name', async () => {
    const dir = fresh('unreadable');
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'sgs.json'), sg('sg-1'), { mode: 0o644 });
    writeFileSync(join(dir, 'pods.json'), sg('sg-2'), { mode: 0o000 });
    writeFileSync(join(dir, 'nodes'), sg('sg-3'), { mode: 0o000 });
    assert.deepEqual(await loadAs(dir), [
      'nodes: permission denied (EACCES): cannot be read',
      'pods.json: permission denied (EACCES): cannot be read',
    ]);
  });

  it('a directory that cannot be listed is refused naming it', async () => {
    const dir = fresh('unlistable');
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'sgs.json'), sg('sg-1'), { mode: 0o644 });
    mkdirSync(join(dir, 'k8s'), { mode: 0o000 });
    chmodSync(join(dir, 'k8s'), 0o000);
    assert.deepEqual(await loadAs(dir), ['k8s: directory permission denied (EACCES): cannot be read']);
  });
});

describe('partial snapshots (the manifest is written last)', () => {
  /** A snapshot with the manifest `snapshot` writes, listing every file it wrote. */
  const withManifest = (dir: string, listed: readonly string[]): void => {
    cpSync('examples/healthy-shared-cluster-sg', dir, { recursive: true });
    writeFileSync(
      join(dir, 'manifest.json'),
      JSON.stringify({
        apiVersion: 'dynamo-netcheck/v1',
        kind: 'SnapshotManifest',
        createdAt: '2026-12-06T10:00:00Z',
        toolVersion: '0.0.0',
        files: listed.map((path) => ({ path, kind: 'x', count: 1 })),
      }),
    );
  };
  const listed = ['aws/security-groups.json', 'aws/subnets.json', 'k8s/pods.json'];

  it('every listed file there: read as usual', async () => {
    const dir = join(scratch, 'complete');
    withManifest(dir, listed);
    const snapshot = await loadSnapshot(dir, { exclude: undefined });
    assert.equal(snapshot.manifests.length, 1);
  });

  it('listed files missing: "incomplete snapshot", naming each', async () => {
    const dir = join(scratch, 'cut-short');
    withManifest(dir, listed);
    rmSync(join(dir, 'aws/subnets.json'));
    rmSync(join(dir, 'k8s/pods.json'));
    assert.deepEqual(await refusal(dir), [
      'manifest.json: incomplete snapshot: its manifest lists 2 files that are missing: aws/subnets.json, k8s/pods.json',
    ]);
  });

  it('the paths a manifest lists are relative to its own directory', async () => {
    const parent = fresh('nested');
    withManifest(join(parent, 'snap'), listed);
    rmSync(join(parent, 'snap/k8s/pods.json'));
    assert.deepEqual(await refusal(parent), [
      'snap/manifest.json: incomplete snapshot: its manifest lists a file that is missing: snap/k8s/pods.json',
    ]);
  });

  it('the directory an interrupted `snapshot` left (.DIR.partial-*) without its manifest is incomplete', async () => {
    const parent = fresh('interrupted');
    const partial = join(parent, '.snap.partial-Ab12Cd');
    cpSync('examples/healthy-shared-cluster-sg', partial, { recursive: true });
    assert.deepEqual(await refusal(partial), [
      `${partial}: incomplete snapshot: the unfinished copy of an interrupted \`snapshot\` run (its manifest, written last, is missing); collect it again`,
    ]);
    // Next to a finished snapshot, it is a hidden directory the report names.
    cpSync('examples/healthy-shared-cluster-sg', join(parent, 'snap'), { recursive: true });
    const read = await loadSnapshot(parent, { exclude: undefined });
    assert.deepEqual(
      read.ignored.filter((i) => i.file.startsWith('.')).map((i) => `${i.file}: ${i.reason}`),
      [
        '.snap.partial-Ab12Cd: hidden directory, not read (the unfinished copy of an interrupted `snapshot` run)',
      ],
    );
  });

  it('with its manifest and every file, such a directory is complete (the copy `--force` moves aside)', async () => {
    const dir = join(scratch, '.snap.partial-Xy34Zw.previous');
    withManifest(dir, listed);
    const snapshot = await loadSnapshot(dir, { exclude: undefined });
    assert.equal(snapshot.manifests.length, 1);
  });
});

describe('a kubectl list cut short is an input error, never a shorter list', () => {
  /** The example's NetworkPolicies as `kubectl get -o yaml` writes them: keys sorted, `kind: List` after `items`. */
  const kubectlYaml = YAML.stringify(
    YAML.parse(readFileSync('examples/policy-default-deny/k8s/networkpolicies.yaml', 'utf8')),
    { sortMapEntries: true },
  );

  it('the whole capture is read (kubectl order)', () => {
    const parsed = parseSnapshot([{ path: 'networkpolicies.yaml', text: kubectlYaml }]);
    assert.ok(parsed.ok);
    assert.equal(parsed.snapshot.networkPolicies.length, 2);
  });

  it('cut at any line before `kind: List`: refused naming the file, whatever the file is called', () => {
    const end = kubectlYaml.indexOf('\nkind: List');
    assert.ok(end > 0);
    const cuts = [...kubectlYaml.slice(0, end + 1).matchAll(/\n/g)].map((m) => m.index + 1);
    assert.ok(cuts.length > 20);
    for (const name of ['networkpolicies.yaml', 'networkpolicies']) {
      for (const cut of cuts) {
        const parsed = parseSnapshot([{ path: name, text: kubectlYaml.slice(0, cut) }]);
        if (kubectlYaml.slice(0, cut).trim() === 'apiVersion: v1') continue; // nothing of the list yet
        assert.ok(!parsed.ok, `${name} cut at ${cut} was accepted`);
        assert.ok(parsed.issues.every((i) => i.file === name));
      }
    }
    const atItems = parseSnapshot([{ path: 'np.yaml', text: kubectlYaml.slice(0, end + 1) }]);
    assert.ok(!atItems.ok);
    assert.deepEqual(
      atItems.issues.map((i) => i.message),
      [
        'a Kubernetes list without its kind: kubectl writes `kind: List` after `items`, so the capture was cut short and objects after the cut are missing; capture it again',
      ],
    );
  });

  it('a list kind without items lost its objects', () => {
    const parsed = parseSnapshot([{ path: 'np.yaml', text: 'apiVersion: v1\nkind: List\nmetadata: {}\n' }]);
    assert.ok(!parsed.ok);
    assert.match(parsed.issues[0]!.message, /^a List without items: kubectl always writes them/);
    const empty = parseSnapshot([{ path: 'np.yaml', text: 'apiVersion: v1\nkind: List\nitems: []\n' }]);
    assert.ok(empty.ok, 'an empty list is a capture of none');
  });

  it('a file not named as data that starts like a capture and fails to parse is an input error; prose is not', () => {
    const damaged = parseSnapshot([
      { path: 'pods', text: 'apiVersion: v1\nitems:\n- metadata: {name: "a}\n  kind: Pod\n' },
    ]);
    assert.ok(!damaged.ok);
    assert.equal(damaged.issues[0]!.file, 'pods');
    assert.match(damaged.issues[0]!.message, /^invalid YAML at line \d+, column \d+/);
    const prose = parseSnapshot([
      { path: 'sgs.json', text: sg('sg-1') },
      { path: 'README.txt', text: 'Taken by alice: ask her: first\n  - then: [bob\n' },
    ]);
    assert.ok(prose.ok);
    assert.deepEqual(
      prose.snapshot.ignored.map((i) => `${i.file}: ${i.reason}`),
      ['README.txt: text that is neither JSON nor YAML data'],
    );
  });
});
