/**
 * Cilium's own policies (cilium.io/v2 CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy) are not
 * modelled: their presence means Cilium runs, and a flow one of them could select is `unknown`,
 * naming it (reachability/cilium-step.ts). Kept here: which pods each rule could select
 * (`endpointSelector`, or `nodeSelector` for host policies) and in which directions.
 */
import { LabelSelectorSchema, type CiliumPolicy, type LabelSelector } from '../../snapshot/schemas.ts';
import type { Located, Origin } from '../../snapshot/types.ts';

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

export function ciliumPolicyName(policy: CiliumPolicyModel): string {
  return `${policy.kind} ${policy.namespace ? `${policy.namespace}/` : ''}${policy.name}`;
}
