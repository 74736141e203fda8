/** NetworkPolicies, namespace labels and the enforcing engine, from the snapshot. */
import type { K8sDaemonSet } from '../../snapshot/schemas.ts';
import type { Snapshot } from '../../snapshot/types.ts';
import { buildCalicoPolicy, calicoPolicyName } from './calico.ts';
import { buildCiliumPolicy, ciliumPolicyName } from './cilium.ts';
import type { NetworkPolicyModel, PolicyEngine, PolicySet } from './types.ts';

/** Whether any policy of any engine was captured. */
export function hasPolicies(sets: PolicySet): boolean {
  return sets.policies.length > 0 || sets.calico.length > 0 || sets.cilium.length > 0;
}

/** Policies present and enforced (or assumed enforced): the policy steps run. */
export function policiesEnforced(sets: PolicySet): boolean {
  return hasPolicies(sets) && sets.engine.enforced;
}

function args(ds: K8sDaemonSet): string[] {
  return (ds.spec?.template.spec.containers ?? []).flatMap((c) => c.args ?? []);
}

const OTHER_ENGINES: Readonly<Record<string, string>> = {
  'antrea-agent': 'Antrea',
  'kube-router': 'kube-router',
  'weave-net': 'Weave Net',
  canal: 'Canal (Calico policy)',
  'kube-ovn-cni': 'Kube-OVN',
};

/**
 * The engine that enforces NetworkPolicies: the VPC CNI node agent, Calico, Cilium, none, or
 * unknown. Calico's and Cilium's own policy kinds exist only where their CRDs are installed, so
 * their presence means that engine runs, whatever the DaemonSets captured say.
 */
export function detectEngine(snapshot: Snapshot): PolicyEngine {
  const engine = detectFromDaemonSets(snapshot);
  if (engine.kind !== 'none' && engine.kind !== 'unknown') return engine;
  const calico = snapshot.calicoPolicies[0];
  if (calico) {
    const name = calicoPolicyName(buildCalicoPolicy(calico));
    return {
      kind: 'calico',
      enforced: true,
      evidence: `${name} (${calico.origin.file}) is present: Calico runs`,
    };
  }
  const cilium = snapshot.ciliumPolicies[0];
  if (cilium) {
    const name = ciliumPolicyName(buildCiliumPolicy(cilium));
    return {
      kind: 'cilium',
      enforced: true,
      evidence: `${name} (${cilium.origin.file}) is present: Cilium runs`,
    };
  }
  return engine;
}

function detectFromDaemonSets(snapshot: Snapshot): PolicyEngine {
  const daemonSets = snapshot.daemonSets.map((d) => d.value);
  const awsNode = daemonSets.find((d) => d.metadata.name === 'aws-node');
  const agent = awsNode?.spec?.template.spec.containers.find((c) => c.name === 'aws-eks-nodeagent');
  if (agent && (agent.args ?? []).some((a) => a === '--enable-network-policy=true')) {
    return {
      kind: 'vpc-cni',
      enforced: true,
      evidence: 'aws-node runs aws-eks-nodeagent with --enable-network-policy=true',
    };
  }
  const calico = daemonSets.find((d) => d.metadata.name === 'calico-node');
  if (calico)
    return {
      kind: 'calico',
      enforced: true,
      evidence: `DaemonSet ${calico.metadata.namespace ?? ''}/calico-node`,
    };
  const cilium = daemonSets.find((d) => d.metadata.name === 'cilium' || d.metadata.name === 'cilium-agent');
  if (cilium)
    return {
      kind: 'cilium',
      enforced: true,
      evidence: `DaemonSet ${cilium.metadata.namespace ?? ''}/${cilium.metadata.name}`,
    };
  // Other CNIs and policy controllers that enforce NetworkPolicy, by their usual DaemonSet names.
  const other = daemonSets.find((d) => Object.hasOwn(OTHER_ENGINES, d.metadata.name));
  if (other)
    return {
      kind: 'other',
      enforced: true,
      evidence: `${OTHER_ENGINES[other.metadata.name]}: DaemonSet ${other.metadata.namespace ?? ''}/${other.metadata.name}`,
    };
  // Only a capture of every DaemonSet can prove there is no engine; aws-node alone cannot.
  const fullCapture = daemonSets.some((d) => d.metadata.name !== 'aws-node');
  if (awsNode && fullCapture) {
    const disabled = agent
      ? ` (aws-eks-nodeagent args: ${args(awsNode).join(' ') || 'none'})`
      : ' (no aws-eks-nodeagent container)';
    return {
      kind: 'none',
      enforced: false,
      evidence: `no policy engine among the captured DaemonSets${disabled}`,
    };
  }
  return {
    kind: 'unknown',
    enforced: true,
    evidence: awsNode
      ? 'the VPC CNI network-policy agent is off and other DaemonSets (calico-node, cilium) were not captured: policies assumed enforced'
      : daemonSets.length > 0
        ? `none of the captured DaemonSets (${daemonSets.map((d) => d.metadata.name).join(', ')}) is a known policy engine, and without aws-node the capture may be partial: policies assumed enforced`
        : 'no DaemonSets captured: policies assumed enforced',
  };
}

export function buildPolicySet(snapshot: Snapshot): PolicySet {
  const policies: NetworkPolicyModel[] = snapshot.networkPolicies.map(({ value, origin }) => {
    const spec = value.spec;
    const types = spec.policyTypes ?? undefined;
    // The API defaults policyTypes to Ingress, plus Egress when egress rules are present.
    const isolates = types
      ? { ingress: types.includes('Ingress'), egress: types.includes('Egress') }
      : { ingress: true, egress: (spec.egress ?? []).length > 0 };
    return {
      namespace: value.metadata.namespace ?? 'default',
      name: value.metadata.name,
      podSelector: spec.podSelector,
      ...(spec.ingress
        ? {
            ingress: spec.ingress.map((r, index) => ({
              index,
              ...(r.from ? { peers: r.from } : {}),
              ...(r.ports ? { ports: r.ports } : {}),
            })),
          }
        : {}),
      ...(spec.egress
        ? {
            egress: spec.egress.map((r, index) => ({
              index,
              ...(r.to ? { peers: r.to } : {}),
              ...(r.ports ? { ports: r.ports } : {}),
            })),
          }
        : {}),
      isolates,
      origin,
    };
  });
  const namespaces = new Map(
    snapshot.namespaces.map((n) => [n.value.metadata.name, n.value.metadata.labels ?? {}]),
  );
  const captured = snapshot.captured.has('Namespace');
  return {
    engine: detectEngine(snapshot),
    policies,
    calico: snapshot.calicoPolicies.map(buildCalicoPolicy),
    cilium: snapshot.ciliumPolicies.map(buildCiliumPolicy),
    namespaceLabels: (namespace) => {
      const labels = namespaces.get(namespace);
      // Kubernetes ≥1.22 labels every namespace with its own name.
      if (labels) return { labels: { 'kubernetes.io/metadata.name': namespace, ...labels }, complete: true };
      return { labels: { 'kubernetes.io/metadata.name': namespace }, complete: captured };
    },
  };
}
