/**
 * One cluster per run. A snapshot directory may hold several clusters (a folder of captures, or
 * the same cluster captured twice), or one cluster with resources of other VPCs (an unfiltered
 * `describe-*`). Which cluster each object belongs to is read from the data:
 *
 * - an EKS `describe-cluster` names a cluster and its VPC; a `describe-nodegroup` names its
 *   cluster; without either, each VPC where the Kubernetes nodes' instances run (else where any
 *   instance or ENI is) is one cluster, named by its instances' `eks:cluster-name` tag if any;
 * - EC2 objects carry their VPC (instances, ENIs, subnets, NACLs, VPCs, security groups; a rule
 *   its group's); an ENIConfig its subnet's; a node names its instance (`spec.providerID`); a pod,
 *   an EndpointSlice's endpoints and an event name their node or pod, captured logs their pod, the
 *   tool's manifest its cluster;
 * - everything else (Services, NetworkPolicies, …) goes with the other objects of its file, else
 *   with the cluster whose identifying file is nearest in the directory tree.
 *
 * A directory holding more than one cluster is refused unless `--cluster` or `--vpc` picks one;
 * the pick keeps that cluster's objects and says what it left out. Resources of VPCs no captured
 * cluster uses (the default VPC in an unfiltered capture) are left out, with a note.
 */
import type { Instance } from './schemas.ts';
import type { DataKind, Located, Snapshot } from './types.ts';

export interface ClusterCapture {
  /** The EKS cluster's name, when the data names it. */
  readonly name?: string;
  readonly vpcId?: string;
  /** The file that identifies it: its describe-cluster, else a describe-nodegroup, else its instances. */
  readonly evidence: string;
  /** The directory of the files that identify it ('' is the snapshot root). */
  readonly anchor: string;
  /** The largest directory holding it and no other cluster: where to point the tool at it alone. */
  readonly home: string;
}

export interface ClusterSelection {
  readonly cluster?: string;
  readonly vpc?: string;
}

export type ClusterPick =
  | { readonly ok: true; readonly snapshot: Snapshot; readonly capture?: ClusterCapture }
  | { readonly ok: false; readonly message: string };

const dirOf = (file: string): string => (file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '');
const segments = (dir: string): string[] => (dir === '' ? [] : dir.split('/'));
const within = (dir: string, path: string): boolean =>
  dir === '' || path === dir || path.startsWith(`${dir}/`);

function commonDir(dirs: readonly string[]): string {
  let common = segments(dirs[0] ?? '');
  for (const dir of dirs.slice(1)) {
    const other = segments(dir);
    let i = 0;
    while (i < common.length && common[i] === other[i]) i++;
    common = common.slice(0, i);
  }
  return common.join('/');
}

const instanceOfNode = (providerID: string | undefined): string | undefined =>
  /\/(i-[0-9a-f]+)$/.exec(providerID ?? '')?.[1];

/** The cluster an instance's tags name (EKS managed node groups and Karpenter tag every instance). */
function taggedCluster(instance: Instance): string | undefined {
  for (const tag of instance.Tags ?? []) {
    if (tag.Key === 'eks:cluster-name' || tag.Key === 'aws:eks:cluster-name') return tag.Value;
    const named = /^kubernetes\.io\/cluster\/(.+)$/.exec(tag.Key)?.[1];
    if (named) return named;
  }
  return undefined;
}

