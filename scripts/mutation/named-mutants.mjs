// The 18 named mutations of issue 22: one-line wrong answers that once survived the test suite.
// Each is applied to a throw-away copy of the repository, the fast unit tests run against it, and
// the mutation must make at least one test fail ("killed"). Prints a Markdown table; exits 1 when a
// mutation survives or no longer applies (its search text is not found exactly once: the code
// moved, so the list must be brought up to date rather than silently testing nothing).
// The unmutated copy runs first and must pass. Against a mutant, the test files run one per
// process, those naming the mutated module first, and stop at the first that fails.
//
//   npm run mutate:named                  all 18, one test process at a time
//   npm run mutate:named -- --only 4,12   some of them
//   npm run mutate:named -- --check       only check that each still applies (no tests run)
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What the tests need of the repository (bin: the CLI some tests run; docs, README.md: read by some tests; bench: its kubectl YAML writer). */
const COPY = [
  'src',
  'test',
  'bench',
  'examples',
  'bin',
  'docs',
  'README.md',
  'package.json',
  'tsconfig.json',
];

/** The project's fast unit tests. */
const TEST_DIRS = [
  'test/model',
  'test/reachability',
  'test/remediate',
  'test/requirements',
  'test/analyze',
  'test/oracle',
  'test/questions/fix',
  'test/report/fix',
  'test/snapshot',
  'test/base',
];

/** One run of the unit tests may take this long; longer counts as killed (a hang is noticed). */
const TIMEOUT_MS = 20 * 60 * 1000;

/**
 * Each mutation: the wrong behaviour, the file, and an exact search → replace (the search text must
 * occur exactly once in the file).
 */
const MUTANTS = [
  {
    what: 'NACL entries no longer sorted by rule number',
    file: 'src/model/network.ts',
    search: 'a.ruleNumber - b.ruleNumber',
    replace: '0',
  },
  {
    what: 'UDP dropped from the NACL return-traffic check',
    file: 'src/reachability/evaluate.ts',
    search: "(protocol === 'tcp' || protocol === 'udp')",
    replace: "protocol === 'tcp'",
  },
  {
    what: 'the same-node bypass ignores a source on a branch ENI',
    file: 'src/reachability/evaluate.ts',
    search: '    !source.sgOnSameNode &&\n',
    replace: '',
  },
  {
    what: 'SG-for-pods mode defaults to standard when POD_SECURITY_GROUP_ENFORCING_MODE is unset',
    file: 'src/model/kubernetes.ts',
    search: "env.get('POD_SECURITY_GROUP_ENFORCING_MODE')?.toLowerCase()",
    replace: "(env.get('POD_SECURITY_GROUP_ENFORCING_MODE') ?? 'standard').toLowerCase()",
  },
  {
    what: "an ENIConfig with no SGs gives pods no SGs, instead of the primary ENI's",
    file: 'src/model/pod-network.ts',
    search: 'config.securityGroups.length > 0 ? config.securityGroups : (primary?.groupIds ?? [])',
    replace: 'config.securityGroups',
  },
  {
    what: 'ENI_CONFIG_LABEL_DEF is ignored',
    file: 'src/model/kubernetes.ts',
    search: "labels[cni.eniConfigLabelDef ?? 'k8s.amazonaws.com/eniConfig']",
    replace: "labels['k8s.amazonaws.com/eniConfig']",
  },
  {
    what: 'GroupOwnerId is ignored on the describe-security-group-rules path',
    file: 'src/model/security-groups.ts',
    search: '    ...(r.GroupOwnerId ? { ownerId: r.GroupOwnerId } : {}),\n',
    replace: '',
  },
  {
    what: 'peered-VPC SG references are treated as local',
    file: 'src/model/security-groups.ts',
    search: 'if (pair.PeeringStatus || pair.VpcPeeringConnectionId) {',
    replace: 'if (false) {',
  },
  {
    what: 'prefix-list Cidrs are ignored',
    file: 'src/model/network.ts',
    search: 'if (value.Cidrs) {',
    replace: 'if (false) {',
  },
  {
    // Only the entries of earlier files are lost; the list's own Cidrs are still merged in.
    what: 'prefix-list entries from several files are not merged',
    file: 'src/model/network.ts',
    search: 'const existing = out.get(value.prefixListId)?.cidrs ?? [];',
    replace:
      'const existing = (snapshot.prefixLists.find((p) => p.value.PrefixListId === value.prefixListId)?.value.Cidrs ?? []).map((c) => parseCidr(c)!);',
  },
  {
    // Such a rule is skipped, as if its peer did not match at all.
    what: 'a prefix list covering only part of an address counts as no match (should be unknown)',
    file: 'src/reachability/evaluate.ts',
    search: '      if (parts) {\n',
    replace: "      if (parts && rule.peer.kind === 'prefix-list') continue;\n      if (parts) {\n",
  },
  {
    what: 'Terraform `${` escaping deleted',
    file: 'src/report/fix/terraform.ts',
    search: "    .replace(/\\$\\{/g, () => '$${')\n",
    replace: '',
  },
  {
    what: 'NACL rule-number collision avoidance removed',
    file: 'src/remediate/synthesize.ts',
    search: '    while (ruleNumber > 0 && used.has(ruleNumber)) ruleNumber -= 1;\n',
    replace: '',
  },
  {
    what: 'the fallback CIDR for a peer with no SG becomes 0.0.0.0/0',
    file: 'src/remediate/synthesize.ts',
    search: 'peers.push([undefined, need.peerCidr, [need]]);',
    replace: "peers.push([undefined, '0.0.0.0/0', [need]]);",
  },
  {
    what: 'the revoke script always deletes NACL entries with --ingress',
    file: 'src/report/fix/revoke.ts',
    search: "e.egress ? '--egress' : '--ingress',",
    replace: "'--ingress',",
  },
  {
    what: 'revoke by --ip-permissions removed (when EC2 returned no rule id)',
    file: 'src/report/fix/revoke.ts',
    search: ": ['--ip-permissions', JSON.stringify([item.planned.permission])]),",
    replace: ': []),',
  },
  {
    what: 'the "already present" NACL check ignores RuleAction and Protocol',
    file: 'src/live/ec2-apply.ts',
    search: "    found.RuleAction === 'allow' &&\n    found.Protocol === planned.protocolNumber &&\n",
    replace: '',
  },
  {
    what: 'an IPv6 NACL entry is sent as CidrBlock',
    file: 'src/live/ec2-apply.ts',
    search: '? { Ipv6CidrBlock: e.cidr }',
    replace: '? { CidrBlock: e.cidr }',
  },
];

