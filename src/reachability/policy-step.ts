/**
 * The NetworkPolicy hops of a flow: egress on the source pod, ingress on the destination pod.
 * Kubernetes semantics: a pod is isolated for a direction when any policy with that type selects
 * it; then only traffic some rule of those policies allows gets through. Same-node traffic is
 * subject to policies too (unlike security groups). Where Calico's own policies are present, Calico
 * orders them with the Kubernetes ones (`calico-step.ts`); a Cilium policy that could select the
 * pod makes the hop `unknown`, naming it.
 */
import { coverage, parseCidr } from '../base/ip.ts';
import type { Endpoint } from '../model/endpoints.ts';
import type { Protocol } from '../model/types.ts';
import { ALL_PORTS, intersect, isEmpty, normalise, subtract, formatPortSet, type PortSet } from './ports.ts';
import type { Fact, FlowQuery, TraceStep } from './types.ts';
import type { PolicyPeer, PolicyPort } from '../snapshot/schemas.ts';
import { and, matchSelector, or, unsettledLabels } from '../model/policy/selectors.ts';
import { policiesEnforced } from '../model/policy/build.ts';
import { ciliumCouldSelect, ciliumStep } from './cilium-step.ts';
import type { NetworkPolicyModel, PolicyRuleModel, PolicySet, Tri } from '../model/policy/types.ts';
import { calicoSelects, calicoStep, type KubernetesMatching } from './calico-step.ts';

type Direction = 'ingress' | 'egress';

function selects(policy: NetworkPolicyModel, endpoint: Endpoint): Tri {
  // The EKS control plane is no pod: no NetworkPolicy selects it.
  if (endpoint.kind === 'control-plane') return 'no';
  const pod = endpoint.pod;
  if (!pod) return 'maybe';
  if (pod.hostNetwork) return 'no';
  if (pod.namespace !== policy.namespace) return 'no';
  return matchSelector(policy.podSelector, pod.labels, pod.labelsComplete);
}

function matchIpBlock(block: NonNullable<PolicyPeer['ipBlock']>, peer: Endpoint): Tri {
  if (!peer.addresses) return 'maybe';
  const inside = coverage(parseCidr(block.cidr)!, peer.addresses);
  if (inside === 'none') return 'no';
  let result: Tri = inside === 'all' ? 'yes' : 'maybe';
  for (const except of block.except ?? []) {
    const cut = coverage(parseCidr(except)!, peer.addresses);
    if (cut === 'all') return 'no';
    if (cut === 'some') result = 'maybe';
  }
  return result;
}

/** One `from`/`to` entry: podSelector and namespaceSelector in one entry are ANDed. */
function matchPeer(sets: PolicySet, policy: NetworkPolicyModel, peer: PolicyPeer, other: Endpoint): Tri {
  if (peer.ipBlock) return matchIpBlock(peer.ipBlock, other);
  // Traffic from outside the pod network (the API server) matches ipBlock peers only.
  if (other.kind === 'control-plane') return 'no';
  const pod = other.pod;
  if (pod?.hostNetwork) return 'no'; // selectors pick pods on the pod network only
  let namespace: Tri;
  if (peer.namespaceSelector) {
    if (!pod) namespace = 'maybe';
    else {
      const { labels, complete } = sets.namespaceLabels(pod.namespace);
      namespace = matchSelector(peer.namespaceSelector, labels, complete);
    }
  } else {
    namespace = !pod ? 'maybe' : pod.namespace === policy.namespace ? 'yes' : 'no';
  }
  const podMatch: Tri = peer.podSelector
    ? pod
      ? matchSelector(peer.podSelector, pod.labels, pod.labelsComplete)
      : matchSelector(peer.podSelector, undefined)
    : 'yes';
  return and(namespace, podMatch);
}

