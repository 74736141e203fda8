/**
 * One cluster per run (issue 16): a directory holding several clusters is refused with the list,
 * `--cluster`/`--vpc` pick one, and the pick reads exactly what reading that cluster alone reads.
 */
import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { analyzeSnapshot, type AnalysisResult } from '../../src/questions/analyze.ts';
import { clusterCaptures, pickCluster, type ClusterSelection } from '../../src/snapshot/clusters.ts';
import { loadSnapshot } from '../../src/snapshot/load.ts';
import { parseSnapshot } from '../../src/snapshot/parse.ts';
import type { Snapshot } from '../../src/snapshot/types.ts';

const scratch = mkdtempSync(join(tmpdir(), 'netcheck-clusters-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const load = (dir: string) => loadSnapshot(dir, { exclude: undefined });

/** What a verdict rests on, without the file names its facts cite. */
function decision(result: AnalysisResult) {
  return {
    cluster: result.cluster,
    dynamo: result.dynamo,
    verdict: result.verdict,
    flows: result.flows.map((f) => `${f.id} ${f.status}: ${f.reason}`),
    fixes: [...result.remediation, ...result.naclRemediation].map((r) => r.command),
    policies: result.policyRemediation.map((p) => p.manifest),
    warnings: result.warnings,
  };
}

function pick(snapshot: Snapshot, selection: ClusterSelection = {}): Snapshot {
  const picked = pickCluster(snapshot, selection);
  assert.ok(picked.ok, picked.ok ? '' : picked.message);
  return picked.snapshot;
}

function refusal(snapshot: Snapshot, selection: ClusterSelection = {}): string {
  const picked = pickCluster(snapshot, selection);
  assert.ok(!picked.ok, 'expected the pick to be refused');
  return picked.message;
}

describe('one cluster per run', () => {
  it('the examples folder holds several clusters: each is listed with its VPC and where it was found', async () => {
    const snapshot = await load('examples');
    assert.deepEqual(
      clusterCaptures(snapshot).map((c) => `${c.name} ${c.vpcId} ${c.home}/ ${c.evidence}`),
      [
        'dgxc-h100 vpc-0a82a3006390adbef dgxc-multi-sg/ dgxc-multi-sg/aws/describe-cluster.json',
        'dynamo-inference vpc-04dfce1a91aa55c1a dynamo-1.4-preflight/ dynamo-1.4-preflight/aws/describe-cluster.json',
        'dynamo-inference vpc-04dfce1a91aa55c1a dynamo-1.4-system-frontend/ dynamo-1.4-system-frontend/aws/describe-cluster.json',
        'prod-inference vpc-0d63db0e5c48bb668 healthy-shared-cluster-sg/ healthy-shared-cluster-sg/aws/describe-cluster.json',
        'prod-inference vpc-0d63db0e5c48bb668 policy-default-deny/ policy-default-deny/aws/describe-cluster.json',
        'legacy-dynamo vpc-0189b682cdfcf3c86 upgrade-1.0-to-1.2/ upgrade-1.0-to-1.2/aws/describe-cluster.json',
      ],
    );
    const message = refusal(snapshot);
    assert.match(message, /^more than one cluster here; pick one with --cluster NAME or --vpc ID/);
    for (const name of ['dgxc-h100', 'prod-inference', 'legacy-dynamo', 'vpc-0a82a3006390adbef'])
      assert.ok(message.includes(name), name);
  });

  it('--cluster and --vpc read what reading that cluster alone reads, and say what they left out', async () => {
    const all = await load('examples');
    for (const [selection, dir] of [
      [{ cluster: 'dgxc-h100' }, 'examples/dgxc-multi-sg'],
      [{ vpc: 'vpc-0189b682cdfcf3c86' }, 'examples/upgrade-1.0-to-1.2'],
      [{ cluster: 'legacy-dynamo', vpc: 'vpc-0189b682cdfcf3c86' }, 'examples/upgrade-1.0-to-1.2'],
    ] as const) {
      const picked = analyzeSnapshot(pick(all, selection));
      const alone = analyzeSnapshot(await load(dir));
      assert.deepEqual(decision(picked), decision(alone), JSON.stringify(selection));
    }
    const notes = analyzeSnapshot(pick(all, { cluster: 'dgxc-h100' })).notes;
    assert.ok(
      notes.includes(
        'read cluster dgxc-h100 (vpc-0a82a3006390adbef) in dgxc-multi-sg/, picked by --cluster; left out dynamo-inference (vpc-04dfce1a91aa55c1a) in dynamo-1.4-preflight/ (14 files), dynamo-inference (vpc-04dfce1a91aa55c1a) in dynamo-1.4-system-frontend/ (14 files), prod-inference (vpc-0d63db0e5c48bb668) in healthy-shared-cluster-sg/ (14 files), prod-inference (vpc-0d63db0e5c48bb668) in policy-default-deny/ (16 files), legacy-dynamo (vpc-0189b682cdfcf3c86) in upgrade-1.0-to-1.2/ (14 files)',
      ),
      notes.join('\n'),
    );
  });

  it('a cluster captured twice, a name or VPC not there: refused with the list', async () => {
    const all = await load('examples');
    assert.match(
      refusal(all, { cluster: 'prod-inference' }),
      /^cluster prod-inference is captured more than once here \(healthy-shared-cluster-sg\/, policy-default-deny\/\); point the tool at one of those directories/,
    );
    assert.match(refusal(all, { vpc: 'vpc-0d63db0e5c48bb668' }), /captured more than once/);
    assert.match(
      refusal(all, { cluster: 'nope' }),
      /^--cluster nope: not in the snapshot; the clusters here:\n {2}dgxc-h100 /,
    );
    assert.match(refusal(all, { vpc: 'vpc-nope' }), /^--vpc vpc-nope: no cluster in the snapshot runs in it/);
    assert.match(
      refusal(all, { cluster: 'dgxc-h100', vpc: 'vpc-0189b682cdfcf3c86' }),
      /--cluster dgxc-h100: not in the snapshot/,
    );
  });

  it('a single cluster is read unchanged, with or without naming it', async () => {
    const clusters = readdirSync('examples').filter((d) => existsSync(join('examples', d, 'aws')));
    assert.equal(clusters.length, 6);
    for (const dir of clusters) {
      const snapshot = await load(join('examples', dir));
      assert.equal(pick(snapshot), snapshot, dir);
      assert.equal(pick(snapshot, { cluster: snapshot.clusters[0]!.value.name }), snapshot, dir);
    }
  });

  it('two clusters in one flat folder are told apart by their data: VPCs, instances, nodes, and the files they share', async () => {
    const dir = join(scratch, 'flat');
    mkdirSync(dir, { recursive: true });
    for (const [prefix, example] of [
      ['a', 'examples/dgxc-multi-sg'],
      ['b', 'examples/upgrade-1.0-to-1.2'],
    ] as const) {
      for (const file of readdirSync(join(example, 'aws')))
        cpSync(join(example, 'aws', file), join(dir, `${prefix}-${file}`));
      // All of a cluster's Kubernetes objects in one list, as `kubectl get nodes,pods,svc,… -A -o json` prints them.
      const snapshot = await load(example);
      const items = [
        ...snapshot.nodes,
        ...snapshot.pods,
        ...snapshot.services,
        ...snapshot.endpointSlices,
        ...snapshot.eniConfigs,
        ...snapshot.daemonSets,
      ].map((o) => o.value);
      writeFileSync(
        join(dir, `${prefix}-k8s.json`),
        JSON.stringify({ apiVersion: 'v1', kind: 'List', items }),
      );
      // Events and logs on their own: they name their pods.
      const events = snapshot.events.map((e) => e.value);
      if (events.length > 0)
        writeFileSync(
          join(dir, `${prefix}-events.json`),
          JSON.stringify({ apiVersion: 'v1', kind: 'List', items: events }),
        );
      const logs = snapshot.podLogs.map((l) => l.value);
      if (logs.length > 0)
        writeFileSync(
          join(dir, `${prefix}-logs.json`),
          JSON.stringify({ apiVersion: 'dynamo-netcheck/v1', kind: 'PodLogs', items: logs }),
        );
    }
    const flat = await load(dir);
    assert.match(
      refusal(flat),
      /dgxc-h100 .* a-describe-cluster\.json\n {2}legacy-dynamo .* b-describe-cluster\.json$/s,
    );
    const a = pick(flat, { cluster: 'dgxc-h100' });
    assert.deepEqual(
      decision(analyzeSnapshot(a)),
      decision(analyzeSnapshot(await load('examples/dgxc-multi-sg'))),
    );
    assert.equal(a.podLogs.length, (await load('examples/dgxc-multi-sg')).podLogs.length);
    assert.ok(a.events.length > 0 && a.events.every((e) => e.origin.file === 'a-events.json'));
    const b = pick(flat, { vpc: 'vpc-0189b682cdfcf3c86' });
    assert.deepEqual(
      decision(analyzeSnapshot(b)),
      decision(analyzeSnapshot(await load('examples/upgrade-1.0-to-1.2'))),
    );

    // A file nothing ties to one cluster is refused, not guessed.
    writeFileSync(
      join(dir, 'policies.yaml'),
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: dynamo-system}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n',
    );
    assert.match(
      refusal(await load(dir), { cluster: 'dgxc-h100' }),
      /^cannot tell which cluster these files belong to, so dgxc-h100 cannot be read alone: policies\.yaml; put each cluster's files in a directory of its own/,
    );
    // An empty capture says nothing either: it would make one kind look captured for both.
    rmSync(join(dir, 'policies.yaml'));
    writeFileSync(join(dir, 'acls.json'), JSON.stringify({ NetworkAcls: [] }));
    assert.match(refusal(await load(dir), { cluster: 'legacy-dynamo' }), /cannot be read alone: acls\.json;/);
  });

  it('one cluster captured with unfiltered describe-* calls: what belongs to other VPCs is left out, with a note', async () => {
    const dir = join(scratch, 'unfiltered');
    cpSync('examples/healthy-shared-cluster-sg', dir, { recursive: true });
    const add = (file: string, key: string, item: unknown) => {
      const path = join(dir, 'aws', file);
      const doc = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown[]>;
      doc[key]!.push(item);
      writeFileSync(path, JSON.stringify(doc));
    };
    // The account's default VPC reuses the cluster's addresses: its ENI holds the NATS pod's IP.
    const natsIp = '10.20.18.131';
    add('subnets.json', 'Subnets', {
      SubnetId: 'subnet-default',
      VpcId: 'vpc-default',
      CidrBlock: '10.20.0.0/16',
    });
    add('security-groups.json', 'SecurityGroups', {
      GroupId: 'sg-default',
      VpcId: 'vpc-default',
      IpPermissions: [],
    });
    add('network-interfaces.json', 'NetworkInterfaces', {
      NetworkInterfaceId: 'eni-default',
      VpcId: 'vpc-default',
      SubnetId: 'subnet-default',
      PrivateIpAddress: natsIp,
      Groups: [{ GroupId: 'sg-default' }],
    });
    const snapshot = await load(dir);
    assert.equal(clusterCaptures(snapshot).length, 1, 'one cluster: nothing to pick');
    const picked = pick(snapshot);
    assert.deepEqual(
      decision(analyzeSnapshot(picked)),
      decision(analyzeSnapshot(await load('examples/healthy-shared-cluster-sg'))),
    );
    assert.deepEqual(picked.notes, [
      'left out what belongs to VPCs no captured cluster runs in: vpc-default (1 network interface, 1 subnet)',
    ]);
    assert.ok(
      picked.securityGroups.some((g) => g.value.GroupId === 'sg-default'),
      'security groups are kept: harmless, and peering may name them',
    );
  });

  it('naming no cluster: each VPC where nodes run is one, named by its instances’ eks:cluster-name tag', async () => {
    const dir = join(scratch, 'unnamed');
    for (const [sub, example] of [
      ['a', 'examples/dgxc-multi-sg'],
      ['b', 'examples/upgrade-1.0-to-1.2'],
    ] as const) {
      cpSync(example, join(dir, sub), { recursive: true });
      for (const file of readdirSync(join(dir, sub, 'aws')))
        if (/describe-cluster|nodegroup/.test(file)) rmSync(join(dir, sub, 'aws', file));
    }
    const snapshot = await load(dir);
    assert.deepEqual(
      clusterCaptures(snapshot).map((c) => `${c.name} ${c.vpcId} ${c.home}`),
      ['dgxc-h100 vpc-0a82a3006390adbef a', 'legacy-dynamo vpc-0189b682cdfcf3c86 b'],
    );
    assert.match(refusal(snapshot), /more than one cluster here/);
    assert.deepEqual(
      decision(analyzeSnapshot(pick(snapshot, { cluster: 'legacy-dynamo' }))),
      decision(analyzeSnapshot(await load(join(dir, 'b')))),
    );
  });

  it('with no instances or ENIs, --vpc still narrows the EC2 data; --cluster needs a name in the data', () => {
    const parsed = parseSnapshot([
      {
        path: 'sgs.json',
        text: JSON.stringify({
          SecurityGroups: [
            { GroupId: 'sg-1', VpcId: 'vpc-1' },
            { GroupId: 'sg-2', VpcId: 'vpc-2' },
          ],
        }),
      },
      { path: 'subnets.json', text: JSON.stringify({ Subnets: [{ SubnetId: 'subnet-2', VpcId: 'vpc-2' }] }) },
    ]);
    assert.ok(parsed.ok);
    assert.deepEqual(clusterCaptures(parsed.snapshot), []);
    assert.equal(pick(parsed.snapshot), parsed.snapshot);
    const one = pick(parsed.snapshot, { vpc: 'vpc-1' });
    assert.deepEqual(one.subnets, []);
    assert.deepEqual(
      one.securityGroups.map((g) => g.value.GroupId),
      ['sg-1', 'sg-2'],
      'groups decide nothing alone',
    );
    assert.ok(!one.captured.has('Subnets'), 'a kind only another VPC had is no longer captured');
    assert.match(
      refusal(parsed.snapshot, { vpc: 'vpc-9' }),
      /^--vpc vpc-9: no such VPC in the snapshot \(have: vpc-1, vpc-2\)/,
    );
    assert.match(refusal(parsed.snapshot, { cluster: 'x' }), /^--cluster x: the snapshot names no cluster/);
  });
});
