/**
 * A stateful EC2 account behind the real SDK v3 EC2Client (through aws-sdk-client-mock), for
 * `fix --apply`: security-group rules and NACL entries it keeps across calls, IAM denials per
 * action checked before DryRun (as EC2 does), `DryRunOperation` for an allowed dry run,
 * `InvalidPermission.Duplicate` for an existing rule, `NetworkAclEntryAlreadyExists` for a taken
 * rule number, `InvalidGroup.NotFound`, and EC2's rule-description character set. Any command it
 * does not model is refused loudly, so a test sees a call it did not expect.
 */
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkAclEntryCommand,
  DescribeNetworkAclsCommand,
  EC2Client,
  type IpPermission,
  type NetworkAclEntry,
  type Tag,
} from '@aws-sdk/client-ec2';
import { AwsStub, mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { awsError } from '../../helpers/fake-aws.ts';

export interface StoredRule {
  readonly id: string;
  readonly groupId: string;
  readonly egress: boolean;
  readonly protocol: string;
  readonly from: number;
  readonly to: number;
  /** A group id or a CIDR. */
  readonly peer: string;
  readonly description?: string;
  readonly tags: Tag[];
}

export interface Ec2State {
  groups: string[];
  rules: StoredRule[];
  nacls: Record<string, NetworkAclEntry[]>;
  nextRule: number;
}

export interface FakeEc2Options {
  /** IAM actions the caller lacks, e.g. `ec2:AuthorizeSecurityGroupIngress`, `ec2:CreateTags`. */
  readonly denied?: readonly string[];
  /** Told of every rule added, e.g. to show it in the describe answers of a fake collector account. */
  readonly onRuleAdded?: (rule: StoredRule) => void;
}

export interface FakeEc2 {
  readonly client: EC2Client;
  readonly state: Ec2State;
  /** Every call: command name, and whether it was a dry run. */
  readonly calls: { command: string; dryRun: boolean }[];
  restore(): void;
}

export function emptyState(groups: string[], nacls: Record<string, NetworkAclEntry[]> = {}): Ec2State {
  return { groups, rules: [], nacls, nextRule: 1 };
}

const DESCRIPTION = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]{0,255}$/;

function peersOf(p: IpPermission): { peer: string; description?: string }[] {
  return [
    ...(p.UserIdGroupPairs ?? []).map((x) => ({ peer: x.GroupId!, description: x.Description })),
    ...(p.IpRanges ?? []).map((x) => ({ peer: x.CidrIp!, description: x.Description })),
    ...(p.Ipv6Ranges ?? []).map((x) => ({ peer: x.CidrIpv6!, description: x.Description })),
  ];
}

const sameRule = (a: Omit<StoredRule, 'id' | 'tags' | 'description'>, b: StoredRule): boolean =>
  a.groupId === b.groupId &&
  a.egress === b.egress &&
  a.protocol === b.protocol &&
  a.from === b.from &&
  a.to === b.to &&
  a.peer === b.peer;

/**
 * Mocks one new EC2Client ('instance'), or the EC2Client class itself ('class': every client the
 * code under test creates), or adds to the class's existing mock ('extend': after fakeAws from
 * test/helpers/fake-aws.ts in 'classes' mode, which answers the describe calls of collection).
 * `state` is changed in place, so the caller sees (and may save) it.
 */
