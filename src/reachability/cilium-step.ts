/**
 * Cilium policies in the policy step: not modelled, so one that could select the pod leaves the hop
 * `unknown`, naming it. "Could select" is read from `endpointSelector` (a Kubernetes label selector
 * whose keys may carry Cilium's `k8s:` / `any:` source prefix, with the `io.kubernetes.pod.namespace`
 * and `io.cilium.k8s.namespace.labels.*` labels) and `nodeSelector` (host policies, which apply to
 * host-networked pods) (https://docs.cilium.io/en/stable/security/policy/language/).
 */
import type { Endpoint } from '../model/endpoints.ts';
import { ciliumPolicyName, type CiliumPolicyModel } from '../model/policy/cilium.ts';
import { and, matchSelector, or } from '../model/policy/selectors.ts';
import type { PodIdentity, PolicySet, Tri } from '../model/policy/types.ts';
import type { LabelSelector } from '../snapshot/schemas.ts';
import type { Fact, FlowQuery, TraceStep } from './types.ts';

const NAMESPACE_KEY = 'io.kubernetes.pod.namespace';
const NAMESPACE_LABELS = 'io.cilium.k8s.namespace.labels.';

/**
 * Could this Cilium policy apply to `pod` in `direction`? Never `no` unless the selector rules it out
 * on labels we know; keys Cilium derives from things not modelled (service accounts, reserved
 * identities) make it `maybe`.
 */
export function ciliumCouldSelect(
  policy: CiliumPolicyModel,
  pod: PodIdentity | undefined,
  direction: 'ingress' | 'egress',
  namespaceLabels: (ns: string) => { labels: Record<string, string>; complete: boolean },
): Tri {
  let result: Tri = 'no';
  for (const rule of policy.rules) {
    if (!rule[direction]) continue;
    if (rule.nodeSelector) {
      result = or(result, !pod ? 'maybe' : pod.hostNetwork ? 'maybe' : 'no');
      continue;
    }
    if (!pod) {
      result = or(result, 'maybe');
      continue;
    }
    if (pod.hostNetwork) continue;
    if (policy.namespace !== undefined && policy.namespace !== pod.namespace) continue;
    const selector = rule.endpointSelector;
    if (selector === undefined || selector === 'unreadable') {
      result = or(result, 'maybe');
      continue;
    }
    const ns = namespaceLabels(pod.namespace);
    const labels: Record<string, string> = { ...pod.labels, [NAMESPACE_KEY]: pod.namespace };
    for (const [k, v] of Object.entries(ns.labels)) labels[`${NAMESPACE_LABELS}${k}`] = v;
    // Keys Cilium derives from what is not modelled (another source than k8s/any, a service
    // account, a reserved identity) are neither known present nor absent: the selector is matched
    // on its other keys, and then selects at most `maybe`.
    const plain = (key: string): string => key.replace(/^(k8s|any):/, '');
    const opaque = (key: string): boolean =>
      key.includes(':') || (key.startsWith('io.cilium.') && !key.startsWith(NAMESPACE_LABELS));
    const byKey = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => [plain(k), v] as const);
    const expressions = (selector.matchExpressions ?? []).map((e) => ({ ...e, key: plain(e.key) }));
    const someOpaque = [...byKey.map(([k]) => k), ...expressions.map((e) => e.key)].some(opaque);
    const normalised: LabelSelector = {
      matchLabels: Object.fromEntries(byKey.filter(([k]) => !opaque(k))),
      matchExpressions: expressions.filter((e) => !opaque(e.key)),
    };
    const match = matchSelector(normalised, labels, pod.labelsComplete && ns.complete);
    result = or(result, someOpaque ? and(match, 'maybe') : match);
  }
  return result;
}

/** A Cilium policy that could select the pod leaves the hop unknown. */
export function ciliumStep(
  sets: PolicySet,
  direction: 'ingress' | 'egress',
  query: FlowQuery,
): TraceStep | undefined {
  const self: Endpoint = direction === 'ingress' ? query.destination : query.source;
  const could = sets.cilium
    .map((policy) => ({
      policy,
      selects: ciliumCouldSelect(policy, self.pod, direction, sets.namespaceLabels),
    }))
    .filter((c) => c.selects !== 'no');
  if (could.length === 0) return undefined;
  const facts: Fact[] = could.map(({ policy, selects }) => ({
    kind: 'network-policy',
    namespace: policy.namespace ?? '',
    name: policy.name,
    direction,
    policyKind: policy.kind,
    text: `${ciliumPolicyName(policy)} ${selects === 'yes' ? 'selects' : 'may select'} ${self.label} for ${direction}; Cilium policies are not modelled`,
    origin: policy.origin,
  }));
  return {
    kind: direction === 'ingress' ? 'policy-ingress' : 'policy-egress',
    status: 'unknown',
    at: self.pod ? `pod ${self.label} (namespace ${self.pod.namespace})` : self.label,
    summary: `NetworkPolicy ${direction} cannot be decided: ${facts.map((f) => f.text).join('; ')}`,
    facts,
  };
}
