/** Remediation is the narrowest that works, and it does work. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeSnapshot } from '../../src/questions/analyze.ts';
import { applyRemediation } from '../../src/remediate/what-if.ts';
import {
  ALLOW_ALL_EGRESS,
  allTraffic,
  naclAllowAll,
  scenario,
  tcp,
  type NaclEntry,
  type Permission,
} from '../helpers/scenario.ts';

function threeGroups(
  systemIngress: Permission[] = [],
  gpuSgs = ['sg-gpu'],
  gpuEgress: Permission[] = [ALLOW_ALL_EGRESS],
) {
  return scenario()
    .subnet('subnet-sys', '10.0.16.0/20')
    .subnet('subnet-gpu', '10.0.32.0/20')
    .nacl('acl-default', ['subnet-sys', 'subnet-gpu'], naclAllowAll(), true)
    .sg('sg-cluster', [allTraffic.fromGroup('sg-cluster')], [ALLOW_ALL_EGRESS], {
      GroupName: 'eks-cluster-sg-test-1',
      Tags: [{ Key: 'aws:eks:cluster-name', Value: 'test' }],
    })
    .sg('sg-sys', [allTraffic.fromGroup('sg-sys'), ...systemIngress])
    .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')], gpuEgress)
    .sg('sg-gpu2', [allTraffic.fromGroup('sg-gpu2')])
    .node('sys-1', {
      group: 'system',
      subnet: 'subnet-sys',
      ip: '10.0.16.10',
      sgs: ['sg-sys'],
      podIps: ['10.0.16.11', '10.0.16.12'],
    })
    .node('gpu-1', { group: 'gpu-a', subnet: 'subnet-gpu', ip: '10.0.32.10', sgs: gpuSgs, gpu: true })
    .node('gpu-2', {
      group: 'gpu-b',
      subnet: 'subnet-gpu',
      ip: '10.0.32.20',
      sgs: ['sg-gpu2', ...gpuSgs.filter((g) => g === 'sg-cluster')],
      gpu: true,
    })
    .nats('nats-0', 'sys-1', '10.0.16.11')
    .prometheus('prom-0', 'sys-1', '10.0.16.12');
}

describe('remediation synthesis', () => {
  it('one rule per source SG and port, in the seed’s aws-cli form, never wider', () => {
    const result = threeGroups().analyze({ dynamoVersion: '1.2.0' });
    assert.deepEqual(result.remediation.map((r) => r.command).sort(), [
      // 1.2's TCP request plane: nothing is deployed, so frontends and workers are predicted on
      // both GPU groups (the seed puts them there), and sg-gpu / sg-gpu2 each admit only
      // themselves. Each must admit the other on the OS-assigned range (32768-60999, Linux's
      // default ip_local_port_range), which also carries the response stream back.
      'aws ec2 authorize-security-group-ingress --group-id sg-gpu --protocol tcp --port 32768-60999 --source-group sg-gpu2',
      // Nothing of Dynamo or the GPU operator is installed: the DCGM scrape of the dcgm-exporter
      // AICR's recipes will put on the GPU nodes is checked too, from Prometheus on sg-sys.
      // accelerator-metrics: the orchestrator, on any node (each GPU group here), dials the
      // dcgm-exporter predicted on the other GPU group too (sg-sys → 9400 is the DCGM scrape's rule).
      'aws ec2 authorize-security-group-ingress --group-id sg-gpu --protocol tcp --port 9400 --source-group sg-gpu2',
      'aws ec2 authorize-security-group-ingress --group-id sg-gpu --protocol tcp --port 9400 --source-group sg-sys',
      'aws ec2 authorize-security-group-ingress --group-id sg-gpu2 --protocol tcp --port 32768-60999 --source-group sg-gpu',
      'aws ec2 authorize-security-group-ingress --group-id sg-gpu2 --protocol tcp --port 9400 --source-group sg-gpu',
      'aws ec2 authorize-security-group-ingress --group-id sg-gpu2 --protocol tcp --port 9400 --source-group sg-sys',
      'aws ec2 authorize-security-group-ingress --group-id sg-sys --protocol tcp --port 4222 --source-group sg-gpu',
      'aws ec2 authorize-security-group-ingress --group-id sg-sys --protocol tcp --port 4222 --source-group sg-gpu2',
      'aws ec2 authorize-security-group-ingress --group-id sg-sys --protocol tcp --port 9090 --source-group sg-gpu',
      'aws ec2 authorize-security-group-ingress --group-id sg-sys --protocol tcp --port 9090 --source-group sg-gpu2',
    ]);
    for (const rule of result.remediation) {
      assert.equal(rule.protocol, 'tcp');
      assert.equal(rule.cidr, undefined);
      assert.match(rule.description, /\(dynamo-netcheck\)$/);
      assert.ok(rule.unblocks.length > 0);
    }
    for (const flow of result.flows.filter((f) => f.status === 'blocked'))
      assert.ok(flow.fixedBy.length > 0, flow.id);
  });

  it('prefers a node-group SG over the EKS cluster SG, which would widen the rule to every node', () => {
    const result = threeGroups([], ['sg-cluster', 'sg-gpu']).analyze({
      dynamoVersion: '1.2.0',
      conformance: false,
    });
    assert.deepEqual(result.remediation.map((r) => r.sourceGroupId).sort(), ['sg-gpu', 'sg-gpu2']);
  });

  it('a source SG shared by several blocked classes gets one rule (set cover)', () => {
    const result = threeGroups([], ['sg-shared'])
      .sg('sg-shared', [])
      .node('gpu-3', {
        group: 'gpu-c',
        subnet: 'subnet-gpu',
        ip: '10.0.32.30',
        sgs: ['sg-shared', 'sg-gpu'],
        gpu: true,
      })
      .analyze({ dynamoVersion: '1.2.0', conformance: false, gpuNodeGroups: ['gpu-a', 'gpu-c'] });
    // gpu-a and gpu-c both carry sg-shared: one NATS rule admits both.
    assert.deepEqual(
      result.remediation.filter((r) => r.fromPort === 4222).map((r) => r.sourceGroupId),
      ['sg-shared'],
    );
  });

  it('an egress blocker gets an egress rule to the destination SG', () => {
    const result = threeGroups(
      [tcp(4222).fromGroup('sg-gpu'), tcp(4222).fromGroup('sg-gpu2')],
      ['sg-gpu'],
      [tcp(443).fromCidr('0.0.0.0/0')],
    ).analyze({ dynamoVersion: '1.2.0', conformance: false });
    assert.deepEqual(
      result.remediation.filter((r) => r.fromPort === 4222).map((r) => r.command),
      [
        "aws ec2 authorize-security-group-egress --group-id sg-gpu --ip-permissions 'IpProtocol=tcp,FromPort=4222,ToPort=4222,UserIdGroupPairs=[{GroupId=sg-sys}]'",
      ],
    );
  });

  it('warns when a rule would exceed the 60-inbound-rule quota', () => {
    const filler = Array.from({ length: 59 }, (_, i) => tcp(10000 + i).fromCidr('10.99.0.0/16'));
    const result = threeGroups(filler).analyze({ dynamoVersion: '1.2.0', conformance: false });
    const onSystem = result.remediation.filter((r) => r.groupId === 'sg-sys');
    assert.ok(onSystem.length > 0);
    assert.ok(onSystem.every((r) => r.quotaWarning?.includes('over the default quota of 60')));
    // The GPU groups hold one rule each: far from the quota.
    assert.ok(
      result.remediation.filter((r) => r.groupId !== 'sg-sys').every((r) => r.quotaWarning === undefined),
    );
  });

  it('NACL fixes are numbered below the deny that matched, in both directions', () => {
    const entries: NaclEntry[] = [
      {
        RuleNumber: 100,
        Protocol: '6',
        RuleAction: 'allow',
        Egress: false,
        CidrBlock: '10.0.16.0/20',
        PortRange: { From: 0, To: 65535 },
      },
      { RuleNumber: 200, Protocol: '-1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0' },
      { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0' },
      {
        RuleNumber: 100,
        Protocol: '6',
        RuleAction: 'allow',
        Egress: true,
        CidrBlock: '10.0.16.0/20',
        PortRange: { From: 0, To: 65535 },
      },
      { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: true, CidrBlock: '0.0.0.0/0' },
    ];
    const s = threeGroups([tcp(4222).fromGroup('sg-gpu'), tcp(4222).fromGroup('sg-gpu2')]).nacl(
      'acl-sys',
      ['subnet-sys'],
      entries,
    );
    const snapshot = s.snapshot();
    const before = analyzeSnapshot(snapshot, { dynamoVersion: '1.2.0', conformance: false });
    assert.deepEqual(
      before.naclRemediation
        .map((n) => [n.naclId, n.egress, n.ruleNumber, `${n.fromPort}-${n.toPort}`, n.cidr])
        .sort(),
      [
        ['acl-sys', false, 199, '4222-4222', '10.0.32.0/20'],
        ['acl-sys', true, 32766, '32768-60999', '10.0.32.0/20'],
      ],
    );
    assert.match(
      before.naclRemediation[0]!.command,
      /^aws ec2 create-network-acl-entry --network-acl-id acl-sys/,
    );
    const after = analyzeSnapshot(applyRemediation(snapshot, before.remediation, before.naclRemediation), {
      dynamoVersion: '1.2.0',
      conformance: false,
    });
    assert.deepEqual(after.summary, { allowed: after.flows.length, blocked: 0, unknown: 0 });
    // No Dynamo pods here: they are predicted where the 1.2 family runs them, so a preflight
    // decides every flow and passes once its own fix is applied.
    assert.deepEqual(after.skipped, []);
    assert.equal(after.verdict, 'pass');
  });

  it('one NACL entry for flows stopped by different denies is numbered below the lowest of them', () => {
    const entries: NaclEntry[] = [
      // Only the gpu-b pod is denied early, by a /32 on 4222; everything else falls to rule 200.
      {
        RuleNumber: 50,
        Protocol: '6',
        RuleAction: 'deny',
        Egress: false,
        CidrBlock: '10.0.32.21/32',
        PortRange: { From: 4222, To: 4222 },
      },
      { RuleNumber: 200, Protocol: '-1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0' },
      { RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: true, CidrBlock: '0.0.0.0/0' },
    ];
    const snapshot = scenario()
      .subnet('subnet-sys', '10.0.16.0/20')
      .subnet('subnet-gpu', '10.0.32.0/20')
      .nacl('acl-default', ['subnet-gpu'], naclAllowAll(), true)
      .nacl('acl-sys', ['subnet-sys'], entries)
      .sg('sg-sys', [allTraffic.fromGroup('sg-sys'), tcp(4222).fromGroup('sg-gpu')])
      .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')])
      .node('sys-1', {
        group: 'system',
        subnet: 'subnet-sys',
        ip: '10.0.16.10',
        sgs: ['sg-sys'],
        podIps: ['10.0.16.11'],
      })
      .node('gpu-1', {
        group: 'gpu-a',
        subnet: 'subnet-gpu',
        ip: '10.0.32.10',
        sgs: ['sg-gpu'],
        gpu: true,
        podIps: ['10.0.32.11'],
      })
      .node('gpu-2', {
        group: 'gpu-b',
        subnet: 'subnet-gpu',
        ip: '10.0.32.20',
        sgs: ['sg-gpu'],
        gpu: true,
        podIps: ['10.0.32.21'],
      })
      .nats('nats-0', 'sys-1', '10.0.16.11')
      .dynamo('frontend-0', 'frontend', 'gpu-1', '10.0.32.11')
      .dynamo('worker-0', 'worker', 'gpu-2', '10.0.32.21')
      .snapshot();
    const options = { dynamoVersion: '1.2.0', conformance: false };
    const before = analyzeSnapshot(snapshot, options);
    const fromPods = before.flows.filter((f) => f.requirement === 'nats' && f.source.kind === 'pods');
    assert.deepEqual(fromPods.map((f) => f.reason.replace(/.*\(rule (\d+)\)$/, '$1')).sort(), ['200', '50']);
    // Pods not created yet on the GPU nodes may get any address of subnet-gpu: rule 50 denies one
    // of them, rule 200 the rest, so they are denied whatever address they get — and fixed alike.
    const fromNodes = before.flows.filter((f) => f.requirement === 'nats' && f.source.kind === 'nodes');
    assert.deepEqual(
      fromNodes.map((f) => f.status),
      ['blocked', 'blocked'],
    );
    const inbound = before.naclRemediation.filter((n) => !n.egress && n.fromPort === 4222);
    assert.equal(inbound.length, 1, JSON.stringify(before.naclRemediation));
    assert.equal(inbound[0]!.ruleNumber, 49);
    assert.deepEqual([...inbound[0]!.unblocks].sort(), [...fromNodes, ...fromPods].map((f) => f.id).sort());
    const after = analyzeSnapshot(
      applyRemediation(snapshot, before.remediation, before.naclRemediation),
      options,
    );
    assert.deepEqual(
      after.flows.filter((f) => f.requirement === 'nats' && f.source.kind === 'pods').map((f) => f.status),
      ['allowed', 'allowed'],
    );
  });

  it('UDP and TCP needs on the same port get a NACL entry each, and applying them unblocks both', () => {
    const entries: NaclEntry[] = [
      { RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: true, CidrBlock: '0.0.0.0/0' },
      {
        RuleNumber: 110,
        Protocol: '6',
        RuleAction: 'allow',
        Egress: false,
        CidrBlock: '10.0.32.0/20',
        PortRange: { From: 4222, To: 4222 },
      },
    ];
    const snapshot = scenario()
      .subnet('subnet-sys', '10.0.16.0/20')
      .subnet('subnet-gpu', '10.0.32.0/20')
      .nacl('acl-default', ['subnet-gpu'], naclAllowAll(), true)
      .nacl('acl-sys', ['subnet-sys'], entries)
      .sg('sg-shared', [allTraffic.fromGroup('sg-shared')])
      .node('sys-1', {
        group: 'system',
        subnet: 'subnet-sys',
        ip: '10.0.16.10',
        sgs: ['sg-shared'],
        podIps: ['10.0.16.11', '10.0.16.12'],
      })
      .node('gpu-1', {
        group: 'gpu',
        subnet: 'subnet-gpu',
        ip: '10.0.32.10',
        sgs: ['sg-shared'],
        gpu: true,
        podIps: ['10.0.32.11'],
      })
      .nats('nats-0', 'sys-1', '10.0.16.11')
      .service('kube-system', 'kube-dns', { 'k8s-app': 'kube-dns' }, 53)
      .pod('coredns-1', {
        namespace: 'kube-system',
        node: 'sys-1',
        ip: '10.0.16.12',
        labels: { 'k8s-app': 'kube-dns' },
      })
      .dynamo('worker-0', 'worker', 'gpu-1', '10.0.32.11')
      // Egress isolated (but open), so DNS to CoreDNS in the other subnet is a required flow.
      .file('k8s/networkpolicies.json', {
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {
            apiVersion: 'networking.k8s.io/v1',
            kind: 'NetworkPolicy',
            metadata: { name: 'egress-open', namespace: 'dynamo-workload' },
            spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{}] },
          },
        ],
      })
      .file('k8s/daemonsets.json', {
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {
            apiVersion: 'apps/v1',
            kind: 'DaemonSet',
            metadata: { name: 'calico-node', namespace: 'kube-system' },
            spec: { template: { spec: { containers: [{ name: 'calico-node' }] } } },
          },
        ],
      })
      .snapshot();
    const options = { dynamoVersion: '1.2.0', conformance: false };
    const before = analyzeSnapshot(snapshot, options);
    const dns = before.flows.filter((f) => f.requirement === 'dns' || f.requirement === 'dns-tcp');
    assert.deepEqual([...new Set(dns.map((f) => `${f.protocol} ${f.status}`))].sort(), [
      'tcp blocked',
      'udp blocked',
    ]);
    const port53 = before.naclRemediation.filter((n) => !n.egress && n.fromPort === 53);
    assert.deepEqual(port53.map((n) => n.protocol).sort(), ['tcp', 'udp']);
    const after = analyzeSnapshot(
      applyRemediation(snapshot, before.remediation, before.naclRemediation),
      options,
    );
    assert.deepEqual(
      after.flows.filter((f) => f.status !== 'allowed').map((f) => `${f.id}: ${f.reason}`),
      [],
    );
  });

  it('no remediation for unknown flows: nothing is guessed', () => {
    const result = threeGroups([tcp(4222).fromPrefixList('pl-0missing')]).analyze({
      dynamoVersion: '1.2.0',
      conformance: false,
      gpuNodeGroups: ['gpu-a'],
    });
    assert.equal(result.verdict, 'unknown');
    assert.deepEqual(result.remediation, []);
  });
});
