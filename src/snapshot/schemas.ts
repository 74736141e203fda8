/**
 * Schemas of the raw inputs, in the exact shapes `aws … --output json` and `kubectl get -o json|yaml`
 * print. Unknown fields are allowed, never rejected; only the fields the analysis reads are checked,
 * and values it depends on (CIDRs, ports) are validated here so that bad input fails at load time
 * with a path, not later with a wrong verdict. The loader keeps the input document itself: zod's
 * output drops unknown fields, and copying every field of 200k pods doubled the loader's garbage.
 */
import { z } from 'zod';
import { isAddress, isCidr, isIpv4Cidr, isIpv6Cidr } from '../base/ip.ts';
import { parseCalicoSelector } from './calico-selector.ts';

const cidr = z.string().refine(isCidr, { message: 'expected a CIDR block like 10.0.0.0/16' });
/** Fields EC2 keeps per family: an IPv6 block in an IPv4 field (or the reverse) is not read as either. */
const cidr4 = z.string().refine(isIpv4Cidr, { message: 'expected an IPv4 CIDR block like 10.0.0.0/16' });
const cidr6 = z.string().refine(isIpv6Cidr, { message: 'expected an IPv6 CIDR block like 2600:1f14::/56' });
const address = z.string().refine(isAddress, { message: 'expected an IP address' });
const port = z.number().int().min(-1).max(65535);
/** `-1`/`all`, a protocol name, or an IP protocol number, as EC2 accepts them. */
export const IP_PROTOCOL = /^(-1|all|tcp|udp|icmp|icmpv6|\d{1,3})$/i;
const ipProtocol = z
  .string()
  .regex(IP_PROTOCOL, 'expected "-1", "tcp", "udp", "icmp", "icmpv6" or a protocol number')
  .refine((p) => !/^\d+$/.test(p) || Number(p) <= 255, {
    message: 'expected a protocol number from 0 to 255',
  });

/** The protocols whose rules carry a port range (the rest: none, or ICMP type and code). */
export const PORTED = new Set(['tcp', 'udp', '6', '17']);

/**
 * A TCP or UDP rule covers the ports from FromPort to ToPort: EC2 requires both, from 0 to 65535,
 * and never writes a range that runs backwards. A rule missing one end is not "every port"; it is
 * input this tool cannot read, so it is an error at its path (other protocols carry no ports, or
 * ICMP type and code).
 */
function checkPortRange(
  protocol: string,
  from: number | undefined,
  to: number | undefined,
  ctx: z.RefinementCtx,
  keys: readonly [PropertyKey[], PropertyKey[]],
): void {
  if (!PORTED.has(protocol.toLowerCase())) return;
  if (from === undefined || to === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: from === undefined ? keys[0] : keys[1],
      message: `a ${protocol} rule needs both ends of its port range (from 0 to 65535); this one lacks ${from === undefined ? 'its start' : 'its end'}`,
    });
    return;
  }
  if (from < 0 || to < 0) {
    ctx.addIssue({
      code: 'custom',
      path: from < 0 ? keys[0] : keys[1],
      message: `a ${protocol} port is from 0 to 65535, not ${Math.min(from, to)}`,
    });
    return;
  }
  if (from > to)
    ctx.addIssue({
      code: 'custom',
      path: keys[0],
      message: `the port range runs backwards: from ${from} to ${to}`,
    });
}
const tag = z.object({ Key: z.string(), Value: z.string().optional() });

/**
 * An EC2 resource id: its type's prefix, a hyphen, then lowercase letters and digits (AWS writes
 * 8 or 17 hex digits; fakes and tests use readable names in the same alphabet). These ids reach
 * the fix commands, Terraform and CloudFormation the tool writes: anything else (quotes, `$(…)`,
 * spaces, brackets that would extend an aws-cli shorthand) is an input error at load.
 */
