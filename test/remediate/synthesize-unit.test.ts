/**
 * synthesizeRemediation read from the traces alone (it never re-evaluates), on hand-made flows:
 * - AWS CLI: `authorize-security-group-ingress --cidr` takes IPv4 only; an IPv6 peer goes in
 *   `--ip-permissions` as Ipv6Ranges; an all-traffic rule (IpProtocol -1) has no ports.
 * - NACLs are per subnet and stateless: the request leaves the source subnet (its outbound) and
 *   enters the destination's (its inbound); the reply goes back the other way on the client's
 *   ephemeral ports. Each entry names the other subnet's block, in the flow's address family.
 * - Security groups count inbound and outbound rules separately (60 each by default).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FlowResult } from '../../src/analyze/types.ts';
import { parseCidr } from '../../src/base/ip.ts';
import type { ClusterModel } from '../../src/model/types.ts';
import type { Fact, TraceStep } from '../../src/reachability/types.ts';
import { synthesizeRemediation } from '../../src/remediate/synthesize.ts';
import { catalog } from '../../src/requirements/catalog.ts';

function model(
  options: { family?: 4 | 6; vpc?: string[]; ingressRules?: number; sysIngressRules?: number } = {},
): ClusterModel {
  const subnet = (id: string, ...cidrs: string[]) => [
    id,
    { id, cidrs: cidrs.map((c) => parseCidr(c)!), cidrText: cidrs },
  ];
  const group = (id: string, extra = {}) => [
    id,
    {
      id,
      ingress: [],
      egress: [],
      ingressRuleCount: options.ingressRules ?? 1,
      isClusterSecurityGroup: false,
      ...extra,
    },
  ];
  return {
    ipFamily: options.family ?? 4,
    vpcCidrs: (options.vpc ?? ['10.0.0.0/16', '2600:db8::/56']).map((c) => parseCidr(c)!),
    subnets: new Map([
      subnet('subnet-sys', '10.0.16.0/20', '2600:db8:0:1::/64'),
      subnet('subnet-gpu', '10.0.32.0/20', '2600:db8:0:2::/64'),
      subnet('subnet-v4', '10.0.48.0/20'),
      subnet('subnet-far', '10.1.32.0/20'),
      subnet('subnet-wide', '0.0.0.0/0'),
    ] as never),
    securityGroups: new Map([
      group(
        'sg-sys',
        options.sysIngressRules === undefined ? {} : { ingressRuleCount: options.sysIngressRules },
      ),
      group('sg-gpu'),
      group('sg-a'),
      group('sg-b'),
      group('sg-cluster', { isClusterSecurityGroup: true }),
    ] as never),
    nacls: new Map([
      ['acl-sys', { inbound: [], outbound: [] }],
      ['acl-gpu', { inbound: [], outbound: [] }],
    ] as never),
    prefixLists: new Map(),
  } as unknown as ClusterModel;
}

const deny = (
  naclId: string,
  ruleNumber: number | '*',
  direction: 'inbound' | 'outbound' = 'inbound',
): Fact => ({
  kind: 'nacl-entry',
  naclId,
  ruleNumber,
  direction,
  action: 'deny',
  text: `${naclId} ${ruleNumber}`,
});

function flow(over: {
  id?: string;
  requirement?: string;
  protocol?: string;
  ports?: { from: number; to: number };
  status?: string;
  source?: { securityGroups?: string[]; subnetId?: string; nodeGroup?: string };
  destination?: { securityGroups?: string[]; subnetId?: string; nodeGroup?: string };
  steps?: Partial<TraceStep>[];
  coLocationSteps?: Partial<TraceStep>[];
}): FlowResult {
  const step = (s: Partial<TraceStep>) => ({ at: '-', summary: '-', facts: [], ...s });
  return {
    id: over.id ?? 'f1',
    requirement: over.requirement ?? 'nats',
    protocol: over.protocol ?? 'tcp',
    ports: over.ports ?? { from: 4222, to: 4222 },
    status: over.status ?? 'blocked',
    source: { nodeGroup: 'gpu', securityGroups: ['sg-gpu'], subnetId: 'subnet-gpu', ...over.source },
    destination: {
      nodeGroup: 'system',
      securityGroups: ['sg-sys'],
      subnetId: 'subnet-sys',
      ...over.destination,
    },
    steps: (over.steps ?? []).map(step),
    ...(over.coLocationSteps ? { coLocationSteps: over.coLocationSteps.map(step) } : {}),
  } as unknown as FlowResult;
}

const sgIngress: Partial<TraceStep> = { kind: 'sg-ingress', status: 'blocked' };
const sgEgress: Partial<TraceStep> = { kind: 'sg-egress', status: 'blocked' };

describe('security-group rule commands', () => {
  it('a peer with no group, IPv4: --cidr with the peer subnet; UDP as --protocol udp', () => {
    const plan = synthesizeRemediation(model(), [
      flow({
        protocol: 'udp',
        ports: { from: 53, to: 53 },
        requirement: 'dns',
        source: { securityGroups: [] },
        steps: [sgIngress],
      }),
    ]);
    assert.deepEqual(
      plan.rules.map((r) => [r.id, r.protocol, r.cidr, r.command, r.description]),
      [
        [
          'sg-rule-1',
          'udp',
          '10.0.32.0/20',
          'aws ec2 authorize-security-group-ingress --group-id sg-sys --protocol udp --port 53 --cidr 10.0.32.0/20',
          'cluster DNS (UDP) (dynamo-netcheck)',
        ],
      ],
    );
  });

  it('a peer with no group, IPv6 cluster: the peer subnet’s IPv6 block, as --ip-permissions Ipv6Ranges', () => {
    const plan = synthesizeRemediation(model({ family: 6 }), [
      flow({ source: { securityGroups: [] }, steps: [sgIngress] }),
      flow({ id: 'f2', destination: { securityGroups: [] }, steps: [sgEgress] }),
    ]);
    assert.deepEqual(
      plan.rules.map((r) => r.command),
      [
        "aws ec2 authorize-security-group-ingress --group-id sg-sys --ip-permissions 'IpProtocol=tcp,FromPort=4222,ToPort=4222,Ipv6Ranges=[{CidrIpv6=2600:db8:0:2::/64}]'",
        "aws ec2 authorize-security-group-egress --group-id sg-gpu --ip-permissions 'IpProtocol=tcp,FromPort=4222,ToPort=4222,Ipv6Ranges=[{CidrIpv6=2600:db8:0:1::/64}]'",
      ],
    );
  });

  it('a port range: --port from-to', () => {
    const plan = synthesizeRemediation(model(), [
      flow({ ports: { from: 32768, to: 60999 }, steps: [sgIngress] }),
    ]);
    assert.equal(
      plan.rules[0]!.command,
      'aws ec2 authorize-security-group-ingress --group-id sg-sys --protocol tcp --port 32768-60999 --source-group sg-gpu',
    );
  });

  it('opens only the ports the step denies; all of the flow’s when the step names none', () => {
    const plan = synthesizeRemediation(model(), [
      flow({
        ports: { from: 8000, to: 8010 },
        steps: [
          {
            ...sgIngress,
            deniedPorts: [
              { from: 8002, to: 8003 },
              { from: 8010, to: 8010 },
            ],
          },
        ],
      }),
      flow({ id: 'f2', ports: { from: 9000, to: 9001 }, steps: [sgEgress] }),
    ]);
    assert.deepEqual(
      plan.rules.map((r) => [r.direction, r.groupId, r.fromPort, r.toPort]),
      [
        ['ingress', 'sg-sys', 8002, 8003],
        ['ingress', 'sg-sys', 8010, 8010],
        ['egress', 'sg-gpu', 9000, 9001],
      ],
    );
  });

  it('flows of two requirements on one port share a rule, named for both', () => {
    const plan = synthesizeRemediation(model(), [
      flow({ steps: [sgIngress] }),
      flow({ id: 'f2', requirement: 'etcd', steps: [sgIngress] }),
      flow({ id: 'f3', steps: [sgIngress] }),
    ]);
    assert.equal(plan.rules.length, 1);
    assert.deepEqual(plan.rules[0]!.requirements, ['nats', 'etcd']);
    assert.deepEqual(plan.rules[0]!.unblocks, ['f1', 'f2', 'f3']);
    assert.equal(
      plan.rules[0]!.description,
      'NATS event plane, Dynamo 1.2+; etcd control plane, Dynamo before 1.2 (dynamo-netcheck)',
    );
    assert.deepEqual(
      [...plan.fixes],
      [
        ['f1', ['sg-rule-1']],
        ['f2', ['sg-rule-1']],
        ['f3', ['sg-rule-1']],
      ],
    );
  });

  it('the group is the first by id that is not the EKS cluster SG; the cluster SG only when alone', () => {
    const plan = synthesizeRemediation(model(), [
      flow({ destination: { securityGroups: ['sg-cluster', 'sg-b', 'sg-a'] }, steps: [sgIngress] }),
      flow({
        id: 'f2',
        destination: { securityGroups: ['sg-cluster'] },
        source: { securityGroups: ['sg-cluster', 'sg-b'] },
        steps: [sgIngress],
      }),
    ]);
    assert.deepEqual(
      plan.rules.map((r) => [r.groupId, r.sourceGroupId]),
      [
        ['sg-a', 'sg-gpu'],
        ['sg-cluster', 'sg-b'],
      ],
    );
  });

  it('a blocked step of the across-nodes trace is fixed though the flow is allowed on one node', () => {
    const plan = synthesizeRemediation(model(), [
      flow({
        status: 'allowed',
        steps: [{ kind: 'same-node', status: 'allowed' }],
        coLocationSteps: [sgIngress],
      }),
    ]);
    assert.deepEqual(
      plan.rules.map((r) => [r.groupId, r.sourceGroupId, r.unblocks]),
      [['sg-sys', 'sg-gpu', ['f1']]],
    );
  });

  it('outbound rules do not count against the inbound quota', () => {
    // 59 inbound rules: one more inbound is 60 (within the quota), whatever is added outbound.
    const plan = synthesizeRemediation(model({ ingressRules: 59 }), [
      flow({ steps: [sgIngress] }),
      flow({
        id: 'f2',
        source: { securityGroups: ['sg-sys'] },
        destination: { securityGroups: ['sg-gpu'] },
        steps: [sgEgress],
      }),
    ]);
    assert.deepEqual(
      plan.rules.map((r) => [r.direction, r.groupId, r.quotaWarning]),
      [
        ['ingress', 'sg-sys', undefined],
        ['egress', 'sg-sys', undefined],
      ],
    );
  });
});

describe('which subnet block a fix may name', () => {
  it('a peer subnet inside the VPC’s second block is fine', () => {
    const plan = synthesizeRemediation(model({ vpc: ['10.0.0.0/16', '10.1.0.0/16'] }), [
      flow({ source: { securityGroups: [], subnetId: 'subnet-far' }, steps: [sgIngress] }),
    ]);
    assert.deepEqual(
      plan.rules.map((r) => r.cidr),
      ['10.1.32.0/20'],
    );
    assert.deepEqual(plan.unfixable, []);
  });

  it('IPv6 pods and a peer subnet with no IPv6 block, or a subnet not captured: no rule, and why', () => {
    const plan = synthesizeRemediation(model({ family: 6 }), [
      flow({ source: { securityGroups: [], subnetId: 'subnet-v4' }, steps: [sgIngress] }),
      flow({ id: 'f2', source: { securityGroups: [], subnetId: 'subnet-gone' }, steps: [sgIngress] }),
    ]);
    assert.deepEqual(plan.rules, []);
    assert.deepEqual(plan.unfixable, [
      'f1: the peer has neither a security group nor a known subnet CIDR',
      'f2: the peer has neither a security group nor a known subnet CIDR',
    ]);
  });

  it('the same unfixable flow is said once, however many of its ports need a rule', () => {
    const plan = synthesizeRemediation(model(), [
      flow({
        source: { securityGroups: [], subnetId: 'subnet-gone' },
        steps: [
          {
            ...sgIngress,
            deniedPorts: [
              { from: 1, to: 1 },
              { from: 3, to: 3 },
            ],
          },
        ],
      }),
    ]);
    assert.deepEqual(plan.unfixable, ['f1: the peer has neither a security group nor a known subnet CIDR']);
  });
});

describe('NACL entries for each NACL step', () => {
  const steps: Partial<TraceStep>[] = [
    { kind: 'nacl-source-outbound', status: 'blocked', facts: [deny('acl-gpu', 100, 'outbound')] },
    {
      kind: 'nacl-destination-inbound',
      status: 'blocked',
      facts: [deny('acl-sys', 300), deny('acl-sys', 200)],
    },
    {
      kind: 'nacl-destination-outbound-return',
      status: 'blocked',
      facts: [deny('acl-sys', '*', 'outbound')],
    },
    { kind: 'nacl-source-inbound-return', status: 'blocked', facts: [deny('acl-gpu', 50)] },
  ];
  const plan = synthesizeRemediation(model(), [flow({ steps })]);

  it('the request out of the source subnet and into the destination’s; the replies the other way', () => {
    assert.deepEqual(
      plan.naclEntries.map((e) => [
        e.naclId,
        e.subnetId,
        e.egress,
        e.ruleNumber,
        `${e.fromPort}-${e.toPort}`,
        e.cidr,
      ]),
      [
        ['acl-gpu', 'subnet-gpu', true, 99, '4222-4222', '10.0.16.0/20'],
        // Below the lower of the two denies the flow met.
        ['acl-sys', 'subnet-sys', false, 199, '4222-4222', '10.0.32.0/20'],
        ['acl-sys', 'subnet-sys', true, 32766, '32768-60999', '10.0.32.0/20'],
        ['acl-gpu', 'subnet-gpu', false, 49, '32768-60999', '10.0.16.0/20'],
      ],
    );
    assert.deepEqual(
      plan.naclEntries.map((e) => e.id),
      ['nacl-entry-1', 'nacl-entry-2', 'nacl-entry-3', 'nacl-entry-4'],
    );
    assert.deepEqual(plan.fixes.get('f1'), ['nacl-entry-1', 'nacl-entry-2', 'nacl-entry-3', 'nacl-entry-4']);
  });

  it('a NACL step with no deny named, or an allow only, proposes nothing', () => {
    const none = synthesizeRemediation(model(), [
      flow({
        steps: [
          {
            kind: 'nacl-destination-inbound',
            status: 'blocked',
            facts: [
              {
                kind: 'nacl-entry',
                naclId: 'acl-sys',
                ruleNumber: 100,
                direction: 'inbound',
                action: 'allow',
                text: 'allow',
              } satisfies Fact,
            ],
          },
          { kind: 'nacl-source-outbound', status: 'blocked', facts: [] },
        ],
      }),
    ]);
    assert.deepEqual(none.naclEntries, []);
  });

  it('IPv6: the entry names the peer subnet’s IPv6 block, with --ipv6-cidr-block', () => {
    const v6 = synthesizeRemediation(model({ family: 6 }), [
      flow({
        protocol: 'udp',
        steps: [{ kind: 'nacl-destination-inbound', status: 'blocked', facts: [deny('acl-sys', '*')] }],
      }),
    ]);
    assert.deepEqual(
      v6.naclEntries.map((e) => e.command),
      [
        'aws ec2 create-network-acl-entry --network-acl-id acl-sys --ingress --rule-number 32766 --protocol udp --port-range From=4222,To=4222 --ipv6-cidr-block 2600:db8:0:2::/64 --rule-action allow',
      ],
    );
  });

  it('a peer subnet wider than any subnet can be: no entry, and why, once', () => {
    const wide = synthesizeRemediation(model({ vpc: [] }), [
      flow({
        source: { subnetId: 'subnet-wide' },
        steps: [
          { kind: 'nacl-destination-inbound', status: 'blocked', facts: [deny('acl-sys', '*')] },
          {
            kind: 'nacl-destination-outbound-return',
            status: 'blocked',
            facts: [deny('acl-sys', '*', 'outbound')],
          },
        ],
      }),
    ]);
    assert.deepEqual(wide.naclEntries, []);
    assert.equal(wide.unfixable.length, 1, wide.unfixable.join('\n'));
  });
});

describe('EFA (SRD) flows', () => {
  it('get the self-referencing all-traffic rules, with no ports, and no TCP rule from their SG steps', () => {
    const plan = synthesizeRemediation(model(), [
      flow({
        protocol: 'efa',
        requirement: 'efa-srd',
        source: { securityGroups: ['sg-a'] },
        destination: { securityGroups: ['sg-a'] },
        steps: [sgIngress, sgEgress],
      }),
    ]);
    assert.deepEqual(
      plan.rules.map((r) => [r.id, r.command, r.description, r.unblocks]),
      [
        [
          'sg-rule-1',
          "aws ec2 authorize-security-group-ingress --group-id sg-a --ip-permissions 'IpProtocol=-1,UserIdGroupPairs=[{GroupId=sg-a}]'",
          'EFA SRD between prefill and decode (self-referencing, all traffic) (dynamo-netcheck)',
          ['f1'],
        ],
        [
          'sg-rule-2',
          "aws ec2 authorize-security-group-egress --group-id sg-a --ip-permissions 'IpProtocol=-1,UserIdGroupPairs=[{GroupId=sg-a}]'",
          'EFA SRD between prefill and decode (self-referencing, all traffic) (dynamo-netcheck)',
          ['f1'],
        ],
      ],
    );
    assert.deepEqual(plan.fixes.get('f1'), ['sg-rule-1', 'sg-rule-2']);
    assert.deepEqual(plan.naclEntries, []);
  });

  it('two EFA interfaces that share no group: no rule, the reason in unfixable', () => {
    const plan = synthesizeRemediation(model(), [
      flow({
        protocol: 'efa',
        requirement: 'efa-srd',
        source: { securityGroups: ['sg-a'] },
        destination: { securityGroups: ['sg-b'] },
      }),
    ]);
    assert.deepEqual(plan.rules, []);
    assert.equal(plan.unfixable.length, 1);
    assert.match(
      plan.unfixable[0]!,
      /^f1: the EFA interfaces of gpu \[sg-a\] and system \[sg-b\] share no security group/,
    );
  });
});

describe('descriptions', () => {
  it('every requirement of the catalog has a title of its own in a rule’s description', () => {
    const ids = [...new Set(catalog.map((c) => c.id))];
    const descriptions = ids.map(
      (id, i) =>
        synthesizeRemediation(model(), [
          flow({ requirement: id, ports: { from: 1000 + i, to: 1000 + i }, steps: [sgIngress] }),
        ]).rules[0]!.description,
    );
    for (const [i, d] of descriptions.entries()) {
      assert.match(d, /^\S.* \(dynamo-netcheck\)$/, ids[i]);
      assert.ok(!d.startsWith(' (dynamo-netcheck)') && !d.startsWith('undefined'), `${ids[i]}: ${d}`);
    }
    assert.equal(new Set(descriptions).size, ids.length, descriptions.join('\n'));
  });
});

describe('more of what the fix must get right', () => {
  const inbound = (f: Fact[]): Partial<TraceStep> => ({
    kind: 'nacl-destination-inbound',
    status: 'blocked',
    facts: f,
  });
  const replyOut: Partial<TraceStep> = {
    kind: 'nacl-destination-outbound-return',
    status: 'blocked',
    facts: [deny('acl-sys', '*', 'outbound')],
  };

  it('a request on the OS-assigned range is not “return traffic”; its reply entry is', () => {
    const plan = synthesizeRemediation(model(), [
      flow({
        requirement: 'request-plane',
        ports: { from: 32768, to: 60999 },
        steps: [inbound([deny('acl-sys', '*')]), replyOut],
      }),
    ]);
    assert.deepEqual(
      plan.naclEntries.map((e) => [e.egress, `${e.fromPort}-${e.toPort}`, e.description]),
      [
        [false, '32768-60999', 'Dynamo TCP request plane (dynamo-netcheck)'],
        [true, '32768-60999', 'Dynamo TCP request plane (dynamo-netcheck), return traffic'],
      ],
    );
  });

  it('flows of two requirements through one entry: both named', () => {
    const plan = synthesizeRemediation(model(), [
      flow({ steps: [inbound([deny('acl-sys', '*')])] }),
      flow({ id: 'f2', requirement: 'etcd', steps: [inbound([deny('acl-sys', '*')])] }),
    ]);
    assert.deepEqual(
      plan.naclEntries.map((e) => [e.requirements, e.unblocks]),
      [
        [
          ['nats', 'etcd'],
          ['f1', 'f2'],
        ],
      ],
    );
  });

  it('a deny at 2 with number 1 free: the entry takes 1', () => {
    const plan = synthesizeRemediation(model(), [flow({ steps: [inbound([deny('acl-sys', 2)])] })]);
    assert.deepEqual(
      plan.naclEntries.map((e) => e.ruleNumber),
      [1],
    );
    assert.deepEqual(plan.unfixable, []);
  });

  it('a NACL step whose peer subnet is not known proposes nothing and does not fail', () => {
    const plan = synthesizeRemediation(model(), [
      flow({
        source: { subnetId: undefined as unknown as string },
        steps: [inbound([deny('acl-sys', '*')])],
      }),
    ]);
    assert.deepEqual(plan.naclEntries, []);
  });

  it('an IPv6 peer subnet when only the VPC’s IPv4 blocks are known: the rule names it', () => {
    const plan = synthesizeRemediation(model({ family: 6, vpc: ['10.0.0.0/16'] }), [
      flow({ source: { securityGroups: [] }, steps: [sgIngress] }),
    ]);
    assert.deepEqual(
      plan.rules.map((r) => r.cidr),
      ['2600:db8:0:2::/64'],
    );
  });

  it('an outbound rule on a group already over 60 inbound rules (quota raised) warns of nothing', () => {
    const plan = synthesizeRemediation(model({ sysIngressRules: 61 }), [
      flow({
        source: { securityGroups: ['sg-sys'] },
        destination: { securityGroups: ['sg-gpu'] },
        steps: [sgEgress],
      }),
    ]);
    assert.deepEqual(
      plan.rules.map((r) => [r.direction, r.groupId, r.quotaWarning]),
      [['egress', 'sg-sys', undefined]],
    );
  });

  it('a group the snapshot lacks on the ENI is still a group to add the rule to', () => {
    const plan = synthesizeRemediation(model(), [
      flow({ destination: { securityGroups: ['sg-gone'] }, steps: [sgIngress] }),
    ]);
    assert.deepEqual(
      plan.rules.map((r) => [r.groupId, r.quotaWarning]),
      [['sg-gone', undefined]],
    );
  });

  it('set cover: a group on both servers’ ENIs takes one rule for both flows', () => {
    const plan = synthesizeRemediation(model(), [
      flow({ destination: { securityGroups: ['sg-a', 'sg-b'] }, steps: [sgIngress] }),
      flow({ id: 'f2', destination: { securityGroups: ['sg-b'] }, steps: [sgIngress] }),
    ]);
    assert.deepEqual(
      plan.rules.map((r) => [r.groupId, r.unblocks]),
      [['sg-b', ['f1', 'f2']]],
    );
  });
});