/** Ports of the flow a rule's `ports` cover; named ports resolve on the destination pod. */
function rulePorts(
  ports: readonly PolicyPort[] | undefined,
  protocol: Protocol,
  destination: Endpoint,
): { sure: PortSet; unsure: PortSet } {
  if (!ports || ports.length === 0) return { sure: [ALL_PORTS], unsure: [] };
  const sure: PortSet = [];
  const unsure: PortSet = [];
  for (const p of ports) {
    if ((p.protocol ?? 'TCP').toLowerCase() !== protocol) continue;
    if (p.port === undefined) sure.push(ALL_PORTS);
    else if (typeof p.port === 'number') sure.push({ from: p.port, to: p.endPort ?? p.port });
    else {
      const pod = destination.pod;
      const named = pod && Object.hasOwn(pod.namedPorts, p.port) ? pod.namedPorts[p.port] : undefined;
      if (named && named.protocol.toLowerCase() === protocol) sure.push({ from: named.port, to: named.port });
      else if (!destination.pod || !destination.pod.labelsComplete) unsure.push(ALL_PORTS);
    }
  }
  return { sure: normalise(sure), unsure: normalise(unsure) };
}

function policyFact(
  policy: NetworkPolicyModel,
  direction: Direction,
  text: string,
  ruleIndex?: number,
): Fact {
  return {
    kind: 'network-policy',
    namespace: policy.namespace,
    name: policy.name,
    direction,
    ...(ruleIndex !== undefined ? { ruleIndex } : {}),
    text,
    origin: policy.origin,
  };
}

/** Why a rule may allow a flow without surely allowing it: the peer, the pod it applies to, or a named port. */
function ruleDoubt(
  peers: Tri,
  selected: Tri,
  other: Endpoint,
  self: Endpoint,
  peerLabels: readonly string[],
  policy: NetworkPolicyModel,
): string {
  const reasons: string[] = [];
  if (peers === 'maybe')
    reasons.push(
      `whether it selects ${other.label} depends on labels or a namespace not known` +
        (peerLabels.length > 0 ? ` (label ${[...new Set(peerLabels)].join(', ')})` : ''),
    );
  if (selected === 'maybe') {
    const own = self.pod ? unsettledLabels(policy.podSelector, self.pod) : [];
    reasons.push(
      `whether the policy applies to ${self.label} depends on labels not known` +
        (own.length > 0 ? ` (label ${own.join(', ')})` : ''),
    );
  }
  return reasons.length > 0 ? reasons.join('; ') : 'a named port cannot be resolved';
}

/** Is the endpoint isolated for a direction (some enforced policy of that type selects it)? */
export function isolatedFor(sets: PolicySet, endpoint: Endpoint, direction: Direction): Tri {
  if (!policiesEnforced(sets)) return 'no';
  let result: Tri = 'no';
  for (const policy of sets.policies)
    if (policy.isolates[direction]) result = or(result, selects(policy, endpoint));
  for (const policy of sets.calico)
    if (policy.types[direction]) result = or(result, calicoSelects(sets, policy, endpoint));
  for (const policy of sets.cilium)
    result = or(result, ciliumCouldSelect(policy, endpoint.pod, direction, sets.namespaceLabels));
  return result;
}

/** The Kubernetes matching, lent to the Calico evaluator. */
const KUBERNETES: (sets: PolicySet) => KubernetesMatching = (sets) => ({
  selects,
  peers: (policy, rule, other) => rulePeers(sets, policy, rule, other),
  ports: (rule, query) => rulePorts(rule.ports, query.protocol, query.destination),
});

/** Whether a rule's `from`/`to` admits the other end: OR across peers, every peer when empty. */
function rulePeers(sets: PolicySet, policy: NetworkPolicyModel, rule: PolicyRuleModel, other: Endpoint): Tri {
  return rulePeersWithDoubts(sets, policy, rule, other).peers;
}

/** Whether a rule's peers match the other end, and the labels of it that left a match open. */
function rulePeersWithDoubts(
  sets: PolicySet,
  policy: NetworkPolicyModel,
  rule: PolicyRuleModel,
  other: Endpoint,
): { peers: Tri; unsettled: string[] } {
  let peers: Tri = rule.peers && rule.peers.length > 0 ? 'no' : 'yes';
  const unsettled: string[] = [];
  for (const peer of rule.peers ?? []) {
    const match = matchPeer(sets, policy, peer, other);
    if (match === 'maybe' && peer.podSelector && other.pod)
      unsettled.push(...unsettledLabels(peer.podSelector, other.pod));
    peers = or(peers, match);
  }
  return { peers, unsettled };
}

