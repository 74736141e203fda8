/**
 * Calico's own policies (projectcalico.org/v3 NetworkPolicy and GlobalNetworkPolicy) as data for
 * the policy step, and the modelled subset: `order`, `selector` / `namespaceSelector`, `types`,
 * the actions Allow/Deny/Pass/Log, `protocol` / `notProtocol`, `ipVersion`, destination `ports` /
 * `notPorts`, and source/destination `selector`, `notSelector`, `namespaceSelector`, `nets` and
 * `notNets` (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy,
 * https://docs.tigera.io/calico/latest/reference/resources/globalnetworkpolicy). What lies outside
 * it is named, never dropped: a policy-level field outside the subset makes every flow the policy
 * could select `unknown`; a rule-level one makes that rule match at most `maybe`.
 */
import { parseAddress, parseCidr, type AddressRange } from '../../base/ip.ts';
import { parseCalicoSelector, type SelectorNode } from '../../snapshot/calico-selector.ts';
import type {
  CalicoEntityRule,
  CalicoPolicy,
  CalicoPort,
  CalicoProtocol,
  CalicoRule,
} from '../../snapshot/schemas.ts';
import type { Located, Origin } from '../../snapshot/types.ts';

export type CalicoAction = 'Allow' | 'Deny' | 'Pass' | 'Log';

export type CalicoPortModel = { readonly from: number; readonly to: number } | { readonly name: string };

export interface CalicoEntityModel {
  readonly nets?: readonly AddressRange[];
  readonly notNets?: readonly AddressRange[];
  readonly selector?: SelectorNode;
  readonly notSelector?: SelectorNode;
  readonly namespaceSelector?: SelectorNode;
  readonly ports?: readonly CalicoPortModel[];
  readonly notPorts?: readonly CalicoPortModel[];
}

export interface CalicoRuleModel {
  readonly index: number;
  readonly action: CalicoAction;
  /** Lower-case protocol name (`tcp`, `udp`, `icmp`, …) or `proto-N`, as the flow's protocol is written. */
  readonly protocol?: string;
  readonly notProtocol?: string;
  readonly ipVersion?: 4 | 6;
  readonly source: CalicoEntityModel;
  readonly destination: CalicoEntityModel;
  /** Match criteria the model does not evaluate: the rule then matches a flow at most `maybe`. */
  readonly unmodelled: readonly string[];
}

export interface CalicoPolicyModel {
  readonly kind: 'NetworkPolicy' | 'GlobalNetworkPolicy';
  readonly apiVersion: string;
  /** The namespace of a NetworkPolicy ("default" when omitted); undefined for a GlobalNetworkPolicy. */
  readonly namespace?: string;
  readonly name: string;
  /** Undefined = no order, which Calico sorts after every ordered policy ("infinity"). */
  readonly order?: number;
  /** The endpoints the policy applies to (default `all()`). */
  readonly selector: SelectorNode;
  /** A GlobalNetworkPolicy's namespaces (default all). */
  readonly namespaceSelector?: SelectorNode;
  readonly types: { readonly ingress: boolean; readonly egress: boolean };
  readonly ingress: readonly CalicoRuleModel[];
  readonly egress: readonly CalicoRuleModel[];
  /** Why the policy lies outside the modelled subset; a flow it could select is then unknown. */
  readonly outside: readonly string[];
  readonly origin: Origin;
}

const PROTOCOL_NUMBERS: Readonly<Record<string, string>> = {
  '1': 'icmp',
  '6': 'tcp',
  '17': 'udp',
  '58': 'icmpv6',
};

/** Calico's protocol names and numbers written as the flow model writes them. */
export function calicoProtocol(p: CalicoProtocol): string {
  const text = String(p).toLowerCase();
  if (/^\d+$/.test(text)) return PROTOCOL_NUMBERS[String(Number(text))] ?? `proto-${Number(text)}`;
  return text;
}

function port(p: CalicoPort): CalicoPortModel {
  if (typeof p === 'number') return { from: p, to: p };
  const range = /^(\d+)(?::(\d+))?$/.exec(p);
  if (range) return { from: Number(range[1]), to: Number(range[2] ?? range[1]) };
  return { name: p };
}

function net(text: string): AddressRange {
  // The schema accepted it as a CIDR or an address; Calico takes a bare address as its /32 (/128).
  return (parseCidr(text) ?? parseAddress(text))!;
}

/** A selector the schema already validated. */
function selector(text: string): SelectorNode {
  const parsed = parseCalicoSelector(text);
  if (!parsed.ok) throw new Error(`selector passed validation but does not parse: ${parsed.error}`);
  return parsed.node;
}

const ENTITY_KEYS = new Set([
  'nets',
  'notNets',
  'selector',
  'notSelector',
  'namespaceSelector',
  'ports',
  'notPorts',
]);
const RULE_KEYS = new Set([
  'action',
  'protocol',
  'notProtocol',
  'ipVersion',
  'source',
  'destination',
  'metadata',
]);
const SPEC_KEYS = new Set([
  'order',
  'tier',
  'selector',
  'namespaceSelector',
  'serviceAccountSelector',
  'types',
  'ingress',
  'egress',
  'doNotTrack',
  'preDNAT',
  'applyOnForward',
  'performanceHints',
]);

function present(value: unknown): boolean {
  return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
}

