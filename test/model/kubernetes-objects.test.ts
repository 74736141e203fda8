/**
 * Kubernetes objects in the model (model/kubernetes.ts): nodes, pods, the aws-node DaemonSet's
 * VPC CNI settings, ENIConfigs, SecurityGroupPolicies and Services.
 * Facts relied on:
 * - Kubernetes API: a Pod's namespace defaults to `default`; `status.podIPs[0]` equals `podIP`;
 *   a container port's protocol defaults to TCP; `initContainers` run before `containers`; a Node is
 *   ready when its `Ready` condition is `True`; `spec.unschedulable` defaults to false.
 * - EKS/EC2: a node's `spec.providerID` is `aws:///<zone>/<instance-id>`; the node label
 *   `node.kubernetes.io/instance-type` (beta: `beta.kubernetes.io/instance-type`) names its type;
 *   P and G instance families carry NVIDIA GPUs.
 * - amazon-vpc-cni-k8s README: aws-node runs in kube-system; boolean settings are "true"/"false";
 *   POD_SECURITY_GROUP_ENFORCING_MODE is `strict` unless `standard`; ENI_CONFIG_LABEL_DEF names the
 *   node label holding the ENIConfig name (default `k8s.amazonaws.com/eniConfig`) and the
 *   `k8s.amazonaws.com/eniConfig` annotation wins over it; DISABLE_TCP_EARLY_DEMUX is set on the
 *   init container aws-vpc-cni-init.
 * - discovery.k8s.io/v1: an EndpointSlice names its Service by the `kubernetes.io/service-name`
 *   label, and a Service may have several slices; core/v1 Endpoints list ready and not-ready
 *   addresses per subset.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { list, modelFromFiles, type Json } from './model-of.ts';

const PROVIDER = (id: string) => `aws:///us-west-2a/${id}`;

function node(
  name: string,
  extra: { labels?: Json; annotations?: Json; spec?: Json; status?: Json } = {},
): Json {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: extra.labels ?? {},
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
    },
    spec: extra.spec ?? {},
    status: extra.status ?? {},
  };
}

const instances = (...list: Json[]): Json => ({ Reservations: [{ ReservationId: 'r-1', Instances: list }] });

function awsNode(env: Json, extra: { namespace?: string | null; initEnv?: Json; more?: Json[] } = {}): Json {
  const pairs = (e: Json) => Object.entries(e).map(([name, value]) => ({ name, value }));
  const namespace = extra.namespace === undefined ? 'kube-system' : extra.namespace;
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'aws-node', ...(namespace !== null ? { namespace } : {}) },
    spec: {
      template: {
        spec: {
          ...(extra.initEnv
            ? { initContainers: [{ name: 'aws-vpc-cni-init', image: 'init', env: pairs(extra.initEnv) }] }
            : {}),
          containers: [{ name: 'aws-node', image: 'cni', env: [...pairs(env), ...(extra.more ?? [])] }],
        },
      },
    },
  };
}

describe('nodes: instance, type and GPU', () => {
  it('the instance comes from providerID, else from the InternalIP; the stable type label wins', () => {
    const model = modelFromFiles({
      'aws/instances.json': instances(
        { InstanceId: 'i-0aaa', InstanceType: 'm6i.large', PrivateIpAddress: '10.0.0.1' },
        { InstanceId: 'i-0bbb', InstanceType: 'g5.xlarge', PrivateIpAddress: '10.0.0.2' },
      ),
      'k8s/nodes.json': list(
        node('by-provider', {
          labels: {
            'eks.amazonaws.com/nodegroup': 'ng',
            'node.kubernetes.io/instance-type': 'c7i.large',
            'beta.kubernetes.io/instance-type': 'c5.large',
          },
          spec: { providerID: PROVIDER('i-0aaa') },
          status: { addresses: [{ type: 'InternalIP', address: '10.0.0.2' }] },
        }),
        node('by-ip', {
          labels: { 'eks.amazonaws.com/nodegroup': 'ng' },
          status: {
            addresses: [
              { type: 'Hostname', address: 'host' },
              { type: 'InternalIP', address: '10.0.0.2' },
            ],
          },
        }),
      ),
    });
    const a = model.nodes.get('by-provider')!;
    assert.equal(a.instanceId, 'i-0aaa');
    assert.equal(a.instanceType, 'c7i.large');
    assert.equal(a.internalIp, '10.0.0.2');
    assert.equal(a.gpu, false);
    assert.equal(a.gpuEvidence, undefined);
    const b = model.nodes.get('by-ip')!;
    assert.equal(b.instanceId, 'i-0bbb');
    assert.equal(b.instanceType, 'g5.xlarge');
    assert.equal(b.gpu, true);
    assert.equal(b.gpuEvidence, 'GPU instance type g5.xlarge');
  });

  it('a providerID whose instance is not captured: its id still, no type', () => {
    const model = modelFromFiles({
      'k8s/nodes.json': list(
        node('n', {
          labels: { 'eks.amazonaws.com/nodegroup': 'ng' },
          spec: { providerID: PROVIDER('i-0ccc') },
        }),
      ),
    });
    const n = model.nodes.get('n')!;
    assert.equal(n.instanceId, 'i-0ccc');
    assert.equal(n.instanceType, undefined);
    assert.equal(n.internalIp, undefined);
  });

  it('GPU evidence: the GPU Operator label, then nvidia.com/gpu capacity, then a P or G type', () => {
    const model = modelFromFiles({
      'k8s/nodes.json': list(
        node('labelled', {
          labels: { 'eks.amazonaws.com/nodegroup': 'ng', 'nvidia.com/gpu.present': 'true' },
          status: { capacity: { 'nvidia.com/gpu': '8' } },
        }),
        node('capacity', {
          labels: { 'eks.amazonaws.com/nodegroup': 'ng', 'node.kubernetes.io/instance-type': 'p5.48xlarge' },
          status: { capacity: { 'nvidia.com/gpu': '8' } },
        }),
        node('p-type', {
          labels: { 'eks.amazonaws.com/nodegroup': 'ng', 'node.kubernetes.io/instance-type': 'p4d.24xlarge' },
        }),
        node('label-false', {
          labels: { 'eks.amazonaws.com/nodegroup': 'ng', 'nvidia.com/gpu.present': 'false' },
          status: { capacity: { 'nvidia.com/gpu': '0' } },
        }),
        node('graviton', {
          labels: { 'eks.amazonaws.com/nodegroup': 'ng', 'node.kubernetes.io/instance-type': 'm7g.large' },
        }),
      ),
    });
    const evidence = (name: string) => model.nodes.get(name)!.gpuEvidence;
    assert.equal(evidence('labelled'), 'label nvidia.com/gpu.present=true');
    assert.equal(evidence('capacity'), 'capacity nvidia.com/gpu=8');
    assert.equal(evidence('p-type'), 'GPU instance type p4d.24xlarge');
    assert.equal(evidence('label-false'), undefined);
    assert.equal(model.nodes.get('label-false')!.gpu, false);
    assert.equal(evidence('graviton'), undefined);
  });

  it('ready only with Ready=True; unschedulable and taints as the spec says, else none', () => {
    const taint = { key: 'k', value: 'v', effect: 'NoSchedule' };
    const model = modelFromFiles({
      'k8s/nodes.json': list(
        node('ready', {
          labels: { 'eks.amazonaws.com/nodegroup': 'ng' },
          spec: { unschedulable: true, taints: [taint] },
          status: {
            conditions: [
              { type: 'MemoryPressure', status: 'True' },
              { type: 'Ready', status: 'True' },
            ],
          },
        }),
        node('not-ready', {
          labels: { 'eks.amazonaws.com/nodegroup': 'ng' },
          status: {
            conditions: [
              { type: 'DiskPressure', status: 'True' },
              { type: 'Ready', status: 'Unknown' },
            ],
          },
        }),
      ),
    });
    const ready = model.nodes.get('ready')!;
    assert.equal(ready.ready, true);
    assert.equal(ready.unschedulable, true);
    assert.deepEqual(ready.taints, [taint]);
    const notReady = model.nodes.get('not-ready')!;
    assert.equal(notReady.ready, false);
    assert.equal(notReady.unschedulable, false);
    assert.deepEqual(notReady.taints, []);
    assert.equal(notReady.nodeGroupSource, 'label eks.amazonaws.com/nodegroup');
  });
});

describe('nodes no label or tag names: the fallback groups and the note', () => {
  it('split by GPU presence within one instance type, naming the basis', () => {
    const model = modelFromFiles({
      'k8s/nodes.json': list(
        node('a', {
          labels: { 'node.kubernetes.io/instance-type': 'gr6.4xlarge', 'nvidia.com/gpu.present': 'true' },
        }),
        node('b', { labels: { 'node.kubernetes.io/instance-type': 'gr6.4xlarge' } }),
        node('c', { labels: { 'node.kubernetes.io/instance-type': 'm7i.large' } }),
      ),
    });
    assert.equal(
      model.nodes.get('a')!.nodeGroupSource,
      'no node-group label or tag: grouped by instance type (label node.kubernetes.io/instance-type) and GPU presence',
    );
    assert.equal(
      model.nodes.get('c')!.nodeGroupSource,
      'no node-group label or tag: grouped by instance type (label node.kubernetes.io/instance-type)',
    );
    assert.equal(model.nodes.get('c')!.nodeGroup, '(instance type m7i.large)');
    const note = model.notes.find((n) => n.code === 'node-groups-inferred');
    assert.equal(
      note?.message,
      'nodes without an EKS, eksctl or Karpenter node-group label or an eks:nodegroup-name tag are grouped by instance type (label node.kubernetes.io/instance-type, else the beta label, else the EC2 instance), and GPU nodes apart from the others (GPU label, nvidia.com/gpu capacity or a p/g instance type): (instance type gr6.4xlarge, GPU): a; (instance type gr6.4xlarge, no GPU): b; (instance type m7i.large): c',
    );
  });

  it('no type and a GPU shown by label only: "(no node group, GPU)"; none at all: "(no node group)"', () => {
    const model = modelFromFiles({
      'k8s/nodes.json': list(node('g', { labels: { 'nvidia.com/gpu.present': 'true' } }), node('s')),
    });
    assert.equal(model.nodes.get('g')!.nodeGroup, '(no node group, GPU)');
    assert.equal(
      model.nodes.get('g')!.nodeGroupSource,
      'no node-group label or tag and no instance type: grouped by GPU capacity',
    );
    assert.equal(model.nodes.get('s')!.nodeGroup, '(no node group)');
    assert.equal(
      model.nodes.get('s')!.nodeGroupSource,
      'no node-group label or tag, no instance type and no GPU',
    );
  });

  it('more than three nodes in a group: three named, and how many more', () => {
    const names = ['n1', 'n2', 'n3', 'n4', 'n5'];
    const model = modelFromFiles({
      'k8s/nodes.json': list(
        ...names.map((n) => node(n, { labels: { 'node.kubernetes.io/instance-type': 'm7i.large' } })),
      ),
    });
    const note = model.notes.find((n) => n.code === 'node-groups-inferred')!;
    assert.match(note.message, /: \(instance type m7i\.large\): n1, n2, n3 and 2 more$/);
  });

  it('exactly three: all named', () => {
    const model = modelFromFiles({
      'k8s/nodes.json': list(
        ...['n1', 'n2', 'n3'].map((n) =>
          node(n, { labels: { 'node.kubernetes.io/instance-type': 'm7i.large' } }),
        ),
      ),
    });
    assert.match(
      model.notes.find((n) => n.code === 'node-groups-inferred')!.message,
      /: \(instance type m7i\.large\): n1, n2, n3$/,
    );
  });

  it('every node labelled: no note', () => {
    const model = modelFromFiles({
      'k8s/nodes.json': list(node('n', { labels: { 'karpenter.sh/nodepool': 'p' } })),
    });
    assert.equal(
      model.notes.find((n) => n.code === 'node-groups-inferred'),
      undefined,
    );
  });
});

describe('nodes: the ENIConfig name (custom networking)', () => {
  const nodes = list(
    node('annotated', {
      labels: { 'k8s.amazonaws.com/eniConfig': 'from-label', 'topology.kubernetes.io/zone': 'us-west-2a' },
      annotations: { 'k8s.amazonaws.com/eniConfig': 'from-annotation' },
    }),
    node('labelled', {
      labels: { 'k8s.amazonaws.com/eniConfig': 'from-label', 'topology.kubernetes.io/zone': 'us-west-2b' },
    }),
  );
  const names = (files: Record<string, unknown>) => {
    const model = modelFromFiles({ 'k8s/nodes.json': nodes, ...files });
    return [model.nodes.get('annotated')!.eniConfigName, model.nodes.get('labelled')!.eniConfigName];
  };

  it('custom networking on: the annotation first, then the default label', () => {
    assert.deepEqual(
      names({ 'k8s/aws-node.json': awsNode({ AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true' }) }),
      ['from-annotation', 'from-label'],
    );
  });

  it('ENI_CONFIG_LABEL_DEF names the label', () => {
    assert.deepEqual(
      names({
        'k8s/aws-node.json': awsNode({
          AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true',
          ENI_CONFIG_LABEL_DEF: 'topology.kubernetes.io/zone',
        }),
      }),
      ['from-annotation', 'us-west-2b'],
    );
  });

  it('custom networking off: no ENIConfig', () => {
    assert.deepEqual(
      names({ 'k8s/aws-node.json': awsNode({ AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'false' }) }),
      [undefined, undefined],
    );
  });

  it('no aws-node DaemonSet: the names the defaults would read', () => {
    assert.deepEqual(names({}), ['from-annotation', 'from-label']);
  });
});

function pod(name: string, spec: Json, extra: { metadata?: Json; status?: Json } = {}): Json {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...extra.metadata },
    spec,
    status: extra.status ?? {},
  };
}

describe('pods', () => {
  it('defaults: namespace default, no node, no IP, not hostNetwork, no labels, annotations, phase or tolerations', () => {
    const model = modelFromFiles({
      'k8s/pods.json': list(pod('p', { nodeName: '', containers: [{ name: 'c' }] })),
    });
    const p = model.pods[0]!;
    assert.equal(p.namespace, 'default');
    assert.equal(p.name, 'p');
    assert.equal(p.nodeName, undefined);
    assert.equal(p.ip, undefined);
    assert.equal(p.hostNetwork, false);
    assert.deepEqual(p.labels, {});
    assert.deepEqual(p.annotations, {});
    assert.equal(p.phase, undefined);
    assert.deepEqual(p.tolerations, []);
    assert.deepEqual(p.images, []);
    assert.deepEqual(p.env, {});
    assert.deepEqual({ ...p.namedPorts }, {});
  });

  it('the IP from podIP, else the first of podIPs', () => {
    const model = modelFromFiles({
      'k8s/pods.json': list(
        pod('a', { containers: [] }, { status: { podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.9' }] } }),
        pod('b', { containers: [] }, { status: { podIPs: [{ ip: '10.0.0.6' }, { ip: 'fd00::6' }] } }),
      ),
    });
    assert.equal(model.pods[0]!.ip, '10.0.0.5');
    assert.equal(model.pods[1]!.ip, '10.0.0.6');
  });

  it('images of every container, then the init containers; an env value from the first container that sets it', () => {
    const model = modelFromFiles({
      'k8s/pods.json': list(
        pod(
          'p',
          {
            nodeName: 'n1',
            hostNetwork: true,
            tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }],
            initContainers: [
              {
                name: 'init',
                image: 'init:1',
                env: [
                  { name: 'A', value: 'from-init' },
                  { name: 'D', value: 'init-only' },
                ],
              },
            ],
            containers: [
              {
                name: 'main',
                image: 'main:1',
                env: [
                  { name: 'A', value: 'first' },
                  { name: 'B', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                ],
              },
              {
                name: 'side',
                image: 'side:1',
                env: [
                  { name: 'A', value: 'second' },
                  { name: 'B', value: 'side' },
                  { name: 'C', value: '' },
                ],
              },
            ],
          },
          {
            metadata: { namespace: 'ns', labels: { app: 'x' }, annotations: { note: 'y' } },
            status: { phase: 'Running' },
          },
        ),
      ),
    });
    const p = model.pods[0]!;
    assert.deepEqual(p.images, ['main:1', 'side:1', 'init:1']);
    assert.deepEqual(p.env, { A: 'first', B: 'side', C: '', D: 'init-only' });
    assert.equal(p.nodeName, 'n1');
    assert.equal(p.hostNetwork, true);
    assert.equal(p.namespace, 'ns');
    assert.deepEqual(p.labels, { app: 'x' });
    assert.deepEqual(p.annotations, { note: 'y' });
    assert.equal(p.phase, 'Running');
    assert.deepEqual(p.tolerations, [{ key: 'nvidia.com/gpu', operator: 'Exists' }]);
  });

  it('named container ports with their protocol (TCP unless given); unnamed ports and init containers’ are not named ports', () => {
    const model = modelFromFiles({
      'k8s/pods.json': list(
        pod('p', {
          initContainers: [{ name: 'init', ports: [{ name: 'init-port', containerPort: 1 }] }],
          containers: [
            {
              name: 'main',
              ports: [
                { name: 'http', containerPort: 8000 },
                { containerPort: 9000 },
                { name: 'dns', containerPort: 53, protocol: 'UDP' },
              ],
            },
            { name: 'side', ports: [{ name: 'constructor', containerPort: 7000 }] },
          ],
        }),
      ),
    });
    assert.deepEqual(
      { ...model.pods[0]!.namedPorts },
      {
        http: { port: 8000, protocol: 'TCP' },
        dns: { port: 53, protocol: 'UDP' },
        constructor: { port: 7000, protocol: 'TCP' },
      },
    );
  });
});

describe('the VPC CNI settings (aws-node)', () => {
  it('not captured: the CNI defaults (strict mode), marked not captured', () => {
    const cni = modelFromFiles({}).cni;
    assert.deepEqual(cni, {
      customNetworking: false,
      podEni: false,
      enforcingMode: 'strict',
      externalSnat: false,
      ipv6: false,
      tcpEarlyDemuxDisabled: false,
      captured: false,
    });
  });

  it('every setting read, case-insensitively', () => {
    const cni = modelFromFiles({
      'k8s/aws-node.json': awsNode(
        {
          AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'TRUE',
          ENABLE_POD_ENI: 'True',
          POD_SECURITY_GROUP_ENFORCING_MODE: 'Standard',
          AWS_VPC_K8S_CNI_EXTERNALSNAT: 'true',
          ENABLE_IPv6: 'true',
          ENI_CONFIG_LABEL_DEF: 'topology.kubernetes.io/zone',
        },
        { initEnv: { DISABLE_TCP_EARLY_DEMUX: 'true' } },
      ),
    }).cni;
    assert.equal(cni.customNetworking, true);
    assert.equal(cni.podEni, true);
    assert.equal(cni.enforcingMode, 'standard');
    assert.equal(cni.externalSnat, true);
    assert.equal(cni.ipv6, true);
    assert.equal(cni.eniConfigLabelDef, 'topology.kubernetes.io/zone');
    assert.equal(cni.tcpEarlyDemuxDisabled, true);
    assert.equal(cni.tcpEarlyDemuxSetting, 'true');
    assert.equal(cni.captured, true);
    assert.equal(cni.origin?.file, 'k8s/aws-node.json');
  });

  it('captured with nothing set: every setting off, strict mode, no label def or demux setting', () => {
    const cni = modelFromFiles({ 'k8s/aws-node.json': awsNode({}, { namespace: null }) }).cni;
    assert.equal(cni.captured, true, 'a DaemonSet with no namespace is read as kube-system');
    assert.equal(cni.customNetworking, false);
    assert.equal(cni.podEni, false);
    assert.equal(cni.enforcingMode, 'strict');
    assert.equal(cni.externalSnat, false);
    assert.equal(cni.ipv6, false);
    assert.equal(cni.tcpEarlyDemuxDisabled, false);
    assert.equal('eniConfigLabelDef' in cni, false);
    assert.equal('tcpEarlyDemuxSetting' in cni, false);
  });

  it('DISABLE_TCP_EARLY_DEMUX on the main container is not the init container’s; "false" is kept as said', () => {
    const main = modelFromFiles({ 'k8s/aws-node.json': awsNode({ DISABLE_TCP_EARLY_DEMUX: 'true' }) }).cni;
    assert.equal(main.tcpEarlyDemuxDisabled, false);
    assert.equal('tcpEarlyDemuxSetting' in main, false);
    const off = modelFromFiles({
      'k8s/aws-node.json': awsNode({}, { initEnv: { DISABLE_TCP_EARLY_DEMUX: 'false' } }),
    }).cni;
    assert.equal(off.tcpEarlyDemuxDisabled, false);
    assert.equal(off.tcpEarlyDemuxSetting, 'false');
  });

  it('an aws-node DaemonSet outside kube-system is not the CNI', () => {
    const cni = modelFromFiles({
      'k8s/aws-node.json': awsNode({ ENABLE_POD_ENI: 'true' }, { namespace: 'other' }),
    }).cni;
    assert.equal(cni.captured, false);
    assert.equal(cni.podEni, false);
  });

  it('a variable set from a reference (valueFrom) is not a value', () => {
    const cni = modelFromFiles({
      'k8s/aws-node.json': awsNode(
        {},
        { more: [{ name: 'ENABLE_POD_ENI', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } }] },
      ),
    }).cni;
    assert.equal(cni.podEni, false);
  });
});

describe('ENIConfigs and SecurityGroupPolicies', () => {
  it('an ENIConfig’s subnet and groups, none when unset', () => {
    const model = modelFromFiles({
      'k8s/eniconfigs.json': list(
        {
          apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
          kind: 'ENIConfig',
          metadata: { name: 'full' },
          spec: { subnet: 'subnet-1', securityGroups: ['sg-1', 'sg-2'] },
        },
        {
          apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
          kind: 'ENIConfig',
          metadata: { name: 'empty' },
          spec: {},
        },
      ),
    });
    const full = model.eniConfigs.get('full')!;
    assert.equal(full.name, 'full');
    assert.equal(full.subnetId, 'subnet-1');
    assert.deepEqual(full.securityGroups, ['sg-1', 'sg-2']);
    assert.equal(full.origin.file, 'k8s/eniconfigs.json');
    const empty = model.eniConfigs.get('empty')!;
    assert.equal('subnetId' in empty, false);
    assert.deepEqual(empty.securityGroups, []);
  });

  it('a SecurityGroupPolicy’s namespace (default when unset), selectors and groups', () => {
    const sgp = (metadata: Json, spec: Json) => ({
      apiVersion: 'vpcresources.k8s.aws/v1beta1',
      kind: 'SecurityGroupPolicy',
      metadata,
      spec,
    });
    const model = modelFromFiles({
      'k8s/sgp.json': list(
        sgp(
          { name: 'a', namespace: 'apps' },
          {
            podSelector: { matchLabels: { app: 'x' } },
            serviceAccountSelector: { matchLabels: { sa: 'y' } },
            securityGroups: { groupIds: ['sg-1'] },
          },
        ),
        sgp({ name: 'b' }, {}),
      ),
    });
    const [a, b] = model.securityGroupPolicies;
    assert.equal(a!.namespace, 'apps');
    assert.equal(a!.name, 'a');
    assert.deepEqual(a!.podSelector, { matchLabels: { app: 'x' } });
    assert.deepEqual(a!.serviceAccountSelector, { matchLabels: { sa: 'y' } });
    assert.deepEqual(a!.groupIds, ['sg-1']);
    assert.equal(b!.namespace, 'default');
    assert.equal('podSelector' in b!, false);
    assert.equal('serviceAccountSelector' in b!, false);
    assert.deepEqual(b!.groupIds, []);
  });
});

describe('Services, their EndpointSlices and Endpoints', () => {
  const service = (namespace: string | undefined, name: string, spec: Json) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, ...(namespace ? { namespace } : {}) },
    spec,
  });
  const slice = (namespace: string, service: string | undefined, addresses: string[][]) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${service}-x`,
      namespace,
      ...(service ? { labels: { 'kubernetes.io/service-name': service } } : {}),
    },
    endpoints: addresses.map((a) => ({ addresses: a })),
  });
  const endpoints = (namespace: string, name: string, subsets: Json[]) => ({
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace },
    subsets,
  });
  const model = modelFromFiles({
    'k8s/services.json': list(
      service('ns', 'web', {
        selector: { app: 'web' },
        ports: [
          { port: 80, targetPort: 'http', protocol: 'TCP' },
          { port: 53, targetPort: 5353, protocol: 'UDP' },
          { port: 443 },
        ],
      }),
      service(undefined, 'plain', {}),
    ),
    'k8s/endpointslices.json': list(
      slice('ns', 'web', [['10.0.0.1'], ['10.0.0.2']]),
      slice('ns', 'web', [['10.0.0.3']]),
      slice('ns', undefined, [['10.0.0.99']]),
      slice('ns', 'empty-slices', []),
    ),
    'k8s/endpoints.json': list(
      endpoints('ns', 'web', [{ addresses: [{ ip: '10.9.9.9' }] }]),
      endpoints('ns', 'empty-slices', [
        { addresses: [{ ip: '10.0.1.1' }], notReadyAddresses: [{ ip: '10.0.1.2' }] },
        { notReadyAddresses: [{ ip: '10.0.1.3' }] },
      ]),
      endpoints('ns', 'none', [{}]),
    ),
  });

  it('a Service’s selector and ports (targetPort and protocol when given)', () => {
    assert.deepEqual(model.serviceSelector('ns', 'web'), { app: 'web' });
    assert.deepEqual(model.servicePorts('ns', 'web'), [
      { port: 80, targetPort: 'http', protocol: 'TCP' },
      { port: 53, targetPort: 5353, protocol: 'UDP' },
      { port: 443 },
    ]);
    assert.equal(model.serviceSelector('ns', 'missing'), undefined);
    assert.equal(model.servicePorts('ns', 'missing'), undefined);
  });

  it('a Service with no namespace is in default; with no selector has none', () => {
    assert.equal(model.serviceSelector('default', 'plain'), undefined);
    assert.deepEqual(model.servicePorts('default', 'plain'), []);
    assert.equal(model.servicePorts('ns', 'plain'), undefined);
  });

  it('the addresses of every EndpointSlice of the Service, before its Endpoints', () => {
    assert.deepEqual(model.serviceEndpoints('ns', 'web'), {
      addresses: ['10.0.0.1', '10.0.0.2', '10.0.0.3'],
      via: 'EndpointSlices of Service ns/web',
    });
  });

  it('no address in its slices: the Endpoints, ready and not ready', () => {
    assert.deepEqual(model.serviceEndpoints('ns', 'empty-slices'), {
      addresses: ['10.0.1.1', '10.0.1.2', '10.0.1.3'],
      via: 'Endpoints of Service ns/empty-slices',
    });
  });

  it('no address anywhere: none', () => {
    assert.equal(model.serviceEndpoints('ns', 'none'), undefined);
    assert.equal(model.serviceEndpoints('ns', 'missing'), undefined);
  });
});
