/** CTRF as AICR's validator writes it: shape, one test per requirement × source class, status mapping. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import type { AnalysisResult } from '../../src/questions/analyze.ts';
import { renderers } from '../../src/report/index.ts';
import { dgxcResult, hostileResult, HOSTILE_GROUP, skippedResult } from './fixtures.ts';

const TIMING = { start: 1_767_225_600_000, stop: 1_767_225_600_750 };

const status = z.enum(['passed', 'failed', 'skipped', 'pending', 'other']);
/** The fields and types of AICR's pkg/validator/ctrf Report (and the CTRF schema's required ones). */
const ctrfSchema = z.strictObject({
  reportFormat: z.literal('CTRF'),
  specVersion: z.string().regex(/^\d+\.\d+\.\d+$/),
  timestamp: z.string().optional(),
  generatedBy: z.string(),
  results: z.strictObject({
    tool: z.strictObject({ name: z.string(), version: z.string() }),
    summary: z.strictObject({
      tests: z.number().int(),
      passed: z.number().int(),
      failed: z.number().int(),
      skipped: z.number().int(),
      pending: z.number().int(),
      other: z.number().int(),
      start: z.number().int(),
      stop: z.number().int(),
    }),
    tests: z.array(
      z.strictObject({
        name: z.string().min(1),
        status,
        duration: z.number().int().nonnegative(),
        suite: z.array(z.string()).optional(),
        message: z.string().optional(),
        stdout: z.array(z.string()).optional(),
        flaky: z.boolean().optional(),
        extra: z.record(z.string(), z.string()).optional(),
      }),
    ),
    environment: z
      .strictObject({ appName: z.string(), appVersion: z.string(), testEnvironment: z.string().optional() })
      .optional(),
  }),
});
type Ctrf = z.infer<typeof ctrfSchema>;

function ctrf(result: AnalysisResult, timing?: typeof TIMING): Ctrf {
  const text = renderers.ctrf!(result, { color: false, verbose: false, ...(timing ? { timing } : {}) });
  return ctrfSchema.parse(JSON.parse(text));
}

/** Requirement × source class pairs, straight from the flows. */
function classes(result: AnalysisResult): Set<string> {
  return new Set(
    result.flows.map((f) =>
      [
        f.requirement,
        f.source.kind,
        f.source.nodeGroup,
        f.source.securityGroups.join(','),
        f.source.subnetId,
      ].join('|'),
    ),
  );
}

describe('CTRF report', () => {
  it('has the AICR shape, and its summary counts its tests', async () => {
    const report = ctrf(await dgxcResult(), TIMING);
    const { summary, tests } = report.results;
    assert.equal(report.specVersion, '0.0.1');
    assert.equal(report.results.tool.name, 'dynamo-netcheck');
    assert.equal(summary.tests, tests.length);
    for (const s of ['passed', 'failed', 'skipped', 'pending', 'other'] as const)
      assert.equal(summary[s], tests.filter((t) => t.status === s).length, s);
    assert.equal(new Set(tests.map((t) => t.name)).size, tests.length, 'test names are unique');
  });

  it('has one test per requirement × source class, failed exactly where a flow is blocked', async () => {
    const result = await dgxcResult();
    const { tests } = ctrf(result).results;
    assert.equal(tests.length, classes(result).size);
    assert.deepEqual(
      tests
        .filter((t) => t.status === 'failed')
        .map((t) => t.name)
        .sort(),
      [
        'NATS event plane tcp/4222 from gpu-h100 nodes [dgxc-h100-customer]',
        'NATS event plane tcp/4222 from gpu-h100 pods [dgxc-h100-customer]',
        'Prometheus for ai-service-metrics tcp/9090 from cpu-inference nodes [dgxc-h100-inference]',
        'Prometheus for ai-service-metrics tcp/9090 from gpu-h100 nodes [dgxc-h100-customer]',
      ],
    );
    // The system nodes reach Prometheus both on its node and across nodes: one test, passed.
    const system = tests.find(
      (t) => t.name.startsWith('Prometheus') && t.name.includes('from system nodes'),
    )!;
    assert.equal(system.status, 'passed');
    assert.equal(system.extra?.['flow-classes'], '2');
  });

  it('puts the reason and the fix command of a failed test in its message', async () => {
    const result = await dgxcResult();
    const test = ctrf(result).results.tests.find((t) => t.name.includes('from cpu-inference nodes'))!;
    const flow = result.flows.find((f) => f.source.nodeGroup === 'cpu-inference' && f.status === 'blocked')!;
    const fix = result.remediation.find((r) => r.id === flow.fixedBy[0])!;
    assert.ok(test.message?.includes(flow.reason), test.message);
    assert.ok(test.message?.includes(fix.command), test.message);
    assert.deepEqual(test.suite, ['dynamo-netcheck', 'Prometheus for ai-service-metrics']);
    assert.ok(test.stdout?.some((line) => line.includes('blocked SG ingress (destination ENI)')));
  });

  it('maps unknown to other, skipped requirements to skipped, and co-location to flaky', () => {
    const result = hostileResult();
    const { tests } = ctrf(result).results;
    const other = tests.filter((t) => t.status === 'other');
    // worker-x's IP is on no ENI: its NATS, request-plane and response-stream classes.
    assert.equal(other.length, 3);
    for (const t of other) assert.match(t.message!, /pod IP 10\.0\.16\.99 is on no ENI/);
    const skipped = skippedResult();
    const { tests: skippedTests, summary } = ctrf(skipped).results;
    assert.deepEqual(
      skippedTests.filter((t) => t.status === 'skipped').map((t) => [t.extra?.requirement, t.message]),
      [
        ['etcd', 'no Dynamo pods and no GPU nodes found (use --gpu-nodegroup)'],
        [
          'prometheus',
          'the conformance orchestrator fits on no node: 0/1 nodes are available: 1 node(s) are EKS Fargate nodes.',
        ],
        [
          'dcgm-scrape',
          'nvidia-dcgm-exporter.gpu-operator is not deployed and no GPU node group was found to predict it on (use --gpu-nodegroup)',
        ],
        [
          'accelerator-metrics',
          'the conformance orchestrator fits on no node: 0/1 nodes are available: 1 node(s) are EKS Fargate nodes.',
        ],
      ],
    );
    assert.equal(summary.skipped, 4);
    const masked = tests.find((t) => t.flaky)!;
    assert.equal(masked.status, 'passed');
    assert.match(masked.message!, /allowed only because .* shares node sys-1/);
    assert.ok(
      tests.some((t) => t.name.includes(HOSTILE_GROUP)),
      'names are JSON strings, kept verbatim',
    );
  });

  it('takes start and stop from the run, and writes no timestamp when it has none', async () => {
    const result = await dgxcResult();
    const timed = ctrf(result, TIMING);
    assert.equal(timed.results.summary.start, TIMING.start);
    assert.equal(timed.results.summary.stop, TIMING.stop);
    assert.equal(timed.timestamp, '2026-01-01T00:00:00Z');
    const untimed = ctrf(result);
    assert.equal(untimed.timestamp, undefined);
    assert.equal(untimed.results.summary.start, 0);
    assert.deepEqual(ctrf(result, TIMING), timed, 'same result and timing, same report');
  });
});
