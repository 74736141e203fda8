/**
 * Remediation synthesis: the fewest, narrowest rules that unblock every blocked flow.
 * Exact ports only, a peer security group rather than a CIDR wherever the peer has one, never
 * 0.0.0.0/0 or protocol -1 (docs/architecture.md, "The JSON contract") — except EFA's self-referencing
 * all-traffic rules (efa.ts), the only ones that carry SRD. Pure: reads flow traces, never re-evaluates them.
 */
import type { FlowResult } from '../analyze/types.ts';
import { containsRange, fixCidrProblem, parseCidr } from '../base/ip.ts';
import { shellCommand } from '../base/shell.ts';
import type { ClusterModel, PortRange } from '../model/types.ts';
import type { RequirementId } from '../requirements/catalog.ts';
import { EPHEMERAL_PORTS } from '../reachability/ports.ts';
import type { TraceStep } from '../reachability/types.ts';
import { SG_RULES_QUOTA, type NaclRemediation, type SgRemediation } from './types.ts';
import { efaNeeds } from './efa.ts';

export interface RemediationPlan {
  readonly rules: SgRemediation[];
  readonly naclEntries: NaclRemediation[];
  /** Flow id → ids of the items that unblock it. */
  readonly fixes: ReadonlyMap<string, string[]>;
  /** Blockers no rule can fix here, with why. */
  readonly unfixable: string[];
}

/**
 * Return traffic goes to the client's ephemeral ports: exactly the range the analysis checks
 * (Linux's default ip_local_port_range), so the fix is no wider than what it found blocked.
 */
export const RETURN_PORTS: PortRange = EPHEMERAL_PORTS;

interface Need {
  readonly flow: FlowResult;
  readonly ports: PortRange;
  /** Candidate groups to change (the side the step was evaluated on), best first. */
  readonly own: string[];
  /** Candidate peer groups (the other side), best first. */
  readonly peer: string[];
  readonly peerCidr?: string;
  /** Why the peer's subnet block is no safe rule, when it is not. */
  readonly peerCidrWhy?: string;
}

function preferNarrow(model: ClusterModel, groups: readonly string[]): string[] {
  // The EKS cluster SG is on every managed node: naming it widens a rule to the whole cluster,
  // so it is a candidate only where it is the sole group.
  const narrow = groups.filter((id) => !model.securityGroups.get(id)?.isClusterSecurityGroup);
  return [...(narrow.length > 0 ? narrow : groups)].sort((a, b) => a.localeCompare(b));
}

/** Picks groups so that every need has one, choosing those shared by the most needs first (greedy set cover). */
function cover<T>(needs: readonly T[], candidates: (n: T) => string[]): Map<string, T[]> {
  const chosen = new Map<string, T[]>();
  let left = [...needs];
  while (left.length > 0) {
    const counts = new Map<string, number>();
    for (const need of left) {
      candidates(need).forEach((group, rank) =>
        counts.set(group, (counts.get(group) ?? 0) + 1 - rank * 1e-6),
      );
    }
    const best = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
    if (!best) break;
    const taken = left.filter((n) => candidates(n).includes(best));
    chosen.set(best, taken);
    left = left.filter((n) => !taken.includes(n));
  }
  return chosen;
}

/**
 * The peer subnet's block in the family of the cluster's pods: an IPv6 cluster's flows carry IPv6
 * addresses only, and an IPv4 entry or rule never matches them (EC2: CidrBlock vs Ipv6CidrBlock).
 */
function subnetCidr(model: ClusterModel, subnetId: string | undefined): string | undefined {
  const subnet = subnetId ? model.subnets.get(subnetId) : undefined;
  if (!subnet) return undefined;
  const index = subnet.cidrs.findIndex((c) => c.family === model.ipFamily);
  return index >= 0 ? subnet.cidrText[index] : undefined;
}

/**
 * The peer subnet's block as a fix may name it: never every address, never wider than a subnet
 * can be, never outside the VPC's blocks (when they are known). Else why no rule is safe.
 */
