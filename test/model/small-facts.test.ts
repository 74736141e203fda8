/**
 * Small facts of the model: a flow end's common pod identity (model/identity.ts), a node's EFA
 * interfaces as flow ends (model/efa.ts), and a Dynamo worker's disaggregation stage
 * (model/disaggregation.ts).
 * - Kubernetes adds `pod-template-hash` (Deployments), `controller-revision-hash` and
 *   `statefulset.kubernetes.io/pod-name` (StatefulSets), `pod-template-generation` (DaemonSets),
 *   `apps.kubernetes.io/pod-index`; Helm charts add `app.kubernetes.io/version`, `managed-by` and
 *   `helm.sh/chart`: labels of one pod or one release.
 * - EC2 User Guide, "Elastic Fabric Adapter": an EFA is `InterfaceType: efa`, or `efa-only` (no IP).
 * - ai-dynamo/dynamo: the vLLM worker takes `--disaggregation-mode prefill|decode` (older releases:
 *   `--is-prefill-worker`, `--is-decode-worker`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commonIdentity } from '../../src/model/identity.ts';
import { efaEndpoints, efaEnis, isEfaEni } from '../../src/model/efa.ts';
import { disaggregationStage, stageLabel } from '../../src/model/disaggregation.ts';
import { predictedEndpoint } from '../helpers/core.ts';
import { allTraffic, scenario } from '../helpers/scenario.ts';
import type { PodIdentity } from '../../src/model/policy/types.ts';
import { modelOf, type Json } from './model-of.ts';

const who = (namespace: string, labels: Record<string, string>, hostNetwork = false): PodIdentity => ({
  namespace,
  labels,
  labelsComplete: true,
  hostNetwork,
  namedPorts: {},
});

describe('commonIdentity', () => {
  it('the labels every pod shares, without those of one pod or one release', () => {
    assert.deepEqual(
      commonIdentity([
        who('ns', {
          app: 'w',
          tier: 'gpu',
          zone: 'a',
          'pod-template-hash': '1',
          'controller-revision-hash': 'x',
          'statefulset.kubernetes.io/pod-name': 'w-0',
          'pod-template-generation': '2',
          'apps.kubernetes.io/pod-index': '0',
          'app.kubernetes.io/version': '1.0',
          'app.kubernetes.io/managed-by': 'Helm',
          'helm.sh/chart': 'c-1',
        }),
        who('ns', { app: 'w', tier: 'gpu', zone: 'b', 'pod-template-hash': '1' }),
      ]),
      { namespace: 'ns', labels: { app: 'w', tier: 'gpu' } },
    );
  });

  it('none for no pods, an unknown pod, a hostNetwork pod, or two namespaces', () => {
    assert.equal(commonIdentity([]), undefined);
    assert.equal(commonIdentity([who('ns', {}), undefined]), undefined);
    assert.equal(commonIdentity([who('ns', {}), who('ns', {}, true)]), undefined);
    assert.equal(commonIdentity([who('a', { x: '1' }), who('b', { x: '1' })]), undefined);
  });

  it('one pod: its namespace and stable labels', () => {
    assert.deepEqual(commonIdentity([who('ns', { app: 'x', 'helm.sh/chart': 'c' })]), {
      namespace: 'ns',
      labels: { app: 'x' },
    });
  });
});

describe('EFA interfaces', () => {
  const efa = (sgs: string[], ips: string[], type = 'efa') => ({ subnet: 'subnet-a', sgs, ips, type });
  const model = (more: ReturnType<typeof efa>[], edit: Record<string, (doc: Json) => void> = {}) =>
    modelOf(
      scenario()
        .subnet('subnet-a', '10.0.16.0/20')
        .withoutNacls()
        .sg('sg-n', [allTraffic.fromGroup('sg-n')])
        .node('gpu-1', { group: 'gpu', subnet: 'subnet-a', ip: '10.0.16.10', sgs: ['sg-n'], moreEnis: more }),
      edit,
    );

  it('efa and efa-only are EFA interfaces; interface, trunk and branch are not', () => {
    const m = model([
      efa(['sg-e'], ['10.0.16.20']),
      efa(['sg-e'], ['10.0.16.21'], 'efa-only'),
      efa(['sg-e'], ['10.0.16.22'], 'trunk'),
    ]);
    assert.deepEqual(
      efaEnis(m, m.nodes.get('gpu-1')!).map((e) => e.id),
      ['eni-gpu-1-2', 'eni-gpu-1-3'],
    );
    assert.equal(isEfaEni(m.enis.get('eni-gpu-1-0')!), false);
    assert.equal(isEfaEni(m.enis.get('eni-gpu-1-4')!), false);
    assert.deepEqual(efaEnis(m, { ...m.nodes.get('gpu-1')!, instanceId: undefined }), []);
  });

  it('one end per set of groups, naming how many more interfaces share it', () => {
    const m = model([
      efa(['sg-f', 'sg-e'], ['10.0.16.20']),
      efa(['sg-e', 'sg-f'], ['10.0.16.21']),
      efa(['sg-e', 'sg-f'], ['10.0.16.22']),
      efa(['sg-g'], ['10.0.16.23']),
    ]);
    const node = m.nodes.get('gpu-1')!;
    const from = predictedEndpoint(m, node);
    const ends = efaEndpoints(m, node, from);
    assert.equal(ends.length, 2);
    const [shared, alone] = ends;
    assert.equal(shared!.id, 'efa:eni-gpu-1-2');
    assert.equal(shared!.kind, 'predicted');
    assert.equal(shared!.label, 'EFA eni-gpu-1-2 and 2 more with the same SGs on gpu-1');
    assert.equal(shared!.nodeName, 'gpu-1');
    assert.equal(shared!.nodeGroup, 'gpu');
    assert.equal(shared!.addressText, '10.0.16.20');
    assert.equal(shared!.addresses?.family, 4);
    assert.equal(shared!.eniId, 'eni-gpu-1-2');
    assert.deepEqual(shared!.securityGroups, ['sg-e', 'sg-f']);
    assert.equal(shared!.subnetId, 'subnet-a');
    assert.equal(shared!.sgOnSameNode, false);
    assert.deepEqual(shared!.attachment, [
      ...from.attachment,
      "SRD runs on the node's EFA interface eni-gpu-1-2 (InterfaceType efa) with its own SGs [sg-e, sg-f]",
    ]);
    assert.equal(alone!.label, 'EFA eni-gpu-1-5 on gpu-1');
  });

  it('an efa-only interface: no IP, said so; no subnet when none is given', () => {
    const m = model([efa(['sg-e'], [], 'efa-only')], {
      'aws/network-interfaces.json': (doc) => {
        for (const e of doc.NetworkInterfaces as Json[])
          if (e.InterfaceType === 'efa-only') delete e.SubnetId;
      },
    });
    const node = m.nodes.get('gpu-1')!;
    const [end] = efaEndpoints(m, node, predictedEndpoint(m, node));
    assert.equal(end!.addressText, 'EFA eni-gpu-1-2 (no IP: efa-only)');
    assert.equal(end!.addresses, undefined);
    assert.equal('subnetId' in end!, false);
    assert.match(end!.attachment.at(-1)!, /\(InterfaceType efa-only\)/);
  });

  it('no EFA interface: one unresolved end, saying SRD cannot run there', () => {
    const m = model([]);
    const node = m.nodes.get('gpu-1')!;
    const from = predictedEndpoint(m, node);
    const ends = efaEndpoints(m, node, from);
    assert.equal(ends.length, 1);
    assert.equal(ends[0]!.id, 'efa:gpu-1');
    assert.equal(ends[0]!.label, 'gpu-1 (no EFA interface)');
    assert.equal(
      ends[0]!.unresolved,
      'node gpu-1 (gpu) has no EFA interface (no ENI with InterfaceType efa or efa-only): SRD cannot run from or to it, and NIXL falls back to another transport',
    );
    assert.deepEqual(ends[0]!.securityGroups, from.securityGroups);
  });
});

describe('the disaggregation stage', () => {
  it('--disaggregation-mode, as one word or two, in any case', () => {
    assert.deepEqual(
      disaggregationStage(['python', '-m', 'dynamo.vllm', '--disaggregation-mode', 'prefill']),
      {
        value: 'prefill',
        source: 'arg --disaggregation-mode prefill',
      },
    );
    assert.deepEqual(disaggregationStage(['--disaggregation-mode=Decode']), {
      value: 'decode',
      source: 'arg --disaggregation-mode Decode',
    });
  });

  it('the older flags', () => {
    assert.deepEqual(disaggregationStage(['--is-prefill-worker']), {
      value: 'prefill',
      source: 'arg --is-prefill-worker',
    });
    assert.deepEqual(disaggregationStage(['--is-decode-worker']), {
      value: 'decode',
      source: 'arg --is-decode-worker',
    });
  });

  it('inside a shell script', () => {
    assert.deepEqual(
      disaggregationStage(['sh', '-c', 'exec python -m dynamo.vllm --model m  --disaggregation-mode decode']),
      {
        value: 'decode',
        source: 'arg --disaggregation-mode decode',
      },
    );
  });

  it('a JSON argument is not split into words', () => {
    assert.equal(disaggregationStage(['--config', ' {"note": "--is-prefill-worker x"}']), undefined);
  });

  it('no stage: another mode, the flag last with no value, nothing', () => {
    assert.equal(disaggregationStage(['--disaggregation-mode', 'agg']), undefined);
    assert.equal(disaggregationStage(['--disaggregation-mode']), undefined);
    assert.equal(disaggregationStage(['--disaggregation-mode=']), undefined);
    assert.equal(disaggregationStage([]), undefined);
    assert.equal(disaggregationStage(['prefill']), undefined);
  });

  it('the first stage said wins', () => {
    assert.equal(
      disaggregationStage(['--is-decode-worker', '--disaggregation-mode', 'prefill'])?.value,
      'decode',
    );
  });

  it('stageLabel: prefill or decode in any case, else none', () => {
    assert.equal(stageLabel('Prefill'), 'prefill');
    assert.equal(stageLabel('DECODE'), 'decode');
    assert.equal(stageLabel('agg'), undefined);
    assert.equal(stageLabel(undefined), undefined);
  });
});
