/**
 * The vLLM launcher's disaggregation flags as `disaggregationStage` reads them from a command line
 * (model/disaggregation.ts). ai-dynamo/dynamo components/src/dynamo/vllm: `--disaggregation-mode
 * prefill|decode` (and `--is-prefill-worker` / `--is-decode-worker` in older releases). A shell
 * (`sh -c`) splits a script into words at any run of blanks or newlines (POSIX Shell Command
 * Language, 2.6.5 Field Splitting with the default IFS); a JSON argument is one word.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { disaggregationStage } from '../../src/model/disaggregation.ts';

describe('shell scripts', () => {
  it('words split by newlines or tabs only are opened up too', () => {
    assert.deepEqual(disaggregationStage(['sh', '-c', 'exec\tpython3\n--is-decode-worker']), {
      value: 'decode',
      source: 'arg --is-decode-worker',
    });
  });

  it('a flag and its value apart by two blanks: the value is still the next word', () => {
    assert.equal(
      disaggregationStage(['sh', '-c', 'python3 -m dynamo.vllm --disaggregation-mode  prefill'])?.value,
      'prefill',
    );
  });
});

describe('what is not a stage', () => {
  it('a JSON argument holding a flag inside a text, with or without a leading blank', () => {
    const json = '{"note": "start with --is-prefill-worker later"}';
    assert.equal(disaggregationStage(['--config', json]), undefined);
    assert.equal(disaggregationStage(['--config', ` ${json}`]), undefined);
  });

  it('the value of another flag that reads "decode"', () => {
    assert.equal(disaggregationStage(['--served-model-name', 'decode']), undefined);
  });
});