/** One hop from the verdicts of every engine that enforces on it: all must allow. */
function combineHops(hops: readonly TraceStep[]): TraceStep {
  if (hops.length === 1) return hops[0]!;
  const blocked = hops.filter((h) => h.status === 'blocked');
  const unknown = hops.filter((h) => h.status === 'unknown');
  const deciding = blocked.length > 0 ? blocked : unknown.length > 0 ? unknown : hops;
  const status = blocked.length > 0 ? 'blocked' : unknown.length > 0 ? 'unknown' : 'allowed';
  const deniedPorts = normalise(blocked.flatMap((h) => h.deniedPorts ?? []));
  return {
    kind: hops[0]!.kind,
    status,
    at: hops[0]!.at,
    summary: deciding.map((h) => h.summary).join('; '),
    facts: [...deciding, ...(status === 'blocked' ? unknown : [])].flatMap((h) => h.facts),
    ...(status === 'blocked' ? { deniedPorts } : {}),
  };
}

/**
 * The NetworkPolicy step of one flow on one side: egress on the source pod, ingress on the
 * destination pod. `undefined` when no policy engine enforces anything.
 */
export function policyStep(sets: PolicySet, direction: Direction, query: FlowQuery): TraceStep | undefined {
  if (!policiesEnforced(sets)) return undefined;
  const self = direction === 'ingress' ? query.destination : query.source;
  const cilium = ciliumStep(sets, direction, query);
  if (self.pod?.hostNetwork && !cilium) {
    return {
      kind: direction === 'ingress' ? 'policy-ingress' : 'policy-egress',
      status: 'skipped',
      at: `pod ${self.label} (namespace ${self.pod.namespace})`,
      summary: `${self.label} uses the host network: NetworkPolicies do not select it${sets.calico.length > 0 ? ' (Calico policies reach host networking only through HostEndpoints, which are not captured)' : ''}`,
      facts: [],
    };
  }
  const hops: TraceStep[] = [];
  if (sets.calico.length > 0) hops.push(calicoStep(sets, direction, query, KUBERNETES(sets)));
  // Calico enforces the Kubernetes policies among its own; the VPC CNI agent, where it runs too,
  // enforces them again on their own.
  if (sets.policies.length > 0 && (sets.calico.length === 0 || sets.engine.kind === 'vpc-cni'))
    hops.push(kubernetesStep(sets, direction, query));
  if (cilium) hops.push(cilium);
  if (hops.length === 0) {
    return {
      kind: direction === 'ingress' ? 'policy-ingress' : 'policy-egress',
      status: 'allowed',
      at: self.pod ? `pod ${self.label} (namespace ${self.pod.namespace})` : self.label,
      summary: `no NetworkPolicy isolates ${self.label} for ${direction}`,
      facts: [],
    };
  }
  return combineHops(hops);
}

