/**
 * Which evidence decides the event plane and etcd, and in which order (issue: "the deployed
 * configuration beats the version default"): the Dynamo pods' env, then the DynamoGraphDeployments
 * (families.test.ts), the operator's --natsAddr / --etcdAddr, the recipe's platform values, NATS /
 * etcd pods, then the release family's default. Family defaults from AICR's pages: 1.0–1.1 keep
 * discovery in etcd, 1.2–1.3 use NATS, 1.4+ use ZMQ and no etcd.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecipeInfo } from '../../src/requirements/context.ts';
import { allTraffic, scenario, type Scenario } from '../helpers/scenario.ts';

const base = (): Scenario =>
  scenario()
    .subnet('subnet-a', '10.0.16.0/20')
    .withoutNacls()
    .sg('sg-all', [allTraffic.fromGroup('sg-all')])
    .node('sys-1', {
      group: 'system',
      subnet: 'subnet-a',
      ip: '10.0.16.10',
      sgs: ['sg-all'],
      podIps: ['10.0.16.11', '10.0.16.12', '10.0.16.13'],
    })
    .node('gpu-1', {
      group: 'gpu',
      subnet: 'subnet-a',
      ip: '10.0.16.20',
      sgs: ['sg-all'],
      gpu: true,
      podIps: ['10.0.16.21'],
    });

/** The Dynamo operator as the platform chart runs it, with these args. */
const withOperator = (s: Scenario, args: string[]): Scenario =>
  s.file('k8s/operator.json', {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: 'dynamo-platform-dynamo-operator-controller-manager-7f9c',
          namespace: 'dynamo-system',
          labels: { 'app.kubernetes.io/name': 'dynamo-operator' },
        },
        spec: {
          nodeName: 'sys-1',
          containers: [
            { name: 'manager', image: 'nvcr.io/nvidia/ai-dynamo/kubernetes-operator:1.4.2', args },
          ],
        },
        status: { phase: 'Running', podIP: '10.0.16.13' },
      },
    ],
  });

const recipe = (values: Record<string, unknown>): RecipeInfo => ({
  name: 'h100-eks-ubuntu-inference-dynamo',
  source: 'recipe.yaml',
  dynamoValues: values,
});

function decided(s: Scenario, options: Parameters<Scenario['analyze']>[0]) {
  const result = s.analyze({ conformance: false, ...options });
  const ids = result.requirements.map((r) => r.id);
  const why = (id: string) =>
    result.requirements.find((r) => r.id === id)?.decidedBy.join('; ') ??
    result.notApplicable.find((n) => n.id === id)!.because;
  return { ids, why };
}

describe('the event plane, strongest evidence first', () => {
  it('1.4 with nothing deployed: ZMQ, the family default', () => {
    const r = decided(base(), { dynamoVersion: '1.4.2' });
    assert.ok(r.ids.includes('zmq-events') && !r.ids.includes('nats'));
    assert.match(r.why('zmq-events'), /nothing deployed says: zmq is the Dynamo 1\.4\+ default/);
  });

  it('a NATS pod beats the family default', () => {
    const r = decided(base().nats('nats-0', 'sys-1', '10.0.16.11'), { dynamoVersion: '1.4.2' });
    assert.ok(r.ids.includes('nats'));
    assert.match(r.why('nats'), /NATS pod dynamo-system\/nats-0 is deployed/);
  });

  it("the recipe's platform values beat a NATS pod (nats.enabled: false, as AICR v0.11.1's values set)", () => {
    const r = decided(base().nats('nats-0', 'sys-1', '10.0.16.11'), {
      dynamoVersion: '1.2.0',
      recipe: recipe({ nats: { enabled: false } }),
    });
    assert.ok(!r.ids.includes('nats'));
    assert.match(
      r.why('nats'),
      /recipe h100-eks-ubuntu-inference-dynamo: dynamo-platform nats\.enabled: false/,
    );
  });

  it('global.nats.install: true in the recipe brings NATS back on 1.4', () => {
    const r = decided(base(), {
      dynamoVersion: '1.4.2',
      recipe: recipe({ global: { nats: { install: true } } }),
    });
    assert.match(r.why('nats'), /dynamo-platform global\.nats\.install: true/);
  });

  it("the operator's --natsAddr beats the recipe", () => {
    const r = decided(withOperator(base(), ['--natsAddr=nats://dynamo-platform-nats.dynamo-system:4222']), {
      dynamoVersion: '1.4.2',
      recipe: recipe({ nats: { enabled: false } }),
    });
    assert.match(
      r.why('nats'),
      /arg --natsAddr=nats:\/\/dynamo-platform-nats\.dynamo-system:4222 of pod dynamo-system\//,
    );
  });

  it("the Dynamo pods' env beats the operator", () => {
    const s = withOperator(base(), ['--natsAddr', 'nats://dynamo-platform-nats.dynamo-system:4222']).dynamo(
      'worker-0',
      'worker',
      'gpu-1',
      '10.0.16.21',
      '1.4.2',
      { DYN_EVENT_PLANE: 'zmq' },
    );
    const r = decided(s, {});
    assert.ok(!r.ids.includes('nats'));
    assert.match(r.why('zmq-events'), /env DYN_EVENT_PLANE=zmq on pod dynamo-workload\/worker-0/);
  });
});

