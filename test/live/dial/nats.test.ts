import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  startDialWorker,
  TIMEOUT_BOUND_MS,
  TIMEOUT_MS,
  type ClientDialer,
} from '../../helpers/dial-worker-client.ts';
import { LAB_ADDRESS, Lab } from '../../helpers/netns.ts';
import { PORT, startNats } from '../../helpers/servers.ts';

/** A listener that accepts TCP and never speaks: not a NATS server. */
const SILENT_PORT = 4299;
let lab: Lab | undefined;
let client: ClientDialer;

before(async () => {
  lab = await Lab.create('nats');
  await startNats(lab, { port: PORT.nats, jetstream: false });
  await startNats(lab, { port: PORT.natsJetStream, jetstream: true });
  const silent = lab.startInServer('silent listener', process.execPath, [
    '-e',
    `require('node:net').createServer(() => {}).listen(${SILENT_PORT}, () => console.log('listening'))`,
  ]);
  await silent.waitForLog(/listening/, 10_000);
  client = await startDialWorker(lab);
});
after(async () => {
  await lab?.close();
});

test('a server started with -js has JetStream available', async () => {
  const result = await client.call('dialNats', {
    host: LAB_ADDRESS.open,
    port: PORT.natsJetStream,
    jetstream: true,
    timeoutMs: TIMEOUT_MS,
  });
  assert.equal(result.tcp.outcome, 'connected');
  assert.equal(result.server.outcome, 'connected');
  assert.match(result.server.version ?? '', /^\d+\.\d+\.\d+/);
  assert.equal(result.jetstream?.outcome, 'jetstream-available');
});

test('a server without -js is up, but JetStream is not available', async () => {
  const result = await client.call('dialNats', {
    host: LAB_ADDRESS.open,
    port: PORT.nats,
    jetstream: true,
    timeoutMs: TIMEOUT_MS,
  });
  assert.equal(result.server.outcome, 'connected');
  assert.equal(result.jetstream?.outcome, 'jetstream-not-available');
  assert.match(result.jetstream?.message ?? '', /^JetStream not available/);
});

test('without the JetStream option only the connection is checked', async () => {
  const result = await client.call('dialNats', {
    host: LAB_ADDRESS.open,
    port: PORT.nats,
    timeoutMs: TIMEOUT_MS,
  });
  assert.equal(result.server.outcome, 'connected');
  assert.equal(result.jetstream, undefined);
});

test('a dropped NATS port is timed out at L4, and NATS is unreachable', async () => {
  const result = await client.call('dialNats', {
    host: LAB_ADDRESS.dropped,
    port: PORT.natsJetStream,
    jetstream: true,
    timeoutMs: TIMEOUT_MS,
  });
  assert.equal(result.tcp.outcome, 'timed-out');
  assert.equal(result.server.outcome, 'unreachable');
  assert.match(result.server.message, /Failed to connect to NATS/);
  assert.equal(result.jetstream, undefined);
  assert.ok(result.tcp.elapsedMs < TIMEOUT_BOUND_MS);
});

test('a rejected NATS port is refused', async () => {
  const result = await client.call('dialNats', {
    host: LAB_ADDRESS.rejected,
    port: PORT.nats,
    timeoutMs: TIMEOUT_MS,
  });
  assert.equal(result.tcp.outcome, 'refused');
  assert.equal(result.server.outcome, 'unreachable');
});

test('a port that accepts TCP but does not speak NATS fails the handshake within the timeout', async () => {
  const started = Date.now();
  const result = await client.call('dialNats', {
    host: LAB_ADDRESS.open,
    port: SILENT_PORT,
    timeoutMs: TIMEOUT_MS,
  });
  assert.equal(result.tcp.outcome, 'connected');
  assert.equal(result.server.outcome, 'handshake-failed');
  assert.ok(Date.now() - started < TIMEOUT_BOUND_MS);
});

test('dial() on nats:// reports tcp, nats and jetstream checks', async () => {
  const available = await client.call('dial', `nats://${LAB_ADDRESS.open}:${PORT.natsJetStream}`, {
    timeoutMs: TIMEOUT_MS,
    jetstream: true,
  });
  assert.deepEqual(
    available.checks.map(({ name, status, outcome }) => ({ name, status, outcome })),
    [
      { name: 'tcp', status: 'pass', outcome: 'connected' },
      { name: 'nats', status: 'pass', outcome: 'connected' },
      { name: 'jetstream', status: 'pass', outcome: 'jetstream-available' },
    ],
  );
  assert.equal(available.passed, true);

  const missing = await client.call('dial', `nats://${LAB_ADDRESS.open}:${PORT.nats}`, {
    timeoutMs: TIMEOUT_MS,
    jetstream: true,
  });
  assert.equal(missing.passed, false);
  assert.deepEqual(
    missing.checks.map(({ name, status }) => `${name}:${status}`),
    ['tcp:pass', 'nats:pass', 'jetstream:fail'],
  );
});
