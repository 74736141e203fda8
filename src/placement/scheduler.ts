/**
 * A faithful subset of kube-scheduler: its default filter plugins (NodeUnschedulable, NodeName,
 * TaintToleration, NodeAffinity, NodeResourcesFit, InterPodAffinity) decide which nodes can host a
 * pod, and three of its score plugins (TaintToleration ×3, NodeAffinity ×2, InterPodAffinity ×2, with
 * kube's normalisation) say which it prefers. Plugins not modelled (ImageLocality, the resource
 * scores, PodTopologySpread) only reorder feasible nodes, so the feasible set is exact and the
 * preference is indicative. Linear in nodes + pods.
 */
import { formatAmount } from './quantity.ts';
import {
  describeNodeTerm,
  describeSelector,
  nodeTermMatches,
  taintLabel,
  termMatches,
  toleratedBy,
  type PodRef,
} from './match.ts';
import type {
  BoundPod,
  FilterFailure,
  NodePlacement,
  NodeScore,
  PlacementDecision,
  PodAffinityTerm,
  SchedulingCluster,
  SchedulingNode,
  SchedulingSpec,
  Taint,
  WeightedPodAffinityTerm,
} from './types.ts';

/** kube-scheduler's default weights of the score plugins modelled here. */
export const SCORE_WEIGHTS = { taintToleration: 3, nodeAffinity: 2, interPodAffinity: 2 } as const;
/** The most the unmodelled default score plugins can add (ImageLocality, NodeResourcesFit and BalancedAllocation ×1, PodTopologySpread ×2). */
export const UNMODELLED_SCORE_MAX = 100 * (1 + 1 + 1 + 2);
const MAX_NODE_SCORE = 100;
/** `hardPodAffinityWeight`: how much an existing pod's required affinity to the newcomer counts in scoring. */
const HARD_POD_AFFINITY_WEIGHT = 1;

const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

const pair = (key: string, value: string): string => `${key}\u0000${value}`;

/** Counts (or weights) per topology domain, with the words that explain each. */
class TopologyCounts {
  private readonly counts = new Map<string, { value: number; why: string[] }>();
  private readonly keys = new Set<string>();

  add(node: SchedulingNode | undefined, key: string, amount: number, why?: string): void {
    const value = node?.labels[key];
    if (value === undefined) return;
    this.keys.add(key);
    const entry = this.counts.get(pair(key, value)) ?? { value: 0, why: [] };
    entry.value += amount;
    if (why && entry.why.length < 3) entry.why.push(why);
    this.counts.set(pair(key, value), entry);
  }

  at(key: string, node: SchedulingNode): number {
    const value = node.labels[key];
    return value === undefined ? 0 : (this.counts.get(pair(key, value))?.value ?? 0);
  }

  /** Sum over every key the node carries, with the reasons. */
  total(node: SchedulingNode): { value: number; why: string[] } {
    let value = 0;
    const why: string[] = [];
    for (const key of this.keys) {
      const label = node.labels[key];
      const entry = label === undefined ? undefined : this.counts.get(pair(key, label));
      if (!entry) continue;
      value += entry.value;
      why.push(...entry.why);
    }
    return { value, why };
  }

  /** Whether any domain the node belongs to has a positive count. */
  anyPositive(node: SchedulingNode): boolean {
    return [...this.keys].some((key) => this.at(key, node) > 0);
  }

  get empty(): boolean {
    return this.counts.size === 0;
  }
}

function podLabel(pod: { namespace: string; name: string }): string {
  return `${pod.namespace}/${pod.name}`;
}

interface AffinityState {
  /** Incoming required affinity: domains holding a pod that matches every term. */
  readonly affinity: TopologyCounts;
  readonly antiAffinity: TopologyCounts;
  /** Existing pods' required anti-affinity that the incoming pod matches. */
  readonly existingAnti: TopologyCounts;
  readonly score: TopologyCounts;
  readonly matchesOwnTerms: boolean;
}