const occurrences = (text, search) => text.split(search).length - 1;

function parseArgs(argv) {
  const options = { check: false, only: undefined };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--check') options.check = true;
    else if (argv[i] === '--only') options.only = new Set(argv[++i].split(',').map(Number));
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return options;
}

function testFiles() {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.test.ts')) files.push(path);
    }
  };
  for (const dir of TEST_DIRS) walk(dir);
  return files.sort();
}

/** A throw-away copy of what the tests need, with node_modules linked. */
function scratchCopy() {
  const dir = mkdtempSync(join(tmpdir(), 'named-mutant-'));
  // Readable by all, as a clone is: test/snapshot/limits.test.ts loads from it as `nobody`.
  chmodSync(dir, 0o755);
  for (const name of COPY) {
    if (existsSync(join(root, name))) cpSync(join(root, name), join(dir, name), { recursive: true });
  }
  symlinkSync(realpathSync(join(root, 'node_modules')), join(dir, 'node_modules'));
  return dir;
}

/** One `node --test` process over `files` in `dir`: passed, and the tests that failed. */
function runFiles(dir, files) {
  const failures = join(dir, 'failures.jsonl');
  rmSync(failures, { force: true });
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-concurrency=1',
      '--test-reporter=dot',
      '--test-reporter-destination=stdout',
      `--test-reporter=${join(root, 'scripts/mutation/failure-reporter.mjs')}`,
      `--test-reporter-destination=${failures}`,
      ...files,
    ],
    { cwd: dir, encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 256 * 1024 * 1024 },
  );
  const failed = existsSync(failures)
    ? readFileSync(failures, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
    : [];
  // The first test that failed by itself (not a suite failing because a test in it did).
  const first = failed.find((f) => f.failureType !== 'subtestsFailed') ?? failed[0];
  const name = first ? `${relative(dir, first.file ?? dir) || '?'}: ${first.path.join(' > ')}` : undefined;
  if (run.error?.code === 'ETIMEDOUT')
    return { passed: false, name: `timed out after ${TIMEOUT_MS / 1000}s` };
  return { passed: run.status === 0, name, output: `${run.stdout}${run.stderr}` };
}

/**
 * The test files in the order a mutation of `file` is likeliest to be caught: those that name the
 * mutated module, then those that name its folder, then the rest.
 */
