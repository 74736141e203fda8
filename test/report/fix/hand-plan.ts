/**
 * A fix plan written out by hand (no analysis behind it), so that every emitter's text can be
 * written out in full in the tests: two flows it fixes and one it does not, an ingress rule to a
 * peer group, an egress rule to an IPv4 block, an inbound NACL entry and its outbound return entry,
 * and one NetworkPolicy. Variants (IPv6 peers, EFA's all-traffic rule, quota warnings) are made
 * from these in the tests.
 */
import type { FlowEnd, FlowResult } from '../../../src/analyze/types.ts';
import type {
  FixPlan,
  PlannedNaclEntry,
  PlannedPolicy,
  PlannedRule,
} from '../../../src/questions/fix/plan.ts';

function end(nodeGroup: string, securityGroups: string[], kind: FlowEnd['kind'], count: number): FlowEnd {
  return { nodeGroup, securityGroups, kind, count, members: [], placement: [] };
}

function flow(id: string, title: string, requirement: FlowResult['requirement'], port: number): FlowResult {
  return {
    id,
    requirement,
    title,
    level: 'required',
    protocol: 'tcp',
    port,
    ports: { from: port, to: port },
    source: end('gpu-a', ['sg-gpu'], 'nodes', 1),
    destination: end('system', ['sg-sys'], 'pods', id === 'flow-nats' ? 2 : 1),
    status: 'blocked',
    reason: '',
    steps: [],
    fixedBy: [],
  };
}

/** `NATS event plane tcp/4222: gpu-a (1 node) [gpu] -> system (2 pods) [system], blocked` */
export const NATS_FLOW = flow('flow-nats', 'NATS event plane', 'nats', 4222);
/** `etcd client tcp/2379: gpu-a (1 node) [gpu] -> system (1 pod) [system], blocked` */
export const ETCD_FLOW = flow('flow-etcd', 'etcd client', 'etcd', 2379);
/** `Prometheus scrape tcp/9400: monitoring (1 pod) [no SGs] -> gpu-a (1 node) [gpu], blocked` */
export const SCRAPE_FLOW: FlowResult = {
  ...flow('flow-scrape', 'Prometheus scrape', 'prometheus', 9400),
  source: end('monitoring', [], 'pods', 1),
  destination: end('gpu-a', ['sg-gpu'], 'nodes', 1),
};

const tags = (requirement: string) => [
  { Key: 'created-by', Value: 'dynamo-netcheck' },
  { Key: 'dynamo-netcheck:requirements', Value: requirement },
  { Key: 'dynamo-netcheck:cluster', Value: 'gpu-prod' },
];

export const NATS_RULE: PlannedRule = {
  rule: {
    id: 'sgr-1',
    direction: 'ingress',
    groupId: 'sg-sys',
    protocol: 'tcp',
    fromPort: 4222,
    toPort: 4222,
    sourceGroupId: 'sg-gpu',
    description: 'NATS from gpu-a',
    requirements: ['nats'],
    unblocks: ['flow-nats'],
    command: '',
  },
  peer: { kind: 'group', groupId: 'sg-gpu' },
  description: 'NATS from gpu-a',
  tags: tags('nats'),
  permission: {
    IpProtocol: 'tcp',
    FromPort: 4222,
    ToPort: 4222,
    UserIdGroupPairs: [{ GroupId: 'sg-gpu', Description: 'NATS from gpu-a' }],
  },
  flows: [NATS_FLOW],
};

export const ETCD_RULE: PlannedRule = {
  rule: {
    id: 'sgr-2',
    direction: 'egress',
    groupId: 'sg-gpu',
    protocol: 'tcp',
    fromPort: 2379,
    toPort: 2380,
    cidr: '10.0.16.0/20',
    description: 'etcd to system subnet',
    requirements: ['etcd'],
    unblocks: ['flow-etcd'],
    command: '',
  },
  peer: { kind: 'cidr-ipv4', cidr: '10.0.16.0/20' },
  description: 'etcd to system subnet',
  tags: tags('etcd'),
  permission: {
    IpProtocol: 'tcp',
    FromPort: 2379,
    ToPort: 2380,
    IpRanges: [{ CidrIp: '10.0.16.0/20', Description: 'etcd to system subnet' }],
  },
  flows: [ETCD_FLOW],
};

export const NACL_IN: PlannedNaclEntry = {
  entry: {
    id: 'nacl-1',
    naclId: 'acl-sys',
    subnetId: 'subnet-sys',
    egress: false,
    ruleNumber: 99,
    protocol: 'tcp',
    fromPort: 4222,
    toPort: 4222,
    cidr: '10.0.32.0/20',
    description: 'NATS into the system subnet',
    requirements: ['nats'],
    unblocks: ['flow-nats'],
    command: '',
  },
  protocolNumber: '6',
  ipv6: false,
  flows: [NATS_FLOW],
};

