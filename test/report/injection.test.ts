/**
 * Issue 17, item 1: nothing the tool prints can run. A snapshot is input someone else hands you;
 * its ids reach the fix commands of every format. Here the ids carry shell payloads (command
 * substitution, backquotes, a quote that closes the word), the commands of every format are run by
 * bash with a stand-in `aws` and `kubectl` on PATH, and no payload may create its file; the
 * stand-in must receive each id as one intact argument.
 *
 * The loader refuses such ids (test/snapshot/ids.test.ts); the library takes a Snapshot from any
 * caller, so the ids are put in after loading, as a caller building one by hand could.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildModel } from '../../src/model/build.ts';
import { analyzeSnapshot, type AnalysisResult } from '../../src/questions/analyze.ts';
import { diagnose } from '../../src/questions/diagnose/diagnose.ts';
import type { ItemResult } from '../../src/questions/fix/apply-plan.ts';
import { applyPlan } from '../../src/questions/fix/apply-plan.ts';
import { fixPlan } from '../../src/questions/fix/plan.ts';
import { renderDiagnosis } from '../../src/report/diagnose.ts';
import { emitters } from '../../src/report/fix/index.ts';
import { revokeScript } from '../../src/report/fix/revoke.ts';
import { renderers } from '../../src/report/index.ts';
import type { Snapshot } from '../../src/snapshot/types.ts';
import { dynamoPod, list, podLogs } from '../questions/diagnose/fixtures.ts';
import { ingressAndEgressCluster, naclBlockedCluster, OPTIONS } from '../questions/fix/scenarios.ts';

/** Each payload creates a file named after it in the working directory if a shell runs it. */
const HOSTILE: Record<string, string> = {
  'sg-sys': 'sg-0affb20c$(touch pwned-subst)',
  'sg-gpu': 'sg-0affb20d`touch pwned-backquote`',
  'sg-gpu2': "sg-0affb20e';touch pwned-quote;'",
  'acl-sys': 'acl-0affb20f";touch pwned-dquote;"',
};

/** The snapshot with every string equal to a key of `map` replaced by its value. */
function replaceStrings<T>(value: T, map: Record<string, string>): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return Object.hasOwn(map, v) ? map[v] : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v instanceof Map) return new Map([...v].map(([k, x]) => [walk(k), walk(x)]));
    if (v instanceof Set) return new Set([...v].map(walk));
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

const hostile = (snapshot: Snapshot): Snapshot => replaceStrings(snapshot, HOSTILE);

const crashing = list([
  dynamoPod('frontend-0', 'frontend', 'gpu-3', '10.0.32.31'),
  dynamoPod('worker-0', 'worker', 'gpu-3', '10.0.32.32'),
]);
const NATS_TIMEOUT = ['Exception: Failed to connect to NATS: timed out'];

const sgSnapshot = hostile(
  ingressAndEgressCluster()
    .node('gpu-3', {
      group: 'gpu-a',
      subnet: 'subnet-gpu',
      ip: '10.0.32.30',
      sgs: ['sg-gpu'],
      gpu: true,
      podIps: ['10.0.32.31', '10.0.32.32'],
    })
    .file('k8s/dynamo.json', crashing)
    .file('logs/dynamo.json', podLogs([{ pod: 'frontend-0', lines: NATS_TIMEOUT }]))
    .snapshot(),
);
const naclSnapshot = hostile(naclBlockedCluster().cluster.snapshot());
const sgResult = analyzeSnapshot(sgSnapshot, OPTIONS);
const naclResult = analyzeSnapshot(naclSnapshot, OPTIONS);

