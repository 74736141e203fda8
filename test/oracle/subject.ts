/**
 * The product under test, seen through the smallest interface the differential test needs. This is
 * the ONLY file of test/oracle that imports src/: when src/ paths move, only this file changes.
 */
import { analyzeSnapshot } from '../../src/questions/analyze.ts';
import { buildModel } from '../../src/model/build.ts';
import { podEndpoint } from '../../src/model/endpoints.ts';
import { evaluateFlow } from '../../src/reachability/evaluate.ts';
import { parseSnapshot } from '../../src/snapshot/parse.ts';
import type { Snapshot } from '../../src/snapshot/types.ts';

export type SubjectVerdict = 'allowed' | 'blocked' | 'unknown';

export interface SubjectFile {
  readonly path: string;
  readonly text: string;
}

export interface PodRef {
  readonly namespace: string;
  readonly name: string;
}

export interface SubjectFlow {
  readonly source: PodRef;
  readonly destination: PodRef;
  readonly protocol: 'tcp' | 'udp';
  readonly port: number;
}

/** A security-group rule the analyzer proposes to add. */
export interface SgFix {
  readonly groupId: string;
  readonly direction: 'ingress' | 'egress';
  readonly protocol: 'tcp' | 'udp' | '-1';
  readonly fromPort: number;
  readonly toPort: number;
  /** The other side's group (source for ingress, destination for egress), when it names one. */
  readonly peerGroupId?: string;
  readonly cidr?: string;
}

/** A network ACL entry the analyzer proposes to add. */
export interface NaclFix {
  readonly naclId: string;
  readonly egress: boolean;
  readonly ruleNumber: number;
  readonly protocol: 'tcp' | 'udp';
  readonly fromPort: number;
  readonly toPort: number;
  readonly cidr: string;
  /** The aws-cli line the analyzer prints for it. */
  readonly command: string;
}

/** One flow class of the analysis: a requirement between two sets of pods (or nodes), and its status. */
export interface SubjectFlowClass {
  readonly requirement: string;
  readonly status: SubjectVerdict;
  readonly reason: string;
  /** 'pods' = running pods, named `namespace/name`; 'nodes' = pods predicted on the named nodes. */
  readonly sourceKind: 'pods' | 'nodes' | 'control-plane' | 'kubelet';
  readonly sourceMembers: string[];
  readonly destinationKind: 'pods' | 'nodes' | 'control-plane' | 'kubelet';
  readonly destinationMembers: string[];
}

export interface SubjectAnalysis {
  readonly flows: SubjectFlowClass[];
  readonly sgFixes: SgFix[];
  readonly naclFixes: NaclFix[];
  readonly warnings: string[];
}

function load(files: readonly SubjectFile[]): Snapshot {
  const result = parseSnapshot(files);
  if (!result.ok) throw new Error(result.issues.map((i) => `${i.file}: ${i.path}: ${i.message}`).join('\n'));
  return result.snapshot;
}

/**
 * Loads the files once; the returned function evaluates SRD (protocol `efa`) from one ENI to
 * another, each taken as an EFA interface on its own node.
 */
export function subjectSrdEvaluator(
  files: readonly SubjectFile[],
): (sourceEniId: string, destinationEniId: string) => { verdict: SubjectVerdict; reason: string } {
  const model = buildModel(load(files));
  const endpoint = (id: string) => {
    const eni = model.enis.get(id);
    if (!eni) throw new Error(`ENI ${id} is not in the model`);
    return {
      id: `efa:${id}`,
      kind: 'pod' as const,
      label: id,
      nodeGroup: '-',
      addressText: eni.primaryIp ?? id,
      eniId: id,
      securityGroups: [...eni.groupIds].sort(),
      ...(eni.subnetId ? { subnetId: eni.subnetId } : {}),
      sgOnSameNode: false,
      attachment: [],
    };
  };
  return (from, to) => {
    const trace = evaluateFlow(model, {
      source: endpoint(from),
      destination: endpoint(to),
      protocol: 'efa',
      ports: { from: 0, to: 65535 },
    });
    return { verdict: trace.status, reason: trace.reason };
  };
}

/** Loads the files once; the returned function evaluates one pod-to-pod flow. */
export function subjectEvaluator(
  files: readonly SubjectFile[],
): (flow: SubjectFlow) => { verdict: SubjectVerdict; reason: string } {
  const model = buildModel(load(files));
  const endpoint = (ref: PodRef) => {
    const pod = model.pods.find((p) => p.namespace === ref.namespace && p.name === ref.name);
    if (!pod) throw new Error(`pod ${ref.namespace}/${ref.name} is not in the model`);
    return podEndpoint(model, pod);
  };
  return (flow) => {
    const trace = evaluateFlow(model, {
      source: endpoint(flow.source),
      destination: endpoint(flow.destination),
      protocol: flow.protocol,
      ports: { from: flow.port, to: flow.port },
    });
    return { verdict: trace.status, reason: trace.reason };
  };
}

export function subjectAnalyze(files: readonly SubjectFile[]): SubjectAnalysis {
  const result = analyzeSnapshot(load(files), { conformance: false });
  return {
    flows: result.flows.map((f) => ({
      requirement: f.requirement,
      status: f.status,
      reason: f.reason,
      sourceKind: f.source.kind,
      sourceMembers: f.source.members,
      destinationKind: f.destination.kind,
      destinationMembers: f.destination.members,
    })),
    sgFixes: result.remediation.map((r) => ({
      groupId: r.groupId,
      direction: r.direction,
      protocol: r.protocol,
      fromPort: r.fromPort,
      toPort: r.toPort,
      ...((r.sourceGroupId ?? r.destinationGroupId)
        ? { peerGroupId: (r.sourceGroupId ?? r.destinationGroupId)! }
        : {}),
      ...(r.cidr ? { cidr: r.cidr } : {}),
    })),
    naclFixes: result.naclRemediation.map((n) => ({
      naclId: n.naclId,
      egress: n.egress,
      ruleNumber: n.ruleNumber,
      protocol: n.protocol,
      fromPort: n.fromPort,
      toPort: n.toPort,
      cidr: n.cidr,
      command: n.command,
    })),
    warnings: result.warnings,
  };
}