export const AWS_ID_PREFIXES = ['sg', 'acl', 'pl', 'subnet', 'eni', 'vpc', 'i'] as const;
export type AwsIdPrefix = (typeof AWS_ID_PREFIXES)[number];
export const awsIdPattern = (prefix: AwsIdPrefix): RegExp =>
  new RegExp(`^${prefix}-[0-9a-z]+(?:-[0-9a-z]+)*$`);
const awsId = (prefix: AwsIdPrefix) =>
  z
    .string()
    .regex(
      awsIdPattern(prefix),
      `expected an id of the form ${prefix}-… (lowercase letters and digits, like ${prefix}-0123456789abcdef0)`,
    );
const sgId = awsId('sg');
const vpcId = awsId('vpc');
const subnetId = awsId('subnet');
const plId = awsId('pl');

// ─── EC2 ────────────────────────────────────────────────────────────────────────────────────────

export const IpPermission = z
  .object({
    IpProtocol: ipProtocol,
    FromPort: port.optional(),
    ToPort: port.optional(),
    IpRanges: z.array(z.object({ CidrIp: cidr4, Description: z.string().optional() })).optional(),
    Ipv6Ranges: z.array(z.object({ CidrIpv6: cidr6, Description: z.string().optional() })).optional(),
    PrefixListIds: z.array(z.object({ PrefixListId: plId, Description: z.string().optional() })).optional(),
    UserIdGroupPairs: z
      .array(
        z.object({
          GroupId: sgId.optional(),
          GroupName: z.string().optional(),
          UserId: z.string().optional(),
          VpcId: vpcId.optional(),
          PeeringStatus: z.string().optional(),
          Description: z.string().optional(),
        }),
      )
      .optional(),
  })
  .superRefine((p, ctx) =>
    checkPortRange(p.IpProtocol, p.FromPort, p.ToPort, ctx, [['FromPort'], ['ToPort']]),
  );
export type IpPermission = z.infer<typeof IpPermission>;

export const SecurityGroup = z.object({
  GroupId: sgId,
  GroupName: z.string().optional(),
  Description: z.string().optional(),
  VpcId: vpcId.optional(),
  OwnerId: z.string().optional(),
  IpPermissions: z.array(IpPermission).optional(),
  IpPermissionsEgress: z.array(IpPermission).optional(),
  Tags: z.array(tag).optional(),
});
export type SecurityGroup = z.infer<typeof SecurityGroup>;

export const SecurityGroupRule = z
  .object({
    SecurityGroupRuleId: z.string().optional(),
    GroupId: sgId,
    GroupOwnerId: z.string().optional(),
    IsEgress: z.boolean(),
    IpProtocol: ipProtocol,
    FromPort: port.optional(),
    ToPort: port.optional(),
    CidrIpv4: cidr4.optional(),
    CidrIpv6: cidr6.optional(),
    PrefixListId: plId.optional(),
    ReferencedGroupInfo: z
      .object({
        GroupId: sgId.optional(),
        UserId: z.string().optional(),
        VpcId: vpcId.optional(),
      })
      .optional(),
    Description: z.string().optional(),
  })
  .superRefine((r, ctx) =>
    checkPortRange(r.IpProtocol, r.FromPort, r.ToPort, ctx, [['FromPort'], ['ToPort']]),
  );
export type SecurityGroupRule = z.infer<typeof SecurityGroupRule>;

const groupIdentifier = z.object({ GroupId: sgId, GroupName: z.string().optional() });

export const NetworkInterface = z.object({
  NetworkInterfaceId: awsId('eni'),
  InterfaceType: z.string().optional(),
  Description: z.string().optional(),
  SubnetId: subnetId.optional(),
  VpcId: vpcId.optional(),
  OwnerId: z.string().optional(),
  Status: z.string().optional(),
  Groups: z.array(groupIdentifier).optional(),
  PrivateIpAddress: address.optional(),
  PrivateIpAddresses: z
    .array(z.object({ PrivateIpAddress: address, Primary: z.boolean().optional() }))
    .optional(),
  Ipv4Prefixes: z.array(z.object({ Ipv4Prefix: cidr4 })).optional(),
  Ipv6Addresses: z.array(z.object({ Ipv6Address: address })).optional(),
  Ipv6Prefixes: z.array(z.object({ Ipv6Prefix: cidr6 })).optional(),
  Attachment: z
    .object({
      InstanceId: awsId('i').optional(),
      DeviceIndex: z.number().int().optional(),
      NetworkCardIndex: z.number().int().optional(),
    })
    .optional(),
  TagSet: z.array(tag).optional(),
});
export type NetworkInterface = z.infer<typeof NetworkInterface>;

