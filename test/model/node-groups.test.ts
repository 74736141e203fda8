/** Which fact names a node's group, in the documented order: EKS label, eksctl, Karpenter, EC2 tag. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildModel } from '../../src/model/build.ts';
import { parseSnapshot } from '../../src/snapshot/parse.ts';
import { scenario, statusOf, tcp } from '../helpers/scenario.ts';

type Json = Record<string, unknown>;

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

/**
 * Self-managed nodes: no EKS, eksctl or Karpenter label and no eks:nodegroup-name tag. A system
 * node and a GPU node must never share a group: flows, fixes and --gpu-nodegroup name groups.
 */
describe('node group of nodes no label or tag names', () => {
  const base = () =>
    scenario()
      .subnet('subnet-a', '10.0.16.0/20')
      .withoutNacls()
      .sg('sg-sys', [tcp(9090).fromGroup('sg-sys')])
      .sg('sg-gpu', []);

  it('an m7i system node and a p5 GPU node fall into two groups named by instance type', () => {
    const model = buildModel(
      base()
        .node('sys-1', {
          group: '',
          untagged: true,
          subnet: 'subnet-a',
          ip: '10.0.16.10',
          sgs: ['sg-sys'],
          instanceType: 'm7i.2xlarge',
          labels: { 'node.kubernetes.io/instance-type': 'm7i.2xlarge' },
        })
        .node('gpu-1', {
          group: '',
          untagged: true,
          subnet: 'subnet-a',
          ip: '10.0.16.20',
          sgs: ['sg-gpu'],
          gpu: true,
          instanceType: 'p5.48xlarge',
          labels: { 'node.kubernetes.io/instance-type': 'p5.48xlarge' },
        })
        .snapshot(),
    );
    const sys = model.nodes.get('sys-1')!;
    const gpu = model.nodes.get('gpu-1')!;
    assert.equal(sys.nodeGroup, '(instance type m7i.2xlarge)');
    assert.equal(gpu.nodeGroup, '(instance type p5.48xlarge)');
    assert.match(sys.nodeGroupSource, /instance type \(label node\.kubernetes\.io\/instance-type\)/);
    const note = model.notes.find((n) => n.code === 'node-groups-inferred');
    assert.ok(note, 'the basis is reported');
    assert.match(
      note.message,
      /\(instance type m7i\.2xlarge\): sys-1; \(instance type p5\.48xlarge\): gpu-1/,
    );
  });

  it('nodes of one instance type share a group; the beta label and the EC2 instance also name the type', () => {
    const model = buildModel(
      base()
        .node('sys-1', {
          group: '',
          untagged: true,
          subnet: 'subnet-a',
          ip: '10.0.16.10',
          sgs: ['sg-sys'],
          instanceType: 'm7i.2xlarge',
          labels: { 'beta.kubernetes.io/instance-type': 'm7i.2xlarge' },
        })
        .node('sys-2', {
          group: '',
          untagged: true,
          subnet: 'subnet-a',
          ip: '10.0.16.11',
          sgs: ['sg-sys'],
          instanceType: 'm7i.2xlarge',
        })
        .snapshot(),
    );
    assert.equal(model.nodes.get('sys-1')!.nodeGroup, '(instance type m7i.2xlarge)');
    assert.equal(model.nodes.get('sys-2')!.nodeGroup, '(instance type m7i.2xlarge)');
    assert.match(model.nodes.get('sys-1')!.nodeGroupSource, /label beta\.kubernetes\.io\/instance-type/);
    assert.match(model.nodes.get('sys-2')!.nodeGroupSource, /EC2 instance i-0+2/);
  });

  it('one instance type with and without a GPU (gr6, which the p/g rule misses): never one group', () => {
    // EC2 Gr6 instances carry an NVIDIA L4; the GPU Operator labels the node once it runs there.
    const model = buildModel(
      base()
        .node('l4-1', {
          group: '',
          untagged: true,
          subnet: 'subnet-a',
          ip: '10.0.16.10',
          sgs: ['sg-gpu'],
          instanceType: 'gr6.4xlarge',
          labels: { 'nvidia.com/gpu.present': 'true' },
        })
        .node('l4-2', {
          group: '',
          untagged: true,
          subnet: 'subnet-a',
          ip: '10.0.16.11',
          sgs: ['sg-gpu'],
          instanceType: 'gr6.4xlarge',
        })
        .snapshot(),
    );
    const a = model.nodes.get('l4-1')!;
    const b = model.nodes.get('l4-2')!;
    assert.equal(a.gpu, true);
    assert.equal(b.gpu, false);
    assert.notEqual(a.nodeGroup, b.nodeGroup);
    assert.equal(a.nodeGroup, '(instance type gr6.4xlarge, GPU)');
    assert.equal(b.nodeGroup, '(instance type gr6.4xlarge, no GPU)');
  });

  it('without an instance type, GPU capacity keeps GPU nodes apart', () => {
    const files = base()
      .node('sys-1', { group: '', untagged: true, subnet: 'subnet-a', ip: '10.0.16.10', sgs: ['sg-sys'] })
      .node('gpu-1', { group: '', untagged: true, subnet: 'subnet-a', ip: '10.0.16.20', sgs: ['sg-gpu'] })
      .files()
      // Nodes only: no EC2 instances, so nothing names an instance type.
      .filter((f) => f.path !== 'aws/instances.json')
      .map((f) => {
        if (f.path !== 'k8s/nodes.json') return f;
        const list = JSON.parse(f.text) as { items: { metadata: { name: string }; status: Json }[] };
        for (const node of list.items)
          if (node.metadata.name === 'gpu-1') node.status.capacity = { 'nvidia.com/gpu': '8' };
        return { ...f, text: JSON.stringify(list) };
      });
    const parsed = parseSnapshot(files);
    assert.ok(parsed.ok);
    const model = buildModel(parsed.snapshot);
    assert.equal(model.nodes.get('sys-1')!.nodeGroup, '(no node group)');
    assert.equal(model.nodes.get('gpu-1')!.nodeGroup, '(no node group, nvidia.com/gpu=8)');
  });

  it('the analysis reports GPU and system flows under their own groups and names the basis', () => {
    const result = base()
      .node('sys-1', {
        group: '',
        untagged: true,
        subnet: 'subnet-a',
        ip: '10.0.16.10',
        sgs: ['sg-sys'],
        instanceType: 'm7i.2xlarge',
        podIps: ['10.0.16.11'],
      })
      .node('gpu-1', {
        group: '',
        untagged: true,
        subnet: 'subnet-a',
        ip: '10.0.16.20',
        sgs: ['sg-gpu'],
        gpu: true,
        instanceType: 'p5.48xlarge',
        podIps: ['10.0.16.21'],
      })
      .prometheus('prometheus-0', 'sys-1', '10.0.16.11')
      .analyze({ dynamoVersion: '1.2.0' });
    // sg-sys admits 9090 only from itself: the orchestrator on the p5 node is blocked, on the m7i node not.
    assert.deepEqual(statusOf(result, 'prometheus', '(instance type p5.48xlarge)'), ['blocked']);
    assert.deepEqual(statusOf(result, 'prometheus', '(instance type m7i.2xlarge)'), ['allowed']);
    assert.ok(
      result.notes.some((n) => /grouped by instance type/.test(n)),
      result.notes.join('\n'),
    );
  });
});
