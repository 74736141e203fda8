/**
 * The kubelet as a source (model/kubelet.ts): its probes and where it probes from.
 * Kubernetes (Pod API, pkg/kubelet/prober): a probe has one handler — exec (runs in the
 * container), httpGet, tcpSocket or grpc; httpGet and tcpSocket take a port number or the name of
 * one of the container's ports, and an optional host (default: the pod IP); a port is 1-65535; the
 * kubelet runs readiness, liveness and startup probes of the app containers. The kubelet runs in
 * the node's host network, so it dials from the node's IP on its primary ENI.
 * VPC CNI README: pods have their own security groups under ENABLE_POD_ENI=true with a
 * SecurityGroupPolicy; DISABLE_TCP_EARLY_DEMUX=true on the init container lets the kubelet's TCP
 * probes reach branch-ENI pods.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  kubeletEndpoint,
  podProbes,
  podSecurityGroupsEvidence,
  tcpEarlyDemuxProblem,
} from '../../src/model/kubelet.ts';
import { allTraffic, scenario, type Scenario } from '../helpers/scenario.ts';
import { list, modelFromFiles, modelOf, type Json } from './model-of.ts';

function probesOf(containers: Json[]) {
  const model = modelFromFiles({
    'k8s/pods.json': list({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'ns' },
      spec: { containers },
    }),
  });
  return podProbes(model.pods[0]!);
}

describe('podProbes: where the kubelet connects', () => {
  it('a port number, a named port, a name that reads as a number, for each probe kind and handler', () => {
    const found = probesOf([
      {
        name: 'app',
        ports: [
          { name: 'http', containerPort: 8000 },
          { name: 'bad', containerPort: 0 },
        ],
        readinessProbe: { httpGet: { port: 'http', path: '/ready' } },
        livenessProbe: { tcpSocket: { port: 9000 } },
        startupProbe: { grpc: { port: 9090 } },
      },
      {
        name: 'side',
        livenessProbe: { httpGet: { port: '8080' } },
        readinessProbe: { tcpSocket: { port: 65535 } },
      },
    ]);
    assert.deepEqual(found.without, []);
    assert.deepEqual(found.probes, [
      {
        container: 'app',
        probe: 'readiness',
        handler: 'httpGet',
        port: 8000,
        portText: 'httpGet port "http" (containerPort 8000)',
      },
      {
        container: 'app',
        probe: 'liveness',
        handler: 'tcpSocket',
        port: 9000,
        portText: 'tcpSocket port 9000',
      },
      { container: 'app', probe: 'startup', handler: 'grpc', port: 9090, portText: 'grpc port 9090' },
      {
        container: 'side',
        probe: 'readiness',
        handler: 'tcpSocket',
        port: 65535,
        portText: 'tcpSocket port 65535',
      },
      {
        container: 'side',
        probe: 'liveness',
        handler: 'httpGet',
        port: 8080,
        portText: 'httpGet port "8080"',
      },
    ]);
  });

  it('ports that are none: out of range, a name no port declares, a named port out of range', () => {
    const found = probesOf([
      {
        name: 'app',
        ports: [{ name: 'zero', containerPort: 0 }],
        readinessProbe: { tcpSocket: { port: 0 } },
        livenessProbe: { httpGet: { port: 'metrics' } },
        startupProbe: { httpGet: { port: 'zero' } },
      },
      {
        name: 'big',
        readinessProbe: { grpc: { port: 65536 } },
        livenessProbe: { tcpSocket: { port: '65536' } },
      },
      { name: 'long', readinessProbe: { tcpSocket: { port: '000080' } } },
    ]);
    assert.deepEqual(found.probes, [
      {
        container: 'app',
        probe: 'readiness',
        handler: 'tcpSocket',
        portText: 'tcpSocket port 0',
        unresolved: 'tcpSocket port 0 is not a TCP port (1-65535)',
      },
      {
        container: 'app',
        probe: 'liveness',
        handler: 'httpGet',
        portText: 'httpGet port "metrics"',
        unresolved: 'container app declares no port named "metrics" for its httpGet probe',
      },
      {
        container: 'app',
        probe: 'startup',
        handler: 'httpGet',
        portText: 'httpGet port "zero"',
        unresolved: 'container app declares no port named "zero" for its httpGet probe',
      },
      {
        container: 'big',
        probe: 'readiness',
        handler: 'grpc',
        portText: 'grpc port 65536',
        unresolved: 'grpc port 65536 is not a TCP port (1-65535)',
      },
      {
        container: 'big',
        probe: 'liveness',
        handler: 'tcpSocket',
        portText: 'tcpSocket port "65536"',
        unresolved: 'container big declares no port named "65536" for its tcpSocket probe',
      },
      {
        container: 'long',
        probe: 'readiness',
        handler: 'tcpSocket',
        portText: 'tcpSocket port "000080"',
        unresolved: 'container long declares no port named "000080" for its tcpSocket probe',
      },
    ]);
  });

  it('port 1 is a port', () => {
    const found = probesOf([
      { name: 'a', readinessProbe: { tcpSocket: { port: 1 } }, livenessProbe: { tcpSocket: { port: '1' } } },
    ]);
    assert.deepEqual(
      found.probes.map((p) => p.port),
      [1, 1],
    );
  });

  it('probes that open no connection to the pod, each with why', () => {
    const found = probesOf([
      {
        name: 'app',
        readinessProbe: { exec: { command: ['true'] } },
        livenessProbe: { httpGet: { port: 80, host: '10.9.9.9' } },
        startupProbe: {},
      },
      { name: 'side', readinessProbe: { tcpSocket: { port: 80, host: 'db.internal' } } },
    ]);
    assert.deepEqual(found.probes, []);
    assert.deepEqual(found.without, [
      'container app readiness probe: exec, runs inside the container (no connection)',
      'container app liveness probe: httpGet host 10.9.9.9, not the pod',
      'container app startup probe: no handler the snapshot shows',
      'container side readiness probe: tcpSocket host db.internal, not the pod',
    ]);
  });

  it('init containers are not probed', () => {
    const model = modelFromFiles({
      'k8s/pods.json': list({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p' },
        spec: {
          initContainers: [{ name: 'init', readinessProbe: { tcpSocket: { port: 80 } } }],
          containers: [{ name: 'app' }],
        },
      }),
    });
    assert.deepEqual(podProbes(model.pods[0]!), { probes: [], without: [] });
  });
});

function cluster(env?: Record<string, string>): Scenario {
  const s = scenario()
    .subnet('subnet-a', '10.0.16.0/20')
    .withoutNacls()
    .sg('sg-b', [allTraffic.fromGroup('sg-b')])
    .sg('sg-a', [])
    .node('node-1', { group: 'gpu', subnet: 'subnet-a', ip: '10.0.16.10', sgs: ['sg-b', 'sg-a'] });
  return env ? s.cni(env) : s;
}

describe('kubeletEndpoint: the node’s host network', () => {
  it('the primary ENI, its sorted groups and subnet, the node’s IP', () => {
    const model = modelOf(cluster());
    const end = kubeletEndpoint(model, 'node-1');
    assert.equal(end.id, 'kubelet:node-1');
    assert.equal(end.kind, 'kubelet');
    assert.equal(end.label, 'the kubelet on node-1');
    assert.equal(end.nodeName, 'node-1');
    assert.equal(end.nodeGroup, 'gpu');
    assert.equal(end.sgOnSameNode, false);
    assert.equal(end.addressText, '10.0.16.10');
    assert.equal(end.addresses?.family, 4);
    assert.equal(end.eniId, 'eni-node-1-0');
    assert.deepEqual(end.securityGroups, ['sg-a', 'sg-b']);
    assert.equal(end.subnetId, 'subnet-a');
    assert.equal(end.unresolved, undefined);
    assert.deepEqual(end.attachment, [
      "the kubelet runs in node node-1's host network: it probes from the primary IP 10.0.16.10 on eni-node-1-0",
    ]);
    assert.equal(kubeletEndpoint(model, 'node-1'), end, 'once per model and node');
  });

  it('a node with no InternalIP: the primary ENI’s own IP; an ENI with no subnet: none', () => {
    const model = modelOf(cluster(), {
      'k8s/nodes.json': (doc) => {
        for (const n of doc.items as { status: Json }[]) n.status.addresses = [];
      },
      'aws/network-interfaces.json': (doc) => {
        for (const e of doc.NetworkInterfaces as Json[]) delete e.SubnetId;
      },
    });
    const end = kubeletEndpoint(model, 'node-1');
    assert.equal(end.addressText, '10.0.16.10');
    assert.equal('subnetId' in end, false);
  });

  it('a node not in the snapshot, or none: unresolved', () => {
    const model = modelOf(cluster());
    const gone = kubeletEndpoint(model, 'node-9');
    assert.equal(gone.unresolved, 'node node-9 is not in the snapshot');
    assert.equal(gone.addressText, '(unknown)');
    assert.equal(gone.nodeGroup, '(no node group)');
    assert.deepEqual(gone.securityGroups, []);
    assert.deepEqual(gone.attachment, []);
    assert.equal(gone.nodeName, 'node-9');
    const none = kubeletEndpoint(model, undefined);
    assert.equal(none.unresolved, 'node (unscheduled) is not in the snapshot');
    assert.equal(none.id, 'kubelet:');
    assert.equal(none.label, 'the kubelet on (no node)');
    assert.equal('nodeName' in none, false);
    assert.equal(kubeletEndpoint(model, undefined), none);
  });

  it('a node whose primary ENI is not captured: unresolved, with the node’s IP', () => {
    const model = modelOf(cluster(), {
      'aws/network-interfaces.json': (doc) => void (doc.NetworkInterfaces = []),
    });
    const end = kubeletEndpoint(model, 'node-1');
    assert.equal(end.unresolved, 'the primary ENI of node node-1 is not in the snapshot');
    assert.equal(end.addressText, '10.0.16.10');
    assert.equal(end.nodeGroup, 'gpu');
  });
});

const sgps = (...names: string[]) =>
  list(
    ...names.map((n) => ({
      apiVersion: 'vpcresources.k8s.aws/v1beta1',
      kind: 'SecurityGroupPolicy',
      metadata: { name: n, namespace: 'ns' },
      spec: { podSelector: {}, securityGroups: { groupIds: ['sg-a'] } },
    })),
  );

describe('podSecurityGroupsEvidence and tcpEarlyDemuxProblem', () => {
  it('aws-node not captured: no pod groups (the CNI default), no demux problem', () => {
    const model = modelOf(cluster());
    assert.deepEqual(podSecurityGroupsEvidence(model), {
      value: false,
      source: 'the aws-node DaemonSet was not captured: ENABLE_POD_ENI takes the VPC CNI default (false)',
    });
    assert.equal(tcpEarlyDemuxProblem(model), undefined);
  });

  it('ENABLE_POD_ENI not true: no pod groups, no demux problem', () => {
    const model = modelOf(cluster({ ENABLE_POD_ENI: 'false' }));
    assert.deepEqual(podSecurityGroupsEvidence(model), {
      value: false,
      source:
        'ENABLE_POD_ENI is not true on aws-node (k8s/aws-node.json): no pod has its own security groups',
    });
    assert.equal(tcpEarlyDemuxProblem(model), undefined);
  });

  it('ENABLE_POD_ENI=true and no SecurityGroupPolicy: no pod groups; DISABLE_TCP_EARLY_DEMUX unset is a problem', () => {
    const model = modelOf(cluster({ ENABLE_POD_ENI: 'true' }));
    assert.deepEqual(podSecurityGroupsEvidence(model), {
      value: false,
      source: 'ENABLE_POD_ENI=true on aws-node (k8s/aws-node.json), but no SecurityGroupPolicy was captured',
    });
    assert.equal(
      tcpEarlyDemuxProblem(model),
      `DISABLE_TCP_EARLY_DEMUX is unset on aws-node's init container: the VPC CNI README says it should be true for the kubelet's TCP probes to reach pods on branch ENIs (kubectl -n kube-system patch daemonset aws-node -p '{"spec":{"template":{"spec":{"initContainers":[{"name":"aws-vpc-cni-init","env":[{"name":"DISABLE_TCP_EARLY_DEMUX","value":"true"}]}]}}}}')`,
    );
  });

  it('with policies: pod groups, naming the mode and three policies, then how many more', () => {
    const model = modelOf(
      cluster({ ENABLE_POD_ENI: 'true' }).file('k8s/sgp.json', sgps('a', 'b', 'c', 'd', 'e')),
    );
    assert.deepEqual(podSecurityGroupsEvidence(model), {
      value: true,
      source:
        'ENABLE_POD_ENI=true on aws-node (k8s/aws-node.json), POD_SECURITY_GROUP_ENFORCING_MODE strict, SecurityGroupPolicy ns/a, ns/b, ns/c and 2 more',
    });
    const three = modelOf(
      cluster({ ENABLE_POD_ENI: 'true', POD_SECURITY_GROUP_ENFORCING_MODE: 'standard' }).file(
        'k8s/sgp.json',
        sgps('a', 'b', 'c'),
      ),
    );
    assert.equal(
      podSecurityGroupsEvidence(three).source,
      'ENABLE_POD_ENI=true on aws-node (k8s/aws-node.json), POD_SECURITY_GROUP_ENFORCING_MODE standard, SecurityGroupPolicy ns/a, ns/b, ns/c',
    );
  });

  it('DISABLE_TCP_EARLY_DEMUX on the init container: true is no problem, anything else is quoted', () => {
    const withInit = (value: string) =>
      modelOf(cluster({ ENABLE_POD_ENI: 'true' }), {
        'k8s/aws-node.json': (doc) => {
          const spec = ((doc.spec as Json).template as Json).spec as Json;
          spec.initContainers = [
            { name: 'aws-vpc-cni-init', env: [{ name: 'DISABLE_TCP_EARLY_DEMUX', value }] },
          ];
        },
      });
    assert.equal(tcpEarlyDemuxProblem(withInit('true')), undefined);
    assert.match(
      tcpEarlyDemuxProblem(withInit('false')) ?? '',
      /^DISABLE_TCP_EARLY_DEMUX is "false" on aws-node's init container:/,
    );
  });
});
