// What the TAP runner starts for each test file in a mutation run (stryker.config.mjs `tap.nodeArgs`):
//   node --test-reporter=tap -r <stryker hook> scripts/mutation/run-test.mjs test/x/y.test.ts
// runs the bundle of that file that scripts/mutation/bundle-tests.mjs made in the sandbox. The test
// file keeps its own name, so Stryker's `--incremental` sees when it changes.
import { writeSync } from 'node:fs';
import { resolve } from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import { bundleOf } from './bundle-tests.mjs';

// A test file that computes its fixture at the top level (`const plan = fixPlan(analyzeSnapshot(…))`)
// dies before node:test prints any result when a mutant makes that code throw, and the TAP runner
// would call that an error, not a kill. Report it as a failed test instead.
process.on('uncaughtException', (error) => {
  const first = String(error instanceof Error ? error.message : error).split('\n')[0];
  writeSync(1, `\nnot ok 9999 - uncaught exception: ${first}\n`);
  process.exit(1);
});

// The differential property test (test/oracle/) draws 300 clusters per property in CI; a mutant
// that changes a verdict shows up within far fewer, and this file runs once per mutant it reaches.
process.env.ORACLE_RUNS ??= '40';
process.env.ORACLE_SEED ??= '20261206';

const [testFile] = process.argv.slice(2);
if (!testFile) throw new Error('usage: node scripts/mutation/run-test.mjs <test file>');
await import(pathToFileURL(resolve(bundleOf(testFile))).href);
