/** Reading the pod spec to place: workloads' templates, and bad input named by file and path. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { schedulingSpecFromDocument } from '../../src/placement/spec.ts';

const template = (spec: Record<string, unknown>) => ({ metadata: { labels: { app: 'x' } }, spec });
const container = (resources: Record<string, unknown> = {}) => ({
  name: 'c',
  image: 'busybox:1.36',
  resources,
});

function issues(doc: unknown): string[] {
  const parsed = schedulingSpecFromDocument(doc, 'pod.yaml');
  assert.equal(parsed.ok, false, 'expected the document to be rejected');
  return parsed.ok ? [] : parsed.issues.map((i) => `${i.file}: ${i.path}: ${i.message}`);
}

describe('pod spec documents', () => {
  it('reads the pod template of workloads, with the template labels', () => {
    for (const [kind, wrap] of [
      ['Deployment', (t: unknown) => ({ spec: { template: t } })],
      ['Job', (t: unknown) => ({ spec: { template: t } })],
      ['CronJob', (t: unknown) => ({ spec: { jobTemplate: { spec: { template: t } } } })],
    ] as const) {
      const doc = {
        apiVersion: 'apps/v1',
        kind,
        metadata: { name: 'w', namespace: 'ns' },
        ...wrap(
          template({ containers: [container({ requests: { cpu: '250m' } })], nodeSelector: { a: 'b' } }),
        ),
      };
      const parsed = schedulingSpecFromDocument(doc, 'w.yaml');
      assert.ok(parsed.ok, kind);
      if (!parsed.ok) continue;
      assert.deepEqual(
        [
          parsed.spec.namespace,
          parsed.spec.name,
          parsed.spec.labels,
          parsed.spec.nodeSelector,
          parsed.spec.requests,
        ],
        ['ns', 'w', { app: 'x' }, { a: 'b' }, { cpu: 250 }],
        kind,
      );
    }
  });

  it('a bad quantity is named by its path inside the template', () => {
    const doc = {
      kind: 'Deployment',
      metadata: { name: 'w' },
      spec: { template: template({ containers: [container({ requests: { cpu: 'lots' } })] }) },
    };
    assert.deepEqual(issues(doc), [
      'pod.yaml: spec.template.spec.containers[0].resources.requests.cpu: not a Kubernetes quantity: "lots"',
    ]);
  });

  it('selector operators are validated as the API server does', () => {
    const doc = {
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        containers: [container()],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                {
                  matchExpressions: [
                    { key: 'a', operator: 'In' },
                    { key: 'b', operator: 'Gt', values: ['x'] },
                  ],
                },
                { matchFields: [{ key: 'metadata.labels', operator: 'In', values: ['n'] }] },
              ],
            },
          },
        },
      },
    };
    assert.deepEqual(issues(doc), [
      'pod.yaml: spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values: operator In needs at least one value',
      'pod.yaml: spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[1].values: operator Gt needs exactly one integer value',
      'pod.yaml: spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[1].matchFields[0].key: the only supported field is metadata.name',
    ]);
  });

  it('tolerations: Exists takes no value; an empty key needs Exists', () => {
    const doc = {
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        containers: [container()],
        tolerations: [{ key: 'k', operator: 'Exists', value: 'v' }, { value: 'v' }],
      },
    };
    assert.deepEqual(issues(doc), [
      'pod.yaml: spec.tolerations[0].value: value must be empty when operator is Exists',
      'pod.yaml: spec.tolerations[1].operator: operator must be Exists when key is empty',
    ]);
  });

  it('weights are 1-100 and a pod affinity term needs a topology key', () => {
    const doc = {
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        containers: [container()],
        affinity: {
          podAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 0, podAffinityTerm: { labelSelector: {}, topologyKey: '' } },
            ],
          },
        },
      },
    };
    const found = issues(doc);
    assert.equal(found.length, 2, found.join('\n'));
    assert.match(found[0]!, /preferredDuringSchedulingIgnoredDuringExecution\[0\]\.weight: /);
    assert.match(found[1]!, /podAffinityTerm\.topologyKey: topologyKey is required/);
  });

  it('rejects what has no pod template', () => {
    assert.deepEqual(issues({ kind: 'Service', metadata: { name: 's' } }), [
      'pod.yaml: kind: expected one of Pod, PodTemplate, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, received "Service"',
    ]);
    assert.deepEqual(issues({ kind: 'Deployment', spec: {} }), [
      'pod.yaml: spec.template.spec: expected object',
    ]);
    assert.deepEqual(issues({ kind: 'Pod', spec: { containers: [] } }), [
      'pod.yaml: spec.containers: a pod needs at least one container',
    ]);
  });
});
