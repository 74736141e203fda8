/**
 * The reachability core: decides one flow between two endpoints from security groups and network
 * ACLs, as AWS evaluates them (docs/architecture.md, "AWS semantics"), and records every step with the facts that decided it.
 * Pure: no I/O, no clocks; the same model and query always give the same trace.
 */
import type { Endpoint } from '../model/endpoints.ts';
import { protocolMatches, formatProtocolPorts } from '../model/protocol.ts';
import type { ClusterModel, NaclEntryModel, PortRange, Protocol, RulePeer } from '../model/types.ts';
import { coverage, formatRange, splitRange, unionCovers, type AddressRange } from '../base/ip.ts';
import { describeNaclEntry, describeSgRule, sgRuleFact } from './describe.ts';
import { policyStep } from './policy-step.ts';
import { efaSteps } from './efa.ts';
import {
  ALL_PORTS,
  EPHEMERAL_PORTS,
  formatPortSet,
  intersect,
  isEmpty,
  normalise,
  subtract,
  type PortSet,
} from './ports.ts';
import type { Fact, FlowQuery, FlowTrace, Status, StepKind, TraceStep } from './types.ts';

type Match = { kind: 'yes' } | { kind: 'no' } | { kind: 'maybe'; missing: string };

/** Does a rule's peer (CIDR, prefix list, SG reference) match the other end of the flow? */
function matchPeer(model: ClusterModel, peer: RulePeer, other: Endpoint): Match {
  switch (peer.kind) {
    case 'security-group':
      if (peer.unmatchable) return { kind: 'no' };
      return other.securityGroups.includes(peer.groupId) ? { kind: 'yes' } : { kind: 'no' };
    case 'cidr':
      return matchRange(peer.range, peer.cidr, other);
    case 'prefix-list': {
      const list = model.prefixLists.get(peer.prefixListId);
      if (!list)
        return { kind: 'maybe', missing: `entries of prefix list ${peer.prefixListId} were not captured` };
      let best: Match = { kind: 'no' };
      for (const cidr of list.cidrs) {
        const m = matchRange(cidr, `${peer.prefixListId} entry`, other);
        if (m.kind === 'yes') return m;
        if (m.kind === 'maybe') best = m;
      }
      return best;
    }
  }
}

function matchRange(block: AddressRange, label: string, other: Endpoint): Match {
  if (!other.addresses) return { kind: 'maybe', missing: `the address of ${other.label} is not known` };
  switch (coverage(block, other.addresses)) {
    case 'all':
      return { kind: 'yes' };
    case 'none':
      return { kind: 'no' };
    case 'some':
      return { kind: 'maybe', missing: `${label} covers only part of ${other.addressText}` };
  }
}

/** A rule whose peer covers only part of the other end's possible addresses. */
interface Partial {
  readonly ranges: AddressRange[];
  readonly covered: PortSet;
  readonly fact: Fact;
  /** The CIDR, or the prefix list's entry, that covers part. */
  readonly label: string;
}

/**
 * The blocks of a CIDR or prefix-list peer when they cover only part of the other end's possible
 * addresses (a pod still to be scheduled: any address of its subnet); undefined otherwise.
 */
function partialRanges(model: ClusterModel, peer: RulePeer, other: Endpoint): AddressRange[] | undefined {
  if (!other.addresses || other.addresses.start === other.addresses.end) return undefined;
  const blocks =
    peer.kind === 'cidr'
      ? [peer.range]
      : peer.kind === 'prefix-list'
        ? model.prefixLists.get(peer.prefixListId)?.cidrs
        : undefined;
  if (!blocks) return undefined;
  const coverages = blocks.map((b) => coverage(b, other.addresses!));
  if (coverages.includes('all') || !coverages.includes('some')) return undefined;
  return blocks.filter((_, i) => coverages[i] === 'some');
}

