/** A recommended flow the verdict does not count is probed and shown, and fails no probe run; with --strict it does. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareResults, type RunOutcome } from '../../../src/questions/probe/compare.ts';
import type { ProbePlan } from '../../../src/questions/probe/plan.ts';
import { renderProbeTable } from '../../../src/report/probe.ts';

function plan(uncounted?: string[]): ProbePlan {
  const target = (id: string, requirement: string, port: number) => ({
    id,
    requirement,
    host: '10.0.1.5',
    port,
    via: 'pod' as const,
    name: 'ns/pod',
    expected: 'allowed' as const,
  });
  return {
    runId: 'r1',
    namespace: 'dynamo-netcheck-r1',
    namespaceManifest: {},
    probes: [
      {
        name: 'probe-system',
        source: { nodeGroup: 'system', securityGroups: ['sg-sys'] },
        nodeName: 'n1',
        targets: [target('t0', 'prometheus', 9090), target('t1', 'dynamo-metrics', 9090)],
        pod: {},
      },
    ],
    listeners: [],
    dial: { timeoutSeconds: 2, mode: 'nc' },
    notProbed: [],
    ...(uncounted ? { uncounted } : {}),
  };
}

/** Prometheus connects; the metrics scrape times out. */
const outcome: RunOutcome = {
  probes: new Map([
    [
      'probe-system',
      {
        state: 'completed',
        phase: 'Succeeded',
        results: new Map([
          ['t0', { outcome: 'connected', passed: true, message: 'open' }],
          ['t1', { outcome: 'timed-out', passed: false, message: 'Connection timed out' }],
        ]),
      },
    ],
  ]),
  listeners: new Map(),
};

describe('probe and requirement levels', () => {
  it('a failed check of a recommended flow the verdict does not count leaves the run passed, and says so', () => {
    const report = compareResults(plan(['dynamo-metrics']), outcome);
    assert.equal(report.passed, true);
    assert.equal(report.summary.failed, 1, 'still counted as a failed live check');
    const text = renderProbeTable(report);
    assert.match(text, /FAIL timed-out .* dynamo-metrics \(recommended, not counted\) → 10\.0\.1\.5:9090/);
    assert.doesNotMatch(text, /prometheus \(recommended/);
  });
  it('with --strict (nothing uncounted) the same failure fails the run', () => {
    assert.equal(compareResults(plan(), outcome).passed, false);
  });
});
