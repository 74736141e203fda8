/**
 * Builds small snapshots in the raw shapes `aws ec2 describe-*` and `kubectl get -o json` print,
 * so tests exercise the loader and the model exactly as real input does.
 */
import { analyzeSnapshot, type AnalyzeOptions } from '../../src/questions/analyze.ts';
import type { AnalysisResult } from '../../src/questions/analyze.ts';
import { parseSnapshot, type InputFile } from '../../src/snapshot/parse.ts';
import type { Snapshot } from '../../src/snapshot/types.ts';

export const ACCOUNT = '123456789012';
export const VPC = 'vpc-0abc';

type Json = Record<string, unknown>;

export interface Permission {
  IpProtocol: string;
  FromPort?: number;
  ToPort?: number;
  IpRanges?: { CidrIp: string; Description?: string }[];
  Ipv6Ranges?: { CidrIpv6: string }[];
  PrefixListIds?: { PrefixListId: string }[];
  UserIdGroupPairs?: { GroupId: string; UserId?: string; Description?: string }[];
}

/** `tcp(4222).fromGroup('sg-a')` style helpers for IpPermissions. */
export function tcp(from: number, to = from) {
  const base = { IpProtocol: 'tcp', FromPort: from, ToPort: to };
  return rulePeers(base);
}
export function proto(ipProtocol: string, from?: number, to?: number) {
  return rulePeers({
    IpProtocol: ipProtocol,
    ...(from !== undefined ? { FromPort: from, ToPort: to ?? from } : {}),
  });
}
function rulePeers(base: Permission) {
  return {
    fromGroup: (groupId: string, userId = ACCOUNT): Permission => ({
      ...base,
      UserIdGroupPairs: [{ GroupId: groupId, UserId: userId }],
    }),
    fromCidr: (cidr: string): Permission =>
      cidr.includes(':')
        ? { ...base, Ipv6Ranges: [{ CidrIpv6: cidr }] }
        : { ...base, IpRanges: [{ CidrIp: cidr }] },
    fromPrefixList: (id: string): Permission => ({ ...base, PrefixListIds: [{ PrefixListId: id }] }),
  };
}
export const allTraffic = rulePeers({ IpProtocol: '-1' });
export const ALLOW_ALL_EGRESS: Permission = { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] };

export interface NaclEntry {
  RuleNumber: number;
  Protocol: string;
  RuleAction: 'allow' | 'deny';
  Egress: boolean;
  CidrBlock: string;
  PortRange?: { From: number; To: number };
}

