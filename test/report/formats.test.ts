/** What every format promises: it renders the result it is given and never changes it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderers } from '../../src/report/index.ts';
import { dgxcResult, hostileResult } from './fixtures.ts';

describe('report formats', () => {
  it('leave the AnalysisResult exactly as they found it', async () => {
    for (const result of [await dgxcResult(), hostileResult()]) {
      const before = structuredClone(result);
      for (const [name, render] of Object.entries(renderers)) {
        assert.ok(
          render(result, { color: false, verbose: true, timing: { start: 1, stop: 2 } }).length > 0,
          name,
        );
        assert.deepEqual(result, before, `${name} changed the result`);
      }
    }
  });
});
