/**
 * The fix as a CloudFormation template (YAML): `AWS::EC2::SecurityGroupIngress` /
 * `SecurityGroupEgress` per rule and `AWS::EC2::NetworkAclEntry` per NACL entry. These resource
 * types take no Tags, so each carries its description and a `Metadata` block naming the flows it
 * unblocks; deleting the stack removes exactly these rules.
 */
import YAML, { isScalar, type Pair, type YAMLMap } from 'yaml';
import { safeYamlText } from '../../base/yaml.ts';
import {
  commentText,
  count,
  headerLines,
  naclLine,
  notFixedLines,
  peerText,
  ruleLine,
  type FixPlan,
  type PlannedNaclEntry,
  type PlannedRule,
  naclNameParts,
  ruleNameParts,
  uniqueNamer,
  unblocksLines,
} from '../../questions/fix/plan.ts';

interface Resource {
  readonly logicalId: string;
  readonly comments: string[];
  readonly body: Record<string, unknown>;
}

/** A logical id: ASCII letters and digits only (CloudFormation's rule), PascalCase for reading. */
function logicalId(parts: readonly (string | number)[]): string {
  return parts
    .flatMap((p) => String(p).split(/[^A-Za-z0-9]+/))
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('')
    .replace(/^(?![A-Za-z])/, 'Rule')
    .slice(0, 250);
}

const PEER_PROPERTY = {
  ingress: { group: 'SourceSecurityGroupId', 'cidr-ipv4': 'CidrIp', 'cidr-ipv6': 'CidrIpv6' },
  egress: { group: 'DestinationSecurityGroupId', 'cidr-ipv4': 'CidrIp', 'cidr-ipv6': 'CidrIpv6' },
} as const;

function ruleResource(plan: FixPlan, planned: PlannedRule, unique: (id: string) => string): Resource {
  const { rule, peer } = planned;
  return {
    logicalId: unique(logicalId(ruleNameParts(planned))),
    comments: [
      `${rule.id}: ${ruleLine(plan, planned)}`,
      ...unblocksLines(plan, planned.flows),
      ...(rule.quotaWarning ? [`WARNING: ${rule.quotaWarning}`] : []),
      ...(rule.documented ?? []).map((d) => `Narrowest range that works; ${d}.`),
    ],
    body: {
      Type: rule.direction === 'ingress' ? 'AWS::EC2::SecurityGroupIngress' : 'AWS::EC2::SecurityGroupEgress',
      Metadata: {
        'dynamo-netcheck': {
          id: rule.id,
          requirements: rule.requirements,
          unblocks: planned.flows.map((f) => f.id),
        },
      },
      Properties: {
        GroupId: rule.groupId,
        IpProtocol: rule.protocol,
        // All traffic (-1, EFA's self-referencing rule) takes no ports.
        ...(rule.protocol === '-1' ? {} : { FromPort: rule.fromPort, ToPort: rule.toPort }),
        [PEER_PROPERTY[rule.direction][peer.kind]]: peerText(peer),
        Description: planned.description,
      },
    },
  };
}

function naclResource(plan: FixPlan, planned: PlannedNaclEntry, unique: (id: string) => string): Resource {
  const e = planned.entry;
  return {
    logicalId: unique(logicalId(naclNameParts(planned))),
    comments: [
      `${e.id}: ${e.description}`,
      `The ${naclLine(planned)}.`,
      ...unblocksLines(plan, planned.flows),
    ],
    body: {
      Type: 'AWS::EC2::NetworkAclEntry',
      Metadata: {
        'dynamo-netcheck': {
          id: e.id,
          requirements: e.requirements,
          unblocks: planned.flows.map((f) => f.id),
        },
      },
      Properties: {
        NetworkAclId: e.naclId,
        RuleNumber: e.ruleNumber,
        Protocol: Number(planned.protocolNumber),
        RuleAction: 'allow',
        Egress: e.egress,
        [planned.ipv6 ? 'Ipv6CidrBlock' : 'CidrBlock']: e.cidr,
        PortRange: { From: e.fromPort, To: e.toPort },
      },
    },
  };
}

/** YAML comment text: one ` text` line per comment line (the library adds the `#`). */
const yamlComment = (lines: readonly string[]): string => lines.map((l) => ` ${commentText(l)}`).join('\n');

export function emitCloudFormation(plan: FixPlan): string {
  const unique = uniqueNamer('');
  const resources = [
    ...plan.rules.map((r) => ruleResource(plan, r, unique)),
    ...plan.naclEntries.map((e) => naclResource(plan, e, unique)),
  ];
  const empty = resources.length === 0;
  // A template needs at least one resource: an empty fix is a stack with a no-op handle.
  const entries: Resource[] = empty
    ? [
        {
          logicalId: 'NothingToFix',
          comments: ['Nothing to fix in security groups or network ACLs: this handle does nothing.'],
          body: { Type: 'AWS::CloudFormation::WaitConditionHandle' },
        },
      ]
    : resources;
  const doc = new YAML.Document(
    {
      AWSTemplateFormatVersion: '2010-09-09',
      Description: `dynamo-netcheck remediation${plan.cluster.name ? ` for EKS cluster ${plan.cluster.name}` : ''}: ${count(plan.rules.length, 'security-group rule')}, ${count(plan.naclEntries.length, 'network ACL entry', 'network ACL entries')}`,
      Resources: Object.fromEntries(entries.map((r) => [r.logicalId, r.body])),
    },
    // CloudFormation's YAML takes no aliases (User Guide, "Template formats"): a list two items share is written twice.
    { aliasDuplicateObjects: false },
  );
  doc.commentBefore = yamlComment([
    ...headerLines(plan),
    'These resource types take no Tags: each rule carries its description, and Metadata names the flows.',
    ...(plan.policies.length > 0
      ? [
          `${count(plan.policies.length, 'NetworkPolicy', 'NetworkPolicies')} also needed: they are Kubernetes objects; \`dynamo-netcheck fix -o kubernetes\` writes them for kubectl apply.`,
        ]
      : []),
    ...notFixedLines(plan),
  ]);
  // Quoted, as AWS writes it: a YAML 1.1 reader would take the bare value for a date.
  const version = doc.get('AWSTemplateFormatVersion', true);
  if (isScalar(version)) version.type = 'QUOTE_DOUBLE';
  const resourceMap = doc.get('Resources', true) as YAMLMap;
  for (const [i, item] of (resourceMap.items as Pair[]).entries()) {
    if (isScalar(item.key)) item.key.commentBefore = yamlComment(entries[i]!.comments);
  }
  return safeYamlText(doc, { lineWidth: 0 });
}