export function naclAllowAll(): NaclEntry[] {
  return [
    { RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: false, CidrBlock: '0.0.0.0/0' },
    { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0' },
    { RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: true, CidrBlock: '0.0.0.0/0' },
    { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: true, CidrBlock: '0.0.0.0/0' },
  ];
}

interface NodeSpec {
  group: string;
  subnet: string;
  ip: string;
  sgs: string[];
  gpu?: boolean;
  /** Secondary IPs on the primary ENI (default networking). */
  podIps?: string[];
  /** IPv6 addresses on the primary ENI (an IPv6 cluster's pods). */
  ipv6PodIps?: string[];
  /** Custom networking: a secondary ENI in another subnet carrying other SGs and the pod IPs. */
  podEni?: { subnet: string; sgs: string[]; ips: string[]; prefixes?: string[] };
  /** More ENIs attached to the node (device index 2, 3, …): trunk, EFA, unmanaged, another pod ENI. */
  moreEnis?: ExtraEni[];
  prefixes?: string[];
  labels?: Record<string, string>;
  unschedulable?: boolean;
  /** EC2 instance type (default p5.48xlarge for GPU nodes, m6i.2xlarge otherwise). */
  instanceType?: string;
  /** Neither the eks.amazonaws.com/nodegroup label nor the eks:nodegroup-name tag (self-managed). */
  untagged?: boolean;
}

export interface ExtraEni {
  subnet: string;
  sgs: string[];
  /** The ENI's own IP first, then secondary IPs. */
  ips: string[];
  prefixes?: string[];
  type?: string;
  tags?: Record<string, string>;
  networkCardIndex?: number;
}

interface PodSpec {
  namespace: string;
  node: string;
  ip?: string;
  labels?: Record<string, string>;
  hostNetwork?: boolean;
  image?: string;
  env?: Record<string, string>;
  annotations?: Record<string, string>;
  phase?: string;
  ports?: { name: string; containerPort: number; protocol?: string }[];
}

export class Scenario {
  private readonly groups: Json[] = [];
  private readonly subnets: Json[] = [];
  private readonly acls: Json[] = [];
  private readonly enis: Json[] = [];
  private readonly instances: Json[] = [];
  private readonly nodes: Json[] = [];
  private readonly pods: Json[] = [];
  private readonly services: Json[] = [];
  private readonly prefixLists: { id: string; cidrs: string[] }[] = [];
  private readonly extra: InputFile[] = [];
  private aclsCaptured = true;
  private awsNode: Json | undefined;
  private eniConfigs: Json[] = [];
  private instanceCount = 0;

  sg(id: string, ingress: Permission[], egress: Permission[] = [ALLOW_ALL_EGRESS], extra: Json = {}): this {
    this.groups.push({
      GroupId: id,
      GroupName: id,
      OwnerId: ACCOUNT,
      VpcId: VPC,
      Description: id,
      IpPermissions: ingress,
      IpPermissionsEgress: egress,
      ...extra,
    });
    return this;
  }

  subnet(id: string, cidr: string): this {
    this.subnets.push({
      SubnetId: id,
      VpcId: VPC,
      CidrBlock: cidr,
      AvailabilityZone: 'us-west-2a',
      OwnerId: ACCOUNT,
    });
    return this;
  }

  /** A NACL associated with the given subnets (`default: true` makes it the VPC default). */
  nacl(id: string, subnets: string[], entries: NaclEntry[], isDefault = false): this {
    this.acls.push({
      NetworkAclId: id,
      VpcId: VPC,
      IsDefault: isDefault,
      OwnerId: ACCOUNT,
      Entries: entries,
      Associations: subnets.map((s, i) => ({
        NetworkAclAssociationId: `aclassoc-${id}-${i}`,
        NetworkAclId: id,
        SubnetId: s,
      })),
    });
    return this;
  }

  withoutNacls(): this {
    this.aclsCaptured = false;
    return this;
  }

  prefixList(id: string, cidrs: string[]): this {
    this.prefixLists.push({ id, cidrs });
    return this;
  }

  cni(env: Record<string, string>): this {
    this.awsNode = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'aws-node', namespace: 'kube-system' },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'aws-node',
                image: 'amazon-k8s-cni:v1.19.0',
                env: Object.entries(env).map(([name, value]) => ({ name, value })),
              },
            ],
          },
        },
      },
    };
    return this;
  }

  eniConfig(name: string, subnet: string, securityGroups: string[]): this {
    this.eniConfigs.push({
      apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
      kind: 'ENIConfig',
      metadata: { name },
      spec: { subnet, securityGroups },
    });
    return this;
  }

  node(name: string, spec: NodeSpec): this {
    this.instanceCount += 1;
    const instanceId = `i-${String(this.instanceCount).padStart(17, '0')}`;
    const primary = {
      NetworkInterfaceId: `eni-${name}-0`,
      InterfaceType: 'interface',
      SubnetId: spec.subnet,
      VpcId: VPC,
      OwnerId: ACCOUNT,
      Status: 'in-use',
      Groups: spec.sgs.map((g) => ({ GroupId: g, GroupName: g })),
      PrivateIpAddress: spec.ip,
      PrivateIpAddresses: [
        { Primary: true, PrivateIpAddress: spec.ip },
        ...(spec.podIps ?? []).map((ip) => ({ Primary: false, PrivateIpAddress: ip })),
      ],
      ...(spec.prefixes ? { Ipv4Prefixes: spec.prefixes.map((p) => ({ Ipv4Prefix: p })) } : {}),
      ...(spec.ipv6PodIps ? { Ipv6Addresses: spec.ipv6PodIps.map((ip) => ({ Ipv6Address: ip })) } : {}),
      Attachment: { InstanceId: instanceId, DeviceIndex: 0, Status: 'attached' },
    };
    this.enis.push(primary);
    if (spec.podEni) {
      this.enis.push({
        NetworkInterfaceId: `eni-${name}-1`,
        InterfaceType: 'interface',
        SubnetId: spec.podEni.subnet,
        VpcId: VPC,
        Groups: spec.podEni.sgs.map((g) => ({ GroupId: g })),
        PrivateIpAddress: spec.podEni.ips[0],
        PrivateIpAddresses: spec.podEni.ips.map((ip, i) => ({ Primary: i === 0, PrivateIpAddress: ip })),
        ...(spec.podEni.prefixes
          ? { Ipv4Prefixes: spec.podEni.prefixes.map((p) => ({ Ipv4Prefix: p })) }
          : {}),
        Attachment: { InstanceId: instanceId, DeviceIndex: 1, Status: 'attached' },
        TagSet: [{ Key: 'node.k8s.amazonaws.com/instance_id', Value: instanceId }],
      });
    }
    (spec.moreEnis ?? []).forEach((eni, i) => {
      this.enis.push({
        NetworkInterfaceId: `eni-${name}-${i + 2}`,
        InterfaceType: eni.type ?? 'interface',
        SubnetId: eni.subnet,
        VpcId: VPC,
        Groups: eni.sgs.map((g) => ({ GroupId: g })),
        PrivateIpAddress: eni.ips[0],
        PrivateIpAddresses: eni.ips.map((ip, k) => ({ Primary: k === 0, PrivateIpAddress: ip })),
        ...(eni.prefixes ? { Ipv4Prefixes: eni.prefixes.map((p) => ({ Ipv4Prefix: p })) } : {}),
        Attachment: {
          InstanceId: instanceId,
          DeviceIndex: i + 2,
          ...(eni.networkCardIndex !== undefined ? { NetworkCardIndex: eni.networkCardIndex } : {}),
          Status: 'attached',
        },
        TagSet: Object.entries(eni.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
      });
    });
    this.instances.push({
      InstanceId: instanceId,
      InstanceType: spec.instanceType ?? (spec.gpu ? 'p5.48xlarge' : 'm6i.2xlarge'),
      PrivateIpAddress: spec.ip,
      SubnetId: spec.subnet,
      VpcId: VPC,
      SecurityGroups: spec.sgs.map((g) => ({ GroupId: g, GroupName: g })),
      Tags: spec.untagged ? [] : [{ Key: 'eks:nodegroup-name', Value: spec.group }],
    });
    this.nodes.push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        labels: {
          ...(spec.untagged ? {} : { 'eks.amazonaws.com/nodegroup': spec.group }),
          'kubernetes.io/hostname': name,
          ...(spec.gpu ? { 'nvidia.com/gpu.present': 'true' } : {}),
          ...spec.labels,
        },
      },
      spec: {
        providerID: `aws:///us-west-2a/${instanceId}`,
        ...(spec.gpu ? { taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }] } : {}),
        ...(spec.unschedulable ? { unschedulable: true } : {}),
      },
      status: {
        addresses: [{ type: 'InternalIP', address: spec.ip }],
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    });
    return this;
  }

  pod(name: string, spec: PodSpec): this {
    this.pods.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: spec.namespace,
        labels: spec.labels ?? {},
        ...(spec.annotations ? { annotations: spec.annotations } : {}),
      },
      spec: {
        nodeName: spec.node,
        ...(spec.hostNetwork ? { hostNetwork: true } : {}),
        containers: [
          {
            name: 'main',
            image: spec.image ?? 'busybox:1.36',
            env: Object.entries(spec.env ?? {}).map(([n, value]) => ({ name: n, value })),
            ...(spec.ports ? { ports: spec.ports } : {}),
          },
        ],
      },
      status: {
        phase: spec.phase ?? 'Running',
        ...(spec.ip ? { podIP: spec.ip, podIPs: [{ ip: spec.ip }] } : {}),
      },
    });
    return this;
  }

  /** The Dynamo 1.2 platform: NATS in dynamo-system with its Service. */
  nats(name: string, node: string, ip: string): this {
    this.service('dynamo-system', 'dynamo-platform-nats', { 'app.kubernetes.io/name': 'nats' }, 4222);
    return this.pod(name, {
      namespace: 'dynamo-system',
      node,
      ip,
      labels: {
        'app.kubernetes.io/name': 'nats',
        'app.kubernetes.io/instance': 'dynamo-platform',
        'helm.sh/chart': 'nats-1.2.6',
      },
      image: 'nats:2.10.24-alpine',
      ports: [
        { name: 'client', containerPort: 4222 },
        { name: 'monitor', containerPort: 8222 },
      ],
    });
  }

  prometheus(name: string, node: string, ip: string): this {
    this.service(
      'monitoring',
      'kube-prometheus-prometheus',
      { 'app.kubernetes.io/name': 'prometheus' },
      9090,
    );
    return this.pod(name, {
      namespace: 'monitoring',
      node,
      ip,
      labels: { 'app.kubernetes.io/name': 'prometheus' },
      image: 'quay.io/prometheus/prometheus:v2.54.1',
    });
  }

  dynamo(
    name: string,
    role: 'frontend' | 'worker',
    node: string,
    ip: string,
    version = '1.2.0',
    env: Record<string, string> = {},
  ): this {
    return this.pod(name, {
      namespace: 'dynamo-workload',
      node,
      ip,
      labels: {
        'nvidia.com/dynamo-component-type': role,
        'nvidia.com/dynamo-graph-deployment-name': 'vllm-agg',
      },
      image: `nvcr.io/nvidia/ai-dynamo/vllm-runtime:${version}`,
      env,
    });
  }

  service(namespace: string, name: string, selector: Record<string, string>, port: number): this {
    if (!this.services.some((s) => (s.metadata as Json).name === name)) {
      this.services.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace },
        spec: { selector, ports: [{ port, protocol: 'TCP' }] },
      });
    }
    return this;
  }

  file(path: string, content: unknown): this {
    this.extra.push({ path, text: typeof content === 'string' ? content : JSON.stringify(content, null, 2) });
    return this;
  }

  files(): InputFile[] {
    const json = (path: string, value: unknown): InputFile => ({
      path,
      text: JSON.stringify(value, null, 2),
    });
    const files = [
      json('aws/security-groups.json', { SecurityGroups: this.groups }),
      json('aws/subnets.json', { Subnets: this.subnets }),
      json('aws/network-interfaces.json', { NetworkInterfaces: this.enis }),
      json('aws/instances.json', {
        Reservations: [{ ReservationId: 'r-1', OwnerId: ACCOUNT, Instances: this.instances }],
      }),
      json('aws/describe-cluster.json', {
        cluster: {
          name: 'test',
          arn: `arn:aws:eks:us-west-2:${ACCOUNT}:cluster/test`,
          resourcesVpcConfig: { vpcId: VPC },
        },
      }),
      json('k8s/nodes.json', { apiVersion: 'v1', kind: 'List', items: this.nodes }),
      json('k8s/pods.json', { apiVersion: 'v1', kind: 'List', items: this.pods }),
      json('k8s/services.json', { apiVersion: 'v1', kind: 'List', items: this.services }),
      ...this.prefixLists.map((p) =>
        json(`aws/${p.id}.json`, { Entries: p.cidrs.map((Cidr) => ({ Cidr })) }),
      ),
      ...this.extra,
    ];
    if (this.aclsCaptured) files.push(json('aws/network-acls.json', { NetworkAcls: this.acls }));
    if (this.awsNode) files.push(json('k8s/aws-node.json', this.awsNode));
    if (this.eniConfigs.length)
      files.push(json('k8s/eniconfigs.json', { apiVersion: 'v1', kind: 'List', items: this.eniConfigs }));
    return files;
  }

  snapshot(): Snapshot {
    const result = parseSnapshot(this.files());
    if (!result.ok)
      throw new Error(result.issues.map((i) => `${i.file}: ${i.path}: ${i.message}`).join('\n'));
    return result.snapshot;
  }

  analyze(options: AnalyzeOptions = {}): AnalysisResult {
    return analyzeSnapshot(this.snapshot(), options);
  }
}

export const scenario = (): Scenario => new Scenario();

/** Status of the flows of one requirement from one source node group. */
export function statusOf(result: AnalysisResult, requirement: string, sourceGroup: string): string[] {
  return result.flows
    .filter((f) => f.requirement === requirement && f.source.nodeGroup === sourceGroup)
    .map((f) => f.status);
}
