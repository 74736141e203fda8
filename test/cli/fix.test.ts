/**
 * `fix` on the command line: each -o format on stdout with exit 0, usage errors exit 2 before
 * anything is read or changed, and `--apply` end to end — the CLI's own EC2Client answered by the
 * stateful fake account — for a denied dry run (exit 4, nothing changed, no file), a first run
 * (rules added, revoke script, new verdict), a second run (a no-op) and a partial failure (exit 1).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  mkdirSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse as parseHcl } from '@cdktf/hcl2json';
import YAML from 'yaml';
import type { FakeAccount } from '../questions/fix/cli-with-fake-ec2.ts';
import { startCli, type CliWorker } from '../helpers/cli-in-worker.ts';
import { emptyState } from '../questions/fix/fake-ec2.ts';
import { loadKubeObjects, namespacesOf, startFakeKubeApi } from '../helpers/fake-kube-api.ts';
import { ingressAndEgressCluster } from '../questions/fix/scenarios.ts';

const EXAMPLE = resolve('examples/dgxc-multi-sg');
const SYSTEM_SG = 'sg-0280e97ae16fcd306';
const TSX = createRequire(import.meta.url).resolve('tsx');
const RUNNER = resolve('test/questions/fix/cli-with-fake-ec2.ts');

const scratch = mkdtempSync(join(tmpdir(), 'netcheck-fix-cli-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function spawn(
  file: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Run> {
  return new Promise((done) => {
    execFile(
      file,
      args,
      {
        encoding: 'utf8',
        cwd: options.cwd ?? process.cwd(),
        env: { ...process.env, NO_COLOR: '1', ...options.env },
      },
      (error, stdout, stderr) => done({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

// Offline runs share one in-process CLI worker: its start-up (Node, tsx, the SDKs) is the slow part.
const worker: CliWorker = startCli(EXAMPLE);
after(() => worker.close());
const cli = (...args: string[]): Promise<Run> => worker.run(args);

/** A directory with its own fake account file; the CLI runs in it, so default revoke scripts land there. */
function workspace(
  name: string,
  account: FakeAccount,
): { dir: string; accountFile: string; account: () => FakeAccount } {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  const accountFile = join(dir, '..', `${name}.account.json`);
  writeFileSync(accountFile, JSON.stringify(account));
  return { dir, accountFile, account: () => JSON.parse(readFileSync(accountFile, 'utf8')) as FakeAccount };
}

/**
 * The example's cluster live: its Kubernetes objects behind the fake API server, its security
 * groups in a fresh fake account that the collector also reads; `live` are the flags that reach it.
 */
async function liveAccount(name: string): Promise<{
  ws: ReturnType<typeof workspace>;
  live: string[];
  close: () => Promise<void>;
}> {
  const objects = loadKubeObjects(join(EXAMPLE, 'k8s'));
  const api = await startFakeKubeApi({
    objects: [...objects, ...namespacesOf(objects)],
    absentCrds: ['securitygrouppolicies'],
  });
  const groups = (
    JSON.parse(readFileSync(join(EXAMPLE, 'aws/security-groups.json'), 'utf8')) as {
      SecurityGroups: { GroupId: string }[];
    }
  ).SecurityGroups.map((g) => g.GroupId);
  const ws = workspace(name, { state: emptyState(groups), live: EXAMPLE });
  const kubeconfig = join(ws.dir, '..', `${name}.kubeconfig`);
  writeFileSync(kubeconfig, api.kubeconfigYaml());
  const live = ['--live', '--cluster', 'dgxc-h100', '--region', 'us-west-2', '--kubeconfig', kubeconfig];
  return { ws, live, close: () => api.close() };
}

const withFakeEc2 = (ws: { dir: string; accountFile: string }, ...args: string[]): Promise<Run> =>
  spawn(process.execPath, ['--import', TSX, RUNNER, ...args], {
    cwd: ws.dir,
    env: { FAKE_EC2_ACCOUNT: ws.accountFile },
  });

