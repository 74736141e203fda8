/**
 * The world of the pod-network tests (model/pod-network.ts): nodes in subnet-n whose pods may sit on
 * secondary ENIs in subnet-p or subnet-q, ENIConfigs, and readers of `podNetworks` and the notes.
 */
import assert from 'node:assert/strict';
import { allTraffic, scenario, type ExtraEni, type Scenario } from '../helpers/scenario.ts';
import type { ClusterModel, PodNetwork } from '../../src/model/types.ts';
import type { Json } from './model-of.ts';

/** subnet-n (nodes), subnet-p and subnet-q (pods); groups sg-n, sg-p, sg-q. */
export function base(): Scenario {
  return scenario()
    .subnet('subnet-n', '10.0.0.0/20')
    .subnet('subnet-p', '100.64.0.0/18')
    .subnet('subnet-q', '100.64.64.0/18')
    .withoutNacls()
    .sg('sg-n', [allTraffic.fromGroup('sg-n')])
    .sg('sg-p', [])
    .sg('sg-q', []);
}

export interface NodeOpts {
  podIps?: string[];
  prefixes?: string[];
  podEni?: { subnet: string; sgs: string[]; ips: string[]; prefixes?: string[] };
  moreEnis?: ExtraEni[];
  labels?: Record<string, string>;
  group?: string;
  sgs?: string[];
}

export function addNode(s: Scenario, name: string, ip: string, o: NodeOpts = {}): Scenario {
  return s.node(name, {
    group: o.group ?? 'gpu',
    subnet: 'subnet-n',
    ip,
    sgs: o.sgs ?? ['sg-n'],
    ...(o.podIps ? { podIps: o.podIps } : {}),
    ...(o.prefixes ? { prefixes: o.prefixes } : {}),
    ...(o.podEni ? { podEni: o.podEni } : {}),
    ...(o.moreEnis ? { moreEnis: o.moreEnis } : {}),
    ...(o.labels ? { labels: o.labels } : {}),
  });
}

export function network(model: ClusterModel, node: string): PodNetwork {
  const found = model.podNetworks.get(node);
  assert.ok(found, `a pod network for ${node}`);
  return found;
}

export const known = (n: PodNetwork) => {
  assert.equal(n.kind, 'known', n.kind === 'unresolved' ? n.reason : '');
  return n as Extract<PodNetwork, { kind: 'known' }>;
};
export const reason = (n: PodNetwork): string => {
  assert.equal(n.kind, 'unresolved');
  return (n as Extract<PodNetwork, { kind: 'unresolved' }>).reason;
};
export const notes = (model: ClusterModel, code: string) =>
  model.notes.filter((n) => n.code === code).map((n) => n.message);

export const CUSTOM_P = {
  subnet: 'subnet-p',
  sgs: ['sg-p'],
  ips: ['100.64.0.10', '100.64.0.11', '100.64.0.12'],
};

export const eniConfigs = (...items: { name: string; subnet?: string; sgs?: string[] }[]) => ({
  apiVersion: 'v1',
  kind: 'List',
  items: items.map((c) => ({
    apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
    kind: 'ENIConfig',
    metadata: { name: c.name },
    spec: { ...(c.subnet ? { subnet: c.subnet } : {}), ...(c.sgs ? { securityGroups: c.sgs } : {}) },
  })),
});

/** What these tests change of a describe-network-interfaces entry. */
export interface RawEni {
  NetworkInterfaceId: string;
  Attachment: Record<string, unknown>;
}

/** The describe-network-interfaces entry of this ENI id, for a test to change. */
export function rawEni(doc: Json, id: string): Json {
  const found = (doc.NetworkInterfaces as Json[]).find((e) => e.NetworkInterfaceId === id);
  assert.ok(found, `ENI ${id} in the snapshot`);
  return found;
}

/** An edit of k8s/nodes.json: the nodes report no address (no InternalIP). */
export const NO_NODE_ADDRESSES = {
  'k8s/nodes.json': (doc: Json): void => {
    for (const n of doc.items as { status: Json }[]) n.status.addresses = [];
  },
};

/** ENI edits for the primary-ENI tests: another card's device 0 listed first (it is not the primary). */
export const OTHER_CARD_DEVICE_ZERO_FIRST = {
  'aws/network-interfaces.json': (doc: Json): void => {
    const enis = doc.NetworkInterfaces as RawEni[];
    const other = enis.find((e) => e.NetworkInterfaceId === 'eni-n1-1')!;
    other.Attachment = { ...other.Attachment, DeviceIndex: 0, NetworkCardIndex: 1 };
    enis.unshift(enis.splice(enis.indexOf(other), 1)[0]!);
  },
};

/** No ENI says its device index, and they are listed backwards (the primary last). */
export const NO_DEVICE_INDEX_REVERSED = {
  'aws/network-interfaces.json': (doc: Json): void => {
    const enis = doc.NetworkInterfaces as RawEni[];
    for (const eni of enis) delete eni.Attachment.DeviceIndex;
    enis.reverse();
  },
};
