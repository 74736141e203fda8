/**
 * The NetworkPolicy a fix proposes, checked against the Kubernetes documentation (Concepts →
 * Network Policies): policies are additive, so a policy that selects the isolated pods and allows
 * the peer lets the flow through; a `from`/`to` element holding both a namespaceSelector and a
 * podSelector selects those pods of those namespaces; every namespace carries the label
 * `kubernetes.io/metadata.name`; `ports[].endPort` makes a port range; policyTypes names the
 * direction. A Calico policy ordered before the Kubernetes ones (Calico: order 1000) that denies
 * wins over anything a NetworkPolicy adds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FlowResult } from '../../src/analyze/types.ts';
import type { EndIdentity } from '../../src/model/identity.ts';
import { synthesizePolicies } from '../../src/remediate/policy.ts';
import type { Fact, TraceStep } from '../../src/reachability/types.ts';

const WORKER: EndIdentity = {
  namespace: 'dynamo-workload',
  labels: { 'nvidia.com/dynamo-component-type': 'worker', 'app.kubernetes.io/part-of': 'dynamo' },
};
const NATS: EndIdentity = {
  namespace: 'dynamo-system',
  labels: { 'app.kubernetes.io/name': 'nats', 'app.kubernetes.io/instance': 'dynamo-platform', tier: 'x' },
};

function flow(over: {
  id?: string;
  requirement?: string;
  protocol?: string;
  ports?: { from: number; to: number };
  status?: string;
  steps?: Partial<TraceStep>[];
}): FlowResult {
  return {
    id: over.id ?? 'nats:pods@gpu->pods@system',
    requirement: over.requirement ?? 'nats',
    protocol: over.protocol ?? 'tcp',
    ports: over.ports ?? { from: 4222, to: 4222 },
    status: over.status ?? 'blocked',
    steps: (over.steps ?? [{ kind: 'policy-ingress', status: 'blocked' }]).map((s) => ({
      at: '-',
      summary: '-',
      facts: [],
      ...s,
    })),
  } as unknown as FlowResult;
}

function synth(
  flows: FlowResult[],
  ids: Record<string, { source?: EndIdentity; destination?: EndIdentity }>,
) {
  const unfixable: string[] = [];
  const fixes: [string, string][] = [];
  const policies = synthesizePolicies(
    flows,
    new Map(
      Object.entries(ids).map(([k, v]) => [k, { source: v.source, destination: v.destination }] as const),
    ),
    (flowId, itemId) => fixes.push([flowId, itemId]),
    unfixable,
  );
  return { policies, unfixable, fixes };
}

describe('a NetworkPolicy fix for a flow a policy blocks', () => {
  it('ingress: selects the destination pods by their identifying labels and allows the source on the port', () => {
    const f = flow({});
    const { policies, fixes, unfixable } = synth([f], { [f.id]: { source: WORKER, destination: NATS } });
    assert.deepEqual(unfixable, []);
    assert.equal(policies.length, 1);
    const p = policies[0]!;
    assert.deepEqual(
      [p.id, p.namespace, p.name, p.direction, p.requirements, p.unblocks],
      ['network-policy-1', 'dynamo-system', 'allow-nats-from-dynamo-workload', 'ingress', ['nats'], [f.id]],
    );
    assert.deepEqual(p.manifest, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name: 'allow-nats-from-dynamo-workload',
        namespace: 'dynamo-system',
        labels: { 'app.kubernetes.io/managed-by': 'dynamo-netcheck' },
      },
      spec: {
        // The workload-naming keys only: `tier` is not one of them.
        podSelector: {
          matchLabels: { 'app.kubernetes.io/name': 'nats', 'app.kubernetes.io/instance': 'dynamo-platform' },
        },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dynamo-workload' } },
                podSelector: { matchLabels: WORKER.labels },
              },
            ],
            ports: [{ protocol: 'TCP', port: 4222 }],
          },
        ],
      },
    });
    assert.equal(
      p.description,
      'NetworkPolicy dynamo-system/allow-nats-from-dynamo-workload: ingress from namespace dynamo-workload pods nvidia.com/dynamo-component-type=worker,app.kubernetes.io/part-of=dynamo on TCP/4222',
    );
    assert.match(
      p.command,
      /^kubectl apply -f - <<'EOF'\napiVersion: networking\.k8s\.io\/v1\n[\s\S]*\nEOF$/,
    );
    assert.match(p.command, /\n {4}- from:\n/);
    // The manifest's own final newline is not doubled before the delimiter.
    assert.equal(p.command.includes('\n\n'), false);
    assert.deepEqual(fixes, [[f.id, 'network-policy-1']]);
  });

  it('egress: selects the source pods (all their labels when none identifies the workload) and allows the destination', () => {
    const f = flow({
      protocol: 'udp',
      ports: { from: 53, to: 53 },
      requirement: 'dns',
      steps: [{ kind: 'policy-egress', status: 'blocked' }],
    });
    const { policies } = synth([f], {
      [f.id]: { source: WORKER, destination: { namespace: 'kube-system', labels: {} } },
    });
    assert.equal(policies.length, 1);
    const p = policies[0]!;
    assert.equal(p.namespace, 'dynamo-workload');
    assert.equal(p.name, 'allow-dns-to-kube-system');
    assert.deepEqual((p.manifest as { spec: unknown }).spec, {
      podSelector: { matchLabels: WORKER.labels },
      policyTypes: ['Egress'],
      // A peer with no labels in common: its whole namespace, and no podSelector.
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
          ports: [{ protocol: 'UDP', port: 53 }],
        },
      ],
    });
    assert.equal(
      p.description,
      'NetworkPolicy dynamo-workload/allow-dns-to-kube-system: egress to namespace kube-system on UDP/53',
    );
  });

  it('a port range denied: one port entry with endPort; only the denied ports, not the whole request', () => {
    const f = flow({
      ports: { from: 32768, to: 60999 },
      steps: [
        {
          kind: 'policy-ingress',
          status: 'blocked',
          deniedPorts: [
            { from: 32768, to: 40000 },
            { from: 50000, to: 50000 },
          ],
        },
      ],
    });
    const { policies } = synth([f], { [f.id]: { source: WORKER, destination: NATS } });
    const spec = (policies[0]!.manifest as { spec: { ingress: { ports: unknown }[] } }).spec;
    assert.deepEqual(spec.ingress[0]!.ports, [
      { protocol: 'TCP', port: 32768, endPort: 40000 },
      { protocol: 'TCP', port: 50000 },
    ]);
    assert.match(policies[0]!.description, / on TCP\/32768-40000, TCP\/50000$/);
  });

  it('two flows to one workload from one namespace share a policy: both ports, the peer labels both carry', () => {
    const a = flow({ id: 'a' });
    const b = flow({ id: 'b', requirement: 'request-plane', ports: { from: 9345, to: 9345 } });
    const frontend: EndIdentity = {
      namespace: 'dynamo-workload',
      labels: { 'nvidia.com/dynamo-component-type': 'frontend', 'app.kubernetes.io/part-of': 'dynamo' },
    };
    const { policies, fixes } = synth([a, b], {
      a: { source: WORKER, destination: NATS },
      b: { source: frontend, destination: NATS },
    });
    assert.equal(policies.length, 1);
    const p = policies[0]!;
    assert.equal(p.name, 'allow-nats-request-plane-from-dynamo-workload');
    assert.deepEqual(p.requirements, ['nats', 'request-plane']);
    assert.deepEqual(p.unblocks, ['a', 'b']);
    const rule = (p.manifest as { spec: { ingress: { from: unknown; ports: unknown }[] } }).spec.ingress[0]!;
    assert.deepEqual(rule.from, [
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dynamo-workload' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'dynamo' } },
      },
    ]);
    assert.deepEqual(rule.ports, [
      { protocol: 'TCP', port: 4222 },
      { protocol: 'TCP', port: 9345 },
    ]);
    assert.deepEqual(fixes, [
      ['a', 'network-policy-1'],
      ['b', 'network-policy-1'],
    ]);
  });

  it('peers in two namespaces get a policy each, numbered in order', () => {
    const a = flow({ id: 'a' });
    const b = flow({ id: 'b' });
    const { policies } = synth([a, b], {
      a: { source: WORKER, destination: NATS },
      b: { source: { namespace: 'monitoring', labels: { app: 'prometheus' } }, destination: NATS },
    });
    assert.deepEqual(
      policies.map((p) => [p.id, p.name]),
      [
        ['network-policy-1', 'allow-nats-from-dynamo-workload'],
        ['network-policy-2', 'allow-nats-from-monitoring'],
      ],
    );
  });

  it('a name is a DNS label: lower case, other characters as "-", at most 63, no "-" at either end', () => {
    const f = flow({ requirement: 'NATS_Plane' });
    const long = 'n'.repeat(40) + '-x';
    const { policies } = synth([f], {
      [f.id]: { source: { namespace: long, labels: { app: 'a' } }, destination: NATS },
    });
    const name = policies[0]!.name;
    assert.ok(name.length <= 63, name);
    assert.match(name, /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
    assert.equal(name, `allow-nats-plane-from-${'n'.repeat(40)}`);
  });
});

describe('what a NetworkPolicy cannot fix', () => {
  const calicoDeny = (order: number): Fact => ({
    kind: 'network-policy',
    namespace: '',
    name: 'deny-gpu',
    direction: 'ingress',
    ruleIndex: 2,
    policyKind: 'Calico GlobalNetworkPolicy',
    action: 'Deny',
    order,
    text: 'deny',
    origin: { file: 'k8s/calico.yaml', path: 'items[0]' },
  });

  it('a Calico deny ordered at or before 1000: no policy, the warning names it and its order', () => {
    for (const order of [500, 1000]) {
      const f = flow({ steps: [{ kind: 'policy-ingress', status: 'blocked', facts: [calicoDeny(order)] }] });
      const { policies, unfixable } = synth([f], { [f.id]: { source: WORKER, destination: NATS } });
      assert.deepEqual(policies, []);
      assert.deepEqual(unfixable, [
        `${f.id}: Calico GlobalNetworkPolicy deny-gpu ingress[2] denies it at order ${order}, before Kubernetes NetworkPolicies (order 1000): no NetworkPolicy can override it; change that policy (k8s/calico.yaml)`,
      ]);
    }
  });

  it('a Calico deny ordered after 1000 does not stop a NetworkPolicy fix', () => {
    const f = flow({ steps: [{ kind: 'policy-ingress', status: 'blocked', facts: [calicoDeny(1001)] }] });
    const { policies, unfixable } = synth([f], { [f.id]: { source: WORKER, destination: NATS } });
    assert.equal(policies.length, 1);
    assert.deepEqual(unfixable, []);
  });

  it('pods not known on either side: no policy, and the warning says which side', () => {
    const f = flow({});
    const none = synth([f], {});
    assert.deepEqual(none.policies, []);
    assert.deepEqual(none.unfixable, [
      `${f.id}: the isolated pods are not known (not deployed, host network, or several namespaces); re-run once they exist`,
    ]);
    const noPeer = synth([f], { [f.id]: { destination: NATS } });
    assert.deepEqual(noPeer.unfixable, [
      `${f.id}: the peer pods are not known (not deployed, host network, or several namespaces); re-run once they exist`,
    ]);
  });

  it('only blocked flows and only their blocked policy steps get a policy', () => {
    const { policies } = synth(
      [
        flow({ id: 'a', status: 'allowed', steps: [{ kind: 'policy-ingress', status: 'blocked' }] }),
        flow({ id: 'b', steps: [{ kind: 'policy-ingress', status: 'unknown' }] }),
        flow({ id: 'c', steps: [{ kind: 'sg-ingress', status: 'blocked' }] }),
      ],
      {
        a: { source: WORKER, destination: NATS },
        b: { source: WORKER, destination: NATS },
        c: { source: WORKER, destination: NATS },
      },
    );
    assert.deepEqual(policies, []);
  });
});

describe('more of the NetworkPolicy fix', () => {
  it('each workload-naming key alone makes the selector', () => {
    for (const key of ['app.kubernetes.io/component', 'app', 'k8s-app']) {
      const f = flow({});
      const { policies } = synth([f], {
        [f.id]: {
          source: WORKER,
          destination: { namespace: 'dynamo-system', labels: { [key]: 'v', other: 'x' } },
        },
      });
      assert.deepEqual((policies[0]!.manifest as { spec: { podSelector: unknown } }).spec.podSelector, {
        matchLabels: { [key]: 'v' },
      });
    }
  });

  it('runs of other characters become one "-", and a cut name ends on no "-"', () => {
    const f = flow({ requirement: 'NATS__Plane' });
    const ns = `${'n'.repeat(39)}--tail`;
    const { policies } = synth([f], {
      [f.id]: { source: { namespace: ns, labels: { app: 'a' } }, destination: NATS },
    });
    // allow-nats-plane-from- is 22 characters: the cut at 63 falls just after the "--".
    assert.equal(policies[0]!.name, `allow-nats-plane-from-${'n'.repeat(39)}`);
  });

  it('a Calico Allow ordered before 1000 does not stop a fix', () => {
    const f = flow({
      steps: [
        {
          kind: 'policy-ingress',
          status: 'blocked',
          facts: [
            {
              kind: 'network-policy',
              namespace: '',
              name: 'allow-some',
              direction: 'ingress',
              policyKind: 'Calico GlobalNetworkPolicy',
              action: 'Allow',
              order: 500,
              text: 'allow',
              origin: { file: 'k8s/calico.yaml', path: 'items[0]' },
            },
          ],
        },
      ],
    });
    const { policies, unfixable } = synth([f], { [f.id]: { source: WORKER, destination: NATS } });
    assert.equal(policies.length, 1);
    assert.deepEqual(unfixable, []);
  });

  it('a namespaced Calico deny without a kind or rule index: named as a NetworkPolicy, rule 0', () => {
    const f = flow({
      steps: [
        {
          kind: 'policy-ingress',
          status: 'blocked',
          facts: [
            {
              kind: 'network-policy',
              namespace: 'dynamo-system',
              name: 'deny',
              direction: 'ingress',
              action: 'Deny',
              order: 100,
              text: 'deny',
              origin: { file: 'k8s/p.yaml', path: 'items[0]' },
            },
          ],
        },
      ],
    });
    const { unfixable } = synth([f], { [f.id]: { source: WORKER, destination: NATS } });
    assert.deepEqual(unfixable, [
      `${f.id}: NetworkPolicy dynamo-system/deny ingress[0] denies it at order 100, before Kubernetes NetworkPolicies (order 1000): no NetworkPolicy can override it; change that policy (k8s/p.yaml)`,
    ]);
  });

  it('egress with the pods of a side not known: no policy, the warning says which', () => {
    const f = flow({ steps: [{ kind: 'policy-egress', status: 'blocked' }] });
    assert.deepEqual(synth([f], {}).unfixable, [
      `${f.id}: the isolated pods are not known (not deployed, host network, or several namespaces); re-run once they exist`,
    ]);
    assert.deepEqual(synth([f], { [f.id]: { source: WORKER } }).unfixable, [
      `${f.id}: the peer pods are not known (not deployed, host network, or several namespaces); re-run once they exist`,
    ]);
  });
});