export const Instance = z.object({
  InstanceId: awsId('i'),
  InstanceType: z.string().optional(),
  PrivateIpAddress: address.optional(),
  SubnetId: subnetId.optional(),
  VpcId: vpcId.optional(),
  SecurityGroups: z.array(groupIdentifier).optional(),
  Tags: z.array(tag).optional(),
  NetworkInterfaces: z.array(NetworkInterface).optional(),
});
export type Instance = z.infer<typeof Instance>;

export const Reservation = z.object({ Instances: z.array(Instance) });

const naclEntry = z
  .object({
    RuleNumber: z.number().int().min(1).max(32768),
    Protocol: z
      .string()
      .regex(/^(-1|\d{1,3})$/, 'expected a protocol number string like "6" or "-1"')
      .refine((p) => p === '-1' || Number(p) <= 255, { message: 'expected a protocol number from 0 to 255' }),
    RuleAction: z.enum(['allow', 'deny']),
    Egress: z.boolean(),
    CidrBlock: cidr4.optional(),
    Ipv6CidrBlock: cidr6.optional(),
    PortRange: z.object({ From: port.optional(), To: port.optional() }).optional(),
  })
  .superRefine((e, ctx) =>
    checkPortRange(e.Protocol, e.PortRange?.From, e.PortRange?.To, ctx, [
      ['PortRange', 'From'],
      ['PortRange', 'To'],
    ]),
  );
export type NaclEntry = z.infer<typeof naclEntry>;

export const NetworkAcl = z.object({
  NetworkAclId: awsId('acl'),
  VpcId: vpcId.optional(),
  IsDefault: z.boolean().optional(),
  Associations: z.array(z.object({ SubnetId: subnetId, NetworkAclId: awsId('acl').optional() })).optional(),
  Entries: z.array(naclEntry).optional(),
});
export type NetworkAcl = z.infer<typeof NetworkAcl>;

export const Subnet = z.object({
  SubnetId: subnetId,
  VpcId: vpcId.optional(),
  CidrBlock: cidr4.optional(),
  AvailabilityZone: z.string().optional(),
  Ipv6CidrBlockAssociationSet: z.array(z.object({ Ipv6CidrBlock: cidr6.optional() })).optional(),
  Tags: z.array(tag).optional(),
});
export type Subnet = z.infer<typeof Subnet>;

export const Vpc = z.object({
  VpcId: vpcId,
  CidrBlock: cidr4.optional(),
  CidrBlockAssociationSet: z.array(z.object({ CidrBlock: cidr4.optional() })).optional(),
  Ipv6CidrBlockAssociationSet: z.array(z.object({ Ipv6CidrBlock: cidr6.optional() })).optional(),
});
export type Vpc = z.infer<typeof Vpc>;

/** `describe-managed-prefix-lists` (no entries) or `describe-prefix-lists` (AWS service lists, with `Cidrs`). */
export const PrefixList = z.object({
  PrefixListId: plId,
  PrefixListName: z.string().optional(),
  AddressFamily: z.string().optional(),
  OwnerId: z.string().optional(),
  Cidrs: z.array(cidr).optional(),
});
export type PrefixList = z.infer<typeof PrefixList>;

export const PrefixListEntry = z.object({ Cidr: cidr, Description: z.string().optional() });
export type PrefixListEntry = z.infer<typeof PrefixListEntry>;

// ─── EKS ────────────────────────────────────────────────────────────────────────────────────────

