import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSnapshot } from '../../src/snapshot/parse.ts';
import { formatIssue } from '../../src/snapshot/types.ts';

function issuesOf(files: { path: string; text: string }[]): string[] {
  const result = parseSnapshot(files);
  assert.equal(result.ok, false, 'expected the input to be rejected');
  return result.ok ? [] : result.issues.map(formatIssue);
}

describe('snapshot loader', () => {
  it('recognises files by content and merges files of one kind', () => {
    const result = parseSnapshot([
      { path: 'a/whatever.json', text: JSON.stringify({ SecurityGroups: [{ GroupId: 'sg-1' }] }) },
      { path: 'b/other.yaml', text: 'SecurityGroups:\n  - GroupId: sg-2\nNextToken: abc\n' },
      {
        path: 'k8s/pods.yaml',
        text: 'apiVersion: v1\nkind: PodList\nitems:\n  - metadata: {name: p, namespace: n}\n    spec: {containers: [{name: c}]}\n',
      },
      {
        path: 'k8s/mixed.json',
        text: JSON.stringify({
          apiVersion: 'v1',
          kind: 'List',
          items: [
            { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } },
            { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'x' } },
          ],
        }),
      },
    ]);
    assert.ok(result.ok);
    assert.deepEqual(
      result.snapshot.securityGroups.map((g) => g.value.GroupId),
      ['sg-1', 'sg-2'],
    );
    assert.equal(result.snapshot.pods[0]?.value.kind, 'Pod', 'typed list items get their kind');
    assert.equal(result.snapshot.nodes.length, 1);
    assert.equal(result.snapshot.services.length, 1);
    assert.deepEqual(result.snapshot.securityGroups[1]?.origin, {
      file: 'b/other.yaml',
      path: 'SecurityGroups[0]',
    });
  });

  it('reads multi-document YAML', () => {
    const result = parseSnapshot([
      {
        path: 'k.yaml',
        text: 'apiVersion: v1\nkind: Node\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Node\nmetadata: {name: b}\n',
      },
    ]);
    assert.ok(result.ok);
    assert.deepEqual(
      result.snapshot.nodes.map((n) => n.origin.path),
      ['document[0]', 'document[1]'],
    );
  });

  it('takes a prefix-list id from the file name or a wrapper', () => {
    const result = parseSnapshot([
      { path: 'aws/pl-0123abcd.json', text: JSON.stringify({ Entries: [{ Cidr: '10.9.0.0/16' }] }) },
      {
        path: 'aws/entries.json',
        text: JSON.stringify({ PrefixListId: 'pl-99', Entries: [{ Cidr: '10.8.0.0/16' }] }),
      },
    ]);
    assert.ok(result.ok);
    assert.deepEqual(
      result.snapshot.prefixListEntries.map((p) => p.value.prefixListId),
      ['pl-0123abcd', 'pl-99'],
    );
  });

  it('rejects prefix-list entries whose list cannot be named', () => {
    assert.deepEqual(
      issuesOf([{ path: 'aws/entries.json', text: JSON.stringify({ Entries: [{ Cidr: '10.8.0.0/16' }] }) }]),
      [
        'aws/entries.json: Entries: prefix-list entries need their list id: name the file after it (pl-….json) or add "PrefixListId"',
      ],
    );
  });

  it('names file and JSON path of a wrong type', () => {
    const issues = issuesOf([
      {
        path: 'aws/security-groups.json',
        text: JSON.stringify({
          SecurityGroups: [
            { GroupId: 'sg-1' },
            { GroupId: 'sg-2' },
            { GroupId: 'sg-3' },
            { GroupId: 'sg-4', IpPermissions: 'all' },
          ],
        }),
      },
    ]);
    assert.equal(issues.length, 1);
    assert.match(
      issues[0]!,
      /^aws\/security-groups\.json: SecurityGroups\[3\]\.IpPermissions: .*expected array/,
    );
  });

  it('rejects malformed CIDRs and ports with their path', () => {
    const issues = issuesOf([
      {
        path: 'sg.json',
        text: JSON.stringify({
          SecurityGroups: [
            {
              GroupId: 'sg-1',
              IpPermissions: [
                { IpProtocol: 'tcp', FromPort: 4222, ToPort: 70000, IpRanges: [{ CidrIp: '10.0.0.0/40' }] },
              ],
            },
          ],
        }),
      },
    ]);
    assert.deepEqual(
      issues.map((i) => i.split(': ').slice(0, 2).join(': ')),
      [
        'sg.json: SecurityGroups[0].IpPermissions[0].ToPort',
        'sg.json: SecurityGroups[0].IpPermissions[0].IpRanges[0].CidrIp',
      ],
    );
  });

  it('reports truncated JSON and YAML with a position', () => {
    const issues = issuesOf([
      { path: 'aws/enis.json', text: '{"NetworkInterfaces": [{"NetworkInterfaceId": "eni-1"' },
      {
        path: 'k8s/nodes.yaml',
        text: 'kind: List\napiVersion: v1\nitems:\n  - kind: Node\n    metadata: {name: "a\n',
      },
    ]);
    assert.equal(issues.length, 2);
    assert.match(issues[0]!, /^aws\/enis\.json: line 1, column 54: invalid JSON/);
    const multiline = issuesOf([
      { path: 'aws/subnets.json', text: '{\n  "Subnets": [\n    {"SubnetId": "s"' },
    ]);
    assert.match(multiline[0]!, /^aws\/subnets\.json: line 3, column 21: invalid JSON/);
    assert.match(issues[1]!, /^k8s\/nodes\.yaml: invalid YAML at line \d+/);
  });

  it('reports unknown files and kinds without failing', () => {
    const result = parseSnapshot([
      { path: 'notes.json', text: JSON.stringify({ hello: 'world' }) },
      { path: 'cm.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' },
    ]);
    assert.ok(result.ok);
    assert.deepEqual(
      result.snapshot.ignored.map((i) => i.file),
      ['notes.json', 'cm.yaml'],
    );
  });

  it('records which kinds were captured, even when empty', () => {
    const result = parseSnapshot([{ path: 'acls.json', text: JSON.stringify({ NetworkAcls: [] }) }]);
    assert.ok(result.ok);
    assert.ok(result.snapshot.captured.has('NetworkAcls'));
    assert.ok(!result.snapshot.captured.has('Subnets'));
  });

  it('collects every problem across files, not only the first', () => {
    const issues = issuesOf([
      { path: 'a.json', text: JSON.stringify({ Subnets: [{ CidrBlock: '10.0.0.0/16' }] }) },
      {
        path: 'b.json',
        text: JSON.stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'p' },
          spec: { containers: 'x' },
        }),
      },
    ]);
    assert.deepEqual(
      issues.map((i) => i.split(': ').slice(0, 2).join(': ')),
      ['a.json: Subnets[0].SubnetId', 'b.json: spec.containers'],
    );
  });
});