function peerSubnetCidr(
  model: ClusterModel,
  subnetId: string | undefined,
): { readonly cidr: string } | { readonly why: string } | undefined {
  const cidr = subnetCidr(model, subnetId);
  if (!cidr) return undefined;
  const range = parseCidr(cidr)!;
  const vpcBlocks = model.vpcCidrs.filter((v) => v.family === range.family);
  const problem =
    fixCidrProblem(cidr) ??
    (vpcBlocks.length > 0 && !vpcBlocks.some((v) => containsRange(v, range))
      ? `is not inside the VPC's blocks`
      : undefined);
  if (!problem) return { cidr };
  return {
    why: `no safe rule: the peer's subnet ${subnetId} has the block ${cidr}, which ${problem}; a rule naming it would admit more than the peer`,
  };
}

const isIpv6 = (cidr: string | undefined): boolean => cidr?.includes(':') ?? false;

const titles: Record<RequirementId, string> = {
  nats: 'NATS event plane, Dynamo 1.2+',
  etcd: 'etcd control plane, Dynamo before 1.2',
  prometheus: 'Prometheus for ai-service-metrics',
  'request-plane': 'Dynamo TCP request plane',
  'response-stream': 'Dynamo TCP response stream',
  'zmq-events': 'Dynamo ZMQ KV events',
  'kv-event-publisher': 'Dynamo ZMQ event-plane publisher',
  'dcgm-scrape': 'DCGM scrape for ai-service-metrics',
  'dynamo-metrics': 'Dynamo metrics scrape (recommended)',
  'accelerator-metrics': 'dcgm-exporter for accelerator-metrics',
  dns: 'cluster DNS (UDP)',
  'dns-tcp': 'cluster DNS (TCP)',
  'operator-webhook': 'Dynamo operator admission webhook (EKS control plane)',
  'kubelet-probe': 'kubelet probes of pods with their own security groups',
  'custom-metrics-api': 'custom metrics API, prometheus-adapter (EKS control plane)',
  'nixl-side-channel': 'NIXL side channel (decode → prefill)',
  'efa-srd': 'EFA SRD between prefill and decode (self-referencing, all traffic)',
  'ucx-tcp': 'UCX over TCP KV transfer (decode → prefill)',
  'ucx-tcp-reverse': 'UCX over TCP KV transfer (prefill → decode)',
};

function describe(requirements: readonly RequirementId[]): string {
  return `${[...new Set(requirements)].map((r) => titles[r]).join('; ')} (dynamo-netcheck)`;
}

function portArgs(ports: PortRange): string {
  return ports.from === ports.to ? String(ports.from) : `${ports.from}-${ports.to}`;
}

function sgCommand(rule: Omit<SgRemediation, 'command' | 'id' | 'description' | 'quotaWarning'>): string {
  // `--cidr` takes IPv4 only: an IPv6 peer goes in --ip-permissions as Ipv6Ranges.
  const cidrPeer = isIpv6(rule.cidr)
    ? `Ipv6Ranges=[{CidrIpv6=${rule.cidr}}]`
    : `IpRanges=[{CidrIp=${rule.cidr}}]`;
  const permissions = (peer: string): string =>
    `IpProtocol=${rule.protocol},FromPort=${rule.fromPort},ToPort=${rule.toPort},${peer}`;
  const base = ['aws', 'ec2', `authorize-security-group-${rule.direction}`, '--group-id', rule.groupId];
  if (rule.protocol === '-1') {
    // All traffic has no ports: IpProtocol=-1 without FromPort/ToPort (EC2 API, IpPermission).
    const peerGroup = rule.direction === 'ingress' ? rule.sourceGroupId : rule.destinationGroupId;
    return shellCommand([
      ...base,
      '--ip-permissions',
      `IpProtocol=-1,UserIdGroupPairs=[{GroupId=${peerGroup!}}]`,
    ]);
  }
  if (rule.direction === 'ingress') {
    if (!rule.sourceGroupId && isIpv6(rule.cidr))
      return shellCommand([...base, '--ip-permissions', permissions(cidrPeer)]);
    const peer = rule.sourceGroupId ? ['--source-group', rule.sourceGroupId] : ['--cidr', rule.cidr!];
    return shellCommand([
      ...base,
      '--protocol',
      rule.protocol,
      '--port',
      portArgs({ from: rule.fromPort, to: rule.toPort }),
      ...peer,
    ]);
  }
  const peer = rule.destinationGroupId ? `UserIdGroupPairs=[{GroupId=${rule.destinationGroupId}}]` : cidrPeer;
  return shellCommand([...base, '--ip-permissions', permissions(peer)]);
}

