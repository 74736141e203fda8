/**
 * Stand-in listeners, run for real: a Dynamo 1.4 plan (nothing serves 5557 or the OS-assigned
 * request-plane range on the running 1.2 workers) gives listener pods and probe pods; each
 * listener container's own command (busybox nc -ll) runs in the lab's server namespace, the
 * listeners are bound to lab addresses as the runner binds them to pod IPs, and each bound probe's
 * own script runs in the client namespace. iptables stands in for the security groups: an allowed
 * range is proved on both ends and the middle; a DROP on part of the range, or on all of it, is
 * caught. Only the Kubernetes API is left out (test/live/probe/run.test.ts covers it).
 */
import assert from 'node:assert/strict';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readSnapshot } from '../../../src/cli/inputs.ts';
import { buildModel } from '../../../src/model/build.ts';
import { analyzeModel } from '../../../src/questions/analyze.ts';
import type { ListenerRun, ProbeRun, RunOutcome } from '../../../src/questions/probe/compare.ts';
import { bindListeners, planProbes, type ProbePlan } from '../../../src/questions/probe/plan.ts';
import { probeCluster } from '../../../src/questions/probe/probe.ts';
import { parseNcLog } from '../../../src/questions/probe/results.ts';
import { LAB_ADDRESS, Lab } from '../../helpers/netns.ts';
import { requireBinaries, run, runOrThrow, waitUntil } from '../../helpers/processes.ts';

const TIMEOUT_SECONDS = 2;
/** The low end, the middle ((32768 + 60999) / 2, rounded down) and the high end of Linux's default ip_local_port_range. */
const RANGE_PORTS = [32768, 46883, 60999];
/** A fourth server address, added by this test, whose part of the range gets DROPped. */
const PARTLY_DROPPED = '198.18.0.5';

let lab: Lab | undefined;
let ncDir: string;
let plan: ProbePlan;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * What the runner does against Kubernetes, done in the lab: every listener is "Ready" at the
 * address `addressOf` gives it; each probe's bound script runs in the client namespace.
 */
async function runInLab(p: ProbePlan, addressOf: (listener: string) => string): Promise<RunOutcome> {
  const listeners = new Map<string, ListenerRun>(
    p.listeners.map((l) => [l.name, { state: 'ready', ip: addressOf(l.name) }]),
  );
  const bound = bindListeners(p, new Map(p.listeners.map((l) => [l.name, addressOf(l.name)])));
  const probes = new Map<string, ProbeRun>();
  await Promise.all(
    bound.map(async (probe) => {
      const [shell, flag, script] = (probe.pod as Json).spec.containers[0].command as string[];
      assert.deepEqual([shell, flag], ['sh', '-c']);
      const result = await lab!.runInClient('busybox', ['sh', '-c', `PATH=${ncDir}:$PATH\n${script}`]);
      probes.set(probe.name, { state: 'completed', results: parseNcLog(result.stdout), phase: 'Succeeded' });
    }),
  );
  return { probes, listeners };
}

before(async () => {
  await requireBinaries({ 'nc.openbsd': 'netcat-openbsd', busybox: 'busybox', ss: 'iproute2' });
  const model = buildModel(await readSnapshot('examples/dgxc-multi-sg'));
  // Dynamo 1.4 on a cluster still running 1.2: ZMQ 5557 and the TCP planes, no NATS; without
  // conformance there is no Prometheus either, so every target is a stand-in.
  const analysis = analyzeModel(model, { dynamoVersion: '1.4.2', conformance: false });
  plan = planProbes(model, analysis, {
    runId: 'lab',
    timeoutSeconds: TIMEOUT_SECONDS,
    mode: 'nc',
    image: 'busybox:1.36',
  });
  lab = await Lab.create('standin');
  ncDir = await lab.tempDir('nc');
  // The probe image's busybox nc has -z; Debian's has not, so the probes dial with netcat-openbsd.
  await symlink('/usr/bin/nc.openbsd', join(ncDir, 'nc'));
  await runOrThrow('ip', ['-n', lab.server, 'addr', 'add', `${PARTLY_DROPPED}/24`, 'dev', 'veth-s']);
  await lab.iptables(`-A INPUT -d ${PARTLY_DROPPED} -p tcp --dport 50000:60999 -j DROP`);
  // Each distinct port's listener, run with the listener container's own command (busybox nc
  // -ll -p PORT -e true). One process per port serves every lab address.
  const commands = new Map<number, string[]>();
  for (const listener of plan.listeners)
    for (const container of (listener.pod as Json).spec.containers as Json[])
      commands.set(container.ports[0].containerPort as number, container.command as string[]);
  for (const [port, command] of commands) lab.startInServer(`listener ${port}`, 'busybox', command);
  // Ready as the kubelet sees it: the port accepts (here: is in LISTEN).
  await waitUntil(
    'every listener port in LISTEN',
    async () => {
      const listening = (await run('ip', ['netns', 'exec', lab!.server, 'ss', '-Hltn'])).stdout;
      return [...commands.keys()].every((port) => new RegExp(`:${port}\\s`).test(listening));
    },
    10_000,
  );
});
after(async () => {
  await lab?.close();
});