/** `ports` cut at every edge of the partial rules' port sets. */
function portSegments(ports: PortSet, partials: readonly Partial[]): PortRange[] {
  const cuts = new Set<number>();
  for (const p of partials)
    for (const r of p.covered) {
      cuts.add(r.from);
      cuts.add(r.to + 1);
    }
  const out: PortRange[] = [];
  for (const range of ports) {
    const inside = [...cuts].filter((c) => c > range.from && c <= range.to).sort((a, b) => a - b);
    let from = range.from;
    for (const cut of inside) {
      out.push({ from, to: cut - 1 });
      from = cut;
    }
    out.push({ from, to: range.to });
  }
  return out;
}

/** Security-group step: the union of the ENI's SGs' rules in one direction must cover the ports. */
function securityGroupStep(
  model: ClusterModel,
  kind: 'sg-egress' | 'sg-ingress',
  self: Endpoint,
  other: Endpoint,
  protocol: Protocol,
  ports: PortRange,
): TraceStep {
  const direction = kind === 'sg-egress' ? 'egress' : 'ingress';
  const at = `${self.eniId ?? self.label} [${self.securityGroups.join(', ') || 'no SGs'}]`;
  const wanted: PortSet = [ports];
  let definite: PortSet = [];
  let possible: PortSet = [];
  const deciding: Fact[] = [];
  const doubts: Fact[] = [];
  const unmatchable: Fact[] = [];
  const partials: Partial[] = [];

  for (const groupId of self.securityGroups) {
    const group = model.securityGroups.get(groupId);
    if (!group) {
      doubts.push({
        kind: 'missing',
        text: `security group ${groupId} on ${self.eniId ?? self.label} is not in the snapshot`,
      });
      possible = normalise([...possible, ports]);
      continue;
    }
    for (const rule of direction === 'egress' ? group.egress : group.ingress) {
      if (!protocolMatches(rule.protocol, protocol)) continue;
      const covered = intersect(wanted, [rule.ports ?? ALL_PORTS]);
      if (isEmpty(covered)) continue;
      if (rule.peer.kind === 'security-group' && rule.peer.unmatchable) {
        unmatchable.push({
          kind: 'unmatchable-reference',
          ruleId: rule.id,
          groupId: rule.peer.groupId,
          text: `${describeSgRule(rule)}: ${rule.peer.unmatchable}`,
        });
        continue;
      }
      const parts = partialRanges(model, rule.peer, other);
      if (parts) {
        // Covers only part of the possible addresses: decided below, with the other rules' parts.
        const label =
          rule.peer.kind === 'prefix-list'
            ? `${rule.peer.prefixListId} entry`
            : rule.peer.kind === 'cidr'
              ? rule.peer.cidr
              : '';
        partials.push({ ranges: parts, covered, fact: sgRuleFact(rule), label });
        continue;
      }
      const match = matchPeer(model, rule.peer, other);
      if (
        match.kind === 'no' &&
        rule.peer.kind === 'security-group' &&
        !model.securityGroups.has(rule.peer.groupId)
      ) {
        // Not deciding (the peer does not carry it either way), but the likely cause of the gap.
        unmatchable.push({
          kind: 'unmatchable-reference',
          ruleId: rule.id,
          groupId: rule.peer.groupId,
          text: `${describeSgRule(rule)}: ${rule.peer.groupId} is not in the snapshot (deleted, or not captured) and ${other.label} does not carry it`,
        });
        continue;
      }
      if (match.kind === 'yes') {
        // Keep only rules that add coverage, so the explanation names the rules that decided.
        if (!isEmpty(subtract(covered, definite))) deciding.push(sgRuleFact(rule));
        definite = normalise([...definite, ...covered]);
      } else if (match.kind === 'maybe') {
        doubts.push({ kind: 'missing', text: `${describeSgRule(rule)}: ${match.missing}` });
        possible = normalise([...possible, ...covered]);
      }
    }
  }
  // Rules are a union (EC2: the rules of all the groups are aggregated): rules that each cover part
  // of the peer's possible addresses together allow the ports where their parts cover them all.
  if (partials.length > 0 && other.addresses) {
    for (const segment of portSegments(subtract(wanted, definite), partials)) {
      const with_ = partials.filter((p) => !isEmpty(intersect(p.covered, [segment])));
      if (
        unionCovers(
          with_.flatMap((p) => p.ranges),
          other.addresses,
        )
      ) {
        for (const p of with_) if (!deciding.includes(p.fact)) deciding.push(p.fact);
        definite = normalise([...definite, segment]);
      }
    }
    for (const p of partials) {
      const open = subtract(intersect(p.covered, wanted), definite);
      if (isEmpty(open)) continue;
      doubts.push({
        kind: 'missing',
        text: `${p.fact.text}: ${p.label} covers only part of ${other.addressText}`,
      });
      possible = normalise([...possible, ...open]);
    }
  }
  const what = `${formatProtocolPorts(protocol, ports)} ${direction === 'egress' ? 'to' : 'from'} ${other.label} (${other.addressText})`;
  const uncovered = subtract(wanted, definite);
  if (isEmpty(uncovered)) {
    return {
      kind,
      status: 'allowed',
      at,
      summary: `${direction} ${what} allowed by ${deciding.map((f) => f.text).join('; ')}`,
      facts: deciding,
    };
  }
  if (isEmpty(subtract(uncovered, possible))) {
    return {
      kind,
      status: 'unknown',
      at,
      summary: `${direction} ${what} cannot be decided: ${doubts.map((d) => d.text).join('; ')}`,
      facts: [...deciding, ...doubts],
    };
  }
  const partial = isEmpty(definite) ? '' : ` (only ${formatPortSet(definite)} is)`;
  const note = unmatchable.length > 0 ? `; ${unmatchable.map((u) => u.text).join('; ')}` : '';
  return {
    kind,
    status: 'blocked',
    at,
    summary: `no ${direction} rule in [${self.securityGroups.join(', ') || 'no SGs'}] allows ${what}${partial}${note}`,
    facts: [...deciding, ...doubts, ...unmatchable],
    deniedPorts: uncovered,
  };
}

