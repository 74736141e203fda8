/**
 * How a trace names the rules and entries it cites: a security-group rule as
 * `<group> <direction> <protocol/ports> from|to <peer> "<description>"`, a NACL entry as
 * `<acl> inbound|outbound rule <n> allow|deny <protocol/ports> from|to <cidr>`. A peer group owned
 * by another account is written `<account>/<group>`, as EC2 writes a UserIdGroupPair.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NaclEntryModel, SgRule } from '../../src/model/types.ts';
import { describeNaclEntry, describePeer, describeSgRule, sgRuleFact } from '../helpers/core.ts';

const origin = { file: 'aws/security-groups.json', path: 'SecurityGroups[0]' };
const range = { family: 4 as const, start: 0n, end: 0n };

const rule = (over: Partial<SgRule>): SgRule => ({
  id: 'sgr-1',
  groupId: 'sg-a',
  direction: 'ingress',
  protocol: 'tcp',
  ports: { from: 443, to: 443 },
  peer: { kind: 'cidr', cidr: '10.0.0.0/16', range },
  origin,
  ...over,
});

describe('describe: peers, rules and entries as the trace writes them', () => {
  it('peers: a CIDR as written, a prefix list by id, a group by id or account/id', () => {
    assert.equal(describePeer({ kind: 'cidr', cidr: '10.0.0.0/16', range }), '10.0.0.0/16');
    assert.equal(describePeer({ kind: 'prefix-list', prefixListId: 'pl-123' }), 'prefix list pl-123');
    assert.equal(describePeer({ kind: 'security-group', groupId: 'sg-b' }), 'sg-b');
    assert.equal(
      describePeer({ kind: 'security-group', groupId: 'sg-b', userId: '111122223333' }),
      '111122223333/sg-b',
    );
  });

  it('an ingress rule reads "from", an egress rule "to"; a description is quoted', () => {
    assert.equal(describeSgRule(rule({})), 'sg-a ingress tcp/443 from 10.0.0.0/16');
    assert.equal(
      describeSgRule(
        rule({
          direction: 'egress',
          protocol: 'all',
          ports: undefined,
          peer: { kind: 'security-group', groupId: 'sg-a' },
          description: 'self',
        }),
      ),
      'sg-a egress all traffic to sg-a "self"',
    );
    assert.equal(
      describeSgRule(rule({ ports: { from: 1024, to: 65535 } })),
      'sg-a ingress tcp/1024-65535 from 10.0.0.0/16',
    );
  });

  it('a NACL entry: inbound "from", outbound "to", with its number and action', () => {
    const entry = (egress: boolean, action: 'allow' | 'deny'): NaclEntryModel => ({
      naclId: 'acl-1',
      ruleNumber: 100,
      egress,
      action,
      protocol: 'udp',
      ports: { from: 53, to: 53 },
      cidr: '0.0.0.0/0',
      range,
      origin,
    });
    assert.equal(
      describeNaclEntry(entry(false, 'allow')),
      'acl-1 inbound rule 100 allow udp/53 from 0.0.0.0/0',
    );
    assert.equal(describeNaclEntry(entry(true, 'deny')), 'acl-1 outbound rule 100 deny udp/53 to 0.0.0.0/0');
  });

  it('a rule as a fact: its id, group, direction, text and origin', () => {
    assert.deepEqual(sgRuleFact(rule({ direction: 'egress' })), {
      kind: 'sg-rule',
      ruleId: 'sgr-1',
      groupId: 'sg-a',
      direction: 'egress',
      text: 'sg-a egress tcp/443 to 10.0.0.0/16',
      origin,
    });
  });
});