export const EksCluster = z.object({
  name: z.string(),
  arn: z.string().optional(),
  version: z.string().optional(),
  resourcesVpcConfig: z
    .object({
      vpcId: vpcId.optional(),
      subnetIds: z.array(subnetId).optional(),
      securityGroupIds: z.array(sgId).optional(),
      clusterSecurityGroupId: sgId.optional(),
    })
    .optional(),
  /** `ipFamily` is `ipv4` or `ipv6`: an IPv6 cluster gives pods IPv6 addresses only. */
  kubernetesNetworkConfig: z.object({ ipFamily: z.string().optional() }).nullish(),
});
export type EksCluster = z.infer<typeof EksCluster>;

export const EksNodegroup = z.object({
  nodegroupName: z.string(),
  clusterName: z.string().optional(),
  instanceTypes: z.array(z.string()).nullish(),
  subnets: z.array(subnetId).optional(),
  labels: z.record(z.string(), z.string()).nullish(),
  taints: z
    .array(z.object({ key: z.string().optional(), value: z.string().optional(), effect: z.string() }))
    .nullish(),
  launchTemplate: z.object({ id: z.string().optional(), name: z.string().optional() }).nullish(),
});
export type EksNodegroup = z.infer<typeof EksNodegroup>;

// ─── Kubernetes ─────────────────────────────────────────────────────────────────────────────────

const stringMap = z.record(z.string(), z.string());
const metadata = z.object({
  name: z.string(),
  namespace: z.string().optional(),
  labels: stringMap.nullish(),
  annotations: stringMap.nullish(),
  uid: z.string().optional(),
});

const toleration = z.object({
  key: z.string().optional(),
  operator: z.string().optional(),
  value: z.string().optional(),
  effect: z.string().optional(),
  tolerationSeconds: z.number().optional(),
});
export type Toleration = z.infer<typeof toleration>;

const taint = z.object({ key: z.string(), value: z.string().optional(), effect: z.string() });
export type Taint = z.infer<typeof taint>;

export const K8sNode = z.object({
  kind: z.literal('Node'),
  metadata,
  spec: z
    .object({
      providerID: z.string().optional(),
      unschedulable: z.boolean().optional(),
      taints: z.array(taint).nullish(),
    })
    .optional(),
  status: z
    .object({
      addresses: z.array(z.object({ type: z.string(), address: z.string() })).optional(),
      conditions: z.array(z.object({ type: z.string(), status: z.string() })).optional(),
      capacity: stringMap.optional(),
      allocatable: stringMap.optional(),
    })
    .optional(),
});
export type K8sNode = z.infer<typeof K8sNode>;

const envVar = z.object({ name: z.string(), value: z.string().optional() });
export type EnvVar = z.infer<typeof envVar>;

/** A probe port: a number, or the name of one of the container's ports (IANA_SVC_NAME). */
const probePort = z.union([z.number().int(), z.string()]);

/**
 * A kubelet probe: only what says whether and where the kubelet connects (httpGet, tcpSocket and
 * grpc dial the pod's IP on the port; exec runs inside the container and opens no connection).
 */
const probe = z.object({
  exec: z.object({}).nullish(),
  httpGet: z
    .object({ port: probePort, host: z.string().optional(), scheme: z.string().optional() })
    .nullish(),
  tcpSocket: z.object({ port: probePort, host: z.string().optional() }).nullish(),
  grpc: z.object({ port: z.number().int() }).nullish(),
});
export type K8sProbe = z.infer<typeof probe>;

const container = z.object({
  name: z.string(),
  image: z.string().optional(),
  command: z.array(z.string()).nullish(),
  args: z.array(z.string()).nullish(),
  env: z.array(envVar).nullish(),
  livenessProbe: probe.nullish(),
  readinessProbe: probe.nullish(),
  startupProbe: probe.nullish(),
  ports: z
    .array(
      z.object({
        containerPort: z.number().int(),
        name: z.string().optional(),
        protocol: z.string().optional(),
      }),
    )
    .nullish(),
});