/** A NACL direction: first matching entry per port wins; ports no entry matches fall to the implicit deny. */
interface NaclCheck {
  readonly kind: StepKind;
  /** The subnet whose NACL is read. */
  readonly subnetId: string;
  readonly direction: 'inbound' | 'outbound';
  /** The other end of the packet: its destination when outbound, its source when inbound. */
  readonly peer: Endpoint;
  readonly protocol: Protocol;
  readonly ports: PortRange;
}

function naclStep(model: ClusterModel, check: NaclCheck): TraceStep {
  const { kind, subnetId, direction, peer, protocol, ports } = check;
  const outbound = direction === 'outbound';
  const subnet = model.subnets.get(subnetId);
  const naclId = subnet?.naclId;
  const at = `${naclId ?? 'NACL ?'} on ${subnetId}`;
  const what = `${formatProtocolPorts(protocol, ports)} ${outbound ? 'to' : 'from'} ${peer.addressText}`;
  if (!subnet || !naclId || !model.nacls.get(naclId)) {
    const missing = !subnet
      ? `subnet ${subnetId} is not in the snapshot`
      : `the network ACL of ${subnetId} is not in the snapshot`;
    return {
      kind,
      status: 'unknown',
      at,
      summary: `${direction} ${what} cannot be decided: ${missing}`,
      facts: [{ kind: 'missing', text: missing }],
    };
  }
  const acl = model.nacls.get(naclId)!;
  const pieces = naclPieces(outbound ? acl.outbound : acl.inbound, peer, protocol, ports);
  if (pieces)
    return naclByPiece(
      pieces.ranges.map((addresses) =>
        naclStep(model, {
          ...check,
          peer: { ...peer, addresses, addressText: `${formatRange(addresses)} of ${peer.addressText}` },
        }),
      ),
      check,
      at,
      `${what} cannot be decided: ${pieces.partial.join(', ')} ${pieces.partial.length === 1 ? 'covers' : 'cover'} only part of ${peer.addressText}, and its parts are decided differently`,
    );
  let remaining: PortSet = [ports];
  const allowFacts: Fact[] = [];
  const denyFacts: Fact[] = [];
  const doubts: Fact[] = [];
  let denied: PortSet = [];
  let doubtful: PortSet = [];
  const fact = (entry: NaclEntryModel): Fact => ({
    kind: 'nacl-entry',
    naclId,
    ruleNumber: entry.ruleNumber,
    direction,
    action: entry.action,
    text: describeNaclEntry(entry),
    origin: entry.origin,
  });
  for (const entry of outbound ? acl.outbound : acl.inbound) {
    if (isEmpty(remaining)) break;
    if (!protocolMatches(entry.protocol, protocol)) continue;
    const hit = intersect(remaining, [entry.ports ?? ALL_PORTS]);
    if (isEmpty(hit)) continue;
    const match = matchRange(entry.range, `entry ${entry.ruleNumber} (${entry.cidr})`, peer);
    if (match.kind === 'no') continue;
    remaining = subtract(remaining, hit);
    if (match.kind === 'maybe') {
      doubtful = normalise([...doubtful, ...hit]);
      doubts.push({ kind: 'missing', text: `${describeNaclEntry(entry)}: ${match.missing}` });
    } else if (entry.action === 'allow') {
      allowFacts.push(fact(entry));
    } else {
      denied = normalise([...denied, ...hit]);
      denyFacts.push(fact(entry));
    }
  }
  if (!isEmpty(remaining)) {
    denied = normalise([...denied, ...remaining]);
    denyFacts.push({
      kind: 'nacl-entry',
      naclId,
      ruleNumber: '*',
      direction,
      action: 'deny',
      text: `${naclId} ${direction} rule * deny all (implicit)`,
    });
  }
  if (!isEmpty(denied)) {
    const which = denyFacts.map((f) => (f.kind === 'nacl-entry' ? `rule ${f.ruleNumber}` : '')).join(', ');
    return {
      kind,
      status: 'blocked',
      at,
      summary: `${naclId} ${direction} denies ${protocol}/${formatPortSet(denied)} ${outbound ? 'to' : 'from'} ${peer.addressText} (${which})`,
      facts: [...denyFacts, ...allowFacts],
      deniedPorts: denied,
    };
  }
  if (!isEmpty(doubtful)) {
    return {
      kind,
      status: 'unknown',
      at,
      summary: `${naclId} ${direction} ${what} cannot be decided: ${doubts.map((d) => d.text).join('; ')}`,
      facts: [...allowFacts, ...doubts],
    };
  }
  const which = allowFacts.map((f) => (f.kind === 'nacl-entry' ? `rule ${f.ruleNumber}` : '')).join(', ');
  return {
    kind,
    status: 'allowed',
    at,
    summary: `${naclId} ${direction} allows ${what} (${which})`,
    facts: allowFacts,
  };
}

