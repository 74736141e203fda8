/**
 * Requirement levels in the reports: a recommended flow is marked wherever flows are shown, and a
 * CI report fails no gate on one the verdict does not count (no --strict); with --strict it does.
 * The analysis itself (what the verdict counts) is tested with real recommended flows in
 * test/requirements/dynamo-metrics.test.ts; here the renderers get a result as the analysis gives it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnalysisResult } from '../../src/questions/analyze.ts';
import { catalog } from '../../src/requirements/catalog.ts';
import { renderers } from '../../src/report/index.ts';
import { dgxcResult } from './fixtures.ts';

const OPTIONS = { color: false, verbose: false };

/** dgxc-multi-sg with its NATS requirement read as recommended: what renderers see of such a flow. */
async function natsRecommended(strict: boolean): Promise<AnalysisResult> {
  const result = await dgxcResult();
  return {
    ...result,
    strict,
    requirements: result.requirements.map((r) => (r.id === 'nats' ? { ...r, level: 'recommended' } : r)),
    flows: result.flows.map((f) => (f.requirement === 'nats' ? { ...f, level: 'recommended' } : f)),
  };
}

describe('requirement levels', () => {
  it('every catalog entry has a level; the existing flows of the examples are all required', async () => {
    for (const entry of catalog) assert.ok(['required', 'recommended'].includes(entry.level), entry.id);
    const result = await dgxcResult();
    for (const id of ['nats', 'prometheus', 'request-plane', 'response-stream'])
      assert.equal(catalog.find((e) => e.id === id)!.level, 'required', id);
    const required = new Set(catalog.filter((e) => e.level === 'required').map((e) => e.id));
    for (const flow of result.flows.filter((f) => required.has(f.requirement)))
      assert.equal(flow.level, 'required', flow.id);
  });

  it('the table marks a recommended flow "(recommended)" and leaves required titles as they were', async () => {
    const text = renderers.table!(await natsRecommended(false), OPTIONS);
    assert.match(text, /^BLOCKED +NATS event plane \(recommended\) +tcp\/4222/m);
    assert.match(text, /✗ NATS event plane \(recommended\) tcp\/4222:/);
    assert.match(text, /^BLOCKED +Prometheus for ai-service-metrics +tcp\/9090/m, 'required: no mark');
    assert.doesNotMatch(text, /Prometheus for ai-service-metrics \(recommended/);
  });

  it('CTRF: a blocked recommended flow the verdict does not count is skipped, saying why; with --strict it fails', async () => {
    const tests = (strict: boolean) =>
      (
        JSON.parse(renderers.ctrf!(awaited[strict ? 1 : 0]!, OPTIONS)) as {
          results: { tests: { status: string; message?: string; extra?: Record<string, string> }[] };
        }
      ).results.tests.filter((t) => t.extra?.requirement === 'nats');
    const awaited = [await natsRecommended(false), await natsRecommended(true)];
    const lax = tests(false);
    assert.ok(lax.length > 0);
    for (const t of lax) {
      assert.equal(t.status, 'skipped');
      assert.match(t.message!, /^recommended flow .*not counted in the verdict; --strict counts it/);
      assert.equal(t.extra!.level, 'recommended');
    }
    for (const t of tests(true)) assert.equal(t.status, 'failed');
  });

  it('JUnit: the same flow is <skipped>, not a failure, and the suite counts it so', async () => {
    const xml = renderers.junit!(await natsRecommended(false), OPTIONS);
    const suite =
      /<testsuite name="NATS event plane[^"]*" tests="(\d+)" failures="(\d+)" errors="(\d+)" skipped="(\d+)"/.exec(
        xml,
      );
    assert.ok(suite, xml.slice(0, 400));
    assert.equal(suite[2], '0', 'no failure');
    assert.equal(suite[4], suite[1], 'every blocked class skipped');
    assert.match(xml, /<skipped message="recommended flow/);
    const strict = renderers.junit!(await natsRecommended(true), OPTIONS);
    assert.match(strict, /<testsuite name="NATS event plane[^"]*" tests="2" failures="2"/);
  });
});
