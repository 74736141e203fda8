/** Subnets, network ACLs, ENIs and prefix lists in internal form, with address indexes. */
import { formatRange, isAddress, parseAddress, parseCidr, type AddressRange } from '../base/ip.ts';
import type { NetworkAcl, NetworkInterface, Subnet } from '../snapshot/schemas.ts';
import type { Located, Snapshot } from '../snapshot/types.ts';
import { joinPath } from '../snapshot/parse.ts';
import { normaliseProtocol, rulePorts } from './protocol.ts';
import type { EniModel, NaclEntryModel, NetworkAclModel, SubnetModel } from './types.ts';

export function buildNacls(acls: readonly Located<NetworkAcl>[]): Map<string, NetworkAclModel> {
  const out = new Map<string, NetworkAclModel>();
  for (const acl of acls) {
    if (out.has(acl.value.NetworkAclId)) continue;
    const entries: NaclEntryModel[] = [];
    (acl.value.Entries ?? []).forEach((entry, i) => {
      const cidr = entry.CidrBlock ?? entry.Ipv6CidrBlock;
      if (!cidr) return;
      const protocol = normaliseProtocol(entry.Protocol);
      const ports = rulePorts(protocol, entry.PortRange?.From, entry.PortRange?.To);
      entries.push({
        naclId: acl.value.NetworkAclId,
        ruleNumber: entry.RuleNumber,
        egress: entry.Egress,
        action: entry.RuleAction,
        protocol,
        ...(ports ? { ports } : {}),
        cidr,
        range: parseCidr(cidr)!,
        origin: { file: acl.origin.file, path: joinPath(acl.origin.path, ['Entries', i]) },
      });
    });
    const byNumber = (a: NaclEntryModel, b: NaclEntryModel): number => a.ruleNumber - b.ruleNumber;
    out.set(acl.value.NetworkAclId, {
      id: acl.value.NetworkAclId,
      isDefault: acl.value.IsDefault ?? false,
      inbound: entries.filter((e) => !e.egress).sort(byNumber),
      outbound: entries.filter((e) => e.egress).sort(byNumber),
      origin: acl.origin,
    });
  }
  return out;
}

export function buildSubnets(
  subnets: readonly Located<Subnet>[],
  acls: readonly Located<NetworkAcl>[],
  naclsCaptured: boolean,
): Map<string, SubnetModel> {
  const explicit = new Map<string, string>();
  const defaultByVpc = new Map<string, string>();
  for (const acl of acls) {
    if (acl.value.IsDefault && acl.value.VpcId) defaultByVpc.set(acl.value.VpcId, acl.value.NetworkAclId);
    for (const association of acl.value.Associations ?? [])
      explicit.set(association.SubnetId, acl.value.NetworkAclId);
  }
  const out = new Map<string, SubnetModel>();
  for (const { value: subnet } of subnets) {
    if (out.has(subnet.SubnetId)) continue;
    const cidrText = [
      ...(subnet.CidrBlock ? [subnet.CidrBlock] : []),
      ...(subnet.Ipv6CidrBlockAssociationSet ?? []).flatMap((a) =>
        a.Ipv6CidrBlock ? [a.Ipv6CidrBlock] : [],
      ),
    ];
    const explicitAcl = explicit.get(subnet.SubnetId);
    const vpcDefault = subnet.VpcId ? defaultByVpc.get(subnet.VpcId) : undefined;
    const naclId = explicitAcl ?? vpcDefault;
    out.set(subnet.SubnetId, {
      id: subnet.SubnetId,
      ...(subnet.VpcId ? { vpcId: subnet.VpcId } : {}),
      cidrs: cidrText.map((c) => parseCidr(c)!),
      cidrText,
      ...(subnet.AvailabilityZone ? { availabilityZone: subnet.AvailabilityZone } : {}),
      ...(naclId ? { naclId } : {}),
      naclAssociation: !naclsCaptured
        ? 'not-captured'
        : explicitAcl
          ? 'explicit'
          : vpcDefault
            ? 'vpc-default'
            : 'unknown',
    });
  }
  return out;
}

/** Canonical text of an address, so `10.0.0.01`-style and IPv6 spellings index alike. */
export function addressKey(ip: string): string | undefined {
  // A dotted quad is its own key when it is an address (isAddress: no BigInt for the 200k pod IPs).
  if (!ip.includes(':')) return isAddress(ip) ? ip : undefined;
  const parsed = parseAddress(ip);
  if (!parsed) return undefined;
  // A dotted quad that parses is already canonical; only IPv6 has several spellings.
  return parsed.family === 4 && !ip.includes(':') ? ip : formatRange(parsed);
}

export interface EniIndex {
  readonly enis: Map<string, EniModel>;
  readonly eniForAddress: (ip: string) => EniModel | undefined;
  readonly enisOfInstance: (instanceId: string) => EniModel[];
}

