/**
 * The busybox L7 script's text and the reading of its log, pure. The conversations it parses are
 * the ones the NATS client protocol (docs.nats.io "Client Protocol": INFO, CONNECT, SUB, PUB, PING,
 * MSG, HMSG, -ERR), Prometheus' HTTP API (`/-/ready`, `/api/v1/query`) and etcd (`/health`) define;
 * test/live/probe/l7-script.test.ts runs the script against the real servers.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import {
  l7Kind,
  l7Script,
  l7Urls,
  natsRequest,
  parseL7Log,
  type L7Target,
} from '../../../src/questions/probe/l7-script.ts';

const t = (id: string, host: string, port: number, via: L7Target['via'] = 'pod'): L7Target => ({
  id,
  host,
  port,
  via,
});
const out = (id: string, ...lines: string[]) => lines.map((l) => `DNC-L7 ${id} out ${l}`);
const err = (id: string, ...lines: string[]) => lines.map((l) => `DNC-L7 ${id} err ${l}`);
const rc = (id: string, code: number) => `DNC-L7 ${id} rc ${code}`;
const INFO = 'INFO {"server_id":"N1","version":"2.10.22","proto":1,"headers":true,"max_payload":1048576} ';

describe('the L7 script', () => {
  it('speaks NATS on 4222, Prometheus on 9090, etcd on 2379, plain TCP elsewhere and to every stand-in', () => {
    assert.equal(l7Kind({ port: 4222, via: 'pod' }), 'nats');
    assert.equal(l7Kind({ port: 9090, via: 'service' }), 'prometheus');
    assert.equal(l7Kind({ port: 2379, via: 'pod' }), 'etcd');
    assert.equal(l7Kind({ port: 5557, via: 'pod' }), 'tcp');
    assert.equal(l7Kind({ port: 4222, via: 'listener' }), 'tcp');
  });

  it('asks for no-responders in CONNECT, then subscribes an inbox, requests $JS.API.INFO on it, and PINGs', () => {
    const lines = natsRequest().split('\\r\\n');
    const connect = JSON.parse(lines[0]!.slice('CONNECT '.length)) as Record<string, unknown>;
    assert.equal(connect.verbose, false);
    assert.equal(connect.headers, true, 'no_responders needs headers');
    assert.equal(connect.no_responders, true);
    assert.deepEqual(lines.slice(1), ['SUB _INBOX.dnc 1', 'PUB $JS.API.INFO _INBOX.dnc 0', '', 'PING', '']);
  });

  it('URLs: readiness, the vector(1) query (parentheses need no escape in a query, RFC 3986), health; IPv6 hosts in brackets', () => {
    assert.deepEqual(l7Urls({ host: 'fd00::1', port: 9090 }), {
      ready: 'http://[fd00::1]:9090/-/ready',
      query: 'http://[fd00::1]:9090/api/v1/query?query=vector(1)',
      health: 'http://[fd00::1]:9090/health',
    });
  });

  it('is a valid POSIX shell script, one background job per target, and refuses a host that is not a name or IP', () => {
    const script = l7Script(
      [t('t0', '10.0.0.1', 4222), t('t1', 'prometheus.monitoring.svc', 9090), t('t2', '10.0.0.3', 2379)],
      5,
    );
    assert.equal(spawnSync('sh', ['-n', '-c', script]).status, 0, script);
    assert.equal(script.match(/ &$/gm)?.length, 3);
    // The request is one single-quoted word: $JS is not expanded by the shell.
    assert.match(script, /'CONNECT \{"verbose":false,.*PUB \$JS\.API\.INFO _INBOX\.dnc 0/);
    assert.throws(() => l7Script([t('t0', '$(reboot)', 4222)], 5), /unsafe host name/);
    assert.throws(() => l7Script([t('t0', '10.0.0.1', 4222)], 0), /whole seconds/);
  });
});

describe('reading the L7 log', () => {
  it('NATS with JetStream: the account info answer (after the PONG) passes', () => {
    const log = [
      'busybox banner',
      rc('t0', 0),
      ...out(
        't0',
        INFO,
        'PONG',
        'MSG _INBOX.dnc 1 70',
        '{"type":"io.nats.jetstream.api.v1.account_info_response","memory":0,"streams":3}',
      ),
    ].join('\n');
    assert.deepEqual(parseL7Log(log, [t('t0', '10.0.0.1', 4222)], 5).get('t0'), {
      outcome: 'connected',
      passed: true,
      message: 'JetStream available (3 streams in this account)',
    });
  });

  const jetstreamCases: Array<[string, string[], RegExp]> = [
    [
      'a 503 no-responders status',
      ['HMSG _INBOX.dnc 1 16 16', 'NATS/1.0 503', '', '', 'PONG'],
      /no responders/,
    ],
    [
      'the API error 10039',
      [
        'PONG',
        'MSG _INBOX.dnc 1 150',
        '{"type":"io.nats.jetstream.api.v1.account_info_response","error":{"code":503,"err_code":10039,"description":"jetstream not enabled for account"}}',
      ],
      /jetstream not enabled for account/,
    ],
    ['silence after the PONG', ['PONG'], /nothing answered \$JS\.API\.INFO/],
  ];
  for (const [what, lines, why] of jetstreamCases) {
    it(`NATS without JetStream: ${what} is "not available"`, () => {
      const log = [rc('t0', 0), ...out('t0', INFO, ...lines)].join('\n');
      const result = parseL7Log(log, [t('t0', '10.0.0.1', 4222)], 5).get('t0')!;
      assert.equal(result.outcome, 'failed');
      assert.equal(result.passed, false);
      assert.match(
        result.message,
        /^JetStream not available: the NATS server is up but runs without JetStream/,
      );
      assert.match(result.message, why);
    });
  }

  it('a port that is not NATS, or a server that refuses the client, fails the handshake', () => {
    const notNats = [rc('t0', 0), ...out('t0', 'HTTP/1.1 400 Bad Request')].join('\n');
    assert.match(
      parseL7Log(notNats, [t('t0', '10.0.0.1', 4222)], 5).get('t0')!.message,
      /accepts TCP but the NATS handshake failed \(not a NATS server: it sent "HTTP\/1\.1 400 Bad Request"\)/,
    );
    const auth = [rc('t0', 0), ...out('t0', INFO, "-ERR 'Authorization Violation'")].join('\n');
    const result = parseL7Log(auth, [t('t0', '10.0.0.1', 4222)], 5).get('t0')!;
    assert.equal(result.outcome, 'failed');
    assert.match(result.message, /-ERR 'Authorization Violation'/);
  });

  it('L4 failures keep their class: nc and wget words, or the timeout that killed the command', () => {
    const log = [
      rc('t0', 1),
      ...err('t0', 'nc: timed out'),
      rc('t1', 1),
      ...err('t1', "wget: can't connect to remote host (10.0.0.2): Connection refused"),
      rc('t2', 143),
      ...err('t2', 'Terminated'),
      rc('t3', 1),
      ...err('t3', "wget: bad address 'etcd.x.svc'"),
    ].join('\n');
    const results = parseL7Log(
      log.replace(/t1 /g, 't1-ready '),
      [
        t('t0', '10.0.0.1', 4222),
        t('t1', '10.0.0.2', 9090),
        t('t2', '10.0.0.3', 2379),
        t('t3', 'etcd.x.svc', 2379),
      ],
      5,
    );
    assert.deepEqual(
      ['t0', 't1', 't2', 't3'].map((id) => results.get(id)?.outcome),
      ['timed-out', 'refused', 'timed-out', 'dns-failure'],
    );
    assert.equal(results.get('t2')?.message, 'timed out after 5 s (Terminated)');
  });

  it('Prometheus: not ready is a failure after a connection; a ready one must answer the query', () => {
    const notReady = [rc('t0-ready', 1), ...err('t0-ready', '  HTTP/1.1 503 Service Unavailable')].join('\n');
    assert.deepEqual(parseL7Log(notReady, [t('t0', '10.0.0.1', 9090)], 5).get('t0'), {
      outcome: 'failed',
      passed: false,
      message:
        'Prometheus at http://10.0.0.1:9090 answers but is not ready (HTTP/1.1 503 Service Unavailable)',
    });
    const noQuery = [
      rc('t0-ready', 0),
      ...err('t0-ready', '  HTTP/1.1 200 OK'),
      ...out('t0-ready', 'Prometheus Server is Ready.'),
      rc('t0-query', 0),
      ...err('t0-query', '  HTTP/1.1 200 OK'),
      ...out('t0-query', '{"status":"success","data":{"resultType":"vector","result":[]}}'),
    ].join('\n');
    assert.deepEqual(parseL7Log(noQuery, [t('t0', '10.0.0.1', 9090)], 5).get('t0'), {
      outcome: 'failed',
      passed: false,
      message: 'query vector(1) returned no series',
    });
  });

  it('etcd: {"health":"false"} is unhealthy, with the reason', () => {
    const log = [
      rc('t0', 0),
      ...err('t0', '  HTTP/1.1 200 OK'),
      ...out('t0', '{"health":"false","reason":"RAFT NO LEADER"}'),
    ].join('\n');
    assert.deepEqual(parseL7Log(log, [t('t0', '10.0.0.1', 2379)], 5).get('t0'), {
      outcome: 'failed',
      passed: false,
      message: 'etcd at http://10.0.0.1:2379 answers but is unhealthy (HTTP/1.1 200 OK: RAFT NO LEADER)',
    });
  });

  it("a server's own bytes cannot speak for another target: every line it sends carries its target's id", () => {
    // What the script prints when the server at t0 sends a line that looks like t1's JetStream answer.
    const log = [
      rc('t0', 0),
      ...out('t0', 'DNC-L7 t1 out MSG _INBOX.dnc 1 70'),
      rc('t1', 1),
      ...err('t1', 'nc: timed out'),
    ].join('\n');
    const results = parseL7Log(log, [t('t0', '10.0.0.1', 4222), t('t1', '10.0.0.2', 4222)], 5);
    assert.equal(results.get('t1')?.outcome, 'timed-out');
    assert.match(results.get('t0')!.message, /not a NATS server/);
  });

  it('a target the log says nothing about has no result (the probe died before printing)', () => {
    assert.equal(parseL7Log('exec format error', [t('t0', '10.0.0.1', 4222)], 5).size, 0);
  });
});
