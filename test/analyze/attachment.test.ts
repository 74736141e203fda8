/** Which ENI carries a pod's traffic, same-node bypass, prediction, and source classes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allTraffic, naclAllowAll, scenario, tcp } from '../helpers/scenario.ts';

/** System SG allows 4222 and 9090 from the node CIDR 10.0.32.0/20 only — not from the pod subnet. */
function customNetworking() {
  return scenario()
    .subnet('subnet-sys', '10.0.16.0/20')
    .subnet('subnet-gpu', '10.0.32.0/20')
    .subnet('subnet-pods', '100.64.0.0/18')
    .nacl('acl-default', ['subnet-sys', 'subnet-gpu', 'subnet-pods'], naclAllowAll(), true)
    .sg('sg-sys', [
      allTraffic.fromGroup('sg-sys'),
      tcp(4222).fromCidr('10.0.32.0/20'),
      tcp(9090).fromCidr('10.0.32.0/20'),
    ])
    .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')])
    .sg('sg-customer', [allTraffic.fromGroup('sg-customer')])
    .cni({ AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true' })
    .eniConfig('customer-pods', 'subnet-pods', ['sg-customer'])
    .node('sys-1', {
      group: 'system',
      subnet: 'subnet-sys',
      ip: '10.0.16.10',
      sgs: ['sg-sys'],
      podIps: ['10.0.16.11', '10.0.16.12'],
    })
    .node('gpu-1', {
      group: 'gpu',
      subnet: 'subnet-gpu',
      ip: '10.0.32.10',
      sgs: ['sg-gpu'],
      gpu: true,
      labels: { 'k8s.amazonaws.com/eniConfig': 'customer-pods' },
      podEni: { subnet: 'subnet-pods', sgs: ['sg-customer'], ips: ['100.64.0.10', '100.64.0.11'] },
    })
    .nats('nats-0', 'sys-1', '10.0.16.11')
    .prometheus('prom-0', 'sys-1', '10.0.16.12')
    .dynamo('worker-0', 'worker', 'gpu-1', '100.64.0.11');
}

describe('ENI placement', () => {
  it('custom networking: a CIDR rule for the node subnet does not cover the pod subnet', () => {
    const result = customNetworking().analyze();
    const nats = result.flows.filter((f) => f.requirement === 'nats');
    assert.deepEqual(new Set(nats.map((f) => f.status)), new Set(['blocked']));
    const pod = nats.find((f) => f.source.kind === 'pods')!;
    assert.deepEqual(pod.source.securityGroups, ['sg-customer']);
    assert.equal(pod.source.subnetId, 'subnet-pods');
    assert.match(pod.source.placement[0]!, /pod IP 100\.64\.0\.11 is on eni-gpu-1-1 \(device index 1/);
    const predicted = nats.find((f) => f.source.kind === 'nodes')!;
    assert.match(
      predicted.source.placement[0]!,
      /ENIConfig customer-pods gives pods subnet subnet-pods and SGs sg-customer/,
    );
    // The fix names the customer SG (where the pods are), not the node SG or a CIDR.
    assert.deepEqual(
      result.remediation.map((r) => [r.groupId, r.fromPort, r.sourceGroupId]),
      [
        ['sg-sys', 4222, 'sg-customer'],
        ['sg-sys', 9090, 'sg-customer'],
      ],
    );
  });

  it('hostNetwork pods use the node primary ENI and its SGs', () => {
    const result = customNetworking()
      .pod('agent', {
        namespace: 'dynamo-workload',
        node: 'gpu-1',
        ip: '10.0.32.10',
        hostNetwork: true,
        labels: { 'nvidia.com/dynamo-component-type': 'worker' },
      })
      .analyze({ conformance: false });
    const flow = result.flows.find((f) => f.source.members.includes('dynamo-workload/agent'))!;
    assert.deepEqual(flow.source.securityGroups, ['sg-gpu']);
    assert.equal(flow.status, 'allowed', 'the node CIDR rule covers the node IP');
  });

  it('prefix delegation: a pod IP inside a /28 prefix is found on its ENI', () => {
    const result = scenario()
      .subnet('subnet-a', '10.0.16.0/20')
      .withoutNacls()
      .sg('sg-a', [allTraffic.fromGroup('sg-a')])
      .node('sys-1', {
        group: 'system',
        subnet: 'subnet-a',
        ip: '10.0.16.10',
        sgs: ['sg-a'],
        prefixes: ['10.0.17.16/28'],
      })
      .node('gpu-1', {
        group: 'gpu',
        subnet: 'subnet-a',
        ip: '10.0.16.20',
        sgs: ['sg-a'],
        gpu: true,
        prefixes: ['10.0.17.32/28'],
      })
      .nats('nats-0', 'sys-1', '10.0.17.21')
      .dynamo('worker-0', 'worker', 'gpu-1', '10.0.17.45')
      .analyze({ conformance: false });
    const flow = result.flows.find((f) => f.source.kind === 'pods')!;
    assert.equal(flow.status, 'allowed');
    assert.match(flow.source.placement[0]!, /10\.0\.17\.45 is on eni-gpu-1-0/);
  });

  it('a pod IP on no captured ENI makes the flow unknown, naming the missing fact', () => {
    const result = customNetworking()
      .dynamo('worker-x', 'worker', 'gpu-1', '100.64.9.9')
      .analyze({ conformance: false });
    const flow = result.flows.find((f) => f.source.members.includes('dynamo-workload/worker-x'))!;
    assert.equal(flow.status, 'unknown');
    assert.match(flow.reason, /pod IP 100\.64\.9\.9 is on no ENI in the snapshot/);
    assert.equal(result.verdict, 'fail', 'a definite block elsewhere still fails the cluster');
  });

  it('a security group on an ENI but not in the snapshot makes the step unknown', () => {
    const result = scenario()
      .subnet('subnet-a', '10.0.16.0/20')
      .withoutNacls()
      .sg('sg-a', [allTraffic.fromGroup('sg-a')])
      .node('sys-1', {
        group: 'system',
        subnet: 'subnet-a',
        ip: '10.0.16.10',
        sgs: ['sg-a', 'sg-missing'],
        podIps: ['10.0.16.11'],
      })
      .node('gpu-1', {
        group: 'gpu',
        subnet: 'subnet-a',
        ip: '10.0.16.20',
        sgs: ['sg-b'],
        gpu: true,
        podIps: ['10.0.16.21'],
      })
      .sg('sg-b', [])
      .nats('nats-0', 'sys-1', '10.0.16.11')
      .dynamo('worker-0', 'worker', 'gpu-1', '10.0.16.21')
      .analyze({ conformance: false });
    assert.equal(result.verdict, 'unknown');
    assert.match(result.flows[0]!.reason, /security group sg-missing on eni-sys-1-0 is not in the snapshot/);
  });
});

describe('SG-for-pods branch ENIs', () => {
  function branch(mode: 'strict' | 'standard') {
    return scenario()
      .subnet('subnet-a', '10.0.16.0/20')
      .withoutNacls()
      .cni({ ENABLE_POD_ENI: 'true', POD_SECURITY_GROUP_ENFORCING_MODE: mode })
      .sg('sg-node', [allTraffic.fromGroup('sg-node')])
      .sg('sg-nats-pod', [tcp(8222).fromGroup('sg-node')])
      .node('sys-1', {
        group: 'system',
        subnet: 'subnet-a',
        ip: '10.0.16.10',
        sgs: ['sg-node'],
        gpu: true,
        podIps: ['10.0.16.12'],
      })
      .file('aws/branch-enis.json', {
        NetworkInterfaces: [
          {
            NetworkInterfaceId: 'eni-branch-1',
            InterfaceType: 'branch',
            SubnetId: 'subnet-a',
            Groups: [{ GroupId: 'sg-nats-pod' }],
            PrivateIpAddress: '10.0.16.50',
            PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: '10.0.16.50' }],
            TagSet: [{ Key: 'vpcresources.k8s.aws/trunk-eni-id', Value: 'eni-sys-1-0' }],
          },
        ],
      })
      .pod('nats-0', {
        namespace: 'dynamo-system',
        node: 'sys-1',
        ip: '10.0.16.50',
        labels: { 'app.kubernetes.io/name': 'nats', 'app.kubernetes.io/instance': 'dynamo-platform' },
        annotations: { 'vpc.amazonaws.com/pod-eni': '[{"eniId":"eni-branch-1","privateIp":"10.0.16.50"}]' },
      })
      .dynamo('worker-0', 'worker', 'sys-1', '10.0.16.12')
      .analyze({ conformance: false });
  }

  it('strict mode enforces the branch ENI SGs even on the same node', () => {
    const flow = branch('strict').flows.find((f) => f.source.kind === 'pods')!;
    assert.equal(flow.status, 'blocked');
    assert.deepEqual(flow.destination.securityGroups, ['sg-nats-pod']);
    assert.match(flow.destination.placement[0]!, /branch ENI eni-branch-1.*strict/);
  });

  it('standard mode lets same-node traffic bypass', () => {
    const flow = branch('standard').flows.find((f) => f.source.kind === 'pods')!;
    assert.equal(flow.status, 'allowed');
    assert.ok(flow.steps.some((s) => s.kind === 'same-node'));
  });
});

describe('same-node co-location', () => {
  it('a masked class alone (no other node of its group) still gets the fix', () => {
    const result = scenario()
      .subnet('subnet-a', '10.0.16.0/20')
      .withoutNacls()
      .sg('sg-sys', [allTraffic.fromGroup('sg-sys')])
      .sg('sg-gpu', [])
      .node('sys-1', { group: 'system', subnet: 'subnet-a', ip: '10.0.16.10', sgs: ['sg-sys'] })
      .node('gpu-1', {
        group: 'gpu',
        subnet: 'subnet-a',
        ip: '10.0.16.20',
        sgs: ['sg-gpu'],
        gpu: true,
        podIps: ['10.0.16.21'],
      })
      .prometheus('prom-0', 'gpu-1', '10.0.16.21')
      .analyze({ dynamoVersion: '1.0.2' });
    const masked = result.flows.find((f) => f.coLocationMasks)!;
    assert.equal(masked.status, 'allowed');
    assert.ok(
      result.remediation.some(
        (r) => r.groupId === 'sg-gpu' && r.fromPort === 9090 && r.unblocks.includes(masked.id),
      ),
      JSON.stringify(result.remediation),
    );
  });

  it('says nothing about masking when the same SG set reaches Prometheus from other nodes too', () => {
    const result = scenario()
      .subnet('subnet-a', '10.0.16.0/20')
      .withoutNacls()
      .sg('sg-sys', [allTraffic.fromGroup('sg-sys')])
      .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')])
      .node('sys-1', { group: 'system', subnet: 'subnet-a', ip: '10.0.16.10', sgs: ['sg-sys'] })
      .node('gpu-1', {
        group: 'gpu',
        subnet: 'subnet-a',
        ip: '10.0.16.20',
        sgs: ['sg-gpu'],
        gpu: true,
        podIps: ['10.0.16.21'],
      })
      .node('gpu-2', { group: 'gpu', subnet: 'subnet-a', ip: '10.0.16.30', sgs: ['sg-gpu'], gpu: true })
      .prometheus('prom-0', 'gpu-1', '10.0.16.21')
      .analyze({ dynamoVersion: '1.0.2' });
    assert.ok(result.flows.every((f) => !f.coLocationMasks));
    const fromGpu = result.flows.filter(
      (f) => f.requirement === 'prometheus' && f.source.nodeGroup === 'gpu',
    );
    assert.deepEqual(fromGpu.map((f) => f.status).sort(), ['allowed', 'allowed']);
    const fromSystem = result.flows.find(
      (f) => f.requirement === 'prometheus' && f.source.nodeGroup === 'system',
    )!;
    assert.equal(fromSystem.status, 'blocked', 'the system node cannot reach Prometheus on the GPU node');
  });

  it('flags masking when the rule is missing for the same SG set elsewhere', () => {
    const result = scenario()
      .subnet('subnet-a', '10.0.16.0/20')
      .withoutNacls()
      .sg('sg-sys', [allTraffic.fromGroup('sg-sys')])
      .sg('sg-gpu', [])
      .node('sys-1', { group: 'system', subnet: 'subnet-a', ip: '10.0.16.10', sgs: ['sg-sys'] })
      .node('gpu-1', {
        group: 'gpu',
        subnet: 'subnet-a',
        ip: '10.0.16.20',
        sgs: ['sg-gpu'],
        gpu: true,
        podIps: ['10.0.16.21'],
      })
      .node('gpu-2', { group: 'gpu', subnet: 'subnet-a', ip: '10.0.16.30', sgs: ['sg-gpu'], gpu: true })
      .prometheus('prom-0', 'gpu-1', '10.0.16.21')
      .analyze({ dynamoVersion: '1.0.2' });
    const fromGpu = result.flows.filter(
      (f) => f.requirement === 'prometheus' && f.source.nodeGroup === 'gpu',
    );
    const masked = fromGpu.find((f) => f.coLocationMasks)!;
    assert.equal(masked.status, 'allowed');
    assert.match(masked.coLocationMasks!, /shares node gpu-1 .* it is blocked/);
    const other = fromGpu.find((f) => !f.coLocationMasks)!;
    assert.deepEqual([other.status, other.source.members], ['blocked', ['gpu-2']]);
    // The co-located class is fixed too: the orchestrator may land elsewhere next run.
    assert.ok(masked.fixedBy.length > 0);
    assert.deepEqual(masked.fixedBy, other.fixedBy);
  });
  it('co-located pairs that decide alike but differ apart each get the fix their own apart path needs', () => {
    // sg-gpu lets 4222 out only to 10.0.16.0/28: nats-0 (.5) is inside it, nats-1 (.50) is not.
    const result = scenario()
      .subnet('subnet-a', '10.0.16.0/20')
      .withoutNacls()
      .sg('sg-gpu', [], [tcp(4222).fromCidr('10.0.16.0/28')])
      .node('gpu-1', {
        group: 'gpu',
        subnet: 'subnet-a',
        ip: '10.0.16.10',
        sgs: ['sg-gpu'],
        gpu: true,
        podIps: ['10.0.16.5', '10.0.16.50', '10.0.16.60'],
      })
      .nats('nats-0', 'gpu-1', '10.0.16.5')
      .nats('nats-1', 'gpu-1', '10.0.16.50')
      .dynamo('worker-0', 'worker', 'gpu-1', '10.0.16.60')
      .analyze({ dynamoVersion: '1.2.0', conformance: false });
    const nats = result.flows.filter((f) => f.requirement === 'nats' && f.source.kind === 'pods');
    assert.deepEqual(
      nats.map((f) => f.status),
      ['allowed', 'allowed'],
    );
    assert.ok(nats.every((f) => f.coLocationMasks));
    const toFar = nats.find((f) => f.destination.members.includes('dynamo-system/nats-1'))!;
    const toNear = nats.find((f) => f.destination.members.includes('dynamo-system/nats-0'))!;
    assert.notEqual(toFar, toNear);
    const egress = result.remediation.find((r) => r.direction === 'egress' && r.fromPort === 4222);
    assert.ok(egress, JSON.stringify(result.remediation));
    assert.ok(egress.unblocks.includes(toFar.id));
    assert.ok(!egress.unblocks.includes(toNear.id), 'nats-0 is inside the /28 already');
    const ingress = result.remediation.find((r) => r.direction === 'ingress' && r.fromPort === 4222);
    assert.ok(ingress?.unblocks.includes(toFar.id) && ingress.unblocks.includes(toNear.id));
  });
});

describe('targets and source classes', () => {
  function undeployed(nodes: number) {
    const s = scenario()
      .subnet('subnet-sys', '10.0.16.0/20')
      .subnet('subnet-gpu', '10.0.32.0/20')
      .nacl('acl-default', ['subnet-sys', 'subnet-gpu'], naclAllowAll(), true)
      .sg('sg-sys', [allTraffic.fromGroup('sg-sys')])
      .sg('sg-infer', [allTraffic.fromGroup('sg-infer')])
      .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu'), allTraffic.fromGroup('sg-sys')])
      .node('sys-1', { group: 'system', subnet: 'subnet-sys', ip: '10.0.16.10', sgs: ['sg-sys'] })
      .node('inf-1', { group: 'inference', subnet: 'subnet-sys', ip: '10.0.16.20', sgs: ['sg-infer'] });
    for (let i = 0; i < nodes; i++) {
      s.node(`gpu-${i}`, {
        group: 'gpu',
        subnet: 'subnet-gpu',
        ip: `10.0.32.${10 + i}`,
        sgs: ['sg-gpu'],
        gpu: true,
      });
    }
    return s;
  }

  it('predicts NATS on every non-GPU node group when not deployed, and one class per group', () => {
    const result = undeployed(40).analyze({ dynamoVersion: '1.2.0', conformance: false });
    const nats = result.flows.filter((f) => f.requirement === 'nats');
    assert.deepEqual(
      nats.map((f) => [f.source.nodeGroup, f.source.count, f.destination.nodeGroup, f.status]).sort(),
      [
        ['gpu', 40, 'inference', 'blocked'],
        ['gpu', 40, 'system', 'blocked'],
      ],
    );
    assert.ok(result.notes.some((n) => /predicted on the system node groups \(system, inference\)/.test(n)));
  });

  it('--system-nodegroup narrows the prediction', () => {
    const result = undeployed(3).analyze({
      dynamoVersion: '1.2.0',
      conformance: false,
      systemNodeGroups: ['system'],
    });
    // Before install the request plane is predicted too (GPU ↔ GPU); NATS is the flow to the system side.
    assert.deepEqual(
      result.flows.filter((f) => f.requirement === 'nats').map((f) => f.destination.nodeGroup),
      ['system'],
    );
    assert.deepEqual(
      result.remediation.filter((r) => r.requirements.includes('nats')).map((r) => r.command),
      [
        'aws ec2 authorize-security-group-ingress --group-id sg-sys --protocol tcp --port 4222 --source-group sg-gpu',
      ],
    );
  });

  it('--gpu-nodegroup replaces detection', () => {
    const result = undeployed(2).analyze({
      dynamoVersion: '1.2.0',
      conformance: false,
      gpuNodeGroups: ['inference'],
      systemNodeGroups: ['system'],
    });
    assert.deepEqual(
      result.flows.filter((f) => f.requirement === 'nats').map((f) => f.source.nodeGroup),
      ['inference'],
    );
  });

  it('every node is a source for 9090, cordoned ones included', () => {
    const result = undeployed(2)
      .node('gpu-cordoned', {
        group: 'gpu',
        subnet: 'subnet-gpu',
        ip: '10.0.32.99',
        sgs: ['sg-gpu'],
        gpu: true,
        unschedulable: true,
      })
      .prometheus('prom-0', 'sys-1', '10.0.16.11')
      .analyze({ dynamoVersion: '1.0.2' });
    const gpu = result.flows.find((f) => f.requirement === 'prometheus' && f.source.nodeGroup === 'gpu')!;
    assert.equal(gpu.status, 'unknown', 'the Prometheus pod IP is on no captured ENI');
    assert.ok(gpu.source.members.includes('gpu-cordoned'));
  });
});
