import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startDialWorker, TIMEOUT_MS, type ClientDialer } from '../../helpers/dial-worker-client.ts';
import { LAB_ADDRESS, Lab } from '../../helpers/netns.ts';
import { waitUntil } from '../../helpers/processes.ts';
import { PORT, startNats, startPrometheus } from '../../helpers/servers.ts';

const PROMETHEUS = `http://${LAB_ADDRESS.open}:${PORT.prometheus}`;
/** The metric ai-service-metrics looks for; this Prometheus scrapes no DCGM exporter. */
const GPU_METRIC = 'DCGM_FI_DEV_GPU_UTIL';
let lab: Lab | undefined;
let client: ClientDialer;

before(async () => {
  lab = await Lab.create('prom');
  await startPrometheus(lab);
  // nats-server's monitoring port: an HTTP server that is not Prometheus.
  await startNats(lab, { port: PORT.nats, jetstream: false, monitoringPort: PORT.natsMonitoring });
  client = await startDialWorker(lab);
  await waitUntil(
    'Prometheus scraped itself',
    async () => {
      const { query } = await client.call('dialPrometheus', {
        url: PROMETHEUS,
        query: 'up',
        timeoutMs: TIMEOUT_MS,
      });
      return query?.outcome === 'series';
    },
    20_000,
  );
});
after(async () => {
  await lab?.close();
});

test('a ready Prometheus answers the query with its series', async () => {
  const result = await client.call('dialPrometheus', { url: PROMETHEUS, query: 'up', timeoutMs: TIMEOUT_MS });
  assert.equal(result.tcp.outcome, 'connected');
  assert.equal(result.ready.outcome, 'ready');
  assert.equal(result.query?.outcome, 'series');
  assert.equal(result.query?.seriesCount, 1);
  assert.match(result.query?.message ?? '', /returned 1 series/);
});

test('a metric nobody exports is an empty result, not an outage', async () => {
  const result = await client.call('dialPrometheus', {
    url: PROMETHEUS,
    query: GPU_METRIC,
    timeoutMs: TIMEOUT_MS,
  });
  assert.equal(result.ready.outcome, 'ready');
  assert.equal(result.query?.outcome, 'empty');
  assert.equal(result.query?.seriesCount, 0);
  assert.match(result.query?.message ?? '', /Prometheus is reachable/);
});

test('a query Prometheus rejects is a query error', async () => {
  const result = await client.call('dialPrometheus', {
    url: PROMETHEUS,
    query: 'up{',
    timeoutMs: TIMEOUT_MS,
  });
  assert.equal(result.ready.outcome, 'ready');
  assert.equal(result.query?.outcome, 'error');
  assert.match(result.query?.detail ?? '', /bad_data/);
});

test("a dropped Prometheus port times out with the validator's message", async () => {
  const url = `http://${LAB_ADDRESS.dropped}:${PORT.prometheus}`;
  const result = await client.call('dialPrometheus', { url, query: GPU_METRIC, timeoutMs: TIMEOUT_MS });
  assert.equal(result.tcp.outcome, 'timed-out');
  assert.equal(result.ready.outcome, 'unreachable');
  assert.equal(
    result.ready.message,
    `[SERVICE_UNAVAILABLE] Prometheus unreachable at http://${LAB_ADDRESS.dropped}:9090 — verify network connectivity`,
  );
  assert.equal(result.query, undefined);
});

test("a rejected Prometheus port is refused, with the validator's message", async () => {
  const url = `http://${LAB_ADDRESS.rejected}:${PORT.prometheus}/`;
  const result = await client.call('dialPrometheus', { url, timeoutMs: TIMEOUT_MS });
  assert.equal(result.tcp.outcome, 'refused');
  assert.equal(
    result.ready.message,
    `[SERVICE_UNAVAILABLE] Prometheus unreachable at http://${LAB_ADDRESS.rejected}:9090 — verify network connectivity`,
  );
});

test('an HTTP server that is not a ready Prometheus is not ready, and is not queried', async () => {
  const url = `http://${LAB_ADDRESS.open}:${PORT.natsMonitoring}`;
  const result = await client.call('dialPrometheus', { url, query: 'up', timeoutMs: TIMEOUT_MS });
  assert.equal(result.tcp.outcome, 'connected');
  assert.equal(result.ready.outcome, 'not-ready');
  assert.equal(result.ready.detail, '404');
  assert.equal(result.query, undefined);
});

test('dial() picks Prometheus by port 9090 and reports the empty query as its own failing check', async () => {
  const report = await client.call('dial', PROMETHEUS, { timeoutMs: TIMEOUT_MS, promQuery: GPU_METRIC });
  assert.equal(report.kind, 'prometheus');
  assert.equal(report.passed, false);
  assert.deepEqual(
    report.checks.map(({ name, status, outcome }) => ({ name, status, outcome })),
    [
      { name: 'tcp', status: 'pass', outcome: 'connected' },
      { name: 'prometheus-ready', status: 'pass', outcome: 'ready' },
      { name: 'prometheus-query', status: 'fail', outcome: 'empty' },
    ],
  );
});