/**
 * The other end's possible addresses cut at the edges of the entries that cover only part of them
 * (first match wins per address, so each piece is decided alone); undefined when none does.
 */
function naclPieces(
  entries: readonly NaclEntryModel[],
  peer: Endpoint,
  protocol: Protocol,
  ports: PortRange,
): { ranges: AddressRange[]; partial: string[] } | undefined {
  const range = peer.addresses;
  if (!range || range.start === range.end) return undefined;
  const relevant = entries.filter(
    (e) => protocolMatches(e.protocol, protocol) && !isEmpty(intersect([ports], [e.ports ?? ALL_PORTS])),
  );
  const partial = relevant.filter((e) => coverage(e.range, range) === 'some');
  if (partial.length === 0) return undefined;
  return {
    ranges: splitRange(
      range,
      relevant.map((e) => e.range),
    ),
    partial: partial.map((e) => `entry ${e.ruleNumber} (${e.cidr})`),
  };
}

/** One NACL direction decided piece by piece: ports denied for every piece are blocked; a mix is unknown. */
function naclByPiece(steps: TraceStep[], check: NaclCheck, at: string, undecided: string): TraceStep {
  const facts = (list: TraceStep[]): Fact[] => {
    const seen = new Set<string>();
    return list.flatMap((s) => s.facts).filter((f) => (seen.has(f.text) ? false : (seen.add(f.text), true)));
  };
  if (steps.every((s) => s.status === 'allowed'))
    return {
      kind: check.kind,
      status: 'allowed',
      at,
      summary: `${check.direction} ${formatProtocolPorts(check.protocol, check.ports)} allowed for every address of ${check.peer.addressText}: ${steps.map((s) => s.summary).join('; ')}`,
      facts: facts(steps),
    };
  const deniedEverywhere = steps.every((s) => s.status === 'blocked')
    ? steps.map((s) => s.deniedPorts ?? [check.ports]).reduce((a, b) => intersect(a, b))
    : [];
  if (!isEmpty(deniedEverywhere))
    return {
      kind: check.kind,
      status: 'blocked',
      at,
      summary: `${check.direction} ${check.protocol}/${formatPortSet(deniedEverywhere)} denied for every address of ${check.peer.addressText}: ${steps.map((s) => s.summary).join('; ')}`,
      facts: facts(steps),
      deniedPorts: deniedEverywhere,
    };
  return {
    kind: check.kind,
    status: 'unknown',
    at,
    summary: `${check.direction} ${undecided}: ${steps.map((s) => s.summary).join('; ')}`,
    facts: facts(steps),
  };
}

