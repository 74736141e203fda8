/**
 * Fast acceptance checks for the schemas that hold most of a large snapshot (pods, nodes, ENIs,
 * instances, security groups). Each says only "certainly valid": when it returns true, the zod
 * schema it stands for accepts the value too (test/snapshot/fast-check.test.ts holds them to
 * that, on the examples, on generated snapshots and on mutated values). When it returns false, or
 * a schema has no fast check, the loader runs the zod schema, whose issues give the file and JSON
 * path as before — so a bad document costs what it did, and a good one a fraction (zod builds a
 * result object and copies every checked field of 200k pods).
 *
 * Every check here is at least as strict as its schema: the same types, patterns and refinements
 * (the same functions for addresses and CIDRs), and plain objects only where zod wants a record.
 */
import type { z } from 'zod';
import { isAddress, isIpv4Cidr, isIpv6Cidr } from '../base/ip.ts';
import {
  awsIdPattern,
  IP_PROTOCOL,
  PORTED,
  Instance,
  K8sNode,
  K8sPod,
  NetworkInterface,
  Reservation,
  SecurityGroup,
  SecurityGroupRule,
} from './schemas.ts';

type Check = (value: unknown) => boolean;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const str: Check = (v) => typeof v === 'string';
const bool: Check = (v) => typeof v === 'boolean';
const num: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const int: Check = (v) => typeof v === 'number' && Number.isSafeInteger(v);
const optional =
  (check: Check): Check =>
  (v) =>
    v === undefined || check(v);
const nullish =
  (check: Check): Check =>
  (v) =>
    v === undefined || v === null || check(v);
const literal =
  (expected: string): Check =>
  (v) =>
    v === expected;
const pattern =
  (re: RegExp): Check =>
  (v) =>
    typeof v === 'string' && re.test(v);
const refined =
  (test: (text: string) => boolean): Check =>
  (v) =>
    typeof v === 'string' && test(v);

function array(item: Check): Check {
  return (v) => {
    if (!Array.isArray(v)) return false;
    for (let i = 0; i < v.length; i++) if (!item(v[i])) return false;
    return true;
  };
}

/** z.object: an object (unknown keys allowed) whose listed fields pass their checks. */
function object(shape: Record<string, Check>, refine?: (v: Record<string, unknown>) => boolean): Check {
  const keys = Object.keys(shape);
  const checks = keys.map((k) => shape[k]!);
  return (v) => {
    if (!isObject(v)) return false;
    for (let i = 0; i < keys.length; i++) if (!checks[i]!(v[keys[i]!])) return false;
    return refine === undefined || refine(v);
  };
}

/**
 * z.record(z.string(), z.string()): zod wants a plain object (its isPlainObject); this accepts
 * only objects whose prototype is Object.prototype or null, and checks every own key's value.
 */
