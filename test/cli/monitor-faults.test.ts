/**
 * `monitor --live` keeps running whatever the APIs do: the fake Kubernetes API answers 429, 403 and
 * 500 and then stops answering at all, the fake AWS account throttles, each for several cycles. The
 * process keeps serving the last good analysis, counts each failure by kind, and its analysis age
 * rises until the APIs answer again; SIGTERM during a call that never returns still exits cleanly.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  loadKubeObjects,
  namespacesOf,
  startFakeKubeApi,
  type FakeKubeApi,
} from '../helpers/fake-kube-api.ts';
import { get, HEALTHY, metricsWhen, sample, startMonitor, type RunningMonitor } from '../helpers/monitor.ts';

const scratch = mkdtempSync(join(tmpdir(), 'dnc-monitor-faults-'));
const objects = loadKubeObjects(`${HEALTHY}/k8s`);

type Fault = { status: number; reason: string } | 'hang' | undefined;

describe('monitor --live when the APIs fail and time out', () => {
  let kube: FakeKubeApi;
  let fault: Fault;
  const hung: ServerResponse[] = [];
  /** The list each hung request asked for. */
  const hungPaths: string[] = [];
  let monitor: RunningMonitor;
  const awsFail = join(scratch, 'aws-fail.json');
  const errors = (exposition: string, kind: string): number =>
    sample(exposition, 'dynamo_netcheck_collection_errors_total', { kind }) ?? NaN;
  let lastSuccess: number;

  before(async () => {
    kube = await startFakeKubeApi({
      objects: [...objects, ...namespacesOf(objects)],
      extend: (req, res) => {
        if (fault === undefined) return false;
        if (fault === 'hang') {
          hung.push(res);
          hungPaths.push(new URL(req.url ?? '/', 'http://fake').pathname);
        } else {
          // A 429 says "retry now" (Retry-After: 0): the collector's own retries (6 attempts) run out
          // well within --collect-timeout, and the cycle ends throttled rather than timed out.
          res.writeHead(fault.status, {
            'content-type': 'application/json',
            ...(fault.status === 429 ? { 'retry-after': '0' } : {}),
          });
          res.end(
            JSON.stringify({
              kind: 'Status',
              apiVersion: 'v1',
              status: 'Failure',
              reason: fault.reason,
              code: fault.status,
            }),
          );
        }
        return true;
      },
    });
    const kubeconfig = join(scratch, 'kubeconfig');
    writeFileSync(kubeconfig, kube.kubeconfigYaml());
    monitor = await startMonitor(
      process.execPath,
      [
        '--import',
        'tsx',
        'test/helpers/monitor-main.ts',
        'monitor',
        '--live',
        '--cluster',
        'prod-inference',
        '--region',
        'us-west-2',
        '--kubeconfig',
        kubeconfig,
        '--listen',
        '127.0.0.1:0',
        '--interval',
        '300ms',
        '--collect-timeout',
        '3s',
      ],
      { DNC_FAKE_AWS: HEALTHY, DNC_FAKE_AWS_FAIL: awsFail },
    );
  });

  after(async () => {
    for (const res of hung) res.destroy();
    await monitor?.process.stop();
    await kube?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('analyses the live cluster', async () => {
    const metrics = await metricsWhen(
      monitor,
      'a first analysis',
      (m) => (sample(m, 'dynamo_netcheck_last_success_timestamp_seconds') ?? 0) > 0,
    );
    assert.equal(sample(metrics, 'dynamo_netcheck_verdict', { verdict: 'pass' }), 1);
    assert.equal((await get(`${monitor.url}/readyz`)).status, 200);
    for (const kind of ['throttled', 'denied', 'unreachable', 'timeout', 'api'])
      assert.equal(errors(metrics, kind), 0, kind);
  });

  it('goes on through throttling, refusals and server errors, serving the last analysis as it ages', async () => {
    fault = { status: 429, reason: 'TooManyRequests' };
    let metrics = await metricsWhen(monitor, 'two throttled collections', (m) => errors(m, 'throttled') >= 2);
    lastSuccess = sample(metrics, 'dynamo_netcheck_last_success_timestamp_seconds')!;
    const ageThen = sample(metrics, 'dynamo_netcheck_analysis_age_seconds')!;
    fault = { status: 403, reason: 'Forbidden' };
    await metricsWhen(monitor, 'two refused collections', (m) => errors(m, 'denied') >= 2);
    fault = { status: 500, reason: 'InternalError' };
    await metricsWhen(monitor, 'two failed collections', (m) => errors(m, 'api') >= 2);
    fault = undefined;
    writeFileSync(
      awsFail,
      JSON.stringify({ name: 'RequestLimitExceeded', message: 'Request limit exceeded.', status: 503 }),
    );
    const throttledBefore = errors(metrics, 'throttled');
    metrics = await metricsWhen(
      monitor,
      'two throttled AWS calls',
      (m) => errors(m, 'throttled') >= throttledBefore + 2,
    );
    unlinkSync(awsFail);

    // Still serving, the same analysis, older.
    assert.equal(sample(metrics, 'dynamo_netcheck_last_success_timestamp_seconds'), lastSuccess);
    assert.ok(sample(metrics, 'dynamo_netcheck_analysis_age_seconds')! > ageThen, 'the analysis age rises');
    assert.equal(sample(metrics, 'dynamo_netcheck_verdict', { verdict: 'pass' }), 1);
    assert.ok(sample(metrics, 'dynamo_netcheck_cycles_total', { result: 'failure' })! >= 8);
    assert.equal((await get(`${monitor.url}/healthz`)).status, 200);
    assert.equal((await get(`${monitor.url}/readyz`)).status, 200);
    assert.equal(
      (JSON.parse((await get(`${monitor.url}/report.json`)).body) as { verdict: string }).verdict,
      'pass',
    );
    const log = monitor.process.text();
    // The lists go side by side: the first answer refused names its list (namespaces, nodes, …).
    assert.match(
      log,
      /collection failed \(throttled\): the Kubernetes API server throttled list [a-z.]+ \(429\)/,
    );
    assert.match(log, /collection failed \(denied\): Kubernetes RBAC forbids list on [a-z.]+/);
    assert.match(log, /collection failed \(throttled\): AWS throttled \w+:\w+ \(RequestLimitExceeded\)/);
    assert.match(log, /serving the analysis of \d{4}-\d\d-\d\dT[\d:.]+Z \(\d+ s old\)/);
  });

  it('gives up a collection that never answers, and starts none beside it until it does', async () => {
    const before = errors((await get(`${monitor.url}/metrics`)).body, 'timeout');
    fault = 'hang';
    const metrics = await metricsWhen(
      monitor,
      'two timed-out collections',
      (m) => errors(m, 'timeout') >= before + 2,
    );
    assert.equal(sample(metrics, 'dynamo_netcheck_last_success_timestamp_seconds'), lastSuccess);
    // One collection's calls hang (it lists up to 4 kinds at once), each list once: no second
    // collection asked for any of them again.
    assert.ok(hung.length >= 1 && hung.length <= 4, `${hung.length} hung calls`);
    assert.equal(new Set(hungPaths).size, hungPaths.length, `no list asked twice: ${hungPaths.join(' ')}`);
    assert.match(monitor.process.text(), /collection failed \(timeout\): no answer within 3 s/);
    assert.match(monitor.process.text(), /has not returned; not starting another beside it/);
    assert.equal((await get(`${monitor.url}/healthz`)).status, 200);
  });

  it('recovers when the APIs answer again', async () => {
    fault = undefined;
    // The hung call fails now, as a dropped connection would.
    for (const res of hung.splice(0)) res.destroy();
    const metrics = await metricsWhen(
      monitor,
      'a new successful analysis',
      (m) => sample(m, 'dynamo_netcheck_last_success_timestamp_seconds')! > lastSuccess,
    );
    assert.ok(sample(metrics, 'dynamo_netcheck_analysis_age_seconds')! < 5);
  });

  it('SIGTERM while an API call hangs exits 0 within a few seconds', async () => {
    fault = 'hang';
    await metricsWhen(monitor, 'a timed-out collection', () => hung.length > 0);
    const started = Date.now();
    monitor.process.kill('SIGTERM');
    assert.equal(await monitor.process.waitForExit(5000), 0);
    assert.ok(Date.now() - started < 5000);
  });
});
