/**
 * Elastic Fabric Adapter interfaces: the ENIs that carry EFA's SRD (OS-bypass) traffic between
 * nodes. `describe-network-interfaces` shows them as `InterfaceType: efa` (EFA with IP) or
 * `efa-only` (EFA without an IP address) — EC2 User Guide, "Elastic Fabric Adapter". SRD flows
 * between the nodes' EFA interfaces, not between pod IPs, so an EFA flow's ends are these ENIs.
 */
import type { Endpoint } from './endpoints.ts';
import { parseAddress } from '../base/ip.ts';
import type { ClusterModel, EniModel, NodeModel } from './types.ts';

export function isEfaEni(eni: EniModel): boolean {
  return eni.type === 'efa' || eni.type === 'efa-only';
}

/** The EFA interfaces attached to a node's instance. */
export function efaEnis(model: Pick<ClusterModel, 'enisOfInstance'>, node: NodeModel): EniModel[] {
  return node.instanceId ? model.enisOfInstance(node.instanceId).filter(isEfaEni) : [];
}

/**
 * One endpoint per distinct security-group set among the node's EFA interfaces (a p5.48xlarge has
 * 32; they normally share one set). A node without one gets an unresolved endpoint saying so.
 */
export function efaEndpoints(model: ClusterModel, node: NodeModel, from: Endpoint): Endpoint[] {
  const enis = efaEnis(model, node);
  if (enis.length === 0) {
    return [
      {
        ...from,
        id: `efa:${node.name}`,
        label: `${node.name} (no EFA interface)`,
        unresolved: `node ${node.name} (${node.nodeGroup}) has no EFA interface (no ENI with InterfaceType efa or efa-only): SRD cannot run from or to it, and NIXL falls back to another transport`,
      },
    ];
  }
  const bySet = new Map<string, EniModel[]>();
  for (const eni of enis) {
    const key = [...eni.groupIds].sort().join(',');
    bySet.set(key, [...(bySet.get(key) ?? []), eni]);
  }
  return [...bySet.values()].map((same) => {
    const eni = same[0]!;
    const address = eni.primaryIp ? parseAddress(eni.primaryIp) : undefined;
    const count = same.length > 1 ? ` and ${same.length - 1} more with the same SGs` : '';
    return {
      id: `efa:${eni.id}`,
      kind: from.kind,
      label: `EFA ${eni.id}${count} on ${node.name}`,
      nodeName: node.name,
      nodeGroup: node.nodeGroup,
      ...(address ? { addresses: address } : {}),
      addressText: eni.primaryIp ?? `EFA ${eni.id} (no IP: efa-only)`,
      eniId: eni.id,
      securityGroups: [...eni.groupIds].sort(),
      ...(eni.subnetId ? { subnetId: eni.subnetId } : {}),
      sgOnSameNode: false,
      attachment: [
        ...from.attachment,
        `SRD runs on the node's EFA interface ${eni.id} (InterfaceType ${eni.type}) with its own SGs [${[...eni.groupIds].sort().join(', ')}]`,
      ],
    };
  });
}