export const K8sPod = z.object({
  kind: z.literal('Pod'),
  metadata,
  spec: z.object({
    nodeName: z.string().optional(),
    hostNetwork: z.boolean().optional(),
    containers: z.array(container),
    initContainers: z.array(container).nullish(),
    tolerations: z.array(toleration).nullish(),
    nodeSelector: stringMap.nullish(),
  }),
  status: z
    .object({
      phase: z.string().optional(),
      podIP: address.optional(),
      podIPs: z.array(z.object({ ip: address })).nullish(),
      hostIP: z.string().optional(),
    })
    .optional(),
});
export type K8sPod = z.infer<typeof K8sPod>;

export const K8sService = z.object({
  kind: z.literal('Service'),
  metadata,
  spec: z
    .object({
      clusterIP: z.string().optional(),
      selector: stringMap.nullish(),
      ports: z
        .array(
          z.object({
            port: z.number().int(),
            name: z.string().optional(),
            protocol: z.string().optional(),
            targetPort: z.union([z.number().int(), z.string()]).optional(),
          }),
        )
        .nullish(),
    })
    .optional(),
});
export type K8sService = z.infer<typeof K8sService>;

const targetRef = z.object({
  kind: z.string().optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
});

export const K8sEndpointSlice = z.object({
  kind: z.literal('EndpointSlice'),
  metadata,
  addressType: z.string().optional(),
  endpoints: z
    .array(
      z.object({
        addresses: z.array(z.string()),
        nodeName: z.string().optional(),
        targetRef: targetRef.optional(),
      }),
    )
    .nullish(),
});
export type K8sEndpointSlice = z.infer<typeof K8sEndpointSlice>;

const endpointAddress = z.object({
  ip: z.string(),
  nodeName: z.string().optional(),
  targetRef: targetRef.optional(),
});
export const K8sEndpoints = z.object({
  kind: z.literal('Endpoints'),
  metadata,
  subsets: z
    .array(
      z.object({
        addresses: z.array(endpointAddress).nullish(),
        notReadyAddresses: z.array(endpointAddress).nullish(),
      }),
    )
    .nullish(),
});
export type K8sEndpoints = z.infer<typeof K8sEndpoints>;

export const K8sEniConfig = z.object({
  kind: z.literal('ENIConfig'),
  metadata,
  spec: z.object({ subnet: subnetId.optional(), securityGroups: z.array(sgId).nullish() }).optional(),
});
export type K8sEniConfig = z.infer<typeof K8sEniConfig>;

/**
 * A Dynamo graph as the user declares it (nvidia.com DynamoGraphDeployment): each service's
 * component type, replicas, env, GPU request and pod placement. Shape from ai-dynamo/dynamo
 * examples/backends/vllm/deploy/agg_router.yaml; fields the tool does not read pass unchecked.
 */
const dynamoService = z.object({
  componentType: z.string().optional(),
  /** `prefill` or `decode` on a disaggregated graph's workers (ai-dynamo/dynamo examples/backends/vllm/deploy/disagg.yaml). */
  subComponentType: z.string().optional(),
  replicas: z.number().int().min(0).nullish(),
  envs: z.array(envVar).nullish(),
  resources: z
    .object({
      requests: z.record(z.string(), z.union([z.string(), z.number()])).nullish(),
      limits: z.record(z.string(), z.union([z.string(), z.number()])).nullish(),
    })
    .nullish(),
  extraPodSpec: z
    .looseObject({
      nodeSelector: stringMap.nullish(),
      tolerations: z.array(toleration).nullish(),
      affinity: z.unknown().optional(),
      mainContainer: container.extend({ name: z.string().optional() }).nullish(),
    })
    .nullish(),
});
export type DynamoService = z.infer<typeof dynamoService>;

export const K8sDynamoGraphDeployment = z.object({
  kind: z.literal('DynamoGraphDeployment'),
  apiVersion: z.string().optional(),
  metadata,
  spec: z.object({
    envs: z.array(envVar).nullish(),
    services: z.record(z.string(), dynamoService).nullish(),
  }),
});
export type K8sDynamoGraphDeployment = z.infer<typeof K8sDynamoGraphDeployment>;

