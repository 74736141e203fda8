/** `placement` as users run it: the bundled DGXC example, a user pod spec, and bad input. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { PlacementReport } from '../../src/questions/placement.ts';
import { placementExit } from '../../src/cli/commands/placement.ts';

const run = (...args: string[]) => {
  const r = spawnSync('./bin/dynamo-netcheck', args, {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const scratch = mkdtempSync(join(tmpdir(), 'netcheck-placement-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const PROMETHEUS_NODE = 'ip-10-0-21-118.us-west-2.compute.internal';

describe('placement CLI', () => {
  it('the orchestrator on dgxc-multi-sg: prefers the Prometheus node, may land on all five, two SG sets cannot reach 9090', () => {
    const r = run('placement', 'examples/dgxc-multi-sg', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const report = JSON.parse(r.stdout) as PlacementReport;
    assert.equal(report.verdict, 'schedulable');
    assert.deepEqual(report.preferred, [PROMETHEUS_NODE]);
    assert.equal(report.fallback.length, 4);
    assert.deepEqual(report.pod.requests, { cpu: '1', memory: '1Gi' });
    assert.deepEqual(report.mustReachPrometheus!.map((s) => `${s.nodeGroups.join('+')}=${s.status}`).sort(), [
      'cpu-inference=blocked',
      'gpu-h100=blocked',
      'system=allowed',
    ]);
    const gpu = report.sourceClasses.find((c) => c.nodeGroup === 'gpu-h100')!;
    assert.deepEqual(gpu.securityGroups, ['sg-0affb20cb8865fd98'], 'the customer ENI SG, not the node SG');
    assert.deepEqual(
      gpu.prometheus!.fixes.map((f) => f.command),
      [
        'aws ec2 authorize-security-group-ingress --group-id sg-0280e97ae16fcd306 --protocol tcp --port 9090 --source-group sg-0affb20cb8865fd98',
      ],
    );
  });

  it('nodes full right now still count for the SG sets that must reach Prometheus: the next run may land there', () => {
    const dir = join(scratch, 'gpu-full');
    cpSync('examples/dgxc-multi-sg', dir, { recursive: true });
    const file = join(dir, 'k8s', 'nodes.json');
    const nodes = JSON.parse(readFileSync(file, 'utf8')) as {
      items: Array<{
        metadata: { labels: Record<string, string> };
        status: { allocatable: Record<string, string> };
      }>;
    };
    const gpu = nodes.items.filter((n) => n.metadata.labels['eks.amazonaws.com/nodegroup'] === 'gpu-h100');
    assert.equal(gpu.length, 2);
    for (const node of gpu) node.status.allocatable.cpu = '100m';
    writeFileSync(file, JSON.stringify(nodes, null, 2));
    const report = JSON.parse(run('placement', dir, '-o', 'json').stdout) as PlacementReport;
    assert.ok(!report.sourceClasses.some((c) => c.nodeGroup === 'gpu-h100'), 'no room on gpu-h100 now');
    const customer = report.mustReachPrometheus!.find((m) => m.nodeGroups.includes('gpu-h100'));
    assert.deepEqual(customer, {
      securityGroups: ['sg-0affb20cb8865fd98'],
      nodeGroups: ['gpu-h100'],
      status: 'blocked',
      laterOnly: true,
    });
    const text = run('placement', dir).stdout;
    assert.match(text, /gpu-h100: blocked \(its nodes are full right now; the next run may land there\)/);
  });

  it('a user pod spec without the GPU toleration fits nowhere: exit 1 with the scheduler’s message', () => {
    const file = join(scratch, 'probe.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Pod',
        'metadata: {name: nats-probe}',
        'spec:',
        '  nodeSelector: {eks.amazonaws.com/nodegroup: gpu-h100}',
        '  containers: [{name: probe, image: "busybox:1.36"}]',
      ].join('\n'),
    );
    const r = run('placement', '--pod-spec', file, 'examples/dgxc-multi-sg');
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stdout,
      /UNSCHEDULABLE — 0\/5 nodes are available: 2 node\(s\) had untolerated taint \{nvidia\.com\/gpu: present\}, 3 node\(s\) didn't match Pod's node affinity\/selector\./,
    );
  });

  it('bad input: names the file and path, exit 2, nothing on stdout', () => {
    const file = join(scratch, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        kind: 'Pod',
        metadata: { name: 'p' },
        spec: { containers: [{ name: 'c', resources: { requests: { memory: '1GB' } } }] },
      }),
    );
    const r = run('placement', '--pod-spec', file, 'examples/dgxc-multi-sg');
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /bad\.json: spec\.containers\[0\]\.resources\.requests\.memory: not a Kubernetes quantity: "1GB"/,
    );
    const both = run(
      'placement',
      '--pod-spec',
      file,
      '--profile',
      'aicr-conformance-orchestrator',
      'examples/dgxc-multi-sg',
    );
    assert.equal(both.code, 2);
    assert.match(both.stderr, /either --pod-spec or --profile/);
  });

  it('--strict: exit 1 when a source class the orchestrator can land in is blocked from Prometheus', () => {
    const r = run('placement', 'examples/dgxc-multi-sg', '--strict', '--no-color');
    assert.match(r.stdout, /tcp\/9090 → Prometheus: BLOCKED/);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, '');
  });

  it('--strict: exit 0 when every source class reaches Prometheus; with a --pod-spec it is a usage error', () => {
    const healthy = run('placement', 'examples/healthy-shared-cluster-sg', '--strict');
    assert.doesNotMatch(healthy.stdout, /BLOCKED|UNKNOWN/);
    assert.equal(healthy.code, 0, healthy.stderr);
    const file = join(scratch, 'pod.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c}]}\n');
    const r = run('placement', 'examples/dgxc-multi-sg', '--strict', '--pod-spec', file);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /--strict checks the source classes against Prometheus/);
  });

  it('--strict decides blocked before unknown, and only once the pod fits somewhere', () => {
    const report = (
      verdict: PlacementReport['verdict'],
      ...statuses: ('allowed' | 'blocked' | 'unknown' | undefined)[]
    ) =>
      ({
        verdict,
        mustReachPrometheus: statuses.map((status) => ({
          securityGroups: [],
          nodeGroups: [],
          ...(status ? { status } : {}),
        })),
      }) as unknown as PlacementReport;
    assert.equal(placementExit(report('schedulable', 'allowed', 'unknown', 'blocked'), true), 1);
    assert.equal(placementExit(report('schedulable', 'allowed', 'unknown'), true), 3);
    assert.equal(
      placementExit(report('schedulable', 'allowed', undefined), true),
      3,
      'no verdict is not allowed',
    );
    assert.equal(placementExit(report('schedulable', 'allowed'), true), 0);
    assert.equal(placementExit(report('schedulable', 'blocked'), false), 0);
    assert.equal(placementExit(report('unschedulable', 'allowed'), true), 1);
    assert.equal(placementExit(report('unschedulable', 'allowed'), false), 1);
  });
});
