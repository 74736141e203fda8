/** Picks the catalog entries that apply to one cluster and settles their ports. */
import semver from 'semver';
import type { PortRange } from '../model/types.ts';
import {
  catalog,
  knownDynamoVersions,
  type DynamoFamily,
  type CatalogEntry,
  type ConformanceCheck,
  type Level,
  type RequirementId,
  type SourceSelector,
  type TargetSpec,
} from './catalog.ts';
import type { ControlPlaneCall } from './control-plane.ts';

export interface RequirementContext {
  readonly dynamoVersion: string;
  /** How the version was chosen: flag, recipe, cluster evidence, or the catalog default. */
  readonly versionSource: string;
  /** The Dynamo release family whose defaults fill in what the cluster does not say. */
  readonly family: DynamoFamily;
  readonly eventPlane: 'nats' | 'zmq' | 'none';
  readonly eventPlaneSource: string;
  /** Dynamo keeps discovery and leases in etcd. */
  readonly etcd: boolean;
  readonly etcdSource: string;
  /** The GPU operator's dcgm-exporter is deployed, or the recipe installs gpu-operator. */
  readonly dcgmExporter: boolean;
  readonly dcgmExporterSource: string;
  /** The Dynamo workers serve a system port (metrics) Prometheus scrapes, and why it is thought so. */
  readonly dynamoMetrics: boolean;
  readonly dynamoMetricsSource: string;
  /** Where the frontend runs (or will): AICR's placement for the family, or what is deployed. */
  readonly frontendOn: 'gpu-node-groups' | 'system-node-groups';
  readonly frontendSource: string;
  /** The running Dynamo pods are of another release than the one analysed (an upgrade what-if). */
  readonly whatIf: boolean;
  readonly requestPlane: 'tcp' | 'nats' | 'http';
  readonly requestPlaneSource: string;
  readonly conformance: boolean;
  readonly conformanceSource: string;
  /** Each conformance check whose connections are requirements: whether it runs, and why. */
  readonly conformanceChecks: Readonly<
    Record<ConformanceCheck, { readonly runs: boolean; readonly source: string }>
  >;
  /** The API server's calls into pods (webhooks, APIServices): whether each applies, and why. */
  readonly controlPlaneCalls: Readonly<Partial<Record<RequirementId, ControlPlaneCall>>>;
  /** NetworkPolicies exist and are (or are assumed) enforced. */
  readonly networkPolicies: boolean;
  /** Values of port env vars found on pods (DYN_TCP_RPC_PORT, …). */
  readonly portEnv: Readonly<Record<string, { value: string; source: string }>>;
  /** The workers' data-parallel size (vLLM --data-parallel-size), when something deployed says it. */
  readonly dataParallel?: { readonly size: number; readonly source: string };
  /** A graph serves disaggregated (prefill workers deployed or declared), and why it is thought so. */
  readonly disaggregated?: boolean;
  readonly disaggregatedSource?: string;
  /** Side-channel ports each prefill worker opens (dp size × tp size), when its flags say more than one. */
  readonly nixlRanks?: { readonly count: number; readonly source: string };
  /** The range an older Dynamo launcher allocates side-channel ports from (--dynamo-port-min/max). */
  readonly nixlLauncherRange?: { readonly from: number; readonly to: number; readonly source: string };
  /** The nodes have EFA interfaces (InterfaceType efa / efa-only), and which one says so. */
  readonly efa?: boolean;
  readonly efaSource?: string;
  /** UCX may move the KV cache over TCP (no EFA; UCX_TLS allows tcp), and why. */
  readonly ucxTcp?: boolean;
  readonly ucxTcpSource?: string;
  /** Pods get their own security groups (ENABLE_POD_ENI and a SecurityGroupPolicy), and why it is thought so. */
  readonly podSecurityGroups?: boolean;
  readonly podSecurityGroupsSource?: string;
  /** Namespace/service overrides, e.g. from NATS_SERVER or a recipe's component namespaces. */
  readonly targetOverrides: Readonly<
    Partial<Record<RequirementId, { namespace?: string; service?: string; port?: number; source: string }>>
  >;
}

export interface Requirement {
  readonly id: RequirementId;
  readonly title: string;
  /** `recommended` flows never fail the verdict unless `--strict`. */
  readonly level: Level;
  readonly protocol: 'tcp' | 'udp' | 'efa';
  readonly ports: PortRange;
  readonly from: SourceSelector;
  readonly to: TargetSpec;
  readonly why: string;
  readonly symptom: string;
  readonly source: string;
  /** Where a documentation page names another port or range than the one required here. */
  readonly documented?: string;
  /** The facts that made this requirement apply, and chose its port. */
  readonly decidedBy: string[];
}

export interface NotApplicable {
  readonly id: RequirementId;
  readonly title: string;
  readonly level: Level;
  readonly because: string;
  readonly source: string;
}

