// The CI part of mutation testing (`npm run mutate:ci`, docs/mutation-testing.md): port-set
// arithmetic and protocol/port-range normalisation, which every SG and NACL verdict goes through,
// run with the same tests as stryker.config.mjs (about 150 mutants, 6-7 minutes on one core).
// The run fails when the score drops below `thresholds.break`.
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  mutate: ['src/reachability/ports.ts', 'src/model/protocol.ts'],
  reporters: ['clear-text', 'json', 'dots'],
  jsonReporter: { fileName: 'reports/mutation/ci/mutation.json' },
  incrementalFile: 'reports/mutation/ci/stryker-incremental.json',
  thresholds: { ...base.thresholds, break: 60 },
};
