/**
 * Where a pod not created yet on a node would sit: its subnet and security groups. The VPC CNI
 * configuration (the `aws-node` DaemonSet, ENIConfigs) says where it should; the ENIs the CNI has
 * already attached to the node show where pods are. Evidence beats defaults: without the
 * configuration the ENIs decide, and ENIs that contradict the configuration make the pod's
 * attachment a conflict (its flows `unknown`), never a guess (docs/architecture.md, "Which ENI
 * carries a pod").
 *
 * The VPC CNI facts this rests on (amazon-vpc-cni-k8s README and EKS User Guide):
 * - default networking: pods take secondary IPs (or `/28` prefixes) on the primary ENI and on
 *   secondary ENIs that copy the primary ENI's security groups;
 * - custom networking: the primary ENI carries no pod IP; secondary ENIs are created in the
 *   ENIConfig's subnet with its SGs (the primary ENI's SGs when it names none);
 * - ENIs tagged `node.k8s.amazonaws.com/no_manage=true`, EFA ENIs, SG-for-pods trunk and branch
 *   ENIs, and ENIs on other network cards than the first never carry an ordinary pod's IP;
 * - an IPv6 cluster assigns pods IPv6 addresses from prefixes on the primary ENI (no custom
 *   networking).
 */
import type {
  ClusterModel,
  CniSettings,
  EniConfigModel,
  EniModel,
  ModelWarning,
  NodeModel,
  PodNetwork,
} from './types.ts';

type EniLookup = Pick<ClusterModel, 'enisOfInstance' | 'eniForAddress'>;

/** The node's primary ENI: device index 0 on network card 0, else the ENI holding the node IP. */
export function primaryEni(model: EniLookup, node: NodeModel): EniModel | undefined {
  const attached = node.instanceId ? model.enisOfInstance(node.instanceId) : [];
  return (
    attached.find((e) => e.deviceIndex === 0 && (e.networkCardIndex ?? 0) === 0) ??
    (node.internalIp ? model.eniForAddress(node.internalIp) : undefined) ??
    attached[0]
  );
}

/** The SG-for-pods trunk ENI of a node: branch ENIs hang off it (and share its subnet). */
export function trunkEni(model: EniLookup, node: NodeModel): EniModel | undefined {
  return node.instanceId ? model.enisOfInstance(node.instanceId).find((e) => e.type === 'trunk') : undefined;
}

/** What on an ENI shows that the CNI hands its addresses to pods, in the family pods use. */
function podAddresses(eni: EniModel, family: 4 | 6, isPrimary: boolean): string | undefined {
  const prefixes = eni.prefixes.filter((p) => p.includes(':') === (family === 6));
  const parts: string[] = [];
  if (family === 4 && eni.secondaryIpv4Count > 0)
    parts.push(`${eni.secondaryIpv4Count} secondary IPv4 address${eni.secondaryIpv4Count === 1 ? '' : 'es'}`);
  // The primary ENI's own IPv6 address is the node's.
  const ipv6 = isPrimary ? eni.ipv6Count - 1 : eni.ipv6Count;
  if (family === 6 && ipv6 > 0) parts.push(`${ipv6} IPv6 address${ipv6 === 1 ? '' : 'es'}`);
  if (prefixes.length > 0)
    parts.push(`delegated prefix${prefixes.length === 1 ? '' : 'es'} ${prefixes.join(', ')}`);
  if (parts.length === 0 && !isPrimary && eni.cniMark === 'managed') parts.push('created by the VPC CNI');
  return parts.length > 0 ? parts.join(', ') : undefined;
}

interface Seen {
  readonly subnetId?: string;
  readonly groupIds: string[];
  readonly enis: { readonly eni: EniModel; readonly what: string }[];
}

const keyOf = (subnetId: string | undefined, groupIds: readonly string[]): string =>
  `${subnetId ?? ''}|${[...groupIds].sort().join(',')}`;

const groupsText = (groups: readonly string[]): string => [...groups].sort().join(', ') || 'no SGs';

function eniText({ eni, what }: Seen['enis'][number]): string {
  return `${eni.id} (device index ${eni.deviceIndex ?? '?'}; ${what})`;
}