describe('stand-in listeners in network namespaces', () => {
  // 9090: the Dynamo metrics scrape (Prometheus → the workers' DYN_SYSTEM_PORT, a recommended flow),
  // probed like the others but never counted without --strict.
  it('the plan stands in for 5557, 9090 and the range on the GPU workers, and nothing else', () => {
    const gpu = plan.listeners.find((l) => l.destination.nodeGroup === 'gpu-h100')!;
    assert.deepEqual(gpu.ports, [5557, 9090, ...RANGE_PORTS]);
    for (const l of plan.listeners)
      assert.ok(l.ports.every((p) => p === 5557 || p === 9090 || RANGE_PORTS.includes(p)));
    const system = plan.probes.find((p) => p.source.nodeGroup === 'system')!;
    assert.deepEqual(
      system.targets.map((t) => [t.via, t.listener, t.port, t.expected]),
      [
        ['listener', gpu.name, 32768, 'allowed'],
        ['listener', gpu.name, 46883, 'allowed'],
        ['listener', gpu.name, 60999, 'allowed'],
        ['listener', gpu.name, 5557, 'allowed'],
        ['listener', gpu.name, 9090, 'allowed'],
      ],
    );
  });

  it('proves an allowed range on both ends and the middle, and 5557, with a stand-in listener', async () => {
    const report = await probeCluster(plan, (p) => runInLab(p, () => LAB_ADDRESS.open));
    const system = report.rows.filter((r) => r.source.nodeGroup === 'system');
    assert.deepEqual(
      system.map((r) => [r.target, r.server, r.live?.outcome, r.agreement]),
      [
        [`${LAB_ADDRESS.open}:32768`, 'stand-in', 'connected', 'agree'],
        [`${LAB_ADDRESS.open}:46883`, 'stand-in', 'connected', 'agree'],
        [`${LAB_ADDRESS.open}:60999`, 'stand-in', 'connected', 'agree'],
        [`${LAB_ADDRESS.open}:5557`, 'stand-in', 'connected', 'agree'],
        [`${LAB_ADDRESS.open}:9090`, 'stand-in', 'connected', 'agree'],
      ],
    );
    // Every dial of every probe connected: all proved with a stand-in listener.
    assert.equal(report.summary.passed, report.rows.length);
    assert.equal(report.summary.provedWithStandIn, report.rows.length);
  });

  it('catches a DROP on the top of the range: the low end and the middle connect, 60999 times out', async () => {
    const report = await probeCluster(plan, (p) => runInLab(p, () => PARTLY_DROPPED));
    const system = report.rows.filter((r) => r.source.nodeGroup === 'system');
    assert.deepEqual(
      system.map((r) => [r.target, r.live?.outcome]),
      [
        [`${PARTLY_DROPPED}:32768`, 'connected'],
        [`${PARTLY_DROPPED}:46883`, 'connected'],
        [`${PARTLY_DROPPED}:60999`, 'timed-out'],
        [`${PARTLY_DROPPED}:5557`, 'connected'],
        [`${PARTLY_DROPPED}:9090`, 'connected'],
      ],
    );
    // The snapshot's security groups allow the range: the live drop disagrees, and says where to look.
    const top = system.find((r) => r.target.endsWith(':60999'))!;
    assert.equal(top.agreement, 'static-allowed-live-failed');
    assert.match(top.hint ?? '', /stand-in listener was Ready/);
    assert.equal(report.passed, false);
  });

  it('catches a DROP on all of it: every port of every listener times out, where the snapshot blocks it too', async () => {
    const report = await probeCluster(plan, (p) => runInLab(p, () => LAB_ADDRESS.dropped));
    assert.ok(report.rows.length > 0);
    for (const row of report.rows) {
      assert.equal(row.live?.outcome, 'timed-out', row.target);
      // Blocked by the snapshot (cpu-inference → GPU, GPU → the predicted frontends): live agrees.
      if (row.expected === 'blocked') assert.equal(row.agreement, 'agree', row.target);
    }
    assert.ok(report.rows.some((r) => r.expected === 'blocked'));
    assert.equal(report.summary.provedWithStandIn, 0);
    assert.equal(report.passed, false);
  });
});
