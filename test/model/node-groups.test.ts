/** Which fact names a node's group, in the documented order: EKS label, eksctl, Karpenter, EC2 tag. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildModel } from '../../src/model/build.ts';
import { scenario } from '../helpers/scenario.ts';

/** One node whose EKS label is blanked unless given; the EC2 tag always says `tagged`. */
function groupOf(labels: Record<string, string>): [string, string] {
  const model = buildModel(
    scenario()
      .subnet('subnet-a', '10.0.16.0/20')
      .withoutNacls()
      .sg('sg-a', [])
      .node('n-1', {
        group: 'tagged',
        subnet: 'subnet-a',
        ip: '10.0.16.10',
        sgs: ['sg-a'],
        labels: { 'eks.amazonaws.com/nodegroup': '', ...labels },
      })
      .snapshot(),
  );
  const node = model.nodes.get('n-1')!;
  return [node.nodeGroup, node.nodeGroupSource];
}

describe('node group', () => {
  const cases: Array<[string, Record<string, string>, [string, string]]> = [
    [
      'the EKS managed node group label wins over every other',
      {
        'eks.amazonaws.com/nodegroup': 'managed',
        'alpha.eksctl.io/nodegroup-name': 'eksctl',
        'karpenter.sh/nodepool': 'pool',
      },
      ['managed', 'label eks.amazonaws.com/nodegroup'],
    ],
    [
      'then eksctl',
      { 'alpha.eksctl.io/nodegroup-name': 'eksctl', 'karpenter.sh/nodepool': 'pool' },
      ['eksctl', 'label alpha.eksctl.io/nodegroup-name'],
    ],
    [
      'then a Karpenter node pool',
      { 'karpenter.sh/nodepool': 'pool' },
      ['pool', 'label karpenter.sh/nodepool'],
    ],
    ['then the EC2 tag of the instance', {}, ['tagged', 'EC2 tag eks:nodegroup-name']],
  ];
  for (const [name, labels, expected] of cases) it(name, () => assert.deepEqual(groupOf(labels), expected));
});
