/**
 * Property: whatever is done to a valid snapshot, the tool either gives a verdict or rejects the
 * input with issues that name a file — never an uncaught exception. (Hangs are caught by the long
 * run in scripts/fuzz.ts, which runs each case under a watchdog.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { analyzeSnapshot } from '../../src/questions/analyze.ts';
import { loadSnapshot, SnapshotInputError } from '../../src/snapshot/load.ts';
import { parseSnapshotBytes } from '../../src/snapshot/parse.ts';
import {
  applyOnDisk,
  diskMutationArb,
  mutate,
  mutationArb,
  readExample,
  type Expectations,
} from './mutations.ts';

const scratch = mkdtempSync(join(tmpdir(), 'netcheck-fuzz-unit-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

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
        const expect: Expectations = { mustReject: [] };
        const files = mutate(examples[which]!, mutations, expect);
        const parsed = parseSnapshotBytes(files);
        assert.ok(!parsed.ok || expect.mustReject.length === 0, `accepted a cut list: ${expect.mustReject}`);
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

  it('a kubectl list cut anywhere before the end of its `kind:` line is never accepted', () => {
    fc.assert(
      fc.property(fc.nat(examples.length - 1), fc.nat(), fc.nat(), (which, file, at) => {
        const expect: Expectations = { mustReject: [] };
        const files = mutate(examples[which]!, [{ kind: 'kubectl-cut', file, at }], expect);
        const parsed = parseSnapshotBytes(files);
        if (expect.mustReject.length > 0) {
          assert.ok(!parsed.ok, `accepted ${expect.mustReject.join(', ')} cut at ${at}`);
          assert.ok(parsed.issues.some((i) => expect.mustReject.includes(i.file)));
        }
      }),
      { numRuns: 60, seed: 20261206 },
    );
  });

  it(
    'damage on disk (FIFO, link loop, link out, broken link, over the size limit, manifest naming a missing file) is refused naming the path, never hangs',
    { timeout: 120_000 },
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat(examples.length - 1), diskMutationArb, async (which, damage) => {
          const dir = mkdtempSync(join(scratch, 'case-'));
          try {
            const { maxFileSize, names } = applyOnDisk(dir, examples[which]!, damage);
            await assert.rejects(
              loadSnapshot(dir, { exclude: undefined, ...(maxFileSize ? { maxFileSize } : {}) }),
              (err: unknown) => {
                assert.ok(err instanceof SnapshotInputError, String(err));
                assert.ok(
                  err.issues.some((i) => i.file === names),
                  `${damage.kind}: ${names} not named in ${err.message}`,
                );
                return true;
              },
            );
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        }),
        { numRuns: 18, seed: 20261206 },
      );
    },
  );

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
