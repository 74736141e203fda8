import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { DialReport } from '../../../src/live/dial/index.ts';
import { REPO_ROOT } from '../../helpers/dial-worker-client.ts';
import { LAB_ADDRESS, Lab } from '../../helpers/netns.ts';
import { run } from '../../helpers/processes.ts';
import { PORT, startNats } from '../../helpers/servers.ts';

const BIN = join(REPO_ROOT, 'bin', 'dynamo-netcheck');
const JETSTREAM_NATS = `nats://${LAB_ADDRESS.open}:${PORT.natsJetStream}`;
const PLAIN_NATS = `nats://${LAB_ADDRESS.open}:${PORT.nats}`;
let lab: Lab | undefined;

interface JsonOutput {
  passed: boolean;
  targets: DialReport[];
}

before(async () => {
  lab = await Lab.create('cli');
  await startNats(lab, { port: PORT.nats, jetstream: false });
  await startNats(lab, { port: PORT.natsJetStream, jetstream: true });
});
after(async () => {
  await lab?.close();
});

/** Runs the CLI in the lab's client namespace. */
function dialFromClient(...args: string[]): ReturnType<typeof run> {
  if (lab === undefined) throw new Error('lab not built');
  return lab.runInClient(BIN, ['dial', ...args], REPO_ROOT);
}

test('exit 0 and one JSON object when every check passes', async () => {
  const { code, stdout, stderr } = await dialFromClient(
    JETSTREAM_NATS,
    `tcp://${LAB_ADDRESS.open}:${PORT.nats}`,
    '--jetstream',
    '--timeout',
    '1s',
    '-o',
    'json',
  );
  assert.equal(code, 0, stderr);
  const output = JSON.parse(stdout) as JsonOutput;
  assert.equal(output.passed, true);
  assert.deepEqual(
    output.targets.map((report) => [report.target, report.kind, report.passed]),
    [
      [JETSTREAM_NATS, 'nats', true],
      [`tcp://${LAB_ADDRESS.open}:${PORT.nats}`, 'tcp', true],
    ],
  );
  assert.equal(output.targets[0]?.checks.at(-1)?.outcome, 'jetstream-available');
});

test('exit 1 when any check fails: JetStream off, and a dropped port', async () => {
  const dropped = `nats://${LAB_ADDRESS.dropped}:${PORT.natsJetStream}`;
  const { code, stdout, stderr } = await dialFromClient(
    PLAIN_NATS,
    dropped,
    '--jetstream',
    '--timeout',
    '500ms',
    '-o',
    'json',
  );
  assert.equal(code, 1, stderr);
  const output = JSON.parse(stdout) as JsonOutput;
  assert.equal(output.passed, false);
  const outcomes = output.targets.map((report) =>
    report.checks.map((check) => `${check.name}:${check.outcome}`),
  );
  assert.deepEqual(outcomes, [
    ['tcp:connected', 'nats:connected', 'jetstream:jetstream-not-available'],
    ['tcp:timed-out', 'nats:unreachable'],
  ]);
});

test('the table names each failing check and ends with the verdict', async () => {
  const { code, stdout } = await dialFromClient(PLAIN_NATS, '--jetstream', '--timeout', '1');
  assert.equal(code, 1);
  assert.match(stdout, /^TARGET\s+CHECK\s+STATUS\s+OUTCOME\s+MESSAGE$/m);
  assert.match(stdout, /jetstream\s+fail\s+jetstream-not-available\s+JetStream not available/);
  assert.match(stdout, /^FAIL: 1 of 1 target failed$/m);
});

test('exit 2, with nothing on stdout, for usage errors', async () => {
  // One per path to exit 2: a bad flag value, a bad target, and a flag commander rejects.
  // (The parsing itself is covered in targets.test.ts.)
  const usageErrors: Array<[string[], RegExp]> = [
    [['tcp://198.18.0.2:4222', '--timeout', 'soon'], /--timeout soon/],
    [['ftp://198.18.0.2:21'], /unsupported scheme ftp/],
    [['tcp://198.18.0.2:4222', '-o', 'yaml'], /yaml/],
  ];
  // Usage errors stop before any dial, so these need no namespace and can run side by side.
  const results = await Promise.all(usageErrors.map(([args]) => run(BIN, ['dial', ...args], REPO_ROOT)));
  usageErrors.forEach(([args, message], index) => {
    const { code, stdout, stderr } = results[index] ?? { code: null, stdout: '', stderr: '' };
    assert.equal(code, 2, `dial ${args.join(' ')} exited ${code}: ${stderr}`);
    assert.equal(stdout, '', `dial ${args.join(' ')} wrote to stdout`);
    assert.match(stderr, message);
  });
});