function combine(steps: readonly TraceStep[]): { status: Status; reason: string } {
  const blocked = steps.find((s) => s.status === 'blocked');
  if (blocked) return { status: 'blocked', reason: blocked.summary };
  const unknown = steps.find((s) => s.status === 'unknown');
  if (unknown) return { status: 'unknown', reason: unknown.summary };
  const decisive = steps.filter((s) => s.status === 'allowed');
  const sameNode = steps.find((s) => s.kind === 'same-node' && s.status === 'allowed');
  return {
    status: 'allowed',
    reason: sameNode ? sameNode.summary : decisive.map((s) => s.summary).join('; '),
  };
}

/** Decides one flow. Every applicable step is evaluated (not only up to the first block), so a fix can address all blockers. */
export function evaluateFlow(model: ClusterModel, query: FlowQuery): FlowTrace {
  const trace = evaluateSteps(model, query);
  // Blocked flows too: a step that allows only part of the range must be opened as well, or the
  // fix of the blocking step leaves the flow allowed for some addresses only.
  if (
    trace.status === 'allowed' ||
    query.protocol === 'efa' ||
    !trace.steps.some((s) => s.status === 'unknown')
  )
    return trace;
  return byAddress(model, query, trace) ?? trace;
}

/**
 * The blocks that decide, for an address of the other end, the steps evaluated at `at`: the rules
 * of its security groups (CIDRs and prefix-list entries) and the entries of its subnet's NACL.
 */
function blocksAt(model: ClusterModel, at: Endpoint): AddressRange[] {
  const blocks: AddressRange[] = [];
  for (const groupId of at.securityGroups) {
    const group = model.securityGroups.get(groupId);
    for (const rule of group ? [...group.ingress, ...group.egress] : []) {
      if (rule.peer.kind === 'cidr') blocks.push(rule.peer.range);
      if (rule.peer.kind === 'prefix-list')
        blocks.push(...(model.prefixLists.get(rule.peer.prefixListId)?.cidrs ?? []));
    }
  }
  const naclId = at.subnetId ? model.subnets.get(at.subnetId)?.naclId : undefined;
  const acl = naclId ? model.nacls.get(naclId) : undefined;
  for (const entry of acl ? [...acl.inbound, ...acl.outbound] : []) blocks.push(entry.range);
  return blocks;
}

/** An end that may take any address of a range, cut where a block of `blocks` starts or ends; undefined when nothing cuts it. */
function addressPieces(end: Endpoint, blocks: readonly AddressRange[]): Endpoint[] | undefined {
  if (!end.addresses || end.addresses.start === end.addresses.end) return undefined;
  const ranges = splitRange(end.addresses, blocks);
  if (ranges.length === 1) return undefined;
  return ranges.map((addresses) => ({
    ...end,
    addresses,
    addressText: `${formatRange(addresses)} of ${end.addressText}`,
  }));
}

/** More pieces than this (both ends ranges, cut by many rules) are not tried: the flow stays unknown. */
const MAX_PIECES = 1024;

/** Adjacent ranges joined, in order. */
function joinRanges(ranges: readonly AddressRange[]): AddressRange[] {
  const out: AddressRange[] = [];
  for (const r of [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))) {
    const last = out[out.length - 1];
    if (last && last.end + 1n >= r.start)
      out[out.length - 1] = { ...last, end: r.end > last.end ? r.end : last.end };
    else out.push(r);
  }
  return out;
}

