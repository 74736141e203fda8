import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Buffer } from 'node:buffer';
import { buildModel } from '../../src/model/build.ts';
import { analyzeSnapshot } from '../../src/questions/analyze.ts';
import { renderers } from '../../src/report/index.ts';
import { parseSnapshot, parseSnapshotBytes } from '../../src/snapshot/parse.ts';
import { formatIssue, inputNotes, type Snapshot } from '../../src/snapshot/types.ts';
import { readExample } from '../fuzz/mutations.ts';

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

describe('input that never vanishes (issue 16)', () => {
  const sg = JSON.stringify({ SecurityGroups: [{ GroupId: 'sg-1', VpcId: 'vpc-1' }] });
  const podsYaml =
    'apiVersion: v1\nkind: PodList\nitems:\n  - metadata: {name: p, namespace: n}\n    spec: {containers: [{name: c}]}\n';

  it('recognises JSON and YAML by content, whatever the file is called', () => {
    const result = parseSnapshot([
      { path: 'aws/sgs.txt', text: sg },
      { path: 'k8s/pods', text: podsYaml },
      { path: 'aws/subnets.out', text: 'Subnets:\n  - SubnetId: subnet-1\n    VpcId: vpc-1\n' },
      // YAML in a file named .json is still data.
      { path: 'k8s/nodes.json', text: 'apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n' },
    ]);
    assert.ok(result.ok);
    assert.deepEqual(
      result.snapshot.securityGroups.map((g) => g.origin.file),
      ['aws/sgs.txt'],
    );
    assert.equal(result.snapshot.pods[0]?.origin.file, 'k8s/pods');
    assert.equal(result.snapshot.subnets[0]?.value.SubnetId, 'subnet-1');
    assert.equal(result.snapshot.nodes[0]?.value.metadata.name, 'n1');
    assert.deepEqual(result.snapshot.ignored, []);
    assert.deepEqual([...result.snapshot.kindsByFile.get('aws/sgs.txt')!], ['SecurityGroups']);
  });

  it('lists every file it does not use with the reason; a Markdown README is documentation', () => {
    const result = parseSnapshotBytes([
      { path: 'README.md', bytes: Buffer.from('# My capture\n\nTaken on Monday: `aws ec2 describe-*`.\n') },
      {
        path: 'notes.txt',
        bytes: Buffer.from('captured by alice, ask her: before changing anything\n| a | b |\n'),
      },
      { path: 'empty.json', bytes: Buffer.alloc(0) },
      { path: 'blank.log', bytes: Buffer.from('  \n') },
      { path: 'capture.tgz', bytes: Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe]) },
      { path: 'photo.bin', bytes: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00]) },
      { path: 'sgs.json', bytes: Buffer.from(sg) },
    ]);
    assert.ok(result.ok);
    assert.deepEqual(result.snapshot.documentation, ['README.md']);
    assert.deepEqual(
      result.snapshot.ignored.map((i) => `${i.file}: ${i.reason}`),
      [
        'notes.txt: text that is neither JSON nor YAML data',
        'empty.json: empty file',
        'blank.log: empty file',
        'capture.tgz: gzip-compressed: decompress it to have it read',
        'photo.bin: binary, not text',
      ],
    );
    assert.deepEqual(inputNotes(result.snapshot), [
      'skipped notes.txt: text that is neither JSON nor YAML data',
      'skipped empty.json: empty file',
      'skipped blank.log: empty file',
      'skipped capture.tgz: gzip-compressed: decompress it to have it read',
      'skipped photo.bin: binary, not text',
    ]);
  });

  it('content that cannot be read is an error in a file named as data, never a silent skip', () => {
    const bad = parseSnapshotBytes([
      { path: 'sgs.json', bytes: Buffer.from([0xc3, 0x28]) },
      {
        path: 'nodes.yaml',
        bytes: Buffer.from('kind: List\nitems:\n  - {kind: Node, metadata: {name: "a\n'),
      },
      // Starts like JSON: a capture cut short, whatever its name.
      { path: 'instances.out', bytes: Buffer.from('{"Reservations": [{"Instances": [') },
    ]);
    assert.ok(!bad.ok);
    assert.deepEqual(
      bad.issues.map((i) => `${i.file}: ${i.message.split(':')[0]}`),
      [
        'sgs.json: not valid UTF-8 text',
        'nodes.yaml: invalid YAML at line 4, column 1',
        'instances.out: invalid JSON',
      ],
    );
  });

  it('reads UTF-16 text with a byte-order mark (PowerShell redirection)', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(sg, 'utf16le')]);
    const result = parseSnapshotBytes([{ path: 'sgs.json', bytes: utf16 }]);
    assert.ok(result.ok);
    assert.equal(result.snapshot.securityGroups[0]?.value.GroupId, 'sg-1');
  });

  it('a capture with NextToken, or a Kubernetes list with continue, is read and warned about as incomplete', () => {
    const result = parseSnapshot([
      { path: 'aws/instances.json', text: JSON.stringify({ Reservations: [], NextToken: 'eyJ2IjoxfQ==' }) },
      { path: 'aws/sgs.json', text: JSON.stringify({ SecurityGroups: [], NextToken: null }) },
      {
        path: 'k8s/pods.json',
        text: JSON.stringify({ apiVersion: 'v1', kind: 'PodList', metadata: { continue: 'abc' }, items: [] }),
      },
    ]);
    assert.ok(result.ok);
    assert.deepEqual(
      result.snapshot.warnings.map((w) => `${w.file}: ${w.path}`),
      ['aws/instances.json: NextToken', 'k8s/pods.json: metadata.continue'],
    );
    assert.match(result.snapshot.warnings[0]!.message, /incomplete capture: .*NextToken/);
    const model = buildModel(result.snapshot);
    assert.ok(
      model.warnings.some(
        (w) =>
          w.code === 'incomplete-capture' && w.message.startsWith('aws/instances.json: incomplete capture'),
      ),
    );
  });

  it("skips every earlier report of this tool (analyze in each format), and another tool's CTRF, with a note", async () => {
    const dir = 'examples/healthy-shared-cluster-sg';
    const files = readExample(dir);
    const original = analyzeSnapshot(
      (parseSnapshotBytes(files) as { ok: true; snapshot: Snapshot }).snapshot,
    );
    const timing = { start: 0, stop: 1 };
    const reports = Object.entries(renderers).map(([format, render]) => ({
      path: `reports/report.${format}`,
      bytes: Buffer.from(render(original, { color: false, verbose: true, timing })),
    }));
    const others = [
      // Other commands' JSON carries the tool too, and a `cluster` key that is not an EKS cluster.
      {
        path: 'diagnose.json',
        text: JSON.stringify({ tool: { name: 'dynamo-netcheck' }, cluster: { name: 'x' } }),
      },
      {
        path: 'aicr.ctrf.json',
        text: JSON.stringify({ reportFormat: 'CTRF', results: { tool: { name: 'aicr' } } }),
      },
    ].map((f) => ({ path: f.path, bytes: Buffer.from(f.text) }));
    const parsed = parseSnapshotBytes([...files, ...reports, ...others]);
    assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.issues));
    const skipped = Object.fromEntries(parsed.snapshot.ignored.map((i) => [i.file, i]));
    for (const report of reports) {
      assert.match(
        skipped[report.path]?.reason ?? 'not skipped',
        /^an earlier report of dynamo-netcheck/,
        report.path,
      );
      assert.equal(skipped[report.path]?.expected, true);
    }
    assert.match(
      skipped['diagnose.json']!.reason,
      /^an earlier report of dynamo-netcheck, not cluster data \(JSON\)$/,
    );
    assert.match(skipped['aicr.ctrf.json']!.reason, /a CTRF test report.*--ctrf/);
    assert.equal(skipped['aicr.ctrf.json']!.expected, undefined, 'not ours: worth a warning');
    assert.equal(parsed.snapshot.clusters.length, 1, 'the JSON reports add no cluster');
    const again = analyzeSnapshot(parsed.snapshot);
    assert.deepEqual(again.flows, original.flows);
    assert.equal(again.verdict, original.verdict);
    assert.ok(
      again.notes.includes(
        'skipped reports/report.json: an earlier report of dynamo-netcheck, not cluster data (JSON)',
      ),
    );
  });

  it('notes unused kinds once per file, and says when a whole file held nothing used', () => {
    const result = parseSnapshot([
      {
        path: 'k8s/all.yaml',
        text: 'apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n  - {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: d}}\n  - {apiVersion: v1, kind: Node, metadata: {name: n}}\n',
      },
      {
        path: 'recipe.yaml',
        text: 'apiVersion: aicr.nvidia.com/v1alpha1\nkind: RecipeResult\nmetadata: {name: r}\n',
      },
    ]);
    assert.ok(result.ok);
    assert.deepEqual(inputNotes(result.snapshot), [
      'k8s/all.yaml: 3 objects of kinds the analysis does not use (ConfigMap ×2, Deployment)',
      'skipped recipe.yaml: only kinds the analysis does not use (RecipeResult)',
    ]);
    assert.match(
      result.snapshot.ignored.at(-1)!.reason,
      /kind RecipeResult is not used by the analysis \(give it with --recipe\)/,
    );
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

describe('the same object captured twice', () => {
  const group = (rules: unknown[]) =>
    JSON.stringify({
      SecurityGroups: [
        { GroupId: 'sg-0a1b2c3d', VpcId: 'vpc-1', IpPermissions: rules, IpPermissionsEgress: [] },
      ],
    });
  const nats = {
    IpProtocol: 'tcp',
    FromPort: 4222,
    ToPort: 4222,
    UserIdGroupPairs: [{ GroupId: 'sg-0a1b2c3d' }],
  };

  it('merges when both copies say the same, whatever the key order', () => {
    const reordered = JSON.stringify({
      SecurityGroups: [
        { IpPermissionsEgress: [], IpPermissions: [nats], VpcId: 'vpc-1', GroupId: 'sg-0a1b2c3d' },
      ],
    });
    const result = parseSnapshot([
      { path: 'a/sgs.json', text: group([nats]) },
      { path: 'b/sgs.json', text: reordered },
    ]);
    assert.ok(result.ok);
  });

  it('is an input error naming both files when the copies differ: file names must not pick the verdict', () => {
    const result = parseSnapshot([
      { path: 'a/sgs.json', text: group([nats]) },
      { path: 'b/sgs.json', text: group([]) },
    ]);
    assert.ok(!result.ok);
    assert.deepEqual(
      result.issues.map((i) => `${i.file}: ${i.path}: ${i.message}`),
      [
        'b/sgs.json: SecurityGroups[0]: security group sg-0a1b2c3d is captured twice with different content (also a/sgs.json: SecurityGroups[0]); keep one capture of it',
      ],
    );
  });
});
