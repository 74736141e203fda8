import type { PortRange, Protocol } from './types.ts';

const byName: Record<string, Protocol> = {
  '-1': 'all',
  all: 'all',
  tcp: 'tcp',
  '6': 'tcp',
  udp: 'udp',
  '17': 'udp',
  icmp: 'icmp',
  '1': 'icmp',
  icmpv6: 'icmpv6',
  '58': 'icmpv6',
};

/** EC2 and NACL protocol strings (`-1`, `tcp`, `6`, …) in one internal form. */
export function normaliseProtocol(text: string): Protocol {
  const known = byName[text.toLowerCase()];
  if (known) return known;
  return `proto-${Number(text)}`;
}

/** Only TCP and UDP rules are bounded by ports; every other protocol's rule covers all of its traffic. */
export function hasPorts(protocol: Protocol): boolean {
  return protocol === 'tcp' || protocol === 'udp';
}

/** The port range a rule covers, or undefined for "all ports" (EC2 omits ports on `-1` rules). */
export function rulePorts(protocol: Protocol, from?: number, to?: number): PortRange | undefined {
  if (!hasPorts(protocol) || from === undefined || to === undefined) return undefined;
  if (from === -1 && to === -1) return undefined;
  return { from: Math.max(0, from), to: Math.min(65535, to) };
}

/** Does a rule of protocol `rule` apply to a flow of protocol `flow`? */
export function protocolMatches(rule: Protocol, flow: Protocol): boolean {
  return rule === 'all' || rule === flow;
}

export function formatPorts(ports: PortRange | undefined): string {
  if (!ports) return 'all ports';
  return ports.from === ports.to ? String(ports.from) : `${ports.from}-${ports.to}`;
}

export function formatProtocolPorts(protocol: Protocol, ports: PortRange | undefined): string {
  if (protocol === 'all') return 'all traffic';
  return hasPorts(protocol) ? `${protocol}/${formatPorts(ports)}` : protocol;
}
