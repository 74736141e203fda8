/**
 * The probe pod's script, run for real: busybox's shell (the probe image's) runs plan.ts's
 * ncScript in a client namespace against a real nats-server, with iptables standing in for the
 * security group; parseNcLog must classify what nc printed. The image's busybox nc is not in
 * Debian (its applet lacks -z), so nc here is netcat-openbsd, whose words the parser also knows.
 */
import assert from 'node:assert/strict';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ncScript, type ProbeTarget } from '../../../src/questions/probe/plan.ts';
import { parseNcLog } from '../../../src/questions/probe/results.ts';
import { LAB_ADDRESS, Lab } from '../../helpers/netns.ts';
import { requireBinaries } from '../../helpers/processes.ts';
import { PORT, startNats } from '../../helpers/servers.ts';

const TIMEOUT_SECONDS = 2;
let lab: Lab | undefined;
/** A directory whose `nc` is netcat-openbsd, whatever /usr/bin/nc points at on this machine. */
let ncDir: string;

function target(id: number, host: string, port: number): ProbeTarget {
  return { id: `t${id}`, requirement: 'nats', host, port, via: 'pod', name: host, expected: 'allowed' };
}

async function probe(targets: readonly ProbeTarget[]) {
  const started = performance.now();
  const result = await lab!.runInClient('busybox', [
    'sh',
    '-c',
    `PATH=${ncDir}:$PATH\n${ncScript(targets, TIMEOUT_SECONDS)}`,
  ]);
  return {
    results: parseNcLog(result.stdout),
    seconds: (performance.now() - started) / 1000,
    log: result.stdout,
  };
}

before(async () => {
  await requireBinaries({ 'nc.openbsd': 'netcat-openbsd', busybox: 'busybox' });
  lab = await Lab.create('ncprobe');
  ncDir = await lab.tempDir('nc');
  await symlink('/usr/bin/nc.openbsd', join(ncDir, 'nc'));
  await startNats(lab, { port: PORT.nats, jetstream: false });
});
after(async () => {
  await lab?.close();
});

test('open, dropped, rejected and unrouted targets are told apart, all within about one timeout', async () => {
  const targets = [
    target(0, LAB_ADDRESS.open, PORT.nats),
    target(1, LAB_ADDRESS.dropped, PORT.nats),
    target(2, LAB_ADDRESS.rejected, PORT.nats),
    target(3, LAB_ADDRESS.unrouted, PORT.nats),
    target(4, LAB_ADDRESS.open, 4299),
  ];
  const { results, seconds, log } = await probe(targets);
  const outcomes = targets.map((t) => results.get(t.id)?.outcome);
  assert.deepEqual(outcomes, ['connected', 'timed-out', 'refused', 'no-route', 'refused'], log);
  assert.equal(results.get('t0')?.passed, true);
  assert.equal(results.get('t1')?.passed, false);
  // The nc lines run in the background: five targets cost one timeout, not five.
  assert.ok(seconds < TIMEOUT_SECONDS * 2.5, `took ${seconds.toFixed(2)} s`);
});

test('adding the missing rule (iptables ACCEPT before the DROP) turns the timeout into a connection', async () => {
  const dropped = [target(0, LAB_ADDRESS.dropped, PORT.nats)];
  assert.equal((await probe(dropped)).results.get('t0')?.outcome, 'timed-out');
  await lab!.iptables(`-I INPUT -d ${LAB_ADDRESS.dropped} -p tcp --dport ${PORT.nats} -j ACCEPT`);
  assert.equal((await probe(dropped)).results.get('t0')?.outcome, 'connected');
});
