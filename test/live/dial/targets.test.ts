import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration } from '../../../src/cli/shared.ts';
import { UsageError } from '../../../src/cli/errors.ts';
import {
  DialTargetError,
  parseTarget,
  parseTargets,
  type DialOptions,
} from '../../../src/live/dial/index.ts';

test('the scheme, the well-known port or an explicit option picks the dialer', () => {
  const cases: Array<[string, DialOptions, string, string, number]> = [
    ['tcp://10.0.0.1:5557', {}, 'tcp', '10.0.0.1', 5557],
    [
      'nats://dynamo-platform-nats.dynamo-system.svc.cluster.local',
      {},
      'nats',
      'dynamo-platform-nats.dynamo-system.svc.cluster.local',
      4222,
    ],
    ['nats://[fd00::1]:4333', {}, 'nats', 'fd00::1', 4333],
    [
      'http://kube-prometheus-prometheus.monitoring.svc:9090',
      {},
      'prometheus',
      'kube-prometheus-prometheus.monitoring.svc',
      9090,
    ],
    ['http://prom.example:8080', { promQuery: 'up' }, 'prometheus', 'prom.example', 8080],
    ['http://etcd.dynamo-system.svc:2379', {}, 'etcd', 'etcd.dynamo-system.svc', 2379],
    ['https://etcd.example', { etcd: true }, 'etcd', 'etcd.example', 443],
    ['http://web.example', {}, 'http', 'web.example', 80],
    ['http://both.example:9090', { etcd: true, promQuery: 'up' }, 'prometheus', 'both.example', 9090],
    ['http://both.example:2379', { etcd: true, promQuery: 'up' }, 'etcd', 'both.example', 2379],
  ];
  for (const [url, options, kind, host, port] of cases) {
    assert.deepEqual(parseTarget(url, options), { url, kind, host, port }, url);
  }
});

test('URLs the dialers cannot use are DialTargetErrors that say why', () => {
  const cases: Array<[string, RegExp]> = [
    ['not a url', /not a URL/],
    ['ftp://files.example:21', /unsupported scheme ftp/],
    ['tcp://10.0.0.1', /needs a port/],
    ['tcp://10.0.0.1:0', /port 0/],
    ['http://both.example:8080', /dial them separately/],
  ];
  for (const [url, message] of cases) {
    assert.throws(
      () => parseTarget(url, { etcd: true, promQuery: 'up' }),
      (err: unknown) => {
        assert.ok(err instanceof DialTargetError, url);
        assert.match(err.message, message, url);
        return true;
      },
    );
  }
});

test('an option that applies to none of the targets is an error, not a silent pass', () => {
  assert.throws(
    () => parseTargets(['tcp://10.0.0.1:4222'], { jetstream: true }),
    /JetStream check needs a nats/,
  );
  assert.throws(() => parseTargets(['nats://n'], { promQuery: 'up' }), /Prometheus query needs/);
  assert.throws(
    () => parseTargets(['http://p:9090'], { etcd: true, promQuery: 'up' }),
    /etcd health check needs/,
  );
  assert.equal(parseTargets(['nats://n', 'http://p:9090'], { jetstream: true, promQuery: 'up' }).length, 2);
});

test('--timeout takes milliseconds, seconds or a bare number of seconds', () => {
  const cases: Array<[string, number]> = [
    ['500ms', 500],
    ['2s', 2000],
    ['5', 5000],
    ['1.5s', 1500],
    [' 250ms ', 250],
  ];
  for (const [text, milliseconds] of cases) assert.equal(parseDuration(text), milliseconds, text);
  for (const text of ['', 'soon', '0', '0ms', '-1s', '2m', '1e3']) {
    assert.throws(() => parseDuration(text), UsageError, text);
  }
});