/**
 * ENIs from `describe-network-interfaces`, completed by those embedded in `describe-instances`.
 * Lookups are by map, never by scan: addresses exactly, delegated prefixes by their network address
 * per prefix length (there are only one or two lengths in practice).
 */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function buildEniIndex(snapshot: Snapshot): EniIndex {
  const enis = new Map<string, EniModel>();
  const byAddress = new Map<string, EniModel>();
  const byPrefix = new Map<string, Map<bigint, EniModel>>(); // key: `${family}/${length}`
  const byInstance = new Map<string, EniModel[]>();

  const indexAddress = (address: string, model: EniModel): void => {
    const key = address ? addressKey(address) : undefined;
    if (key && !byAddress.has(key)) byAddress.set(key, model);
  };
  const add = (eni: NetworkInterface, origin: Located<unknown>['origin'], instanceId?: string): void => {
    if (enis.has(eni.NetworkInterfaceId)) return;
    const attachedTo = eni.Attachment?.InstanceId ?? instanceId ?? instanceTag(eni);
    // Built field by field in the order the type lists them, not by spreading optional parts:
    // tens of thousands of ENIs, and each spread is an object made and copied.
    const model = { id: eni.NetworkInterfaceId, type: eni.InterfaceType ?? 'interface' } as Mutable<EniModel>;
    if (eni.SubnetId) model.subnetId = eni.SubnetId;
    model.groupIds = (eni.Groups ?? []).map((g) => g.GroupId);
    if (eni.PrivateIpAddress) model.primaryIp = eni.PrivateIpAddress;
    if (attachedTo) model.instanceId = attachedTo;
    if (eni.Attachment?.DeviceIndex !== undefined) model.deviceIndex = eni.Attachment.DeviceIndex;
    if (eni.Attachment?.NetworkCardIndex !== undefined)
      model.networkCardIndex = eni.Attachment.NetworkCardIndex;
    let secondaryIpv4Count = 0;
    for (const a of eni.PrivateIpAddresses ?? [])
      if (a.Primary !== true && a.PrivateIpAddress !== eni.PrivateIpAddress) secondaryIpv4Count += 1;
    model.secondaryIpv4Count = secondaryIpv4Count;
    model.ipv6Count = eni.Ipv6Addresses?.length ?? 0;
    const prefixes: string[] = [];
    for (const p of eni.Ipv4Prefixes ?? []) prefixes.push(p.Ipv4Prefix);
    for (const p of eni.Ipv6Prefixes ?? []) prefixes.push(p.Ipv6Prefix);
    model.prefixes = prefixes;
    const mark = cniMark(eni);
    if (mark) model.cniMark = mark;
    model.origin = origin;
    enis.set(model.id, model);
    if (eni.PrivateIpAddress) indexAddress(eni.PrivateIpAddress, model);
    for (const a of eni.PrivateIpAddresses ?? []) indexAddress(a.PrivateIpAddress, model);
    for (const a of eni.Ipv6Addresses ?? []) indexAddress(a.Ipv6Address, model);
    for (const prefix of prefixes) {
      const range = parseCidr(prefix)!;
      const length = Number(prefix.slice(prefix.indexOf('/') + 1));
      const key = `${range.family}/${length}`;
      const table = byPrefix.get(key) ?? new Map<bigint, EniModel>();
      byPrefix.set(key, table);
      table.set(range.start, model);
    }
    if (attachedTo && model.type !== 'branch') {
      const list = byInstance.get(attachedTo) ?? [];
      list.push(model);
      byInstance.set(attachedTo, list);
    }
  };

  for (const eni of snapshot.networkInterfaces) add(eni.value, eni.origin);
  for (const instance of snapshot.instances) {
    (instance.value.NetworkInterfaces ?? []).forEach((eni, i) =>
      add(
        eni,
        { file: instance.origin.file, path: joinPath(instance.origin.path, ['NetworkInterfaces', i]) },
        instance.value.InstanceId,
      ),
    );
  }
  for (const list of byInstance.values()) list.sort((a, b) => (a.deviceIndex ?? 99) - (b.deviceIndex ?? 99));

  const eniForAddress = (ip: string): EniModel | undefined => {
    const parsed = parseAddress(ip);
    if (!parsed) return undefined;
    const exact = byAddress.get(parsed.family === 4 && !ip.includes(':') ? ip : formatRange(parsed));
    if (exact) return exact;
    for (const [key, table] of byPrefix) {
      const [family, length] = key.split('/').map(Number) as [number, number];
      if (family !== parsed.family) continue;
      const hostBits = BigInt((family === 4 ? 32 : 128) - length);
      const network = (parsed.start >> hostBits) << hostBits;
      const hit = table.get(network);
      if (hit) return hit;
    }
    return undefined;
  };
  return { enis, eniForAddress, enisOfInstance: (id) => byInstance.get(id) ?? [] };
}

function instanceTag(eni: NetworkInterface): string | undefined {
  return eni.TagSet?.find((t) => t.Key === 'node.k8s.amazonaws.com/instance_id')?.Value;
}

/** The VPC CNI's own marks (amazon-vpc-cni-k8s: eniNoManageTagKey, and the tags and description it creates ENIs with). */
function cniMark(eni: NetworkInterface): EniModel['cniMark'] {
  if (
    eni.TagSet?.some((t) => t.Key === 'node.k8s.amazonaws.com/no_manage' && t.Value?.toLowerCase() === 'true')
  )
    return 'no-manage';
  if (instanceTag(eni) || eni.Description?.startsWith('aws-K8S-')) return 'managed';
  return undefined;
}

export function buildPrefixLists(snapshot: Snapshot): Map<string, { cidrs: AddressRange[]; name?: string }> {
  const out = new Map<string, { cidrs: AddressRange[]; name?: string }>();
  const names = new Map(snapshot.prefixLists.map((p) => [p.value.PrefixListId, p.value.PrefixListName]));
  for (const { value } of snapshot.prefixLists) {
    if (value.Cidrs) {
      const name = value.PrefixListName;
      out.set(value.PrefixListId, {
        cidrs: value.Cidrs.map((c) => parseCidr(c)!),
        ...(name ? { name } : {}),
      });
    }
  }
  for (const { value } of snapshot.prefixListEntries) {
    const name = names.get(value.prefixListId);
    const existing = out.get(value.prefixListId)?.cidrs ?? [];
    out.set(value.prefixListId, {
      cidrs: [...existing, ...value.entries.map((e) => parseCidr(e.Cidr)!)],
      ...(name ? { name } : {}),
    });
  }
  return out;
}
