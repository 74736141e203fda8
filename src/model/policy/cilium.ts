/**
 * Cilium's own policies (cilium.io/v2 CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy) are not
 * modelled: their presence means Cilium runs, and a flow one of them could select is `unknown`,
 * naming it. "Could select" is read from `endpointSelector` (a Kubernetes label selector whose keys
 * may carry Cilium's `k8s:` / `any:` source prefix, plus the `io.kubernetes.pod.namespace` label)
 * and `nodeSelector` (host policies, which apply to host-networked pods)
 * (https://docs.cilium.io/en/stable/security/policy/language/).
 */
import { LabelSelectorSchema, type CiliumPolicy, type LabelSelector } from '../../snapshot/schemas.ts';
import type { Located, Origin } from '../../snapshot/types.ts';
import type { PodIdentity, Tri } from './types.ts';
import { and, matchSelector, or } from './selectors.ts';

export interface CiliumPolicyModel {
  readonly kind: 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';
  readonly namespace?: string;
  readonly name: string;
  /** One entry per rule (`spec` and each of `specs`). */
  readonly rules: readonly {
    /** A label selector, `unreadable` when it is not one, or absent. */
    readonly endpointSelector?: LabelSelector | 'unreadable';
    readonly nodeSelector: boolean;
    readonly ingress: boolean;
    readonly egress: boolean;
  }[];
  readonly origin: Origin;
}

export function buildCiliumPolicy({ value, origin }: Located<CiliumPolicy>): CiliumPolicyModel {
  const specs = [...(value.spec ? [value.spec] : []), ...(value.specs ?? [])];
  return {
    kind: value.kind,
    ...(value.kind === 'CiliumNetworkPolicy' ? { namespace: value.metadata.namespace ?? 'default' } : {}),
    name: value.metadata.name,
    rules: specs.map((spec) => {
      const has = (key: string): boolean => spec[key] !== undefined && spec[key] !== null;
      const ingress = has('ingress') || has('ingressDeny');
      const egress = has('egress') || has('egressDeny');
      const parsed = has('endpointSelector')
        ? LabelSelectorSchema.safeParse(spec.endpointSelector)
        : undefined;
      return {
        ...(parsed
          ? { endpointSelector: parsed.success ? (spec.endpointSelector as LabelSelector) : 'unreadable' }
          : {}),
        nodeSelector: has('nodeSelector'),
        // A rule with neither direction written is taken to touch both.
        ingress: ingress || !egress,
        egress: egress || !ingress,
      };
    }),
    origin,
  };
}

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
    let opaque = false;
    const plain = (key: string): string => {
      const stripped = key.replace(/^(k8s|any):/, '');
      if (
        stripped.includes(':') ||
        (stripped.startsWith('io.cilium.') && !stripped.startsWith(NAMESPACE_LABELS))
      )
        opaque = true;
      return stripped;
    };
    const normalised: LabelSelector = {
      matchLabels: Object.fromEntries(
        Object.entries(selector.matchLabels ?? {}).map(([k, v]) => [plain(k), v]),
      ),
      matchExpressions: (selector.matchExpressions ?? []).map((e) => ({ ...e, key: plain(e.key) })),
    };
    const match = matchSelector(normalised, labels, pod.labelsComplete && ns.complete);
    result = or(result, opaque ? and(match, 'maybe') : match);
  }
  return result;
}

export function ciliumPolicyName(policy: CiliumPolicyModel): string {
  return `${policy.kind} ${policy.namespace ? `${policy.namespace}/` : ''}${policy.name}`;
}
