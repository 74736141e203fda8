/**
 * The policy step where Calico's own policies are present: Calico evaluates its NetworkPolicies,
 * GlobalNetworkPolicies and the Kubernetes NetworkPolicies together, as one ordered list per
 * direction (https://docs.tigera.io/calico/latest/reference/resources/tier, "How policy is evaluated"):
 *
 * - Policies sort by `order`, lowest first; a policy without one comes after all that have one, ties
 *   go by name (Felix's PolicyByOrder, projectcalico/calico felix/calc/policy_sorter.go). Kubernetes
 *   NetworkPolicies take order 1000 ("We insert all the NetworkPolicy Policies at order 1000.0",
 *   K8sNetworkPolicyToCalico in libcalico-go/lib/backend/k8s/conversion/conversion.go); their rules
 *   are Allows.
 * - Rules run in order: `Allow` and `Deny` are final, `Log` goes on to the next rule, `Pass` skips the
 *   remaining policies to the endpoint's profile (…/reference/resources/networkpolicy#rule). A pod's
 *   profile is its namespace's, which allows everything (NamespaceToProfile in conversion.go).
 * - When a policy of the tier selects the endpoint for a direction but no rule acts on the packet,
 *   the end of the tier denies it ("Implicit default deny",
 *   https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy); when none
 *   selects it, the profile allows it — Kubernetes' "no policy, no isolation"
 *   (https://docs.tigera.io/calico/latest/network-policy/get-started/calico-policy/calico-network-policy).
 *
 * Only the default tier is modelled; a policy in another tier, or with a field outside the modelled
 * subset, makes every flow it could select `unknown`, naming it. Rule selectors are matched against
 * pods only: network sets and host endpoints (which selectors can also match) are not captured, so a
 * selector that could reach them matches `maybe`.
 */
import { overlaps, unionCovers, type AddressRange } from '../base/ip.ts';
import type { Endpoint } from '../model/endpoints.ts';
import {
  calicoPolicyName,
  type CalicoEntityModel,
  type CalicoPolicyModel,
  type CalicoRuleModel,
} from '../model/policy/calico.ts';
import {
  labelLookup,
  matchCalicoSelector,
  NAMESPACE_LABEL,
  type LabelLookup,
} from '../model/policy/calico-selectors.ts';
import { and, or } from '../model/policy/selectors.ts';
import type {
  NetworkPolicyModel,
  PodIdentity,
  PolicyRuleModel,
  PolicySet,
  Tri,
} from '../model/policy/types.ts';
import type { PortRange } from '../model/types.ts';
import type { SelectorNode } from '../snapshot/calico-selector.ts';
import { ALL_PORTS, formatPortSet, intersect, isEmpty, normalise, type PortSet } from './ports.ts';
import type { Fact, FlowQuery, TraceStep } from './types.ts';

type Direction = 'ingress' | 'egress';

/** What the Kubernetes evaluator lends: the same peer and port matching it uses itself. */
export interface KubernetesMatching {
  selects(policy: NetworkPolicyModel, endpoint: Endpoint): Tri;
  peers(policy: NetworkPolicyModel, rule: PolicyRuleModel, other: Endpoint): Tri;
  ports(rule: PolicyRuleModel, query: FlowQuery): { sure: PortSet; unsure: PortSet };
}

export const KUBERNETES_ORDER = 1000;

function not(t: Tri): Tri {
  return t === 'yes' ? 'no' : t === 'no' ? 'yes' : 'maybe';
}

/** The labels Calico gives a pod's workload endpoint: its own, its namespace's (`pcns.`), and Calico's. */
function podLookup(sets: PolicySet, pod: PodIdentity): LabelLookup {
  const ns = sets.namespaceLabels(pod.namespace);
  const own = labelLookup(pod.labels, pod.labelsComplete);
  const nsLabels = labelLookup(
    Object.fromEntries([
      ...Object.entries(ns.labels).map(([k, v]) => [`pcns.${k}`, v]),
      ['pcns.projectcalico.org/name', pod.namespace],
    ]),
    ns.complete,
  );
  const calico: Record<string, string> = {
    [NAMESPACE_LABEL]: pod.namespace,
    'projectcalico.org/orchestrator': 'k8s',
  };
  return (key) => {
    if (Object.hasOwn(calico, key)) return calico[key];
    if (key.startsWith('pcns.')) return nsLabels(key);
    // Service accounts are not modelled: their labels are never known.
    if (key.startsWith('pcsa.') || key === 'projectcalico.org/serviceaccount')
      return labelLookup({}, false)(key);
    return own(key);
  };
}

