/**
 * Raw `kubectl get -o json` shaped Nodes and Pods for scheduler tests, loaded through the real
 * parser and model so the tests read input exactly as the CLI does.
 */
import { buildModel } from '../../src/model/build.ts';
import { clusterFacts, schedulingCluster } from '../../src/placement/cluster.ts';
import { schedulingSpecFromDocument } from '../../src/placement/spec.ts';
import type { SchedulingCluster, SchedulingSpec } from '../../src/placement/types.ts';
import { parseSnapshot } from '../../src/snapshot/parse.ts';

type Json = Record<string, unknown>;

export interface NodeOptions {
  group?: string;
  zone?: string;
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: string }[];
  unschedulable?: boolean;
  /** `status` of the Ready condition; undefined = no conditions at all. */
  ready?: 'True' | 'False' | 'Unknown' | undefined;
  /** Omit for a node without status.allocatable. */
  allocatable?: Record<string, string>;
}

export function node(name: string, o: NodeOptions = {}): Json {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'eks.amazonaws.com/nodegroup': o.group ?? 'system',
        'topology.kubernetes.io/zone': o.zone ?? 'us-west-2a',
        ...o.labels,
      },
    },
    spec: {
      providerID: `aws:///us-west-2a/i-0${name.replace(/\W/g, '').padStart(16, '0').slice(-16)}`,
      ...(o.taints ? { taints: o.taints } : {}),
      ...(o.unschedulable ? { unschedulable: true } : {}),
    },
    status: {
      ...('ready' in o && o.ready === undefined
        ? {}
        : { conditions: [{ type: 'Ready', status: o.ready ?? 'True' }] }),
      ...(o.allocatable ? { allocatable: o.allocatable, capacity: o.allocatable } : {}),
    },
  };
}

export interface PodOptions {
  node?: string;
  labels?: Record<string, string>;
  phase?: string;
  requests?: Record<string, string>;
  limits?: Record<string, string>;
  initRequests?: Record<string, string>[];
  tolerations?: Json[];
  nodeSelector?: Record<string, string>;
  affinity?: Json;
}

export function pod(namespace: string, name: string, o: PodOptions = {}): Json {
  const resources = {
    ...(o.requests ? { requests: o.requests } : {}),
    ...(o.limits ? { limits: o.limits } : {}),
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: o.labels ?? {} },
    spec: {
      ...(o.node ? { nodeName: o.node } : {}),
      containers: [{ name: 'main', image: 'busybox:1.36', resources }],
      ...(o.initRequests
        ? {
            initContainers: o.initRequests.map((r, i) => ({
              name: `init-${i}`,
              image: 'busybox:1.36',
              resources: { requests: r },
            })),
          }
        : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
      ...(o.affinity ? { affinity: o.affinity } : {}),
    },
    status: { phase: o.phase ?? (o.node ? 'Running' : 'Pending') },
  };
}

/** The scheduler's view of these objects, through parseSnapshot → buildModel → schedulingCluster. */
export function clusterOf(nodes: Json[], pods: Json[] = [], extra: Json[] = []): SchedulingCluster {
  const parsed = parseSnapshot([
    { path: 'k8s/nodes.json', text: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: nodes }) },
    { path: 'k8s/pods.json', text: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: pods }) },
    ...(extra.length
      ? [{ path: 'k8s/extra.json', text: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: extra }) }]
      : []),
  ]);
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => `${i.file}: ${i.path}: ${i.message}`).join('\n'));
  const { cluster, issues } = schedulingCluster(buildModel(parsed.snapshot), clusterFacts(parsed.snapshot));
  if (issues.length) throw new Error(issues.map((i) => `${i.file}: ${i.path}: ${i.message}`).join('\n'));
  return cluster;
}

/** The spec of a pod to place, read the way `--pod-spec` reads it. */
export function specOf(doc: Json): SchedulingSpec {
  const parsed = schedulingSpecFromDocument(doc, 'pod.yaml');
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  return parsed.spec;
}
