/**
 * `analyze`'s Fix section prints exactly the commands `fix` writes (its default aws-cli script):
 * for every bundled example, the section's commands and the script, run by bash with `aws` and
 * `kubectl` stubbed, make the same calls with the same arguments and the same input.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCliBatch, type BatchRun } from '../../helpers/cli-batch.ts';

const RECIPE_14 = 'examples/recipes/h100-eks-ubuntu-inference-dynamo-1.4.yaml';
const cases: Record<string, string[]> = {
  'dgxc-multi-sg': ['examples/dgxc-multi-sg'],
  'dynamo-1.4-preflight': ['examples/dynamo-1.4-preflight'],
  'dynamo-1.4-preflight with the 1.4 recipe': ['examples/dynamo-1.4-preflight', '--recipe', RECIPE_14],
  'dynamo-1.4-system-frontend': ['examples/dynamo-1.4-system-frontend'],
  'policy-default-deny': ['examples/policy-default-deny'],
  'upgrade-1.0-to-1.2 at 1.2.0': ['examples/upgrade-1.0-to-1.2', '--dynamo-version', '1.2.0'],
  'healthy-shared-cluster-sg': ['examples/healthy-shared-cluster-sg'],
};

const scratch = mkdtempSync(join(tmpdir(), 'netcheck-fix-section-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let runs: Map<string, { analyze: BatchRun; fix: BatchRun }>;

before(() => {
  const argvs = Object.values(cases).flatMap((args) => [
    ['analyze', ...args, '--no-color'],
    ['fix', ...args],
  ]);
  // One process for every run: the CLI's own entry point, no tsx start per run.
  const results = runCliBatch(argvs);
  runs = new Map(
    Object.keys(cases).map((name, i) => [name, { analyze: results[2 * i]!, fix: results[2 * i + 1]! }]),
  );
});

/** The Fix section of analyze's table output: the lines after its heading up to the blank line, comments dropped. */
function fixSection(text: string): { heading: string; commands: string } | undefined {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Fix ('));
  if (start < 0) return undefined;
  const end = lines.indexOf('', start);
  return {
    heading: lines[start]!,
    commands: lines
      .slice(start + 1, end)
      .filter((l) => !l.startsWith('  # '))
      .join('\n'),
  };
}

/** Runs a script with `aws` and `kubectl` stubbed; returns every call: program, arguments, standard input. */
function calls(name: string, script: string): string[][] {
  const dir = join(scratch, name.replace(/\W+/g, '-'));
  mkdirSync(join(dir, 'bin'), { recursive: true });
  const log = join(dir, 'calls.log');
  writeFileSync(log, '');
  for (const tool of ['aws', 'kubectl']) {
    writeFileSync(
      join(dir, 'bin', tool),
      `#!/usr/bin/env bash\n{ printf '%s\\0' ${tool} "$@"; printf 'stdin:'; cat; printf '\\0\\n'; } >> '${log}'\necho '{}'\n`,
    );
    chmodSync(join(dir, 'bin', tool), 0o755);
  }
  const r = spawnSync('bash', ['-c', `set -e\n${script}`], {
    cwd: dir,
    env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}` },
    encoding: 'utf8',
    input: '',
  });
  assert.equal(r.status, 0, `${name}: ${r.stderr}\n${script}`);
  return readFileSync(log, 'utf8')
    .split('\0\n')
    .filter((c) => c !== '')
    .map((c) => c.split('\0'));
}

describe("analyze's Fix section is the commands fix writes", () => {
  for (const [name, args] of Object.entries(cases)) {
    it(name, () => {
      const { analyze, fix } = runs.get(name)!;
      assert.equal(fix.code, 0, fix.stderr);
      const section = fixSection(analyze.stdout);
      const fromFix = calls(`${name}-fix`, fix.stdout);
      if (name === 'healthy-shared-cluster-sg') {
        assert.equal(analyze.code, 0);
        assert.equal(section, undefined, 'nothing to fix, no Fix section');
        assert.deepEqual(fromFix, [], 'and no call in the script');
        return;
      }
      assert.equal(analyze.code, 1, `${args.join(' ')}: FAIL`);
      assert.ok(section, analyze.stdout);
      const fromAnalyze = calls(`${name}-analyze`, section.commands);
      const rules = Number(/^Fix \((\d+) rules?,/.exec(section.heading)![1]);
      assert.equal(fromAnalyze.length, rules, 'one call per item');
      assert.deepEqual(fromAnalyze, fromFix);
    });
  }

  it('dgxc-multi-sg: each rule carries its description and the created-by tag, as the script adds it', () => {
    const section = fixSection(runs.get('dgxc-multi-sg')!.analyze.stdout)!;
    const [first] = calls('dgxc-first', section.commands);
    assert.deepEqual(first, [
      'aws',
      'ec2',
      'authorize-security-group-ingress',
      '--group-id',
      'sg-0280e97ae16fcd306',
      '--ip-permissions',
      JSON.stringify([
        {
          IpProtocol: 'tcp',
          FromPort: 4222,
          ToPort: 4222,
          UserIdGroupPairs: [
            {
              GroupId: 'sg-0affb20cb8865fd98',
              Description: 'NATS event plane, Dynamo 1.2+ (dynamo-netcheck)',
            },
          ],
        },
      ]),
      '--tag-specifications',
      'ResourceType=security-group-rule,Tags=[{Key=created-by,Value=dynamo-netcheck},{Key=dynamo-netcheck:requirements,Value=nats},{Key=dynamo-netcheck:cluster,Value=dgxc-h100}]',
      'stdin:',
    ]);
  });

  it('policy-default-deny: the NetworkPolicy goes to kubectl apply on its standard input', () => {
    const section = fixSection(runs.get('policy-default-deny')!.analyze.stdout)!;
    const [only, ...rest] = calls('policy-first', section.commands);
    assert.deepEqual(rest, []);
    assert.deepEqual(only!.slice(0, 4), ['kubectl', 'apply', '-f', '-']);
    assert.match(only![4]!, /^stdin:apiVersion: networking\.k8s\.io\/v1\nkind: NetworkPolicy\n/);
    assert.match(only![4]!, /port: 4222\n$/);
  });
});