/** A namespace's labels as a namespaceSelector sees them (with `projectcalico.org/name`). */
function namespaceLookup(sets: PolicySet, namespace: string): LabelLookup {
  const ns = sets.namespaceLabels(namespace);
  return labelLookup(
    { ...ns.labels, 'projectcalico.org/name': namespace, [NAMESPACE_LABEL]: namespace },
    ns.complete,
  );
}

/** Does a Calico policy apply to this endpoint (its top-level selector, namespace and namespaceSelector)? */
export function calicoSelects(sets: PolicySet, policy: CalicoPolicyModel, endpoint: Endpoint): Tri {
  // The EKS control plane runs no Felix and is no workload or host endpoint: no Calico policy applies to it.
  if (endpoint.kind === 'control-plane') return 'no';
  const pod = endpoint.pod;
  if (!pod) return 'maybe';
  if (pod.hostNetwork) return 'no';
  if (policy.namespace !== undefined && policy.namespace !== pod.namespace) return 'no';
  let result = matchCalicoSelector(policy.selector, podLookup(sets, pod));
  if (policy.namespaceSelector)
    result = and(result, matchCalicoSelector(policy.namespaceSelector, namespaceLookup(sets, pod.namespace)));
  return result;
}

function netsMatch(nets: readonly AddressRange[], endpoint: Endpoint): Tri {
  const addresses = endpoint.addresses;
  if (!addresses) return 'maybe';
  if (unionCovers(nets, addresses)) return 'yes';
  return nets.some((n) => overlaps(n, addresses)) ? 'maybe' : 'no';
}

/**
 * An entity rule's selectors against one endpoint. As Felix compiles them (RuleAPIV2ToBackend,
 * libcalico-go/lib/backend/syncersv1/updateprocessors/rules.go): the positive selector is the
 * namespace scope — the rule's namespaceSelector, else a namespaced policy's own namespace — ANDed
 * with `selector`; `notSelector` is negated as written.
 */
function selectorsMatch(
  sets: PolicySet,
  policy: CalicoPolicyModel,
  entity: CalicoEntityModel,
  endpoint: Endpoint,
): Tri {
  const scoped = entity.namespaceSelector !== undefined || policy.namespace !== undefined;
  const positive =
    entity.selector !== undefined ||
    entity.namespaceSelector !== undefined ||
    (scoped && entity.notSelector !== undefined);
  let result: Tri = 'yes';
  const pod = endpoint.pod;
  const onPod = (node: SelectorNode | undefined, withScope: boolean): Tri => {
    if (!pod) return 'maybe';
    // A host-networked pod is a host endpoint to Calico: none are captured, and a namespaced scope excludes them.
    if (pod.hostNetwork) return withScope ? 'no' : 'maybe';
    let t: Tri = 'yes';
    if (withScope) {
      if (entity.namespaceSelector)
        t = matchCalicoSelector(entity.namespaceSelector, namespaceLookup(sets, pod.namespace));
      else if (policy.namespace !== undefined) t = pod.namespace === policy.namespace ? 'yes' : 'no';
    }
    return node ? and(t, matchCalicoSelector(node, podLookup(sets, pod))) : t;
  };
  if (positive) result = and(result, onPod(entity.selector, scoped));
  if (entity.notSelector) result = and(result, not(onPod(entity.notSelector, false)));
  return result;
}

function entityMatch(
  sets: PolicySet,
  policy: CalicoPolicyModel,
  entity: CalicoEntityModel,
  endpoint: Endpoint,
): Tri {
  let result: Tri = 'yes';
  if (entity.nets) result = and(result, netsMatch(entity.nets, endpoint));
  if (entity.notNets) result = and(result, not(netsMatch(entity.notNets, endpoint)));
  if (result === 'no') return 'no';
  if (entity.selector || entity.notSelector || entity.namespaceSelector)
    result = and(result, selectorsMatch(sets, policy, entity, endpoint));
  return result;
}

