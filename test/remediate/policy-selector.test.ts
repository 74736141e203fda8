/**
 * A NetworkPolicy fix selects the isolated pods by the labels they share. With none, its
 * `podSelector: {}` would select every pod of the namespace (Kubernetes docs: "An empty podSelector
 * selects all pods in the namespace"), a fix wider than the flow: it is never proposed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FlowResult } from '../../src/analyze/types.ts';
import type { EndIdentity } from '../../src/model/identity.ts';
import { synthesizePolicies } from '../../src/remediate/policy.ts';

/** A NATS flow a policy's ingress isolation blocks at the destination. */
const flow = {
  id: 'nats:pods@gpu->pods@system',
  requirement: 'nats',
  protocol: 'tcp',
  ports: { from: 4222, to: 4222 },
  status: 'blocked',
  steps: [{ kind: 'policy-ingress', status: 'blocked', at: 'dynamo-system', summary: 'isolated', facts: [] }],
} as unknown as FlowResult;

function fixFor(destination: EndIdentity) {
  const unfixable: string[] = [];
  const source: EndIdentity = {
    namespace: 'dynamo-workload',
    labels: { 'nvidia.com/dynamo-component-type': 'worker' },
  };
  const policies = synthesizePolicies(
    [flow],
    new Map([[flow.id, { source, destination }]]),
    () => {},
    unfixable,
  );
  return { policies, unfixable };
}

describe('NetworkPolicy fixes never select a whole namespace', () => {
  it('pods that share a stable label are selected by it', () => {
    const { policies } = fixFor({ namespace: 'dynamo-system', labels: { 'app.kubernetes.io/name': 'nats' } });
    assert.equal(policies.length, 1);
    const spec = (policies[0]!.manifest as { spec: { podSelector: unknown } }).spec;
    assert.deepEqual(spec.podSelector, { matchLabels: { 'app.kubernetes.io/name': 'nats' } });
  });

  it('pods with no shared stable label get no policy, and the report says why', () => {
    const { policies, unfixable } = fixFor({ namespace: 'dynamo-system', labels: {} });
    assert.deepEqual(policies, []);
    assert.match(
      unfixable.join('\n'),
      /share no stable label, so a NetworkPolicy for them would select every pod of the namespace/,
    );
  });
});
