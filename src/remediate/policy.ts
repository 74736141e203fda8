/**
 * NetworkPolicy remediation: for a flow a policy blocks, the narrowest policy that allows it —
 * it selects the pods on the isolated side and allows the peer's namespace and shared labels on
 * the one port. Pure: reads flows, writes manifests as data.
 */
import type { FlowEnd, FlowResult } from '../analyze/types.ts';
import { heredocDelimiter, shellCommand } from '../base/shell.ts';
import { stringifyYaml } from '../base/yaml.ts';
import type { EndIdentity } from '../model/identity.ts';
import type { PolicyRemediation } from './types.ts';
import { KUBERNETES_ORDER } from '../reachability/calico-step.ts';

/** Keys that name a workload; when present they alone make the selector. */
const IDENTIFYING_KEYS = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/component',
  'app',
  'k8s-app',
];

function selectorLabels(labels: Record<string, string>): Record<string, string> {
  const identifying = Object.fromEntries(
    IDENTIFYING_KEYS.filter((k) => Object.hasOwn(labels, k)).map((k) => [k, labels[k]!]),
  );
  return Object.keys(identifying).length > 0 ? identifying : labels;
}

function intersectLabels(a: Record<string, string>, b: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(a).filter(([k, v]) => b[k] === v));
}

function dnsName(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/g, '');
}

function yamlCommand(manifest: Record<string, unknown>): string {
  const body = stringifyYaml(manifest).trimEnd();
  const delimiter = heredocDelimiter(body, 'EOF');
  return `${shellCommand(['kubectl', 'apply', '-f', '-'])} <<'${delimiter}'\n${body}\n${delimiter}`;
}

type Draft = Omit<PolicyRemediation, 'id' | 'command' | 'manifest' | 'description' | 'name'> & {
  selector: Record<string, string>;
  peer: EndIdentity;
  ports: Map<string, { protocol: string; port: number; endPort?: number }>;
};

/** `identities` gives each flow end's pods' identities (by flow id), as analyze saw them. */
export function synthesizePolicies(
  flows: readonly FlowResult[],
  identities: ReadonlyMap<string, { source: EndIdentity | undefined; destination: EndIdentity | undefined }>,
  addFix: (flowId: string, itemId: string) => void,
  unfixable: string[],
): PolicyRemediation[] {
  const byKey = new Map<string, Draft>();
  for (const flow of flows) {
    if (flow.status !== 'blocked') continue;
    for (const step of flow.steps.filter(
      (s) => s.status === 'blocked' && (s.kind === 'policy-ingress' || s.kind === 'policy-egress'),
    )) {
      const direction = step.kind === 'policy-ingress' ? 'ingress' : 'egress';
      // A Calico Deny ordered before the Kubernetes policies (order 1000, where Calico puts them)
      // wins over any Kubernetes NetworkPolicy we could add: that policy itself must change.
      const calicoDeny = step.facts.find(
        (f) =>
          f.kind === 'network-policy' &&
          f.action === 'Deny' &&
          f.order !== undefined &&
          f.order <= KUBERNETES_ORDER,
      );
      if (calicoDeny?.kind === 'network-policy') {
        unfixable.push(
          `${flow.id}: ${calicoDeny.policyKind ?? 'NetworkPolicy'} ${calicoDeny.namespace ? `${calicoDeny.namespace}/` : ''}${calicoDeny.name} ${direction}[${calicoDeny.ruleIndex ?? 0}] denies it at order ${calicoDeny.order}, before Kubernetes NetworkPolicies (order ${KUBERNETES_ORDER}): no NetworkPolicy can override it; change that policy (${calicoDeny.origin.file})`,
        );
        continue;
      }
      const ids = identities.get(flow.id);
      const self = direction === 'ingress' ? ids?.destination : ids?.source;
      const peer = direction === 'ingress' ? ids?.source : ids?.destination;
      if (!self || !peer) {
        unfixable.push(
          `${flow.id}: the ${!self ? 'isolated' : 'peer'} pods are not known (not deployed, host network, or several namespaces); re-run once they exist`,
        );
        continue;
      }
      // `podSelector: {}` would select every pod of the namespace: wider than the flow, never proposed.
      if (Object.keys(selectorLabels(self.labels)).length === 0) {
        unfixable.push(
          `${flow.id}: the isolated pods in ${self.namespace} share no stable label, so a NetworkPolicy for them would select every pod of the namespace; label the workload, then re-run`,
        );
        continue;
      }
      // One policy per isolated workload, direction and peer namespace; peers of several flows
      // merge into the labels they share, so two flows never emit two policies of one name.
      const key = JSON.stringify([self.namespace, self.labels, direction, peer.namespace]);
      const existing = byKey.get(key);
      const entry: Draft = existing
        ? {
            ...existing,
            peer: { namespace: peer.namespace, labels: intersectLabels(existing.peer.labels, peer.labels) },
          }
        : {
            namespace: self.namespace,
            direction,
            requirements: [],
            unblocks: [],
            selector: selectorLabels(self.labels),
            peer,
            ports: new Map<string, { protocol: string; port: number; endPort?: number }>(),
          };
      for (const denied of step.deniedPorts ?? [flow.ports]) {
        const protocol = flow.protocol.toUpperCase();
        entry.ports.set(
          denied.from === denied.to
            ? `${protocol}/${denied.from}`
            : `${protocol}/${denied.from}-${denied.to}`,
          {
            protocol,
            port: denied.from,
            ...(denied.to !== denied.from ? { endPort: denied.to } : {}),
          },
        );
      }
      byKey.set(key, {
        ...entry,
        requirements: [...new Set([...entry.requirements, flow.requirement])],
        unblocks: [...new Set([...entry.unblocks, flow.id])],
      });
    }
  }
  return [...byKey.values()].map((entry, i) => {
    const id = `network-policy-${i + 1}`;
    for (const flowId of entry.unblocks) addFix(flowId, id);
    const name = dnsName(
      `allow-${entry.requirements.join('-')}-${entry.direction === 'ingress' ? 'from' : 'to'}-${entry.peer.namespace}`,
    );
    const peer: Record<string, unknown> = {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': entry.peer.namespace } },
      ...(Object.keys(entry.peer.labels).length > 0
        ? { podSelector: { matchLabels: entry.peer.labels } }
        : {}),
    };
    const rule = {
      [entry.direction === 'ingress' ? 'from' : 'to']: [peer],
      ports: [...entry.ports.values()],
    };
    const manifest = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name,
        namespace: entry.namespace,
        labels: { 'app.kubernetes.io/managed-by': 'dynamo-netcheck' },
      },
      spec: {
        podSelector: { matchLabels: entry.selector },
        policyTypes: [entry.direction === 'ingress' ? 'Ingress' : 'Egress'],
        [entry.direction]: [rule],
      },
    };
    const description = `NetworkPolicy ${entry.namespace}/${name}: ${entry.direction} ${entry.direction === 'ingress' ? 'from' : 'to'} namespace ${entry.peer.namespace}${
      Object.keys(entry.peer.labels).length
        ? ` pods ${Object.entries(entry.peer.labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(',')}`
        : ''
    } on ${[...entry.ports.keys()].join(', ')}`;
    return {
      id,
      namespace: entry.namespace,
      name,
      direction: entry.direction,
      description,
      manifest,
      requirements: entry.requirements,
      unblocks: entry.unblocks,
      command: yamlCommand(manifest),
    };
  });
}

export type { FlowEnd };
