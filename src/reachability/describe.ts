/** One-line renderings of rules and entries, made once when a fact is recorded. */
import { formatProtocolPorts } from '../model/protocol.ts';
import type { NaclEntryModel, RulePeer, SgRule } from '../model/types.ts';
import type { Fact } from './types.ts';

export function describePeer(peer: RulePeer): string {
  switch (peer.kind) {
    case 'cidr':
      return peer.cidr;
    case 'prefix-list':
      return `prefix list ${peer.prefixListId}`;
    case 'security-group':
      return peer.userId ? `${peer.userId}/${peer.groupId}` : peer.groupId;
  }
}

export function describeSgRule(rule: SgRule): string {
  const direction = rule.direction === 'ingress' ? 'ingress' : 'egress';
  const preposition = rule.direction === 'ingress' ? 'from' : 'to';
  const description = rule.description ? ` "${rule.description}"` : '';
  return `${rule.groupId} ${direction} ${formatProtocolPorts(rule.protocol, rule.ports)} ${preposition} ${describePeer(rule.peer)}${description}`;
}

export function describeNaclEntry(entry: NaclEntryModel): string {
  const direction = entry.egress ? 'outbound' : 'inbound';
  const preposition = entry.egress ? 'to' : 'from';
  return `${entry.naclId} ${direction} rule ${entry.ruleNumber} ${entry.action} ${formatProtocolPorts(entry.protocol, entry.ports)} ${preposition} ${entry.cidr}`;
}

/** A security-group rule as a fact of a trace: its id, group, direction and how it reads. */
export function sgRuleFact(rule: SgRule): Fact {
  return {
    kind: 'sg-rule',
    ruleId: rule.id,
    groupId: rule.groupId,
    direction: rule.direction,
    text: describeSgRule(rule),
    origin: rule.origin,
  };
}
