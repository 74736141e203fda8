/** The command line as users and CI see it: exit codes, stdout/stderr, the JSON contract, bad input. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  mkdtempSync,
  writeFileSync,
  mkdirSync,
  cpSync,
  rmSync,
  readFileSync,
  renameSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';

const run = (...args: string[]) => {
  const r = spawnSync('./bin/dynamo-netcheck', args, {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const scratch = mkdtempSync(join(tmpdir(), 'netcheck-cli-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('analyze CLI', () => {
  it('fails a blocked cluster with exit 1 and prints the fix', () => {
    const r = run('analyze', 'examples/dgxc-multi-sg');
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Verdict: FAIL/);
    assert.match(
      r.stdout,
      /aws ec2 authorize-security-group-ingress \\\n {4}--group-id sg-0280e97ae16fcd306 \\\n {4}--ip-permissions '\[\{"IpProtocol":"tcp","FromPort":4222,"ToPort":4222,"UserIdGroupPairs":\[\{"GroupId":"sg-0affb20cb8865fd98",/,
    );
    assert.equal(r.stderr, '', 'nothing on stderr for good input');
  });

  it('-o json prints exactly one object with the JSON contract (docs/architecture.md)', () => {
    const r = run('analyze', 'examples/dgxc-multi-sg', '-o', 'json');
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(out.verdict, 'fail');
    const flows = out.flows as Record<string, unknown>[];
    for (const flow of flows) {
      for (const key of ['requirement', 'protocol', 'port', 'source', 'destination', 'status', 'reason'])
        assert.ok(key in flow, key);
      for (const end of [flow.source, flow.destination] as Record<string, unknown>[]) {
        assert.equal(typeof end.nodeGroup, 'string');
        assert.ok(Array.isArray(end.securityGroups));
      }
      assert.ok(['allowed', 'blocked', 'unknown'].includes(flow.status as string));
    }
    const remediation = out.remediation as Record<string, unknown>[];
    assert.ok(remediation.length > 0);
    for (const fix of remediation) {
      for (const key of ['groupId', 'protocol', 'fromPort', 'toPort', 'command']) assert.ok(key in fix, key);
      assert.ok('sourceGroupId' in fix || 'cidr' in fix);
      assert.notEqual(fix.cidr, '0.0.0.0/0');
      assert.notEqual(fix.protocol, '-1');
    }
  });

  it('passes a healthy cluster with exit 0', () => {
    assert.equal(run('analyze', 'examples/healthy-shared-cluster-sg').code, 0);
  });

  it('exit 3 when nothing is blocked but something is unknown', () => {
    const dir = join(scratch, 'unknown');
    cpSync('examples/healthy-shared-cluster-sg', dir, { recursive: true });
    // Drop the ENIs: pods can no longer be placed, so nothing can be decided.
    rmSync(join(dir, 'aws/network-interfaces.json'));
    writeFileSync(join(dir, 'aws/instances.json'), JSON.stringify({ Reservations: [] }));
    const r = run('analyze', dir, '-o', 'json');
    assert.equal(r.code, 3);
    assert.equal(JSON.parse(r.stdout).verdict, 'unknown');
  });

  it('a preflight can pass: before install every flow is predicted where AICR places the pods', () => {
    const dir = join(scratch, 'before-install');
    cpSync('examples/healthy-shared-cluster-sg', dir, { recursive: true });
    // Before install: no pods, so NATS, Prometheus, the frontend and the workers are all predicted.
    for (const file of ['pods.json', 'endpointslices.yaml', 'services.json']) rmSync(join(dir, 'k8s', file));
    const r = run('analyze', dir, '--dynamo-version', '1.2.0');
    // Every node carries the cluster SG, which admits itself on all traffic (the example's README).
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /Verdict: PASS — 0 blocked, 0 unknown, \d+ allowed flow classes\n/);
    assert.match(r.stdout, /frontend, if not deployed, predicted on the GPU node groups/);
  });

  it('exit 3 when every evaluated flow is allowed but a requirement could not be evaluated', () => {
    const dir = join(scratch, 'no-system-nodes');
    cpSync('examples/healthy-shared-cluster-sg', dir, { recursive: true });
    for (const file of ['pods.json', 'endpointslices.yaml', 'services.json']) rmSync(join(dir, 'k8s', file));
    // Every node group named a GPU group: no system node is left to predict NATS and Prometheus on.
    const r = run('analyze', dir, '--dynamo-version', '1.2.0', '--gpu-nodegroup', 'gpu-a100,system');
    assert.equal(r.code, 3, r.stdout);
    assert.match(
      r.stdout,
      /Verdict: UNKNOWN — 0 blocked, 0 unknown, \d+ allowed flow classes; \d+ requirements? not evaluated/,
    );
    assert.match(
      r.stdout,
      /NATS event plane: dynamo-platform-nats\.dynamo-system is not deployed and no system node group/,
    );
  });

  it('bad input: names file and JSON path, exit 2, nothing on stdout', () => {
    const dir = join(scratch, 'bad');
    mkdirSync(join(dir, 'aws'), { recursive: true });
    writeFileSync(
      join(dir, 'aws/sg.json'),
      JSON.stringify({ SecurityGroups: [{ GroupId: 'sg-1' }, { GroupId: 'sg-2', IpPermissions: {} }] }),
    );
    const r = run('analyze', dir);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /aws\/sg\.json: SecurityGroups\[1\]\.IpPermissions: .*expected array/);
  });

  it('a malformed EC2 id is an input error naming file and path: exit 2, no command printed', () => {
    const dir = join(scratch, 'bad-id');
    cpSync('examples/dgxc-multi-sg', dir, { recursive: true });
    const file = join(dir, 'aws/security-groups.json');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replaceAll('"sg-0280e97ae16fcd306"', '"sg-0280e97ae16fcd306$(touch pwned)"'),
    );
    const r = run('analyze', dir);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /aws\/security-groups\.json: SecurityGroups\[\d+\]\.GroupId: expected an id of the form sg-…/,
    );
  });

  it('truncated file → exit 2 naming it', () => {
    const dir = join(scratch, 'truncated');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'nodes.json'), '{"apiVersion":"v1","kind":"List","items":[{"kind":"No');
    const r = run('analyze', dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /nodes\.json: line 1, column \d+: invalid JSON/);
  });

  it('unknown files are reported on stderr and ignored', () => {
    const dir = join(scratch, 'extra');
    cpSync('examples/healthy-shared-cluster-sg', dir, { recursive: true });
    writeFileSync(join(dir, 'notes.yaml'), 'hello: world\n');
    const r = run('analyze', dir);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /ignored notes\.yaml: not a recognised AWS or Kubernetes document/);
  });

  it('usage errors exit 2: missing dir, bad version, unknown node group, bad format', () => {
    assert.equal(run('analyze', join(scratch, 'nope')).code, 2);
    const badVersion = run('analyze', 'examples/dgxc-multi-sg', '--dynamo-version', 'banana');
    assert.equal(badVersion.code, 2);
    assert.match(badVersion.stderr, /--dynamo-version banana/);
    const badGroup = run('analyze', 'examples/dgxc-multi-sg', '--system-nodegroup', 'nosuch');
    assert.equal(badGroup.code, 2);
    assert.match(badGroup.stderr, /no such node group.*have: cpu-inference, gpu-h100, system/);
    assert.equal(run('analyze', 'examples/dgxc-multi-sg', '-o', 'xml').code, 2);
    assert.equal(run('no-such-command').code, 2);
  });

  it('version upgrade what-if: the 1.0.2 cluster fails for 1.2.0', () => {
    assert.equal(run('analyze', 'examples/upgrade-1.0-to-1.2').code, 0);
    assert.equal(run('analyze', 'examples/upgrade-1.0-to-1.2', '--dynamo-version', '1.2.0').code, 1);
  });
});

describe('requirements CLI', () => {
  it('prints the flows for a recipe and version', () => {
    const r = run(
      'requirements',
      '--recipe',
      'h100-eks-ubuntu-inference-dynamo',
      '--dynamo-version',
      '1.2.0',
    );
    assert.equal(r.code, 0);
    assert.match(r.stdout, /TCP 4222 {2}NATS event plane/);
    assert.match(r.stdout, /TCP 9090 {2}Prometheus for ai-service-metrics/);
    assert.match(
      r.stdout,
      /etcd control plane \(pre-1\.2\): no etcd store \(Dynamo 1\.2-1\.3 needs no etcd by default\)/,
    );
  });

  it('reads a RecipeResult file and rejects a malformed one with its path', () => {
    assert.equal(
      run('requirements', '--recipe', 'examples/recipes/h100-eks-ubuntu-inference-dynamo.yaml', '-o', 'json')
        .code,
      0,
    );
    const file = join(scratch, 'recipe.yaml');
    writeFileSync(file, 'kind: RecipeResult\ncomponentRefs: {name: x}\n');
    const r = run('requirements', '--recipe', file);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /recipe\.yaml: componentRefs: .*expected array/);
  });

  it('--help lists every command', () => {
    const r = run('--help');
    assert.equal(r.code, 0);
    for (const command of ['analyze', 'requirements', 'dial'])
      assert.match(r.stdout, new RegExp(`\\b${command}\\b`));
  });
});

describe('input that never vanishes, one cluster per run (issue 16)', () => {
  const bin = resolve('bin/dynamo-netcheck');
  /** A real shell, a real redirection: the file the report goes to is created before the tool runs. */
  const shell = (command: string) => {
    const r = spawnSync('sh', ['-c', command], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('`cd snapshot && dynamo-netcheck analyze . -o json > report.json` works twice in a row', () => {
    const dir = join(scratch, 'report-in-snapshot');
    cpSync('examples/dgxc-multi-sg', dir, { recursive: true });
    const command = `cd '${dir}' && '${bin}' analyze . -o json > report.json`;
    const first = shell(command);
    assert.equal(first.code, 1, first.stderr);
    assert.equal(first.stderr, '', 'its own output is noted in the report, not warned about');
    const once = readFileSync(join(dir, 'report.json'), 'utf8');
    const second = shell(command);
    assert.equal(second.code, 1, second.stderr);
    const twice = readFileSync(join(dir, 'report.json'), 'utf8');
    assert.equal(twice, once, 'the second run reads exactly what the first did');
    const report = JSON.parse(twice) as { verdict: string; notes: string[]; flows: unknown[] };
    const direct = JSON.parse(run('analyze', 'examples/dgxc-multi-sg', '-o', 'json').stdout) as typeof report;
    assert.equal(report.verdict, 'fail');
    assert.deepEqual(report.flows, direct.flows);
    assert.deepEqual(report.notes, [
      ...direct.notes,
      "skipped report.json: this run's own output (standard output is redirected to it), not read",
    ]);
  });

  it('earlier reports in the snapshot (JSON, CTRF, JUnit) are skipped with a note; the verdict stands', () => {
    const dir = join(scratch, 'reports-in-snapshot');
    cpSync('examples/healthy-shared-cluster-sg', dir, { recursive: true });
    const r = shell(
      [
        `cd '${dir}'`,
        `'${bin}' analyze . -o ctrf > ctrf-report.json`,
        `'${bin}' analyze . -o junit > junit.xml`,
        `'${bin}' analyze . -o json > report.json`,
        `'${bin}' analyze . -o json > again.json`,
      ].join(' && '),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const report = JSON.parse(readFileSync(join(dir, 'again.json'), 'utf8')) as {
      verdict: string;
      notes: string[];
    };
    assert.equal(report.verdict, 'pass');
    const skipped = report.notes.filter((n) => n.startsWith('skipped '));
    assert.deepEqual(skipped, [
      "skipped again.json: this run's own output (standard output is redirected to it), not read",
      'skipped ctrf-report.json: an earlier report of dynamo-netcheck, not cluster data (CTRF)',
      'skipped junit.xml: an earlier report of dynamo-netcheck, not cluster data (JUnit XML)',
      'skipped report.json: an earlier report of dynamo-netcheck, not cluster data (JSON)',
    ]);
  });

  it('files are read whatever their name; those not read are warned about on stderr and listed in the report', () => {
    const dir = join(scratch, 'odd-names');
    cpSync('examples/healthy-shared-cluster-sg', dir, { recursive: true });
    renameSync(join(dir, 'aws/security-groups.json'), join(dir, 'aws/security-groups.txt'));
    renameSync(join(dir, 'k8s/pods.json'), join(dir, 'k8s/pods'));
    writeFileSync(
      join(dir, 'aws/instances.json'),
      readFileSync(join(dir, 'aws/instances.json'), 'utf8').replace(/^\{/, '{"NextToken": "abc",'),
    );
    writeFileSync(join(dir, 'notes.txt'), 'taken by alice: ask her first\n| a | b |\n');
    const r = run('analyze', dir);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /Verdict: PASS/);
    assert.match(r.stdout, /warning: aws\/instances\.json: incomplete capture: it ends with a NextToken/);
    assert.match(r.stdout, /note: skipped notes\.txt: text that is neither JSON nor YAML data/);
    assert.match(r.stderr, /warning: ignored notes\.txt: text that is neither JSON nor YAML data/);
    assert.match(r.stderr, /warning: aws\/instances\.json: incomplete capture/);
    assert.doesNotMatch(r.stdout + r.stderr, /README/, 'the README is documentation');
    // A link out of the directory would hide what it stands for: refused, naming it (issue 17).
    const outside = join(scratch, 'outside.json');
    writeFileSync(outside, JSON.stringify({ SecurityGroups: [] }));
    symlinkSync(outside, join(dir, 'host.json'));
    const linked = run('analyze', dir);
    assert.equal(linked.code, 2);
    assert.equal(linked.stdout, '');
    assert.equal(
      linked.stderr,
      `dynamo-netcheck: bad input: host.json: symbolic link to ${outside}, outside the snapshot directory: refused (copy what it points to into the snapshot to have it read)\n`,
    );
  });

  it('a folder of several clusters exits 2 naming them; --cluster (offline) or --vpc picks one', () => {
    const all = run('analyze', 'examples');
    assert.equal(all.code, 2);
    assert.equal(all.stdout, '');
    assert.match(
      all.stderr,
      /examples: more than one cluster here; pick one with --cluster NAME or --vpc ID/,
    );
    for (const name of ['dgxc-h100', 'prod-inference', 'legacy-dynamo'])
      assert.match(all.stderr, new RegExp(`\\n {2}${name} `));
    const picked = run('analyze', 'examples', '--cluster', 'dgxc-h100', '-o', 'json');
    assert.equal(picked.code, 1, picked.stderr);
    const alone = JSON.parse(run('analyze', 'examples/dgxc-multi-sg', '-o', 'json').stdout) as {
      flows: unknown[];
    };
    assert.deepEqual((JSON.parse(picked.stdout) as typeof alone).flows.length, alone.flows.length);
    assert.equal(run('analyze', 'examples', '--vpc', 'vpc-0189b682cdfcf3c86').code, 0);
    const twice = run('fix', 'examples', '--cluster', 'prod-inference');
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /cluster prod-inference is captured more than once here/);
  });
});
