/**
 * EFA: on EFA-enabled node groups (describe-network-interfaces InterfaceType efa), NIXL moves the
 * KV cache over SRD between the nodes' EFA interfaces. AWS (EC2 User Guide "Get started with EFA",
 * Step 1; EKS User Guide node-efa): "The security group must allow all inbound and outbound traffic
 * to and from the security group itself". So SRD between two interfaces passes only through
 * all-traffic rules of a group both carry that reference that group — ingress and egress; a
 * 0.0.0.0/0 egress rule, a rule naming the other group, or a TCP-only self reference do not.
 * Prefill and decode in separate security groups fail until such a group is in place.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildModel } from '../../src/model/build.ts';
import { analyzeModel, analyzeSnapshot } from '../../src/questions/analyze.ts';
import { planProbes } from '../../src/questions/probe/plan.ts';
import { applyRemediation } from '../../src/remediate/what-if.ts';
import { applyPlan } from '../../src/questions/fix/apply-plan.ts';
import { fixPlan } from '../../src/questions/fix/plan.ts';
import { emitCloudFormation } from '../../src/report/fix/cloudformation.ts';
import { emitTerraform } from '../../src/report/fix/terraform.ts';
import { ruleArgs } from '../../src/report/fix/aws-cli.ts';
import { allTraffic, proto, scenario, tcp, type Permission, type Scenario } from '../helpers/scenario.ts';

const WORKLOAD = 'dynamo-workload';
const IMAGE = 'nvcr.io/nvidia/ai-dynamo/vllm-runtime:1.4.0';

interface Layout {
  /** SGs on the prefill / decode nodes' EFA interfaces (undefined: the node has none). */
  prefillEfa?: string[];
  decodeEfa?: string[];
  /** The shared EFA group's ingress and egress, when one is used. */
  efaIngress?: Permission[];
  efaEgress?: Permission[];
  /** false: no worker pod runs yet (before install). */
  workers?: boolean;
}

/**
 * System, prefill and decode node groups, each in its own SG, every IP flow open (the NIXL side
 * channel too): only SRD between the EFA interfaces is in question.
 */
function cluster(layout: Layout): Scenario {
  const selfAndSys = (own: string) => [allTraffic.fromGroup('sg-sys'), allTraffic.fromGroup(own)];
  const s = scenario()
    .subnet('subnet-a', '10.0.16.0/20')
    .withoutNacls()
    .sg('sg-sys', [
      allTraffic.fromGroup('sg-sys'),
      allTraffic.fromGroup('sg-prefill'),
      allTraffic.fromGroup('sg-decode'),
    ])
    .sg('sg-prefill', [...selfAndSys('sg-prefill'), tcp(5600).fromGroup('sg-decode')])
    .sg('sg-decode', [...selfAndSys('sg-decode'), allTraffic.fromGroup('sg-prefill')]);
  if (layout.efaIngress || layout.efaEgress) s.sg('sg-efa', layout.efaIngress ?? [], layout.efaEgress);
  const efa = (sgs: string[] | undefined, ip: string) =>
    sgs ? [{ subnet: 'subnet-a', sgs, ips: [ip], type: 'efa', networkCardIndex: 1 }] : [];
  s.node('sys-1', {
    group: 'system',
    subnet: 'subnet-a',
    ip: '10.0.16.10',
    sgs: ['sg-sys'],
    podIps: ['10.0.16.11', '10.0.16.12'],
  })
    .node('gpu-p1', {
      group: 'gpu-prefill',
      subnet: 'subnet-a',
      ip: '10.0.16.20',
      sgs: ['sg-prefill'],
      gpu: true,
      podIps: ['10.0.16.21'],
      moreEnis: efa(layout.prefillEfa, '10.0.16.29'),
    })
    .node('gpu-d1', {
      group: 'gpu-decode',
      subnet: 'subnet-a',
      ip: '10.0.16.30',
      sgs: ['sg-decode'],
      gpu: true,
      podIps: ['10.0.16.31'],
      moreEnis: efa(layout.decodeEfa, '10.0.16.39'),
    })
    .prometheus('prom-0', 'sys-1', '10.0.16.12')
    .dynamo('frontend-0', 'frontend', 'sys-1', '10.0.16.11', '1.4.0');
  if (layout.workers === false) return s;
  for (const [name, node, ip, stage] of [
    ['prefill-0', 'gpu-p1', '10.0.16.21', 'prefill'],
    ['decode-0', 'gpu-d1', '10.0.16.31', 'decode'],
  ] as const)
    s.pod(name, {
      namespace: WORKLOAD,
      node,
      ip,
      labels: {
        'nvidia.com/dynamo-component-type': 'worker',
        'nvidia.com/dynamo-sub-component-type': stage,
      },
      image: IMAGE,
    });
  return s;
}

