/**
 * Issue 17, item 9: a malformed rule is an input error naming its file and path, never read as
 * allowing more. EC2 requires both ends of a TCP/UDP port range, from 0 to 65535, never
 * backwards; keeps IPv4 and IPv6 blocks in separate fields (CidrIp / CidrIpv6, CidrBlock /
 * Ipv6CidrBlock); and IP protocol numbers are 0-255 (IANA). An IPv4-mapped IPv6 block is the IPv6
 * block it is (RFC 4291 2.5.5.2), not IPv4. A port in an env URL outside 1-65535 is a note, and
 * the default port is used.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSnapshot } from '../../src/snapshot/parse.ts';
import { formatIssue } from '../../src/snapshot/types.ts';
import { allTraffic, scenario, type Permission } from '../helpers/scenario.ts';

function issuesOf(path: string, value: unknown): string[] {
  const result = parseSnapshot([{ path, text: JSON.stringify(value) }]);
  assert.equal(result.ok, false, `expected ${JSON.stringify(value)} to be rejected`);
  return result.ok ? [] : result.issues.map(formatIssue);
}

const sg = (permission: Record<string, unknown>) => ({
  SecurityGroups: [{ GroupId: 'sg-0affb20c', IpPermissions: [permission] }],
});
const peer = { UserIdGroupPairs: [{ GroupId: 'sg-0affb20d' }] };

describe('malformed security-group rules are input errors (issue 17 item 9)', () => {
  const cases: [string, string, unknown, string, RegExp][] = [
    [
      'a tcp rule without FromPort',
      'aws/sg.json',
      sg({ IpProtocol: 'tcp', ToPort: 4222, ...peer }),
      'SecurityGroups[0].IpPermissions[0].FromPort',
      /needs both ends of its port range/,
    ],
    [
      'a udp rule without ToPort',
      'aws/sg.json',
      sg({ IpProtocol: 'udp', FromPort: 53, ...peer }),
      'SecurityGroups[0].IpPermissions[0].ToPort',
      /needs both ends of its port range/,
    ],
    [
      'a tcp rule without either port',
      'aws/sg.json',
      sg({ IpProtocol: '6', ...peer }),
      'SecurityGroups[0].IpPermissions[0].FromPort',
      /needs both ends/,
    ],
    [
      'a tcp rule of port -1',
      'aws/sg.json',
      sg({ IpProtocol: 'tcp', FromPort: -1, ToPort: -1, ...peer }),
      'SecurityGroups[0].IpPermissions[0].FromPort',
      /from 0 to 65535, not -1/,
    ],
    [
      'a range that runs backwards',
      'aws/sg.json',
      sg({ IpProtocol: 'tcp', FromPort: 5000, ToPort: 4000, ...peer }),
      'SecurityGroups[0].IpPermissions[0].FromPort',
      /runs backwards: from 5000 to 4000/,
    ],
    [
      '::/0 in the IPv4 field',
      'aws/sg.json',
      sg({ IpProtocol: 'tcp', FromPort: 1, ToPort: 1, IpRanges: [{ CidrIp: '::/0' }] }),
      'SecurityGroups[0].IpPermissions[0].IpRanges[0].CidrIp',
      /expected an IPv4 CIDR block/,
    ],
    [
      '::ffff:0.0.0.0/0 in the IPv4 field',
      'aws/sg.json',
      sg({ IpProtocol: 'tcp', FromPort: 1, ToPort: 1, IpRanges: [{ CidrIp: '::ffff:0.0.0.0/0' }] }),
      'SecurityGroups[0].IpPermissions[0].IpRanges[0].CidrIp',
      /expected an IPv4 CIDR block/,
    ],
    [
      '0.0.0.0/0 in the IPv6 field',
      'aws/sg.json',
      sg({ IpProtocol: 'tcp', FromPort: 1, ToPort: 1, Ipv6Ranges: [{ CidrIpv6: '0.0.0.0/0' }] }),
      'SecurityGroups[0].IpPermissions[0].Ipv6Ranges[0].CidrIpv6',
      /expected an IPv6 CIDR block/,
    ],
    [
      'protocol 999',
      'aws/sg.json',
      sg({ IpProtocol: '999', ...peer }),
      'SecurityGroups[0].IpPermissions[0].IpProtocol',
      /protocol number from 0 to 255/,
    ],
    [
      'a describe-security-group-rules tcp rule without ToPort',
      'aws/rules.json',
      {
        SecurityGroupRules: [
          {
            GroupId: 'sg-0affb20c',
            IsEgress: false,
            IpProtocol: 'tcp',
            FromPort: 4222,
            CidrIpv4: '10.0.0.0/16',
          },
        ],
      },
      'SecurityGroupRules[0].ToPort',
      /needs both ends/,
    ],
    [
      'a describe-security-group-rules rule with ::/0 as CidrIpv4',
      'aws/rules.json',
      {
        SecurityGroupRules: [{ GroupId: 'sg-0affb20c', IsEgress: false, IpProtocol: '-1', CidrIpv4: '::/0' }],
      },
      'SecurityGroupRules[0].CidrIpv4',
      /expected an IPv4 CIDR block/,
    ],
    [
      'a NACL entry of protocol 999',
      'aws/acl.json',
      {
        NetworkAcls: [
          {
            NetworkAclId: 'acl-0affb20c',
            Entries: [
              {
                RuleNumber: 100,
                Protocol: '999',
                RuleAction: 'allow',
                Egress: false,
                CidrBlock: '0.0.0.0/0',
              },
            ],
          },
        ],
      },
      'NetworkAcls[0].Entries[0].Protocol',
      /protocol number from 0 to 255/,
    ],
    [
      'a tcp NACL entry without a port range',
      'aws/acl.json',
      {
        NetworkAcls: [
          {
            NetworkAclId: 'acl-0affb20c',
            Entries: [
              {
                RuleNumber: 100,
                Protocol: '6',
                RuleAction: 'allow',
                Egress: false,
                CidrBlock: '10.0.0.0/16',
              },
            ],
          },
        ],
      },
      'NetworkAcls[0].Entries[0].PortRange.From',
      /needs both ends/,
    ],
    [
      'a NACL entry with ::/0 as CidrBlock',
      'aws/acl.json',
      {
        NetworkAcls: [
          {
            NetworkAclId: 'acl-0affb20c',
            Entries: [
              { RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: false, CidrBlock: '::/0' },
            ],
          },
        ],
      },
      'NetworkAcls[0].Entries[0].CidrBlock',
      /expected an IPv4 CIDR block/,
    ],
  ];
  for (const [what, file, value, path, message] of cases) {
    it(`${what}: an error at ${path}`, () => {
      const issues = issuesOf(file, value);
      const found = issues.find((i) => i.startsWith(`${file}: ${path}: `));
      assert.ok(found, issues.join('\n'));
      assert.match(found, message);
    });
  }

  it('control: well-formed rules of every kind load', () => {
    const result = parseSnapshot([
      {
        path: 'aws/sg.json',
        text: JSON.stringify({
          SecurityGroups: [
            {
              GroupId: 'sg-0affb20c',
              IpPermissions: [
                { IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, ...peer },
                { IpProtocol: '-1', IpRanges: [{ CidrIp: '10.0.0.0/16' }] },
                { IpProtocol: 'icmp', FromPort: -1, ToPort: -1, IpRanges: [{ CidrIp: '10.0.0.0/16' }] },
                { IpProtocol: '50', Ipv6Ranges: [{ CidrIpv6: '::ffff:0.0.0.0/96' }] },
              ],
            },
          ],
        }),
      },
    ]);
    assert.ok(result.ok, result.ok ? '' : result.issues.map(formatIssue).join('\n'));
  });
});

/** NATS on a system node whose SG admits 4222 only by `rule`; a GPU node must reach it. */
function natsWith(rule: Permission, env: Record<string, string> = {}) {
  return scenario()
    .subnet('subnet-sys', '10.0.16.0/20')
    .subnet('subnet-gpu', '10.0.32.0/20')
    .withoutNacls()
    .sg('sg-sys', [allTraffic.fromGroup('sg-sys'), rule])
    .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu'), allTraffic.fromGroup('sg-sys')])
    .node('sys-1', {
      group: 'system',
      subnet: 'subnet-sys',
      ip: '10.0.16.10',
      sgs: ['sg-sys'],
      podIps: ['10.0.16.11'],
    })
    .node('gpu-1', {
      group: 'gpu',
      subnet: 'subnet-gpu',
      ip: '10.0.32.10',
      sgs: ['sg-gpu'],
      gpu: true,
      podIps: ['10.0.32.11', '10.0.32.12'],
    })
    .nats('nats-0', 'sys-1', '10.0.16.11')
    .dynamo('frontend-0', 'frontend', 'gpu-1', '10.0.32.11', '1.2.0', env)
    .dynamo('worker-0', 'worker', 'gpu-1', '10.0.32.12', '1.2.0', env)
    .analyze({ conformance: false });
}

