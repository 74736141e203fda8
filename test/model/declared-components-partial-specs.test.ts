/**
 * DynamoGraphDeployment services written with fewer fields (model/dynamo-graph.ts).
 * ai-dynamo/dynamo examples (backends/vllm/deploy/disagg.yaml in older releases): a disaggregated
 * graph may mark its workers `componentType: prefill` or `decode`, and those pods are workers
 * whether or not the service lists GPUs; `resources` may carry limits without a GPU and no
 * requests; `extraPodSpec` may hold only placement, no `mainContainer`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeclaredComponent } from '../../src/model/dynamo-graph.ts';
import { modelFromFiles, type Json } from './model-of.ts';

function components(services: Json): DeclaredComponent[] {
  return modelFromFiles({
    'k8s/dgd.json': {
      apiVersion: 'nvidia.com/v1alpha1',
      kind: 'DynamoGraphDeployment',
      metadata: { name: 'g', namespace: 'dynamo' },
      spec: { envs: [{ name: 'A', value: 'graph' }], services },
    },
  }).dynamoComponents;
}

describe('services with fewer fields', () => {
  it('componentType prefill or decode with no GPU listed: a worker', () => {
    assert.deepEqual(
      components({ P: { componentType: 'prefill' }, D: { componentType: 'Decode' } }).map(
        (c) => `${c.service}:${c.role}:${c.gpus}`,
      ),
      ['P:worker:0', 'D:worker:0'],
    );
  });

  it('resources with limits but no GPU and no requests: no GPU', () => {
    const [c] = components({ F: { componentType: 'frontend', resources: { limits: { cpu: '2' } } } });
    assert.equal(c!.gpus, 0);
  });

  it('extraPodSpec with placement only: the graph’s env, the placement, no args', () => {
    const [c] = components({
      W: { componentType: 'worker', extraPodSpec: { nodeSelector: { pool: 'gpu' } } },
    });
    assert.deepEqual(c!.env, { A: 'graph' });
    assert.deepEqual(c!.args, []);
    assert.deepEqual(c!.podSpec, { nodeSelector: { pool: 'gpu' }, containers: [{ name: 'main' }] });
  });
});
