/**
 * The shape of `analyze -o json`, as a schema users can validate against. docs/schema/
 * analyze.schema.json is generated from it (`npm run schema`), and a test holds the file equal to
 * this and every example's output valid against the file.
 */
import { z } from 'zod';
import { SCHEMA_VERSION } from './analyze.ts';

const status = z.enum(['allowed', 'blocked', 'unknown']);
const portRange = z.object({ from: z.number().int(), to: z.number().int() });
const origin = z
  .object({ file: z.string(), path: z.string() })
  .describe('The input file and JSON path a fact came from');

const fact = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('sg-rule'),
    ruleId: z.string(),
    groupId: z.string(),
    direction: z.enum(['ingress', 'egress']),
    text: z.string(),
    origin,
  }),
  z.object({
    kind: z.literal('nacl-entry'),
    naclId: z.string(),
    ruleNumber: z.union([z.number().int(), z.literal('*')]),
    direction: z.enum(['inbound', 'outbound']),
    action: z.enum(['allow', 'deny']),
    text: z.string(),
    origin: origin.optional(),
  }),
  z.object({
    kind: z.literal('unmatchable-reference'),
    ruleId: z.string(),
    groupId: z.string(),
    text: z.string(),
  }),
  z.object({
    kind: z.literal('network-policy'),
    namespace: z.string().describe("The policy's namespace; '' for a cluster-wide policy"),
    name: z.string(),
    direction: z.enum(['ingress', 'egress']),
    ruleIndex: z.number().int().optional(),
    policyKind: z
      .string()
      .optional()
      .describe(
        'Absent for a Kubernetes NetworkPolicy; else Calico NetworkPolicy, Calico GlobalNetworkPolicy, CiliumNetworkPolicy, …',
      ),
    action: z
      .enum(['Allow', 'Deny', 'Pass'])
      .optional()
      .describe('The action of the Calico rule that decided'),
    order: z.number().optional().describe("That Calico policy's order"),
    text: z.string(),
    origin,
  }),
  z.object({ kind: z.literal('missing'), text: z.string(), signature: z.string().optional() }),
]);

const step = z.object({
  kind: z
    .string()
    .describe('resolve-source, same-node, sg-egress, nacl-source-outbound, sg-ingress, policy-ingress, …'),
  status: z.enum(['allowed', 'blocked', 'unknown', 'skipped']),
  at: z.string(),
  summary: z.string(),
  facts: z.array(fact),
  deniedPorts: z.array(portRange).optional(),
});

const flowEnd = z.object({
  nodeGroup: z.string(),
  securityGroups: z.array(z.string()),
  subnetId: z.string().optional(),
  kind: z
    .enum(['pods', 'nodes', 'control-plane', 'kubelet'])
    .describe(
      "'pods' = running pods; 'nodes' = pods that could be scheduled there; 'control-plane' = the EKS control plane's ENIs in the named subnets; 'kubelet' = the kubelets of the named nodes, from their primary ENIs",
    ),
  count: z.number().int(),
  members: z.array(z.string()),
  placement: z
    .array(z.string())
    .describe('How the ENI that carries the first member, its SGs and subnet were found (its attachment)'),
  taints: z.array(z.string()).optional(),
});

const level = z
  .enum(['required', 'recommended'])
  .describe(
    'required: breaks the install or an AICR validator; recommended: only metrics or autoscaling, counted in the verdict only with --strict',
  );

const counts = z.object({ allowed: z.number().int(), blocked: z.number().int(), unknown: z.number().int() });

const flow = z.object({
  id: z.string(),
  requirement: z.string(),
  title: z.string(),
  level,
  protocol: z.enum(['tcp', 'udp', 'efa']).describe('efa: SRD between EFA interfaces (no ports)'),
  port: z.union([z.number().int(), z.string()]).describe('The port, or from-to for a range'),
  ports: portRange,
  source: flowEnd,
  destination: flowEnd,
  status,
  reason: z.string(),
  steps: z.array(step),
  coLocationMasks: z.string().optional(),
  coLocationSteps: z.array(step).optional(),
  fixedBy: z.array(z.string()).describe('Ids of the remediation items that unblock this flow'),
});