const scratch = mkdtempSync(join(tmpdir(), 'netcheck-injection-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `script` with bash in a fresh directory; returns the stand-ins' argv and the files left. */
function runBash(name: string, script: string): { argv: string[][]; files: string[]; stderr: string } {
  const dir = join(scratch, name);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  const log = join(dir, 'argv.log');
  for (const tool of ['aws', 'kubectl']) {
    writeFileSync(
      join(dir, 'bin', tool),
      `#!/usr/bin/env bash\nprintf '%s\\0' ${tool} "$@" >> '${log}'\nprintf '\\n' >> '${log}'\ncat > /dev/null\necho '{}'\n`,
    );
    chmodSync(join(dir, 'bin', tool), 0o755);
  }
  writeFileSync(log, '');
  const run = spawnSync('bash', ['-c', script], {
    cwd: dir,
    env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}` },
    encoding: 'utf8',
    input: '',
  });
  const argv = readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\0').slice(0, -1));
  const files = readdirSync(dir).filter((f) => f !== 'bin' && f !== 'argv.log');
  return { argv, files, stderr: run.stderr };
}

/** The value after each occurrence of one of `flags` in the logged calls. */
function idsPassed(argv: string[][], flags: readonly string[]): string[] {
  return argv.flatMap((a) => a.flatMap((w, i) => (flags.includes(w) ? [a[i + 1]!] : [])));
}

function assertSafe(name: string, script: string, expectCalls = true): void {
  const run = runBash(name, script);
  assert.deepEqual(run.files, [], `${name}: a payload ran\n${script}\n${run.stderr}`);
  if (!expectCalls) return;
  assert.ok(run.argv.length > 0, `${name}: no command ran\n${script}\n${run.stderr}`);
  const ids = idsPassed(run.argv, ['--group-id', '--source-group', '--network-acl-id']);
  assert.ok(ids.length > 0, `${name}: no id passed`);
  const known = new Set(Object.values(HOSTILE));
  for (const id of ids) assert.ok(known.has(id), `${name}: ${JSON.stringify(id)} is not one intact id`);
}

const unescapeHtml = (s: string): string =>
  s
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');

describe('fix commands with hostile ids run nothing but the command (issue 17 item 1)', () => {
  const results: [string, AnalysisResult][] = [
    ['sg', sgResult],
    ['nacl', naclResult],
  ];

  it('the scenarios have SG ingress, SG egress and NACL fixes', () => {
    assert.ok(sgResult.remediation.some((r) => 'direction' in r && r.direction === 'ingress'));
    assert.ok(sgResult.remediation.some((r) => 'direction' in r && r.direction === 'egress'));
    assert.ok(naclResult.naclRemediation.length > 0);
  });

  for (const [name, result] of results) {
    it(`${name}: analyze -o json remediation[].command (and naclRemediation, policyRemediation)`, () => {
      const json = JSON.parse(renderers.json!(result, { color: false, verbose: false })) as Record<
        'remediation' | 'naclRemediation' | 'policyRemediation',
        { command: string }[]
      >;
      const items = [...json.remediation, ...json.naclRemediation, ...json.policyRemediation];
      assertSafe(`${name}-json`, items.map((r) => r.command).join('\n'));
    });

    it(`${name}: the table's Fix section`, () => {
      const text = renderers.table!(result, { color: false, verbose: false });
      const fix = text.slice(text.indexOf('\nFix ('));
      assert.ok(fix.length > 1, text);
      // Every line of the section but its heading and comments: commands continue over lines.
      const lines = fix.split('\n').slice(2);
      const commands = lines
        .slice(0, lines.indexOf(''))
        .filter((l) => !l.startsWith('  # '))
        .join('\n');
      assertSafe(`${name}-table`, commands);
    });

    it(`${name}: the Markdown sh block`, () => {
      const md = renderers.markdown!(result, { color: false, verbose: false });
      const block = /\n(`{3,})sh\n([\s\S]*?)\n\1\n/.exec(md);
      assert.ok(block, md);
      assertSafe(`${name}-markdown`, block[2]!);
    });

    it(`${name}: the HTML Copy buttons`, () => {
      const html = renderers.html!(result, { color: false, verbose: false });
      const blocks = [...html.matchAll(/<code id="(cmd-[^"]+)">([\s\S]*?)<\/code>/g)];
      assert.ok(blocks.length > 0);
      blocks.forEach((b, i) => assertSafe(`${name}-html-${i}`, unescapeHtml(b[2]!)));
    });

    it(`${name}: fix -o aws-cli, fix -o json, and the revoke script`, () => {
      const plan = fixPlan(result);
      assertSafe(`${name}-fix-aws-cli`, emitters['aws-cli'](plan));
      const json = JSON.parse(emitters.json(plan)) as Record<string, { command: string }[]>;
      const commands = [...json.securityGroupRules!, ...json.networkAclEntries!].map((r) => r.command);
      assert.ok(commands.length > 0);
      assertSafe(`${name}-fix-json`, commands.join('\n'));
      const added: ItemResult[] = applyPlan(plan).items.map((item) => ({
        item,
        outcome: { status: 'added', ruleIds: ['sgr-0123456789abcdef0'] },
      }));
      assertSafe(`${name}-revoke`, revokeScript(plan, added, { region: 'us-west-2', when: 'now' }));
    });
  }

  it('diagnose: the fix lines of a cause', () => {
    const outcome = diagnose({
      snapshot: sgSnapshot,
      model: buildModel(sgSnapshot),
      analysis: sgResult,
      reports: [],
    });
    assert.ok(outcome.ok);
    const text = renderDiagnosis(outcome.diagnosis, { color: false });
    const commands = text
      .split('\n')
      .flatMap((l) => /^ {3}(?:fix {7}| {10})((?:aws|kubectl) .*)$/.exec(l)?.[1] ?? [])
      .join('\n');
    assert.ok(commands.length > 0, text);
    assertSafe('diagnose', commands);
  });
});