/** A Calico port list on the destination: numbers and ranges, and named ports resolved on the destination pod. */
function calicoPorts(
  ports: CalicoEntityModel['ports'],
  query: FlowQuery,
): { sure: PortSet; unsure: PortSet } {
  if (!ports) return { sure: [ALL_PORTS], unsure: [] };
  const sure: PortRange[] = [];
  const unsure: PortRange[] = [];
  for (const p of ports) {
    if ('from' in p) sure.push({ from: p.from, to: p.to });
    else {
      const pod = query.destination.pod;
      const named = pod && Object.hasOwn(pod.namedPorts, p.name) ? pod.namedPorts[p.name] : undefined;
      if (named && named.protocol.toLowerCase() === query.protocol)
        sure.push({ from: named.port, to: named.port });
      else if (!pod || !pod.labelsComplete) unsure.push(ALL_PORTS);
    }
  }
  return { sure: normalise(sure), unsure: normalise(unsure) };
}

/** One rule of the ordered list, whatever its engine: how it matches a piece of the flow's ports. */
interface OrderedRule {
  readonly index: number;
  readonly action: 'Allow' | 'Deny' | 'Pass' | 'Log';
  /** The match on everything but the destination port. */
  readonly match: Tri;
  readonly ports: { sure: PortSet; unsure: PortSet };
  readonly notPorts?: { sure: PortSet; unsure: PortSet };
  /** Why the match is only `maybe`, for the report. */
  readonly doubt?: string;
}

interface OrderedPolicy {
  readonly order: number | undefined;
  readonly sortName: string;
  readonly label: string;
  readonly selected: Tri;
  readonly rules: readonly OrderedRule[];
  readonly outside: readonly string[];
  fact(
    direction: Direction,
    text: string,
    extra?: { ruleIndex?: number; action?: 'Allow' | 'Deny' | 'Pass' },
  ): Fact;
}

function calicoRule(
  sets: PolicySet,
  policy: CalicoPolicyModel,
  rule: CalicoRuleModel,
  query: FlowQuery,
): OrderedRule {
  let match: Tri = 'yes';
  const doubts: string[] = [];
  if (rule.protocol !== undefined) match = and(match, rule.protocol === query.protocol ? 'yes' : 'no');
  if (rule.notProtocol !== undefined) match = and(match, rule.notProtocol === query.protocol ? 'no' : 'yes');
  if (rule.ipVersion !== undefined) {
    const family = query.destination.addresses?.family ?? query.source.addresses?.family;
    match = and(match, family === undefined ? 'maybe' : family === rule.ipVersion ? 'yes' : 'no');
  }
  if (match !== 'no') {
    const source = entityMatch(sets, policy, rule.source, query.source);
    const destination = entityMatch(sets, policy, rule.destination, query.destination);
    if (source === 'maybe')
      doubts.push(
        `whether its source matches ${query.source.label} depends on labels, a namespace or addresses not known`,
      );
    if (destination === 'maybe')
      doubts.push(
        `whether its destination matches ${query.destination.label} depends on labels, a namespace or addresses not known`,
      );
    match = and(match, and(source, destination));
  }
  if (rule.unmodelled.length > 0 && match !== 'no') {
    match = and(match, 'maybe');
    doubts.push(`it also matches on ${rule.unmodelled.join(', ')}, which is not modelled`);
  }
  return {
    index: rule.index,
    action: rule.action,
    match,
    ports: calicoPorts(rule.destination.ports, query),
    ...(rule.destination.notPorts ? { notPorts: calicoPorts(rule.destination.notPorts, query) } : {}),
    ...(doubts.length > 0 ? { doubt: doubts.join('; ') } : {}),
  };
}

function calicoOrdered(
  sets: PolicySet,
  policy: CalicoPolicyModel,
  direction: Direction,
  query: FlowQuery,
): OrderedPolicy {
  const self = direction === 'ingress' ? query.destination : query.source;
  const label = calicoPolicyName(policy);
  return {
    order: policy.order,
    sortName: policy.namespace !== undefined ? `${policy.namespace}/${policy.name}` : policy.name,
    label,
    selected: calicoSelects(sets, policy, self),
    rules: (direction === 'ingress' ? policy.ingress : policy.egress).map((r) =>
      calicoRule(sets, policy, r, query),
    ),
    outside: policy.outside,
    fact: (dir, text, extra) => ({
      kind: 'network-policy',
      namespace: policy.namespace ?? '',
      name: policy.name,
      direction: dir,
      ...(extra?.ruleIndex !== undefined ? { ruleIndex: extra.ruleIndex } : {}),
      policyKind: `Calico ${policy.kind}`,
      ...(extra?.action ? { action: extra.action } : {}),
      ...(policy.order !== undefined ? { order: policy.order } : {}),
      text,
      origin: policy.origin,
    }),
  };
}

