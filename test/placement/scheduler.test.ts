/** Each kube-scheduler rule the placement subset models, on real-shaped Node and Pod objects. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ORCHESTRATOR_PROFILE, profileSpec } from '../../src/placement/profiles.ts';
import { schedule } from '../../src/placement/scheduler.ts';
import type { PlacementDecision } from '../../src/placement/types.ts';
import { clusterOf, node, pod, specOf } from './objects.ts';

const GPU_TAINT = { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' };
const ROOMY = { cpu: '8', memory: '32Gi', pods: '110' };

const feasible = (d: PlacementDecision): string[] => [...d.preferred, ...d.fallback].sort();
const failure = (d: PlacementDecision, name: string): string[] =>
  d.nodes.find((n) => n.node === name)!.failures.map((f) => `${f.filter}: ${f.reason}`);

describe('taints and tolerations', () => {
  const nodes = [node('cpu-1'), node('gpu-1', { group: 'gpu', taints: [GPU_TAINT] })];
  const place = (tolerations?: Record<string, unknown>[]) =>
    schedule(clusterOf(nodes), specOf(pod('default', 'p', tolerations ? { tolerations } : {})));

  it('a NoSchedule taint keeps off a pod without a toleration, in kube-scheduler words', () => {
    const d = place();
    assert.deepEqual(feasible(d), ['cpu-1']);
    assert.deepEqual(failure(d, 'gpu-1'), [
      'TaintToleration: node(s) had untolerated taint {nvidia.com/gpu: present}',
    ]);
  });

  const tolerationCases: [string, Record<string, unknown>, boolean][] = [
    [
      'Equal with the right value',
      { key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' },
      true,
    ],
    ['no operator means Equal', { key: 'nvidia.com/gpu', value: 'present' }, true],
    ['Equal with another value', { key: 'nvidia.com/gpu', operator: 'Equal', value: 'absent' }, false],
    ['Exists on the key, any effect', { key: 'nvidia.com/gpu', operator: 'Exists' }, true],
    [
      'Exists on the key, other effect',
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoExecute' },
      false,
    ],
    ['Exists on another key', { key: 'dedicated', operator: 'Exists' }, false],
    ['empty key with Exists tolerates everything', { operator: 'Exists' }, true],
  ];
  for (const [name, toleration, lands] of tolerationCases) {
    it(`${name}: ${lands ? 'lands' : 'stays off'}`, () => {
      assert.equal(feasible(place([toleration])).includes('gpu-1'), lands);
    });
  }

  it('NoExecute taints filter too; PreferNoSchedule only scores', () => {
    const d = schedule(
      clusterOf([
        node('a', { taints: [{ key: 'maintenance', effect: 'NoExecute' }] }),
        node('b', { taints: [{ key: 'spot', value: 'true', effect: 'PreferNoSchedule' }] }),
        node('c'),
      ]),
      specOf(pod('default', 'p')),
    );
    assert.deepEqual(failure(d, 'a'), ['TaintToleration: node(s) had untolerated taint {maintenance: }']);
    assert.deepEqual(d.preferred, ['c']);
    assert.deepEqual(d.fallback, ['b']);
    const b = d.nodes.find((n) => n.node === 'b')!.score!;
    assert.equal(
      b.taintToleration,
      0,
      'the only node with the most untolerated soft taints scores 0 (reversed)',
    );
    assert.equal(d.nodes.find((n) => n.node === 'c')!.score!.taintToleration, 100);
    assert.match(b.why.join(), /untolerated PreferNoSchedule taint \{spot: true\}/);
  });

  it('a toleration for PreferNoSchedule evens the score', () => {
    const d = schedule(
      clusterOf([
        node('b', { taints: [{ key: 'spot', value: 'true', effect: 'PreferNoSchedule' }] }),
        node('c'),
      ]),
      specOf(
        pod('default', 'p', {
          tolerations: [{ key: 'spot', operator: 'Exists', effect: 'PreferNoSchedule' }],
        }),
      ),
    );
    assert.deepEqual(d.preferred.sort(), ['b', 'c']);
  });
});

describe('cordon and readiness', () => {
  const nodes = [
    node('cordoned', { unschedulable: true }),
    node('not-ready', { ready: 'False' }),
    node('unreachable', { ready: 'Unknown' }),
    node('tainted-not-ready', {
      ready: 'False',
      taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }],
    }),
    node('ok'),
  ];
  // What kubectl run / the API server give every pod by default.
  const defaults = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    {
      key: 'node.kubernetes.io/unreachable',
      operator: 'Exists',
      effect: 'NoExecute',
      tolerationSeconds: 300,
    },
  ];

  it('an ordinary pod avoids cordoned and not-ready nodes, whatever its default tolerations', () => {
    const d = schedule(clusterOf(nodes), specOf(pod('default', 'p', { tolerations: defaults })));
    assert.deepEqual(feasible(d), ['ok']);
    assert.deepEqual(failure(d, 'cordoned'), ['NodeUnschedulable: node(s) were unschedulable']);
    assert.deepEqual(failure(d, 'not-ready'), [
      'TaintToleration: node(s) had untolerated taint {node.kubernetes.io/not-ready: }',
    ]);
    assert.match(d.nodes.find((n) => n.node === 'not-ready')!.failures[0]!.detail!, /implied by Ready=False/);
    assert.deepEqual(failure(d, 'unreachable'), [
      'TaintToleration: node(s) had untolerated taint {node.kubernetes.io/unreachable: }',
    ]);
  });

  it('a node with only the NoExecute not-ready taint still gets the NoSchedule one the controller adds', () => {
    const d = schedule(clusterOf([nodes[3]!]), specOf(pod('default', 'p', { tolerations: defaults })));
    assert.deepEqual(failure(d, 'tainted-not-ready'), [
      'TaintToleration: node(s) had untolerated taint {node.kubernetes.io/not-ready: }',
    ]);
    const tolerant = schedule(
      clusterOf([nodes[3]!]),
      specOf(
        pod('default', 'p', { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }] }),
      ),
    );
    assert.deepEqual(feasible(tolerant), ['tainted-not-ready'], 'Exists on the key tolerates both effects');
  });

  it('tolerating node.kubernetes.io/unschedulable overrides the cordon', () => {
    const d = schedule(
      clusterOf([nodes[0]!]),
      specOf(
        pod('default', 'p', {
          tolerations: [
            { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
          ],
        }),
      ),
    );
    assert.deepEqual(feasible(d), ['cordoned']);
  });

  it('the tolerate-all orchestrator lands on a cordoned node and on not-ready ones', () => {
    const d = schedule(clusterOf(nodes), profileSpec(ORCHESTRATOR_PROFILE));
    assert.deepEqual(feasible(d), ['cordoned', 'not-ready', 'ok', 'tainted-not-ready', 'unreachable']);
  });

  it('no Ready condition at all implies nothing (the data is missing, not the node broken)', () => {
    const d = schedule(clusterOf([node('silent', { ready: undefined })]), specOf(pod('default', 'p')));
    assert.deepEqual(feasible(d), ['silent']);
  });
});

describe('nodeSelector and node affinity', () => {
  const nodes = [
    node('a', { labels: { tier: 'web', cores: '16' } }),
    node('b', { labels: { tier: 'db', cores: '64' } }),
    node('c', { labels: { cores: 'many' } }),
  ];
  const withAffinity = (terms: Record<string, unknown>[]) =>
    feasible(
      schedule(
        clusterOf(nodes),
        specOf(
          pod('default', 'p', {
            affinity: {
              nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
            },
          }),
        ),
      ),
    );
  const expr = (key: string, operator: string, values?: string[]) => ({
    matchExpressions: [{ key, operator, ...(values ? { values } : {}) }],
  });

  it('nodeSelector needs every label', () => {
    const d = schedule(
      clusterOf(nodes),
      specOf(pod('default', 'p', { nodeSelector: { tier: 'db', cores: '64' } })),
    );
    assert.deepEqual(feasible(d), ['b']);
    assert.deepEqual(failure(d, 'a'), ["NodeAffinity: node(s) didn't match Pod's node affinity/selector"]);
    assert.match(
      d.nodes.find((n) => n.node === 'c')!.failures[0]!.detail!,
      /nodeSelector tier=db \(node has no such label\)/,
    );
  });

  const cases: [string, Record<string, unknown>[], string[]][] = [
    ['In', [expr('tier', 'In', ['web', 'db'])], ['a', 'b']],
    ['NotIn matches an absent label', [expr('tier', 'NotIn', ['web'])], ['b', 'c']],
    ['Exists', [expr('tier', 'Exists')], ['a', 'b']],
    ['DoesNotExist', [expr('tier', 'DoesNotExist')], ['c']],
    ['Gt compares integers; a non-integer label never matches', [expr('cores', 'Gt', ['20'])], ['b']],
    ['Lt', [expr('cores', 'Lt', ['20'])], ['a']],
    ['terms are ORed', [expr('tier', 'In', ['web']), expr('tier', 'DoesNotExist')], ['a', 'c']],
    [
      'expressions in a term are ANDed',
      [
        {
          matchExpressions: [
            { key: 'tier', operator: 'Exists' },
            { key: 'cores', operator: 'Gt', values: ['20'] },
          ],
        },
      ],
      ['b'],
    ],
    [
      'matchFields metadata.name',
      [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['c'] }] }],
      ['c'],
    ],
    ['an empty term matches nothing', [{}], []],
  ];
  for (const [name, terms, expected] of cases)
    it(name, () => assert.deepEqual(withAffinity(terms), expected));

  it('preferred node affinity: weights add up and are normalised to 100', () => {
    const d = schedule(
      clusterOf(nodes),
      specOf(
        pod('default', 'p', {
          affinity: {
            nodeAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 80, preference: expr('tier', 'In', ['db']) },
                { weight: 20, preference: expr('tier', 'Exists') },
              ],
            },
          },
        }),
      ),
    );
    const score = (name: string) => d.nodes.find((n) => n.node === name)!.score!.nodeAffinity;
    assert.deepEqual([score('a'), score('b'), score('c')], [20, 100, 0]);
    assert.deepEqual(d.preferred, ['b']);
    assert.equal(d.nodes[0]!.score!.total, 3 * 100 + 2 * 100 + 0);
  });
});

describe('inter-pod affinity and anti-affinity', () => {
  const nodes = [
    node('a1', { zone: 'us-west-2a' }),
    node('a2', { zone: 'us-west-2a' }),
    node('b1', { zone: 'us-west-2b' }),
    node('nozone', { labels: { 'topology.kubernetes.io/zone': '' } }),
  ];
  const cache = pod('apps', 'cache-0', { node: 'a2', labels: { app: 'cache' } });
  const term = (extra: Record<string, unknown> = {}) => ({
    labelSelector: { matchLabels: { app: 'cache' } },
    topologyKey: 'topology.kubernetes.io/zone',
    ...extra,
  });
  const required = (t: Record<string, unknown>, namespace = 'apps', labels: Record<string, string> = {}) =>
    pod(namespace, 'p', {
      labels,
      affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [t] } },
    });

  it('required affinity: only nodes in the topology domain of a matching pod', () => {
    const d = schedule(clusterOf(nodes, [cache]), specOf(required(term())));
    assert.deepEqual(feasible(d), ['a1', 'a2']);
    assert.deepEqual(failure(d, 'b1'), ["InterPodAffinity: node(s) didn't match pod affinity rules"]);
  });

  it('the term looks in the pod’s own namespace unless told otherwise', () => {
    assert.deepEqual(feasible(schedule(clusterOf(nodes, [cache]), specOf(required(term(), 'web')))), []);
    assert.deepEqual(
      feasible(schedule(clusterOf(nodes, [cache]), specOf(required(term({ namespaces: ['apps'] }), 'web')))),
      ['a1', 'a2'],
    );
    assert.deepEqual(
      feasible(schedule(clusterOf(nodes, [cache]), specOf(required(term({ namespaceSelector: {} }), 'web')))),
      ['a1', 'a2'],
    );
  });

  it('namespaceSelector reads Namespace labels', () => {
    const ns = (name: string, labels: Record<string, string>) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } },
    });
    const t = term({ namespaceSelector: { matchLabels: { team: 'data' } } });
    const tagged = clusterOf(nodes, [cache], [ns('apps', { team: 'data' })]);
    assert.deepEqual(feasible(schedule(tagged, specOf(required(t, 'web')))), ['a1', 'a2']);
    const untagged = clusterOf(nodes, [cache], [ns('apps', { team: 'web' })]);
    assert.deepEqual(feasible(schedule(untagged, specOf(required(t, 'web')))), []);
  });

  it('the first pod of a self-affine group may go wherever the topology key exists', () => {
    const d = schedule(clusterOf(nodes), specOf(required(term(), 'apps', { app: 'cache' })));
    assert.deepEqual(feasible(d), ['a1', 'a2', 'b1', 'nozone']);
    const notSelf = schedule(clusterOf(nodes), specOf(required(term(), 'apps', { app: 'web' })));
    assert.deepEqual(feasible(notSelf), []);
  });

  it('required anti-affinity keeps the pod out of the domain', () => {
    const spec = specOf(
      pod('apps', 'p', {
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              { labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'kubernetes.io/hostname' },
            ],
          },
        },
      }),
    );
    const d = schedule(clusterOf(nodes, [cache]), spec);
    assert.deepEqual(feasible(d), ['a1', 'b1', 'nozone']);
    assert.deepEqual(failure(d, 'a2'), ["InterPodAffinity: node(s) didn't match pod anti-affinity rules"]);
  });

  it('an existing pod’s required anti-affinity applies to newcomers it selects (symmetry)', () => {
    const loner = pod('apps', 'loner', {
      node: 'b1',
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'topology.kubernetes.io/zone' },
          ],
        },
      },
    });
    const d = schedule(clusterOf(nodes, [loner]), specOf(pod('apps', 'p', { labels: { app: 'web' } })));
    assert.deepEqual(failure(d, 'b1'), [
      "InterPodAffinity: node(s) didn't satisfy existing pods anti-affinity rules",
    ]);
    assert.ok(feasible(d).includes('a1'), 'other zones stay open');
    const other = schedule(clusterOf(nodes, [loner]), specOf(pod('apps', 'p', { labels: { app: 'db' } })));
    assert.ok(feasible(other).includes('b1'), 'a pod the loner does not select may join it');
  });

  it('terminated pods neither attract nor repel', () => {
    const done = pod('apps', 'cache-old', { node: 'b1', labels: { app: 'cache' }, phase: 'Succeeded' });
    assert.deepEqual(feasible(schedule(clusterOf(nodes, [cache, done]), specOf(required(term())))), [
      'a1',
      'a2',
    ]);
  });

  it('preferred affinity and anti-affinity score by weight, min-max normalised', () => {
    const spec = specOf(
      pod('apps', 'p', {
        affinity: {
          podAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 50,
                podAffinityTerm: {
                  labelSelector: { matchLabels: { app: 'cache' } },
                  topologyKey: 'kubernetes.io/hostname',
                },
              },
            ],
          },
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 100,
                podAffinityTerm: {
                  labelSelector: { matchLabels: { app: 'noisy' } },
                  topologyKey: 'kubernetes.io/hostname',
                },
              },
            ],
          },
        },
      }),
    );
    const noisy = pod('apps', 'noisy-0', { node: 'a1', labels: { app: 'noisy' } });
    const d = schedule(clusterOf(nodes, [cache, noisy]), spec);
    const score = (name: string) => d.nodes.find((n) => n.node === name)!.score!.interPodAffinity;
    // raw: a1 -100, a2 +50, others 0 → (raw+100)*100/150
    assert.deepEqual([score('a1'), score('a2'), score('b1')], [0, 100, 66]);
    assert.deepEqual(d.preferred, ['a2']);
  });
});

describe('resource fit', () => {
  it('allocatable minus the requests of non-terminated pods on the node', () => {
    const nodes = [
      node('small', { allocatable: { cpu: '2', memory: '4Gi', pods: '10' } }),
      node('big', { allocatable: ROOMY }),
    ];
    const pods = [
      pod('kube-system', 'aws-node', { node: 'small', requests: { cpu: '250m' } }),
      pod('apps', 'api', { node: 'small', requests: { cpu: '1', memory: '3Gi' } }),
      pod('apps', 'batch-done', { node: 'small', requests: { cpu: '1' }, phase: 'Succeeded' }),
    ];
    const fits = schedule(
      clusterOf(nodes, pods),
      specOf(pod('default', 'p', { requests: { cpu: '750m', memory: '1Gi' } })),
    );
    assert.deepEqual(
      feasible(fits),
      ['big', 'small'],
      '250m + 1 + 750m = 2 CPU exactly fits; 3Gi + 1Gi = 4Gi exactly fits',
    );
    const d = schedule(
      clusterOf(nodes, pods),
      specOf(pod('default', 'p', { requests: { cpu: '751m', memory: '1025Mi' } })),
    );
    assert.deepEqual(failure(d, 'small'), [
      'NodeResourcesFit: Insufficient cpu',
      'NodeResourcesFit: Insufficient memory',
    ]);
    assert.match(
      d.nodes.find((n) => n.node === 'small')!.failures[0]!.detail!,
      /requests 751m; 1250m of 2 allocatable already requested/,
    );
  });

  it('limits stand in for missing requests; extended resources and the pod count are checked', () => {
    const nodes = [
      node('gpu', { allocatable: { cpu: '8', memory: '8Gi', 'nvidia.com/gpu': '1', pods: '2' } }),
      node('cpu', { allocatable: { cpu: '8', memory: '8Gi', pods: '1' } }),
    ];
    const pods = [
      pod('apps', 'one', { node: 'cpu' }),
      pod('apps', 'w', { node: 'gpu', limits: { 'nvidia.com/gpu': '1' } }),
    ];
    const d = schedule(
      clusterOf(nodes, pods),
      specOf(pod('default', 'p', { limits: { 'nvidia.com/gpu': '1' } })),
    );
    assert.deepEqual(failure(d, 'gpu'), ['NodeResourcesFit: Insufficient nvidia.com/gpu']);
    assert.deepEqual(failure(d, 'cpu'), [
      'NodeResourcesFit: Too many pods',
      'NodeResourcesFit: Insufficient nvidia.com/gpu',
    ]);
    assert.equal(
      d.unschedulable,
      '0/2 nodes are available: 1 Insufficient nvidia.com/gpu, 1 Too many pods.',
      'each node under its first failure, sorted like kube-scheduler',
    );
  });

  it('init containers count by their largest step', () => {
    const nodes = [node('n', { allocatable: { cpu: '2', memory: '1Gi', pods: '10' } })];
    const big = specOf(
      pod('default', 'p', { requests: { cpu: '500m' }, initRequests: [{ cpu: '2' }, { cpu: '100m' }] }),
    );
    assert.equal(big.requests.cpu, 2000);
    assert.deepEqual(feasible(schedule(clusterOf(nodes), big)), ['n']);
    const tooBig = specOf(
      pod('default', 'p', { requests: { cpu: '500m' }, initRequests: [{ cpu: '2100m' }] }),
    );
    assert.deepEqual(feasible(schedule(clusterOf(nodes), tooBig)), []);
  });

  it('without allocatable the fit is not checked, and the decision says so', () => {
    const d = schedule(clusterOf([node('n')]), specOf(pod('default', 'p', { requests: { cpu: '1000' } })));
    assert.deepEqual(feasible(d), ['n']);
    assert.equal(d.nodes[0]!.resourcesChecked, false);
    assert.ok(
      d.caveats.some((c) => /resource fit not checked on 1 of 1 node\(s\): no status.allocatable/.test(c)),
      d.caveats.join('; '),
    );
  });

  it('the orchestrator cannot land where 1 CPU no longer fits — even on the Prometheus node it prefers', () => {
    const nodes = [
      node('sys-1', { allocatable: { cpu: '2', memory: '8Gi', pods: '20' } }),
      node('sys-2', { allocatable: ROOMY }),
      node('gpu-1', {
        group: 'gpu',
        labels: { 'nvidia.com/gpu.present': 'true' },
        taints: [GPU_TAINT],
        allocatable: ROOMY,
      }),
    ];
    const prometheus = pod('monitoring', 'prometheus-0', {
      node: 'sys-1',
      labels: { 'app.kubernetes.io/name': 'prometheus' },
      requests: { cpu: '1500m' },
    });
    const d = schedule(clusterOf(nodes, [prometheus]), profileSpec(ORCHESTRATOR_PROFILE));
    assert.deepEqual(failure(d, 'sys-1'), ['NodeResourcesFit: Insufficient cpu']);
    assert.deepEqual(d.preferred, ['sys-2'], 'no GPU label: +100 node affinity');
    assert.deepEqual(d.fallback, ['gpu-1'], 'tolerates the GPU taint, so a fallback');

    const roomy = schedule(
      clusterOf([{ ...nodes[0]!, status: { allocatable: ROOMY } }, nodes[1]!, nodes[2]!], [prometheus]),
      profileSpec(ORCHESTRATOR_PROFILE),
    );
    assert.deepEqual(roomy.preferred, ['sys-1'], 'with room, the Prometheus node wins (pod affinity)');
    assert.deepEqual(roomy.fallback, ['sys-2', 'gpu-1']);
    assert.ok(
      roomy.caveats.some((c) => /best effort/.test(c)),
      roomy.caveats.join('; '),
    );
  });
});

describe('Fargate and node name', () => {
  it('Fargate nodes and a pinned nodeName', () => {
    const nodes = [
      node('fargate-ip-1', { labels: { 'eks.amazonaws.com/compute-type': 'fargate' } }),
      node('a'),
      node('b'),
    ];
    const d = schedule(clusterOf(nodes), profileSpec(ORCHESTRATOR_PROFILE));
    assert.deepEqual(failure(d, 'fargate-ip-1'), ['Fargate: node(s) are EKS Fargate nodes']);
    const pinned = schedule(
      clusterOf(nodes),
      specOf({ ...pod('default', 'p'), spec: { nodeName: 'b', containers: [{ name: 'c' }] } }),
    );
    assert.deepEqual(feasible(pinned), ['b']);
    assert.deepEqual(failure(pinned, 'a'), ["NodeName: node(s) didn't match the requested node name"]);
  });
});