function seenText(seen: Seen): string {
  return `${seen.enis.map(eniText).join(', ')} in subnet ${seen.subnetId ?? '(unknown)'} with SGs ${groupsText(seen.groupIds)}`;
}

/**
 * The node's ENIs that carry pod addresses, grouped by subnet and SGs: one group when the node is
 * consistent, none when no ENI shows pod addresses yet.
 */
function podEniEvidence(
  model: EniLookup,
  node: NodeModel,
  family: 4 | 6,
  primary: EniModel | undefined,
): Seen[] {
  if (!node.instanceId) return [];
  const groups = new Map<string, Seen>();
  for (const eni of model.enisOfInstance(node.instanceId)) {
    const isPrimary = eni === primary;
    if (!isPrimary) {
      if (eni.type !== 'interface' || eni.cniMark === 'no-manage') continue;
      if ((eni.networkCardIndex ?? 0) !== 0) continue;
    }
    const what = podAddresses(eni, family, isPrimary);
    if (!what) continue;
    const key = keyOf(eni.subnetId, eni.groupIds);
    const entry = groups.get(key) ?? {
      ...(eni.subnetId ? { subnetId: eni.subnetId } : {}),
      groupIds: [...eni.groupIds].sort(),
      enis: [],
    };
    entry.enis.push({ eni, what });
    groups.set(key, entry);
  }
  return [...groups.values()];
}

export interface PodNetworks {
  readonly byNode: Map<string, PodNetwork>;
  readonly warnings: ModelWarning[];
  readonly notes: ModelWarning[];
}

interface Inputs extends EniLookup {
  readonly cni: CniSettings;
  readonly eniConfigs: ReadonlyMap<string, EniConfigModel>;
  readonly nodes: ReadonlyMap<string, NodeModel>;
  readonly ipFamily: 4 | 6;
}

const MAX_NAMED = 3;

function names(list: readonly string[]): string {
  return list.length <= MAX_NAMED
    ? list.join(', ')
    : `${list.slice(0, MAX_NAMED).join(', ')} and ${list.length - MAX_NAMED} more`;
}

/** Notes gathered per node group and finding, so a large node group gives one line, not hundreds. */
class Findings {
  private readonly byKey = new Map<
    string,
    { nodes: string[]; text: (nodes: string, more: boolean) => string }
  >();
  /** `text` is the first node's: it gets the node list, and whether other nodes are in it. */
  add(key: string, node: string, text: (nodes: string, more: boolean) => string): void {
    const entry = this.byKey.get(key) ?? { nodes: [], text };
    entry.nodes.push(node);
    this.byKey.set(key, entry);
  }
  messages(): string[] {
    return [...this.byKey.values()].map((e) => e.text(names(e.nodes), e.nodes.length > 1));
  }
}

/** Pods that copy the primary ENI's subnet and SGs (the VPC CNI default), saying why. */
function primaryNetwork(node: NodeModel, primary: EniModel | undefined, attachment: string): PodNetwork {
  return primary
    ? {
        kind: 'known',
        ...(primary.subnetId ? { subnetId: primary.subnetId } : {}),
        groupIds: primary.groupIds,
        eniId: primary.id,
        attachment: [attachment],
      }
    : { kind: 'unresolved', reason: `no ENI of node ${node.name} is in the snapshot` };
}

