/**
 * Kubernetes and EC2 objects with the optional parts left out (model/kubernetes.ts): the model reads
 * them as empty, never fails on them. Kubernetes API: `spec` of an ENIConfig, SecurityGroupPolicy,
 * Service or DaemonSet may be absent in a trimmed capture; a Node's conditions need not include
 * Ready (a node that has not reported yet); a Pod's `status.podIPs` is empty before it has an IP; an
 * EndpointSlice may list no endpoints. EC2: an instance's tags hold more than the node-group tag.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { list, modelFromFiles, type Json } from './model-of.ts';

describe('nodes', () => {
  it('another EC2 tag is not the node-group tag', () => {
    const model = modelFromFiles({
      'aws/instances.json': {
        Reservations: [
          {
            Instances: [
              {
                InstanceId: 'i-0aaa',
                InstanceType: 'm6i.large',
                Tags: [
                  { Key: 'Name', Value: 'my-node' },
                  { Key: 'team', Value: 'ml' },
                ],
              },
            ],
          },
        ],
      },
      'k8s/nodes.json': list({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'n' },
        spec: { providerID: 'aws:///us-west-2a/i-0aaa' },
      }),
    });
    const node = model.nodes.get('n')!;
    assert.equal(node.nodeGroup, '(instance type m6i.large)', 'grouped by the type the instance has');
    assert.equal(node.instanceType, 'm6i.large', 'read from the instance providerID names');
  });

  it('conditions without Ready: not ready', () => {
    const model = modelFromFiles({
      'k8s/nodes.json': list({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'n', labels: { 'eks.amazonaws.com/nodegroup': 'g' } },
        status: { conditions: [{ type: 'MemoryPressure', status: 'False' }] },
      }),
    });
    assert.equal(model.nodes.get('n')!.ready, false);
  });

  it('every node in a labelled group: no note at all', () => {
    const model = modelFromFiles({
      'k8s/nodes.json': list({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'n', labels: { 'eks.amazonaws.com/nodegroup': 'g' } },
      }),
    });
    assert.deepEqual(model.notes, []);
  });
});

describe('pods', () => {
  it('podIPs empty and no podIP: no IP', () => {
    const model = modelFromFiles({
      'k8s/pods.json': list({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p' },
        spec: { containers: [] },
        status: { phase: 'Pending', podIPs: [] },
      }),
    });
    assert.equal(model.pods[0]!.ip, undefined);
  });
});

const daemonSet = (name: string, spec?: Json): Json => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name, namespace: 'kube-system' },
  ...(spec ? { spec } : {}),
});

describe('the aws-node DaemonSet', () => {
  it('is found by its name among the kube-system DaemonSets, whatever comes first', () => {
    const model = modelFromFiles({
      'k8s/daemonsets.json': list(
        daemonSet('kube-proxy', { template: { spec: { containers: [{ name: 'kube-proxy' }] } } }),
        daemonSet('aws-node', {
          template: {
            spec: { containers: [{ name: 'aws-node', env: [{ name: 'ENABLE_POD_ENI', value: 'true' }] }] },
          },
        }),
      ),
    });
    assert.equal(model.cni.podEni, true);
    assert.equal(model.cni.origin?.path, 'items[1]');
  });

  it('with no spec: captured, every setting at its default', () => {
    const cni = modelFromFiles({ 'k8s/aws-node.json': daemonSet('aws-node') }).cni;
    assert.equal(cni.captured, true);
    assert.equal(cni.podEni, false);
    assert.equal(cni.enforcingMode, 'strict');
    assert.equal(cni.tcpEarlyDemuxDisabled, false);
  });
});

describe('ENIConfigs, SecurityGroupPolicies and Services with no spec', () => {
  const model = modelFromFiles({
    'k8s/eniconfigs.json': list({
      apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
      kind: 'ENIConfig',
      metadata: { name: 'c' },
    }),
    'k8s/sgp.json': list({
      apiVersion: 'vpcresources.k8s.aws/v1beta1',
      kind: 'SecurityGroupPolicy',
      metadata: { name: 'p', namespace: 'ns' },
    }),
    'k8s/services.json': list({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', namespace: 'ns' },
    }),
    'k8s/slices.json': list(
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 's-1', namespace: 'ns', labels: { 'kubernetes.io/service-name': 's' } },
      },
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'orphan', namespace: 'ns' },
        endpoints: [{ addresses: ['10.0.0.9'] }],
      },
    ),
  });

  it('an ENIConfig: no subnet, no groups', () => {
    const config = model.eniConfigs.get('c')!;
    assert.equal(config.subnetId, undefined);
    assert.deepEqual(config.securityGroups, []);
  });

  it('a SecurityGroupPolicy: no selectors, no groups', () => {
    const [policy] = model.securityGroupPolicies;
    assert.equal(policy!.podSelector, undefined);
    assert.equal(policy!.serviceAccountSelector, undefined);
    assert.deepEqual(policy!.groupIds, []);
  });

  it('a Service: no selector, no ports; a slice listing no endpoints gives no address', () => {
    assert.equal(model.serviceSelector('ns', 's'), undefined);
    assert.deepEqual(model.servicePorts('ns', 's'), []);
    assert.equal(model.serviceEndpoints('ns', 's'), undefined);
  });

  it('a slice with no service-name label belongs to no Service', () => {
    assert.equal(model.serviceEndpoints('ns', 'undefined'), undefined);
  });
});