function kubernetesOrdered(
  k8s: KubernetesMatching,
  policy: NetworkPolicyModel,
  direction: Direction,
  query: FlowQuery,
): OrderedPolicy {
  const [self, other] =
    direction === 'ingress' ? [query.destination, query.source] : [query.source, query.destination];
  return {
    order: KUBERNETES_ORDER,
    sortName: `${policy.namespace}/knp.default.${policy.name}`,
    label: `NetworkPolicy ${policy.namespace}/${policy.name}`,
    selected: k8s.selects(policy, self),
    rules: ((direction === 'ingress' ? policy.ingress : policy.egress) ?? []).map((rule) => {
      const match = k8s.peers(policy, rule, other);
      return {
        index: rule.index,
        action: 'Allow' as const,
        match,
        ports: k8s.ports(rule, query),
        ...(match === 'maybe'
          ? { doubt: `whether it selects ${other.label} depends on labels or a namespace not known` }
          : {}),
      };
    }),
    outside: [],
    fact: (dir, text, extra) => ({
      kind: 'network-policy',
      namespace: policy.namespace,
      name: policy.name,
      direction: dir,
      ...(extra?.ruleIndex !== undefined ? { ruleIndex: extra.ruleIndex } : {}),
      order: KUBERNETES_ORDER,
      text,
      origin: policy.origin,
    }),
  };
}

function byOrder(a: OrderedPolicy, b: OrderedPolicy): number {
  const ao = a.order ?? Infinity;
  const bo = b.order ?? Infinity;
  if (ao !== bo) return ao < bo ? -1 : 1;
  return a.sortName < b.sortName ? -1 : a.sortName > b.sortName ? 1 : 0;
}

function portTri(set: { sure: PortSet; unsure: PortSet }, piece: PortRange): Tri {
  if (!isEmpty(intersect(set.sure, [piece]))) return 'yes';
  return !isEmpty(intersect(set.unsure, [piece])) ? 'maybe' : 'no';
}

/** The flow's ports cut at every edge of every rule's ports: each piece is matched alike by every rule. */
function pieces(wanted: PortRange, rules: readonly OrderedRule[]): PortRange[] {
  const cuts = new Set<number>([wanted.from]);
  for (const rule of rules)
    for (const set of [rule.ports, rule.notPorts])
      for (const r of [...(set?.sure ?? []), ...(set?.unsure ?? [])])
        for (const edge of [r.from, r.to + 1]) if (edge > wanted.from && edge <= wanted.to) cuts.add(edge);
  const sorted = [...cuts].sort((a, b) => a - b);
  return sorted.map((from, i) => ({ from, to: i + 1 < sorted.length ? sorted[i + 1]! - 1 : wanted.to }));
}

type Outcome = { allow: boolean; fact: Fact; certain: boolean };

/**
 * The Calico policy step for one direction (see the header). `k8s` lends the Kubernetes
 * evaluator's matching so that Kubernetes policies are read exactly as they are without Calico.
 */