export const K8sDaemonSet = z.object({
  kind: z.literal('DaemonSet'),
  metadata,
  spec: z
    .object({
      template: z.object({
        spec: z.object({ containers: z.array(container), initContainers: z.array(container).nullish() }),
      }),
    })
    .optional(),
});
export type K8sDaemonSet = z.infer<typeof K8sDaemonSet>;

const labelSelector = z.object({
  matchLabels: stringMap.nullish(),
  matchExpressions: z
    .array(
      z.object({
        key: z.string(),
        operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: z.array(z.string()).nullish(),
      }),
    )
    .nullish(),
});
export type LabelSelector = z.infer<typeof labelSelector>;
export const LabelSelectorSchema = labelSelector;

/**
 * vpcresources.k8s.aws/v1beta1: the selectors are kept whole, since a SecurityGroupPolicy that
 * selects a pod gives it a branch ENI with the policy's groups (predicted pods included).
 */
export const K8sSecurityGroupPolicy = z.object({
  kind: z.literal('SecurityGroupPolicy'),
  metadata,
  spec: z
    .object({
      podSelector: labelSelector.nullish(),
      serviceAccountSelector: labelSelector.nullish(),
      securityGroups: z.object({ groupIds: z.array(sgId).nullish() }).nullish(),
    })
    .optional(),
});
export type K8sSecurityGroupPolicy = z.infer<typeof K8sSecurityGroupPolicy>;

const policyPeer = z.object({
  podSelector: labelSelector.nullish(),
  namespaceSelector: labelSelector.nullish(),
  ipBlock: z.object({ cidr, except: z.array(cidr).nullish() }).nullish(),
});
export type PolicyPeer = z.infer<typeof policyPeer>;

const policyPort = z.object({
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
  port: z.union([z.number().int().min(1).max(65535), z.string()]).optional(),
  endPort: z.number().int().min(1).max(65535).optional(),
});
export type PolicyPort = z.infer<typeof policyPort>;

export const K8sNetworkPolicy = z.object({
  kind: z.literal('NetworkPolicy'),
  metadata,
  spec: z.object({
    podSelector: labelSelector,
    policyTypes: z.array(z.enum(['Ingress', 'Egress'])).nullish(),
    ingress: z
      .array(z.object({ from: z.array(policyPeer).nullish(), ports: z.array(policyPort).nullish() }))
      .nullish(),
    egress: z
      .array(z.object({ to: z.array(policyPeer).nullish(), ports: z.array(policyPort).nullish() }))
      .nullish(),
  }),
});
export type K8sNetworkPolicy = z.infer<typeof K8sNetworkPolicy>;

// ─── Other policy engines: Calico and Cilium ─────────────────────────────────────────────────────

/** API groups whose policy kinds are recognised by apiVersion, not by kind alone. */
export const CALICO_GROUPS: readonly string[] = ['projectcalico.org', 'crd.projectcalico.org'];
export const CILIUM_GROUP = 'cilium.io';

/**
 * A Calico selector, parsed (never evaluated) at load time so that a malformed one fails with its
 * file and path, as `calicoctl`/the API server would refuse it.
 */
const calicoSelector = z.string().superRefine((text, ctx) => {
  const parsed = parseCalicoSelector(text);
  if (!parsed.ok)
    ctx.addIssue({
      code: 'custom',
      message: `invalid Calico selector ${JSON.stringify(text)}: ${parsed.error}`,
    });
});

/** Calico ports: a number, `"start:end"`, or a named port (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#ports). */
const calicoPort = z.union([
  z.number().int().min(0).max(65535),
  z.string().refine(
    (p) => {
      const range = /^(\d{1,5})(?::(\d{1,5}))?$/.exec(p);
      if (range)
        return Number(range[1]) <= Number(range[2] ?? range[1]) && Number(range[2] ?? range[1]) <= 65535;
      return /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,62}[a-zA-Z0-9])?$/.test(p);
    },
    { message: 'expected a port, "start:end" with start ≤ end ≤ 65535, or a port name' },
  ),
]);
export type CalicoPort = z.infer<typeof calicoPort>;

