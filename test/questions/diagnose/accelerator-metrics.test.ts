/**
 * accelerator-metrics fails with "DCGM exporter metrics endpoint unreachable" when the orchestrator's
 * node cannot reach nvidia-dcgm-exporter.gpu-operator.svc:9400 (NVIDIA/aicr
 * accelerator_metrics_check.go fetches it directly). On examples/dynamo-1.4-system-frontend the GPU
 * SG admits nothing from the system SG, so from the system nodes tcp/9400 is blocked; from the GPU
 * nodes (the GPU SG admits itself) it is allowed. The requirement is required, and the tool's own
 * fix (one rule on the GPU SG from the system SG) makes the cluster pass it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildModel } from '../../../src/model/build.ts';
import { analyzeSnapshot } from '../../../src/questions/analyze.ts';
import { parseCtrf } from '../../../src/questions/diagnose/ctrf.ts';
import { diagnose } from '../../../src/questions/diagnose/diagnose.ts';
import { applyRemediation } from '../../../src/remediate/what-if.ts';
import { loadSnapshot } from '../../../src/snapshot/load.ts';
import { ctrf } from './fixtures.ts';

const DIR = 'examples/dynamo-1.4-system-frontend';
const GPU_SG = 'sg-02aff28cfc057025b';
const SYSTEM_SG = 'sg-062ebb7fa2ddf8d6b';
const RULE = `aws ec2 authorize-security-group-ingress --group-id ${GPU_SG} --protocol tcp --port 9400 --source-group ${SYSTEM_SG}`;

describe('accelerator-metrics: the orchestrator dials dcgm-exporter on 9400', () => {
  it('is required, from every node group the orchestrator can land on; blocked from the system nodes only', async () => {
    const result = analyzeSnapshot(await loadSnapshot(DIR));
    const flows = result.flows.filter((f) => f.requirement === 'accelerator-metrics');
    assert.ok(flows.length > 0);
    for (const f of flows) {
      assert.equal(f.level, 'required');
      assert.equal(f.port, 9400);
      assert.equal(f.source.kind, 'nodes', 'the orchestrator is predicted on every node it fits');
      assert.equal(f.destination.nodeGroup, 'gpu-h100');
    }
    assert.deepEqual(
      [...new Set(flows.filter((f) => f.status === 'blocked').map((f) => f.source.nodeGroup))],
      ['system'],
    );
    assert.ok(flows.some((f) => f.source.nodeGroup === 'gpu-h100' && f.status === 'allowed'));
    const blocked = flows.find((f) => f.status === 'blocked')!;
    const fixes = result.remediation.filter((r) => blocked.fixedBy.includes(r.id));
    assert.deepEqual(
      fixes.map((r) => r.command),
      [RULE],
    );
  });

  it('--no-conformance, or a recipe that does not list accelerator-metrics, drops it and says why', async () => {
    const snapshot = await loadSnapshot(DIR);
    const off = analyzeSnapshot(snapshot, { conformance: false });
    assert.match(off.notApplicable.find((n) => n.id === 'accelerator-metrics')!.because, /--no-conformance/);
    const recipe = analyzeSnapshot(snapshot, {
      recipe: { name: 'r', source: 'r', checks: ['ai-service-metrics'], components: ['gpu-operator'] },
    });
    assert.match(
      recipe.notApplicable.find((n) => n.id === 'accelerator-metrics')!.because,
      /recipe r does not list accelerator-metrics/,
    );
    assert.ok(
      recipe.flows.some((f) => f.requirement === 'dcgm-scrape'),
      'ai-service-metrics still runs',
    );
  });

  it('the tool’s own fix makes every accelerator-metrics flow allowed', async () => {
    const snapshot = await loadSnapshot(DIR);
    const before = analyzeSnapshot(snapshot);
    const after = analyzeSnapshot(applyRemediation(snapshot, before.remediation, before.naclRemediation));
    const flows = after.flows.filter((f) => f.requirement === 'accelerator-metrics');
    assert.ok(flows.length > 0);
    assert.ok(flows.every((f) => f.status === 'allowed'));
    assert.equal(after.verdict, 'pass');
  });

  it('diagnose: "DCGM exporter metrics endpoint unreachable" is that blocked flow, and its fix is the one rule', async () => {
    const snapshot = await loadSnapshot(DIR);
    const parsed = parseCtrf(
      ctrf([
        { name: 'expected-resources', phase: 'deployment', status: 'passed' },
        {
          name: 'accelerator-metrics',
          phase: 'conformance',
          status: 'failed',
          message:
            '[UNAVAILABLE] DCGM exporter metrics endpoint unreachable: Get "http://nvidia-dcgm-exporter.gpu-operator.svc:9400/metrics": dial tcp 172.20.93.14:9400: i/o timeout',
        },
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
    const cause = result.diagnosis.causes.find((c) =>
      c.subjects.includes('validator:conformance/accelerator-metrics'),
    );
    assert.ok(cause, JSON.stringify(result.diagnosis.causes.map((c) => c.id)));
    assert.equal(cause.id, 'flow-blocked:accelerator-metrics');
    assert.deepEqual(
      cause.fixes.map((f) => f.command),
      [RULE],
    );
  });
});
