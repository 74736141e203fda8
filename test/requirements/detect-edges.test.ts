/**
 * Edges of src/requirements/detect.ts the first tests left open (found by mutation testing):
 * versions with parts of more than one digit, a chart label that is not a semantic version, and a
 * Dynamo runtime container beside a sidecar.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectDynamoVersion, dynamoRole } from '../../src/requirements/detect.ts';
import { podModels } from './context-pods.ts';

const versions = (spec: Parameters<typeof podModels>[0]) =>
  detectDynamoVersion(podModels(spec)).map((e) => e.value);

describe('version parts of more than one digit', () => {
  it('image tags 10.1.2 and 1.10.2', () => {
    assert.deepEqual(versions({ name: 'p', image: 'nvcr.io/nvidia/ai-dynamo/vllm-runtime:10.1.2' }), [
      '10.1.2',
    ]);
    assert.deepEqual(versions({ name: 'p', image: 'nvcr.io/nvidia/ai-dynamo/vllm-runtime:1.10.2' }), [
      '1.10.2',
    ]);
  });

  it('chart labels dynamo-platform-10.0.0 and dynamo-platform-1.10.0', () => {
    assert.deepEqual(versions({ name: 'p', labels: { 'helm.sh/chart': 'dynamo-platform-10.0.0' } }), [
      '10.0.0',
    ]);
    assert.deepEqual(versions({ name: 'p', labels: { 'helm.sh/chart': 'dynamo-platform-1.10.0' } }), [
      '1.10.0',
    ]);
  });
});

describe('a chart label that is no semantic version', () => {
  it('dynamo-platform-1.2.0.1 says nothing', () => {
    assert.deepEqual(versions({ name: 'p', labels: { 'helm.sh/chart': 'dynamo-platform-1.2.0.1' } }), []);
  });
});

describe('a pod with a sidecar', () => {
  it('an unlabelled pod whose main container runs the vLLM runtime beside a sidecar is a Dynamo pod', () => {
    const [pod] = podModels({
      name: 'p',
      image: 'nvcr.io/nvidia/ai-dynamo/vllm-runtime:1.4.2',
      sidecars: ['fluent/fluent-bit:3.1'],
    });
    assert.equal(dynamoRole(pod!), 'other');
  });
});
