/** `diagnose` on the bundled DGXC demo (events, captured logs, the validator's CTRF report). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
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
});