function byRelevance(files, file) {
  const module = file.replace(/^src\//, '').replace(/\.ts$/, '');
  const folder = dirname(module);
  const tier = (test) => {
    const text = readFileSync(join(root, test), 'utf8');
    if (text.includes(`${module}.ts`)) return 0;
    if (text.includes(`src/${folder}/`)) return 1;
    return 2;
  };
  const tiers = new Map(files.map((f) => [f, tier(f)]));
  return [...files].sort((a, b) => tiers.get(a) - tiers.get(b) || (a < b ? -1 : 1));
}

/**
 * The unit tests against the mutant, one test file per process, one process at a time, stopping at
 * the first file that fails (the mutant is then killed; the rest cannot revive it).
 */
function runTests(dir, files, mutatedFile) {
  const started = Date.now();
  let ran = 0;
  for (const file of byRelevance(files, mutatedFile)) {
    ran += 1;
    const result = runFiles(dir, [file]);
    if (!result.passed) return { ...result, ran, seconds: Math.round((Date.now() - started) / 1000) };
  }
  return { passed: true, ran, seconds: Math.round((Date.now() - started) / 1000) };
}

const cell = (text) => String(text).replaceAll('|', '\\|');
/** A search or replace text on one line: its line breaks and their indentation become one space. */
const oneLine = (text) => text.trim().replace(/\s*\n\s*/g, ' ');
const code = (text) => (text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``);

function main() {
  const options = parseArgs(process.argv.slice(2));
  const unknown = [...(options.only ?? [])].filter((n) => !MUTANTS[n - 1]);
  if (unknown.length > 0)
    throw new Error(`--only: no mutation ${unknown.join(', ')} (1 to ${MUTANTS.length})`);
  const chosen = MUTANTS.map((m, i) => ({ n: i + 1, ...m })).filter(
    (m) => !options.only || options.only.has(m.n),
  );
  const rows = [];
  const files = testFiles();
  const log = (text) => process.stderr.write(`${text}\n`);
  log(`${chosen.length} mutations; ${files.length} test files under ${TEST_DIRS.join(', ')}`);

  // Every mutation must still apply before any test runs.
  for (const m of chosen) {
    const count = occurrences(readFileSync(join(root, m.file), 'utf8'), m.search);
    if (count !== 1) {
      log(`mutation ${m.n} no longer applies: its search text occurs ${count} times in ${m.file}`);
      m.stale = count;
    }
  }
  if (options.check) {
    const stale = chosen.filter((m) => m.stale !== undefined);
    log(stale.length === 0 ? 'all apply' : `${stale.length} no longer apply`);
    process.exitCode = stale.length === 0 ? 0 : 1;
    return;
  }

  // The unmutated copy must pass, else "killed" means nothing.
  const baseDir = scratchCopy();
  try {
    log('baseline (no mutation) ...');
    const started = Date.now();
    const base = runFiles(baseDir, files);
    base.seconds = Math.round((Date.now() - started) / 1000);
    if (!base.passed) {
      log(base.output ?? '');
      log(`the unmutated tests fail (${base.name ?? 'no failing test named'}): no mutation was tried`);
      process.exitCode = 1;
      return;
    }
    log(`baseline passes in ${base.seconds}s`);
  } finally {
    rmSync(baseDir, { recursive: true, force: true });
  }

  for (const m of chosen) {
    if (m.stale !== undefined) {
      rows.push({ ...m, result: 'NO LONGER APPLIES', killer: `search text found ${m.stale} times` });
      continue;
    }
    const dir = scratchCopy();
    try {
      const path = join(dir, m.file);
      writeFileSync(
        path,
        readFileSync(path, 'utf8').replace(m.search, () => m.replace),
      );
      log(`mutation ${m.n}: ${m.what} ...`);
      // A mutant that does not even load would fail every test that imports it: not a real kill.
      const load = spawnSync(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', `await import(${JSON.stringify(path)});`],
        {
          cwd: dir,
          encoding: 'utf8',
        },
      );
      if (load.status !== 0) {
        log(load.stderr);
        rows.push({ ...m, result: 'DOES NOT LOAD', killer: 'the mutated file does not import' });
        continue;
      }
      const result = runTests(dir, files, m.file);
      const status = result.passed ? 'SURVIVED' : 'killed';
      log(
        `mutation ${m.n}: ${status} in ${result.seconds}s (${result.ran} of ${files.length} test files run)${result.name ? ` by ${result.name}` : ''}`,
      );
      rows.push({ ...m, result: status, killer: result.passed ? '—' : (result.name ?? '(no test named)') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const lines = [
    '| N | Mutation | File | Result | A killing test |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.n} | ${cell(r.what)}: ${cell(code(oneLine(r.search)))} → ${r.replace.trim() ? cell(code(oneLine(r.replace))) : '(deleted)'} | ${cell(r.file)} | ${r.result} | ${cell(r.killer)} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const bad = rows.filter((r) => r.result !== 'killed');
  log(bad.length === 0 ? `all ${rows.length} killed` : `${bad.length} of ${rows.length} not killed`);
  process.exitCode = bad.length === 0 ? 0 : 1;
}

main();
