/**
 * The fix as one JSON object, for scripts and pipelines: every item with its EC2 request
 * (`ipPermissions` / NACL entry fields), its tags, the aws-cli command and the flows it unblocks.
 */
import { naclArgs, oneLine, ruleArgs } from './aws-cli.ts';
import type { FixPlan } from '../../questions/fix/plan.ts';

const flowRef = (f: FixPlan['rules'][number]['flows'][number]) => ({
  id: f.id,
  requirement: f.requirement,
  protocol: f.protocol,
  port: f.port,
  source: f.source.nodeGroup,
  destination: f.destination.nodeGroup,
  status: f.status,
});

export function emitJson(plan: FixPlan): string {
  const out = {
    tool: plan.tool,
    cluster: plan.cluster,
    dynamo: plan.dynamo,
    verdict: plan.verdict,
    summary: plan.summary,
    securityGroupRules: plan.rules.map((p) => ({
      ...p.rule,
      description: p.description,
      tags: p.tags,
      ipPermissions: [p.permission],
      command: oneLine(ruleArgs(p)),
      unblocks: p.flows.map(flowRef),
    })),
    networkAclEntries: plan.naclEntries.map((p) => ({
      ...p.entry,
      protocolNumber: p.protocolNumber,
      command: oneLine(naclArgs(p)),
      unblocks: p.flows.map(flowRef),
    })),
    networkPolicies: plan.policies.map((p) => ({ ...p.policy, unblocks: p.flows.map(flowRef) })),
    notFixed: plan.notFixed.map(flowRef),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
