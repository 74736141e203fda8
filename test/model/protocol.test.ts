// Protocols and rule ports as EC2 documents them (IpPermission.IpProtocol: "tcp, udp, icmp,
// icmpv6, or a protocol number; -1 means all protocols … if you specify -1 or a protocol other than
// tcp, udp, icmp, or icmpv6, traffic on all ports is allowed"; NACL entries give numbers).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatPorts,
  formatProtocolPorts,
  hasPorts,
  normaliseProtocol,
  protocolMatches,
  rulePorts,
} from '../../src/model/protocol.ts';

describe('protocols', () => {
  it('names and numbers are one protocol', () => {
    const cases: [string, string][] = [
      ['-1', 'all'],
      ['all', 'all'],
      ['tcp', 'tcp'],
      ['TCP', 'tcp'],
      ['6', 'tcp'],
      ['udp', 'udp'],
      ['17', 'udp'],
      ['icmp', 'icmp'],
      ['1', 'icmp'],
      ['icmpv6', 'icmpv6'],
      ['58', 'icmpv6'],
      ['50', 'proto-50'],
      ['132', 'proto-132'],
    ];
    assert.deepEqual(
      cases.map(([text]) => [text, normaliseProtocol(text)]),
      cases,
    );
  });

  it('only tcp and udp rules are bounded by ports', () => {
    assert.deepEqual(
      ['tcp', 'udp', 'icmp', 'icmpv6', 'all', 'proto-50'].map((p) => hasPorts(p as never)),
      [true, true, false, false, false, false],
    );
  });

  it('rule ports: a range, clamped to 0-65535; -1/-1 or missing ends or a portless protocol is all ports', () => {
    assert.deepEqual(rulePorts('tcp', 4222, 4222), { from: 4222, to: 4222 });
    assert.deepEqual(rulePorts('udp', -5, 70000), { from: 0, to: 65535 });
    assert.equal(rulePorts('tcp', -1, -1), undefined);
    assert.deepEqual(rulePorts('tcp', -1, 80), { from: 0, to: 80 });
    assert.equal(rulePorts('tcp', undefined, 80), undefined);
    assert.equal(rulePorts('tcp', 80, undefined), undefined);
    assert.equal(rulePorts('icmp', 8, 0), undefined);
    assert.equal(rulePorts('all', 0, 65535), undefined);
  });

  it('a rule of protocol all matches every flow; otherwise only its own protocol', () => {
    assert.equal(protocolMatches('all', 'udp'), true);
    assert.equal(protocolMatches('tcp', 'tcp'), true);
    assert.equal(protocolMatches('tcp', 'udp'), false);
    assert.equal(protocolMatches('udp', 'all'), false);
  });

  it('formats protocol and ports as the reports print them', () => {
    assert.equal(formatPorts(undefined), 'all ports');
    assert.equal(formatPorts({ from: 9090, to: 9090 }), '9090');
    assert.equal(formatPorts({ from: 32768, to: 60999 }), '32768-60999');
    assert.equal(formatProtocolPorts('all', undefined), 'all traffic');
    assert.equal(formatProtocolPorts('tcp', { from: 4222, to: 4222 }), 'tcp/4222');
    assert.equal(formatProtocolPorts('udp', undefined), 'udp/all ports');
    assert.equal(formatProtocolPorts('icmp', undefined), 'icmp');
  });
});
