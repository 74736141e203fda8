/**
 * buildRequirementContext (src/requirements/context.ts): which Dynamo version is analysed and why,
 * which release family fills in, and what the report says about each choice. Expected values come
 * from the README ("The version comes from `--dynamo-version`, the recipe, the cluster …, or the
 * newest catalog entry"; "A version newer than the catalog gets the newest family's defaults and a
 * warning") and the `requirements` output, written out here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRequirementContext, familyOf, type RecipeInfo } from '../../src/requirements/context.ts';
import { dynamoPod, podModels } from './context-pods.ts';

const recipe = (extra: Partial<RecipeInfo> = {}): RecipeInfo => ({
  name: 'h100-eks-ubuntu-inference-dynamo',
  source: 'recipe.yaml',
  ...extra,
});
const IMAGE = (v: string) => `image nvcr.io/nvidia/ai-dynamo/vllm-runtime:${v} in pod dynamo-workload/`;

describe('the Dynamo version analysed', () => {
  it('--dynamo-version 1.2 is read as 1.2.0, and a differing cluster is noted', () => {
    const { context, notes } = buildRequirementContext(podModels(dynamoPod('w', 'worker', '1.0.2')), {
      dynamoVersion: '1.2',
    });
    assert.equal(context.dynamoVersion, '1.2.0');
    assert.equal(context.versionSource, '--dynamo-version');
    assert.deepEqual(notes, [
      `the cluster runs Dynamo 1.0.2 (${IMAGE('1.0.2')}w); analysing for 1.2.0 as asked`,
    ]);
    assert.equal(context.whatIf, true);
  });

  it('--dynamo-version v1.4.2 (a valid semver with its v) is 1.4.2; the same version as the cluster adds no note', () => {
    const { context, notes } = buildRequirementContext(podModels(dynamoPod('w', 'worker', '1.4.2')), {
      dynamoVersion: 'v1.4.2',
    });
    assert.equal(context.dynamoVersion, '1.4.2');
    assert.deepEqual(notes, []);
    assert.equal(context.whatIf, false);
  });

  it('--dynamo-version 1.2.0-rc1 keeps its pre-release (a valid version is taken as given, not coerced)', () => {
    const { context } = buildRequirementContext([], { dynamoVersion: '1.2.0-rc1' });
    assert.equal(context.dynamoVersion, '1.2.0-rc1');
    assert.equal(context.family.id, '1.2-1.3');
  });

  it("the recipe's dynamo-platform version when no flag, with the recipe named and a differing cluster noted", () => {
    const { context, notes } = buildRequirementContext(podModels(dynamoPod('w', 'worker', '1.4.2')), {
      recipe: recipe({ dynamoVersion: 'v1.2.1' }),
    });
    assert.equal(context.dynamoVersion, '1.2.1');
    assert.equal(context.versionSource, 'recipe h100-eks-ubuntu-inference-dynamo');
    assert.deepEqual(notes, [
      `the cluster runs Dynamo 1.4.2 (${IMAGE('1.4.2')}w); analysing for the recipe's 1.2.1`,
    ]);
  });

  it("the recipe's version equal to the cluster's adds no note", () => {
    const { notes } = buildRequirementContext(podModels(dynamoPod('w', 'worker', '1.2.1')), {
      recipe: recipe({ dynamoVersion: '1.2.1' }),
    });
    assert.deepEqual(notes, []);
  });

  it('the flag beats the recipe', () => {
    const { context } = buildRequirementContext([], {
      dynamoVersion: '1.0.2',
      recipe: recipe({ dynamoVersion: '1.2.1' }),
    });
    assert.equal(context.dynamoVersion, '1.0.2');
    assert.equal(context.versionSource, '--dynamo-version');
  });

  it('detected from the pods, naming the image; another version also running is noted once (mid-upgrade)', () => {
    const { context, notes } = buildRequirementContext(
      podModels(
        dynamoPod('w-new', 'worker', '1.4.2'),
        dynamoPod('w-old', 'worker', '1.2.0'),
        dynamoPod('f-old', 'frontend', '1.2.0'),
      ),
      {},
    );
    assert.equal(context.dynamoVersion, '1.4.2');
    assert.equal(context.versionSource, `detected: ${IMAGE('1.4.2')}w-new`);
    assert.deepEqual(notes, ['other Dynamo versions also seen in the cluster: 1.2.0 (mid-upgrade?)']);
  });

  it('one version seen on every pod: no mid-upgrade note', () => {
    const { notes } = buildRequirementContext(
      podModels(dynamoPod('w', 'worker', '1.4.2'), dynamoPod('f', 'frontend', '1.4.2')),
      {},
    );
    assert.deepEqual(notes, []);
  });

  it('nothing says: the newest in the catalog, 1.4.2, and the source says it was assumed', () => {
    const { context, notes } = buildRequirementContext([], {});
    assert.equal(context.dynamoVersion, '1.4.2');
    assert.equal(
      context.versionSource,
      'no version given or found in the cluster: assumed the newest in the catalog',
    );
    assert.deepEqual(notes, []);
    assert.equal(context.whatIf, false);
  });

  it('a version newer than the catalog gets the 1.4+ defaults and a warning; 1.4.2 itself none', () => {
    const newer = buildRequirementContext([], { dynamoVersion: '1.5.0' });
    assert.equal(newer.context.family.id, '1.4+');
    assert.deepEqual(newer.notes, [
      "Dynamo 1.5.0 is newer than the catalog (newest 1.4.2): the 1.4+ family's defaults are assumed",
    ]);
    assert.deepEqual(buildRequirementContext([], { dynamoVersion: '1.4.2' }).notes, []);
  });
});

describe('the release family of a version (README family table)', () => {
  for (const [version, family] of [
    ['1.0.0', '1.0-1.1'],
    ['1.1.9', '1.0-1.1'],
    ['1.2.0-rc1', '1.2-1.3'],
    ['1.2.0', '1.2-1.3'],
    ['1.3.5', '1.2-1.3'],
    ['1.4.0-rc0', '1.4+'],
    ['1.4.0', '1.4+'],
    ['2.0.0', '1.4+'],
  ] as const) {
    it(`${version} → ${family}`, () => assert.equal(familyOf(version).id, family));
  }

  it('the frontend placement and its source follow the family', () => {
    const old = buildRequirementContext([], { dynamoVersion: '1.2.0' }).context;
    assert.equal(old.frontendOn, 'gpu-node-groups');
    assert.equal(
      old.frontendSource,
      'Dynamo 1.2-1.3: AICR docs "EKS Dynamo Networking Prerequisites": Dynamo frontend and vLLM worker pods run on the GPU node groups ("ports may be blocked from GPU nodes to system nodes")',
    );
    const now = buildRequirementContext([], { dynamoVersion: '1.4.2' }).context;
    assert.equal(now.frontendOn, 'system-node-groups');
    assert.equal(
      now.frontendSource,
      'Dynamo 1.4+: NVIDIA/aicr docs/integrator/eks-dynamo-networking.md (Dynamo 1.4+): frontend pods run on the system node group, workers on the GPU node groups',
    );
  });
});

describe('an upgrade what-if: the running pods of another release are not evidence', () => {
  it('1.2 pods with DYN_EVENT_PLANE=nats and DYN_REQUEST_PLANE=nats, analysed for 1.4.2: the 1.4+ defaults', () => {
    const pods = podModels(
      dynamoPod('w', 'worker', '1.2.0', { env: { DYN_EVENT_PLANE: 'nats', DYN_REQUEST_PLANE: 'nats' } }),
    );
    const { context } = buildRequirementContext(pods, { dynamoVersion: '1.4.2' });
    assert.equal(context.whatIf, true);
    assert.equal(context.eventPlane, 'zmq');
    assert.equal(context.eventPlaneSource, 'nothing deployed says: zmq is the Dynamo 1.4+ default');
    assert.equal(context.requestPlane, 'tcp');
    // The same pods analysed for their own release decide.
    const own = buildRequirementContext(pods, {}).context;
    assert.equal(own.eventPlane, 'nats');
    assert.equal(own.requestPlane, 'nats');
  });
});

describe('the request plane (DYN_REQUEST_PLANE)', () => {
  const plane = (value: string) =>
    buildRequirementContext(
      podModels(dynamoPod('w', 'worker', '1.2.0', { env: { DYN_REQUEST_PLANE: value } })),
      {},
    ).context;
  it('NATS (any case) → nats, http → http, named by the env', () => {
    assert.equal(plane('NATS').requestPlane, 'nats');
    assert.equal(plane('NATS').requestPlaneSource, 'env DYN_REQUEST_PLANE=NATS on pod dynamo-workload/w');
    assert.equal(plane('http').requestPlane, 'http');
  });
  it('a value Dynamo does not know leaves tcp', () => {
    assert.equal(plane('grpc').requestPlane, 'tcp');
  });
  it('unset: tcp, the default since 1.2 (AICR page)', () => {
    const { context } = buildRequirementContext([], { dynamoVersion: '1.2.0' });
    assert.equal(context.requestPlane, 'tcp');
    assert.equal(
      context.requestPlaneSource,
      'DYN_REQUEST_PLANE unset: tcp is the default since 1.2, AICR does not override it',
    );
  });
});

describe('which conformance checks run', () => {
  it('--conformance / --no-conformance decide both checks', () => {
    const on = buildRequirementContext([], { conformance: true }).context;
    assert.deepEqual(on.conformanceChecks, {
      'ai-service-metrics': { runs: true, source: '--conformance' },
      'accelerator-metrics': { runs: true, source: '--conformance' },
    });
    assert.equal(on.conformance, true);
    assert.equal(on.conformanceSource, '--conformance');
    const off = buildRequirementContext([], { conformance: false }).context;
    assert.deepEqual(off.conformanceChecks['accelerator-metrics'], {
      runs: false,
      source: '--no-conformance',
    });
    assert.equal(off.conformance, false);
    assert.equal(off.conformanceSource, '--no-conformance');
  });

  it("else the recipe's validation list, each check by name", () => {
    const { context } = buildRequirementContext([], {
      recipe: recipe({ checks: ['ai-service-metrics', 'inference-perf'] }),
    });
    assert.deepEqual(context.conformanceChecks, {
      'ai-service-metrics': {
        runs: true,
        source: 'recipe h100-eks-ubuntu-inference-dynamo lists ai-service-metrics',
      },
      'accelerator-metrics': {
        runs: false,
        source: 'recipe h100-eks-ubuntu-inference-dynamo does not list accelerator-metrics',
      },
    });
  });

  it('else both, the default for AICR inference recipes', () => {
    const { context } = buildRequirementContext([], { recipe: recipe() });
    assert.deepEqual(context.conformanceChecks['accelerator-metrics'], {
      runs: true,
      source: 'the default for AICR inference recipes',
    });
    assert.equal(context.conformanceSource, 'the default for AICR inference recipes');
  });
});

describe('what the model says, passed through with its source', () => {
  it('nothing read: no NetworkPolicies, no EFA, no pod security groups, each saying so', () => {
    const { context } = buildRequirementContext([], {});
    assert.equal(context.networkPolicies, false);
    assert.equal(context.efa, false);
    assert.equal(context.efaSource, 'no EFA interface in the snapshot');
    assert.equal(context.podSecurityGroups, false);
    assert.equal(
      context.podSecurityGroupsSource,
      'no cluster read: no SecurityGroupPolicy gives pods their own security groups',
    );
  });

  it('the model’s facts as given', () => {
    const { context } = buildRequirementContext([], {
      networkPolicies: true,
      efa: { value: true, source: 'eni-0a InterfaceType efa' },
      podSecurityGroups: { value: true, source: 'ENABLE_POD_ENI=true and SecurityGroupPolicy dynamo/sgp' },
    });
    assert.equal(context.networkPolicies, true);
    assert.equal(context.efa, true);
    assert.equal(context.efaSource, 'eni-0a InterfaceType efa');
    assert.equal(context.podSecurityGroups, true);
    assert.equal(context.podSecurityGroupsSource, 'ENABLE_POD_ENI=true and SecurityGroupPolicy dynamo/sgp');
  });
});
