/**
 * Evidence beats defaults (issue 16) on the bundled examples: for every example with custom
 * networking, the verdict and the fixes do not depend on whether the aws-node DaemonSet and the
 * ENIConfigs were captured — the nodes' ENIs show the same subnets and SGs. Also for a
 * prefix-delegation variant (pod IPs in `/28` prefixes instead of secondary IPs) and a
 * describe-security-group-rules variant; and configuration the ENIs contradict is a conflict.
 * Every variant is a temporary copy; examples/ is never written.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseCidr } from '../../src/base/ip.ts';
import { analyzeSnapshot, type AnalysisResult } from '../../src/questions/analyze.ts';
import { loadSnapshot } from '../../src/snapshot/load.ts';
import type { Snapshot } from '../../src/snapshot/types.ts';

const EXAMPLES = 'examples';
const scratch = mkdtempSync(join(tmpdir(), 'dnc-eni-evidence-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let copies = 0;
function copyOf(dir: string): string {
  const target = join(scratch, `${copies++}-${dir.split('/').pop()}`);
  cpSync(dir, target, { recursive: true });
  return target;
}

/** The examples whose CNI configuration turns custom networking on (they carry ENIConfigs). */
async function customNetworkingExamples(): Promise<string[]> {
  const found: string[] = [];
  for (const name of readdirSync(EXAMPLES).sort()) {
    const dir = join(EXAMPLES, name);
    if (!statSync(dir).isDirectory()) continue;
    let snapshot: Snapshot;
    try {
      snapshot = await loadSnapshot(dir);
    } catch {
      continue; // not a snapshot directory (recipes/, validator/)
    }
    const awsNode = snapshot.daemonSets.find((d) => d.value.metadata.name === 'aws-node');
    const custom = awsNode?.value.spec?.template.spec.containers.some((c) =>
      (c.env ?? []).some((e) => e.name === 'AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG' && e.value === 'true'),
    );
    if (custom || snapshot.eniConfigs.length > 0) found.push(dir);
  }
  return found;
}

/** Every array of located objects in a snapshot: what a file contributed, whatever its kind. */
function located(snapshot: Snapshot): { origin: { file: string } }[] {
  return Object.values(snapshot).flatMap((v) =>
    Array.isArray(v) ? (v as unknown[]).filter((x): x is { origin: { file: string } } => !!(x as { origin?: unknown })?.origin) : [],
  );
}

/** Deletes the files holding the aws-node DaemonSet and the ENIConfigs, after checking they hold nothing else. */
async function withoutCniConfiguration(dir: string): Promise<string> {
  const snapshot = await loadSnapshot(dir);
  const files = new Set([
    ...snapshot.daemonSets.filter((d) => d.value.metadata.name === 'aws-node').map((d) => d.origin.file),
    ...snapshot.eniConfigs.map((e) => e.origin.file),
  ]);
  assert.ok(files.size > 0, `${dir} has CNI configuration to delete`);
  const configuration = new Set<unknown>([...snapshot.daemonSets.filter((d) => d.value.metadata.name === 'aws-node'), ...snapshot.eniConfigs]);
  for (const item of located(snapshot)) {
    if (files.has(item.origin.file))
      assert.ok(configuration.has(item), `${item.origin.file} holds more than CNI configuration`);
  }
  for (const file of files) rmSync(join(dir, file));
  return dir;
}

/** The decision: verdict, every flow class's status, and every fix (as the commands a user would run). */
function decision(result: AnalysisResult) {
  return {
    verdict: result.verdict,
    summary: result.summary,
    flows: result.flows.map((f) => `${f.id} ${f.status}`).sort(),
    fixes: [
      ...result.remediation.map((r) => r.command),
      ...result.naclRemediation.map((r) => r.command),
      ...result.policyRemediation.map((r) => r.command),
    ].sort(),
  };
}

const analyzeDir = async (dir: string): Promise<AnalysisResult> => analyzeSnapshot(await loadSnapshot(dir));

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

interface RawEni {
  NetworkInterfaceId: string;
  PrivateIpAddress?: string;
  PrivateIpAddresses?: { PrivateIpAddress: string; Primary?: boolean }[];
  Ipv4Prefixes?: { Ipv4Prefix: string }[];
  Attachment?: { DeviceIndex?: number; InstanceId?: string };
}

/** The `/28` holding an IPv4 address. */
function prefix28(ip: string): string {
  const range = parseCidr(`${ip}/28`)!;
  const n = Number(range.start);
  return `${[24, 16, 8, 0].map((s) => (n >> s) & 255).join('.')}/28`;
}