function affinityState(cluster: SchedulingCluster, pod: SchedulingSpec, scoring: boolean): AffinityState {
  const nodes = new Map(cluster.nodes.map((n) => [n.name, n]));
  const ns = cluster.namespaceLabels;
  const incoming: PodRef = { namespace: pod.namespace, labels: pod.labels };
  const affinity = new TopologyCounts();
  const antiAffinity = new TopologyCounts();
  const existingAnti = new TopologyCounts();
  const score = new TopologyCounts();
  const requiredAffinity = pod.podAffinity.required;
  const matches = (term: PodAffinityTerm, owner: string, p: PodRef): boolean =>
    termMatches(term, owner, p, ns);

  for (const existing of cluster.pods) {
    const node = nodes.get(existing.nodeName);
    if (!node) continue;
    if (requiredAffinity.length > 0 && requiredAffinity.every((t) => matches(t, pod.namespace, existing))) {
      for (const t of requiredAffinity) affinity.add(node, t.topologyKey, 1);
    }
    for (const t of pod.podAntiAffinity.required) {
      if (matches(t, pod.namespace, existing)) antiAffinity.add(node, t.topologyKey, 1);
    }
    for (const t of existing.podAntiAffinity.required) {
      if (matches(t, existing.namespace, incoming))
        existingAnti.add(
          node,
          t.topologyKey,
          1,
          `${podLabel(existing)} forbids it on the same ${t.topologyKey}`,
        );
    }
    if (scoring) scoreExisting(score, pod, incoming, existing, node, matches);
  }
  return {
    affinity,
    antiAffinity,
    existingAnti,
    score,
    matchesOwnTerms: requiredAffinity.every((t) => matches(t, pod.namespace, incoming)),
  };
}

interface ScoreRule {
  /** Whose terms: the incoming pod's (they must select the existing pod) or the existing pod's (they must select the newcomer). */
  readonly owner: 'incoming' | 'existing';
  readonly terms: (incoming: SchedulingSpec, existing: BoundPod) => readonly WeightedPodAffinityTerm[];
  readonly sign: 1 | -1;
  readonly why: (weight: number, key: string, other: string) => string;
}

const hardTerms = new WeakMap<BoundPod, WeightedPodAffinityTerm[]>();

/** kube's InterPodAffinity score terms. Module-level: this runs once per existing pod. */
const scoreRules: readonly ScoreRule[] = [
  {
    owner: 'incoming',
    terms: (pod) => pod.podAffinity.preferred,
    sign: 1,
    why: (w, key, other) => `+${w} preferred pod affinity: ${other} on the same ${key}`,
  },
  {
    owner: 'incoming',
    terms: (pod) => pod.podAntiAffinity.preferred,
    sign: -1,
    why: (w, key, other) => `-${w} preferred pod anti-affinity: ${other} on the same ${key}`,
  },
  {
    owner: 'existing',
    terms: (_pod, existing) => {
      if (existing.podAffinity.required.length === 0) return [];
      let terms = hardTerms.get(existing);
      if (!terms) {
        terms = existing.podAffinity.required.map((term) => ({ weight: HARD_POD_AFFINITY_WEIGHT, term }));
        hardTerms.set(existing, terms);
      }
      return terms;
    },
    sign: 1,
    why: (w, _key, other) => `+${w} ${other} requires affinity to this pod`,
  },
  {
    owner: 'existing',
    terms: (_pod, existing) => existing.podAffinity.preferred,
    sign: 1,
    why: (w, _key, other) => `+${w} ${other} prefers this pod nearby`,
  },
  {
    owner: 'existing',
    terms: (_pod, existing) => existing.podAntiAffinity.preferred,
    sign: -1,
    why: (w, _key, other) => `-${w} ${other} prefers this pod away`,
  },
];

