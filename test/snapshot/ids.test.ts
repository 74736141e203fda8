/**
 * Issue 17, item 1: EC2 ids are checked at load. An id reaches the commands, Terraform and
 * CloudFormation the tool writes, so one that is not `prefix-` and lowercase letters or digits is
 * an input error naming the file and the JSON path, never passed on.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSnapshot } from '../../src/snapshot/parse.ts';
import { formatIssue } from '../../src/snapshot/types.ts';

const INJECTIONS = [
  'sg-0affb20cb8865fd98$(touch pwned)',
  "sg-0affb20cb8865fd98'",
  'sg-0affb20cb8865fd98 --cidr 0.0.0.0/0',
  'sg-0affb20c}],IpRanges=[{CidrIp=0.0.0.0/0',
  'sg-0affb20cb8865fd98\n',
  'SG-0AFFB20C',
  'sg-',
  '0affb20cb8865fd98',
];

function issuesOf(path: string, value: unknown): string[] {
  const result = parseSnapshot([{ path, text: JSON.stringify(value) }]);
  assert.equal(result.ok, false, `expected ${JSON.stringify(value)} to be rejected`);
  return result.ok ? [] : result.issues.map(formatIssue);
}

const ID_ERROR = /expected an id of the form (sg|acl|pl|subnet|eni|vpc|i)-…/;

describe('EC2 ids at load (issue 17 item 1)', () => {
  it('accepts the ids AWS writes, 8 and 17 hex digits', () => {
    const result = parseSnapshot([
      {
        path: 'aws/sg.json',
        text: JSON.stringify({
          SecurityGroups: [
            { GroupId: 'sg-0affb20cb8865fd98', VpcId: 'vpc-0a82a3006390adbef' },
            { GroupId: 'sg-0affb20c', VpcId: 'vpc-0a82a300' },
          ],
        }),
      },
    ]);
    assert.ok(result.ok, result.ok ? '' : result.issues.map(formatIssue).join('\n'));
  });

  for (const id of INJECTIONS) {
    it(`refuses the security-group id ${JSON.stringify(id)} with file and path`, () => {
      const issues = issuesOf('aws/sg.json', {
        SecurityGroups: [{ GroupId: 'sg-0affb20c' }, { GroupId: id }],
      });
      assert.equal(issues.length, 1, issues.join('\n'));
      assert.match(issues[0]!, /^aws\/sg\.json: SecurityGroups\[1\]\.GroupId: /);
      assert.match(issues[0]!, ID_ERROR);
    });
  }

  const bad = 'x$(touch pwned)';
  const cases: [string, string, unknown, string][] = [
    [
      'a rule peer group',
      'aws/sg.json',
      {
        SecurityGroups: [
          {
            GroupId: 'sg-0affb20c',
            IpPermissions: [
              { IpProtocol: 'tcp', FromPort: 1, ToPort: 1, UserIdGroupPairs: [{ GroupId: `sg-${bad}` }] },
            ],
          },
        ],
      },
      'SecurityGroups[0].IpPermissions[0].UserIdGroupPairs[0].GroupId',
    ],
    [
      'a rule prefix list',
      'aws/sg.json',
      {
        SecurityGroups: [
          {
            GroupId: 'sg-0affb20c',
            IpPermissions: [
              { IpProtocol: 'tcp', FromPort: 1, ToPort: 1, PrefixListIds: [{ PrefixListId: `pl-${bad}` }] },
            ],
          },
        ],
      },
      'SecurityGroups[0].IpPermissions[0].PrefixListIds[0].PrefixListId',
    ],
    [
      'a network ACL',
      'aws/acl.json',
      { NetworkAcls: [{ NetworkAclId: `acl-${bad}`, Entries: [] }] },
      'NetworkAcls[0].NetworkAclId',
    ],
    [
      'a subnet',
      'aws/subnets.json',
      { Subnets: [{ SubnetId: `subnet-${bad}`, CidrBlock: '10.0.0.0/24' }] },
      'Subnets[0].SubnetId',
    ],
    [
      'an ENI',
      'aws/enis.json',
      { NetworkInterfaces: [{ NetworkInterfaceId: `eni-${bad}` }] },
      'NetworkInterfaces[0].NetworkInterfaceId',
    ],
    [
      'an ENI group',
      'aws/enis.json',
      { NetworkInterfaces: [{ NetworkInterfaceId: 'eni-0affb20c', Groups: [{ GroupId: `sg-${bad}` }] }] },
      'NetworkInterfaces[0].Groups[0].GroupId',
    ],
    ['a VPC', 'aws/vpcs.json', { Vpcs: [{ VpcId: `vpc-${bad}` }] }, 'Vpcs[0].VpcId'],
    [
      'an instance',
      'aws/instances.json',
      { Reservations: [{ Instances: [{ InstanceId: `i-${bad}` }] }] },
      'Reservations[0].Instances[0].InstanceId',
    ],
    [
      'a prefix-list wrapper',
      'aws/entries.json',
      { PrefixListId: `pl-${bad}`, Entries: [{ Cidr: '10.8.0.0/16' }] },
      'PrefixListId',
    ],
    [
      'an ENIConfig subnet',
      'k8s/eniconfigs.json',
      {
        apiVersion: 'v1',
        kind: 'List',
        items: [{ kind: 'ENIConfig', metadata: { name: 'a' }, spec: { subnet: `subnet-${bad}` } }],
      },
      'items[0].spec.subnet',
    ],
  ];
  for (const [what, file, value, path] of cases) {
    it(`refuses a malformed id of ${what} with file and path`, () => {
      const issues = issuesOf(file, value);
      assert.ok(
        issues.some((i) => i.startsWith(`${file}: ${path}: `) && ID_ERROR.test(i)),
        issues.join('\n'),
      );
    });
  }
});
