/**
 * The metric families `monitor` exports (src/monitor/metrics.ts), on the bundled examples: a series
 * per flow class and status with the labels the README documents, the fix commands the example's
 * README gives, label values bounded by classes (no pod or node names), probe targets counted per
 * source class; and the README's metrics table lists exactly these families.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { analysisGauges, METRICS, probeGauges, type GaugeValues } from '../../src/monitor/metrics.ts';
import { analyzeSnapshot } from '../../src/questions/analyze.ts';
import type { ProbeReport, ProbeRow } from '../../src/questions/probe/compare.ts';
import { loadSnapshot } from '../../src/snapshot/load.ts';

const family = (gauges: readonly GaugeValues[], name: string) =>
  gauges.find((g) => g.spec.name === name)!.samples;

const dgxc = analyzeSnapshot(await loadSnapshot('examples/dgxc-multi-sg'));
const gauges = analysisGauges(dgxc);
const NATS = 'nats:pods@gpu-h100[sg-0affb20cb8865fd98]->pods@system[sg-0280e97ae16fcd306]';

describe('monitor metrics', () => {
  it('a series per flow class and status, 1 for the status the analysis found', () => {
    const status = family(gauges, 'dynamo_netcheck_flow_status');
    const nats = status.filter((s) => s.labels.flow === NATS);
    assert.deepEqual(
      nats.map((s) => [s.labels.status, s.value]),
      [
        ['allowed', 0],
        ['blocked', 1],
        ['unknown', 0],
      ],
    );
    // examples/dgxc-multi-sg/README.md: GPU pods in the customer SG → NATS on the system SG, tcp/4222.
    assert.deepEqual(
      { ...nats[0]!.labels, status: undefined },
      {
        flow: NATS,
        requirement: 'nats',
        level: 'required',
        protocol: 'tcp',
        port: '4222',
        source_node_group: 'gpu-h100',
        source_kind: 'pods',
        source_security_groups: 'sg-0affb20cb8865fd98',
        destination_node_group: 'system',
        destination_kind: 'pods',
        destination_security_groups: 'sg-0280e97ae16fcd306',
        status: undefined,
      },
    );
    assert.equal(status.length, 3 * dgxc.flows.length);
    assert.deepEqual(
      family(gauges, 'dynamo_netcheck_verdict').map((s) => [s.labels.verdict, s.value]),
      [
        ['pass', 0],
        ['fail', 1],
        ['unknown', 0],
      ],
    );
  });

  it('the fix of each blocked flow with its aws-cli command, and the number of rules outstanding', () => {
    const fixes = family(gauges, 'dynamo_netcheck_flow_fix_info').filter((s) => s.labels.flow === NATS);
    assert.deepEqual(
      fixes.map((s) => s.labels.command),
      [
        'aws ec2 authorize-security-group-ingress --group-id sg-0280e97ae16fcd306 --protocol tcp --port 4222 --source-group sg-0affb20cb8865fd98',
      ],
    );
    assert.equal(fixes[0]!.labels.kind, 'security-group-rule');
    assert.deepEqual(
      family(gauges, 'dynamo_netcheck_fix_rules_outstanding').map((s) => [s.labels.kind, s.value]),
      [
        ['security-group-rule', 3],
        ['nacl-entry', 0],
        ['network-policy', 0],
      ],
    );
  });

  it('a NetworkPolicy fix is named on one line, not its multi-line manifest', async () => {
    const policy = analysisGauges(analyzeSnapshot(await loadSnapshot('examples/policy-default-deny')));
    const fixes = family(policy, 'dynamo_netcheck_flow_fix_info');
    assert.ok(fixes.length > 0);
    for (const fix of fixes) {
      assert.equal(fix.labels.kind, 'network-policy');
      assert.ok(!fix.labels.command!.includes('\n'));
      assert.match(
        fix.labels.command!,
        /^kubectl apply the NetworkPolicy dynamo-system\/allow-nats-from-dynamo-workload /,
      );
    }
  });

  it('label values name classes, never pods, nodes or addresses', () => {
    const values = gauges.flatMap((g) => g.samples.flatMap((s) => Object.values(s.labels)));
    const members = dgxc.flows.flatMap((f) => [...f.source.members, ...f.destination.members]);
    assert.ok(members.length > 0);
    for (const value of values) {
      for (const member of members) assert.ok(!value.includes(member), `${value} names ${member}`);
      assert.doesNotMatch(value, /\b\d+\.\d+\.\d+\.\d+\b(?!\/)/);
    }
  });

  it('probe targets counted per requirement, source class, outcome and agreement', () => {
    const source = { nodeGroup: 'gpu-h100', securityGroups: ['sg-0affb20cb8865fd98'] };
    const row = (live: ProbeRow['live'], agreement: ProbeRow['agreement']): ProbeRow => ({
      source,
      probe: 'probe-gpu-h100',
      node: 'ip-10-0-33-140',
      requirement: 'nats',
      target: '10.0.18.10:4222',
      via: 'pod',
      name: 'dynamo-system/nats-0',
      server: 'real',
      expected: 'blocked',
      ...(live ? { live } : {}),
      agreement,
    });
    const timedOut = { outcome: 'timed-out' as const, passed: false, message: 'timed out' };
    const report: ProbeReport = {
      runId: 'r1',
      passed: false,
      summary: { passed: 0, failed: 3, disagreements: 0, provedWithStandIn: 0 },
      rows: [row(timedOut, 'agree'), row(timedOut, 'agree'), row(undefined, 'no-live-result')],
      notProbed: [],
    };
    const probe = probeGauges(report);
    const base = {
      requirement: 'nats',
      source_node_group: 'gpu-h100',
      source_security_groups: 'sg-0affb20cb8865fd98',
    };
    assert.deepEqual(family(probe, 'dynamo_netcheck_probe_targets'), [
      { labels: { ...base, outcome: 'timed-out', agreement: 'agree' }, value: 2 },
      { labels: { ...base, outcome: 'no-result', agreement: 'no-live-result' }, value: 1 },
    ]);
    assert.deepEqual(family(probe, 'dynamo_netcheck_probe_passed'), [{ labels: {}, value: 0 }]);
  });

  it("the README's metrics table lists every family with its type and labels", () => {
    const readme = readFileSync('README.md', 'utf8');
    const at = readme.indexOf('| metric ');
    assert.ok(at > 0, 'README has a metrics table');
    const lines = readme.slice(at).split('\n');
    const rows = lines
      .slice(
        2,
        lines.findIndex((l) => !l.startsWith('|')),
      )
      .map((l) => l.split('|').map((c) => c.trim()));
    const table = new Map(
      rows.map((c) => [c[1]!.replace(/`/g, ''), { type: c[2]!, labels: c[3]!.replace(/`/g, '') }]),
    );
    assert.deepEqual(
      [...table.keys()].sort(),
      Object.values(METRICS)
        .map((m) => m.name)
        .sort(),
    );
    for (const spec of Object.values(METRICS)) {
      assert.equal(table.get(spec.name)!.type, spec.type, spec.name);
      assert.equal(table.get(spec.name)!.labels, spec.labelNames.join(', ') || '—', spec.name);
    }
  });
});