const stringMap: Check = (v) => {
  if (!isObject(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  const ctor = (v as { constructor?: unknown }).constructor;
  if (typeof ctor === 'function' && ctor !== Object) return false;
  for (const key of Object.keys(v)) if (typeof v[key] !== 'string') return false;
  return true;
};

// ─── Kubernetes ─────────────────────────────────────────────────────────────────────────────────

function metadata(m: unknown): boolean {
  if (!isObject(m) || typeof m.name !== 'string') return false;
  if (m.namespace !== undefined && typeof m.namespace !== 'string') return false;
  if (m.labels != null && !stringMap(m.labels)) return false;
  if (m.annotations != null && !stringMap(m.annotations)) return false;
  return m.uid === undefined || typeof m.uid === 'string';
}
const address = refined(isAddress);
const toleration = object({
  key: optional(str),
  operator: optional(str),
  value: optional(str),
  effect: optional(str),
  tolerationSeconds: optional(num),
});

/**
 * The pod check written out field by field: 200k pods go through it, and straight property reads
 * are several times faster than the table-driven checks below (the same conditions as K8sPod).
 */
function pod(v: unknown): boolean {
  if (!isObject(v) || v.kind !== 'Pod' || !metadata(v.metadata)) return false;
  const spec = v.spec;
  if (!isObject(spec)) return false;
  if (spec.nodeName !== undefined && typeof spec.nodeName !== 'string') return false;
  if (spec.hostNetwork !== undefined && typeof spec.hostNetwork !== 'boolean') return false;
  if (!containers(spec.containers)) return false;
  if (spec.initContainers != null && !containers(spec.initContainers)) return false;
  if (spec.tolerations != null && !tolerations(spec.tolerations)) return false;
  if (spec.nodeSelector != null && !stringMap(spec.nodeSelector)) return false;
  const status = v.status;
  if (status === undefined) return true;
  if (!isObject(status)) return false;
  if (status.phase !== undefined && typeof status.phase !== 'string') return false;
  if (status.podIP !== undefined && !(typeof status.podIP === 'string' && isAddress(status.podIP)))
    return false;
  if (status.hostIP !== undefined && typeof status.hostIP !== 'string') return false;
  const podIPs = status.podIPs;
  if (podIPs == null) return true;
  if (!Array.isArray(podIPs)) return false;
  for (const entry of podIPs as unknown[]) {
    if (!isObject(entry)) return false;
    const ip = entry.ip;
    if (typeof ip !== 'string' || !isAddress(ip)) return false;
  }
  return true;
}

function containers(list: unknown): boolean {
  if (!Array.isArray(list)) return false;
  for (const c of list as unknown[]) {
    if (!isObject(c) || typeof c.name !== 'string') return false;
    if (c.image !== undefined && typeof c.image !== 'string') return false;
    if (c.command != null && !strings(c.command)) return false;
    if (c.args != null && !strings(c.args)) return false;
    if (c.env != null) {
      if (!Array.isArray(c.env)) return false;
      for (const e of c.env as unknown[]) {
        if (!isObject(e) || typeof e.name !== 'string') return false;
        if (e.value !== undefined && typeof e.value !== 'string') return false;
      }
    }
    if (!probe(c.livenessProbe) || !probe(c.readinessProbe) || !probe(c.startupProbe)) return false;
    if (c.ports != null) {
      if (!Array.isArray(c.ports)) return false;
      for (const p of c.ports as unknown[]) {
        if (!isObject(p) || !int(p.containerPort)) return false;
        if (p.name !== undefined && typeof p.name !== 'string') return false;
        if (p.protocol !== undefined && typeof p.protocol !== 'string') return false;
      }
    }
  }
  return true;
}

/** A probe port: an integer, or the name of one of the container's ports. */
const probePort: Check = (v) => typeof v === 'string' || int(v);
/** K8sPod's probe: nullish, else its handlers' ports (exec: any object). */
const probe = nullish(
  object({
    exec: nullish(isObject),
    httpGet: nullish(object({ port: probePort, host: optional(str), scheme: optional(str) })),
    tcpSocket: nullish(object({ port: probePort, host: optional(str) })),
    grpc: nullish(object({ port: int })),
  }),
);

function strings(list: unknown): boolean {
  if (!Array.isArray(list)) return false;
  for (const s of list as unknown[]) if (typeof s !== 'string') return false;
  return true;
}

const tolerations = array(toleration);

const node = object({
  kind: literal('Node'),
  metadata,
  spec: optional(
    object({
      providerID: optional(str),
      unschedulable: optional(bool),
      taints: nullish(array(object({ key: str, value: optional(str), effect: str }))),
    }),
  ),
  status: optional(
    object({
      addresses: optional(array(object({ type: str, address: str }))),
      conditions: optional(array(object({ type: str, status: str }))),
      capacity: optional(stringMap),
      allocatable: optional(stringMap),
    }),
  ),
});

// ─── EC2 ────────────────────────────────────────────────────────────────────────────────────────

const sgId = pattern(awsIdPattern('sg'));
const vpcId = pattern(awsIdPattern('vpc'));
const subnetId = pattern(awsIdPattern('subnet'));
const plId = pattern(awsIdPattern('pl'));
const instanceId = pattern(awsIdPattern('i'));
const cidr4 = refined(isIpv4Cidr);
const cidr6 = refined(isIpv6Cidr);
const tag = object({ Key: str, Value: optional(str) });
const groupIdentifier = object({ GroupId: sgId, GroupName: optional(str) });

const networkInterface = object({
  NetworkInterfaceId: pattern(awsIdPattern('eni')),
  InterfaceType: optional(str),
  Description: optional(str),
  SubnetId: optional(subnetId),
  VpcId: optional(vpcId),
  OwnerId: optional(str),
  Status: optional(str),
  Groups: optional(array(groupIdentifier)),
  PrivateIpAddress: optional(address),
  PrivateIpAddresses: optional(array(object({ PrivateIpAddress: address, Primary: optional(bool) }))),
  Ipv4Prefixes: optional(array(object({ Ipv4Prefix: cidr4 }))),
  Ipv6Addresses: optional(array(object({ Ipv6Address: address }))),
  Ipv6Prefixes: optional(array(object({ Ipv6Prefix: cidr6 }))),
  Attachment: optional(
    object({ InstanceId: optional(instanceId), DeviceIndex: optional(int), NetworkCardIndex: optional(int) }),
  ),
  TagSet: optional(array(tag)),
});

const instance = object({
  InstanceId: instanceId,
  InstanceType: optional(str),
  PrivateIpAddress: optional(address),
  SubnetId: optional(subnetId),
  VpcId: optional(vpcId),
  SecurityGroups: optional(array(groupIdentifier)),
  Tags: optional(array(tag)),
  NetworkInterfaces: optional(array(networkInterface)),
});

const ipProtocol: Check = (v) =>
  typeof v === 'string' && IP_PROTOCOL.test(v) && (!/^\d+$/.test(v) || Number(v) <= 255);
const port: Check = (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= -1 && v <= 65535;

/** schemas.ts checkPortRange finding nothing: TCP and UDP rules have both ends, 0 ≤ from ≤ to. */
function portRangeFine(protocol: string, from: unknown, to: unknown): boolean {
  if (!PORTED.has(protocol.toLowerCase())) return true;
  return typeof from === 'number' && typeof to === 'number' && from >= 0 && to >= 0 && from <= to;
}

const ipPermission = object(
  {
    IpProtocol: ipProtocol,
    FromPort: optional(port),
    ToPort: optional(port),
    IpRanges: optional(array(object({ CidrIp: cidr4, Description: optional(str) }))),
    Ipv6Ranges: optional(array(object({ CidrIpv6: cidr6, Description: optional(str) }))),
    PrefixListIds: optional(array(object({ PrefixListId: plId, Description: optional(str) }))),
    UserIdGroupPairs: optional(
      array(
        object({
          GroupId: optional(sgId),
          GroupName: optional(str),
          UserId: optional(str),
          VpcId: optional(vpcId),
          PeeringStatus: optional(str),
          Description: optional(str),
        }),
      ),
    ),
  },
  (p) => portRangeFine(p.IpProtocol as string, p.FromPort, p.ToPort),
);

const securityGroup = object({
  GroupId: sgId,
  GroupName: optional(str),
  Description: optional(str),
  VpcId: optional(vpcId),
  OwnerId: optional(str),
  IpPermissions: optional(array(ipPermission)),
  IpPermissionsEgress: optional(array(ipPermission)),
  Tags: optional(array(tag)),
});

const securityGroupRule = object(
  {
    SecurityGroupRuleId: optional(str),
    GroupId: sgId,
    GroupOwnerId: optional(str),
    IsEgress: bool,
    IpProtocol: ipProtocol,
    FromPort: optional(port),
    ToPort: optional(port),
    CidrIpv4: optional(cidr4),
    CidrIpv6: optional(cidr6),
    PrefixListId: optional(plId),
    ReferencedGroupInfo: optional(
      object({ GroupId: optional(sgId), UserId: optional(str), VpcId: optional(vpcId) }),
    ),
    Description: optional(str),
  },
  (r) => portRangeFine(r.IpProtocol as string, r.FromPort, r.ToPort),
);

const reservation = object({ Instances: array(instance) });

const checks = new Map<z.ZodType, Check>([
  [K8sPod, pod],
  [K8sNode, node],
  [NetworkInterface, networkInterface],
  [Instance, instance],
  [Reservation, reservation],
  [SecurityGroup, securityGroup],
  [SecurityGroupRule, securityGroupRule],
]);

/** The fast check standing for `schema`, if it has one: true means the schema accepts the value. */
export function fastCheckFor(schema: z.ZodType): Check | undefined {
  return checks.get(schema);
}

/** The schemas with a fast check, for the tests that hold each to its schema. */
export const FAST_CHECKED = {
  K8sPod,
  K8sNode,
  NetworkInterface,
  Instance,
  Reservation,
  SecurityGroup,
  SecurityGroupRule,
};