/**
 * Prefix delegation: every secondary ENI keeps its own IP and hands out `/28` prefixes instead of
 * secondary IPs — the prefixes holding its former secondary IPs (so running pods stay on it), and
 * ENABLE_PREFIX_DELEGATION=true in aws-node.
 */
function prefixDelegation(dir: string): string {
  const path = join(dir, 'aws', 'network-interfaces.json');
  const doc = readJson<{ NetworkInterfaces: RawEni[] }>(path);
  const taken = new Set<string>();
  for (const eni of doc.NetworkInterfaces) {
    // Node ENIs past the primary: not the EKS control plane's, which no instance holds.
    if ((eni.Attachment?.DeviceIndex ?? 0) === 0 || !eni.Attachment?.InstanceId) continue;
    const secondary = (eni.PrivateIpAddresses ?? []).filter((a) => !a.Primary).map((a) => a.PrivateIpAddress);
    const prefixes = [...new Set(secondary.map(prefix28))].filter((p) => !taken.has(p));
    prefixes.forEach((p) => taken.add(p));
    eni.PrivateIpAddresses = (eni.PrivateIpAddresses ?? []).filter((a) => a.Primary);
    eni.Ipv4Prefixes = prefixes.map((Ipv4Prefix) => ({ Ipv4Prefix }));
    assert.ok(prefixes.length > 0, `${eni.NetworkInterfaceId} keeps a prefix`);
  }
  writeFileSync(path, JSON.stringify(doc, null, 2));
  for (const name of readdirSync(join(dir, 'k8s'))) {
    const file = join(dir, 'k8s', name);
    const text = readFileSync(file, 'utf8');
    if (text.includes('ENABLE_PREFIX_DELEGATION'))
      writeFileSync(file, text.replace(/(name: ENABLE_PREFIX_DELEGATION\s+value: )"false"/, '$1"true"'));
  }
  return dir;
}

interface RawPermission {
  IpProtocol: string;
  FromPort?: number;
  ToPort?: number;
  IpRanges?: { CidrIp: string; Description?: string }[];
  Ipv6Ranges?: { CidrIpv6: string; Description?: string }[];
  PrefixListIds?: { PrefixListId: string; Description?: string }[];
  UserIdGroupPairs?: { GroupId: string; UserId?: string; Description?: string }[];
}
interface RawGroup {
  GroupId: string;
  OwnerId?: string;
  IpPermissions?: RawPermission[];
  IpPermissionsEgress?: RawPermission[];
}

/** The security groups as `aws ec2 describe-security-group-rules` prints them, instead of describe-security-groups. */
function securityGroupRules(dir: string): string {
  const path = join(dir, 'aws', 'security-groups.json');
  const groups = readJson<{ SecurityGroups: RawGroup[] }>(path).SecurityGroups;
  const rules: Record<string, unknown>[] = [];
  for (const group of groups) {
    for (const [egress, permissions] of [
      [false, group.IpPermissions ?? []],
      [true, group.IpPermissionsEgress ?? []],
    ] as const) {
      for (const p of permissions) {
        const peers = [
          ...(p.IpRanges ?? []).map((r) => ({ CidrIpv4: r.CidrIp, Description: r.Description })),
          ...(p.Ipv6Ranges ?? []).map((r) => ({ CidrIpv6: r.CidrIpv6, Description: r.Description })),
          ...(p.PrefixListIds ?? []).map((r) => ({ PrefixListId: r.PrefixListId, Description: r.Description })),
          ...(p.UserIdGroupPairs ?? []).map((r) => ({
            ReferencedGroupInfo: { GroupId: r.GroupId, UserId: r.UserId },
            Description: r.Description,
          })),
        ];
        for (const peer of peers) {
          rules.push({
            SecurityGroupRuleId: `sgr-${String(rules.length).padStart(17, '0')}`,
            GroupId: group.GroupId,
            GroupOwnerId: group.OwnerId,
            IsEgress: egress,
            IpProtocol: p.IpProtocol,
            FromPort: p.FromPort ?? -1,
            ToPort: p.ToPort ?? -1,
            ...Object.fromEntries(Object.entries(peer).filter(([, v]) => v !== undefined)),
          });
        }
      }
    }
  }
  rmSync(path);
  writeFileSync(join(dir, 'aws', 'security-group-rules.json'), JSON.stringify({ SecurityGroupRules: rules }, null, 2));
  return dir;
}

const variants: Record<string, (dir: string) => string> = {
  'as bundled': (dir) => dir,
  'prefix delegation': prefixDelegation,
  'describe-security-group-rules': securityGroupRules,
};