export interface RequirementSet {
  readonly context: RequirementContext;
  readonly requirements: Requirement[];
  readonly notApplicable: NotApplicable[];
}

export const newestDynamoVersion: string = [...knownDynamoVersions].sort(semver.rcompare)[0]!;

function describeWhy(
  entry: CatalogEntry,
  context: RequirementContext,
): { applies: boolean; facts: string[] } {
  const facts: string[] = [];
  if (entry.dynamo) {
    if (!semver.satisfies(context.dynamoVersion, entry.dynamo, { includePrerelease: true })) {
      return { applies: false, facts: [`Dynamo ${context.dynamoVersion} is outside ${entry.dynamo}`] };
    }
    facts.push(
      `Dynamo ${context.dynamoVersion} (${context.versionSource}) is ${entry.dynamo.replace('-0', '')}`,
    );
  }
  const when = entry.when ?? {};
  if (when.eventPlane) {
    if (context.eventPlane !== when.eventPlane)
      return {
        applies: false,
        facts: [`event plane is ${context.eventPlane} (${context.eventPlaneSource})`],
      };
    facts.push(`event plane ${context.eventPlane} (${context.eventPlaneSource})`);
  }
  if (when.store) {
    if (!context.etcd) return { applies: false, facts: [`no etcd store (${context.etcdSource})`] };
    facts.push(`etcd store (${context.etcdSource})`);
  }
  if (when.requestPlane) {
    if (context.requestPlane !== when.requestPlane)
      return {
        applies: false,
        facts: [`request plane is ${context.requestPlane} (${context.requestPlaneSource})`],
      };
    facts.push(`request plane ${context.requestPlane} (${context.requestPlaneSource})`);
  }
  if (when.conformanceCheck) {
    const check = context.conformanceChecks[when.conformanceCheck];
    if (!check.runs)
      return {
        applies: false,
        facts: [`conformance check ${when.conformanceCheck} does not run (${check.source})`],
      };
    facts.push(`conformance check ${when.conformanceCheck} runs (${check.source})`);
  }
  if (when.dcgmExporter) {
    if (!context.dcgmExporter)
      return { applies: false, facts: [`no dcgm-exporter (${context.dcgmExporterSource})`] };
    facts.push(`dcgm-exporter (${context.dcgmExporterSource})`);
  }
  if (when.dynamoSystemPort) {
    if (!context.dynamoMetrics)
      return { applies: false, facts: [`no Dynamo worker system port (${context.dynamoMetricsSource})`] };
    facts.push(`Dynamo workers serve metrics on their system port (${context.dynamoMetricsSource})`);
  }
  if (when.controlPlaneCall) {
    const call = context.controlPlaneCalls[entry.id];
    if (!call)
      return {
        applies: false,
        facts: ['the cluster’s webhook configurations and APIServices were not read'],
      };
    if (!call.applies) return { applies: false, facts: [call.source] };
    facts.push(call.source);
  }
  if (when.disaggregated) {
    if (!context.disaggregated)
      return {
        applies: false,
        facts: [context.disaggregatedSource ?? 'no prefill worker deployed or declared'],
      };
    facts.push(`disaggregated serving (${context.disaggregatedSource ?? 'prefill workers'})`);
  }
  if (when.efa) {
    if (!context.efa) return { applies: false, facts: [context.efaSource ?? 'no EFA interface'] };
    facts.push(`EFA interfaces (${context.efaSource ?? 'EFA'})`);
  }
  if (when.ucxTcp) {
    if (!context.ucxTcp)
      return { applies: false, facts: [context.ucxTcpSource ?? 'UCX does not use tcp here'] };
    facts.push(`UCX over tcp (${context.ucxTcpSource ?? 'no EFA'})`);
  }
  if (when.podSecurityGroups) {
    if (!context.podSecurityGroups)
      return {
        applies: false,
        facts: [context.podSecurityGroupsSource ?? 'no cluster read: no SecurityGroupPolicy known'],
      };
    facts.push(context.podSecurityGroupsSource ?? 'security groups for pods');
  }
  if (when.networkPolicies) {
    if (!context.networkPolicies) return { applies: false, facts: ['no enforced NetworkPolicies'] };
    facts.push('NetworkPolicies are enforced');
  }
  return { applies: true, facts };
}

