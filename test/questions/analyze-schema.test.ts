import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { analyzeJsonSchema } from '../../src/questions/analyze-schema.ts';
import { analyzeSnapshot } from '../../src/questions/analyze.ts';
import { loadSnapshot } from '../../src/snapshot/load.ts';

const shipped = JSON.parse(
  readFileSync(new URL('../../docs/schema/analyze.schema.json', import.meta.url), 'utf8'),
);
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(shipped);
const examples = [
  'dgxc-multi-sg',
  'dynamo-1.4-preflight',
  'dynamo-1.4-system-frontend',
  'healthy-shared-cluster-sg',
  'policy-default-deny',
  'upgrade-1.0-to-1.2',
];

describe('analyze -o json schema (docs/schema/analyze.schema.json)', () => {
  it('the shipped file is the one generated from the zod schema (run `npm run schema` after changing it)', () => {
    assert.deepEqual(shipped, analyzeJsonSchema());
  });
  for (const name of examples) {
    it(`examples/${name}: the JSON output validates against the shipped schema`, async () => {
      const result = analyzeSnapshot(await loadSnapshot(`examples/${name}`));
      // Through JSON text, as a user reads it: undefined fields vanish exactly as in `-o json`.
      const output = JSON.parse(JSON.stringify(result));
      assert.equal(validate(output), true, JSON.stringify(validate.errors, null, 2));
      assert.equal(output.schemaVersion, 1);
    });
  }
  it('rejects an output without a verdict, with an unknown status, or with an extra field', async () => {
    const output = JSON.parse(JSON.stringify(analyzeSnapshot(await loadSnapshot('examples/dgxc-multi-sg'))));
    const { verdict: _verdict, ...noVerdict } = output;
    assert.equal(validate(noVerdict), false);
    assert.equal(validate({ ...output, flows: [{ ...output.flows[0], status: 'maybe' }] }), false);
    assert.equal(validate({ ...output, surprise: true }), false);
  });
});