const fixCommon = {
  id: z.string(),
  description: z.string(),
  requirements: z.array(z.string()),
  unblocks: z.array(z.string()),
  command: z.string(),
};

const sgRule = z.object({
  ...fixCommon,
  direction: z.enum(['ingress', 'egress']),
  groupId: z.string(),
  protocol: z.enum(['tcp', 'udp', '-1']).describe('-1 (all traffic) only for EFA self-referencing rules'),
  fromPort: z.number().int(),
  toPort: z.number().int(),
  sourceGroupId: z.string().optional(),
  destinationGroupId: z.string().optional(),
  cidr: z.string().optional(),
  quotaWarning: z.string().optional(),
  documented: z
    .array(z.string())
    .optional()
    .describe('Where a documentation page names a wider range than this rule, the narrowest that works'),
});

const naclEntry = z.object({
  ...fixCommon,
  naclId: z.string(),
  subnetId: z.string(),
  egress: z.boolean(),
  ruleNumber: z.number().int(),
  protocol: z.enum(['tcp', 'udp']),
  fromPort: z.number().int(),
  toPort: z.number().int(),
  cidr: z.string(),
});

const policy = z.object({
  ...fixCommon,
  namespace: z.string(),
  name: z.string(),
  direction: z.enum(['ingress', 'egress']),
  manifest: z.record(z.string(), z.unknown()),
});

const requirement = z.object({
  id: z.string(),
  title: z.string(),
  level,
  protocol: z.enum(['tcp', 'udp', 'efa']),
  ports: portRange,
  from: z.string(),
  to: z.record(z.string(), z.unknown()),
  why: z.string(),
  symptom: z.string(),
  source: z.string(),
  documented: z
    .string()
    .optional()
    .describe('Where a documentation page names another port or range than the one required'),
  decidedBy: z.array(z.string()),
});

export const analyzeOutputSchema = z
  .object({
    schemaVersion: z.literal(SCHEMA_VERSION),
    tool: z.object({ name: z.literal('dynamo-netcheck'), version: z.string() }),
    cluster: z.object({
      name: z.string().optional(),
      vpcId: z.string().optional(),
      accountId: z.string().optional(),
    }),
    dynamo: z.object({ version: z.string(), source: z.string() }),
    verdict: z.enum(['pass', 'fail', 'unknown']),
    strict: z.boolean().describe('Whether recommended flows count in the verdict and get fixes (--strict)'),
    summary: counts
      .extend({
        recommended: counts
          .optional()
          .describe(
            'Recommended flow classes the verdict does not count (absent with --strict or when there are none)',
          ),
      })
      .describe('The flow classes the verdict counts'),
    requirements: z.array(requirement),
    notApplicable: z.array(
      z.object({ id: z.string(), title: z.string(), level, because: z.string(), source: z.string() }),
    ),
    skipped: z.array(z.object({ requirement: z.string(), title: z.string(), level, why: z.string() })),
    flows: z.array(flow),
    securityGroupNames: z.record(z.string(), z.string()),
    remediation: z.array(sgRule).describe('Security-group rules to add'),
    naclRemediation: z.array(naclEntry),
    policyRemediation: z.array(policy),
    warnings: z.array(z.string()),
    notes: z.array(z.string()),
  })
  .meta({
    title: 'dynamo-netcheck analyze -o json',
    description:
      'The static verdict: every required flow × every source class, with the trace that decided it and the narrowest fix.',
  });

/** The JSON Schema (2020-12) of `analyze -o json`. */
export function analyzeJsonSchema(): Record<string, unknown> {
  return {
    $id: `urn:dynamo-netcheck:schema:analyze:${SCHEMA_VERSION}`,
    ...z.toJSONSchema(analyzeOutputSchema, { target: 'draft-2020-12' }),
  };
}