export function fakeEc2(
  state: Ec2State,
  options: FakeEc2Options = {},
  mode: 'instance' | 'class' | 'extend' = 'instance',
): FakeEc2 {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new EC2Client({
    region: 'us-west-2',
    credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
  });
  const mock: AwsClientStub<EC2Client> =
    mode === 'extend'
      ? (new AwsStub(EC2Client.prototype, EC2Client.prototype.send as never) as AwsClientStub<EC2Client>)
      : mockClient(mode === 'class' ? EC2Client : client);
  const calls: FakeEc2['calls'] = [];
  const denied = new Set(options.denied ?? []);
  const gate = (command: string, action: string, input: { DryRun?: boolean }, tagging: boolean): void => {
    calls.push({ command, dryRun: input.DryRun === true });
    for (const needed of [action, ...(tagging ? ['ec2:CreateTags'] : [])]) {
      if (denied.has(needed))
        throw awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403);
    }
    if (input.DryRun)
      throw awsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
  };

  if (mode !== 'extend') {
    mock.onAnyCommand().callsFake((input: unknown) => {
      throw new Error(`fake EC2: unexpected command ${JSON.stringify(input)}`);
    });
  }
  const authorize =
    (egress: boolean) =>
    (input: {
      DryRun?: boolean;
      GroupId?: string;
      IpPermissions?: IpPermission[];
      TagSpecifications?: { ResourceType?: string; Tags?: Tag[] }[];
    }) => {
      const name = egress ? 'AuthorizeSecurityGroupEgress' : 'AuthorizeSecurityGroupIngress';
      gate(name, `ec2:${name}`, input, (input.TagSpecifications ?? []).length > 0);
      const groupId = input.GroupId ?? '';
      if (!state.groups.includes(groupId))
        throw awsError('InvalidGroup.NotFound', `The security group '${groupId}' does not exist`);
      const tags = input.TagSpecifications?.find((t) => t.ResourceType === 'security-group-rule')?.Tags ?? [];
      const wanted = (input.IpPermissions ?? []).flatMap((p) =>
        peersOf(p).map(({ peer, description }) => ({
          groupId,
          egress,
          protocol: p.IpProtocol ?? '',
          from: p.FromPort ?? -1,
          to: p.ToPort ?? -1,
          peer,
          description,
        })),
      );
      for (const [i, w] of wanted.entries()) {
        if (w.description !== undefined && !DESCRIPTION.test(w.description))
          throw awsError('InvalidParameterValue', `Invalid rule description: ${w.description}`);
        if (wanted.slice(0, i).some((o) => sameRule(o, { ...w, id: '', tags: [] })))
          throw awsError('InvalidParameterValue', 'The same permission must not appear multiple times');
      }
      // EC2 refuses the whole request when any permission in it exists already.
      if (wanted.some((w) => state.rules.some((r) => sameRule(w, r))))
        throw awsError('InvalidPermission.Duplicate', 'the specified rule already exists');
      const added = wanted.map((w): StoredRule => {
        const id = `sgr-${String(state.nextRule++).padStart(17, '0')}`;
        return { id, ...w, tags };
      });
      state.rules.push(...added);
      for (const rule of added) options.onRuleAdded?.(rule);
      return {
        Return: true,
        SecurityGroupRules: added.map((r) => ({
          SecurityGroupRuleId: r.id,
          GroupId: r.groupId,
          IsEgress: r.egress,
          IpProtocol: r.protocol,
          FromPort: r.from,
          ToPort: r.to,
          ...(r.peer.startsWith('sg-') ? { ReferencedGroupInfo: { GroupId: r.peer } } : { CidrIpv4: r.peer }),
          Description: r.description,
          Tags: r.tags,
        })),
      };
    };
  mock.on(AuthorizeSecurityGroupIngressCommand).callsFake(authorize(false));
  mock.on(AuthorizeSecurityGroupEgressCommand).callsFake(authorize(true));
  mock
    .on(CreateNetworkAclEntryCommand)
    .callsFake((input: NetworkAclEntry & { DryRun?: boolean; NetworkAclId?: string }) => {
      gate('CreateNetworkAclEntry', 'ec2:CreateNetworkAclEntry', input, false);
      const entries = state.nacls[input.NetworkAclId ?? ''];
      if (!entries)
        throw awsError(
          'InvalidNetworkAclID.NotFound',
          `The network ACL '${input.NetworkAclId}' does not exist`,
        );
      if (entries.some((e) => e.RuleNumber === input.RuleNumber && e.Egress === input.Egress))
        throw awsError(
          'NetworkAclEntryAlreadyExists',
          `The network acl entry identified by ${input.RuleNumber} already exists.`,
        );
      entries.push({
        RuleNumber: input.RuleNumber,
        Egress: input.Egress,
        Protocol: input.Protocol,
        RuleAction: input.RuleAction,
        ...(input.CidrBlock ? { CidrBlock: input.CidrBlock } : {}),
        ...(input.Ipv6CidrBlock ? { Ipv6CidrBlock: input.Ipv6CidrBlock } : {}),
        ...(input.PortRange ? { PortRange: input.PortRange } : {}),
      });
      return {};
    });
  // Extending a collector's account: its describe answers stay in charge, and its maker restores it.
  if (mode === 'extend') return { client, state, calls, restore: () => undefined };
  mock.on(DescribeNetworkAclsCommand).callsFake((input: { NetworkAclIds?: string[] }) => {
    calls.push({ command: 'DescribeNetworkAcls', dryRun: false });
    if (denied.has('ec2:DescribeNetworkAcls'))
      throw awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403);
    return {
      NetworkAcls: (input.NetworkAclIds ?? [])
        .filter((id) => state.nacls[id])
        .map((id) => ({ NetworkAclId: id, Entries: structuredClone(state.nacls[id]) })),
    };
  });
  return { client, state, calls, restore: () => mock.restore() };
}
