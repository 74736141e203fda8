/**
 * Property: whatever is done to a valid snapshot, the tool either gives a verdict or rejects the
 * input with issues that name a file — never an uncaught exception. (Hangs are caught by the long
 * run in scripts/fuzz.ts, which runs each case under a watchdog.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { analyzeSnapshot } from '../../src/questions/analyze.ts';
import { parseSnapshotBytes } from '../../src/snapshot/parse.ts';
import { mutate, mutationArb, readExample } from './mutations.ts';

const examples = [
  'examples/upgrade-1.0-to-1.2',
  'examples/policy-default-deny',
  'examples/dgxc-multi-sg',
  'examples/dynamo-1.4-system-frontend',
].map(readExample);

describe('mutated snapshots', () => {
  it('never crash: a verdict, or issues naming the file', () => {
    fc.assert(
      fc.property(fc.nat(examples.length - 1), mutationArb, (which, mutations) => {
        const files = mutate(examples[which]!, mutations);
        const parsed = parseSnapshotBytes(files);
        if (!parsed.ok) {
          assert.ok(parsed.issues.length > 0);
          for (const issue of parsed.issues) {
            assert.ok(
              files.some((f) => f.path === issue.file),
              `issue names a real file: ${issue.file}`,
            );
            assert.ok(issue.message.length > 0);
          }
          return;
        }
        const result = analyzeSnapshot(parsed.snapshot);
        assert.ok(['pass', 'fail', 'unknown'].includes(result.verdict));
        // A verdict of pass must rest on flows, never on an empty analysis.
        if (result.verdict === 'pass') assert.ok(result.flows.length > 0);
      }),
      { numRuns: 60, seed: 20261128 },
    );
  });

  it('a dropped ENI file never turns a blocked or unknown flow into allowed', () => {
    const base = examples[2]!;
    const before = analyzeSnapshot((parseSnapshotBytes(base) as { ok: true; snapshot: never }).snapshot);
    const without = base.filter(
      (f) => !f.path.includes('network-interfaces') && !f.path.includes('instances'),
    );
    const parsed = parseSnapshotBytes(without);
    assert.ok(parsed.ok);
    const after = analyzeSnapshot(parsed.snapshot);
    const allowedAfter = new Set(after.flows.filter((f) => f.status === 'allowed').map((f) => f.id));
    for (const flow of before.flows.filter((f) => f.status !== 'allowed'))
      assert.ok(!allowedAfter.has(flow.id), flow.id);
  });
});