/**
 * A flow with an end that may take any address of a range (a pod still to be scheduled: any
 * address of its subnet; the EKS control plane's ENIs), when a step is left unknown. Each step
 * alone decides over the whole range, and a step that allows only part of it is unknown; but a
 * packet passes only where every step allows it, so the steps' allowed parts must be intersected.
 * Cut the range where any deciding block starts or ends, so every rule and entry covers a piece
 * all or not at all, and decide the flow for each piece (EC2: SG rules are a union, a NACL's first
 * matching entry decides, and a packet must pass both). Blocked for every piece on some port →
 * blocked, and every step that denies some piece is blocked too (what a fix must open so that
 * every address passes); allowed for every piece → allowed; else unknown, saying for which
 * addresses it is which.
 */
function byAddress(model: ClusterModel, query: FlowQuery, whole: FlowTrace): FlowTrace | undefined {
  const sources = addressPieces(query.source, blocksAt(model, query.destination)) ?? [query.source];
  const destinations = addressPieces(query.destination, blocksAt(model, query.source)) ?? [query.destination];
  const count = sources.length * destinations.length;
  if (count === 1 || count > MAX_PIECES) return undefined;
  const pieces = sources.flatMap((source) =>
    destinations.map((destination) => ({
      source,
      destination,
      trace: evaluateSteps(model, { ...query, source, destination }),
    })),
  );
  type Piece = (typeof pieces)[number];
  const pieceLabel = (p: Piece): string =>
    sources.length > 1 && destinations.length > 1
      ? `${formatRange(p.source.addresses!)} → ${formatRange(p.destination.addresses!)}`
      : formatRange((sources.length > 1 ? p.source : p.destination).addresses!);
  const list = (chosen: readonly Piece[]): string =>
    sources.length > 1 && destinations.length > 1
      ? chosen.map(pieceLabel).join(', ')
      : joinRanges(chosen.map((p) => (sources.length > 1 ? p.source : p.destination).addresses!))
          .map(formatRange)
          .join(', ');
  const ranged = [
    ...(sources.length > 1 ? [`${query.source.label} (${query.source.addressText})`] : []),
    ...(destinations.length > 1 ? [`${query.destination.label} (${query.destination.addressText})`] : []),
  ].join(' and ');
  const asked = formatProtocolPorts(query.protocol, query.ports);

  // The request's ports a piece's blocked steps deny (a blocked reply blocks every request port).
  const deniedIn = (p: Piece): PortSet =>
    normalise(
      p.trace.steps.flatMap((s) =>
        s.status !== 'blocked'
          ? []
          : s.kind.endsWith('-return')
            ? [query.ports]
            : intersect(s.deniedPorts ?? [query.ports], [query.ports]),
      ),
    );
  const blockedEverywhere = pieces.map(deniedIn).reduce((a, b) => intersect(a, b));
  const stepIn = (p: Piece, kind: StepKind): TraceStep | undefined =>
    p.trace.steps.find((s) => s.kind === kind);
  const factsOf = (kind: StepKind): Fact[] => {
    const seen = new Set<string>();
    return pieces
      .flatMap((p) => stepIn(p, kind)?.facts ?? [])
      .filter((f) => (seen.has(f.text) ? false : (seen.add(f.text), true)));
  };
  const allowedPart = (kind: StepKind): string => {
    const allowed = pieces.filter((p) => stepIn(p, kind)?.status === 'allowed');
    return `${kind} (${whole.steps.find((s) => s.kind === kind)!.at}) allows ${allowed.length > 0 ? `only ${list(allowed)}` : 'none of it'}`;
  };
  const deniedBy = (kind: StepKind): PortSet =>
    normalise(
      pieces.flatMap((p) => {
        const s = stepIn(p, kind);
        return s?.status === 'blocked' ? (s.deniedPorts ?? [query.ports]) : [];
      }),
    );
  // The steps that deny some piece: a step blocked over the whole range, or one that is partial.
  const deciding = whole.steps
    .filter((s) => s.status === 'unknown' || s.status === 'blocked')
    .map((s) => s.kind)
    .filter((kind) => !isEmpty(deniedBy(kind)));

  const steps = whole.steps.map((s): TraceStep => {
    if (s.status !== 'unknown') return s;
    if (pieces.every((p) => stepIn(p, s.kind)?.status === 'allowed'))
      return {
        ...s,
        status: 'allowed',
        summary: `${s.kind} allows ${asked} for every address of ${ranged}: ${pieces.map((p) => stepIn(p, s.kind)!.summary).join('; ')}`,
        facts: factsOf(s.kind),
      };
    if (isEmpty(blockedEverywhere) || !deciding.includes(s.kind)) return s;
    const others = deciding.filter((k) => k !== s.kind).map(allowedPart);
    return {
      kind: s.kind,
      status: 'blocked',
      at: s.at,
      summary: `${[allowedPart(s.kind), ...others].join(', and ')}: no address of ${ranged} passes every step, so ${query.protocol}/${formatPortSet(blockedEverywhere)} is blocked for every address`,
      facts: factsOf(s.kind),
      deniedPorts: deniedBy(s.kind),
    };
  });
  const decided = combine(steps);
  if (decided.status !== 'unknown') return { steps, ...decided };
  // Still unknown: the reason says for which addresses the flow is allowed, blocked, or undecided;
  // each step keeps its own verdict over the whole range.
  const by = (status: Status): Piece[] => pieces.filter((p) => p.trace.status === status);
  if (by('allowed').length === 0 && by('blocked').length === 0) return undefined;
  // Blocked pieces grouped by the ports they deny: pieces blocked on different ports leave no port
  // blocked for every address, which is why the flow is still unknown.
  const blockedBy = new Map<string, Piece[]>();
  for (const p of by('blocked')) {
    const key = `${query.protocol}/${formatPortSet(deniedIn(p))}`;
    blockedBy.set(key, [...(blockedBy.get(key) ?? []), p]);
  }
  const why = [
    ...(by('allowed').length > 0 ? [`${asked} is allowed for ${list(by('allowed'))}`] : []),
    ...[...blockedBy].map(([ports, chosen]) => `${ports} is blocked for ${list(chosen)}`),
    ...(by('unknown').length > 0 ? [`undecided for ${list(by('unknown'))}`] : []),
  ].join('; ');
  return { steps, status: 'unknown', reason: `${decided.reason}; by the address of ${ranged}: ${why}` };
}

