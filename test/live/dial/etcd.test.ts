import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startDialWorker, TIMEOUT_MS, type ClientDialer } from '../../helpers/dial-worker-client.ts';
import { LAB_ADDRESS, Lab } from '../../helpers/netns.ts';
import { PORT, startEtcd, startNats } from '../../helpers/servers.ts';

const ETCD = `http://${LAB_ADDRESS.open}:${PORT.etcd}`;
let lab: Lab | undefined;
let client: ClientDialer;

before(async () => {
  lab = await Lab.create('etcd');
  await startEtcd(lab);
  // nats-server's monitoring port: an HTTP server that is not etcd.
  await startNats(lab, { port: PORT.nats, jetstream: false, monitoringPort: PORT.natsMonitoring });
  client = await startDialWorker(lab);
});
after(async () => {
  await lab?.close();
});

test('a running etcd is healthy', async () => {
  const result = await client.call('dialEtcd', { url: ETCD, timeoutMs: TIMEOUT_MS });
  assert.equal(result.tcp.outcome, 'connected');
  assert.equal(result.health.outcome, 'healthy');
});

test('a dropped etcd port is timed out at L4, and etcd is unreachable', async () => {
  const url = `http://${LAB_ADDRESS.dropped}:${PORT.etcd}`;
  const result = await client.call('dialEtcd', { url, timeoutMs: TIMEOUT_MS });
  assert.equal(result.tcp.outcome, 'timed-out');
  assert.equal(result.health.outcome, 'unreachable');
  assert.match(result.health.message, /Unable to create lease/);
});

test('a rejected etcd port is refused, and etcd is unreachable', async () => {
  const url = `http://${LAB_ADDRESS.rejected}:${PORT.etcd}`;
  const result = await client.call('dialEtcd', { url, timeoutMs: TIMEOUT_MS });
  assert.equal(result.tcp.outcome, 'refused');
  assert.equal(result.health.outcome, 'unreachable');
});

test('an HTTP server without an etcd health endpoint is unhealthy', async () => {
  const url = `http://${LAB_ADDRESS.open}:${PORT.natsMonitoring}`;
  const result = await client.call('dialEtcd', { url, timeoutMs: TIMEOUT_MS });
  assert.equal(result.tcp.outcome, 'connected');
  assert.equal(result.health.outcome, 'unhealthy');
  assert.equal(result.health.detail, '404');
});

test('dial() picks etcd by port 2379, or by the etcd option', async () => {
  const byPort = await client.call('dial', ETCD, { timeoutMs: TIMEOUT_MS });
  assert.equal(byPort.kind, 'etcd');
  assert.equal(byPort.passed, true);
  assert.deepEqual(
    byPort.checks.map(({ name, outcome }) => `${name}:${outcome}`),
    ['tcp:connected', 'etcd-health:healthy'],
  );

  const byOption = await client.call('dial', `http://${LAB_ADDRESS.open}:${PORT.natsMonitoring}`, {
    timeoutMs: TIMEOUT_MS,
    etcd: true,
  });
  assert.equal(byOption.kind, 'etcd');
  assert.equal(byOption.passed, false);
});

test('dial() on any other http:// port is a plain GET that passes on 2xx and fails on 4xx', async () => {
  const found = await client.call('dial', `http://${LAB_ADDRESS.open}:${PORT.natsMonitoring}/varz`, {
    timeoutMs: TIMEOUT_MS,
  });
  assert.equal(found.kind, 'http');
  assert.deepEqual(
    found.checks.map(({ name, status, outcome }) => `${name}:${status}:${outcome}`),
    ['tcp:pass:connected', 'http:pass:ok'],
  );

  const missing = await client.call('dialHttp', {
    url: `http://${LAB_ADDRESS.open}:${PORT.natsMonitoring}/no-such-page`,
    timeoutMs: TIMEOUT_MS,
  });
  assert.equal(missing.http.outcome, 'http-error');
  assert.equal(missing.http.detail, '404');
});
