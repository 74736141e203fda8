/** Small clusters whose fix has each kind of item: ingress and egress rules, NACL entries. */
import { fixPlan, type FixPlan } from '../../../src/questions/fix/plan.ts';
import {
  ALLOW_ALL_EGRESS,
  allTraffic,
  naclAllowAll,
  scenario,
  tcp,
  type NaclEntry,
  type Scenario,
} from '../../helpers/scenario.ts';

/** Both scenarios are analysed for Dynamo 1.2 without the conformance check (NATS only). */
export const OPTIONS = { dynamoVersion: '1.2.0', conformance: false } as const;

/** NATS on a system node (sg-sys, 10.0.16.0/20), one GPU node (sg-gpu, 10.0.32.0/20). */
function systemAndGpu(): Scenario {
  return scenario()
    .subnet('subnet-sys', '10.0.16.0/20')
    .subnet('subnet-gpu', '10.0.32.0/20')
    .node('sys-1', {
      group: 'system',
      subnet: 'subnet-sys',
      ip: '10.0.16.10',
      sgs: ['sg-sys'],
      podIps: ['10.0.16.11'],
    })
    .node('gpu-1', { group: 'gpu-a', subnet: 'subnet-gpu', ip: '10.0.32.10', sgs: ['sg-gpu'], gpu: true })
    .nats('nats-0', 'sys-1', '10.0.16.11');
}

/**
 * System SG lacks 4222; the GPU SG's egress stops at 443 (and the GPU groups): two ingress
 * rules and one egress rule. The GPU groups admit each other, so the 1.2 request plane between
 * the frontends and workers predicted on them is open and needs nothing.
 */
export function ingressAndEgressCluster(): Scenario {
  return systemAndGpu()
    .nacl('acl-default', ['subnet-sys', 'subnet-gpu'], naclAllowAll(), true)
    .sg('sg-sys', [allTraffic.fromGroup('sg-sys')])
    .sg(
      'sg-gpu',
      [allTraffic.fromGroup('sg-gpu'), allTraffic.fromGroup('sg-gpu2')],
      [tcp(443).fromCidr('0.0.0.0/0'), allTraffic.fromGroup('sg-gpu'), allTraffic.fromGroup('sg-gpu2')],
    )
    .sg('sg-gpu2', [allTraffic.fromGroup('sg-gpu2'), allTraffic.fromGroup('sg-gpu')], [ALLOW_ALL_EGRESS])
    .node('gpu-2', { group: 'gpu-b', subnet: 'subnet-gpu', ip: '10.0.32.20', sgs: ['sg-gpu2'], gpu: true });
}

export function ingressAndEgress(): FixPlan {
  return fixPlan(ingressAndEgressCluster().analyze(OPTIONS));
}

/** The system subnet's NACL admits only its own subnet: one inbound and one outbound (return) entry. */
export function naclBlockedCluster(): { cluster: Scenario; entries: NaclEntry[] } {
  const ownSubnet = (egress: boolean): NaclEntry => ({
    RuleNumber: 100,
    Protocol: '6',
    RuleAction: 'allow',
    Egress: egress,
    CidrBlock: '10.0.16.0/20',
    PortRange: { From: 0, To: 65535 },
  });
  const deny = (ruleNumber: number, egress: boolean): NaclEntry => ({
    RuleNumber: ruleNumber,
    Protocol: '-1',
    RuleAction: 'deny',
    Egress: egress,
    CidrBlock: '0.0.0.0/0',
  });
  const entries = [
    ownSubnet(false),
    deny(200, false),
    deny(32767, false),
    ownSubnet(true),
    deny(32767, true),
  ];
  const cluster = systemAndGpu()
    .nacl('acl-default', ['subnet-gpu'], naclAllowAll(), true)
    .nacl('acl-sys', ['subnet-sys'], entries)
    .sg('sg-sys', [allTraffic.fromGroup('sg-sys'), tcp(4222).fromGroup('sg-gpu')])
    .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')]);
  return { cluster, entries };
}

export function naclBlocked(): { plan: FixPlan; entries: NaclEntry[] } {
  const { cluster, entries } = naclBlockedCluster();
  return { plan: fixPlan(cluster.analyze(OPTIONS)), entries };
}
