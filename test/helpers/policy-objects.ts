/**
 * Policy objects as a snapshot holds them, for tests of any engine: the DaemonSets that say which
 * engine enforces policies (the VPC CNI's network-policy agent, Cilium, Calico), and the policies
 * themselves (Kubernetes NetworkPolicy, Calico NetworkPolicy and GlobalNetworkPolicy,
 * CiliumNetworkPolicy), each with its apiVersion and kind as the engine's API defines them.
 */
export type Json = Record<string, unknown>;

/** The VPC CNI with its network-policy agent on: it enforces Kubernetes NetworkPolicies. */
export const VPC_CNI_AGENT: Json = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'aws-node', namespace: 'kube-system' },
  spec: {
    template: {
      spec: {
        containers: [
          { name: 'aws-node', image: 'amazon-k8s-cni:v1.19.0' },
          {
            name: 'aws-eks-nodeagent',
            image: 'aws-network-policy-agent:v1.1.5',
            args: ['--enable-network-policy=true'],
          },
        ],
      },
    },
  },
};

export const CILIUM_AGENT: Json = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'cilium', namespace: 'kube-system' },
  spec: { template: { spec: { containers: [{ name: 'cilium-agent' }] } } },
};

export const CALICO_NODE: Json = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'calico-node', namespace: 'calico-system' },
  spec: { template: { spec: { containers: [{ name: 'calico-node' }] } } },
};

export const netpol = (namespace: string, name: string, spec: Json): Json => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace },
  spec,
});

/** Every pod of namespace `srv` isolated for ingress (a default deny). */
export const isolateServer = netpol('srv', 'deny-in', { podSelector: {}, policyTypes: ['Ingress'] });

export const calicoNp = (namespace: string, name: string, spec: Json): Json => ({
  apiVersion: 'projectcalico.org/v3',
  kind: 'NetworkPolicy',
  metadata: { name, namespace },
  spec,
});

export const calicoGnp = (name: string, spec: Json): Json => ({
  apiVersion: 'projectcalico.org/v3',
  kind: 'GlobalNetworkPolicy',
  metadata: { name },
  spec,
});

export const cnp = (namespace: string, name: string, spec: Json): Json => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name, namespace },
  spec,
});
