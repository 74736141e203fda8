/**
 * `monitor --probe-interval`: the monitor runs `probe` against the fake Kubernetes API's workloads
 * (test/live/probe/fake-workloads.ts) and exports its outcomes per source class; a statically allowed
 * target that times out shows as a disagreement, and every probe namespace is deleted.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../helpers/fake-kube-api.ts';
import {
  CLUSTER_SG,
  HEALTHY,
  metricsWhen,
  sample,
  startMonitor,
  type RunningMonitor,
} from '../helpers/monitor.ts';
import { fakeWorkloads, ncLogFor, type FakeWorkloads } from '../live/probe/fake-workloads.ts';

/** NATS's pod IP in the example: the fake's probes time out on it. */
const NATS_POD = '10.20.18.131';
const scratch = mkdtempSync(join(tmpdir(), 'dnc-monitor-probe-'));

describe('monitor --probe-interval', () => {
  let api: FakeKubeApi;
  let workloads: FakeWorkloads;
  let monitor: RunningMonitor;
  before(async () => {
    workloads = fakeWorkloads((pod) => ({
      phase: 'Succeeded',
      log: ncLogFor(pod, (host) =>
        host === NATS_POD
          ? `fail nc: ${host} (${host}:4222): Connection timed out  sent 0, rcvd 0`
          : 'ok open',
      ),
    }));
    api = await startFakeKubeApi({ objects: [], extend: workloads.handle });
    const kubeconfig = join(scratch, 'kubeconfig');
    writeFileSync(kubeconfig, api.kubeconfigYaml());
    monitor = await startMonitor('bin/dynamo-netcheck', [
      'monitor',
      HEALTHY,
      '--listen',
      '127.0.0.1:0',
      '--interval',
      '500ms',
      '--probe-interval',
      '1h',
      '--probe-poll-interval',
      '20ms',
      '--kubeconfig',
      kubeconfig,
    ]);
  });
  after(async () => {
    await monitor?.process.stop();
    await api?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('exports the probe outcomes per source class, a timed-out NATS target as a disagreement', async () => {
    const metrics = await metricsWhen(
      monitor,
      'a probe run',
      (m) => (sample(m, 'dynamo_netcheck_probe_last_success_timestamp_seconds') ?? 0) > 0,
    );
    assert.equal(sample(metrics, 'dynamo_netcheck_probe_passed'), 0);
    assert.equal(sample(metrics, 'dynamo_netcheck_probe_interval_seconds'), 3600);
    const nats = {
      requirement: 'nats',
      source_node_group: 'gpu-a100',
      source_security_groups: CLUSTER_SG,
    };
    assert.ok(
      sample(metrics, 'dynamo_netcheck_probe_targets', {
        ...nats,
        outcome: 'timed-out',
        agreement: 'static-allowed-live-failed',
      })! >= 1,
    );
    assert.ok(
      sample(metrics, 'dynamo_netcheck_probe_targets', {
        requirement: 'prometheus',
        source_node_group: 'gpu-a100',
        outcome: 'connected',
        agreement: 'agree',
      })! >= 1,
    );
    assert.match(
      monitor.process.text(),
      /probe [\w-]+: failed \(\d+ reached, \d+ not, \d+ disagreeing with the static verdict\)/,
    );
    assert.equal(workloads.namespaces.size, 0, 'the probe namespace is deleted');
    assert.ok(workloads.deletedNamespaces.length >= 1);
    // One run per --probe-interval, not one per analysis.
    await metricsWhen(
      monitor,
      'three more analyses',
      (m) => sample(m, 'dynamo_netcheck_cycles_total', { result: 'success' })! >= 4,
    );
    assert.equal(workloads.deletedNamespaces.length, 1);
  });
});