export const NACL_OUT: PlannedNaclEntry = {
  entry: {
    ...NACL_IN.entry,
    id: 'nacl-2',
    egress: true,
    ruleNumber: 98,
    fromPort: 1024,
    toPort: 65535,
    description: 'NATS replies to the gpu subnet',
  },
  protocolNumber: '6',
  ipv6: false,
  flows: [NATS_FLOW],
};

export const NATS_POLICY: PlannedPolicy = {
  policy: {
    id: 'np-1',
    namespace: 'dynamo',
    name: 'allow-nats',
    direction: 'ingress',
    description: 'NATS from gpu pods',
    manifest: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-nats', namespace: 'dynamo' },
      spec: {
        podSelector: { matchLabels: { app: 'nats' } },
        policyTypes: ['Ingress'],
        ingress: [{ ports: [{ protocol: 'TCP', port: 4222 }] }],
      },
    },
    requirements: ['nats'],
    unblocks: ['flow-nats'],
    command: '',
  },
  flows: [NATS_FLOW],
};

/** The manifest above as YAML (block style, sequences indented under their key). */
export const NATS_POLICY_YAML = [
  'apiVersion: networking.k8s.io/v1',
  'kind: NetworkPolicy',
  'metadata:',
  '  name: allow-nats',
  '  namespace: dynamo',
  'spec:',
  '  podSelector:',
  '    matchLabels:',
  '      app: nats',
  '  policyTypes:',
  '    - Ingress',
  '  ingress:',
  '    - ports:',
  '        - protocol: TCP',
  '          port: 4222',
];

/** Everything: two rules, two NACL entries, one policy, one flow left unfixed. */
export const FULL: FixPlan = {
  tool: { name: 'dynamo-netcheck', version: '9.9.9' },
  cluster: { name: 'gpu-prod', vpcId: 'vpc-0abc', accountId: '111122223333' },
  dynamo: { version: '1.2.0', source: 'flag' },
  verdict: 'fail',
  summary: { blocked: 3, allowed: 5, unknown: 0 },
  securityGroupNames: { 'sg-sys': 'system', 'sg-gpu': 'gpu' },
  rules: [NATS_RULE, ETCD_RULE],
  naclEntries: [NACL_IN, NACL_OUT],
  policies: [NATS_POLICY],
  notFixed: [SCRAPE_FLOW],
};

/** Nothing to fix, no cluster name, account or VPC. */
export const EMPTY: FixPlan = {
  ...FULL,
  cluster: {},
  verdict: 'pass',
  summary: { blocked: 0, allowed: 8, unknown: 0 },
  rules: [],
  naclEntries: [],
  policies: [],
  notFixed: [],
};

/** The header lines every emitter opens FULL with (plan.ts's headerLines), written out. */
export const FULL_HEADER = [
  'Remediation by dynamo-netcheck 9.9.9 for EKS cluster gpu-prod (account 111122223333, vpc-0abc).',
  'Dynamo 1.2.0 (flag). Verdict before: FAIL (3 blocked, 5 allowed, 0 unknown flows).',
  '2 security-group rules, 2 network ACL entries, 1 NetworkPolicy: each exactly as wide as the flows it unblocks.',
];
export const EMPTY_HEADER = [
  'Remediation by dynamo-netcheck 9.9.9.',
  'Dynamo 1.2.0 (flag). Verdict before: PASS (0 blocked, 8 allowed, 0 unknown flows).',
  '0 security-group rules, 0 network ACL entries, 0 NetworkPolicies: each exactly as wide as the flows it unblocks.',
];
export const NOT_FIXED = [
  'NOT FIXED HERE (1 flow; see `dynamo-netcheck analyze` for why):',
  '  - Prometheus scrape tcp/9400: monitoring (1 pod) [no SGs] -> gpu-a (1 node) [gpu], blocked',
];
export const NATS_UNBLOCKS = [
  'Unblocks:',
  '  - NATS event plane tcp/4222: gpu-a (1 node) [gpu] -> system (2 pods) [system], blocked',
];
export const ETCD_UNBLOCKS = [
  'Unblocks:',
  '  - etcd client tcp/2379: gpu-a (1 node) [gpu] -> system (1 pod) [system], blocked',
];

/** `# ` before each line, as bash, HCL and YAML comments. */
export const hashed = (lines: readonly string[]): string[] => lines.map((l) => `# ${l}`);