describe('the ENIs prove what the CNI configuration says (every custom-networking example)', async () => {
  const examples = await customNetworkingExamples();

  it('there is at least one such example (dgxc-multi-sg)', () => {
    assert.ok(examples.includes(join(EXAMPLES, 'dgxc-multi-sg')), examples.join(', '));
  });

  for (const example of examples) {
    for (const [variant, make] of Object.entries(variants)) {
      it(`${example}, ${variant}: deleting aws-node and the ENIConfigs leaves the verdict and fixes identical`, async () => {
        const original = await analyzeDir(example);
        const configured = await analyzeDir(make(copyOf(example)));
        // The variant itself changes nothing the verdict rests on.
        assert.deepEqual(decision(configured), decision(original), `${variant} decides as the example does`);
        const bare = await analyzeDir(await withoutCniConfiguration(make(copyOf(example))));
        assert.deepEqual(decision(bare), decision(configured));
        // It says what it inferred, and from which ENIs, instead of assuming the defaults.
        assert.ok(!bare.warnings.some((w) => /assumed VPC CNI defaults/.test(w)), bare.warnings.join('\n'));
        const inferred = bare.notes.filter((n) => /custom networking inferred/.test(n));
        assert.ok(inferred.length > 0, bare.notes.join('\n'));
        assert.ok(inferred.every((n) => /eni-[0-9a-f]+/.test(n)), inferred.join('\n'));
        const fromNodes = bare.flows.filter((f) => f.source.kind === 'nodes');
        assert.ok(
          fromNodes.some((f) => f.source.placement.some((p) => /custom networking inferred/.test(p) && /eni-/.test(p))),
          'the attachment of an inferred class names the ENIs',
        );
      });
    }
  }
});

describe('an ENIConfig the ENIs contradict is a conflict (dgxc-multi-sg)', () => {
  const GPU_SUBNET = 'subnet-0503331e8332d8cb8';
  const GPU_SG = 'sg-02917b7ce111d49a7';
  const CUSTOMER_SG = 'sg-0affb20cb8865fd98';

  /** customer-pods says the GPU nodes' own subnet and SG, while their pod ENIs carry the customer ones. */
  function contradicted(dir: string): string {
    const path = join(dir, 'k8s', 'eniconfigs.yaml');
    const text = readFileSync(path, 'utf8')
      .replace(/(name: customer-pods\n[\s\S]*?spec:\n\s+securityGroups:\n\s+- )sg-0affb20cb8865fd98(\n\s+subnet: )subnet-0eeaca640af34b3c8/, `$1${GPU_SG}$2${GPU_SUBNET}`);
    assert.notEqual(text, readFileSync(path, 'utf8'), 'the ENIConfig was edited');
    writeFileSync(path, text);
    return dir;
  }

  for (const withAwsNode of [true, false]) {
    it(`${withAwsNode ? 'with' : 'without'} aws-node: the GPU nodes' future pods are unknown, naming the conflict; no fix on the configured SG`, async () => {
      const dir = contradicted(copyOf(join(EXAMPLES, 'dgxc-multi-sg')));
      if (!withAwsNode) rmSync(join(dir, 'k8s', 'aws-node.yaml'));
      const result = await analyzeDir(dir);
      const fromGpuNodes = result.flows.filter((f) => f.source.kind === 'nodes' && f.source.nodeGroup === 'gpu-h100');
      assert.ok(fromGpuNodes.length > 0);
      for (const flow of fromGpuNodes) {
        assert.equal(flow.status, 'unknown', flow.reason);
        assert.match(flow.reason, /conflict: ENIConfig customer-pods .*gives pods subnet subnet-0503331e8332d8cb8 and SGs sg-02917b7ce111d49a7, but .*eni-0bbe63f502c424691 .*subnet-0eeaca640af34b3c8 with SGs sg-0affb20cb8865fd98/);
      }
      assert.ok(
        result.notes.some((n) => /^conflict on ip-10-0-33-140\.us-west-2\.compute\.internal, ip-10-0-41-9\.us-west-2\.compute\.internal \(node group gpu-h100\)/.test(n)),
        result.notes.join('\n'),
      );
      assert.ok(!result.remediation.some((r) => r.sourceGroupId === GPU_SG), 'never the fix on the SG the ENIs do not carry');
      // The running GPU pods sit on the customer ENIs: their flows still decide (blocked, with the right fix).
      assert.equal(result.verdict, 'fail');
      assert.ok(result.remediation.some((r) => r.sourceGroupId === CUSTOMER_SG));
    });
  }
});
