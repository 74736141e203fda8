/** Bad validator reports, events and pod statuses are named by file and path, never half-read. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCtrf } from '../../../src/questions/diagnose/ctrf.ts';
import { ctrf, dynamoCluster, dynamoPod, event, list, run } from './fixtures.ts';

describe('CTRF reports', () => {
  it('reads AICR reports: phase from suite, message, status', () => {
    const parsed = parseCtrf(
      ctrf([{ name: 'inference-perf', phase: 'performance', status: 'failed', message: 'm' }]),
      'r.json',
    );
    assert.ok(parsed.ok, 'valid report');
    if (!parsed.ok) return;
    assert.deepEqual(
      parsed.report.tests.map((t) => [t.name, t.phase, t.status, t.message, t.path]),
      [['inference-perf', 'performance', 'failed', 'm', 'results.tests[0]']],
    );
  });

  it('names what is wrong and where', () => {
    const bad = parseCtrf(
      { results: { tool: { name: 'aicr' }, tests: [{ name: 'x', status: 'broken' }] } },
      'r.json',
    );
    assert.equal(bad.ok, false);
    if (bad.ok) return;
    assert.equal(bad.issues.length, 1);
    assert.equal(`${bad.issues[0]!.file}: ${bad.issues[0]!.path}`, 'r.json: results.tests[0].status');
    const notCtrf = parseCtrf(
      { reportFormat: 'JUnit', results: { tool: { name: 'x' }, tests: [] } },
      'r.json',
    );
    assert.deepEqual(notCtrf.ok ? [] : notCtrf.issues.map((i) => i.path), ['reportFormat']);
    const missing = parseCtrf({ results: { tool: { name: 'x' } } }, 'r.json');
    assert.deepEqual(missing.ok ? [] : missing.issues.map((i) => i.path), ['results.tests']);
  });
});

describe('cluster inputs', () => {
  it('an event field of the wrong type is an input error with its path', () => {
    const bad = {
      ...event('worker-0', 'dynamo-workload', 'BackOff', 'Back-off restarting failed container'),
      count: 'many',
    };
    const result = run(dynamoCluster({ nats: 'allowed' }).file('k8s/events.json', list([bad])));
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(
      result.issues.map((i) => `${i.file}: ${i.path}`),
      ['k8s/events.json: items[0].count'],
    );
  });

  it('a container status without an exit code is an input error with its path', () => {
    const pod = dynamoPod('worker-0', 'worker', 'gpu-1', '10.0.32.12') as {
      status: { containerStatuses: Record<string, unknown>[] };
    };
    pod.status.containerStatuses[0]!.lastState = { terminated: { reason: 'Error' } };
    const result = run(dynamoCluster({ nats: 'allowed' }).file('k8s/dynamo.json', list([pod])));
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(
      result.issues.map((i) => `${i.file}: ${i.path}`),
      ['k8s/dynamo.json: items[0].status.containerStatuses[0].lastState.terminated.exitCode'],
    );
  });
});