/** The Kubernetes NetworkPolicy hop alone (no Calico policies, or a second enforcer of them). */
function kubernetesStep(sets: PolicySet, direction: Direction, query: FlowQuery): TraceStep {
  const { destination, protocol, ports } = query;
  // The side whose policies apply, and the peer its rules must admit.
  const [self, other] =
    direction === 'ingress' ? [query.destination, query.source] : [query.source, query.destination];
  const kind = direction === 'ingress' ? 'policy-ingress' : 'policy-egress';
  const at = self.pod ? `pod ${self.label} (namespace ${self.pod.namespace})` : self.label;
  if (self.pod?.hostNetwork) {
    return {
      kind,
      status: 'skipped',
      at,
      summary: `${self.label} uses the host network: NetworkPolicies do not select it`,
      facts: [],
    };
  }
  const selecting = sets.policies
    .filter((p) => p.isolates[direction])
    .map((policy) => ({ policy, selected: selects(policy, self) }))
    .filter((s) => s.selected !== 'no');
  if (selecting.length === 0) {
    return {
      kind,
      status: 'allowed',
      at,
      summary: `no NetworkPolicy isolates ${self.label} for ${direction}`,
      facts: [],
    };
  }
  const wanted: PortSet = [ports];
  let sure: PortSet = [];
  let unsure: PortSet = [];
  const deciding: Fact[] = [];
  const doubts: Fact[] = [];
  let isolation: Tri = 'no';
  for (const { policy, selected } of selecting) {
    isolation = or(isolation, selected);
    for (const rule of (direction === 'ingress' ? policy.ingress : policy.egress) ?? []) {
      const { peers, unsettled } = rulePeersWithDoubts(sets, policy, rule, other);
      if (peers === 'no') continue;
      const covered = rulePorts(rule.ports, protocol, destination);
      const sureHere = intersect(wanted, covered.sure);
      const unsureHere = intersect(wanted, covered.unsure);
      const where = `${policy.namespace}/${policy.name} ${direction}[${rule.index}]`;
      if (peers === 'yes' && selected === 'yes' && !isEmpty(sureHere)) {
        if (!isEmpty(subtract(sureHere, sure)))
          deciding.push(
            policyFact(
              policy,
              direction,
              `${where} allows ${protocol}/${formatPortSet(sureHere)} ${direction === 'ingress' ? 'from' : 'to'} ${other.label}`,
              rule.index,
            ),
          );
        sure = normalise([...sure, ...sureHere]);
      } else if (!isEmpty(sureHere) || !isEmpty(unsureHere)) {
        doubts.push(
          policyFact(
            policy,
            direction,
            `${where} may allow it: ${ruleDoubt(peers, selected, other, self, unsettled, policy)}`,
            rule.index,
          ),
        );
        unsure = normalise([...unsure, ...sureHere, ...unsureHere]);
      }
    }
  }
  const names = selecting.map((s) => `${s.policy.namespace}/${s.policy.name}`).join(', ');
  // What a `maybe` isolation turns on: the labels each policy selects on that the pod may lack.
  const unsettledBy = (policy: NetworkPolicyModel): string[] =>
    self.pod ? unsettledLabels(policy.podSelector, self.pod) : [];
  const isolatingFacts = selecting.map((s) => {
    const unsettled = s.selected === 'maybe' ? unsettledBy(s.policy) : [];
    return policyFact(
      s.policy,
      direction,
      `${s.policy.namespace}/${s.policy.name} ${s.selected === 'yes' ? 'isolates' : 'may isolate'} ${self.label} for ${direction}` +
        (unsettled.length > 0 ? ` (it selects on label ${unsettled.join(', ')})` : ''),
    );
  });
  const uncovered = subtract(wanted, sure);
  if (isEmpty(uncovered)) {
    return {
      kind,
      status: 'allowed',
      at,
      summary: `${direction} ${protocol}/${formatPortSet(wanted)} allowed by ${deciding.map((f) => f.text).join('; ')}`,
      facts: deciding,
    };
  }
  if (isolation === 'maybe' || !isEmpty(intersect(uncovered, unsure))) {
    const unsettled = selecting
      .filter((s) => s.selected === 'maybe')
      .flatMap((s) => {
        const keys = unsettledBy(s.policy);
        return keys.length > 0
          ? [`${s.policy.namespace}/${s.policy.name} selects on label ${keys.join(', ')}`]
          : [];
      });
    const why =
      isolation === 'maybe'
        ? `whether ${names} select ${self.label} depends on labels not known${unsettled.length > 0 ? `: ${unsettled.join('; ')}` : ''}`
        : doubts.map((d) => d.text).join('; ');
    return {
      kind,
      status: 'unknown',
      at,
      summary: `NetworkPolicy ${direction} cannot be decided: ${why}`,
      facts: [...isolatingFacts, ...deciding, ...doubts],
    };
  }
  return {
    kind,
    status: 'blocked',
    at,
    summary: `NetworkPolicy ${names} isolate${selecting.length === 1 ? 's' : ''} ${self.label} for ${direction} and no rule allows ${protocol}/${formatPortSet(uncovered)} ${direction === 'ingress' ? 'from' : 'to'} ${other.label}`,
    facts: [...isolatingFacts, ...deciding],
    deniedPorts: uncovered,
  };
}