/** InterPodAffinity scoring: the incoming pod's soft terms, and existing pods' terms about it. */
function scoreExisting(
  score: TopologyCounts,
  pod: SchedulingSpec,
  incoming: PodRef,
  existing: BoundPod,
  node: SchedulingNode,
  matches: (term: PodAffinityTerm, owner: string, p: PodRef) => boolean,
): void {
  for (const rule of scoreRules) {
    const mine = rule.owner === 'incoming';
    const owner = mine ? pod.namespace : existing.namespace;
    const target = mine ? existing : incoming;
    for (const { weight, term } of rule.terms(pod, existing)) {
      if (matches(term, owner, target))
        score.add(
          node,
          term.topologyKey,
          rule.sign * weight,
          rule.why(weight, term.topologyKey, podLabel(existing)),
        );
    }
  }
}

interface Usage {
  readonly requested: Record<string, number>;
  pods: number;
}

function usageByNode(cluster: SchedulingCluster): Map<string, Usage> {
  const usage = new Map<string, Usage>();
  for (const pod of cluster.pods) {
    const u = usage.get(pod.nodeName) ?? { requested: {}, pods: 0 };
    u.pods += 1;
    for (const [r, v] of Object.entries(pod.requests)) u.requested[r] = (u.requested[r] ?? 0) + v;
    usage.set(pod.nodeName, u);
  }
  return usage;
}

function taintText(taint: Taint): string {
  return `{${taint.key}: ${taint.value ?? ''}}`;
}