describe('etcd, strongest evidence first', () => {
  it('1.0 keeps discovery in etcd by default', () => {
    const r = decided(base(), { dynamoVersion: '1.0.2' });
    assert.match(r.why('etcd'), /Dynamo 1\.0-1\.1 keeps discovery in etcd by default/);
  });

  it('DYN_DISCOVERY_BACKEND=kubernetes on the pods drops etcd, even for 1.0', () => {
    const s = base().dynamo('worker-0', 'worker', 'gpu-1', '10.0.16.21', '1.0.2', {
      DYN_DISCOVERY_BACKEND: 'kubernetes',
    });
    const r = decided(s, {});
    assert.ok(!r.ids.includes('etcd'));
    assert.match(r.why('etcd'), /env DYN_DISCOVERY_BACKEND=kubernetes on pod dynamo-workload\/worker-0/);
  });

  it('ETCD_ENDPOINTS on 1.4 pods brings etcd back, at the Service it names', () => {
    const s = base().dynamo('worker-0', 'worker', 'gpu-1', '10.0.16.21', '1.4.2', {
      ETCD_ENDPOINTS: 'http://my-etcd.infra:2379',
    });
    const r = decided(s, {});
    assert.match(r.why('etcd'), /env ETCD_ENDPOINTS=http:\/\/my-etcd\.infra:2379/);
    assert.match(r.why('etcd'), /target my-etcd\.infra/);
  });

  it("before install the operator's --etcdAddr, then the recipe, then an etcd pod", () => {
    const operator = decided(
      withOperator(base(), ['--etcdAddr=http://dynamo-platform-etcd.dynamo-system:2379']),
      {
        dynamoVersion: '1.4.2',
        recipe: recipe({ etcd: { enabled: false } }),
      },
    );
    assert.match(operator.why('etcd'), /arg --etcdAddr=/);
    const fromRecipe = decided(base(), {
      dynamoVersion: '1.4.2',
      recipe: recipe({ etcd: { enabled: true } }),
    });
    assert.match(fromRecipe.why('etcd'), /dynamo-platform etcd\.enabled: true/);
    const etcdPod = base().pod('dynamo-platform-etcd-0', {
      namespace: 'dynamo-system',
      node: 'sys-1',
      ip: '10.0.16.12',
      labels: { 'app.kubernetes.io/name': 'etcd' },
    });
    assert.match(
      decided(etcdPod, { dynamoVersion: '1.4.2' }).why('etcd'),
      /etcd pod dynamo-system\/dynamo-platform-etcd-0 is deployed/,
    );
    const podButRecipeSaysNo = decided(etcdPod, {
      dynamoVersion: '1.4.2',
      recipe: recipe({ etcd: { enabled: false } }),
    });
    assert.match(podButRecipeSaysNo.why('etcd'), /etcd\.enabled: false/);
  });
});
