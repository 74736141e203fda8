/**
 * `probe --l7` with the stock busybox image, run for real: this machine's busybox (its sh, nc,
 * wget, timeout and text tools, and nothing else on PATH) runs l7-script.ts's script in the lab's
 * client namespace against a real nats-server with and without JetStream, Prometheus and etcd, with
 * iptables standing in for security groups; parseL7Log must give the results `dial` gives.
 */
import assert from 'node:assert/strict';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { l7Script, parseL7Log, type L7Target } from '../../../src/questions/probe/l7-script.ts';
import { LAB_ADDRESS, Lab } from '../../helpers/netns.ts';
import { requireBinaries, runOrThrow } from '../../helpers/processes.ts';
import { PORT, startEtcd, startPrometheus } from '../../helpers/servers.ts';

const TIMEOUT_SECONDS = 2;
/** A second server address: the NATS server with JetStream listens here on the same port 4222. */
const JETSTREAM_ADDRESS = '198.18.0.5';
/** Every applet the script calls; the pod's busybox image has them all on PATH. */
const APPLETS = ['sh', 'nc', 'wget', 'timeout', 'sleep', 'printf', 'echo', 'cat', 'sed', 'tr', 'head'];
const MORE_APPLETS = ['mktemp', 'rm', 'grep'];

let lab: Lab | undefined;
let bin: string;

async function startNatsOn(address: string, jetstream: boolean): Promise<void> {
  const args = ['-a', address, '-p', String(PORT.nats)];
  if (jetstream) args.push('-js', '-sd', await lab!.tempDir('jetstream'));
  const server = lab!.startInServer(
    `nats-server${jetstream ? ' -js' : ''} on ${address}`,
    'nats-server',
    args,
  );
  await server.waitForLog(/Server is ready/, 10_000);
}

async function probe(targets: readonly L7Target[]) {
  const started = performance.now();
  const result = await lab!.runInClient('env', [
    '-i',
    `PATH=${bin}`,
    'sh',
    '-c',
    l7Script(targets, TIMEOUT_SECONDS),
  ]);
  return {
    results: parseL7Log(result.stdout, targets, TIMEOUT_SECONDS),
    seconds: (performance.now() - started) / 1000,
    log: `${result.stdout}\n${result.stderr}`,
  };
}

before(async () => {
  await requireBinaries({ busybox: 'busybox' });
  lab = await Lab.create('l7script');
  bin = await lab.tempDir('busybox-bin');
  for (const applet of [...APPLETS, ...MORE_APPLETS]) await symlink('/usr/bin/busybox', join(bin, applet));
  await runOrThrow('ip', ['-n', lab.server, 'addr', 'add', `${JETSTREAM_ADDRESS}/24`, 'dev', 'veth-s']);
  await startNatsOn(LAB_ADDRESS.open, false);
  await startNatsOn(JETSTREAM_ADDRESS, true);
  await startPrometheus(lab);
  await startEtcd(lab);
});
after(async () => {
  await lab?.close();
});

const target = (id: number, host: string, port: number, via: L7Target['via'] = 'pod'): L7Target => ({
  id: `t${id}`,
  host,
  port,
  via,
});

describe('the busybox L7 script against real servers', () => {
  it('tells JetStream from plain NATS, checks Prometheus and etcd, and classifies L4 failures, all in parallel', async () => {
    const targets = [
      target(0, LAB_ADDRESS.open, PORT.nats),
      target(1, JETSTREAM_ADDRESS, PORT.nats),
      target(2, LAB_ADDRESS.open, PORT.prometheus),
      target(3, LAB_ADDRESS.open, PORT.etcd),
      target(4, LAB_ADDRESS.dropped, PORT.nats),
      target(5, LAB_ADDRESS.rejected, PORT.prometheus),
      target(6, LAB_ADDRESS.unrouted, PORT.etcd),
      // A stand-in listener speaks no protocol: plain TCP, here against the NATS port.
      target(7, LAB_ADDRESS.open, PORT.nats, 'listener'),
      target(8, LAB_ADDRESS.rejected, PORT.nats),
    ];
    const { results, seconds, log } = await probe(targets);
    const got = (id: number) => results.get(`t${id}`);

    // Without JetStream a 2.2+ server answers the $JS.API.INFO request with a 503 no-responders status.
    assert.equal(got(0)?.outcome, 'failed', log);
    assert.equal(got(0)?.passed, false);
    assert.match(got(0)!.message, /^JetStream not available: .*\(no responders on \$JS\.API\.INFO\)$/);
    assert.deepEqual(got(1), {
      outcome: 'connected',
      passed: true,
      message: 'JetStream available (0 streams in this account)',
    });
    assert.deepEqual(got(2), {
      outcome: 'connected',
      passed: true,
      message: 'query vector(1) returned 1 series',
    });
    assert.deepEqual(got(3), {
      outcome: 'connected',
      passed: true,
      message: `etcd at http://${LAB_ADDRESS.open}:${PORT.etcd} is healthy`,
    });
    assert.equal(got(4)?.outcome, 'timed-out', log);
    assert.equal(got(5)?.outcome, 'refused', log);
    assert.equal(got(6)?.outcome, 'no-route', log);
    assert.deepEqual(got(7), { outcome: 'connected', passed: true, message: 'connected' });
    assert.equal(got(8)?.outcome, 'refused', log);
    for (const id of [4, 5, 6, 8]) assert.equal(got(id)?.passed, false);
    // Each target is one background job: nine cost about the slowest, never the sum.
    assert.ok(seconds < TIMEOUT_SECONDS * 3 + 2, `took ${seconds.toFixed(2)} s`);
  });

  it('a security group without the rule (iptables DROP) times Prometheus out; with it, the query answers', async () => {
    const prometheus = [target(0, LAB_ADDRESS.open, PORT.prometheus)];
    const rule = `INPUT -d ${LAB_ADDRESS.open} -p tcp --dport ${PORT.prometheus} -j DROP`;
    await lab!.iptables(`-I ${rule}`);
    const blocked = await probe(prometheus);
    await lab!.iptables(`-D ${rule}`);
    assert.equal(blocked.results.get('t0')?.outcome, 'timed-out', blocked.log);
    assert.equal(blocked.results.get('t0')?.passed, false);
    assert.deepEqual((await probe(prometheus)).results.get('t0'), {
      outcome: 'connected',
      passed: true,
      message: 'query vector(1) returned 1 series',
    });
  });
});