describe('fix writes the remediation as code', () => {
  it('default: the aws-cli script on stdout, nothing on stderr, exit 0', async () => {
    const r = await cli('fix', EXAMPLE);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^#!\/usr\/bin\/env bash\n/);
    assert.equal(r.stdout.match(/^ {2}aws ec2 authorize-security-group-ingress \\$/gm)?.length, 3);
  });

  it('-o terraform parses as HCL', async () => {
    const r = await cli('fix', EXAMPLE, '-o', 'terraform');
    assert.equal(r.code, 0, r.stderr);
    const json = (await parseHcl('netcheck.tf', r.stdout)) as { resource: Record<string, object> };
    assert.equal(Object.keys(json.resource.aws_vpc_security_group_ingress_rule!).length, 3);
  });

  it('-o cloudformation is a template of SecurityGroupIngress resources', async () => {
    const r = await cli('fix', EXAMPLE, '-o', 'cloudformation', '--no-conformance');
    assert.equal(r.code, 0, r.stderr);
    const template = YAML.parse(r.stdout) as {
      Resources: Record<string, { Type: string; Properties: { FromPort: number } }>;
    };
    // --no-conformance drops the two 9090 rules: the analysis options reach the fix.
    assert.deepEqual(
      Object.values(template.Resources).map((x) => `${x.Type} ${x.Properties.FromPort}`),
      ['AWS::EC2::SecurityGroupIngress 4222'],
    );
  });

  it('-o kubernetes: the YAML dropped into the snapshot as kubectl would apply it makes the policy example pass', async () => {
    const dir = join(scratch, 'policy-fixed');
    cpSync('examples/policy-default-deny', dir, { recursive: true });
    const before = await cli('analyze', dir);
    assert.equal(before.code, 1, before.stderr);
    const r = await cli('fix', dir, '-o', 'kubernetes');
    assert.equal(r.code, 0, r.stderr);
    writeFileSync(join(dir, 'k8s', 'netcheck-fix.yaml'), r.stdout);
    const after = await cli('analyze', dir);
    assert.equal(after.code, 0, after.stdout);
    assert.match(after.stdout, /Verdict: PASS/);
  });

  it('-o json is one object', async () => {
    const r = await cli('fix', EXAMPLE, '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { verdict: string; securityGroupRules: unknown[] };
    assert.equal(out.verdict, 'fail');
    assert.equal(out.securityGroupRules.length, 3);
  });

  it('--apply without a terminal and without --yes refuses before any AWS call (exit 2)', async () => {
    const r = await worker.run(['fix', EXAMPLE, '--apply', '--region', 'us-west-2']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /without a terminal to ask on, pass --yes/);
    assert.equal(r.stdout, '');
    assert.deepEqual(r.calls, []);
  });

  for (const [args, message] of [
    [['-o', 'hcl'], /argument 'hcl' is invalid/],
    [['--apply'], /--apply changes an AWS account: use --live, or name the account/],
    [['--yes'], /--yes only goes with --apply/],
    [['--apply', '--region', 'us-west-2', '-o', 'terraform'], /-o terraform is for writing the fix/],
    [['--gpu-nodegroup', 'nope'], /--gpu-nodegroup nope: no such node group/],
  ] as const) {
    it(`usage error: ${args.join(' ')} → exit 2, nothing on stdout`, async () => {
      const r = await cli('fix', EXAMPLE, ...args);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, message);
    });
  }
});

