/**
 * The model's cluster-wide facts (model/build.ts): identity of the cluster, what is missing from the
 * snapshot, the pods' address family, and the subnets no address block splits.
 * Facts: an EKS cluster ARN is `arn:aws:eks:<region>:<account>:cluster/<name>`; describe-cluster's
 * `kubernetesNetworkConfig.ipFamily` is `ipv4` or `ipv6`, and an IPv6 cluster's pods get IPv6
 * addresses only (EKS User Guide, "IPv6 addresses for clusters, Pods, and services"); the VPC CNI
 * runs IPv6 with ENABLE_IPv6=true; a VPC has a primary CIDR and associated ones
 * (CidrBlockAssociationSet); a NetworkPolicy ipBlock is a CIDR with optional `except` CIDRs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { list, modelFromFiles, type Json } from './model-of.ts';

const cluster = (extra: Json = {}, vpc: Json = { vpcId: 'vpc-1' }): Json => ({
  cluster: {
    name: 'prod',
    arn: 'arn:aws:eks:us-west-2:111122223333:cluster/prod',
    resourcesVpcConfig: vpc,
    ...extra,
  },
});

const pod = (name: string, ip: string | undefined, hostNetwork = false): Json => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns' },
  spec: { containers: [], ...(hostNetwork ? { hostNetwork: true } : {}) },
  status: ip ? { podIP: ip } : {},
});

const awsNode = (env: Record<string, string>): Json => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'aws-node', namespace: 'kube-system' },
  spec: {
    template: {
      spec: {
        containers: [
          { name: 'aws-node', env: Object.entries(env).map(([name, value]) => ({ name, value })) },
        ],
      },
    },
  },
});

describe('the cluster’s identity', () => {
  it('name, VPC, cluster security group and account from describe-cluster', () => {
    const model = modelFromFiles({
      'aws/describe-cluster.json': cluster({}, { vpcId: 'vpc-1', clusterSecurityGroupId: 'sg-c' }),
      'aws/security-groups.json': { SecurityGroups: [{ GroupId: 'sg-1', OwnerId: '999999999999' }] },
    });
    assert.equal(model.clusterName, 'prod');
    assert.equal(model.vpcId, 'vpc-1');
    assert.equal(model.clusterSecurityGroupId, 'sg-c');
    assert.equal(model.accountId, '111122223333');
  });

  it('an ARN of another partition names the account too', () => {
    const model = modelFromFiles({
      'aws/describe-cluster.json': {
        cluster: { name: 'gov', arn: 'arn:aws-us-gov:eks:us-gov-west-1:444455556666:cluster/gov' },
      },
    });
    assert.equal(model.accountId, '444455556666');
  });

  it('without describe-cluster: the VPC most subnets are in, the account most groups belong to', () => {
    const model = modelFromFiles({
      'aws/subnets.json': {
        Subnets: [
          { SubnetId: 'subnet-1', VpcId: 'vpc-b', CidrBlock: '10.1.0.0/24' },
          { SubnetId: 'subnet-2', VpcId: 'vpc-a', CidrBlock: '10.0.0.0/24' },
          { SubnetId: 'subnet-3', VpcId: 'vpc-a', CidrBlock: '10.0.1.0/24' },
          { SubnetId: 'subnet-4', CidrBlock: '10.0.2.0/24' },
        ],
      },
      'aws/security-groups.json': {
        SecurityGroups: [
          { GroupId: 'sg-1', OwnerId: '111111111111' },
          { GroupId: 'sg-2', OwnerId: '222222222222' },
          { GroupId: 'sg-3', OwnerId: '222222222222' },
          { GroupId: 'sg-4' },
        ],
      },
    });
    assert.equal(model.vpcId, 'vpc-a');
    assert.equal(model.accountId, '222222222222');
    assert.equal(model.clusterName, undefined);
    assert.equal('clusterName' in model, false);
    assert.equal('clusterSecurityGroupId' in model, false);
  });

  it('subnets and groups that name no VPC or owner are not counted', () => {
    const model = modelFromFiles({
      'aws/subnets.json': {
        Subnets: [
          { SubnetId: 'subnet-1', CidrBlock: '10.1.0.0/24' },
          { SubnetId: 'subnet-2', CidrBlock: '10.1.1.0/24' },
          { SubnetId: 'subnet-3', VpcId: 'vpc-a', CidrBlock: '10.0.0.0/24' },
        ],
      },
      'aws/security-groups.json': {
        SecurityGroups: [
          { GroupId: 'sg-1' },
          { GroupId: 'sg-2' },
          { GroupId: 'sg-3', OwnerId: '222222222222' },
        ],
      },
    });
    assert.equal(model.vpcId, 'vpc-a');
    assert.equal(model.accountId, '222222222222');
  });

  it('nothing to tell them by: none', () => {
    const model = modelFromFiles({});
    assert.equal('vpcId' in model, false);
    assert.equal('accountId' in model, false);
  });

  it('the VPC’s CIDRs: every associated block and the primary one, of this VPC only', () => {
    const model = modelFromFiles({
      'aws/describe-cluster.json': cluster(),
      'aws/vpcs.json': {
        Vpcs: [
          {
            VpcId: 'vpc-1',
            CidrBlock: '10.0.0.0/16',
            CidrBlockAssociationSet: [{ CidrBlock: '100.64.0.0/16' }, {}],
          },
          { VpcId: 'vpc-2', CidrBlock: '10.9.0.0/16' },
        ],
      },
    });
    assert.deepEqual(
      model.vpcCidrs.map((r) => `${r.family}:${r.start}-${r.end}`),
      [`4:${0x64400000n}-${0x6440ffffn}`, `4:${0x0a000000n}-${0x0a00ffffn}`],
    );
  });

  it('no VPC known: every captured VPC’s CIDRs', () => {
    const model = modelFromFiles({
      'aws/vpcs.json': {
        Vpcs: [
          { VpcId: 'vpc-1', CidrBlock: '10.0.0.0/16' },
          { VpcId: 'vpc-2', CidrBlock: '10.9.0.0/16' },
        ],
      },
    });
    assert.equal(model.vpcCidrs.length, 2);
  });
});

describe('what the snapshot lacks: one warning each, saying what is assumed', () => {
  it('an empty snapshot', () => {
    const model = modelFromFiles({});
    assert.deepEqual(
      model.warnings.filter((w) => w.code === 'missing-data').map((w) => w.message),
      [
        'no security groups (describe-security-groups) in the snapshot: every SG check is unknown',
        'no network interfaces (describe-network-interfaces) in the snapshot: pods cannot be placed on ENIs; their flows are unknown',
        'no network ACLs (describe-network-acls) in the snapshot: assumed the AWS default NACL, which allows all traffic',
        'no subnets (describe-subnets) in the snapshot: subnet boundaries and NACLs cannot be checked',
        'no Kubernetes nodes (kubectl get nodes) in the snapshot: no sources or targets can be placed',
        'no Kubernetes pods (kubectl get pods -A) in the snapshot: targets are predicted from node groups',
      ],
    );
    assert.equal(model.naclsCaptured, false);
    assert.equal(model.webhooksCaptured, false);
    assert.equal(model.apiServicesCaptured, false);
  });

  it('everything captured (an empty EC2 list counts): no missing-data warning', () => {
    const model = modelFromFiles({
      'aws/security-group-rules.json': { SecurityGroupRules: [] },
      'aws/network-acls.json': { NetworkAcls: [] },
      'aws/subnets.json': { Subnets: [] },
      'aws/instances.json': {
        Reservations: [
          { Instances: [{ InstanceId: 'i-0a', NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1' }] }] },
        ],
      },
      'k8s/nodes.json': list({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' } }),
      'k8s/pods.json': list(pod('a', '10.0.0.1')),
      'k8s/webhooks.json': list({
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'MutatingWebhookConfiguration',
        metadata: { name: 'm' },
      }),
      'k8s/apiservices.json': list({
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name: 'v1beta1.metrics.k8s.io' },
      }),
    });
    assert.deepEqual(
      model.warnings.filter((w) => w.code === 'missing-data' && !/aws-node/.test(w.message)),
      [],
    );
    assert.equal(model.naclsCaptured, true);
    assert.equal(model.webhooksCaptured, true);
    assert.equal(model.apiServicesCaptured, true);
  });

  it('a list cut short (a continue token): an incomplete-capture warning naming the file', () => {
    const model = modelFromFiles({
      'k8s/pods.json': {
        apiVersion: 'v1',
        kind: 'List',
        metadata: { continue: 'abc' },
        items: [pod('a', '10.0.0.1')],
      },
    });
    const cut = model.warnings.filter((w) => w.code === 'incomplete-capture');
    assert.equal(cut.length, 1);
    assert.match(cut[0]!.message, /^k8s\/pods\.json: incomplete capture: the list has a continue token/);
  });

  it('describe-security-groups alone, or describe-network-interfaces alone, is captured', () => {
    const model = modelFromFiles({
      'aws/security-groups.json': { SecurityGroups: [] },
      'aws/network-interfaces.json': { NetworkInterfaces: [] },
      'aws/instances.json': { Reservations: [{ Instances: [{ InstanceId: 'i-0a' }] }] },
    });
    const missing = model.warnings.filter((w) => w.code === 'missing-data').map((w) => w.message);
    assert.equal(
      missing.some((m) => /security groups/.test(m)),
      false,
    );
    assert.equal(
      missing.some((m) => /network interfaces/.test(m)),
      false,
    );
  });

  it('a VPC with associated blocks and no primary CidrBlock field: the associated ones only', () => {
    const model = modelFromFiles({
      'aws/describe-cluster.json': cluster(),
      'aws/vpcs.json': {
        Vpcs: [{ VpcId: 'vpc-1', CidrBlockAssociationSet: [{ CidrBlock: '10.0.0.0/16' }] }],
      },
    });
    assert.equal(model.vpcCidrs.length, 1);
    assert.equal(model.vpcCidrs[0]!.family, 4);
  });

  it('a validating webhook configuration alone counts as webhooks captured', () => {
    const model = modelFromFiles({
      'k8s/webhooks.json': list({
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingWebhookConfiguration',
        metadata: { name: 'v' },
      }),
    });
    assert.equal(model.webhooksCaptured, true);
  });
});

describe('NetworkPolicies and their engine', () => {
  const netpol = list({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'deny', namespace: 'ns' },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  });

  it('policies and no engine among every DaemonSet: inert, said so', () => {
    const model = modelFromFiles({
      'k8s/netpol.json': netpol,
      'k8s/daemonsets.json': list(awsNode({}), {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'kube-proxy', namespace: 'kube-system' },
      }),
    });
    const w = model.warnings.filter((x) => x.code === 'policies-inert' || x.code === 'policy-engine-assumed');
    assert.deepEqual(w, [
      {
        code: 'policies-inert',
        message:
          'NetworkPolicies are present but inert: no policy engine among the captured DaemonSets (no aws-eks-nodeagent container)',
      },
    ]);
  });

  it('policies and no DaemonSet captured: assumed enforced, said so', () => {
    const model = modelFromFiles({ 'k8s/netpol.json': netpol });
    assert.deepEqual(
      model.warnings.filter((x) => x.code === 'policies-inert' || x.code === 'policy-engine-assumed'),
      [
        {
          code: 'policy-engine-assumed',
          message: 'NetworkPolicies: no DaemonSets captured: policies assumed enforced',
        },
      ],
    );
  });

  it('policies and a known engine (calico-node): neither warning', () => {
    const model = modelFromFiles({
      'k8s/netpol.json': netpol,
      'k8s/daemonsets.json': list({
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'calico-node', namespace: 'calico-system' },
      }),
    });
    assert.equal(
      model.warnings.some((x) => x.code === 'policies-inert' || x.code === 'policy-engine-assumed'),
      false,
    );
  });

  it('no policies: neither warning', () => {
    const model = modelFromFiles({});
    assert.equal(
      model.warnings.some((x) => x.code === 'policies-inert' || x.code === 'policy-engine-assumed'),
      false,
    );
  });
});

describe('the pods’ address family', () => {
  const family = (files: Record<string, unknown>) => {
    const model = modelFromFiles(files);
    return [model.ipFamily, model.ipFamilySource];
  };

  it('describe-cluster’s ipFamily first, in any case', () => {
    assert.deepEqual(
      family({
        'aws/describe-cluster.json': cluster({ kubernetesNetworkConfig: { ipFamily: 'IPv6' } }),
        'k8s/aws-node.json': awsNode({}),
      }),
      [6, 'EKS cluster ipFamily ipv6'],
    );
    assert.deepEqual(
      family({
        'aws/describe-cluster.json': cluster({ kubernetesNetworkConfig: { ipFamily: 'IPV4' } }),
        'k8s/aws-node.json': awsNode({ ENABLE_IPv6: 'true' }),
      }),
      [4, 'EKS cluster ipFamily ipv4'],
    );
  });

  it('then aws-node’s ENABLE_IPv6', () => {
    assert.deepEqual(
      family({
        'k8s/aws-node.json': awsNode({ ENABLE_IPv6: 'true' }),
        'k8s/pods.json': list(pod('a', '10.0.0.1')),
      }),
      [6, 'aws-node ENABLE_IPv6=true'],
    );
    assert.deepEqual(
      family({ 'k8s/aws-node.json': awsNode({}), 'k8s/pods.json': list(pod('a', 'fd00::1')) }),
      [4, 'aws-node without ENABLE_IPv6=true'],
    );
  });

  it('then the pods’ IPs, hostNetwork pods aside', () => {
    assert.deepEqual(
      family({ 'k8s/pods.json': list(pod('a', 'fd00::1'), pod('b', undefined), pod('h', '10.0.0.5', true)) }),
      [6, 'every pod IP in the snapshot is IPv6'],
    );
    assert.deepEqual(family({ 'k8s/pods.json': list(pod('a', 'fd00::1'), pod('b', '10.0.0.2')) }), [
      4,
      'pod IPs in the snapshot are IPv4',
    ]);
    assert.deepEqual(family({ 'k8s/pods.json': list(pod('h', '10.0.0.5', true)) }), [
      4,
      'assumed IPv4: no cluster ipFamily, aws-node or pod IP in the snapshot',
    ]);
  });

  it('an IPv6 cluster gets a note; an IPv4 one none', () => {
    const six = modelFromFiles({ 'k8s/aws-node.json': awsNode({ ENABLE_IPv6: 'true' }) });
    assert.deepEqual(
      six.notes.filter((n) => n.code === 'ipv6'),
      [
        {
          code: 'ipv6',
          message:
            "IPv6 cluster (aws-node ENABLE_IPv6=true): pods get IPv6 addresses only, so pods not created yet take their subnet's IPv6 block",
        },
      ],
    );
    assert.deepEqual(
      modelFromFiles({}).notes.filter((n) => n.code === 'ipv6'),
      [],
    );
  });
});

describe('subnets no address block splits', () => {
  /** subnet-a 10.0.0.0/24 and subnet-b 10.0.1.0/24; ENI eni-1 carries sg-on. */
  const uniform = (files: Record<string, unknown>): string[] =>
    [
      ...modelFromFiles({
        'aws/subnets.json': {
          Subnets: [
            { SubnetId: 'subnet-a', VpcId: 'vpc-1', CidrBlock: '10.0.0.0/24' },
            { SubnetId: 'subnet-b', VpcId: 'vpc-1', CidrBlock: '10.0.1.0/24' },
          ],
        },
        'aws/network-interfaces.json': {
          NetworkInterfaces: [
            { NetworkInterfaceId: 'eni-1', Groups: [{ GroupId: 'sg-on' }], PrivateIpAddress: '10.0.0.5' },
          ],
        },
        ...files,
      }).uniformSubnets,
    ].sort();
  const groups = (...sgs: Json[]) => ({ 'aws/security-groups.json': { SecurityGroups: sgs } });
  const ingressFrom = (id: string, peer: Json, egress = false): Json => ({
    GroupId: id,
    [egress ? 'IpPermissionsEgress' : 'IpPermissions']: [
      { IpProtocol: 'tcp', FromPort: 1, ToPort: 1, ...peer },
    ],
  });

  it('no rule: every subnet', () => {
    assert.deepEqual(uniform({}), ['subnet-a', 'subnet-b']);
  });

  it('a CIDR rule of a group on an ENI that covers part of a subnet splits it; one covering it whole or none does not', () => {
    assert.deepEqual(uniform(groups(ingressFrom('sg-on', { IpRanges: [{ CidrIp: '10.0.0.0/25' }] }))), [
      'subnet-b',
    ]);
    assert.deepEqual(
      uniform(groups(ingressFrom('sg-on', { IpRanges: [{ CidrIp: '10.0.1.128/25' }] }, true))),
      ['subnet-a'],
    );
    assert.deepEqual(uniform(groups(ingressFrom('sg-on', { IpRanges: [{ CidrIp: '10.0.0.0/16' }] }))), [
      'subnet-a',
      'subnet-b',
    ]);
  });

  it('a group no ENI, ENIConfig or SecurityGroupPolicy carries splits nothing', () => {
    assert.deepEqual(uniform(groups(ingressFrom('sg-off', { IpRanges: [{ CidrIp: '10.0.0.0/25' }] }))), [
      'subnet-a',
      'subnet-b',
    ]);
  });

  it('a group an ENIConfig or a SecurityGroupPolicy names does', () => {
    const split = groups(ingressFrom('sg-pods', { IpRanges: [{ CidrIp: '10.0.0.0/25' }] }));
    assert.deepEqual(
      uniform({
        ...split,
        'k8s/eniconfigs.json': list({
          apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
          kind: 'ENIConfig',
          metadata: { name: 'c' },
          spec: { securityGroups: ['sg-pods'] },
        }),
      }),
      ['subnet-b'],
    );
    assert.deepEqual(
      uniform({
        ...split,
        'k8s/sgp.json': list({
          apiVersion: 'vpcresources.k8s.aws/v1beta1',
          kind: 'SecurityGroupPolicy',
          metadata: { name: 'p', namespace: 'ns' },
          spec: { podSelector: {}, securityGroups: { groupIds: ['sg-pods'] } },
        }),
      }),
      ['subnet-b'],
    );
  });

  it('a prefix list a carried group references splits by its entries; one no rule references does not', () => {
    assert.deepEqual(
      uniform({
        ...groups(ingressFrom('sg-on', { PrefixListIds: [{ PrefixListId: 'pl-0aaa' }] })),
        'aws/pl-0aaa.json': { Entries: [{ Cidr: '10.0.1.0/26' }] },
        'aws/pl-0bbb.json': { Entries: [{ Cidr: '10.0.0.0/26' }] },
      }),
      ['subnet-a'],
    );
  });

  it('every block counts, not only the last one found', () => {
    assert.deepEqual(
      uniform({
        ...groups(ingressFrom('sg-on', { IpRanges: [{ CidrIp: '10.0.0.0/25' }] })),
        'aws/network-acls.json': {
          NetworkAcls: [
            {
              NetworkAclId: 'acl-1',
              Entries: [
                {
                  RuleNumber: 100,
                  Protocol: '-1',
                  RuleAction: 'allow',
                  Egress: true,
                  CidrBlock: '0.0.0.0/0',
                },
              ],
            },
          ],
        },
      }),
      ['subnet-b'],
    );
  });

  it('a rule naming a prefix list the snapshot lacks splits nothing', () => {
    assert.deepEqual(
      uniform(groups(ingressFrom('sg-on', { PrefixListIds: [{ PrefixListId: 'pl-0fff' }] }))),
      ['subnet-a', 'subnet-b'],
    );
  });

  it('a Calico policy’s nets and notNets split', () => {
    const calico = (side: Json) =>
      list({
        apiVersion: 'projectcalico.org/v3',
        kind: 'NetworkPolicy',
        metadata: { name: 'p', namespace: 'ns' },
        spec: { selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Allow', source: side }] },
      });
    assert.deepEqual(uniform({ 'k8s/calico.json': calico({ nets: ['10.0.1.0/25'] }) }), ['subnet-a']);
    assert.deepEqual(uniform({ 'k8s/calico.json': calico({ notNets: ['10.0.0.0/25'] }) }), ['subnet-b']);
  });

  it('a dual-stack subnet one of whose blocks is split is not uniform', () => {
    const model = modelFromFiles({
      'aws/subnets.json': {
        Subnets: [
          {
            SubnetId: 'subnet-d',
            VpcId: 'vpc-1',
            CidrBlock: '10.0.0.0/24',
            Ipv6CidrBlockAssociationSet: [{ Ipv6CidrBlock: '2600:db8:0:1::/64' }],
          },
        ],
      },
      'aws/network-acls.json': {
        NetworkAcls: [
          {
            NetworkAclId: 'acl-1',
            Entries: [
              { RuleNumber: 100, Protocol: '-1', RuleAction: 'deny', Egress: true, CidrBlock: '10.0.0.0/25' },
            ],
          },
        ],
      },
    });
    assert.deepEqual([...model.uniformSubnets], []);
  });

  it('a NACL entry splits', () => {
    assert.deepEqual(
      uniform({
        'aws/network-acls.json': {
          NetworkAcls: [
            {
              NetworkAclId: 'acl-1',
              Entries: [
                {
                  RuleNumber: 100,
                  Protocol: '-1',
                  RuleAction: 'deny',
                  Egress: true,
                  CidrBlock: '10.0.1.64/26',
                },
              ],
            },
          ],
        },
      }),
      ['subnet-a'],
    );
  });

  it('a NetworkPolicy ipBlock splits, by its CIDR and by its except', () => {
    const policy = (ipBlock: Json, direction: 'ingress' | 'egress') =>
      list({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'p', namespace: 'ns' },
        spec: {
          podSelector: {},
          [direction]: [{ [direction === 'ingress' ? 'from' : 'to']: [{ podSelector: {} }, { ipBlock }] }],
        },
      });
    assert.deepEqual(uniform({ 'k8s/netpol.json': policy({ cidr: '10.0.0.0/25' }, 'ingress') }), [
      'subnet-b',
    ]);
    assert.deepEqual(
      uniform({ 'k8s/netpol.json': policy({ cidr: '10.0.0.0/16', except: ['10.0.1.0/28'] }, 'egress') }),
      ['subnet-a'],
    );
  });
});
