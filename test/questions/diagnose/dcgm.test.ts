/**
 * ai-service-metrics fails with "no DCGM_FI_DEV_GPU_UTIL time series in Prometheus after …" when
 * Prometheus cannot scrape dcgm-exporter (NVIDIA/aicr validators/conformance/ai_service_metrics_check.go).
 * On examples/dynamo-1.4-system-frontend the GPU SG admits nothing from the system SG, where
 * Prometheus runs, so tcp/9400 to the dcgm-exporter pods is blocked: that is the cause, and its fix
 * is one rule on the GPU SG from the system SG.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildModel } from '../../../src/model/build.ts';
import { analyzeSnapshot } from '../../../src/questions/analyze.ts';
import { parseCtrf } from '../../../src/questions/diagnose/ctrf.ts';
import { diagnose } from '../../../src/questions/diagnose/diagnose.ts';
import { loadSnapshot } from '../../../src/snapshot/load.ts';
import { ctrf } from './fixtures.ts';

const GPU_SG = 'sg-02aff28cfc057025b';
const SYSTEM_SG = 'sg-062ebb7fa2ddf8d6b';
const DCGM_TIMEOUT =
  '[NOT_FOUND] no DCGM_FI_DEV_GPU_UTIL time series in Prometheus after 2m0s — verify DCGM exporter is running and scraping GPU metrics';

async function diagnosed(dir: string) {
  const snapshot = await loadSnapshot(dir);
  const parsed = parseCtrf(
    ctrf([
      { name: 'expected-resources', phase: 'deployment', status: 'passed' },
      { name: 'ai-service-metrics', phase: 'conformance', status: 'failed', message: DCGM_TIMEOUT },
    ]),
    'validator/report.ctrf.json',
  );
  if (!parsed.ok) throw new Error('fixture CTRF invalid');
  const result = diagnose({
    snapshot,
    model: buildModel(snapshot),
    analysis: analyzeSnapshot(snapshot),
    reports: [parsed.report],
  });
  assert.ok(result.ok);
  return result.diagnosis;
}

describe('ai-service-metrics: no DCGM series', () => {
  it('with the 9400 scrape blocked, the cause is that flow and the fix one rule on the GPU SG', async () => {
    const d = await diagnosed('examples/dynamo-1.4-system-frontend');
    const cause = d.causes.find((c) => c.subjects.includes('validator:conformance/ai-service-metrics'));
    assert.ok(cause, JSON.stringify(d.causes.map((c) => c.id)));
    assert.equal(cause.id, 'flow-blocked:dcgm-scrape');
    assert.equal(cause.confidence, 'confirmed');
    assert.deepEqual(
      cause.fixes.map((f) => f.command),
      [
        `aws ec2 authorize-security-group-ingress --group-id ${GPU_SG} --protocol tcp --port 9400 --source-group ${SYSTEM_SG}`,
      ],
    );
  });
});