describe('fix --apply against the account', { concurrency: true }, () => {
  it('on a terminal it asks: no changes nothing, yes applies', async () => {
    const ws = workspace('tty', { state: emptyState([SYSTEM_SG]) });
    // script(1) gives the CLI a terminal; the answer comes through it.
    const onTerminal = (answer: string): Promise<Run> => {
      const command = [
        process.execPath,
        '--import',
        TSX,
        RUNNER,
        'fix',
        EXAMPLE,
        '--apply',
        '--region',
        'us-west-2',
      ]
        .map((w) => `'${w}'`)
        .join(' ');
      return spawn('bash', ['-c', `printf '${answer}\\n' | script -qec "${command}" /dev/null`], {
        cwd: ws.dir,
        env: { FAKE_EC2_ACCOUNT: ws.accountFile },
      });
    };
    const no = await onTerminal('n');
    assert.equal(no.code, 1, no.stdout);
    assert.match(no.stdout, /Add 3 items to account 123456789012\? \[y\/N\]/);
    assert.match(no.stdout, /nothing changed/);
    assert.deepEqual(ws.account().calls, []);
    const yes = await onTerminal('y');
    assert.equal(yes.code, 0, yes.stdout);
    assert.equal(ws.account().state.rules.length, 3);
  });

  it('a denied dry run: exit 4, the missing actions named, nothing changed, no file left', async () => {
    const ws = workspace('denied', {
      state: emptyState([SYSTEM_SG]),
      denied: ['ec2:AuthorizeSecurityGroupIngress'],
    });
    const r = await withFakeEc2(ws, 'fix', EXAMPLE, '--apply', '--yes', '--region', 'us-west-2');
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /missing permissions — nothing was changed/);
    assert.match(r.stderr, /Grant the caller ec2:AuthorizeSecurityGroupIngress, ec2:CreateTags/);
    assert.equal(r.stdout, '');
    const account = ws.account();
    assert.deepEqual(account.state.rules, []);
    assert.ok(account.calls!.every((c) => c.dryRun));
    assert.deepEqual(readdirSync(ws.dir), []);
  });

  it('first run adds the three rules and writes the revoke script; the second run is a no-op', async () => {
    const ws = workspace('twice', { state: emptyState([SYSTEM_SG]) });
    const first = await withFakeEc2(ws, 'fix', EXAMPLE, '--apply', '--yes', '--region', 'us-west-2');
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /will add 3 items for cluster dgxc-h100 in account 123456789012/);
    assert.equal(first.stdout.match(/^added /gm)?.length, 3);
    // 11: the seven allowed before (the operator webhook from the control plane among them) and the four fixed.
    assert.match(first.stdout, /Verdict after: PASS \(11 allowed, 0 blocked, 0 unknown\); before: FAIL/);
    const rules = ws.account().state.rules;
    assert.equal(rules.length, 3);
    const [script] = readdirSync(ws.dir);
    assert.match(script!, /^dynamo-netcheck-revoke-\d{8}T\d{6}Z\.sh$/);
    assert.match(
      first.stdout,
      new RegExp(`Revoke script \\(exactly what this run added\\): ${join(ws.dir, script!)}`),
    );
    const text = readFileSync(join(ws.dir, script!), 'utf8');
    assert.deepEqual(
      [...text.matchAll(/--security-group-rule-ids (\S+)/g)].map((m) => m[1]).sort(),
      rules.map((x) => x.id).sort(),
    );

    const second = await withFakeEc2(
      ws,
      'fix',
      EXAMPLE,
      '--apply',
      '--yes',
      '--region',
      'us-west-2',
      '-o',
      'json',
    );
    assert.equal(second.code, 0, second.stderr);
    const report = JSON.parse(second.stdout) as {
      results: { status: string }[];
      revokeScript?: string;
      after: { verdict: string };
    };
    assert.deepEqual(
      report.results.map((x) => x.status),
      ['already-present', 'already-present', 'already-present'],
    );
    assert.equal(report.revokeScript, undefined);
    assert.equal(report.after.verdict, 'pass');
    assert.deepEqual(ws.account().state.rules, rules);
    assert.deepEqual(readdirSync(ws.dir), [script], 'no second revoke script');
  });

  it('--live: collects, applies, re-collects and prints the verdict with the rules in', async () => {
    const { ws, live, close } = await liveAccount('live');
    try {
      const args = ['fix', ...live, '--apply', '--yes', '-o', 'json'];
      const first = await withFakeEc2(ws, ...args);
      assert.equal(first.code, 0, first.stderr);
      const report = JSON.parse(first.stdout) as {
        results: { status: string }[];
        before: { verdict: string };
        after: { verdict: string };
      };
      assert.deepEqual(
        report.results.map((x) => x.status),
        ['added', 'added', 'added'],
      );
      assert.deepEqual([report.before.verdict, report.after.verdict], ['fail', 'pass']);
      // Live, the second run re-collects a cluster that needs nothing: no call changes anything.
      const second = await withFakeEc2(ws, ...args);
      assert.equal(second.code, 0, second.stderr);
      assert.deepEqual(JSON.parse(second.stdout).results, []);
      assert.equal(ws.account().state.rules.length, 3);
    } finally {
      await close();
    }
  });

  it('--live: apply, run the revoke script, re-analyse: back to the original verdict and blocked flows', async () => {
    const { ws, live, close } = await liveAccount('revoke-live');
    try {
      type Flows = { verdict: string; flows: { id: string; status: string }[] };
      const blocked = (r: Flows): string[] =>
        r.flows.filter((f) => f.status !== 'allowed').map((f) => `${f.id} ${f.status}`);
      const analyze = async (): Promise<Flows> => {
        const run = await withFakeEc2(ws, 'analyze', ...live, '-o', 'json');
        assert.ok([0, 1].includes(run.code), run.stderr);
        return JSON.parse(run.stdout) as Flows;
      };

      const original = await analyze();
      assert.equal(original.verdict, 'fail');
      assert.ok(blocked(original).length > 0);
      const revoke = join(ws.dir, 'undo.sh');
      const applied = await withFakeEc2(ws, 'fix', ...live, '--apply', '--yes', '--revoke-script', revoke);
      assert.equal(applied.code, 0, applied.stderr);
      assert.equal((await analyze()).verdict, 'pass');
      assert.equal(ws.account().state.rules.length, 3);

      // A stand-in `aws` that does to the fake account what EC2 does with each revoke call the
      // script makes, and refuses anything else.
      const bin = join(ws.dir, 'bin');
      mkdirSync(bin);
      writeFileSync(
        join(bin, 'aws'),
        `#!/usr/bin/env bash\nexec ${JSON.stringify(process.execPath)} -e '
const fs = require("node:fs");
const args = process.argv.slice(1);
const at = (flag) => args[args.indexOf(flag) + 1];
if (args[0] !== "ec2" || !/^revoke-security-group-(ingress|egress)$/.test(args[1])) process.exit(64);
const account = JSON.parse(fs.readFileSync(process.env.FAKE_EC2_ACCOUNT, "utf8"));
const egress = args[1].endsWith("egress");
const ids = at("--security-group-rule-ids").split(/[ ,]/);
const before = account.state.rules.length;
account.state.rules = account.state.rules.filter(
  (r) => !(ids.includes(r.id) && r.groupId === at("--group-id") && r.egress === egress));
if (account.state.rules.length !== before - ids.length) process.exit(65);
fs.writeFileSync(process.env.FAKE_EC2_ACCOUNT, JSON.stringify(account));
' -- "$@"\n`,
        { mode: 0o755 },
      );
      const undo = await spawn('bash', [revoke], {
        env: { FAKE_EC2_ACCOUNT: ws.accountFile, PATH: `${bin}:${process.env.PATH}` },
      });
      assert.equal(undo.code, 0, undo.stderr);
      assert.deepEqual(ws.account().state.rules, []);

      const reverted = await analyze();
      assert.equal(reverted.verdict, original.verdict);
      assert.deepEqual(blocked(reverted), blocked(original));
    } finally {
      await close();
    }
  });

  it('a partial failure: exit 1, the rest applied, the revoke script lists only what was added', async () => {
    const snapshot = join(scratch, 'partial-snapshot');
    for (const file of ingressAndEgressCluster().files()) {
      mkdirSync(join(snapshot, file.path, '..'), { recursive: true });
      writeFileSync(join(snapshot, file.path), file.text);
    }
    // sg-gpu is gone from the account: its egress rule fails, the two ingress rules go in.
    const ws = workspace('partial', { state: emptyState(['sg-sys', 'sg-gpu2']) });
    const revoke = join(ws.dir, 'undo.sh');
    const r = await withFakeEc2(
      ws,
      'fix',
      snapshot,
      '--dynamo-version',
      '1.2.0',
      '--no-conformance',
      '--apply',
      '--yes',
      '--profile',
      'prod',
      '--revoke-script',
      revoke,
    );
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout.match(/^added /gm)?.length, 2);
    assert.match(
      r.stdout,
      /^FAILED +sg-rule-3: egress from sg-gpu to sg-sys, tcp\/4222 .* — InvalidGroup\.NotFound: /m,
    );
    assert.match(r.stdout, /Verdict after: FAIL/);
    const added = ws.account().state.rules;
    assert.equal(added.length, 2);
    const text = readFileSync(revoke, 'utf8');
    assert.match(text, /--profile prod/);
    assert.deepEqual(
      [...text.matchAll(/--security-group-rule-ids (\S+)/g)].map((m) => m[1]).sort(),
      added.map((x) => x.id).sort(),
    );
    assert.doesNotMatch(text, /egress/);
    assert.ok(existsSync(revoke));
  });
});
