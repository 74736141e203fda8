/**
 * Writes a realistic synthetic snapshot: N nodes in several node groups (system, GPU with custom
 * networking, CPU inference), ~20 pods per node on secondary IPs, S security groups with R rules
 * (SG references, CIDRs, prefix lists, port ranges, -1), NACLs, and the Dynamo / NATS / Prometheus
 * targets. Output is kubectl/aws-style indented JSON, so reading it costs what real input costs.
 *
 *   node --import tsx bench/generate.ts --nodes 10000 --out /tmp/snap-10k [--undeployed]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const ACCOUNT = '123456789012';
const VPC = 'vpc-0bench00000000000';
const PODS_PER_NODE = 20;

/** Deterministic pseudo-random numbers (mulberry32), so runs are comparable. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function ip(base: number, offset: number): string {
  const v = base + offset;
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}
const addr = (text: string): number => text.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
const hex = (n: number, width = 17): string => n.toString(16).padStart(width, '0');

interface Group {
  name: string;
  gpu: boolean;
  customNetworking: boolean;
  share: number;
  sg: string;
  subnet: string;
  subnetBase: number;
  podSubnet?: string;
  podSubnetBase?: number;
}

export interface GenerateOptions {
  nodes: number;
  out: string;
  securityGroups?: number;
  rules?: number;
  /** Leave NATS and Prometheus out (predicted on the system node groups). */
  undeployed?: boolean;
  seed?: number;
}

