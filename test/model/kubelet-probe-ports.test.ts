/**
 * The kubelet's rule for a probe's port at its edges, and where it probes from when no IP is
 * known (model/kubelet.ts). Kubernetes (Pod API, pkg/kubelet/prober): a probe's port is a number
 * or the name of one of the container's ports (the port of that name, whichever is listed first);
 * a name that is no port but reads as a number is that number; a port is 1-65535, both ends
 * included.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kubeletEndpoint, podProbes } from '../../src/model/kubelet.ts';
import { list, modelFromFiles, modelOf, type Json } from './model-of.ts';
import { NO_NODE_ADDRESSES, addNode, base, rawEni } from './pod-network-world.ts';

/** The port of each probe of one container, or its reason when it has none. */
function portsOf(container: Json): (number | string | undefined)[] {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns' },
    spec: { containers: [container] },
  };
  return podProbes(modelFromFiles({ 'k8s/pods.json': list(pod) }).pods[0]!).probes.map(
    (p) => p.port ?? p.unresolved,
  );
}

describe('a probe’s port at the edges', () => {
  it('a named port: the port of that name, not the first port listed', () => {
    assert.deepEqual(
      portsOf({
        name: 'app',
        ports: [
          { name: 'metrics', containerPort: 9090 },
          { name: 'http', containerPort: 8080 },
        ],
        readinessProbe: { httpGet: { port: 'http' } },
      }),
      [8080],
    );
  });

  it('named ports 1 and 65535 are ports; a named containerPort above 65535 is none', () => {
    assert.deepEqual(
      portsOf({
        name: 'app',
        ports: [
          { name: 'low', containerPort: 1 },
          { name: 'high', containerPort: 65535 },
          { name: 'over', containerPort: 65536 },
        ],
        readinessProbe: { tcpSocket: { port: 'low' } },
        livenessProbe: { tcpSocket: { port: 'high' } },
        startupProbe: { tcpSocket: { port: 'over' } },
      }),
      [1, 65535, 'container app declares no port named "over" for its tcpSocket probe'],
    );
  });

  it('a name that reads as a number: "65535" is that port, "0" is none', () => {
    assert.deepEqual(
      portsOf({
        name: 'app',
        readinessProbe: { tcpSocket: { port: '65535' } },
        livenessProbe: { tcpSocket: { port: '0' } },
      }),
      [65535, 'container app declares no port named "0" for its tcpSocket probe'],
    );
  });
});

describe('where the kubelet probes from', () => {
  it('no InternalIP and a primary ENI with no IP: "(unknown)", and no address', () => {
    const model = modelOf(addNode(base(), 'n1', '10.0.0.10'), {
      ...NO_NODE_ADDRESSES,
      'aws/network-interfaces.json': (doc) => {
        const eni = rawEni(doc, 'eni-n1-0');
        delete eni.PrivateIpAddress;
        delete eni.PrivateIpAddresses;
      },
    });
    const end = kubeletEndpoint(model, 'n1');
    assert.equal(end.addressText, '(unknown)');
    assert.equal(end.addresses, undefined);
    assert.deepEqual(end.attachment, [
      "the kubelet runs in node n1's host network: it probes from the primary IP (unknown) on eni-n1-0",
    ]);
  });
});
