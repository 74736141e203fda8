/** `diagnose` on the bundled DGXC demo (events, captured logs, the validator's CTRF report). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import YAML from 'yaml';
import type { Diagnosis } from '../../../src/questions/diagnose/types.ts';

const run = (...args: string[]) => {
  const r = spawnSync('./bin/dynamo-netcheck', args, {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const scratch = mkdtempSync(join(tmpdir(), 'netcheck-diagnose-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const DEMO = ['examples/dgxc-multi-sg', '--ctrf', 'examples/validator/dgxc-multi-sg.ctrf.json'];

describe('diagnose CLI', () => {
  it('the DGXC demo: NATS blocked, Prometheus blocked from the node the orchestrator ran on, a probe Pending on the GPU taint', () => {
    const r = run('diagnose', ...DEMO, '-o', 'json');
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, '');
    const d = JSON.parse(r.stdout) as Diagnosis;
    assert.deepEqual(
      d.causes.map((c) => [c.rank, c.id, c.confidence]),
      [
        [1, 'flow-blocked:nats', 'confirmed'],
        [2, 'flow-blocked:prometheus', 'confirmed'],
        [3, 'untolerated-taint', 'likely'],
      ],
    );
    assert.deepEqual(d.unexplained, []);
    const nats = d.causes[0]!;
    assert.deepEqual(
      nats.fixes.map((f) => f.command),
      [
        'aws ec2 authorize-security-group-ingress --group-id sg-0280e97ae16fcd306 --protocol tcp --port 4222 --source-group sg-0affb20cb8865fd98',
      ],
    );
    assert.ok(nats.subjects.includes('validator:performance/inference-perf'), nats.subjects.join());
    const prometheus = d.causes[1]!;
    assert.deepEqual(
      prometheus.flows.map((f) => f.from),
      ['cpu-inference nodes [dgxc-h100-inference]'],
    );
    assert.match(
      prometheus.advice[0]!,
      /ran on ip-10-0-24-57\.us-west-2\.compute\.internal \(node group cpu-inference/,
    );
    assert.equal(
      prometheus.fixes.length,
      2,
      'the inference SG it ran from, and the customer SG the next run may use',
    );
  });

  it('the table names the cause, the flow, the fix and the evidence files', () => {
    const r = run('diagnose', ...DEMO);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^1\. NATS event plane \(tcp\/4222\) is blocked {2}\[confirmed\]$/m);
    assert.match(r.stdout, /evidence {2}logs\/dynamo-workload\.json: items\[0\]\.lines\[9\]/);
    assert.match(
      r.stdout,
      /add tolerations: \[\{key: nvidia\.com\/gpu, operator: Exists, effect: NoSchedule\}\]/,
    );
  });

  it('without logs, events or the report it does not guess: the crash loops are unexplained (exit 3)', () => {
    const dir = join(scratch, 'no-logs');
    cpSync('examples/dgxc-multi-sg', dir, { recursive: true });
    for (const extra of ['logs', 'k8s/events.json', 'k8s/nats-probe-pod.json'])
      rmSync(join(dir, extra), { recursive: true });
    const r = run('diagnose', dir, '-o', 'json');
    assert.equal(r.code, 3, r.stderr);
    const d = JSON.parse(r.stdout) as Diagnosis;
    assert.equal(d.verdict, 'unexplained-symptoms');
    assert.equal(d.unexplained.length, 3);
    assert.ok(
      d.unexplained.every((u) => /CrashLoopBackOff/.test(u.text)),
      'the three crash loops',
    );
    assert.ok(
      d.notes.some((n) => /no pod logs/.test(n)),
      d.notes.join('; '),
    );
  });

  it('no logs captured, the NATS timeout only in the termination messages: 4222 blocked, the customer-SG rule, the field cited', () => {
    const dir = join(scratch, 'termination-messages');
    cpSync('examples/dgxc-multi-sg', dir, { recursive: true });
    rmSync(join(dir, 'logs'), { recursive: true });
    const pods = JSON.parse(readFileSync(join(dir, 'k8s/pods.json'), 'utf8')) as {
      items: {
        metadata: { labels?: Record<string, string> };
        status: { containerStatuses?: { lastState?: { terminated?: Record<string, unknown> } }[] };
      }[];
    };
    for (const pod of pods.items) {
      if (!pod.metadata.labels?.['nvidia.com/dynamo-component-type']) continue;
      for (const c of pod.status.containerStatuses ?? [])
        if (c.lastState?.terminated)
          c.lastState.terminated.message = 'Exception: Failed to connect to NATS: timed out';
    }
    writeFileSync(join(dir, 'k8s/pods.json'), JSON.stringify(pods, null, 2));
    const json = run('diagnose', dir, '-o', 'json');
    assert.equal(json.code, 1, json.stderr);
    const d = JSON.parse(json.stdout) as Diagnosis;
    const nats = d.causes[0]!;
    assert.deepEqual([nats.id, nats.confidence], ['flow-blocked:nats', 'confirmed']);
    assert.deepEqual(
      nats.fixes.map((f) => f.command),
      [
        'aws ec2 authorize-security-group-ingress --group-id sg-0280e97ae16fcd306 --protocol tcp --port 4222 --source-group sg-0affb20cb8865fd98',
      ],
    );
    assert.ok(!d.causes.some((c) => c.id === 'process-exits-early'), d.causes.map((c) => c.id).join());
    const table = run('diagnose', dir).stdout;
    assert.match(table, /^1\. NATS event plane \(tcp\/4222\) is blocked {2}\[confirmed\]$/m);
    assert.match(
      table,
      /evidence {2}k8s\/pods\.json: items\[\d+\]\.status\.containerStatuses\[0\]\.lastState\.terminated\.message/,
    );
    assert.match(
      table,
      /pod dynamo-workload\/vllm-agg-\S+ container main lastState\.terminated\.message: Exception: Failed to connect to NATS: timed out/,
    );
    assert.ok(!table.includes('the container exits before it serves'));
  });

  it('takes the analysis flags analyze takes: --no-conformance, and an unknown node group is exit 2', () => {
    const r = run('diagnose', ...DEMO, '--no-conformance', '-o', 'json');
    assert.equal(r.code, 1, r.stderr);
    const ids = (JSON.parse(r.stdout) as Diagnosis).causes.map((c) => c.id);
    assert.ok(ids.includes('flow-blocked:nats'));
    assert.ok(!ids.includes('flow-blocked:prometheus'), ids.join(', '));
    const bad = run('diagnose', ...DEMO, '--gpu-nodegroup', 'nope');
    assert.equal(bad.code, 2);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, /--gpu-nodegroup nope: no such node group/);
  });

  it('a healthy cluster: no problem found (exit 0)', () => {
    const r = run('diagnose', 'examples/upgrade-1.0-to-1.2');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /NO PROBLEM FOUND/);
  });

  it('a bad CTRF report: file and path on stderr, exit 2, nothing on stdout', () => {
    const file = join(scratch, 'bad.ctrf.json');
    writeFileSync(file, JSON.stringify({ results: { tool: { name: 'aicr' }, tests: [{ name: 'x' }] } }));
    const r = run('diagnose', 'examples/dgxc-multi-sg', '--ctrf', file);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /bad\.ctrf\.json: results\.tests\[0\]\.status: /);
  });

  const CONFIGMAPS = 'examples/validator/dgxc-multi-sg.aicr-configmaps.yaml';
  const RUN = '20250617-131643-8f3a1c9e2b7d4a60';
  const essence = (d: Diagnosis) =>
    d.causes.map((c) => [c.id, c.confidence, c.subjects, c.fixes.map((f) => f.command)]);

  it('AICR’s in-cluster ConfigMaps (kubectl get configmaps -o yaml) read as the CTRF file is', () => {
    const fromFile = JSON.parse(run('diagnose', ...DEMO, '-o', 'json').stdout) as Diagnosis;
    const r = run('diagnose', 'examples/dgxc-multi-sg', '--ctrf', CONFIGMAPS, '-o', 'json');
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, '');
    const d = JSON.parse(r.stdout) as Diagnosis;
    assert.deepEqual(essence(d), essence(fromFile));
    assert.equal(d.read.validatorTests, 8);
    const prometheus = d.causes.find((c) => c.id === 'flow-blocked:prometheus')!;
    assert.ok(
      prometheus.evidence.some(
        (e) => e.file === CONFIGMAPS && e.path === 'items[0].data["report.json"].results.tests[3].message',
      ),
      JSON.stringify(prometheus.evidence.map((e) => e.path)),
    );
    assert.ok(
      d.notes.includes(
        `read AICR validator run ${RUN}: aicr-ctrf-${RUN}-conformance, aicr-ctrf-${RUN}-deployment, aicr-ctrf-${RUN}-performance`,
      ),
      d.notes.join('\n'),
    );
  });

  it('a directory of reports: JSON ConfigMaps, a plain CTRF file; other files passed over, said', () => {
    const dir = join(scratch, 'reports');
    mkdirSync(dir);
    const items = (YAML.parse(readFileSync(CONFIGMAPS, 'utf8')) as { items: unknown[] }).items;
    writeFileSync(join(dir, 'conformance.json'), JSON.stringify(items[0]));
    writeFileSync(join(dir, 'performance.yaml'), YAML.stringify(items[2]));
    writeFileSync(
      join(dir, 'pod.json'),
      JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } }),
    );
    writeFileSync(join(dir, 'notes.txt'), 'not a report');
    const r = run('diagnose', 'examples/dgxc-multi-sg', '--ctrf', dir, '-o', 'json');
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /warning: ignored .*pod\.json: neither a CTRF report nor an AICR validator ConfigMap/,
    );
    assert.ok(!r.stderr.includes('notes.txt'));
    const d = JSON.parse(r.stdout) as Diagnosis;
    assert.equal(d.read.validatorTests, 5);
    assert.ok(d.causes.some((c) => c.subjects.includes('validator:performance/inference-perf')));

    const empty = join(scratch, 'no-reports');
    mkdirSync(empty);
    const none = run('diagnose', 'examples/dgxc-multi-sg', '--ctrf', empty);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--ctrf .*no-reports: no CTRF report and no AICR validator ConfigMap/);
  });

  it('ConfigMaps of two runs: the newest is read, the older named on stderr and in the notes', () => {
    interface ConfigMap {
      metadata: { name: string; creationTimestamp: string };
      data: Record<string, string>;
    }
    const doc = YAML.parse(readFileSync(CONFIGMAPS, 'utf8')) as { items: ConfigMap[] };
    const older = structuredClone(doc.items[0]!);
    older.metadata.name = older.metadata.name.replace(RUN, '20250616-090102-0123456789abcdef');
    older.metadata.creationTimestamp = '2025-06-16T09:03:00Z';
    const report = JSON.parse(older.data['report.json']!) as {
      results: { tests: { status: string; message?: string }[] };
    };
    for (const t of report.results.tests) {
      t.status = 'failed';
      t.message = 'stale';
    }
    older.data['report.json'] = JSON.stringify(report);
    const file = join(scratch, 'two-runs.yaml');
    writeFileSync(file, YAML.stringify({ ...doc, items: [older, ...doc.items] }));
    const r = run('diagnose', 'examples/dgxc-multi-sg', '--ctrf', file, '-o', 'json');
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /only the newest AICR validator run was read: 1 older run ignored \(20250616-090102-0123456789abcdef\)/,
    );
    const d = JSON.parse(r.stdout) as Diagnosis;
    assert.equal(d.read.validatorTests, 8);
    assert.ok(!JSON.stringify(d).includes('stale'));
  });

  it('a RecipeResult that is not an EKS Dynamo recipe: read, with a warning', () => {
    const recipe = YAML.parse(
      readFileSync('examples/recipes/h100-eks-ubuntu-inference-dynamo.yaml', 'utf8'),
    ) as {
      criteria: Record<string, string>;
      metadata: Record<string, unknown>;
      componentRefs: { name: string }[];
    };
    const quiet = run(
      'diagnose',
      ...DEMO,
      '--recipe',
      'examples/recipes/h100-eks-ubuntu-inference-dynamo.yaml',
      '-o',
      'json',
    );
    assert.equal(quiet.code, 1, quiet.stderr);
    assert.equal(quiet.stderr, '');
    const gke = join(scratch, 'gke.yaml');
    writeFileSync(
      gke,
      YAML.stringify({
        ...recipe,
        criteria: { ...recipe.criteria, service: 'gke', os: 'cos' },
        metadata: { ...recipe.metadata, appliedOverlays: ['base', 'gke-cos', 'h100-gke-cos-inference'] },
        componentRefs: recipe.componentRefs.filter((c) => c.name !== 'dynamo-platform'),
      }),
    );
    const r = run('diagnose', ...DEMO, '--recipe', gke, '-o', 'json');
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /warning: --recipe .*gke\.yaml: recipe h100-gke-cos-inference is not an EKS recipe \(criteria\.service is gke\)/,
    );
    assert.match(
      r.stderr,
      /warning: --recipe .*gke\.yaml: recipe h100-gke-cos-inference has no dynamo-platform component/,
    );
  });
});