/** `TCP`, `UDP`, `ICMP`, `ICMPv6`, `SCTP`, `UDPLite` or 1–255 (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#rule). */
const calicoProtocol = z.union([
  z.number().int().min(1).max(255),
  z
    .string()
    .regex(
      /^(tcp|udp|icmp|icmpv6|sctp|udplite|\d{1,3})$/i,
      'expected TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or 1-255',
    ),
]);
export type CalicoProtocol = z.infer<typeof calicoProtocol>;

const calicoNet = z
  .string()
  .refine((n) => isCidr(n) || isAddress(n), { message: 'expected a CIDR block or an IP address' });

const calicoEntityRule = z.object({
  nets: z.array(calicoNet).nullish(),
  notNets: z.array(calicoNet).nullish(),
  selector: calicoSelector.nullish(),
  notSelector: calicoSelector.nullish(),
  namespaceSelector: calicoSelector.nullish(),
  ports: z.array(calicoPort).nullish(),
  notPorts: z.array(calicoPort).nullish(),
});
export type CalicoEntityRule = z.infer<typeof calicoEntityRule>;

const calicoRule = z.object({
  action: z.enum(['Allow', 'Deny', 'Log', 'Pass']),
  protocol: calicoProtocol.nullish(),
  notProtocol: calicoProtocol.nullish(),
  ipVersion: z.union([z.literal(4), z.literal(6)]).nullish(),
  source: calicoEntityRule.nullish(),
  destination: calicoEntityRule.nullish(),
});
export type CalicoRule = z.infer<typeof calicoRule>;

const calicoPolicySpec = z.object({
  order: z.number().nullish(),
  tier: z.string().nullish(),
  selector: calicoSelector.nullish(),
  namespaceSelector: calicoSelector.nullish(),
  serviceAccountSelector: calicoSelector.nullish(),
  types: z.array(z.enum(['Ingress', 'Egress'])).nullish(),
  ingress: z.array(calicoRule).nullish(),
  egress: z.array(calicoRule).nullish(),
  doNotTrack: z.boolean().nullish(),
  preDNAT: z.boolean().nullish(),
  applyOnForward: z.boolean().nullish(),
});

/**
 * projectcalico.org/v3 NetworkPolicy (namespaced) and GlobalNetworkPolicy, also as stored in
 * crd.projectcalico.org/v1 (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy,
 * …/globalnetworkpolicy). Fields the model does not know are kept (the input is kept whole) and
 * make the policy "outside the modelled subset".
 */
export const CalicoPolicy = z.object({
  apiVersion: z.string(),
  kind: z.enum(['NetworkPolicy', 'GlobalNetworkPolicy']),
  metadata,
  spec: calicoPolicySpec.nullish(),
});
export type CalicoPolicy = z.infer<typeof CalicoPolicy>;

/** cilium.io/v2 CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy: only what could select a pod is read. */
export const CiliumPolicy = z.object({
  apiVersion: z.string(),
  kind: z.enum(['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy']),
  metadata,
  spec: z.record(z.string(), z.unknown()).nullish(),
  specs: z.array(z.record(z.string(), z.unknown())).nullish(),
});
export type CiliumPolicy = z.infer<typeof CiliumPolicy>;

/** A webhook's or APIService's target Service: the API server calls its pods (admissionregistration.k8s.io/v1). */
const serviceReference = z.object({
  namespace: z.string(),
  name: z.string(),
  path: z.string().nullish(),
  /** Service port; 443 when unset (the API's default). */
  port: z.number().int().min(1).max(65535).nullish(),
});

/**
 * admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration and MutatingWebhookConfiguration:
 * only what says who the API server calls (a Service or a URL), whether a failed call is fatal,
 * and which objects trigger it.
 */