export function generate(options: GenerateOptions): { files: number; bytes: number } {
  const rand = random(options.seed ?? 42);
  const sgCount = options.securityGroups ?? 500;
  const ruleCount = options.rules ?? 50_000;
  const groups: Group[] = [
    {
      name: 'system',
      gpu: false,
      customNetworking: false,
      share: 0.05,
      sg: 'sg-0system000000000',
      subnet: 'subnet-0system0000000',
      subnetBase: addr('10.0.0.0'),
    },
    {
      name: 'cpu-inference',
      gpu: false,
      customNetworking: false,
      share: 0.1,
      sg: 'sg-0inference000000',
      subnet: 'subnet-0inference000',
      subnetBase: addr('10.4.0.0'),
    },
    ...['a', 'b', 'c', 'd'].map((letter, i) => ({
      name: `gpu-h100-${letter}`,
      gpu: true,
      customNetworking: true,
      share: 0.2125,
      sg: `sg-0gpu${letter}00000000000`,
      subnet: `subnet-0gpu${letter}000000000`,
      subnetBase: addr(`10.${8 + i * 4}.0.0`),
      podSubnet: `subnet-0cust${letter}00000000`,
      podSubnetBase: addr(`100.${64 + i * 16}.0.0`),
    })),
  ];
  const customerSg = 'sg-0customer0000000';
  const clusterSg = 'sg-0eksclusterbench0';

  // Security groups: the node-group SGs first, then many unrelated ones (real accounts have them).
  const sgIds = [clusterSg, customerSg, ...groups.map((g) => g.sg)];
  for (let i = sgIds.length; i < sgCount; i++) sgIds.push(`sg-${hex(i)}`);
  const prefixLists = Array.from({ length: 20 }, (_, i) => `pl-${hex(i, 8)}`);
  const perSg = Math.max(1, Math.floor(ruleCount / sgCount));
  const permission = (k: number): Record<string, unknown> => {
    const port = 1024 + Math.floor(rand() * 60000);
    const kind = k % 10;
    const tcp = {
      IpProtocol: 'tcp',
      FromPort: port,
      ToPort: kind === 1 ? port + Math.floor(rand() * 100) : port,
    };
    if (kind === 0)
      return {
        IpProtocol: '-1',
        UserIdGroupPairs: [{ GroupId: sgIds[Math.floor(rand() * sgIds.length)], UserId: ACCOUNT }],
        IpRanges: [],
        Ipv6Ranges: [],
        PrefixListIds: [],
      };
    if (kind < 4)
      return {
        ...tcp,
        UserIdGroupPairs: [
          { GroupId: sgIds[Math.floor(rand() * sgIds.length)], UserId: ACCOUNT, Description: 'app' },
        ],
        IpRanges: [],
        Ipv6Ranges: [],
        PrefixListIds: [],
      };
    if (kind < 8)
      return {
        ...tcp,
        IpRanges: [
          {
            CidrIp: `10.${Math.floor(rand() * 200) + 40}.${Math.floor(rand() * 255)}.0/24`,
            Description: 'office',
          },
        ],
        UserIdGroupPairs: [],
        Ipv6Ranges: [],
        PrefixListIds: [],
      };
    return {
      ...tcp,
      PrefixListIds: [{ PrefixListId: prefixLists[Math.floor(rand() * prefixLists.length)] }],
      IpRanges: [],
      UserIdGroupPairs: [],
      Ipv6Ranges: [],
    };
  };
  const securityGroups = sgIds.map((id, i) => {
    const ingress: Record<string, unknown>[] = [];
    if (id === clusterSg || id === customerSg || groups.some((g) => g.sg === id)) {
      ingress.push({
        IpProtocol: '-1',
        UserIdGroupPairs: [{ GroupId: id, UserId: ACCOUNT }],
        IpRanges: [],
        Ipv6Ranges: [],
        PrefixListIds: [],
      });
    }
    if (groups[0]!.sg === id) {
      for (const g of groups.slice(1))
        ingress.push({
          IpProtocol: 'tcp',
          FromPort: 2379,
          ToPort: 2379,
          UserIdGroupPairs: [{ GroupId: g.sg, UserId: ACCOUNT }],
          IpRanges: [],
          Ipv6Ranges: [],
          PrefixListIds: [],
        });
    }
    const budget = id === groups[0]!.sg ? Math.min(40, perSg) : perSg;
    while (ingress.length < budget) ingress.push(permission(i * 1000 + ingress.length));
    return {
      Description: `bench ${id}`,
      GroupName: `bench-${i}`,
      IpPermissions: ingress,
      OwnerId: ACCOUNT,
      GroupId: id,
      IpPermissionsEgress: [
        {
          IpProtocol: '-1',
          IpRanges: [{ CidrIp: '0.0.0.0/0' }],
          Ipv6Ranges: [],
          PrefixListIds: [],
          UserIdGroupPairs: [],
        },
      ],
      Tags: [{ Key: 'Name', Value: `bench-${i}` }],
      VpcId: VPC,
    };
  });

  const subnets = groups.flatMap((g) => [
    {
      AvailabilityZone: 'us-west-2a',
      CidrBlock: `${ip(g.subnetBase, 0)}/14`,
      SubnetId: g.subnet,
      VpcId: VPC,
      OwnerId: ACCOUNT,
      State: 'available',
    },
    ...(g.podSubnet
      ? [
          {
            AvailabilityZone: 'us-west-2a',
            CidrBlock: `${ip(g.podSubnetBase!, 0)}/12`,
            SubnetId: g.podSubnet,
            VpcId: VPC,
            OwnerId: ACCOUNT,
            State: 'available',
          },
        ]
      : []),
  ]);
  const naclEntry = (n: number, egress: boolean, action: string) => ({
    CidrBlock: '0.0.0.0/0',
    Egress: egress,
    Protocol: '-1',
    RuleAction: action,
    RuleNumber: n,
  });
  const networkAcls = [
    {
      Associations: subnets.map((s, i) => ({
        NetworkAclAssociationId: `aclassoc-${hex(i, 8)}`,
        NetworkAclId: 'acl-0bench0000000000',
        SubnetId: s.SubnetId,
      })),
      Entries: [
        naclEntry(100, false, 'allow'),
        naclEntry(32767, false, 'deny'),
        naclEntry(100, true, 'allow'),
        naclEntry(32767, true, 'deny'),
      ],
      IsDefault: true,
      NetworkAclId: 'acl-0bench0000000000',
      VpcId: VPC,
      OwnerId: ACCOUNT,
    },
  ];

  const nodes: Record<string, unknown>[] = [];
  const instances: Record<string, unknown>[] = [];
  const enis: Record<string, unknown>[] = [];
  const pods: Record<string, unknown>[] = [];
  // Custom networking is cluster-wide: every node names an ENIConfig (CPU groups keep their own subnet and SG).
  const eniConfigs = groups.map((g) => ({
    apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
    kind: 'ENIConfig',
    metadata: { name: `${g.name}-pods` },
    spec: { subnet: g.podSubnet ?? g.subnet, securityGroups: [g.customNetworking ? customerSg : g.sg] },
  }));
  let n = 0;
  const systemNodes: string[] = [];
  for (const g of groups) {
    const count =
      g === groups[groups.length - 1] ? options.nodes - n : Math.max(2, Math.round(options.nodes * g.share));
    for (let k = 0; k < count; k++, n++) {
      const instanceId = `i-${hex(n)}`;
      const nodeIp = ip(g.subnetBase, 16 + k * (g.customNetworking ? 1 : PODS_PER_NODE + 1));
      const name = `ip-${nodeIp.replaceAll('.', '-')}.us-west-2.compute.internal`;
      if (g.name === 'system') systemNodes.push(name);
      const podIps = Array.from({ length: PODS_PER_NODE }, (_, p) =>
        g.customNetworking
          ? ip(g.podSubnetBase!, 16 + k * PODS_PER_NODE + p)
          : ip(g.subnetBase, 16 + k * (PODS_PER_NODE + 1) + 1 + p),
      );
      const primary = {
        Attachment: {
          AttachTime: '2026-11-01T00:00:00+00:00',
          AttachmentId: `eni-attach-${hex(n)}`,
          DeleteOnTermination: true,
          DeviceIndex: 0,
          NetworkCardIndex: 0,
          InstanceId: instanceId,
          InstanceOwnerId: ACCOUNT,
          Status: 'attached',
        },
        AvailabilityZone: 'us-west-2a',
        Description: '',
        Groups: [{ GroupName: g.name, GroupId: g.sg }],
        InterfaceType: 'interface',
        MacAddress: '02:00:00:00:00:00',
        NetworkInterfaceId: `eni-${hex(n)}0`,
        OwnerId: ACCOUNT,
        PrivateIpAddress: nodeIp,
        PrivateIpAddresses: [
          { Primary: true, PrivateIpAddress: nodeIp },
          ...(g.customNetworking ? [] : podIps.map((p) => ({ Primary: false, PrivateIpAddress: p }))),
        ],
        SourceDestCheck: true,
        Status: 'in-use',
        SubnetId: g.subnet,
        TagSet: [],
        VpcId: VPC,
      };
      enis.push(primary);
      if (g.customNetworking) {
        enis.push({
          ...primary,
          Attachment: { ...primary.Attachment, DeviceIndex: 1, AttachmentId: `eni-attach-${hex(n)}1` },
          Groups: [{ GroupName: 'customer', GroupId: customerSg }],
          NetworkInterfaceId: `eni-${hex(n)}1`,
          PrivateIpAddress: podIps[0],
          PrivateIpAddresses: podIps.map((p, i) => ({ Primary: i === 0, PrivateIpAddress: p })),
          SubnetId: g.podSubnet,
          TagSet: [{ Key: 'node.k8s.amazonaws.com/instance_id', Value: instanceId }],
        });
      }
      instances.push({
        InstanceId: instanceId,
        InstanceType: g.gpu ? 'p5.48xlarge' : 'm6i.4xlarge',
        PrivateIpAddress: nodeIp,
        SubnetId: g.subnet,
        VpcId: VPC,
        SecurityGroups: [{ GroupName: g.name, GroupId: g.sg }],
        Tags: [
          { Key: 'eks:nodegroup-name', Value: g.name },
          { Key: 'eks:cluster-name', Value: 'bench' },
        ],
        State: { Code: 16, Name: 'running' },
      });
      nodes.push({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name,
          labels: {
            'eks.amazonaws.com/nodegroup': g.name,
            'kubernetes.io/hostname': name,
            'kubernetes.io/os': 'linux',
            'node.kubernetes.io/instance-type': g.gpu ? 'p5.48xlarge' : 'm6i.4xlarge',
            'topology.kubernetes.io/zone': 'us-west-2a',
            ...(g.gpu ? { 'nvidia.com/gpu.present': 'true' } : {}),
            'k8s.amazonaws.com/eniConfig': `${g.name}-pods`,
          },
          uid: `00000000-0000-4000-8000-${hex(n, 12)}`,
        },
        spec: {
          providerID: `aws:///us-west-2a/${instanceId}`,
          ...(g.gpu ? { taints: [{ effect: 'NoSchedule', key: 'nvidia.com/gpu', value: 'present' }] } : {}),
        },
        status: {
          addresses: [
            { address: nodeIp, type: 'InternalIP' },
            { address: name, type: 'Hostname' },
          ],
          allocatable: { cpu: '15890m', memory: '62000Mi', pods: '110' },
          capacity: { cpu: '16', memory: '64000Mi', pods: '110' },
          conditions: [
            {
              lastHeartbeatTime: '2026-11-28T00:00:00Z',
              lastTransitionTime: '2026-11-01T00:00:00Z',
              message: 'kubelet is posting ready status',
              reason: 'KubeletReady',
              status: 'True',
              type: 'Ready',
            },
          ],
        },
      });
      podIps.forEach((podIp, p) => {
        const worker = g.gpu && p === 0;
        const labels: Record<string, string> = worker
          ? {
              'nvidia.com/dynamo-component-type': 'worker',
              'nvidia.com/dynamo-graph-deployment-name': 'bench',
            }
          : { app: `app-${p}`, 'pod-template-hash': hex(p, 10) };
        pods.push({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: worker ? `bench-worker-${n}` : `app-${n}-${p}`,
            namespace: worker ? 'dynamo-workload' : `team-${p % 7}`,
            labels,
          },
          spec: {
            nodeName: name,
            containers: [
              {
                name: 'main',
                image: worker
                  ? 'nvcr.io/nvidia/ai-dynamo/vllm-runtime:1.2.0'
                  : 'public.ecr.aws/docker/library/nginx:1.27',
                env: [{ name: 'LOG_LEVEL', value: 'info' }],
                ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }],
              },
            ],
            ...(g.gpu
              ? { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] }
              : {}),
          },
          status: {
            phase: 'Running',
            podIP: podIp,
            podIPs: [{ ip: podIp }],
            hostIP: nodeIp,
          },
        });
      });
    }
  }
  const targets: { ns: string; name: string; labels: Record<string, string>; port: number }[] =
    options.undeployed
      ? []
      : [
          ...[0, 1, 2].map((i) => ({
            ns: 'dynamo-system',
            name: `dynamo-platform-nats-${i}`,
            labels: { 'app.kubernetes.io/name': 'nats', 'app.kubernetes.io/instance': 'dynamo-platform' },
            port: 4222,
          })),
          {
            ns: 'monitoring',
            name: 'prometheus-kube-prometheus-prometheus-0',
            labels: { 'app.kubernetes.io/name': 'prometheus' },
            port: 9090,
          },
        ];
  targets.forEach((t, i) => {
    // Targets take a system node pod IP slot (the last one on that node).
    const node = nodes[i % systemNodes.length]! as {
      metadata: { name: string };
      status: { addresses: { address: string }[] };
    };
    const nodeIp = node.status.addresses[0]!.address;
    const podIp = ip(addr(nodeIp), PODS_PER_NODE);
    const slot = pods.findIndex((p) => (p as { status: { podIP: string } }).status.podIP === podIp);
    pods[slot] = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: t.name, namespace: t.ns, labels: t.labels },
      spec: {
        nodeName: node.metadata.name,
        containers: [
          { name: 'main', image: 'nats:2.10.24-alpine', ports: [{ containerPort: t.port, name: 'client' }] },
        ],
      },
      status: { phase: 'Running', podIP: podIp, podIPs: [{ ip: podIp }], hostIP: nodeIp },
    };
  });
  // A few frontends on system nodes, one per 1,000 nodes.
  for (let f = 0; f < Math.max(1, Math.floor(options.nodes / 1000)); f++) {
    const slot = (targets.length + f) * PODS_PER_NODE + 5;
    const pod = pods[slot] as {
      metadata: Record<string, unknown>;
      spec: { containers: { image: string }[] };
    };
    pod.metadata = {
      ...pod.metadata,
      name: `bench-frontend-${f}`,
      namespace: 'dynamo-workload',
      labels: {
        'nvidia.com/dynamo-component-type': 'frontend',
        'nvidia.com/dynamo-graph-deployment-name': 'bench',
      },
    };
    pod.spec.containers[0]!.image = 'nvcr.io/nvidia/ai-dynamo/vllm-runtime:1.2.0';
  }

  const write = (file: string, value: unknown): number => {
    const text = JSON.stringify(value, null, 4);
    writeFileSync(join(options.out, file), text);
    return text.length;
  };
  mkdirSync(join(options.out, 'aws'), { recursive: true });
  mkdirSync(join(options.out, 'k8s'), { recursive: true });
  const list = (items: unknown[]) => ({
    apiVersion: 'v1',
    items,
    kind: 'List',
    metadata: { resourceVersion: '' },
  });
  let bytes = 0;
  bytes += write('aws/describe-cluster.json', {
    cluster: {
      name: 'bench',
      arn: `arn:aws:eks:us-west-2:${ACCOUNT}:cluster/bench`,
      resourcesVpcConfig: { vpcId: VPC, clusterSecurityGroupId: clusterSg },
    },
  });
  bytes += write('aws/security-groups.json', { SecurityGroups: securityGroups });
  bytes += write('aws/subnets.json', { Subnets: subnets });
  bytes += write('aws/network-acls.json', { NetworkAcls: networkAcls });
  bytes += write('aws/network-interfaces.json', { NetworkInterfaces: enis });
  bytes += write('aws/instances.json', {
    Reservations: instances.map((i, k) => ({
      Groups: [],
      Instances: [i],
      OwnerId: ACCOUNT,
      ReservationId: `r-${hex(k)}`,
    })),
  });
  prefixLists.forEach((id, i) => {
    bytes += write(`aws/${id}.json`, { Entries: [{ Cidr: `192.168.${i}.0/24`, Description: 'partner' }] });
  });
  bytes += write('k8s/nodes.json', list(nodes));
  bytes += write('k8s/pods.json', list(pods));
  bytes += write('k8s/eniconfigs.json', list(eniConfigs));
  bytes += write('k8s/aws-node.json', {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'aws-node', namespace: 'kube-system' },
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: 'aws-node',
              image: 'amazon-k8s-cni:v1.19.5',
              env: [{ name: 'AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG', value: 'true' }],
            },
          ],
        },
      },
    },
  });
  if (!options.undeployed) {
    bytes += write(
      'k8s/services.json',
      list([
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'dynamo-platform-nats', namespace: 'dynamo-system' },
          spec: { selector: { 'app.kubernetes.io/name': 'nats' }, ports: [{ port: 4222 }] },
        },
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'kube-prometheus-prometheus', namespace: 'monitoring' },
          spec: { selector: { 'app.kubernetes.io/name': 'prometheus' }, ports: [{ port: 9090 }] },
        },
      ]),
    );
  }
  return { files: 11 + prefixLists.length, bytes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '1000' },
      out: { type: 'string' },
      undeployed: { type: 'boolean', default: false },
    },
  });
  if (!values.out) throw new Error('--out is required');
  const result = generate({ nodes: Number(values.nodes), out: values.out, undeployed: values.undeployed });
  process.stderr.write(
    `wrote ${result.files} files, ${(result.bytes / 1e6).toFixed(1)} MB to ${values.out}\n`,
  );
}