/** Every filter that rejects the node, in kube-scheduler's plugin order (the first is what it reports). */
function filterNode(
  node: SchedulingNode,
  pod: SchedulingSpec,
  usage: Usage | undefined,
  state: AffinityState,
): FilterFailure[] {
  const failures: FilterFailure[] = [];
  if (node.fargate) {
    failures.push({
      filter: 'Fargate',
      reason: 'node(s) are EKS Fargate nodes',
      detail: 'a Fargate node runs only the pod it was created for',
    });
  }
  if (node.unschedulable && !toleratedBy(pod.tolerations, UNSCHEDULABLE_TAINT)) {
    failures.push({
      filter: 'NodeUnschedulable',
      reason: 'node(s) were unschedulable',
      detail:
        'cordoned (spec.unschedulable) and the pod does not tolerate node.kubernetes.io/unschedulable:NoSchedule',
    });
  }
  if (pod.nodeName !== undefined && pod.nodeName !== node.name) {
    failures.push({ filter: 'NodeName', reason: "node(s) didn't match the requested node name" });
  }
  const untolerated = node.taints.find(
    (t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !toleratedBy(pod.tolerations, t),
  );
  if (untolerated) {
    failures.push({
      filter: 'TaintToleration',
      reason: `node(s) had untolerated taint ${taintText(untolerated)}`,
      detail: `${taintLabel(untolerated)}${untolerated.impliedBy ? ` (implied by ${untolerated.impliedBy})` : ''}`,
    });
  }
  const selectorMiss = Object.entries(pod.nodeSelector).find(([k, v]) => node.labels[k] !== v);
  const requiredTerms = pod.requiredNodeTerms;
  const termsMiss = requiredTerms !== undefined && !requiredTerms.some((t) => nodeTermMatches(t, node));
  if (selectorMiss || termsMiss) {
    failures.push({
      filter: 'NodeAffinity',
      reason: "node(s) didn't match Pod's node affinity/selector",
      detail: selectorMiss
        ? `nodeSelector ${selectorMiss[0]}=${selectorMiss[1]} (node has ${node.labels[selectorMiss[0]] ?? 'no such label'})`
        : `no required node affinity term matches: ${requiredTerms!.map(describeNodeTerm).join(' | ')}`,
    });
  }
  if (node.allocatable) failures.push(...resourceFailures(node, pod, usage));
  failures.push(...interPodFailures(node, pod, state));
  return failures;
}

function resourceFailures(
  node: SchedulingNode,
  pod: SchedulingSpec,
  usage: Usage | undefined,
): FilterFailure[] {
  const allocatable = node.allocatable!;
  const failures: FilterFailure[] = [];
  const podsOnNode = usage?.pods ?? 0;
  if (allocatable.pods !== undefined && podsOnNode + 1 > allocatable.pods) {
    failures.push({
      filter: 'NodeResourcesFit',
      reason: 'Too many pods',
      detail: `${podsOnNode} pods of ${allocatable.pods} allowed`,
    });
  }
  for (const [resource, amount] of Object.entries(pod.requests)) {
    if (amount <= 0) continue;
    const used = usage?.requested[resource] ?? 0;
    const available = allocatable[resource] ?? 0;
    if (used + amount > available) {
      failures.push({
        filter: 'NodeResourcesFit',
        reason: `Insufficient ${resource}`,
        detail: `requests ${formatAmount(resource, amount)}; ${formatAmount(resource, used)} of ${formatAmount(resource, available)} allocatable already requested`,
      });
    }
  }
  return failures;
}

function interPodFailures(node: SchedulingNode, pod: SchedulingSpec, state: AffinityState): FilterFailure[] {
  const failures: FilterFailure[] = [];
  const required = pod.podAffinity.required;
  if (required.length > 0) {
    const hasKeys = required.every((t) => node.labels[t.topologyKey] !== undefined);
    const podsExist = hasKeys && required.every((t) => state.affinity.at(t.topologyKey, node) > 0);
    // The first pod of a group with affinity to itself may go anywhere that has the topology labels.
    const firstOfGroup = hasKeys && state.affinity.empty && state.matchesOwnTerms;
    if (!podsExist && !firstOfGroup) {
      failures.push({
        filter: 'InterPodAffinity',
        reason: "node(s) didn't match pod affinity rules",
        detail: `no pod matching ${required.map((t) => `${describeSelector(t.labelSelector)} on the same ${t.topologyKey}`).join(' and ')}`,
      });
    }
  }
  const anti = pod.podAntiAffinity.required.find(
    (t) => node.labels[t.topologyKey] !== undefined && state.antiAffinity.at(t.topologyKey, node) > 0,
  );
  if (anti) {
    failures.push({
      filter: 'InterPodAffinity',
      reason: "node(s) didn't match pod anti-affinity rules",
      detail: `a pod matching ${describeSelector(anti.labelSelector)} is on the same ${anti.topologyKey}`,
    });
  }
  if (state.existingAnti.anyPositive(node)) {
    failures.push({
      filter: 'InterPodAffinity',
      reason: "node(s) didn't satisfy existing pods anti-affinity rules",
      detail: state.existingAnti.total(node).why.join('; '),
    });
  }
  return failures;
}

/** `helper.DefaultNormalizeScore`: scale to 0-100 by the maximum (integer maths, as kube does). */
function normalize(raw: number[], reverse: boolean): number[] {
  const max = Math.max(0, ...raw);
  if (max === 0) return raw.map(() => (reverse ? MAX_NODE_SCORE : 0));
  return raw.map((r) => {
    const s = Math.trunc((MAX_NODE_SCORE * r) / max);
    return reverse ? MAX_NODE_SCORE - s : s;
  });
}

/** InterPodAffinity's own normalisation: min-max to 0-100, all 0 when every node scores alike. */
function normalizeMinMax(raw: number[]): number[] {
  const min = Math.min(...raw);
  const diff = Math.max(...raw) - min;
  return raw.map((r) => (diff > 0 ? Math.trunc((MAX_NODE_SCORE * (r - min)) / diff) : 0));
}

function scoreNodes(nodes: SchedulingNode[], pod: SchedulingSpec, state: AffinityState): NodeScore[] {
  const softTolerations = pod.tolerations.filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
  const intolerable = nodes.map((n) =>
    n.taints.filter((t) => t.effect === 'PreferNoSchedule' && !toleratedBy(softTolerations, t)),
  );
  const nodeAffinity = nodes.map((n) => pod.preferredNodeTerms.filter((p) => nodeTermMatches(p.term, n)));
  const podAffinity = nodes.map((n) => state.score.total(n));
  const tt = normalize(
    intolerable.map((t) => t.length),
    true,
  );
  const na = normalize(
    nodeAffinity.map((terms) => terms.reduce((sum, p) => sum + p.weight, 0)),
    false,
  );
  const ipa = state.score.empty ? nodes.map(() => 0) : normalizeMinMax(podAffinity.map((p) => p.value));
  return nodes.map((_, i) => ({
    total:
      SCORE_WEIGHTS.taintToleration * tt[i]! +
      SCORE_WEIGHTS.nodeAffinity * na[i]! +
      SCORE_WEIGHTS.interPodAffinity * ipa[i]!,
    taintToleration: tt[i]!,
    nodeAffinity: na[i]!,
    interPodAffinity: ipa[i]!,
    why: [
      ...nodeAffinity[i]!.map((p) => `+${p.weight} preferred node affinity: ${describeNodeTerm(p.term)}`),
      ...podAffinity[i]!.why,
      ...intolerable[i]!.map((t) => `untolerated PreferNoSchedule taint ${taintText(t)}`),
    ],
  }));
}

/** kube-scheduler's FailedScheduling text: each node counted under the first filter that rejected it. */
function unschedulableMessage(nodes: number, firstFailures: string[]): string {
  const histogram = new Map<string, number>();
  for (const reason of firstFailures) histogram.set(reason, (histogram.get(reason) ?? 0) + 1);
  const parts = [...histogram].map(([reason, count]) => `${count} ${reason}`).sort();
  return `0/${nodes} nodes are available: ${parts.join(', ')}.`;
}

export interface ScheduleOptions {
  /** False when only the feasible set matters: every feasible node is then `fallback`, none preferred. */
  readonly score?: boolean;
}

export function schedule(
  cluster: SchedulingCluster,
  pod: SchedulingSpec,
  options: ScheduleOptions = {},
): PlacementDecision {
  const scoring = options.score ?? true;
  const state = affinityState(cluster, pod, scoring);
  const usage = cluster.nodes.some((n) => n.allocatable) ? usageByNode(cluster) : new Map<string, Usage>();
  const verdicts = cluster.nodes.map((node) => ({
    node,
    failures: filterNode(node, pod, usage.get(node.name), state),
  }));
  const feasible = verdicts.filter((v) => v.failures.length === 0).map((v) => v.node);
  const scores = scoring ? scoreNodes(feasible, pod, state) : undefined;
  const best = Math.max(...(scores ?? []).map((s) => s.total));
  const ranked: NodePlacement[] = feasible
    .map((node, i) => ({
      node: node.name,
      nodeGroup: node.nodeGroup,
      role: scores?.[i]!.total === best ? ('preferred' as const) : ('fallback' as const),
      failures: [],
      ...(scores ? { score: scores[i]! } : {}),
      resourcesChecked: node.allocatable !== undefined,
    }))
    .sort((a, b) => (b.score?.total ?? 0) - (a.score?.total ?? 0) || a.node.localeCompare(b.node));
  const rejected: NodePlacement[] = verdicts
    .filter((v) => v.failures.length > 0)
    .map((v) => ({
      node: v.node.name,
      nodeGroup: v.node.nodeGroup,
      role: 'infeasible' as const,
      failures: v.failures,
      resourcesChecked: v.node.allocatable !== undefined,
    }))
    .sort((a, b) => a.node.localeCompare(b.node));

  const caveats = [...cluster.caveats];
  if (Object.values(pod.requests).every((v) => v === 0))
    caveats.push('the pod requests no resources: resource fit checks only the pod count');
  if (scoring && feasible.length > 1) {
    caveats.push(
      `the preference is best effort: score plugins not modelled here (ImageLocality, NodeResourcesFit and BalancedAllocation scoring, PodTopologySpread) add up to ${UNMODELLED_SCORE_MAX} points and can put the pod on any feasible node`,
    );
  }
  return {
    pod: { namespace: pod.namespace, name: pod.name },
    nodes: [...ranked, ...rejected],
    preferred: ranked.filter((n) => n.role === 'preferred').map((n) => n.node),
    fallback: ranked.filter((n) => n.role === 'fallback').map((n) => n.node),
    ...(feasible.length === 0
      ? {
          unschedulable: unschedulableMessage(
            cluster.nodes.length,
            rejected.map((n) => n.failures[0]!.reason),
          ),
        }
      : {}),
    caveats,
  };
}