const natsStatus = (result: ReturnType<typeof natsWith>): string[] => [
  ...new Set(result.flows.filter((f) => f.requirement === 'nats').map((f) => f.status)),
];

describe('what the analysis reads from well-formed but tricky input (issue 17 item 9)', () => {
  it('::ffff:0.0.0.0/0 in CidrIpv6 is an IPv6 block: it admits no IPv4 peer', () => {
    const control = natsWith({
      IpProtocol: 'tcp',
      FromPort: 4222,
      ToPort: 4222,
      IpRanges: [{ CidrIp: '0.0.0.0/0' }],
    });
    assert.deepEqual(natsStatus(control), ['allowed'], 'control: 0.0.0.0/0 admits the GPU nodes');
    const mapped = natsWith({
      IpProtocol: 'tcp',
      FromPort: 4222,
      ToPort: 4222,
      Ipv6Ranges: [{ CidrIpv6: '::ffff:0.0.0.0/0' }],
    });
    assert.deepEqual(natsStatus(mapped), ['blocked']);
  });

  it('NATS_SERVER with port 99999: a note, and the flows and fix stay on the default 4222', () => {
    const result = natsWith(
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/16' }] },
      { NATS_SERVER: 'nats://dynamo-platform-nats.dynamo-system.svc.cluster.local:99999' },
    );
    const ports = [
      ...new Set(
        result.flows.filter((f) => f.requirement === 'nats').map((f) => `${f.ports.from}-${f.ports.to}`),
      ),
    ];
    assert.deepEqual(ports, ['4222-4222']);
    assert.ok(result.remediation.length > 0);
    for (const r of result.remediation) {
      assert.ok(r.fromPort <= 65535 && r.toPort <= 65535, r.command);
      assert.doesNotMatch(r.command, /99999/);
    }
    assert.ok(
      [...result.notes, ...result.warnings].some((n) =>
        /NATS_SERVER.*names port 99999, which is not a TCP port \(1-65535\)/.test(n),
      ),
      [...result.notes, ...result.warnings].join('\n'),
    );
  });
});
