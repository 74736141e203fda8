// Mutation testing of the pure core (docs/mutation-testing.md). `npm run mutate` runs it all;
// `npm run mutate:ci` runs stryker.ci.config.mjs, a bounded part of it with a break threshold.
//
// The tests use node:test. Stryker has no node:test runner, but node:test speaks TAP, so the TAP
// runner (@stryker-mutator/tap-runner) runs each test file in its own process and records which
// test files reach which mutant: a mutant only runs the files that reach it, and a run stops at
// the first file that fails. The files it runs are the unit tests below, bundled with esbuild in
// the sandbox (scripts/mutation/bundle-tests.mjs, scripts/mutation/run-test.mjs): the same code
// as through tsx, started in about half the time.

/**
 * The fast unit tests that exercise the core: no servers, network namespaces, browsers or
 * dynamo-netcheck subprocesses. test/questions/fix/apply.test.ts runs the generated revoke
 * script with bash against a stub `aws` on PATH (a few ms); its EC2 is aws-sdk-client-mock.
 */
export const unitTests = [
  'test/model/**/*.test.ts',
  'test/reachability/**/*.test.ts',
  'test/remediate/**/*.test.ts',
  'test/requirements/**/*.test.ts',
  'test/analyze/*.test.ts',
  'test/questions/fix/apply-plan.test.ts',
  'test/questions/fix/apply.test.ts',
  'test/questions/fix/apply-revoke.test.ts',
  // Not analyze-fix-section.test.ts: it runs the CLI in child processes (no coverage reaches a
  // mutant through it), and it failed Stryker's dry run on 2026-12-06 (cause not yet found).
  'test/report/fix/emit.test.ts',
  'test/report/fix/revoke.test.ts',
  'test/report/fix/terraform.test.ts',
  'test/report/fix/yaml-breaks.test.ts',
  // The emitters' whole texts for a hand-made plan (test/report/fix/hand-plan.ts).
  'test/report/fix/aws-cli-text.test.ts',
  'test/report/fix/cloudformation-text.test.ts',
  'test/report/fix/kubernetes-json-text.test.ts',
  'test/report/fix/terraform-text.test.ts',
  // The independent oracle: its regressions, and the differential property test at ORACLE_RUNS
  // generated clusters per property (scripts/mutation/run-test.mjs).
  'test/oracle/*.test.ts',
];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  mutate: [
    'src/model/**/*.ts',
    'src/reachability/**/*.ts',
    'src/remediate/**/*.ts',
    'src/requirements/**/*.ts',
    'src/questions/fix/apply-plan.ts',
    'src/report/fix/**/*.ts',
  ],
  buildCommand: 'node scripts/mutation/bundle-tests.mjs',
  testRunner: 'tap',
  tap: {
    testFiles: unitTests,
    nodeArgs: ['--test-reporter=tap', '-r', '{{hookFile}}', 'scripts/mutation/run-test.mjs', '{{testFile}}'],
    forceBail: true,
  },
  coverageAnalysis: 'perTest',
  // Two cores shared with other work.
  concurrency: 1,
  timeoutMS: 10000,
  timeoutFactor: 2,
  dryRunTimeoutMinutes: 10,
  // Only what the tests read is copied into the sandbox; node_modules is symlinked.
  ignorePatterns: ['dist', 'coverage', 'tmp', 'reports', 'docs', 'bench', 'Dockerfile', '*.log'],
  allowConsoleColors: false,
  reporters: ['clear-text', 'json', 'progress'],
  clearTextReporter: { allowColor: false, logTests: false, reportTests: false },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  thresholds: { high: 80, low: 60, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