export const K8sWebhookConfiguration = z.object({
  kind: z.enum(['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']),
  metadata,
  webhooks: z
    .array(
      z.object({
        name: z.string(),
        clientConfig: z.object({ service: serviceReference.nullish(), url: z.string().nullish() }),
        failurePolicy: z.string().nullish(),
        rules: z
          .array(
            z.object({
              apiGroups: z.array(z.string()).nullish(),
              resources: z.array(z.string()).nullish(),
              operations: z.array(z.string()).nullish(),
            }),
          )
          .nullish(),
      }),
    )
    .nullish(),
});
export type K8sWebhookConfiguration = z.infer<typeof K8sWebhookConfiguration>;

/** apiregistration.k8s.io/v1 APIService: an aggregated API the API server proxies to a Service (none = served locally). */
export const K8sApiService = z.object({
  kind: z.literal('APIService'),
  metadata,
  spec: z
    .object({
      group: z.string().nullish(),
      version: z.string().nullish(),
      service: serviceReference.omit({ path: true }).nullish(),
    })
    .nullish(),
  status: z
    .object({
      conditions: z
        .array(
          z.object({
            type: z.string(),
            status: z.string(),
            reason: z.string().nullish(),
            message: z.string().nullish(),
          }),
        )
        .nullish(),
    })
    .nullish(),
});
export type K8sApiService = z.infer<typeof K8sApiService>;

/** Kinds kept loosely for later questions (policies, events); only their identity is checked now. */
export const K8sLoose = z.object({ kind: z.string(), metadata });
export type K8sLoose = z.infer<typeof K8sLoose>;

export const kubernetesKinds = {
  Node: K8sNode,
  Pod: K8sPod,
  Service: K8sService,
  EndpointSlice: K8sEndpointSlice,
  Endpoints: K8sEndpoints,
  ENIConfig: K8sEniConfig,
  SecurityGroupPolicy: K8sSecurityGroupPolicy,
  DynamoGraphDeployment: K8sDynamoGraphDeployment,
  DaemonSet: K8sDaemonSet,
  Namespace: K8sLoose,
  NetworkPolicy: K8sNetworkPolicy,
  Event: K8sLoose,
  ValidatingWebhookConfiguration: K8sWebhookConfiguration,
  MutatingWebhookConfiguration: K8sWebhookConfiguration,
  APIService: K8sApiService,
} as const;
export type KubernetesKind = keyof typeof kubernetesKinds;

// ─── This tool's own documents ──────────────────────────────────────────────────────────────────

/** API group of the documents `snapshot` writes besides raw API output. */
export const TOOL_API_VERSION = 'dynamo-netcheck/v1';

/** The last lines of one container's log, captured by `snapshot --logs` for `diagnose`. */
export const PodLogs = z.object({
  kind: z.literal('PodLogs'),
  apiVersion: z.literal(TOOL_API_VERSION),
  items: z.array(
    z.object({
      namespace: z.string(),
      pod: z.string(),
      container: z.string(),
      /** Log of the previous (crashed) instance of the container. */
      previous: z.boolean().optional(),
      lines: z.array(z.string()),
    }),
  ),
});
export type PodLogs = z.infer<typeof PodLogs>;

/** What a `snapshot` run collected, when, and from where. */
export const SnapshotManifest = z.object({
  kind: z.literal('SnapshotManifest'),
  apiVersion: z.literal(TOOL_API_VERSION),
  createdAt: z.string(),
  toolVersion: z.string(),
  cluster: z.string().optional(),
  region: z.string().optional(),
  accountId: z.string().optional(),
  collected: z.array(z.string()).optional(),
  /** Every file `snapshot` wrote beside the manifest (written last): missing ones mean a partial copy. */
  files: z
    .array(z.object({ path: z.string(), kind: z.string().optional(), count: z.number().optional() }))
    .optional(),
});
export type SnapshotManifest = z.infer<typeof SnapshotManifest>;
