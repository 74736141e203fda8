/** Upgrade impact: each version transition on the bundled examples, and the pure comparison. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { analyzeSnapshot } from '../../src/questions/analyze.ts';
import type { AnalysisResult } from '../../src/questions/analyze.ts';
import { diffAnalyses, type UpgradeDiff } from '../../src/questions/diff.ts';
import { loadSnapshot } from '../../src/snapshot/load.ts';
import { allTraffic, scenario, tcp } from '../helpers/scenario.ts';

const changes = (d: UpgradeDiff): string[] =>
  d.flows.map(
    (f) =>
      `${f.change} ${f.requirement} ${f.source.nodeGroup}/${f.source.kind} ${f.before?.status ?? '-'}→${f.after?.status ?? '-'}${f.breaks ? ' BREAKS' : ''}`,
  );

async function versions(dir: string, from: string, to: string): Promise<UpgradeDiff> {
  const snapshot = await loadSnapshot(dir);
  return diffAnalyses(
    analyzeSnapshot(snapshot, { dynamoVersion: from }),
    analyzeSnapshot(snapshot, { dynamoVersion: to }),
  );
}

describe('version transitions on the bundled examples', () => {
  it('upgrade-1.0-to-1.2, 1.0.2 → 1.2.0: + NATS blocked, − etcd, + the TCP request plane allowed', async () => {
    const d = await versions('examples/upgrade-1.0-to-1.2', '1.0.2', '1.2.0');
    assert.equal(d.verdict, 'breaks');
    assert.deepEqual(
      d.requirements.added.map((r) => r.id),
      ['nats', 'request-plane', 'response-stream'],
    );
    assert.deepEqual(
      d.requirements.removed.map((r) => r.id),
      ['etcd'],
    );
    assert.deepEqual(changes(d).sort(), [
      'appears nats gpu-l40s/nodes -→blocked BREAKS',
      'appears nats gpu-l40s/pods -→blocked BREAKS',
      // The running frontend is a 1.0 pod: the 1.2 one is predicted where the 1.2 family puts
      // it (the GPU node groups), so the request plane starts from the GPU nodes.
      'appears request-plane gpu-l40s/nodes -→allowed',
      'appears request-plane gpu-l40s/nodes -→allowed',
      'appears response-stream gpu-l40s/pods -→allowed',
      'appears response-stream gpu-l40s/pods -→allowed',
      'vanishes etcd gpu-l40s/nodes allowed→-',
      'vanishes etcd gpu-l40s/pods allowed→-',
    ]);
    // The workers carry DYN_SYSTEM_PORT in both releases: the recommended metrics scrape stays as it was.
    assert.equal(
      d.unchanged,
      5,
      'the three Prometheus classes, the Dynamo metrics scrape, and the operator webhook (allowed: the system SG admits the cluster SG on 9443)',
    );
    assert.deepEqual(
      d.fixes.map((f) => f.command),
      [
        'aws ec2 authorize-security-group-ingress --group-id sg-0448e772893bda0e2 --protocol tcp --port 4222 --source-group sg-02e264dad429b5c9c',
      ],
    );
    assert.ok(d.flows[0]!.breaks, 'what breaks comes first');
  });

  it('the reverse, 1.2.0 → 1.0.2: NATS vanishes, etcd appears allowed — nothing breaks', async () => {
    const d = await versions('examples/upgrade-1.0-to-1.2', '1.2.0', '1.0.2');
    assert.equal(d.verdict, 'safe');
    assert.deepEqual(
      d.requirements.added.map((r) => r.id),
      ['etcd'],
    );
    assert.ok(changes(d).includes('vanishes nats gpu-l40s/pods blocked→-'), changes(d).join('\n'));
    assert.deepEqual(d.fixes, []);
  });

  it('healthy-shared-cluster-sg, 1.0.2 → 1.2.0: NATS appears allowed on the shared cluster SG', async () => {
    const d = await versions('examples/healthy-shared-cluster-sg', '1.0.2', '1.2.0');
    assert.equal(d.verdict, 'safe');
    assert.ok(
      d.flows.some(
        (f) => f.change === 'appears' && f.requirement === 'nats' && f.after?.status === 'allowed',
      ),
      changes(d).join('\n'),
    );
  });

  it('dgxc-multi-sg, 1.0.2 → 1.2.0: 4222 from the customer SG breaks; its 9090 was already broken and is unchanged', async () => {
    const d = await versions('examples/dgxc-multi-sg', '1.0.2', '1.2.0');
    assert.equal(d.verdict, 'breaks');
    assert.deepEqual(
      d.flows.filter((f) => f.breaks).map((f) => f.requirement),
      ['nats', 'nats'],
    );
    assert.ok(!d.flows.some((f) => f.requirement === 'prometheus'), 'same verdict on both versions');
    assert.deepEqual(
      d.fixes.map((f) => f.command),
      [
        'aws ec2 authorize-security-group-ingress --group-id sg-0280e97ae16fcd306 --protocol tcp --port 4222 --source-group sg-0affb20cb8865fd98',
      ],
    );
  });
});

describe('the comparison itself', () => {
  const base = (): AnalysisResult =>
    scenario()
      .subnet('subnet-a', '10.0.16.0/20')
      .withoutNacls()
      .sg('sg-sys', [allTraffic.fromGroup('sg-sys'), tcp(9090).fromGroup('sg-gpu')])
      .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')])
      .node('sys-1', {
        group: 'system',
        subnet: 'subnet-a',
        ip: '10.0.16.10',
        sgs: ['sg-sys'],
        podIps: ['10.0.16.11'],
      })
      .node('gpu-1', { group: 'gpu', subnet: 'subnet-a', ip: '10.0.16.20', sgs: ['sg-gpu'], gpu: true })
      .prometheus('prom-0', 'sys-1', '10.0.16.11')
      .analyze({ dynamoVersion: '1.0.2' });

  it('a flow whose status changes to blocked breaks; one that was blocked already does not', () => {
    const before = base();
    const gpuPrometheus = (f: AnalysisResult['flows'][number]) =>
      f.requirement === 'prometheus' && f.source.nodeGroup === 'gpu';
    const after = {
      ...before,
      flows: before.flows.map((f) =>
        gpuPrometheus(f) ? { ...f, status: 'blocked' as const, reason: 'now blocked' } : f,
      ),
    };
    const d = diffAnalyses(before, after);
    assert.equal(d.verdict, 'breaks');
    assert.deepEqual(changes(d), ['changes prometheus gpu/nodes allowed→blocked BREAKS']);
    assert.equal(d.flows[0]!.after!.reason, 'now blocked');
    assert.equal(diffAnalyses(after, after).verdict, 'safe');
    assert.equal(diffAnalyses(after, after).flows.length, 0);
  });

  it('a new flow that cannot be decided makes the upgrade inconclusive, not safe', () => {
    const before = base();
    const extra = {
      ...before.flows[0]!,
      id: 'nats:new',
      requirement: 'nats' as const,
      status: 'unknown' as const,
    };
    const d = diffAnalyses(before, { ...before, flows: [...before.flows, extra] });
    assert.equal(d.verdict, 'inconclusive');
    assert.deepEqual(changes(d), ['appears nats gpu/nodes -→unknown']);
  });

  it('a port change of the same flow is a change even when the status is not', () => {
    const before = base();
    const after = { ...before, flows: before.flows.map((f) => ({ ...f, port: 9091 })) };
    const d = diffAnalyses(before, after);
    assert.equal(d.verdict, 'safe');
    assert.ok(
      d.flows.length > 0 && d.flows.every((f) => f.change === 'changes' && f.after!.port === 9091),
      changes(d).join(),
    );
  });
});

describe('diff CLI', () => {
  const run = (...args: string[]) => {
    const r = spawnSync('./bin/dynamo-netcheck', args, {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('exit 1 when the upgrade breaks a flow, with the fix to apply first', () => {
    const r = run('diff', '--from', '1.0.2', '--to', '1.2.0', 'examples/upgrade-1.0-to-1.2');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /BREAKS — the upgrade blocks 2 flow classes on this cluster/);
    assert.match(r.stdout, /^\+! +NATS event plane +tcp\/4222 +blocked/m);
    assert.match(r.stdout, /Fix before upgrading \(1 rule, from the 1\.2\.0 analysis\)/);
  });

  it('takes the analysis flags analyze takes (but versions only as --from/--to)', () => {
    const recipe = run(
      'diff',
      '--to',
      '1.2.0',
      'examples/upgrade-1.0-to-1.2',
      '--recipe',
      'h100-eks-ubuntu-inference-dynamo',
    );
    assert.equal(recipe.code, 1, recipe.stderr);
    // A recipe file names the Dynamo it installs (1.2.0): that is the target, not what runs now.
    const file = run(
      'diff',
      '--to',
      '1.2.0',
      'examples/upgrade-1.0-to-1.2',
      '--recipe',
      'examples/recipes/h100-eks-ubuntu-inference-dynamo.yaml',
      '-o',
      'json',
    );
    assert.equal(file.code, 1, file.stderr);
    const d = JSON.parse(file.stdout) as UpgradeDiff;
    assert.deepEqual([d.from.version, d.to.version, d.verdict], ['1.0.2', '1.2.0', 'breaks']);
    const bad = run('diff', '--to', '1.2.0', 'examples/upgrade-1.0-to-1.2', '--system-nodegroup', 'nope');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--system-nodegroup nope: no such node group/);
    const version = run('diff', '--to', '1.2.0', 'examples/upgrade-1.0-to-1.2', '--dynamo-version', '1.2.0');
    assert.equal(version.code, 2);
    assert.match(version.stderr, /unknown option '--dynamo-version'/);
  });

  it('--from defaults to the detected version; usage errors exit 2', () => {
    const detected = run('diff', '--to', '1.2.0', 'examples/upgrade-1.0-to-1.2', '-o', 'json');
    assert.equal(detected.code, 1);
    const d = JSON.parse(detected.stdout) as UpgradeDiff;
    assert.deepEqual([d.from.version, d.to.version, d.to.source], ['1.0.2', '1.2.0', '--to']);
    assert.match(d.from.source, /^detected: /);
    const missing = run('diff', 'examples/upgrade-1.0-to-1.2');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--to <version>/);
    const bad = run('diff', '--to', 'latest', 'examples/upgrade-1.0-to-1.2');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--to latest: expected a version like 1\.2\.0/);
  });
});