describe("the tool's own documents", () => {
  it('reads captured pod logs and the manifest, and validates them', () => {
    const result = parseSnapshot([
      {
        path: 'logs/dynamo.json',
        text: JSON.stringify({
          apiVersion: 'dynamo-netcheck/v1',
          kind: 'PodLogs',
          items: [
            {
              namespace: 'n',
              pod: 'p',
              container: 'c',
              previous: true,
              lines: ['Exception: Failed to connect to NATS: timed out'],
            },
          ],
        }),
      },
      {
        path: 'manifest.json',
        text: JSON.stringify({
          apiVersion: 'dynamo-netcheck/v1',
          kind: 'SnapshotManifest',
          createdAt: '2026-11-28T00:00:00Z',
          toolVersion: '0.1.0',
        }),
      },
    ]);
    assert.ok(result.ok);
    assert.equal(
      result.snapshot.podLogs[0]?.value.lines[0],
      'Exception: Failed to connect to NATS: timed out',
    );
    assert.equal(result.snapshot.podLogs[0]?.origin.path, 'items[0]');
    assert.equal(result.snapshot.manifests.length, 1);
    const bad = parseSnapshot([
      {
        path: 'logs.json',
        text: JSON.stringify({ apiVersion: 'dynamo-netcheck/v1', kind: 'PodLogs', items: [{ pod: 'p' }] }),
      },
    ]);
    assert.ok(!bad.ok);
  });
});

