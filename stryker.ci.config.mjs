// The CI part of mutation testing (`npm run mutate:ci`, docs/mutation-testing.md): port-set
// arithmetic and protocol/port-range normalisation, which every SG and NACL verdict goes through.
// It runs the unit tests that judge SG and NACL verdicts and their fixes directly (a bounded part of
// stryker.config.mjs's list, so each mutant costs seconds), and fails below `thresholds.break`.
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  mutate: ['src/reachability/ports.ts', 'src/model/protocol.ts'],
  tap: {
    ...base.tap,
    testFiles: [
      'test/reachability/ports.test.ts',
      'test/model/protocol.test.ts',
      'test/reachability/security-groups.test.ts',
      'test/reachability/nacl.test.ts',
      'test/reachability/nacl-return.test.ts',
      'test/model/security-groups.test.ts',
      'test/remediate/synthesize.test.ts',
      'test/oracle/regressions.test.ts',
    ],
  },
  concurrency: 2,
  // A mutant that loops forever in port arithmetic is detected by its timeout: no need to wait long.
  timeoutMS: 5000,
  reporters: ['clear-text', 'json', 'dots'],
  jsonReporter: { fileName: 'reports/mutation/ci/mutation.json' },
  incrementalFile: 'reports/mutation/ci/stryker-incremental.json',
  thresholds: { ...base.thresholds, break: 85 },
};