function settlePorts(entry: CatalogEntry, context: RequirementContext, facts: string[]): PortRange {
  const override = context.targetOverrides[entry.id]?.port;
  if (override) {
    facts.push(`port ${override} (${context.targetOverrides[entry.id]!.source})`);
    return { from: override, to: override };
  }
  if (entry.port.envRange) {
    const range = entry.port.whenUnset!;
    const set = context.portEnv[entry.port.envRange];
    const match = set ? /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?$/.exec(set.value) : undefined;
    const from = match ? Number(match[1]) : NaN;
    const to = match ? Number(match[2] ?? match[1]) : NaN;
    if (match && from >= 1 && from <= to && to <= 65535) {
      facts.push(`ports ${from}-${to} (${set!.source})`);
      return { from, to };
    }
    facts.push(
      set && !/^\s*0\s*$/.test(set.value)
        ? `${set.source} is not a port range: the port is OS-assigned, so only the range ${range.from}-${range.to} can be allowed statically`
        : `${entry.port.envRange} ${set ? '0' : 'unset'}: the port is OS-assigned, so only the range ${range.from}-${range.to} can be allowed statically`,
    );
    return range;
  }
  if (entry.port.probe) {
    // Settled per pod by analyze/flows.ts; until then any TCP port a probe may name.
    facts.push(
      'each probed pod’s own probe ports (httpGet, tcpSocket, grpc; a named port resolves on the container’s ports; exec probes open no connection)',
    );
    return { from: 1, to: 65535 };
  }
  if (entry.port.noPorts) {
    facts.push('SRD is not TCP or UDP: it has no ports, and only all-traffic rules carry it');
    return { from: 0, to: 65535 };
  }
  const launcher = entry.port.perNixlRank ? context.nixlLauncherRange : undefined;
  if (launcher) {
    facts.push(launcher.source);
    return { from: launcher.from, to: launcher.to };
  }
  const name = entry.port.env;
  if (entry.port.fixed !== undefined) {
    const set = name ? context.portEnv[name] : undefined;
    const value = set ? Number(set.value) : NaN;
    let port = entry.port.fixed;
    if (set && Number.isInteger(value) && value > 0 && value <= 65535) {
      port = value;
      facts.push(`port ${port} (${set.source})`);
    } else if (set) facts.push(`${set.source} is not a port: port ${port}`);
    else if (name) facts.push(`${name} unset: port ${port}`);
    const dp = entry.port.perDataParallelRank ? context.dataParallel : undefined;
    if (dp && dp.size > 1 && port + dp.size - 1 <= 65535) {
      facts.push(
        `${dp.size} data-parallel ranks (${dp.source}): one port per rank, ${port}-${port + dp.size - 1}`,
      );
      return { from: port, to: port + dp.size - 1 };
    }
    const ranks = entry.port.perNixlRank ? context.nixlRanks : undefined;
    if (ranks && ranks.count > 1 && port + ranks.count - 1 <= 65535) {
      facts.push(`${ranks.source}: one port per rank, ${port}-${port + ranks.count - 1}`);
      return { from: port, to: port + ranks.count - 1 };
    }
    return { from: port, to: port };
  }
  const range = entry.port.whenUnset!;
  if (name === undefined) {
    facts.push(`the port is OS-assigned: only the range ${range.from}-${range.to} can be allowed statically`);
    return range;
  }
  const set = context.portEnv[name];
  const port = set ? Number(set.value) : NaN;
  if (set && Number.isInteger(port) && port > 0 && port <= 65535) {
    facts.push(`port ${port} (${set.source})`);
    return { from: port, to: port };
  }
  facts.push(
    set
      ? `${set.source} is not a port (1-65535): the port is OS-assigned, so only the range ${range.from}-${range.to} can be allowed statically`
      : `${name} unset: the port is OS-assigned, so only the range ${range.from}-${range.to} can be allowed statically`,
  );
  return range;
}

function settleTarget(entry: CatalogEntry, context: RequirementContext, facts: string[]): TargetSpec {
  const override = context.targetOverrides[entry.id];
  if (entry.to.kind !== 'service' || !override || (!override.namespace && !override.service)) return entry.to;
  facts.push(
    `target ${override.service ?? entry.to.service}.${override.namespace ?? entry.to.namespace} (${override.source})`,
  );
  return {
    ...entry.to,
    namespace: override.namespace ?? entry.to.namespace,
    service: override.service ?? entry.to.service,
  };
}

export function resolveRequirements(context: RequirementContext): RequirementSet {
  const requirements: Requirement[] = [];
  const notApplicable: NotApplicable[] = [];
  for (const entry of catalog) {
    const { applies, facts } = describeWhy(entry, context);
    if (!applies) {
      notApplicable.push({
        id: entry.id,
        title: entry.title,
        level: entry.level,
        because: facts.join('; '),
        source: entry.source,
      });
      continue;
    }
    const ports = settlePorts(entry, context, facts);
    const to = settleTarget(entry, context, facts);
    const nonFatal = entry.when?.controlPlaneCall ? context.controlPlaneCalls[entry.id]?.nonFatal : undefined;
    if (nonFatal) facts.push(nonFatal);
    requirements.push({
      id: entry.id,
      title: entry.title,
      level: nonFatal ? 'recommended' : entry.level,
      protocol: entry.protocol,
      ports,
      from: entry.from,
      to,
      why: entry.why,
      symptom: entry.symptom,
      source: entry.source,
      ...(entry.documented ? { documented: entry.documented } : {}),
      decidedBy: facts,
    });
  }
  return { context, requirements, notApplicable };
}