describe('other policy engines, recognised by apiVersion', () => {
  /** The sample of https://docs.tigera.io/calico/latest/reference/resources/networkpolicy, verbatim. */
  const CALICO_DOCS_SAMPLE = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: allow-tcp-6379
  namespace: production
spec:
  selector: role == 'database'
  types:
    - Ingress
    - Egress
  ingress:
    - action: Allow
      metadata:
        annotations:
          from: frontend
          to: database
      protocol: TCP
      source:
        selector: role == 'frontend'
      destination:
        ports:
          - 6379
  egress:
    - action: Allow
`;
  /** The sample of …/reference/resources/globalnetworkpolicy. */
  const CALICO_GNP_SAMPLE = CALICO_DOCS_SAMPLE.replace(
    'kind: NetworkPolicy',
    'kind: GlobalNetworkPolicy',
  ).replace('  namespace: production\n', '');

  it('accepts the Calico docs’ NetworkPolicy and GlobalNetworkPolicy samples as Calico policies', () => {
    const result = parseSnapshot([
      { path: 'calico/np.yaml', text: CALICO_DOCS_SAMPLE },
      { path: 'calico/gnp.yaml', text: CALICO_GNP_SAMPLE },
    ]);
    assert.ok(result.ok, result.ok ? '' : result.issues.map(formatIssue).join('\n'));
    assert.deepEqual(result.snapshot.networkPolicies, [], 'not Kubernetes NetworkPolicies');
    assert.deepEqual(
      result.snapshot.calicoPolicies.map((p) => [p.value.kind, p.value.metadata.name, p.origin.file]),
      [
        ['NetworkPolicy', 'allow-tcp-6379', 'calico/np.yaml'],
        ['GlobalNetworkPolicy', 'allow-tcp-6379', 'calico/gnp.yaml'],
      ],
    );
    assert.ok(result.snapshot.captured.has('CalicoNetworkPolicy'));
    assert.ok(result.snapshot.captured.has('CalicoGlobalNetworkPolicy'));
  });

  it('reads kubectl lists of Calico policies: a List, a typed list (items inherit its apiVersion), and the CRD storage group', () => {
    const item = (name: string, apiVersion?: string) => ({
      ...(apiVersion ? { apiVersion } : {}),
      kind: 'NetworkPolicy',
      metadata: { name, namespace: 'default' },
      spec: { selector: 'all()', ingress: [{ action: 'Deny' }] },
    });
    const result = parseSnapshot([
      {
        path: 'list.json',
        text: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [item('a', 'projectcalico.org/v3')] }),
      },
      {
        path: 'typed.json',
        text: JSON.stringify({
          apiVersion: 'projectcalico.org/v3',
          kind: 'NetworkPolicyList',
          items: [item('b')],
        }),
      },
      {
        path: 'crd.json',
        text: JSON.stringify({
          apiVersion: 'v1',
          kind: 'List',
          items: [item('default.c', 'crd.projectcalico.org/v1')],
        }),
      },
    ]);
    assert.ok(result.ok, result.ok ? '' : result.issues.map(formatIssue).join('\n'));
    assert.deepEqual(
      result.snapshot.calicoPolicies.map((p) => [p.value.metadata.name, p.value.apiVersion]),
      [
        ['a', 'projectcalico.org/v3'],
        ['b', 'projectcalico.org/v3'],
        ['default.c', 'crd.projectcalico.org/v1'],
      ],
    );
    assert.deepEqual(result.snapshot.networkPolicies, []);
  });

  it('a malformed Calico selector is an input error naming the file and path', () => {
    const issues = issuesOf([
      {
        path: 'calico/np.yaml',
        text: CALICO_DOCS_SAMPLE.replace("selector: role == 'frontend'", 'selector: role == frontend'),
      },
    ]);
    assert.deepEqual(issues, [
      `calico/np.yaml: spec.ingress[0].source.selector: invalid Calico selector "role == frontend": expected a quoted string after 'role =='`,
    ]);
  });

  it('other malformed Calico fields name their path: action, port range, nets', () => {
    const issues = issuesOf([
      {
        path: 'p.json',
        text: JSON.stringify({
          apiVersion: 'projectcalico.org/v3',
          kind: 'GlobalNetworkPolicy',
          metadata: { name: 'x' },
          spec: {
            ingress: [
              { action: 'allow' },
              { action: 'Allow', destination: { ports: ['6000:5000'] } },
              { action: 'Deny', source: { nets: ['10.0.0.0/33'] } },
            ],
          },
        }),
      },
    ]);
    assert.deepEqual(
      issues.map((i) => i.split(': ').slice(0, 2).join(': ')),
      [
        'p.json: spec.ingress[0].action',
        'p.json: spec.ingress[1].destination.ports[0]',
        'p.json: spec.ingress[2].source.nets[0]',
      ],
    );
  });

  it('recognises Cilium policies by apiVersion; other groups’ NetworkPolicy kinds are ignored with a reason', () => {
    const result = parseSnapshot([
      {
        path: 'cilium.json',
        text: JSON.stringify({
          apiVersion: 'v1',
          kind: 'List',
          items: [
            {
              apiVersion: 'cilium.io/v2',
              kind: 'CiliumNetworkPolicy',
              metadata: { name: 'l3', namespace: 'dynamo-system' },
              spec: { endpointSelector: { matchLabels: { app: 'nats' } }, ingress: [{}] },
            },
            {
              apiVersion: 'cilium.io/v2',
              kind: 'CiliumClusterwideNetworkPolicy',
              metadata: { name: 'cw' },
              specs: [{ endpointSelector: {}, egress: [{}] }],
            },
          ],
        }),
      },
      {
        path: 'antrea.yaml',
        text: 'apiVersion: crd.antrea.io/v1beta1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: n}\nspec: {priority: 5}\n',
      },
      {
        path: 'tier.yaml',
        text: 'apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: security}\nspec: {order: 300}\n',
      },
    ]);
    assert.ok(result.ok, result.ok ? '' : result.issues.map(formatIssue).join('\n'));
    assert.deepEqual(
      result.snapshot.ciliumPolicies.map((p) => `${p.value.kind}/${p.value.metadata.name}`),
      ['CiliumNetworkPolicy/l3', 'CiliumClusterwideNetworkPolicy/cw'],
    );
    assert.deepEqual(result.snapshot.networkPolicies, []);
    assert.deepEqual(
      result.snapshot.ignored.map((i) => `${i.file}: ${i.reason}`),
      [
        'antrea.yaml: document: kind NetworkPolicy of crd.antrea.io/v1beta1 is not used by the analysis',
        'tier.yaml: document: kind Tier of projectcalico.org/v3 is not used by the analysis',
      ],
    );
  });
});
