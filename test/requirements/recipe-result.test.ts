/**
 * parseRecipeResult (src/requirements/recipe.ts) on AICR RecipeResults: the example in
 * examples/recipes (what `aicr recipe --service eks --accelerator h100 --os ubuntu --intent
 * inference --platform dynamo -o recipe.yaml` writes; examples/recipes/README.md says what is read
 * from it), and the shapes NVIDIA/aicr pkg/recipe gives it. Expected values are copied from the
 * YAML, not computed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { DYNAMO_RECIPE, parseRecipeResult } from '../../src/requirements/recipe.ts';

const EXAMPLE = 'examples/recipes/h100-eks-ubuntu-inference-dynamo.yaml';
const example = (): Record<string, unknown> =>
  parse(readFileSync(new URL(`../../${EXAMPLE}`, import.meta.url), 'utf8')) as Record<string, unknown>;

const read = (doc: unknown) => {
  const parsed = parseRecipeResult(doc, 'recipe.yaml');
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed;
};
const minimal = (extra: Record<string, unknown> = {}) => ({
  kind: 'RecipeResult',
  criteria: { service: 'eks' },
  componentRefs: [{ name: 'dynamo-platform', version: '1.4.2' }],
  ...extra,
});

describe('the AICR example recipe (examples/recipes)', () => {
  it('reads the name, Dynamo version and namespace, Prometheus namespace, checks, components and platform values; no warning', () => {
    const { recipe, warnings } = read(example());
    assert.deepEqual(warnings, []);
    assert.deepEqual(recipe, {
      name: 'h100-eks-ubuntu-inference-dynamo',
      source: 'recipe.yaml',
      dynamoVersion: '1.2.0',
      dynamoNamespace: 'dynamo-system',
      prometheusNamespace: 'monitoring',
      checks: [
        'operator-health',
        'expected-resources',
        'gpu-operator-version',
        'check-nvidia-smi',
        'inference-perf',
        'platform-health',
        'gpu-operator-health',
        'dra-support',
        'accelerator-metrics',
        'ai-service-metrics',
        'inference-gateway',
        'gang-scheduling',
        'robust-controller',
        'secure-accelerator-access',
        'pod-autoscaling',
        'cluster-autoscaling',
      ],
      components: [
        'cert-manager',
        'nfd',
        'gpu-operator',
        'nodewright-operator',
        'nodewright-customizations',
        'prometheus-operator-crds',
        'kube-prometheus-stack',
        'k8s-ephemeral-storage-metrics',
        'prometheus-adapter',
        'nvsentinel',
        'nvidia-dra-driver-gpu',
        'kai-scheduler',
        'aws-efa',
        'aws-ebs-csi-driver',
        'agentgateway-crds',
        'agentgateway',
        'grove',
        'dynamo-platform',
      ],
      componentNamespaces: {
        'cert-manager': 'cert-manager',
        nfd: 'node-feature-discovery',
        'gpu-operator': 'gpu-operator',
        'nodewright-operator': 'skyhook',
        'nodewright-customizations': 'skyhook',
        'prometheus-operator-crds': 'monitoring',
        'kube-prometheus-stack': 'monitoring',
        'k8s-ephemeral-storage-metrics': 'monitoring',
        'prometheus-adapter': 'monitoring',
        nvsentinel: 'nvsentinel',
        'nvidia-dra-driver-gpu': 'nvidia-dra-driver',
        'kai-scheduler': 'kai-scheduler',
        'aws-efa': 'kube-system',
        'aws-ebs-csi-driver': 'kube-system',
        'agentgateway-crds': 'agentgateway-system',
        agentgateway: 'agentgateway-system',
        grove: 'dynamo-system',
        'dynamo-platform': 'dynamo-system',
      },
      dynamoValues: { nats: { config: { jetstream: { fileStore: { pvc: { storageClassName: 'gp2' } } } } } },
    });
  });
});

describe('the recipe name', () => {
  it('the last applied overlay named like a Dynamo recipe, not the last overlay nor the first match', () => {
    const { recipe } = read(
      minimal({
        metadata: {
          appliedOverlays: [
            'base',
            'gb200-eks-ubuntu-inference-dynamo',
            'h100-eks-ubuntu-inference-dynamo',
            'site-tweaks',
          ],
        },
      }),
    );
    assert.equal(recipe.name, 'h100-eks-ubuntu-inference-dynamo');
  });

  it('no Dynamo-named overlay: the last overlay', () => {
    assert.equal(read(minimal({ metadata: { appliedOverlays: ['base', 'eks'] } })).recipe.name, 'eks');
  });

  it('no overlays: composed from the criteria, accelerator-service-os-intent-platform, skipping the unset', () => {
    const full = {
      service: 'eks',
      accelerator: 'h100',
      intent: 'inference',
      os: 'ubuntu',
      platform: 'dynamo',
    };
    assert.equal(read(minimal({ criteria: full })).recipe.name, 'h100-eks-ubuntu-inference-dynamo');
    assert.equal(
      read(minimal({ criteria: { service: 'eks', intent: 'inference' } })).recipe.name,
      'eks-inference',
    );
  });

  it('no overlays and no criteria: the file name, in the recipe and its warnings', () => {
    const { recipe, warnings } = read({ kind: 'RecipeResult', componentRefs: [] });
    assert.equal(recipe.name, 'recipe.yaml');
    assert.deepEqual(warnings, [
      'recipe recipe.yaml is not an EKS recipe (criteria.service is not set): the analysis assumes EKS security groups, NACLs and the VPC CNI, and may not apply',
      'recipe recipe.yaml has no dynamo-platform component: it deploys no Dynamo, so neither the Dynamo version nor its namespace comes from it',
    ]);
  });

  for (const name of [
    'h100-eks-ubuntu-inference-dynamo',
    'gb200-nvl72-eks-ubuntu-inference-dynamo',
    'a-b-c-eks-al2023-inference-dynamo',
  ])
    it(`${name} is a Dynamo recipe name`, () => assert.ok(DYNAMO_RECIPE.test(name)));
  for (const name of [
    '-h100-eks-ubuntu-inference-dynamo',
    'h100-eks-ubuntu-inference-dynamo-extra',
    'h100-eks--inference-dynamo',
    'h100--eks-ubuntu-inference-dynamo',
    'eks-ubuntu-inference-dynamo',
    'H100-eks-ubuntu-inference-dynamo',
  ])
    it(`${name} is not`, () => assert.ok(!DYNAMO_RECIPE.test(name)));
});

describe('what else is read, and what is left out', () => {
  it('checks: every phase’s, a phase without checks or with none given adds nothing', () => {
    const { recipe } = read(
      minimal({
        validation: {
          deployment: { constraints: [{ name: 'x', value: 'y' }] },
          performance: null,
          conformance: { checks: ['ai-service-metrics'] },
          extra: { checks: null },
        },
      }),
    );
    assert.deepEqual(recipe.checks, ['ai-service-metrics']);
  });

  it('no validation: no checks at all (the conformance default applies), and no Prometheus namespace', () => {
    const { recipe } = read(minimal());
    assert.equal('checks' in recipe, false);
    assert.equal('prometheusNamespace' in recipe, false);
    assert.equal('dynamoNamespace' in recipe, false);
    assert.deepEqual(recipe.components, ['dynamo-platform']);
    assert.deepEqual(recipe.componentNamespaces, {});
  });

  it('a component without a namespace has no entry in componentNamespaces', () => {
    const { recipe } = read(
      minimal({
        componentRefs: [
          { name: 'dynamo-platform', version: '1.4.2' },
          { name: 'gpu-operator', namespace: 'gpu' },
        ],
      }),
    );
    assert.deepEqual(recipe.componentNamespaces, { 'gpu-operator': 'gpu' });
  });

  it('no dynamo-platform version: no Dynamo version from the recipe', () => {
    const { recipe } = read(minimal({ componentRefs: [{ name: 'dynamo-platform', namespace: 'dynamo' }] }));
    assert.equal('dynamoVersion' in recipe, false);
    assert.equal(recipe.dynamoNamespace, 'dynamo');
  });

  it("the platform's overrides are its values only when they are a mapping", () => {
    const values = (overrides: unknown) =>
      read(minimal({ componentRefs: [{ name: 'dynamo-platform', overrides }] })).recipe.dynamoValues;
    assert.deepEqual(values({ etcd: { enabled: false } }), { etcd: { enabled: false } });
    for (const notMapping of [['etcd'], null, 'etcd.enabled=false', 3, undefined])
      assert.equal(values(notMapping), undefined, JSON.stringify(notMapping));
    // Another component's overrides are not the platform's.
    const other = read(
      minimal({
        componentRefs: [{ name: 'dynamo-platform' }, { name: 'gpu-operator', overrides: { a: 1 } }],
      }),
    );
    assert.equal(other.recipe.dynamoValues, undefined);
  });
});

describe('a document that is no RecipeResult', () => {
  for (const [what, doc, path] of [
    ['another kind', { kind: 'Recipe', componentRefs: [] }, 'kind'],
    ['no componentRefs', { kind: 'RecipeResult' }, 'componentRefs'],
    [
      'a component without a name',
      { kind: 'RecipeResult', componentRefs: [{ version: '1.2.0' }] },
      'componentRefs[0].name',
    ],
    [
      'a version that is no string',
      { kind: 'RecipeResult', componentRefs: [{ name: 'x', version: 1.2 }] },
      'componentRefs[0].version',
    ],
    [
      'a namespace that is no string',
      { kind: 'RecipeResult', componentRefs: [{ name: 'x', namespace: 7 }] },
      'componentRefs[0].namespace',
    ],
    [
      'overlays that are no list',
      { kind: 'RecipeResult', componentRefs: [], metadata: { appliedOverlays: 'base' } },
      'metadata.appliedOverlays',
    ],
    [
      'a criteria service that is no string',
      { kind: 'RecipeResult', componentRefs: [], criteria: { service: 5 } },
      'criteria.service',
    ],
    [
      'checks that are no list',
      {
        kind: 'RecipeResult',
        componentRefs: [],
        validation: { conformance: { checks: 'ai-service-metrics' } },
      },
      'validation.conformance.checks',
    ],
  ] as const) {
    it(`${what}: an issue at ${path}, in the file`, () => {
      const parsed = parseRecipeResult(doc, 'recipe.yaml');
      assert.equal(parsed.ok, false);
      if (parsed.ok) return;
      assert.deepEqual(
        parsed.issues.map((i) => [i.file, i.path]),
        [['recipe.yaml', path]],
      );
      assert.ok(parsed.issues[0]!.message.length > 0);
    });
  }
});