function mostCommon(values: readonly (string | undefined)[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

type Draft = Omit<ClusterCapture, 'home'>;

/** Each cluster the data names (or, naming none, each VPC where its nodes run), where it was found. */
export function clusterCaptures(snapshot: Snapshot): ClusterCapture[] {
  const drafts: Draft[] = [];
  const described = new Set<string>();
  for (const { value, origin } of snapshot.clusters) {
    const anchor = dirOf(origin.file);
    if (drafts.some((d) => d.name === value.name && d.anchor === anchor)) continue;
    described.add(value.name);
    const vpcId = value.resourcesVpcConfig?.vpcId;
    drafts.push({ name: value.name, ...(vpcId ? { vpcId } : {}), evidence: origin.file, anchor });
  }
  const subnetVpc = new Map(snapshot.subnets.map((s) => [s.value.SubnetId, s.value.VpcId]));
  const groups = new Map<string, Located<{ subnets?: string[] | undefined }>[]>();
  for (const group of snapshot.nodegroups) {
    const name = group.value.clusterName;
    if (!name || described.has(name)) continue;
    groups.set(name, [...(groups.get(name) ?? []), group]);
  }
  for (const [name, found] of groups) {
    const vpcId = mostCommon(found.flatMap((g) => (g.value.subnets ?? []).map((id) => subnetVpc.get(id))));
    drafts.push({
      name,
      ...(vpcId ? { vpcId } : {}),
      evidence: found[0]!.origin.file,
      anchor: commonDir(found.map((g) => dirOf(g.origin.file))),
    });
  }
  if (drafts.length === 0) drafts.push(...vpcCaptures(snapshot));
  return drafts.map((draft) => ({ ...draft, home: homeOf(draft, drafts) }));
}

/** Naming no cluster: one per VPC where the nodes' instances run, else where instances or ENIs are. */
function vpcCaptures(snapshot: Snapshot): Draft[] {
  const nodeInstances = new Set(
    snapshot.nodes.flatMap((n) => instanceOfNode(n.value.spec?.providerID) ?? []),
  );
  const placed = [
    ...snapshot.instances.map((i) => ({
      id: i.value.InstanceId,
      vpc: i.value.VpcId,
      file: i.origin.file,
      i,
    })),
    ...snapshot.networkInterfaces.map((e) => ({
      id: e.value.Attachment?.InstanceId,
      vpc: e.value.VpcId,
      file: e.origin.file,
      i: undefined,
    })),
  ].filter((p) => p.vpc);
  const ofNodes = placed.filter((p) => p.id && nodeInstances.has(p.id));
  const byVpc = new Map<string, typeof placed>();
  for (const p of ofNodes.length > 0 ? ofNodes : placed) byVpc.set(p.vpc!, [...(byVpc.get(p.vpc!) ?? []), p]);
  return [...byVpc].map(([vpcId, found]) => {
    const name = mostCommon(found.map((p) => (p.i ? taggedCluster(p.i.value) : undefined)));
    return {
      ...(name ? { name } : {}),
      vpcId,
      evidence: found[0]!.file,
      anchor: commonDir(found.map((p) => dirOf(p.file))),
    };
  });
}

/** The highest directory above the anchor that holds no other cluster's anchor. */
function homeOf(draft: Draft, all: readonly Draft[]): string {
  const parts = segments(draft.anchor);
  for (let depth = 0; depth <= parts.length; depth++) {
    const dir = parts.slice(0, depth).join('/');
    if (!all.some((other) => other !== draft && within(dir, other.anchor))) return dir;
  }
  return draft.anchor;
}

const label = (c: ClusterCapture): string => c.name ?? c.vpcId ?? '(unnamed)';
const place = (c: ClusterCapture): string => (c.home === '' ? './' : `${c.home}/`);

function listing(captures: readonly ClusterCapture[]): string {
  const width = Math.max(...captures.map((c) => label(c).length));
  const vpcWidth = Math.max(...captures.map((c) => (c.vpcId ?? 'VPC unknown').length));
  return captures
    .map((c) => `  ${label(c).padEnd(width)}  ${(c.vpcId ?? 'VPC unknown').padEnd(vpcWidth)}  ${c.evidence}`)
    .join('\n');
}

/** What each kind of object is called in a note. */
const nouns: Partial<Record<keyof Snapshot, string>> = {
  securityGroups: 'security group',
  securityGroupRules: 'security group rule',
  instances: 'instance',
  networkInterfaces: 'network interface',
  networkAcls: 'network ACL',
  subnets: 'subnet',
  vpcs: 'VPC',
};

/**
 * The snapshot narrowed to one cluster: the one `selection` names, or the only one there is. More
 * than one and no pick, or a pick that names none or several, is refused with the list.
 */
export function pickCluster(snapshot: Snapshot, selection: ClusterSelection = {}): ClusterPick {
  let captures = clusterCaptures(snapshot);
  const all = captures;
  const have = (list: readonly ClusterCapture[]) => (list.length > 0 ? `:\n${listing(list)}` : ': none');
  if (selection.vpc !== undefined) {
    if (all.length === 0) {
      const vpcs = new Set(vpcScoped(snapshot).map((o) => o.vpc));
      if (!vpcs.has(selection.vpc))
        return {
          ok: false,
          message: `--vpc ${selection.vpc}: no such VPC in the snapshot (have: ${[...vpcs].sort().join(', ') || 'none'})`,
        };
      captures = [{ vpcId: selection.vpc, evidence: '', anchor: '', home: '' }];
    } else {
      captures = captures.filter((c) => c.vpcId === selection.vpc);
      if (captures.length === 0)
        return {
          ok: false,
          message: `--vpc ${selection.vpc}: no cluster in the snapshot runs in it; the clusters here${have(all)}`,
        };
    }
  }
  if (selection.cluster !== undefined) {
    const named = captures.filter((c) => c.name === selection.cluster);
    if (named.length === 0) {
      const why = all.some((c) => c.name)
        ? `not in the snapshot; the clusters here${have(all)}`
        : 'the snapshot names no cluster (no describe-cluster, describe-nodegroup or eks:cluster-name tag), so none can be picked by name; pick by --vpc';
      return { ok: false, message: `--cluster ${selection.cluster}: ${why}` };
    }
    captures = named;
  }
  if (captures.length > 1) {
    const sameName = captures.every((c) => c.name !== undefined && c.name === captures[0]!.name);
    const message = sameName
      ? `cluster ${captures[0]!.name} is captured more than once here (${captures.map(place).join(', ')}); point the tool at one of those directories:\n${listing(captures)}`
      : selection.vpc !== undefined
        ? `more than one cluster in ${selection.vpc}; pick one with --cluster NAME:\n${listing(captures)}`
        : `more than one cluster here; pick one with --cluster NAME or --vpc ID, or point the tool at its directory:\n${listing(captures)}`;
    return { ok: false, message };
  }
  const chosen = captures[0];
  if (!chosen) return { ok: true, snapshot };
  return narrow(snapshot, chosen, all.includes(chosen) ? all : [chosen], selection);
}

function vpcScoped(snapshot: Snapshot): { vpc: string }[] {
  return [
    ...snapshot.securityGroups.map((o) => o.value.VpcId),
    ...snapshot.instances.map((o) => o.value.VpcId),
    ...snapshot.networkInterfaces.map((o) => o.value.VpcId),
    ...snapshot.networkAcls.map((o) => o.value.VpcId),
    ...snapshot.subnets.map((o) => o.value.VpcId),
    ...snapshot.vpcs.map((o) => o.value.VpcId),
  ].flatMap((vpc) => (vpc ? [{ vpc }] : []));
}

/**
 * Keeps what belongs to `chosen` and notes what was left out. A file that could belong to more
 * than one cluster is refused, not guessed: read for the wrong one, its objects decide flows.
 */
function narrow(
  snapshot: Snapshot,
  chosen: ClusterCapture,
  captures: readonly ClusterCapture[],
  selection: ClusterSelection,
): ClusterPick {
  // The common case, one cluster and nothing of another VPC, costs one pass over the EC2 objects.
  if (captures.length === 1 && vpcScoped(snapshot).every((o) => o.vpc === chosen.vpcId || !chosen.vpcId))
    return { ok: true, snapshot, capture: chosen };
  // Evidence: the clusters an object can belong to by its own data; undefined when it says nothing,
  // [] when it belongs to a VPC no captured cluster uses.
  type Evidence = readonly ClusterCapture[] | undefined;
  const byVpc = (vpc: string | undefined): Evidence => {
    if (!vpc) return undefined;
    const exact = captures.filter((c) => c.vpcId === vpc);
    return exact.length > 0 ? exact : captures.filter((c) => c.vpcId === undefined);
  };
  const subnetVpc = new Map(snapshot.subnets.map((s) => [s.value.SubnetId, s.value.VpcId]));
  const groupVpc = new Map(snapshot.securityGroups.map((g) => [g.value.GroupId, g.value.VpcId]));
  const instanceVpcs = new Map<string, string[]>();
  for (const { value } of snapshot.instances) {
    const vpc = value.VpcId ?? subnetVpc.get(value.SubnetId ?? '');
    if (vpc) instanceVpcs.set(value.InstanceId, [...(instanceVpcs.get(value.InstanceId) ?? []), vpc]);
  }
  const union = (lists: readonly Evidence[]): Evidence => {
    const known = lists.filter((l): l is readonly ClusterCapture[] => l !== undefined && l.length > 0);
    return known.length > 0 ? [...new Set(known.flat())] : undefined;
  };
  const nodeEvidence = (providerID: string | undefined): Evidence => {
    const id = instanceOfNode(providerID);
    // A node is never "foreign": an instance in an unexpected VPC says nothing about it.
    return id ? union((instanceVpcs.get(id) ?? []).map(byVpc)) : undefined;
  };
  const nodesByName = new Map<string, Evidence[]>();
  for (const { value } of snapshot.nodes)
    nodesByName.set(value.metadata.name, [
      ...(nodesByName.get(value.metadata.name) ?? []),
      nodeEvidence(value.spec?.providerID),
    ]);
  const named = (name: string | undefined): Evidence => {
    if (!name) return undefined;
    const found = captures.filter((c) => c.name === name);
    return found.length > 0 ? found : undefined;
  };

  const evidence: { [K in keyof Snapshot]?: (item: Located<never>) => Evidence } = {};
  const rule = <K extends keyof Snapshot>(
    key: K,
    of: (item: Snapshot[K] extends Located<infer T>[] ? Located<T> : never) => Evidence,
  ): void => {
    evidence[key] = of as unknown as (item: Located<never>) => Evidence;
  };
  rule('securityGroups', (g) => byVpc(g.value.VpcId));
  rule('securityGroupRules', (r) => byVpc(groupVpc.get(r.value.GroupId)));
  rule('instances', (i) => byVpc(i.value.VpcId ?? subnetVpc.get(i.value.SubnetId ?? '')));
  rule('networkInterfaces', (e) => byVpc(e.value.VpcId ?? subnetVpc.get(e.value.SubnetId ?? '')));
  rule('networkAcls', (a) => byVpc(a.value.VpcId));
  rule('subnets', (s) => byVpc(s.value.VpcId));
  rule('vpcs', (v) => byVpc(v.value.VpcId));
  rule('clusters', (c) =>
    captures.filter((k) => k.name === c.value.name && k.anchor === dirOf(c.origin.file)),
  );
  rule('nodegroups', (g) => named(g.value.clusterName));
  rule('nodes', (n) => nodeEvidence(n.value.spec?.providerID));
  const onNode = (name: string | undefined): Evidence => union(nodesByName.get(name ?? '') ?? []);
  const podEvidence = new Map<string, Evidence[]>();
  for (const { value } of snapshot.pods) {
    const key = `${value.metadata.namespace ?? ''}/${value.metadata.name}`;
    podEvidence.set(key, [...(podEvidence.get(key) ?? []), onNode(value.spec?.nodeName)]);
  }
  const ofPod = (namespace: string | undefined, name: string | undefined): Evidence =>
    union(podEvidence.get(`${namespace ?? ''}/${name ?? ''}`) ?? []);
  rule('pods', (p) => onNode(p.value.spec?.nodeName));
  rule('endpointSlices', (e) => union((e.value.endpoints ?? []).map((ep) => onNode(ep.nodeName))));
  rule('podLogs', (l) => ofPod(l.value.namespace, l.value.pod));
  rule('events', (e) => {
    const about = (e.value as { involvedObject?: { kind?: string; name?: string; namespace?: string } })
      .involvedObject;
    if (about?.kind === 'Pod') return ofPod(about.namespace, about.name);
    if (about?.kind === 'Node') return onNode(about.name);
    return undefined;
  });
  rule('eniConfigs', (c) => union([byVpc(subnetVpc.get(c.value.spec?.subnet ?? ''))]));
  rule('manifests', (m) => named(m.value.cluster));

  // Every list of located objects (the rest — ignored files, notes — is about files, not a cluster).
  const lists = (Object.keys(snapshot) as (keyof Snapshot)[]).filter((key) => {
    const value = snapshot[key];
    return (
      Array.isArray(value) &&
      value.every(
        (item: unknown) => item !== null && typeof item === 'object' && 'origin' in item && 'value' in item,
      )
    );
  });
  // What each file's objects say, for the objects in it that say nothing themselves.
  const direct = new Map<Located<unknown>, Evidence>();
  const fileEvidence = new Map<string, Set<ClusterCapture>>();
  for (const key of lists) {
    const of = evidence[key];
    for (const item of snapshot[key] as Located<never>[]) {
      const found = of?.(item);
      direct.set(item, found);
      if (found && found.length > 0) {
        const set = fileEvidence.get(item.origin.file) ?? new Set();
        for (const c of found) set.add(c);
        fileEvidence.set(item.origin.file, set);
      }
    }
  }
  const closest = (candidates: readonly ClusterCapture[], file: string): readonly ClusterCapture[] => {
    if (candidates.length <= 1) return candidates;
    const parts = segments(dirOf(file));
    const score = (c: ClusterCapture): number => {
      const anchor = segments(c.anchor);
      let i = 0;
      while (i < parts.length && parts[i] === anchor[i]) i++;
      return i;
    };
    const best = Math.max(...candidates.map(score));
    return candidates.filter((c) => score(c) === best);
  };
  const belongs = (found: Evidence, file: string): readonly ClusterCapture[] =>
    closest(found ?? [...(fileEvidence.get(file) ?? captures)], file);

  const kept = new Set<string>();
  const seen = new Set<string>();
  const leftOut = new Map<ClusterCapture, Set<string>>();
  const foreign = new Map<string, Map<string, number>>();
  const untold = new Set<string>();
  let dropped = 0;
  const out: Record<string, unknown> = { ...snapshot };
  for (const key of lists) {
    out[key] = (snapshot[key] as Located<unknown>[]).filter((item) => {
      const file = item.origin.file;
      seen.add(file);
      const found = direct.get(item);
      // A security group of a VPC no cluster here runs in is kept: only ENIs carry groups, so it
      // decides nothing, and a rule of a peered VPC may name it.
      if (found?.length === 0 && (key === 'securityGroups' || key === 'securityGroupRules')) {
        kept.add(file);
        return true;
      }
      const owners = belongs(found, file);
      if (owners.includes(chosen)) {
        kept.add(file);
        if (owners.length > 1) untold.add(file);
        return true;
      }
      dropped++;
      if (owners.length === 0) {
        const vpc = vpcOf(item.value) ?? '?';
        const counts = foreign.get(vpc) ?? new Map<string, number>();
        const noun = nouns[key] ?? key;
        counts.set(noun, (counts.get(noun) ?? 0) + 1);
        foreign.set(vpc, counts);
      } else {
        for (const owner of owners) leftOut.set(owner, (leftOut.get(owner) ?? new Set()).add(file));
      }
      return false;
    });
  }
  // Files that held no object (an empty list is still a capture) go where their place says.
  for (const file of snapshot.kindsByFile.keys()) {
    if (seen.has(file)) continue;
    const owners = belongs(undefined, file);
    if (!owners.includes(chosen)) continue;
    kept.add(file);
    if (owners.length > 1) untold.add(file);
  }
  if (untold.size > 0) {
    return {
      ok: false,
      message: `cannot tell which cluster these files belong to, so ${label(chosen)} cannot be read alone: ${[...untold].sort().join(', ')}; put each cluster's files in a directory of its own:\n${listing(captures)}`,
    };
  }
  if (dropped === 0) return { ok: true, snapshot, capture: chosen };
  const kindsByFile = new Map([...snapshot.kindsByFile].filter(([file]) => kept.has(file)));
  const captured = new Set<DataKind>([...kindsByFile.values()].flatMap((kinds) => [...kinds]));

  const notes: string[] = [];
  const describe = (c: ClusterCapture): string =>
    `${label(c)}${c.name && c.vpcId ? ` (${c.vpcId})` : ''} in ${place(c)}`;
  if (captures.length > 1) {
    const by = selection.cluster !== undefined ? '--cluster' : '--vpc';
    const others = [...leftOut].map(
      ([c, files]) => `${describe(c)} (${files.size} file${files.size === 1 ? '' : 's'})`,
    );
    notes.push(
      `read cluster ${describe(chosen)}, picked by ${by}${others.length > 0 ? `; left out ${others.join(', ')}` : ''}`,
    );
  }
  if (foreign.size > 0) {
    const parts = [...foreign].map(
      ([vpc, counts]) =>
        `${vpc} (${[...counts].map(([noun, n]) => `${n} ${noun}${n === 1 ? '' : 's'}`).join(', ')})`,
    );
    notes.push(`left out what belongs to VPCs no captured cluster runs in: ${parts.join('; ')}`);
  }
  const narrowed: Snapshot = {
    ...(out as unknown as Snapshot),
    captured,
    kindsByFile,
    warnings: snapshot.warnings.filter((w) => kept.has(w.file) || !seen.has(w.file)),
    notes: [...snapshot.notes, ...notes],
  };
  return { ok: true, snapshot: narrowed, capture: chosen };
}

function vpcOf(value: unknown): string | undefined {
  const vpc = (value as { VpcId?: unknown }).VpcId;
  return typeof vpc === 'string' ? vpc : undefined;
}