export function calicoStep(
  sets: PolicySet,
  direction: Direction,
  query: FlowQuery,
  k8s: KubernetesMatching,
): TraceStep {
  const kind = direction === 'ingress' ? 'policy-ingress' : 'policy-egress';
  const [self, other] =
    direction === 'ingress' ? [query.destination, query.source] : [query.source, query.destination];
  const at = self.pod ? `pod ${self.label} (namespace ${self.pod.namespace})` : self.label;
  const toward = direction === 'ingress' ? 'from' : 'to';
  const ordered = [
    ...sets.calico.filter((p) => p.types[direction]).map((p) => calicoOrdered(sets, p, direction, query)),
    ...sets.policies
      .filter((p) => p.isolates[direction])
      .map((p) => kubernetesOrdered(k8s, p, direction, query)),
  ]
    .filter((p) => p.selected !== 'no')
    .sort(byOrder);

  const outside = ordered.filter((p) => p.outside.length > 0);
  if (outside.length > 0) {
    const facts = outside.map((p) =>
      p.fact(
        direction,
        `${p.label} ${p.selected === 'yes' ? 'selects' : 'may select'} ${self.label} for ${direction} and lies outside the modelled subset: ${p.outside.join('; ')}`,
      ),
    );
    return {
      kind,
      status: 'unknown',
      at,
      summary: `Calico policy ${direction} cannot be decided: ${facts.map((f) => f.text).join('; ')}`,
      facts,
    };
  }
  if (ordered.length === 0) {
    return {
      kind,
      status: 'allowed',
      at,
      summary: `no Calico or Kubernetes policy selects ${self.label} for ${direction}`,
      facts: [],
    };
  }

  const wanted = query.ports;
  const tier: Tri = ordered.reduce<Tri>((acc, p) => or(acc, p.selected), 'no');
  const allowed: PortRange[] = [];
  const denied: PortRange[] = [];
  const unsure: PortRange[] = [];
  const allowFacts = new Map<string, Fact>();
  const denyFacts = new Map<string, Fact>();
  const doubts = new Map<string, Fact>();
  for (const piece of pieces(
    wanted,
    ordered.flatMap((p) => p.rules),
  )) {
    const portsText = `${query.protocol}/${formatPortSet([piece])}`;
    const outcomes: Outcome[] = [];
    let settled = false;
    for (const policy of ordered) {
      for (const rule of policy.rules) {
        let match = and(policy.selected, and(rule.match, portTri(rule.ports, piece)));
        if (rule.notPorts) match = and(match, not(portTri(rule.notPorts, piece)));
        if (match === 'no' || rule.action === 'Log') continue;
        const where = `${policy.label} ${direction}[${rule.index}]`;
        const certain = match === 'yes';
        const verb =
          rule.action === 'Allow'
            ? 'allows'
            : rule.action === 'Deny'
              ? 'denies'
              : 'passes it to the namespace profile, which allows';
        const text = certain
          ? `${where} ${verb} ${portsText} ${toward} ${other.label}`
          : `${where} may ${rule.action === 'Pass' ? 'pass it to the namespace profile (which allows)' : rule.action === 'Deny' ? 'deny' : 'allow'} ${portsText}: ${
              policy.selected !== 'yes'
                ? `whether ${policy.label} selects ${self.label} depends on labels not known`
                : (rule.doubt ?? 'a named port cannot be resolved')
            }`;
        outcomes.push({
          allow: rule.action !== 'Deny',
          certain,
          fact: policy.fact(direction, text, { ruleIndex: rule.index, action: rule.action }),
        });
        if (certain) {
          settled = true;
          break;
        }
      }
      if (settled) break;
    }
    if (!settled) {
      const names = ordered
        .filter((p) => p.selected !== 'no')
        .map((p) => p.label)
        .join(', ');
      if (tier !== 'no') {
        const first = ordered[0]!;
        outcomes.push({
          allow: false,
          certain: tier === 'yes',
          fact: first.fact(
            direction,
            `${names} ${tier === 'yes' ? 'select' : 'may select'} ${self.label} for ${direction} and no rule acts on ${portsText} ${toward} ${other.label}: Calico's end-of-tier deny`,
          ),
        });
      }
      if (tier !== 'yes')
        outcomes.push({
          allow: true,
          certain: false,
          fact: ordered[0]!.fact(
            direction,
            `if ${names} do not select ${self.label}, its namespace profile allows it`,
          ),
        });
    }
    const canAllow = outcomes.some((o) => o.allow);
    const canDeny = outcomes.some((o) => !o.allow);
    if (canAllow && !canDeny) allowed.push(piece);
    else if (canDeny && !canAllow) denied.push(piece);
    else unsure.push(piece);
    for (const o of outcomes)
      (canAllow && canDeny ? doubts : o.allow ? allowFacts : denyFacts).set(o.fact.text, o.fact);
  }

  if (!isEmpty(denied)) {
    const deniedPorts = normalise(denied);
    const facts = [...denyFacts.values()];
    return {
      kind,
      status: 'blocked',
      at,
      summary: `Calico policy ${direction} denies ${query.protocol}/${formatPortSet(deniedPorts)} ${toward} ${other.label}: ${facts.map((f) => f.text).join('; ')}`,
      facts: [...facts, ...doubts.values()],
      deniedPorts,
    };
  }
  if (!isEmpty(unsure)) {
    return {
      kind,
      status: 'unknown',
      at,
      summary: `Calico policy ${direction} cannot be decided: ${[...doubts.values()].map((f) => f.text).join('; ')}`,
      facts: [...allowFacts.values(), ...doubts.values()],
    };
  }
  return {
    kind,
    status: 'allowed',
    at,
    summary: `${direction} ${query.protocol}/${formatPortSet(normalise(allowed))} allowed: ${[...allowFacts.values()].map((f) => f.text).join('; ')}`,
    facts: [...allowFacts.values()],
  };
}
