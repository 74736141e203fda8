/**
 * The one place `fix --apply` talks to EC2. It only ever adds: AuthorizeSecurityGroupIngress /
 * Egress (with description and tags) and CreateNetworkAclEntry — never Revoke, Replace or Modify,
 * so no existing rule is removed or widened. Permission is checked first with DryRun on every
 * request, so a missing permission changes nothing.
 */
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkAclEntryCommand,
  DescribeNetworkAclsCommand,
  type EC2Client,
  type NetworkAclEntry,
} from '@aws-sdk/client-ec2';
import { awsFailure } from './errors.ts';
import type { PlannedNaclEntry } from '../questions/fix/plan.ts';
import {
  actionOf,
  naclRefusal,
  ruleRefusal,
  type ApplyItem,
  type Denial,
  type ItemResult,
  type Outcome,
} from '../questions/fix/apply-plan.ts';

/** Every IAM action `fix --apply` may call (docs and error messages name these). */
export const APPLY_ACTIONS = [
  'ec2:AuthorizeSecurityGroupIngress',
  'ec2:AuthorizeSecurityGroupEgress',
  'ec2:CreateTags',
  'ec2:CreateNetworkAclEntry',
  'ec2:DescribeNetworkAcls',
] as const;

interface SdkError {
  readonly name?: string;
  readonly Code?: string;
  readonly message?: string;
}

const codeOf = (err: unknown): string => (err as SdkError).Code ?? (err as SdkError).name ?? 'Error';
const messageOf = (err: unknown): string => ((err as SdkError).message ?? String(err)).split('\n')[0]!;

function send(client: EC2Client, item: ApplyItem, options: { dryRun: boolean; tags: boolean }) {
  if (item.kind === 'nacl-entry') {
    const e = item.planned.entry;
    return client.send(
      new CreateNetworkAclEntryCommand({
        DryRun: options.dryRun,
        NetworkAclId: e.naclId,
        RuleNumber: e.ruleNumber,
        Egress: e.egress,
        Protocol: item.planned.protocolNumber,
        RuleAction: 'allow',
        ...(item.planned.ipv6 ? { Ipv6CidrBlock: e.cidr } : { CidrBlock: e.cidr }),
        PortRange: { From: e.fromPort, To: e.toPort },
      }),
    );
  }
  const { rule, permission, tags } = item.planned;
  const input = {
    DryRun: options.dryRun,
    GroupId: rule.groupId,
    IpPermissions: [
      {
        ...permission,
        UserIdGroupPairs: permission.UserIdGroupPairs?.map((p) => ({ ...p })),
        IpRanges: permission.IpRanges?.map((p) => ({ ...p })),
        Ipv6Ranges: permission.Ipv6Ranges?.map((p) => ({ ...p })),
      },
    ],
    ...(options.tags
      ? {
          TagSpecifications: [
            { ResourceType: 'security-group-rule' as const, Tags: tags.map((t) => ({ ...t })) },
          ],
        }
      : {}),
  };
  return rule.direction === 'ingress'
    ? client.send(new AuthorizeSecurityGroupIngressCommand(input))
    : client.send(new AuthorizeSecurityGroupEgressCommand(input));
}

/**
 * Dry-runs every request. `DryRunOperation` means allowed; `UnauthorizedOperation` is a denial,
 * and for a rule a second dry run without tags tells a missing ec2:CreateTags from a missing
 * authorize action. Credentials, throttling or network failures throw (a CollectError naming the
 * remedy); any other answer (a group that is gone) is left for the real call to report per item.
 */