/** The steps of one flow, each deciding over the whole of both ends' possible addresses. */
function evaluateSteps(model: ClusterModel, query: FlowQuery): FlowTrace {
  const { source, destination, protocol, ports } = query;
  const steps: TraceStep[] = [];
  for (const [kind, endpoint] of [
    ['resolve-source', source],
    ['resolve-destination', destination],
  ] as const) {
    if (endpoint.unresolved) {
      steps.push({
        kind,
        status: 'unknown',
        at: endpoint.label,
        summary: `${endpoint.label}: ${endpoint.unresolved}`,
        facts: [{ kind: 'missing', text: endpoint.unresolved }],
      });
    }
  }
  if (steps.length > 0) return { steps, ...combine(steps) };
  if (protocol === 'efa') return efaTrace(model, source, destination);

  // Path order: the source pod's egress policy, then the VPC (SGs, NACLs), then the destination's.
  // The kubelet is the pod's own node, whose traffic NetworkPolicies always allow (Kubernetes
  // NetworkPolicy documentation): no policy step for it.
  const fromKubelet = source.kind === 'kubelet';
  const egressPolicy = fromKubelet ? undefined : policyStep(model.policies, 'egress', query);
  const ingressPolicy = fromKubelet ? undefined : policyStep(model.policies, 'ingress', query);
  if (egressPolicy) steps.push(egressPolicy);

  if (
    source.nodeName !== undefined &&
    source.nodeName === destination.nodeName &&
    !source.sgOnSameNode &&
    !destination.sgOnSameNode
  ) {
    steps.push({
      kind: 'same-node',
      status: 'allowed',
      at: `node ${source.nodeName}`,
      summary: fromKubelet
        ? `same node ${source.nodeName}: ${destination.eniId ? `${destination.label}'s branch ENI ${destination.eniId} is not enforced for traffic from its own node's host (POD_SECURITY_GROUP_ENFORCING_MODE standard), so` : 'the kubelet reaches its own pods without crossing an ENI, so'} no security group or NACL applies`
        : `same node ${source.nodeName}: pod-to-pod traffic does not cross an ENI, so no security group or NACL applies`,
      facts: [],
    });
    if (ingressPolicy) steps.push(ingressPolicy);
    return { steps, ...combine(steps) };
  }

  steps.push(securityGroupStep(model, 'sg-egress', source, destination, protocol, ports));
  // A side whose subnet is not known (an ENI captured without SubnetId) cannot be called "same
  // subnet": its NACLs are unknown, not skipped.
  const unknownSubnet = [source, destination].find((e) => e.subnetId === undefined);
  const crossesSubnets = !unknownSubnet && source.subnetId !== destination.subnetId;
  if (!model.naclsCaptured) {
    steps.push({
      kind: 'nacl-source-outbound',
      status: 'skipped',
      at: '-',
      summary: 'NACLs not captured: assumed the default NACL (allow all)',
      facts: [],
    });
  } else if (unknownSubnet) {
    const missing = `the subnet of ${unknownSubnet.label} is not known (its ENI has no SubnetId)`;
    const side = unknownSubnet === source ? 'source' : 'destination';
    steps.push({
      kind: 'nacl-source-outbound',
      status: 'unknown',
      at: '-',
      summary: `${missing}: the network ACLs on the path cannot be checked`,
      facts: [{ kind: 'missing', text: missing, signature: `subnet unknown: ${side}` }],
    });
  } else if (!crossesSubnets) {
    steps.push({
      kind: 'nacl-source-outbound',
      status: 'skipped',
      at: source.subnetId ?? '-',
      summary: `same subnet ${source.subnetId}: NACLs do not apply`,
      facts: [],
    });
  } else {
    const base = { protocol, ports };
    steps.push(
      naclStep(model, {
        ...base,
        kind: 'nacl-source-outbound',
        subnetId: source.subnetId!,
        direction: 'outbound',
        peer: destination,
      }),
    );
    steps.push(
      naclStep(model, {
        ...base,
        kind: 'nacl-destination-inbound',
        subnetId: destination.subnetId!,
        direction: 'inbound',
        peer: source,
      }),
    );
  }
  steps.push(securityGroupStep(model, 'sg-ingress', destination, source, protocol, ports));
  if (ingressPolicy) steps.push(ingressPolicy);
  // Stateless NACLs must also let the reply back to the client's ephemeral port; SGs are stateful.
  if (model.naclsCaptured && crossesSubnets && (protocol === 'tcp' || protocol === 'udp')) {
    steps.push(
      naclStep(model, {
        kind: 'nacl-destination-outbound-return',
        subnetId: destination.subnetId!,
        direction: 'outbound',
        peer: source,
        protocol,
        ports: EPHEMERAL_PORTS,
      }),
    );
    steps.push(
      naclStep(model, {
        kind: 'nacl-source-inbound-return',
        subnetId: source.subnetId!,
        direction: 'inbound',
        peer: destination,
        protocol,
        ports: EPHEMERAL_PORTS,
      }),
    );
  }
  return { steps, ...combine(steps) };
}

/** SRD between EFA interfaces (efa.ts): self-referencing rules only; same-node GPU traffic never leaves the node. */
function efaTrace(model: ClusterModel, source: Endpoint, destination: Endpoint): FlowTrace {
  const steps: TraceStep[] =
    source.nodeName !== undefined && source.nodeName === destination.nodeName
      ? [
          {
            kind: 'same-node',
            status: 'allowed',
            at: `node ${source.nodeName}`,
            summary: `same node ${source.nodeName}: the KV transfer stays on the node (NVLink / CUDA IPC), no EFA interface or security group is crossed`,
            facts: [],
          },
        ]
      : efaSteps(model, source, destination);
  return { steps, ...combine(steps) };
}
