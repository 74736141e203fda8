import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEFAULT_DIAL_TIMEOUT_MS } from '../../../src/live/dial/index.ts';
import {
  startDialWorker,
  TIMEOUT_BOUND_MS,
  TIMEOUT_MS,
  type ClientDialer,
} from '../../helpers/dial-worker-client.ts';
import { LAB_ADDRESS, Lab } from '../../helpers/netns.ts';
import { PORT, startNats } from '../../helpers/servers.ts';

let lab: Lab | undefined;
let client: ClientDialer;

before(async () => {
  lab = await Lab.create('tcp');
  // A real listener on every server address; iptables decides what the client sees.
  await startNats(lab, { port: PORT.nats, jetstream: false });
  client = await startDialWorker(lab);
});
after(async () => {
  await lab?.close();
});

test('an open port is connected, with the resolved address', async () => {
  const result = await client.call('dialTcp', {
    host: LAB_ADDRESS.open,
    port: PORT.nats,
    timeoutMs: TIMEOUT_MS,
  });
  assert.equal(result.outcome, 'connected');
  assert.equal(result.address, LAB_ADDRESS.open);
  assert.ok(result.elapsedMs < TIMEOUT_MS);
  assert.match(result.explanation, /accepted the TCP connection/);
});

test('iptables DROP (a security group without the rule) times out after the timeout', async () => {
  const result = await client.call('dialTcp', {
    host: LAB_ADDRESS.dropped,
    port: PORT.nats,
    timeoutMs: TIMEOUT_MS,
  });
  assert.equal(result.outcome, 'timed-out');
  assert.ok(result.elapsedMs >= TIMEOUT_MS - 50, `gave up after ${result.elapsedMs} ms`);
  assert.ok(result.elapsedMs < TIMEOUT_BOUND_MS, `gave up after ${result.elapsedMs} ms`);
  assert.match(result.explanation, /security group or network ACL is silently dropping TCP 4222/);
});

test('iptables REJECT with a TCP reset is refused', async () => {
  const result = await client.call('dialTcp', {
    host: LAB_ADDRESS.rejected,
    port: PORT.nats,
    timeoutMs: TIMEOUT_MS,
  });
  assert.equal(result.outcome, 'refused');
  assert.equal(result.detail, 'ECONNREFUSED');
  assert.match(result.explanation, /refused the connection/);
});

test('a port nobody listens on is refused', async () => {
  const result = await client.call('dialTcp', { host: LAB_ADDRESS.open, port: 4299, timeoutMs: TIMEOUT_MS });
  assert.equal(result.outcome, 'refused');
  assert.match(result.explanation, /nothing listens on port 4299/);
});

test('an address the client has no route to is no-route', async () => {
  const result = await client.call('dialTcp', {
    host: LAB_ADDRESS.unrouted,
    port: PORT.nats,
    timeoutMs: TIMEOUT_MS,
  });
  assert.equal(result.outcome, 'no-route');
  assert.equal(result.detail, 'ENETUNREACH');
  assert.match(result.explanation, /no route to 198\.19\.255\.254/);
});

test('a name that does not resolve is a DNS failure, within the timeout', async () => {
  const host = 'dynamo-platform-nats.no-such-namespace.invalid';
  const result = await client.call('dialTcp', { host, port: PORT.nats, timeoutMs: TIMEOUT_MS });
  assert.equal(result.outcome, 'dns-failure');
  assert.equal(result.address, undefined);
  assert.ok(result.elapsedMs < TIMEOUT_BOUND_MS);
  assert.match(result.explanation, /does not resolve/);
});

test("the default timeout is the validator's 5 s", () => {
  assert.equal(DEFAULT_DIAL_TIMEOUT_MS, 5000);
});

test('dial() on tcp:// reports one tcp check', async () => {
  const open = await client.call('dial', `tcp://${LAB_ADDRESS.open}:${PORT.nats}`, { timeoutMs: TIMEOUT_MS });
  assert.deepEqual(
    open.checks.map(({ name, status, outcome }) => ({ name, status, outcome })),
    [{ name: 'tcp', status: 'pass', outcome: 'connected' }],
  );
  assert.equal(open.passed, true);

  const dropped = await client.call('dial', `tcp://${LAB_ADDRESS.dropped}:${PORT.nats}`, {
    timeoutMs: TIMEOUT_MS,
  });
  assert.equal(dropped.passed, false);
  assert.equal(dropped.checks[0]?.outcome, 'timed-out');
});