/**
 * Steps a fix must open: the flow's own, plus those of its across-nodes trace when co-location
 * skipped the VPC. A co-located flow still needs the VPC rules (the scheduler may place the pod
 * elsewhere next time: the seed's "reliable cluster-side guarantee"), also when a NetworkPolicy
 * blocks it today.
 */
function blockedSteps(flow: FlowResult, kinds: readonly TraceStep['kind'][]): TraceStep[] {
  const steps = flow.coLocationSteps ? [...flow.steps, ...flow.coLocationSteps] : flow.steps;
  return steps.filter((s) => s.status === 'blocked' && kinds.includes(s.kind));
}

export function synthesizeRemediation(model: ClusterModel, allFlows: readonly FlowResult[]): RemediationPlan {
  // SRD (EFA) has its own fix: self-referencing all-traffic rules on a group both ends carry.
  const flows = allFlows.filter((f) => f.protocol !== 'efa');
  const efa = efaNeeds(
    model,
    allFlows.filter((f) => f.protocol === 'efa'),
  );
  const fixes = new Map<string, string[]>();
  const unfixable: string[] = [];
  const addFix = (flowId: string, itemId: string): void => {
    const list = fixes.get(flowId) ?? [];
    if (!list.includes(itemId)) list.push(itemId);
    fixes.set(flowId, list);
  };

  // Security groups: collect needs per direction, then choose groups by set cover.
  const sgRules = new Map<string, Omit<SgRemediation, 'command' | 'id' | 'description' | 'quotaWarning'>>(
    efa.rules.map((r) => [`efa|${r.direction}|${r.groupId}`, r]),
  );
  unfixable.push(...efa.unfixable);
  for (const direction of ['ingress', 'egress'] as const) {
    const needs: Need[] = [];
    for (const flow of flows) {
      for (const step of blockedSteps(flow, [direction === 'ingress' ? 'sg-ingress' : 'sg-egress'])) {
        const self = direction === 'ingress' ? flow.destination : flow.source;
        const other = direction === 'ingress' ? flow.source : flow.destination;
        if (self.securityGroups.length === 0) {
          unfixable.push(`${flow.id}: ${self.nodeGroup} has no security group to add a rule to`);
          continue;
        }
        const peerBlock =
          other.securityGroups.length === 0 ? peerSubnetCidr(model, other.subnetId) : undefined;
        for (const ports of step.deniedPorts ?? [flow.ports]) {
          needs.push({
            flow,
            ports,
            own: preferNarrow(model, self.securityGroups),
            peer: preferNarrow(model, other.securityGroups),
            ...(peerBlock && 'cidr' in peerBlock ? { peerCidr: peerBlock.cidr } : {}),
            ...(peerBlock && 'why' in peerBlock ? { peerCidrWhy: peerBlock.why } : {}),
          });
        }
      }
    }
    const byPorts = new Map<string, Need[]>();
    for (const need of needs) {
      const key = `${need.flow.protocol}:${need.ports.from}-${need.ports.to}`;
      const same = byPorts.get(key);
      if (same) same.push(need);
      else byPorts.set(key, [need]);
    }
    for (const group of byPorts.values()) {
      for (const [own, ownNeeds] of cover(group, (n) => n.own)) {
        const withGroups = ownNeeds.filter((n) => n.peer.length > 0);
        const peers: [string | undefined, string | undefined, Need[]][] = [
          ...cover(withGroups, (n) => n.peer),
        ].map(([peer, list]) => [peer, undefined, list]);
        for (const need of ownNeeds.filter((n) => n.peer.length === 0)) {
          if (!need.peerCidr) {
            const why = need.peerCidrWhy ?? 'the peer has neither a security group nor a known subnet CIDR';
            if (!unfixable.includes(`${need.flow.id}: ${why}`)) unfixable.push(`${need.flow.id}: ${why}`);
            continue;
          }
          peers.push([undefined, need.peerCidr, [need]]);
        }
        for (const [peerGroup, cidr, list] of peers) {
          const first = list[0]!;
          const key = `${direction}|${own}|${peerGroup ?? cidr}|${first.flow.protocol}|${first.ports.from}-${first.ports.to}`;
          const existing = sgRules.get(key);
          const requirements = [
            ...new Set([...(existing?.requirements ?? []), ...list.map((n) => n.flow.requirement)]),
          ];
          const unblocks = [...new Set([...(existing?.unblocks ?? []), ...list.map((n) => n.flow.id)])];
          sgRules.set(key, {
            direction,
            groupId: own,
            protocol: first.flow.protocol === 'udp' ? 'udp' : 'tcp',
            fromPort: first.ports.from,
            toPort: first.ports.to,
            ...(peerGroup
              ? direction === 'ingress'
                ? { sourceGroupId: peerGroup }
                : { destinationGroupId: peerGroup }
              : { cidr: cidr! }),
            requirements,
            unblocks,
          });
        }
      }
    }
  }

  const added = new Map<string, number>();
  const rules: SgRemediation[] = [...sgRules.values()].map((rule, i) => {
    const id = `sg-rule-${i + 1}`;
    for (const flowId of rule.unblocks) addFix(flowId, id);
    if (rule.direction === 'ingress') added.set(rule.groupId, (added.get(rule.groupId) ?? 0) + 1);
    return { id, ...rule, description: describe(rule.requirements), command: sgCommand(rule) };
  });
  const withQuota = rules.map((rule) => {
    if (rule.direction !== 'ingress') return rule;
    const existing = model.securityGroups.get(rule.groupId)?.ingressRuleCount ?? 0;
    const total = existing + (added.get(rule.groupId) ?? 0);
    return total > SG_RULES_QUOTA
      ? {
          ...rule,
          quotaWarning: `${rule.groupId} would have ${total} inbound rules, over the default quota of ${SG_RULES_QUOTA}: request a quota increase or consolidate rules first`,
        }
      : rule;
  });

  return { rules: withQuota, naclEntries: synthesizeNacl(model, flows, addFix, unfixable), fixes, unfixable };
}