function entity(
  raw: CalicoEntityRule | null | undefined,
  side: string,
  unmodelled: string[],
): CalicoEntityModel {
  if (!raw) return {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>))
    if (!ENTITY_KEYS.has(key) && present(value)) unmodelled.push(`${side}.${key}`);
  // A source port is the client's ephemeral port, which the flow does not fix.
  if (side === 'source' && (present(raw.ports) || present(raw.notPorts)))
    unmodelled.push(`source.${present(raw.ports) ? 'ports' : 'notPorts'}`);
  // A notSelector or namespaceSelector of blanks only: whether Calico reads it as unset or as
  // all() (which excludes, or scopes to, every namespace) is not settled here, so it is a doubt.
  for (const key of ['notSelector', 'namespaceSelector'] as const) {
    const value = raw[key];
    if (typeof value === 'string' && value !== '' && value.trim() === '')
      unmodelled.push(`${side}.${key} (blank)`);
  }
  return {
    ...(raw.nets?.length ? { nets: raw.nets.map(net) } : {}),
    ...(raw.notNets?.length ? { notNets: raw.notNets.map(net) } : {}),
    ...(raw.selector?.trim() ? { selector: selector(raw.selector) } : {}),
    ...(raw.notSelector?.trim() ? { notSelector: selector(raw.notSelector) } : {}),
    ...(raw.namespaceSelector?.trim() ? { namespaceSelector: selector(raw.namespaceSelector) } : {}),
    ...(raw.ports?.length ? { ports: raw.ports.map(port) } : {}),
    ...(raw.notPorts?.length ? { notPorts: raw.notPorts.map(port) } : {}),
  };
}

function rule(raw: CalicoRule, index: number): CalicoRuleModel {
  const unmodelled: string[] = [];
  for (const [key, value] of Object.entries(raw as Record<string, unknown>))
    if (!RULE_KEYS.has(key) && present(value)) unmodelled.push(key);
  return {
    index,
    action: raw.action,
    ...(raw.protocol !== undefined && raw.protocol !== null
      ? { protocol: calicoProtocol(raw.protocol) }
      : {}),
    ...(raw.notProtocol !== undefined && raw.notProtocol !== null
      ? { notProtocol: calicoProtocol(raw.notProtocol) }
      : {}),
    ...(raw.ipVersion ? { ipVersion: raw.ipVersion } : {}),
    source: entity(raw.source, 'source', unmodelled),
    destination: entity(raw.destination, 'destination', unmodelled),
    unmodelled,
  };
}

/** Selectors that select everything, written as users write them. */
function selectsAll(text: string | null | undefined): boolean {
  const t = text?.trim() ?? '';
  return t === '' || t === 'all()';
}

export function buildCalicoPolicy({ value, origin }: Located<CalicoPolicy>): CalicoPolicyModel {
  const spec = value.spec ?? {};
  const outside: string[] = [];
  for (const [key, v] of Object.entries(spec as Record<string, unknown>))
    if (!SPEC_KEYS.has(key) && present(v)) outside.push(`spec.${key} is not modelled`);
  // Tiers order whole groups of policies before the default tier and pass between them
  // (https://docs.tigera.io/calico/latest/reference/resources/tier): only the default tier is modelled.
  if (spec.tier && spec.tier !== 'default')
    outside.push(`it is in tier ${spec.tier}, and only the default tier is modelled`);
  if (!selectsAll(spec.serviceAccountSelector))
    outside.push('its serviceAccountSelector needs service accounts, which are not modelled');
  for (const flag of ['doNotTrack', 'preDNAT', 'applyOnForward'] as const)
    if (spec[flag]) outside.push(`${flag} (host-endpoint policy) is not modelled`);
  if (value.kind === 'NetworkPolicy' && present(spec.namespaceSelector))
    outside.push('a namespaced NetworkPolicy has no spec.namespaceSelector');
  const ingress = (spec.ingress ?? []).map(rule);
  const egress = (spec.egress ?? []).map(rule);
  // Without `types`: Ingress, plus Egress when egress rules are present, Egress alone when only
  // egress rules are (the table under "Spec" in the NetworkPolicy reference).
  const types = spec.types?.length
    ? { ingress: spec.types.includes('Ingress'), egress: spec.types.includes('Egress') }
    : { ingress: ingress.length > 0 || egress.length === 0, egress: egress.length > 0 };
  return {
    kind: value.kind,
    apiVersion: value.apiVersion,
    ...(value.kind === 'NetworkPolicy' ? { namespace: value.metadata.namespace ?? 'default' } : {}),
    name: value.metadata.name,
    ...(typeof spec.order === 'number' ? { order: spec.order } : {}),
    selector: selector(spec.selector ?? ''),
    ...(value.kind === 'GlobalNetworkPolicy' && spec.namespaceSelector?.trim()
      ? { namespaceSelector: selector(spec.namespaceSelector) }
      : {}),
    types,
    ingress,
    egress,
    outside,
    origin,
  };
}

/** `projectcalico.org/v3 GlobalNetworkPolicy default-deny` / `… NetworkPolicy ns/name`. */
export function calicoPolicyName(policy: CalicoPolicyModel): string {
  return `Calico ${policy.kind} ${policy.namespace ? `${policy.namespace}/` : ''}${policy.name}`;
}