const srd = (result: ReturnType<typeof analyzeSnapshot>) =>
  result.flows.filter((f) => f.requirement === 'efa-srd');

describe('EFA SRD between prefill and decode', () => {
  it('separate SGs on the EFA interfaces, each allowing all traffic from itself: blocked, no rule can fix it, the fix says which group to share', () => {
    const result = cluster({ prefillEfa: ['sg-prefill'], decodeEfa: ['sg-decode'] }).analyze();
    const flows = srd(result);
    assert.deepEqual(
      flows.map((f) => [f.level, f.protocol, f.port, f.status, f.source.nodeGroup, f.destination.nodeGroup]),
      [['required', 'efa', 'all', 'blocked', 'gpu-decode', 'gpu-prefill']],
    );
    assert.equal(result.verdict, 'fail');
    assert.match(
      result.notApplicable.find((n) => n.id === 'ucx-tcp')!.because,
      /EFA interface .* the KV cache moves over EFA \(efa-srd\)/,
    );
    const flow = flows[0]!;
    assert.match(flow.reason, /share no security group/);
    // The trace names the rule that carries IP traffic but not SRD: the default egress 0.0.0.0/0.
    const egress = flow.steps.find((s) => s.kind === 'sg-egress')!;
    assert.equal(egress.at.startsWith('eni-gpu-d1-2'), true, 'decided on the decode node’s EFA interface');
    assert.match(egress.summary, /0\.0\.0\.0\/0.*does not carry SRD/);
    assert.deepEqual(flow.fixedBy, []);
    assert.ok(
      result.warnings.some(
        (u) =>
          u.startsWith(`no fix can be synthesised for ${flow.id}`) &&
          /attach one group to both node groups' EFA interfaces .*, e\.g\. sg-prefill, with an all-traffic inbound rule from sg-prefill and an all-traffic outbound rule to sg-prefill/.test(
            u,
          ),
      ),
      result.warnings.join('\n'),
    );
  });

  it('the self-referencing arrangement in place (a shared group allowing all traffic from and to itself): allowed, the verdict passes', () => {
    const result = cluster({
      prefillEfa: ['sg-prefill', 'sg-efa'],
      decodeEfa: ['sg-decode', 'sg-efa'],
      efaIngress: [allTraffic.fromGroup('sg-efa')],
      efaEgress: [allTraffic.fromGroup('sg-efa')],
    }).analyze();
    const [flow] = srd(result);
    assert.equal(flow!.status, 'allowed');
    assert.equal(result.verdict, 'pass');
    const decisive = flow!.steps.filter((s) => s.kind === 'sg-egress' || s.kind === 'sg-ingress');
    assert.equal(decisive.length, 4, 'egress and ingress, both directions');
    for (const step of decisive)
      assert.deepEqual(
        step.facts.map((f) => (f.kind === 'sg-rule' ? f.groupId : f.kind)),
        ['sg-efa'],
      );
  });

  it('a shared group without self-referencing rules: blocked; the tool’s fix (all traffic from and to itself) makes it pass', () => {
    const snapshot = cluster({
      prefillEfa: ['sg-prefill', 'sg-efa'],
      decodeEfa: ['sg-decode', 'sg-efa'],
      efaIngress: [],
    }).snapshot();
    const before = analyzeSnapshot(snapshot);
    assert.deepEqual(
      srd(before).map((f) => f.status),
      ['blocked'],
    );
    assert.deepEqual(
      before.remediation.map((r) => r.command),
      [
        "aws ec2 authorize-security-group-ingress --group-id sg-efa --ip-permissions 'IpProtocol=-1,UserIdGroupPairs=[{GroupId=sg-efa}]'",
        "aws ec2 authorize-security-group-egress --group-id sg-efa --ip-permissions 'IpProtocol=-1,UserIdGroupPairs=[{GroupId=sg-efa}]'",
      ],
    );
    const after = analyzeSnapshot(applyRemediation(snapshot, before.remediation, before.naclRemediation));
    assert.deepEqual(
      srd(after).map((f) => f.status),
      ['allowed'],
    );
    assert.equal(after.verdict, 'pass');
  });

  it('a TCP-only self reference or a rule naming the other group does not carry SRD, and the trace says why', () => {
    const result = cluster({
      prefillEfa: ['sg-prefill', 'sg-efa'],
      decodeEfa: ['sg-decode', 'sg-efa'],
      efaIngress: [allTraffic.fromGroup('sg-efa')],
      efaEgress: [proto('tcp', 0, 65535).fromGroup('sg-efa'), allTraffic.fromGroup('sg-prefill')],
    }).analyze();
    const [flow] = srd(result);
    assert.equal(flow!.status, 'blocked');
    const egress = flow!.steps.find((s) => s.kind === 'sg-egress' && s.status === 'blocked')!;
    assert.match(egress.summary, /self-referencing but not all traffic/);
    assert.match(egress.summary, /references another group, not its own/);
  });

  it('a decode node without an EFA interface: unknown, naming the node', () => {
    const result = cluster({ prefillEfa: ['sg-prefill'] }).analyze();
    const [flow] = srd(result);
    assert.equal(flow!.status, 'unknown');
    assert.match(flow!.reason, /gpu-d1 \(gpu-decode\) has no EFA interface/);
  });

  it('no EFA interface anywhere: not applicable, and why', () => {
    const result = cluster({}).analyze();
    assert.deepEqual(srd(result), []);
    assert.match(
      result.notApplicable.find((n) => n.id === 'efa-srd')!.because,
      /no ENI with InterfaceType efa or efa-only/,
    );
  });

  it('probe: SRD is listed as not probed (a TCP probe pod cannot test it), the side channel is probed', () => {
    const model = buildModel(cluster({ prefillEfa: ['sg-prefill'], decodeEfa: ['sg-decode'] }).snapshot());
    const plan = planProbes(model, analyzeModel(model), {
      runId: 'r1',
      timeoutSeconds: 5,
      mode: 'nc',
      image: 'busybox:1.36',
    });
    assert.ok(
      plan.notProbed.some((n) => /^EFA SRD .*cannot test it; the static verdict \(blocked\)/.test(n)),
      plan.notProbed.join('\n'),
    );
    assert.ok(plan.probes.some((p) => p.targets.some((t) => t.requirement === 'nixl-side-channel')));
    assert.ok(!plan.probes.some((p) => p.targets.some((t) => t.requirement === 'efa-srd')));
  });

  it('fix: every output writes the self-referencing rule as all traffic without ports, and --apply accepts it', () => {
    const result = cluster({
      prefillEfa: ['sg-prefill', 'sg-efa'],
      decodeEfa: ['sg-decode', 'sg-efa'],
      efaIngress: [],
    }).analyze();
    const plan = fixPlan(result);
    assert.deepEqual(applyPlan(plan).refused, []);
    const efaRules = plan.rules.filter((r) => r.rule.requirements.includes('efa-srd'));
    assert.deepEqual(
      efaRules.map((r) => [r.rule.direction, r.permission]),
      [
        [
          'ingress',
          {
            IpProtocol: '-1',
            UserIdGroupPairs: [{ GroupId: 'sg-efa', Description: efaRules[0]!.description }],
          },
        ],
        [
          'egress',
          {
            IpProtocol: '-1',
            UserIdGroupPairs: [{ GroupId: 'sg-efa', Description: efaRules[1]!.description }],
          },
        ],
      ],
    );
    assert.match(ruleArgs(efaRules[0]!).join(' '), /"IpProtocol":"-1","UserIdGroupPairs"/);
    const terraform = emitTerraform(plan);
    assert.match(terraform, /ip_protocol += "-1"/);
    assert.match(terraform, /referenced_security_group_id += "sg-efa"/);
    assert.doesNotMatch(terraform, /from_port/);
    const cfn = emitCloudFormation(plan);
    assert.match(cfn, /IpProtocol: "?-1"?/);
    assert.doesNotMatch(cfn, /FromPort/);
  });

  it('before install: a disaggregated graph declares the workers, predicted on their node groups’ EFA interfaces', () => {
    const placed = (group: string, stage: string) => ({
      componentType: 'worker',
      subComponentType: stage,
      replicas: 1,
      resources: { limits: { gpu: '8' } },
      extraPodSpec: {
        nodeSelector: { 'eks.amazonaws.com/nodegroup': group },
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
        mainContainer: { image: IMAGE },
      },
    });
    const result = cluster({ prefillEfa: ['sg-prefill'], decodeEfa: ['sg-decode'], workers: false })
      .file('k8s/graph.json', {
        apiVersion: 'nvidia.com/v1alpha1',
        kind: 'DynamoGraphDeployment',
        metadata: { name: 'vllm-disagg', namespace: WORKLOAD },
        spec: {
          services: {
            VllmPrefillWorker: placed('gpu-prefill', 'prefill'),
            VllmDecodeWorker: placed('gpu-decode', 'decode'),
          },
        },
      })
      .analyze();
    const flows = srd(result);
    assert.deepEqual(
      flows.map((f) => [f.status, f.source.kind, f.source.nodeGroup, f.destination.nodeGroup]),
      [['blocked', 'nodes', 'gpu-decode', 'gpu-prefill']],
    );
    assert.match(flows[0]!.steps.find((st) => st.kind === 'sg-egress')!.at, /^eni-gpu-d1-2 /);
  });
});
