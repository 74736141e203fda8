import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProbeTarget } from '../../../src/questions/probe/plan.ts';
import {
  classifyNc,
  parseDialLog,
  parseNcLog,
  type LiveOutcome,
} from '../../../src/questions/probe/results.ts';

describe('nc output → outcome', () => {
  // busybox 1.36 nc (nc_bloaty) with -zvv, lines joined by the probe script's `tr '\n' ' '`:
  // "open" on success, perror "<host> (<ip:port>): <strerror>" on failure (ETIMEDOUT faked when -w
  // expires), "bad address" from the resolver, then " sent N, rcvd M" from the second -v.
  const cases: Array<[boolean, string, LiveOutcome]> = [
    [true, '10.0.0.1 (10.0.0.1:4222) open', 'connected'],
    [true, '10.0.0.1 (10.0.0.1:4222) open  sent 0, rcvd 0', 'connected'],
    [false, 'nc: 10.0.0.1 (10.0.0.1:4222): Connection refused', 'refused'],
    [false, 'nc: 10.0.0.1 (10.0.0.1:4222): Connection refused  sent 0, rcvd 0', 'refused'],
    [false, 'nc: 10.0.0.1 (10.0.0.1:4222): Connection timed out', 'timed-out'],
    [false, 'nc: 10.0.0.1 (10.0.0.1:4222): Connection timed out  sent 0, rcvd 0', 'timed-out'],
    [false, '', 'failed'],
    [false, "nc: bad address 'nats.x.svc.cluster.local'", 'dns-failure'],
    [false, 'nc: 10.9.0.1 (10.9.0.1:4222): No route to host', 'no-route'],
    [false, 'nc: 10.9.0.1 (10.9.0.1:4222): Host is unreachable  sent 0, rcvd 0', 'no-route'],
    [false, 'nc: 10.9.0.1 (10.9.0.1:4222): Network is unreachable  sent 0, rcvd 0', 'no-route'],
    [false, "nc: invalid option -- 'z'", 'failed'],
    [false, 'nc: connect to 198.18.0.3 port 4222 (tcp) timed out: Operation now in progress', 'timed-out'],
    [false, 'nc: connect to 198.18.0.4 port 4222 (tcp) failed: Connection refused', 'refused'],
    [false, 'nc: permission denied', 'failed'],
  ];
  for (const [ok, text, outcome] of cases)
    it(`${ok ? 'ok' : 'fail'} "${text}" → ${outcome}`, () => assert.equal(classifyNc(ok, text), outcome));

  it('reads only marked lines, keyed by target id', () => {
    const log = [
      'some banner',
      'DNC-RESULT t0 ok 10.0.0.1 (10.0.0.1:4222) open ',
      'DNC-RESULT t1 fail nc: 10.0.0.2 (10.0.0.2:9090): Connection refused ',
      'DNC-RESULT tx ok not a target id',
      'DNC-RESULT t2 fail',
    ].join('\n');
    const results = parseNcLog(log);
    assert.deepEqual([...results.keys()], ['t0', 't1', 't2']);
    assert.deepEqual(
      [...results.values()].map((r) => [r.outcome, r.passed]),
      [
        ['connected', true],
        ['refused', false],
        ['failed', false],
      ],
    );
  });
});

describe('dial -o json → outcome', () => {
  const target = (id: string, host: string, port: number): ProbeTarget => ({
    id,
    requirement: 'x',
    host,
    port,
    via: 'pod',
    name: host,
    expected: 'allowed',
  });
  const log = JSON.stringify({
    passed: false,
    targets: [
      {
        target: 'nats://10.0.0.1:4222',
        passed: false,
        checks: [
          { name: 'tcp', status: 'pass', outcome: 'connected', message: 'connected' },
          { name: 'nats', status: 'pass', outcome: 'connected', message: 'NATS up' },
          {
            name: 'jetstream',
            status: 'fail',
            outcome: 'jetstream-not-available',
            message: 'JetStream not available',
          },
        ],
      },
      {
        target: 'http://10.0.0.2:9090',
        passed: false,
        checks: [{ name: 'tcp', status: 'fail', outcome: 'timed-out', message: 'timed out after 5s' }],
      },
    ],
  });

  it('a failing L7 check after a TCP connect is "failed" with its message; a TCP failure keeps its class', () => {
    const results = parseDialLog(`pulling…\n${log}`, [
      target('t0', '10.0.0.1', 4222),
      target('t1', '10.0.0.2', 9090),
      target('t2', '10.0.0.3', 2379),
    ]);
    assert.deepEqual(results.get('t0'), {
      outcome: 'failed',
      passed: false,
      message: 'JetStream not available',
    });
    assert.deepEqual(results.get('t1'), {
      outcome: 'timed-out',
      passed: false,
      message: 'timed out after 5s',
    });
    assert.equal(results.has('t2'), false);
  });

  it('a log without JSON gives no results', () => {
    assert.equal(parseDialLog('exec format error', [target('t0', '10.0.0.1', 4222)]).size, 0);
    assert.equal(parseDialLog('{ not json', [target('t0', '10.0.0.1', 4222)]).size, 0);
  });
});