type NaclEntryDraft = Omit<NaclRemediation, 'id' | 'command' | 'description'>;

function synthesizeNacl(
  model: ClusterModel,
  flows: readonly FlowResult[],
  addFix: (flowId: string, itemId: string) => void,
  unfixable: string[],
): NaclRemediation[] {
  const taken = new Map<string, Set<number>>(); // `${naclId}|${egress}` → used numbers
  const usedNumbers = (naclId: string, egress: boolean): Set<number> => {
    const key = `${naclId}|${egress}`;
    let set = taken.get(key);
    if (!set) {
      const acl = model.nacls.get(naclId);
      set = new Set((egress ? acl?.outbound : acl?.inbound)?.map((e) => e.ruleNumber) ?? []);
      taken.set(key, set);
    }
    return set;
  };
  // First gather every need per entry, remembering the lowest deny any of its flows hit: one
  // entry serves them all only if it is numbered below each of those denies.
  const needs = new Map<string, { entry: Omit<NaclEntryDraft, 'ruleNumber'>; below: number }>();
  // Entries for the replies (to the client's ephemeral ports), by key: a request on the same ports
  // (the TCP request plane's OS-assigned range) is not one.
  const replies = new Set<string>();
  for (const flow of flows) {
    for (const step of blockedSteps(flow, [
      'nacl-source-outbound',
      'nacl-destination-inbound',
      'nacl-destination-outbound-return',
      'nacl-source-inbound-return',
    ])) {
      const denies = step.facts.flatMap((f) => (f.kind === 'nacl-entry' && f.action === 'deny' ? [f] : []));
      const naclId = denies[0]?.naclId;
      if (!naclId) continue;
      const onSource = step.kind === 'nacl-source-outbound' || step.kind === 'nacl-source-inbound-return';
      const egress = step.kind === 'nacl-source-outbound' || step.kind === 'nacl-destination-outbound-return';
      const isReturn = step.kind.endsWith('-return');
      const subnetId = (onSource ? flow.source.subnetId : flow.destination.subnetId)!;
      const peerSubnet = onSource ? flow.destination.subnetId : flow.source.subnetId;
      const block = peerSubnetCidr(model, peerSubnet);
      if (!block) continue;
      if ('why' in block) {
        if (!unfixable.includes(`${flow.id}: ${block.why}`)) unfixable.push(`${flow.id}: ${block.why}`);
        continue;
      }
      const { cidr } = block;
      const ports = isReturn ? RETURN_PORTS : flow.ports;
      const below = Math.min(...denies.map((d) => (d.ruleNumber === '*' ? 32767 : d.ruleNumber)));
      const key = `${naclId}|${egress}|${cidr}|${flow.protocol}|${ports.from}-${ports.to}`;
      if (isReturn) replies.add(key);
      const existing = needs.get(key);
      if (existing) {
        needs.set(key, {
          entry: {
            ...existing.entry,
            requirements: [...new Set([...existing.entry.requirements, flow.requirement])],
            unblocks: [...new Set([...existing.entry.unblocks, flow.id])],
          },
          below: Math.min(existing.below, below),
        });
        continue;
      }
      needs.set(key, {
        entry: {
          naclId,
          subnetId,
          egress,
          protocol: flow.protocol === 'udp' ? 'udp' : 'tcp',
          fromPort: ports.from,
          toPort: ports.to,
          cidr,
          requirements: [flow.requirement],
          unblocks: [flow.id],
        },
        below,
      });
    }
  }
  // Then number each just below the lowest deny it must precede, on a number still free.
  const entries = new Map<string, NaclEntryDraft>();
  for (const [key, { entry, below }] of needs) {
    const used = usedNumbers(entry.naclId, entry.egress);
    let ruleNumber = below - 1;
    while (ruleNumber > 0 && used.has(ruleNumber)) ruleNumber -= 1;
    if (ruleNumber < 1) {
      for (const flowId of entry.unblocks)
        unfixable.push(`${flowId}: no free rule number below ${below} in ${entry.naclId} for an allow entry`);
      continue;
    }
    used.add(ruleNumber);
    entries.set(key, { ...entry, ruleNumber });
  }
  return [...entries].map(([key, entry], i) => {
    const id = `nacl-entry-${i + 1}`;
    for (const flowId of entry.unblocks) addFix(flowId, id);
    const direction = entry.egress ? '--egress' : '--ingress';
    return {
      id,
      ...entry,
      description: describe(entry.requirements) + (replies.has(key) ? ', return traffic' : ''),
      command: shellCommand([
        'aws',
        'ec2',
        'create-network-acl-entry',
        '--network-acl-id',
        entry.naclId,
        direction,
        '--rule-number',
        String(entry.ruleNumber),
        '--protocol',
        entry.protocol,
        '--port-range',
        `From=${entry.fromPort},To=${entry.toPort}`,
        isIpv6(entry.cidr) ? '--ipv6-cidr-block' : '--cidr-block',
        entry.cidr,
        '--rule-action',
        'allow',
      ]),
    };
  });
}
