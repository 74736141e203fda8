/**
 * A small cluster for the policy-step tests: client-0 (namespace app, role=client) on node a-1 and
 * server-0 (namespace srv, role=server, named port "http" = TCP 8000) on b-1, with neighbour-0
 * (srv, role=server) beside the client on a-1; security groups open, no NACLs. The policies (of
 * any engine: Kubernetes, Calico, Cilium, told apart by apiVersion) and the DaemonSets that say
 * which engine enforces them are the test's. `step` runs the policy step alone, on hand-made
 * queries, so ends the evaluator would never pair (the control plane, a UDP flow) can be asked.
 */
import assert from 'node:assert/strict';
import type { Endpoint } from '../../src/model/endpoints.ts';
import type { PodIdentity } from '../../src/model/policy/types.ts';
import type { Protocol } from '../../src/model/types.ts';
import type { TraceStep } from '../../src/reachability/types.ts';
import {
  buildModel,
  controlPlaneEndpoints,
  podEndpoint,
  policyStep,
  predictedEndpoint,
} from '../helpers/core.ts';
import { allTraffic, scenario } from '../helpers/scenario.ts';

export {
  CALICO_NODE,
  CILIUM_AGENT,
  VPC_CNI_AGENT,
  calicoGnp,
  calicoNp,
  cnp,
  isolateServer,
  netpol,
  type Json,
} from '../helpers/policy-objects.ts';
import { VPC_CNI_AGENT, type Json } from '../helpers/policy-objects.ts';

/** What a pod of namespace app not created yet is known to be: role=client, other labels open. */
export const clientIdentity: PodIdentity = {
  namespace: 'app',
  labels: { role: 'client' },
  labelsComplete: false,
  hostNetwork: false,
  namedPorts: {},
};

export interface WorldOptions {
  daemonSets?: Json[];
  hostNetworkServer?: boolean;
  namespaces?: Record<string, Record<string, string>>;
}

export function policyWorld(policies: Json[], opts: WorldOptions = {}) {
  const s = scenario()
    .subnet('subnet-a', '10.0.16.0/20')
    .withoutNacls()
    .sg('sg-all', [allTraffic.fromCidr('0.0.0.0/0')])
    .node('a-1', {
      group: 'a',
      subnet: 'subnet-a',
      ip: '10.0.16.10',
      sgs: ['sg-all'],
      podIps: ['10.0.16.11', '10.0.16.12'],
    })
    .node('b-1', {
      group: 'b',
      subnet: 'subnet-a',
      ip: '10.0.17.10',
      sgs: ['sg-all'],
      podIps: ['10.0.17.11'],
    })
    .pod('client-0', { namespace: 'app', node: 'a-1', ip: '10.0.16.11', labels: { role: 'client' } })
    .pod('neighbour-0', { namespace: 'srv', node: 'a-1', ip: '10.0.16.12', labels: { role: 'server' } })
    .pod('server-0', {
      namespace: 'srv',
      node: 'b-1',
      ip: opts.hostNetworkServer ? '10.0.17.10' : '10.0.17.11',
      labels: { role: 'server' },
      ...(opts.hostNetworkServer ? { hostNetwork: true } : {}),
      ports: [{ name: 'http', containerPort: 8000 }],
    })
    .file('k8s/networkpolicies.json', { apiVersion: 'v1', kind: 'List', items: policies })
    .file('k8s/daemonsets.json', {
      apiVersion: 'v1',
      kind: 'List',
      items: opts.daemonSets ?? [VPC_CNI_AGENT],
    });
  if (opts.namespaces)
    s.file('k8s/namespaces.json', {
      apiVersion: 'v1',
      kind: 'List',
      items: Object.entries(opts.namespaces).map(([name, labels]) => ({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, labels },
      })),
    });
  const model = buildModel(s.snapshot());
  const pod = (name: string): Endpoint => {
    const found = model.pods.find((p) => p.name === name);
    assert.ok(found, `pod ${name}`);
    return podEndpoint(model, found);
  };
  /** A pod not created yet on a-1 (any address of subnet-a); `identity` is what policies see of it. */
  const predicted = (identity?: PodIdentity): Endpoint =>
    predictedEndpoint(model, model.nodes.get('a-1')!, identity);
  const controlPlane = (): Endpoint => {
    const [plane] = controlPlaneEndpoints(model);
    assert.ok(plane);
    return plane;
  };
  /** The policy step of one direction, for a flow on `protocol` ports `from`–`to` (8000 by default). */
  const step = (
    direction: 'ingress' | 'egress',
    source: Endpoint,
    destination: Endpoint,
    opts: { protocol?: Protocol; from?: number; to?: number } = {},
  ): TraceStep => {
    const from = opts.from ?? 8000;
    const found = policyStep(model.policies, direction, {
      source,
      destination,
      protocol: opts.protocol ?? 'tcp',
      ports: { from, to: opts.to ?? from },
    });
    assert.ok(found, `a ${direction} policy step`);
    return found;
  };
  return { model, sets: model.policies, pod, predicted, controlPlane, step };
}
