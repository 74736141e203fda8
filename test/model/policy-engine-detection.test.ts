/**
 * Which engine enforces NetworkPolicies, and the evidence the report prints (model/policy/build.ts).
 * - The VPC CNI enforces them only with its `aws-eks-nodeagent` container started with
 *   `--enable-network-policy=true` (EKS User Guide, "Limit Pod traffic with Kubernetes network
 *   policies"); Calico runs as DaemonSet `calico-node`, Cilium as `cilium` (or `cilium-agent`),
 *   Canal as `canal`, Kube-OVN as `kube-ovn-cni` (each project's install manifests).
 * - Calico's and Cilium's own policy kinds exist only where their CRDs are installed: a captured
 *   one proves that engine runs, whatever the DaemonSets say.
 * - Only a capture of more DaemonSets than aws-node can prove there is no engine.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CALICO_NODE,
  calicoGnp,
  calicoNp,
  cnp,
  netpol,
  VPC_CNI_AGENT,
  type Json,
} from '../helpers/policy-objects.ts';
import { list, modelFromFiles } from './model-of.ts';

const daemonSet = (name: string, containers: Json[] = [{ name }], namespace = 'kube-system'): Json => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name, namespace },
  spec: { template: { spec: { containers } } },
});
const kubeProxy = daemonSet('kube-proxy');
const awsNodeWith = (agent?: Json): Json =>
  daemonSet('aws-node', [{ name: 'aws-node' }, ...(agent ? [{ name: 'aws-eks-nodeagent', ...agent }] : [])]);
const denyIn = netpol('ns', 'deny', { podSelector: {}, policyTypes: ['Ingress'] });

function engineOf(daemonSets: Json[] | undefined, policies: Json[] = [denyIn]) {
  return modelFromFiles({
    'k8s/policies.json': list(...policies),
    ...(daemonSets ? { 'k8s/daemonsets.json': list(...daemonSets) } : {}),
  }).policies.engine;
}

describe('policy engine from the DaemonSets', () => {
  it('Canal and Kube-OVN enforce policies: "other", named', () => {
    assert.deepEqual(engineOf([awsNodeWith(), daemonSet('canal')]), {
      kind: 'other',
      enforced: true,
      evidence: 'Canal (Calico policy): DaemonSet kube-system/canal',
    });
    assert.deepEqual(engineOf([awsNodeWith(), daemonSet('kube-ovn-cni')]), {
      kind: 'other',
      enforced: true,
      evidence: 'Kube-OVN: DaemonSet kube-system/kube-ovn-cni',
    });
  });

  it('a DaemonSet named cilium-agent is Cilium', () => {
    assert.deepEqual(engineOf([awsNodeWith(), daemonSet('cilium-agent')]), {
      kind: 'cilium',
      enforced: true,
      evidence: 'DaemonSet kube-system/cilium-agent',
    });
  });

  it('calico-node: Calico, with the DaemonSet named', () => {
    assert.deepEqual(engineOf([awsNodeWith(), CALICO_NODE]), {
      kind: 'calico',
      enforced: true,
      evidence: 'DaemonSet calico-system/calico-node',
    });
  });

  it('a DaemonSet written without namespace (a manifest, not kubectl output): no namespace is invented', () => {
    const bare = (name: string): Json => ({ ...daemonSet(name), metadata: { name } });
    assert.equal(engineOf([bare('calico-node')]).evidence, 'DaemonSet /calico-node');
    assert.equal(engineOf([bare('cilium')]).evidence, 'DaemonSet /cilium');
    assert.equal(engineOf([bare('weave-net')]).evidence, 'Weave Net: DaemonSet /weave-net');
  });

  it('the VPC CNI agent with the flag on wins over calico-node', () => {
    assert.deepEqual(engineOf([CALICO_NODE, VPC_CNI_AGENT]), {
      kind: 'vpc-cni',
      enforced: true,
      evidence: 'aws-node runs aws-eks-nodeagent with --enable-network-policy=true',
    });
  });

  it('the flag on another container than aws-eks-nodeagent does not enable the agent', () => {
    const flagOnCni = daemonSet('aws-node', [
      { name: 'aws-node', args: ['--enable-network-policy=true'] },
      { name: 'aws-eks-nodeagent', args: ['--enable-network-policy=false'] },
    ]);
    assert.equal(engineOf([flagOnCni, kubeProxy]).kind, 'none');
  });

  it('agent off in a full capture: none, not enforced, its arguments quoted', () => {
    assert.deepEqual(
      engineOf([awsNodeWith({ args: ['--enable-ipv6=false', '--enable-network-policy=false'] }), kubeProxy]),
      {
        kind: 'none',
        enforced: false,
        evidence:
          'no policy engine among the captured DaemonSets (aws-eks-nodeagent args: --enable-ipv6=false --enable-network-policy=false)',
      },
    );
    assert.equal(
      engineOf([awsNodeWith({}), kubeProxy]).evidence,
      'no policy engine among the captured DaemonSets (aws-eks-nodeagent args: none)',
    );
    assert.equal(
      engineOf([awsNodeWith(), kubeProxy]).evidence,
      'no policy engine among the captured DaemonSets (no aws-eks-nodeagent container)',
    );
  });

  it('an aws-node DaemonSet captured without its spec: no agent, so none in a full capture', () => {
    const trimmed = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'aws-node', namespace: 'kube-system' },
    };
    assert.deepEqual(engineOf([trimmed, kubeProxy]), {
      kind: 'none',
      enforced: false,
      evidence: 'no policy engine among the captured DaemonSets (no aws-eks-nodeagent container)',
    });
  });

  it('aws-node alone, agent off: cannot prove there is no engine, so assumed enforced', () => {
    assert.deepEqual(engineOf([awsNodeWith({ args: ['--enable-network-policy=false'] })]), {
      kind: 'unknown',
      enforced: true,
      evidence:
        'the VPC CNI network-policy agent is off and other DaemonSets (calico-node, cilium) were not captured: policies assumed enforced',
    });
  });

  it('DaemonSets captured, but neither aws-node nor a known engine among them: unknown, and said so', () => {
    // Not "no DaemonSets captured": some were, and the report must not say otherwise.
    // Flannel's DaemonSet (kube-flannel-ds) enforces no NetworkPolicy.
    assert.deepEqual(engineOf([kubeProxy, daemonSet('kube-flannel-ds')]), {
      kind: 'unknown',
      enforced: true,
      evidence:
        'none of the captured DaemonSets (kube-proxy, kube-flannel-ds) is a known policy engine, and without aws-node the capture may be partial: policies assumed enforced',
    });
  });

  it('no DaemonSets at all: unknown, assumed enforced', () => {
    assert.deepEqual(engineOf(undefined), {
      kind: 'unknown',
      enforced: true,
      evidence: 'no DaemonSets captured: policies assumed enforced',
    });
  });
});

describe('policy engine from the policy kinds captured', () => {
  const calicoPolicy = calicoNp('prod', 'allow-db', { selector: 'all()', ingress: [{ action: 'Allow' }] });
  const ciliumPolicy = cnp('prod', 'web', { endpointSelector: {}, ingress: [{}] });

  it('a Calico policy proves Calico, even where the DaemonSets show no engine', () => {
    const expected = {
      kind: 'calico',
      enforced: true,
      evidence: 'Calico NetworkPolicy prod/allow-db (k8s/policies.json) is present: Calico runs',
    };
    assert.deepEqual(engineOf([awsNodeWith(), kubeProxy], [calicoPolicy]), expected);
    assert.deepEqual(engineOf(undefined, [calicoPolicy]), expected);
  });

  it('a Calico GlobalNetworkPolicy is named without a namespace', () => {
    assert.equal(
      engineOf(undefined, [calicoGnp('default-deny', { selector: 'all()' })]).evidence,
      'Calico GlobalNetworkPolicy default-deny (k8s/policies.json) is present: Calico runs',
    );
  });

  it('a Cilium policy proves Cilium, even where the DaemonSets show no engine', () => {
    const expected = {
      kind: 'cilium',
      enforced: true,
      evidence: 'CiliumNetworkPolicy prod/web (k8s/policies.json) is present: Cilium runs',
    };
    assert.deepEqual(engineOf([awsNodeWith(), kubeProxy], [ciliumPolicy]), expected);
    assert.deepEqual(engineOf(undefined, [ciliumPolicy]), expected);
  });

  it('an engine the DaemonSets show is kept, whatever policy kinds are captured', () => {
    assert.equal(engineOf([VPC_CNI_AGENT], [calicoPolicy, ciliumPolicy]).kind, 'vpc-cni');
    assert.equal(engineOf([awsNodeWith(), daemonSet('cilium')], [calicoPolicy]).kind, 'cilium');
  });
});