export function buildPodNetworks(inputs: Inputs): PodNetworks {
  const { cni, eniConfigs, nodes, ipFamily } = inputs;
  const byNode = new Map<string, PodNetwork>();
  const inferred = new Findings();
  const conflicts = new Findings();
  const defaulted: string[] = [];
  const noEvidence: { node: NodeModel; primary: EniModel | undefined }[] = [];
  let customShownBy: string | undefined;

  for (const node of nodes.values()) {
    const primary = primaryEni(inputs, node);
    const seen = podEniEvidence(inputs, node, ipFamily, primary);
    const primaryKey = primary ? keyOf(primary.subnetId, primary.groupIds) : undefined;
    const primaryText = primary
      ? `the primary ENI ${primary.id} (subnet ${primary.subnetId ?? '(unknown)'}, SGs ${groupsText(primary.groupIds)})`
      : 'the primary ENI (not in the snapshot)';
    const evidenceText = seen.map(seenText).join('; ');
    const defaults = (attachment: string): PodNetwork => primaryNetwork(node, primary, attachment);

    // The ENIConfig the configuration gives this node, and whether the configuration asks for one.
    const wantsEniConfig = cni.captured ? cni.customNetworking : node.eniConfigName !== undefined;
    if (cni.captured && !cni.customNetworking) {
      byNode.set(
        node.name,
        defaults(
          `pods on ${node.name} take secondary IPs on ENIs that copy the primary ENI ${primary?.id ?? '(unknown)'}'s SGs`,
        ),
      );
      continue;
    }
    if (cni.captured && !node.eniConfigName) {
      byNode.set(node.name, {
        kind: 'unresolved',
        reason: `custom networking is on but node ${node.name} names no ENIConfig`,
      });
      continue;
    }
    const config = wantsEniConfig && node.eniConfigName ? eniConfigs.get(node.eniConfigName) : undefined;
    if (config) {
      const groups = config.securityGroups.length > 0 ? config.securityGroups : primary?.groupIds;
      // Pods then copy the primary ENI's groups: with it missing they are not known.
      if (!groups) {
        byNode.set(node.name, {
          kind: 'unresolved',
          reason: `ENIConfig ${config.name} names no SGs, so pods get the primary ENI's, but no ENI of node ${node.name} is in the snapshot`,
        });
        continue;
      }
      const expected = keyOf(config.subnetId, groups);
      const source = cni.captured
        ? `ENIConfig ${config.name}`
        : `ENIConfig ${config.name} (named by node ${node.name}; no aws-node DaemonSet in the snapshot)`;
      const against = seen.filter((s) => keyOf(s.subnetId, s.groupIds) !== expected);
      if (against.length > 0) {
        const conflict = `${source} gives pods subnet ${config.subnetId ?? '(none)'} and SGs ${groupsText(groups)}, but ${node.name}'s pod ENIs ${against.map(seenText).join('; ')}`;
        conflicts.add(
          `${node.nodeGroup}|${config.name}|${against.map((s) => keyOf(s.subnetId, s.groupIds)).join(';')}`,
          node.name,
          (list) =>
            `conflict on ${list} (node group ${node.nodeGroup}): ${conflict}; flows of pods not created yet there are unknown`,
        );
        byNode.set(node.name, {
          kind: 'unresolved',
          reason: `conflict: ${conflict}`,
        });
        continue;
      }
      if (!cni.captured && seen.length === 0) {
        byNode.set(node.name, {
          kind: 'unresolved',
          reason: `no aws-node DaemonSet in the snapshot: node ${node.name} names ENIConfig ${config.name} (subnet ${config.subnetId ?? '(none)'}, SGs ${groupsText(groups)}), but no ENI of it shows whether custom networking uses it`,
        });
        continue;
      }
      const why =
        config.securityGroups.length > 0
          ? `custom networking: ${source} gives pods subnet ${config.subnetId ?? '(none)'} and SGs ${groups.join(', ')}`
          : `custom networking: ${source} names no SGs, so pods get the primary ENI's (${groups.join(', ')})`;
      if (!cni.captured && expected !== primaryKey)
        customShownBy ??= `node ${node.name}'s ${seen[0]!.enis[0]!.eni.id}`;
      if (!cni.captured)
        inferred.add(
          `${node.nodeGroup}|config|${config.name}`,
          node.name,
          (list) =>
            `no aws-node DaemonSet in the snapshot: pods on ${list} (node group ${node.nodeGroup}) use ENIConfig ${config.name} (subnet ${config.subnetId ?? '(none)'}, SGs ${groupsText(groups)}), as their ENIs show`,
        );
      byNode.set(node.name, {
        kind: 'known',
        ...(config.subnetId ? { subnetId: config.subnetId } : {}),
        groupIds: groups,
        attachment: [why, ...(seen.length > 0 ? [`confirmed by the node's pod ENIs: ${evidenceText}`] : [])],
      });
      continue;
    }

    // No configuration for this node: the ENIs decide.
    const missing =
      cni.captured && node.eniConfigName
        ? `ENIConfig ${node.eniConfigName} (node ${node.name}) is not in the snapshot`
        : undefined;
    if (seen.length > 1) {
      byNode.set(node.name, {
        kind: 'unresolved',
        reason: `${missing ?? 'no aws-node DaemonSet in the snapshot'}, and node ${node.name}'s pod ENIs disagree: ${evidenceText}`,
      });
      continue;
    }
    if (seen.length === 0) {
      if (missing) byNode.set(node.name, { kind: 'unresolved', reason: missing });
      else noEvidence.push({ node, primary });
      continue;
    }
    const only = seen[0]!;
    const custom = keyOf(only.subnetId, only.groupIds) !== primaryKey;
    if (custom) customShownBy ??= `node ${node.name}'s ${only.enis[0]!.eni.id}`;
    const differs = [
      ...(only.subnetId !== primary?.subnetId ? ['another subnet'] : []),
      ...(keyOf(undefined, only.groupIds) !== keyOf(undefined, primary?.groupIds ?? []) ? ['other SGs'] : []),
    ].join(' and ');
    const lead = missing ?? 'no aws-node DaemonSet in the snapshot';
    const attachment = custom
      ? `${lead}: the node's pod ENIs ${seenText(only)}, ${differs} than ${primaryText}: custom networking inferred, pods take that subnet and those SGs`
      : `${lead}: the node's pod ENIs ${seenText(only)}, as ${primaryText}: pods take its subnet and SGs`;
    inferred.add(
      `${node.nodeGroup}|${keyOf(only.subnetId, only.groupIds)}|${custom}`,
      node.name,
      (list, more) =>
        custom
          ? `${lead}: custom networking inferred on ${list} (node group ${node.nodeGroup}): pods use subnet ${only.subnetId ?? '(unknown)'} and SGs ${groupsText(only.groupIds)}, as the secondary ENIs (${only.enis.map((e) => e.eni.id).join(', ')}${more ? `, … of ${node.name} and the others` : ` of ${node.name}`}) show, not the primary ENI's`
          : `${lead}: pods on ${list} (node group ${node.nodeGroup}) use the primary ENI's subnet ${only.subnetId ?? '(unknown)'} and SGs ${groupsText(only.groupIds)}, as their ENIs (${only.enis.map((e) => e.eni.id).join(', ')}${more ? `, … of ${node.name} and the others` : ` of ${node.name}`}) show`,
    );
    byNode.set(node.name, {
      kind: 'known',
      ...(only.subnetId ? { subnetId: only.subnetId } : {}),
      groupIds: only.groupIds,
      ...(custom ? {} : primary ? { eniId: primary.id } : {}),
      attachment: [attachment],
    });
  }

  // Nodes whose ENIs show nothing yet: the defaults, unless another node proved custom networking.
  for (const { node, primary } of noEvidence) {
    if (customShownBy) {
      byNode.set(node.name, {
        kind: 'unresolved',
        reason: `no aws-node DaemonSet in the snapshot: custom networking shows on ${customShownBy}, but no ENI of node ${node.name} carries pod addresses to show its pods' subnet and SGs`,
      });
      continue;
    }
    defaulted.push(node.name);
    byNode.set(
      node.name,
      primaryNetwork(
        node,
        primary,
        `no aws-node DaemonSet and no pod ENI on ${node.name}: assumed VPC CNI defaults, pods copy the primary ENI ${primary?.id ?? '(unknown)'}'s subnet and SGs`,
      ),
    );
  }

  const warnings: ModelWarning[] = [];
  if (!cni.captured && defaulted.length > 0) {
    warnings.push({
      code: 'missing-data',
      message: `no aws-node DaemonSet in the snapshot, and no ENI of ${names(defaulted)} shows pod addresses: assumed VPC CNI defaults there (no custom networking: pods copy the primary ENI's subnet and SGs)`,
    });
  }
  return {
    byNode,
    warnings,
    notes: [
      ...inferred.messages().map((message) => ({ code: 'inferred-from-enis', message })),
      ...conflicts.messages().map((message) => ({ code: 'conflict', message })),
    ],
  };
}