export async function checkPermissions(client: EC2Client, items: readonly ApplyItem[]): Promise<Denial[]> {
  const denials: Denial[] = [];
  const dryRun = async (item: ApplyItem, tags: boolean): Promise<'allowed' | 'denied' | 'other'> => {
    try {
      await send(client, item, { dryRun: true, tags });
      return 'allowed';
    } catch (err) {
      const code = codeOf(err);
      if (code === 'DryRunOperation') return 'allowed';
      if (code === 'UnauthorizedOperation') return 'denied';
      const failure = awsFailure(err, { action: actionOf(item) });
      if (failure.failure === 'access-denied') return 'denied';
      if (failure.failure !== 'api') throw failure;
      return 'other';
    }
  };
  for (const item of items) {
    const tags = item.kind === 'sg-rule';
    if ((await dryRun(item, tags)) !== 'denied') continue;
    const action = actionOf(item);
    const tagsOnly = tags && (await dryRun(item, false)) === 'allowed';
    const actions = tagsOnly ? ['ec2:CreateTags'] : tags ? [action, 'ec2:CreateTags'] : [action];
    denials.push({
      item,
      actions,
      message: tagsOnly
        ? `${item.id}: allowed to add the rule but not to tag it on creation (ec2:CreateTags on security-group-rule)`
        : `${item.id}: not allowed to call ${action}${tags ? ' (tagging the new rule also needs ec2:CreateTags)' : ''}`,
    });
  }
  return denials;
}

function sameEntry(found: NetworkAclEntry, planned: PlannedNaclEntry): boolean {
  const e = planned.entry;
  return (
    found.RuleAction === 'allow' &&
    found.Protocol === planned.protocolNumber &&
    (planned.ipv6 ? found.Ipv6CidrBlock : found.CidrBlock) === e.cidr &&
    found.PortRange?.From === e.fromPort &&
    found.PortRange?.To === e.toPort
  );
}

/** A taken NACL rule number is "already present" only when the entry there is this very entry. */
async function existingEntry(client: EC2Client, planned: PlannedNaclEntry): Promise<Outcome> {
  const e = planned.entry;
  try {
    const answer = await client.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [e.naclId] }));
    const found = answer.NetworkAcls?.[0]?.Entries?.find(
      (x) => x.RuleNumber === e.ruleNumber && x.Egress === e.egress,
    );
    if (found && sameEntry(found, planned)) return { status: 'already-present' };
    return {
      status: 'failed',
      code: 'NetworkAclEntryAlreadyExists',
      message: `rule number ${e.ruleNumber} in ${e.naclId} holds a different entry; nothing was replaced — run the analysis again to pick a free number`,
    };
  } catch (err) {
    return {
      status: 'failed',
      code: codeOf(err),
      message: `could not check the existing entry: ${messageOf(err)}`,
    };
  }
}

async function applyOne(client: EC2Client, item: ApplyItem): Promise<Outcome> {
  // The edge checks again whatever its caller passes: an item wider than its flows is never sent.
  const refusal = item.kind === 'sg-rule' ? ruleRefusal(item.planned) : naclRefusal(item.planned);
  if (refusal) return { status: 'failed', code: 'RefusedAsTooWide', message: refusal };
  try {
    const answer = (await send(client, item, { dryRun: false, tags: item.kind === 'sg-rule' })) as {
      SecurityGroupRules?: { SecurityGroupRuleId?: string }[];
      Return?: boolean;
    };
    if (answer.Return === false)
      return { status: 'failed', code: 'ReturnFalse', message: 'EC2 answered Return=false' };
    return {
      status: 'added',
      ruleIds: (answer.SecurityGroupRules ?? []).flatMap((r) =>
        r.SecurityGroupRuleId ? [r.SecurityGroupRuleId] : [],
      ),
    };
  } catch (err) {
    const code = codeOf(err);
    if (item.kind === 'sg-rule' && code === 'InvalidPermission.Duplicate')
      return { status: 'already-present' };
    if (item.kind === 'nacl-entry' && code === 'NetworkAclEntryAlreadyExists')
      return existingEntry(client, item.planned);
    return { status: 'failed', code, message: messageOf(err) };
  }
}

/**
 * Sends each item in turn; one failure does not stop the rest. `onResult` runs after each item
 * (the CLI rewrites the revoke script there, so it is current even if the run is cut short).
 */
export async function applyItems(
  client: EC2Client,
  items: readonly ApplyItem[],
  onResult: (result: ItemResult) => void = () => {},
): Promise<ItemResult[]> {
  const results: ItemResult[] = [];
  for (const item of items) {
    const result = { item, outcome: await applyOne(client, item) };
    results.push(result);
    onResult(result);
  }
  return results;
}
