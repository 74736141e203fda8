/**
 * The `diagnose` question: what do the symptoms (pod states, events, logs, validator results) say,
 * which cause explains them, which flow that cause blocks, and what the static analysis says about
 * that flow and its fix. Pure: the snapshot, the analysis of it and the CTRF reports in, a ranked
 * Diagnosis out. Symptoms no signature explains are listed, never guessed at.
 */
import type { FlowResult } from '../../analyze/types.ts';
import type { AnalysisResult } from '../analyze.ts';
import { podEndpoint } from '../../model/endpoints.ts';
import type { ClusterModel, PodModel } from '../../model/types.ts';
import { classOfNode, fixesFor, flowsFromClass, worstStatus } from '../source-classes.ts';
import { clusterFacts, schedulingCluster } from '../../placement/cluster.ts';
import { schedulingSpec } from '../../placement/spec.ts';
import { tolerationsToFit } from '../../placement/tolerations.ts';
import { AICR_VALIDATOR_LABEL_KEYS } from '../../placement/profiles.ts';
import type { SchedulingCluster } from '../../placement/types.ts';
import type { Status } from '../../reachability/types.ts';
import type { RequirementId } from '../../requirements/catalog.ts';
import { joinPath } from '../../snapshot/parse.ts';
import type { InputIssue, Snapshot } from '../../snapshot/types.ts';
import { TOOL_VERSION } from '../../base/version.ts';
import type { CtrfReport } from './ctrf.ts';
import { observe, podSubject } from './observe.ts';
import { causeSpecs, signatures, type CauseId, type Signature } from './signatures.ts';
import type {
  Cause,
  Confidence,
  Diagnosis,
  Evidence,
  LinkedFlow,
  Observation,
  UnexplainedSymptom,
} from './types.ts';

export interface DiagnoseInput {
  readonly snapshot: Snapshot;
  readonly model: ClusterModel;
  /** The static analysis of the same snapshot. */
  readonly analysis: AnalysisResult;
  readonly reports: readonly CtrfReport[];
  /** What the caller says about where its inputs came from (e.g. which AICR run was read). */
  readonly notes?: readonly string[];
}

/** One signature seen on one subject, with the flows it points to and the cause that follows. */
interface Finding {
  readonly subject: string;
  readonly signature: Signature;
  readonly observations: Observation[];
  readonly flows: FlowResult[];
  readonly cause: CauseId;
  readonly requirement?: RequirementId;
  readonly evidence: Evidence[];
  readonly advice: string[];
  readonly fixFlows: FlowResult[];
}

/** Lines kept per finding from each kind of text a crash loop repeats (log lines, message lines). */
const LINES_PER_FINDING = 2;

/** The validator check a subject stands for: its CTRF result, or (the name from `aicr-` on) its pod. */
function checkOf(subject: string): string | undefined {
  const validator = /^validator:(?:[^/]*\/)?(.+)$/.exec(subject);
  if (validator) return validator[1];
  return /^pod:[^/]+\/aicr-(.+)$/.exec(subject)?.[1];
}

function matches(
  signature: Signature,
  o: Observation,
  restarted: ReadonlySet<string>,
  failedPhases: ReadonlySet<string>,
): boolean {
  if (!signature.in.includes(o.source)) return false;
  if (signature.whilePassed?.some((phase) => failedPhases.has(phase))) return false;
  if (signature.eventReason && o.reason !== signature.eventReason) return false;
  if (signature.check) {
    const check = checkOf(o.subject);
    if (check === undefined || !signature.check.test(check)) return false;
  }
  if (o.source === 'validator' && !o.symptom) return false;
  if (signature.requiresRestart && !restarted.has(o.subject)) return false;
  return signature.pattern.test(o.text);
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x) => b.includes(x));

/** Flows of the requirements from the pod's own source class (running pod first, else predicted on its node). */
function podFlows(
  analysis: AnalysisResult,
  model: ClusterModel,
  pod: PodModel,
  requirements: readonly RequirementId[],
): FlowResult[] {
  const label = `${pod.namespace}/${pod.name}`;
  const endpoint = podEndpoint(model, pod);
  const own = analysis.flows.filter(
    (f) =>
      requirements.includes(f.requirement) &&
      f.source.kind === 'pods' &&
      (f.source.members.includes(label) ||
        (f.source.nodeGroup === endpoint.nodeGroup &&
          sameSet(f.source.securityGroups, endpoint.securityGroups))),
  );
  if (own.length > 0) return own;
  const sourceClass = pod.nodeName ? classOfNode(model, pod.nodeName) : undefined;
  return sourceClass ? requirements.flatMap((r) => flowsFromClass(analysis, r, sourceClass)) : [];
}

interface Run {
  readonly node: string;
  readonly evidence: Evidence;
}

/** Which pods ran a validator subject: the check's pods (by label or `aicr-<check>-` name), or the pod itself. */
function runsOf(
  subject: string,
): (namespace: string, name: string, labels: Record<string, string>) => boolean {
  const pod = /^pod:([^/]+)\/(.+)$/.exec(subject);
  if (pod) return (namespace, name) => namespace === pod[1] && name === pod[2];
  const check = subject.split('/').pop()!;
  const prefix = `aicr-${check}-`;
  return (_namespace, name, labels) =>
    AICR_VALIDATOR_LABEL_KEYS.some((key) => labels[key] === check) || name.startsWith(prefix);
}

/** Where the validator's own pod ran: its Pod object, else its Scheduled event. */
function validatorRuns(subject: string, model: ClusterModel, observations: readonly Observation[]): Run[] {
  const ran = runsOf(subject);
  const runs: Run[] = [];
  for (const pod of model.pods) {
    if (!pod.nodeName || !ran(pod.namespace, pod.name, pod.labels)) continue;
    runs.push({
      node: pod.nodeName,
      evidence: {
        file: pod.origin.file,
        path: joinPath(pod.origin.path, ['spec', 'nodeName']),
        text: `validator pod ${pod.namespace}/${pod.name} ran on ${pod.nodeName}`,
      },
    });
  }
  if (runs.length > 0) return runs;
  for (const o of observations) {
    if (o.source !== 'event' || o.reason !== 'Scheduled') continue;
    const assigned = /Successfully assigned (\S+)\/(\S+) to (\S+)/.exec(o.text);
    if (assigned && ran(assigned[1]!, assigned[2]!, {}))
      runs.push({ node: assigned[3]!, evidence: o.evidence });
  }
  return runs;
}

function requirementTitle(analysis: AnalysisResult, id: RequirementId): string {
  const r = analysis.requirements.find((x) => x.id === id);
  if (!r) return id;
  const port = r.ports.from === r.ports.to ? `${r.ports.from}` : `${r.ports.from}-${r.ports.to}`;
  return `${r.title} (${r.protocol}/${port})`;
}

/** What the analysis says about requirements that have no linked flow. */
function whyNoFlows(analysis: AnalysisResult, requirements: readonly RequirementId[]): string {
  if (requirements.length === 0) return 'no network flow to check: not a reachability symptom';
  return requirements
    .map((id) => {
      const na = analysis.notApplicable.find((n) => n.id === id);
      if (na) return `${na.title} is not required for Dynamo ${analysis.dynamo.version} (${na.because})`;
      const skipped = analysis.skipped.find((s) => s.requirement === id);
      if (skipped) return `${skipped.title} was not evaluated: ${skipped.why}`;
      return `no ${id} flow from this source in the analysis`;
    })
    .join('; ');
}

function link(f: FlowResult, names: Record<string, string>): LinkedFlow {
  const end = (e: FlowResult['source']): string =>
    `${e.nodeGroup}${e.kind === 'control-plane' ? '' : ` ${e.kind}`} [${e.securityGroups.map((g) => names[g] ?? g).join(', ') || 'no SGs'}]`;
  return {
    id: f.id,
    requirement: f.requirement,
    title: f.title,
    port: f.port,
    status: f.status,
    from: end(f.source),
    to: end(f.destination),
    reason: f.coLocationMasks ?? f.reason,
  };
}

class Diagnoser {
  private readonly findings: Finding[] = [];
  private readonly pods: Map<string, PodModel>;

  constructor(
    private readonly input: DiagnoseInput,
    private readonly observations: readonly Observation[],
    private readonly restarted: ReadonlySet<string>,
    private readonly cluster: SchedulingCluster,
  ) {
    this.pods = new Map(input.model.pods.map((p) => [podSubject(p.namespace, p.name), p]));
  }

  run(): Finding[] {
    const failedPhases = new Set(
      this.observations.filter((o) => o.source === 'validator' && o.symptom).map((o) => o.phase ?? ''),
    );
    const primary = signatures.filter((s) => !s.consequence);
    const consequences = signatures.filter((s) => s.consequence);
    for (const group of [primary, consequences]) {
      const seen = new Map<string, { signature: Signature; found: Observation[] }>();
      for (const o of this.observations) {
        for (const signature of group) {
          if (!matches(signature, o, this.restarted, failedPhases)) continue;
          const key = `${o.subject}\u0000${signature.id}`;
          const entry = seen.get(key) ?? { signature, found: [] };
          entry.found.push(o);
          seen.set(key, entry);
        }
      }
      for (const { signature, found } of seen.values()) this.find(signature, found);
    }
    return this.findings;
  }

  private find(signature: Signature, found: Observation[]): void {
    const subject = found[0]!.subject;
    const observations = this.trim(found);
    if (signature.consequence) {
      const other = this.findings.find((f) => f.subject === subject);
      if (other) {
        other.evidence.push(...observations.map((o) => ({ ...o.evidence, signature: signature.id })));
        return;
      }
    }
    const { flows, evidence, notes } = this.linkFlows(subject, signature);
    const status = worstStatus(flows);
    const cause: CauseId =
      status === 'blocked' && signature.whenBlocked ? signature.whenBlocked : signature.otherwise;
    const requirement =
      cause === 'flow-blocked'
        ? signature.requirements.find((r) => flows.some((f) => f.requirement === r && f.status === 'blocked'))
        : signature.requirements[0];
    const shown = cause === 'flow-blocked' ? flows.filter((f) => f.requirement === requirement) : flows;
    let fixFlows = shown.filter((f) => f.status === 'blocked');
    const advice = [...notes];
    if (cause === 'flow-blocked' && signature.scope === 'orchestrator-node') {
      // The next run may land on any node it tolerates: every blocked source class needs the rule.
      const others = this.input.analysis.flows.filter(
        (f) => f.requirement === requirement && f.status === 'blocked' && !fixFlows.includes(f),
      );
      if (others.length > 0) {
        advice.push(
          `the orchestrator only prefers the Prometheus node: ${others.length} other blocked source class${others.length === 1 ? '' : 'es'} can host the next run (dynamo-netcheck placement lists them); their rules are included`,
        );
        fixFlows = [...fixFlows, ...others];
      }
    }
    if (cause === 'untolerated-taint') advice.push(...this.tolerationAdvice(subject));
    this.findings.push({
      subject,
      signature,
      observations,
      flows: shown,
      cause,
      ...(requirement ? { requirement } : {}),
      evidence: [...observations.map((o) => ({ ...o.evidence, signature: signature.id })), ...evidence],
      advice,
      fixFlows,
    });
  }

  /**
   * A crash-looping container logs the same line every restart, and its termination message
   * repeats its log: keep a few distinct lines of each source, whichever sources said it.
   */
  private trim(found: Observation[]): Observation[] {
    const distinct = [...new Map(found.map((o) => [`${o.source}\u0000${o.text}`, o])).values()];
    const kept = new Map<string, number>();
    return distinct.filter((o) => {
      if (o.source !== 'log' && o.source !== 'message') return true;
      const n = kept.get(o.source) ?? 0;
      kept.set(o.source, n + 1);
      return n < LINES_PER_FINDING;
    });
  }

  private linkFlows(
    subject: string,
    signature: Signature,
  ): { flows: FlowResult[]; evidence: Evidence[]; notes: string[] } {
    const { analysis, model } = this.input;
    const requirements = signature.requirements;
    if (requirements.length === 0) return { flows: [], evidence: [], notes: [] };
    const everyFlow = analysis.flows.filter((f) => requirements.includes(f.requirement));
    const pod = this.pods.get(subject);
    if (signature.scope === 'subject-pod' && pod)
      return { flows: podFlows(analysis, model, pod, requirements), evidence: [], notes: [] };
    if (signature.scope === 'probed-pod') {
      // Only the flows that end at this pod: the kubelet of its node probing it (a class names up
      // to ten pods; past that, the class of the pod's group and security groups).
      const label = pod ? `${pod.namespace}/${pod.name}` : subject.replace(/^pod:/, '');
      const endpoint = pod && podEndpoint(model, pod);
      const flows = everyFlow.filter(
        (f) =>
          f.destination.kind === 'pods' &&
          (f.destination.members.includes(label) ||
            (endpoint !== undefined &&
              f.destination.count > f.destination.members.length &&
              f.destination.nodeGroup === endpoint.nodeGroup &&
              sameSet(f.destination.securityGroups, endpoint.securityGroups))),
      );
      return { flows, evidence: [], notes: [] };
    }
    if (signature.scope === 'orchestrator-node') {
      const runs = validatorRuns(subject, model, this.observations);
      if (runs.length === 0) {
        return {
          flows: everyFlow,
          evidence: [],
          notes: [
            'the snapshot holds neither the validator pod nor its Scheduled event: any source class may have run it',
          ],
        };
      }
      const flows = new Set<FlowResult>();
      const notes: string[] = [];
      for (const run of runs) {
        const sourceClass = classOfNode(model, run.node);
        if (!sourceClass) {
          notes.push(`the validator ran on ${run.node}, which is not in the snapshot`);
          continue;
        }
        notes.push(
          `the validator ran on ${run.node} (node group ${sourceClass.nodeGroup}, pod SGs ${sourceClass.securityGroups.map((g) => analysis.securityGroupNames[g] ?? g).join(', ') || 'unknown'})`,
        );
        for (const r of requirements) for (const f of flowsFromClass(analysis, r, sourceClass)) flows.add(f);
      }
      return { flows: [...flows], evidence: runs.map((r) => r.evidence), notes };
    }
    return { flows: everyFlow, evidence: [], notes: [] };
  }

  private tolerationAdvice(subject: string): string[] {
    const pod = this.pods.get(subject);
    if (!pod)
      return ['add the tolerations for the taints in the message (e.g. tolerations: [{operator: Exists}])'];
    const spec = schedulingSpec(
      { namespace: pod.namespace, name: pod.name, labels: pod.labels },
      pod.raw.spec,
      joinPath(pod.origin.path, ['spec']),
      pod.origin,
    );
    if (!spec.ok) return [];
    const advice = tolerationsToFit(this.cluster, spec.spec);
    if (!advice) return [`${pod.namespace}/${pod.name}: taints are not all that keeps it off every node`];
    const fits = [...advice.decision.preferred, ...advice.decision.fallback];
    const tolerations = advice.tolerations
      .map((t) => `{key: ${t.key}, operator: Exists, effect: ${t.effect}}`)
      .join(', ');
    const groups = [
      ...new Set(advice.decision.nodes.filter((n) => n.role !== 'infeasible').map((n) => n.nodeGroup)),
    ];
    return [
      fits.length > 0
        ? `${pod.namespace}/${pod.name}: add tolerations: [${tolerations}] — it then fits ${fits.length} node(s) in ${groups.join(', ')}`
        : `${pod.namespace}/${pod.name}: even tolerating [${tolerations}] it fits nowhere: ${advice.decision.unschedulable}`,
    ];
  }
}

const confidenceOrder: Record<Confidence, number> = { confirmed: 0, likely: 1, possible: 2 };

function staticVerdict(
  analysis: AnalysisResult,
  flows: readonly FlowResult[],
  requirements: readonly RequirementId[],
): string {
  const status = worstStatus(flows);
  if (!status) return whyNoFlows(analysis, requirements);
  const count = (s: Status): number => flows.filter((f) => f.status === s).length;
  return `${status}: ${count('blocked')} blocked, ${count('unknown')} unknown, ${count('allowed')} allowed of ${flows.length} linked flow class${flows.length === 1 ? '' : 'es'}`;
}

/** Keeps the first of each key (the one that carries its signature). */
function dedupe<T>(items: readonly T[], key: (t: T) => string): T[] {
  const out = new Map<string, T>();
  for (const item of items) if (!out.has(key(item))) out.set(key(item), item);
  return [...out.values()];
}

function assemble(
  input: DiagnoseInput,
  findings: readonly Finding[],
  observations: readonly Observation[],
): Cause[] {
  const { analysis } = input;
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = f.cause === 'flow-blocked' ? `flow-blocked:${f.requirement}` : f.cause;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const causes = [...groups.entries()].map(([key, members]) => {
    const first = members[0]!;
    const spec = causeSpecs[first.cause];
    const subjects = [...new Set(members.map((m) => m.subject))];
    const flows = dedupe(
      members.flatMap((m) => m.flows),
      (f) => f.id,
    );
    const symptoms = observations
      .filter((o) => o.symptom && subjects.includes(o.subject))
      .map((o) => o.evidence);
    const requirements = [...new Set(members.flatMap((m) => m.signature.requirements))];
    return {
      id: key,
      rank: 0,
      title:
        first.cause === 'flow-blocked' && first.requirement
          ? `${requirementTitle(analysis, first.requirement)} is blocked`
          : spec.title,
      explanation: [...new Set(members.map((m) => m.signature.meaning))].join('; '),
      confidence: spec.confidence,
      staticVerdict: staticVerdict(analysis, flows, requirements),
      ...(first.requirement ? { requirement: first.requirement } : {}),
      subjects,
      signatures: [...new Set(members.map((m) => m.signature.id))],
      flows: flows.map((f) => link(f, analysis.securityGroupNames)),
      fixes: fixesFor(
        analysis,
        dedupe(
          members.flatMap((m) => m.fixFlows),
          (f) => f.id,
        ),
      ),
      advice: [...new Set([...members.flatMap((m) => m.advice), ...spec.advice])],
      evidence: dedupe(
        [...members.flatMap((m) => m.evidence), ...symptoms],
        (e) => `${e.file}\u0000${e.path}`,
      ),
    } satisfies Cause;
  });
  return causes
    .sort(
      (a, b) =>
        confidenceOrder[a.confidence] - confidenceOrder[b.confidence] ||
        b.subjects.length - a.subjects.length ||
        b.evidence.length - a.evidence.length ||
        a.id.localeCompare(b.id),
    )
    .map((c, i) => ({ ...c, rank: i + 1 }));
}

export function diagnose(
  input: DiagnoseInput,
): { ok: true; diagnosis: Diagnosis } | { ok: false; issues: InputIssue[] } {
  const { snapshot, model, analysis, reports } = input;
  const observed = observe(snapshot, model.pods, reports);
  const scheduling = schedulingCluster(model, clusterFacts(snapshot));
  const issues = [...observed.issues, ...scheduling.issues];
  if (issues.length > 0) return { ok: false, issues };

  const findings = new Diagnoser(input, observed.observations, observed.restarted, scheduling.cluster).run();
  const causes = assemble(input, findings, observed.observations);
  const explainedSubjects = new Set(causes.flatMap((c) => c.subjects));
  const explainedEvidence = new Set(causes.flatMap((c) => c.evidence.map((e) => `${e.file}\u0000${e.path}`)));
  const symptoms = observed.observations.filter((o) => o.symptom);
  const unexplained: UnexplainedSymptom[] = symptoms
    .filter(
      (o) =>
        !explainedSubjects.has(o.subject) &&
        !explainedEvidence.has(`${o.evidence.file}\u0000${o.evidence.path}`),
    )
    .map((o) => ({ subject: o.subject, text: o.text, evidence: o.evidence }));

  const notes: string[] = [...(input.notes ?? [])];
  if (snapshot.podLogs.length === 0)
    notes.push(
      'no pod logs in the snapshot (snapshot --logs captures them): signatures were matched against the pods’ termination and state messages, events and validator results only',
    );
  if (!snapshot.captured.has('Event'))
    notes.push('no events in the snapshot: probe failures and scheduling events were not read');
  if (reports.length === 0)
    notes.push(
      'no AICR validator report read (--ctrf, or diagnose --live from the aicr-ctrf-* ConfigMaps): validator results were not read',
    );

  return {
    ok: true,
    diagnosis: {
      tool: { name: 'dynamo-netcheck', version: TOOL_VERSION },
      cluster: {
        ...(analysis.cluster.name ? { name: analysis.cluster.name } : {}),
        ...(analysis.cluster.vpcId ? { vpcId: analysis.cluster.vpcId } : {}),
      },
      dynamo: analysis.dynamo,
      verdict:
        causes.length > 0
          ? 'causes-found'
          : unexplained.length > 0
            ? 'unexplained-symptoms'
            : 'no-problem-found',
      summary: { symptoms: symptoms.length, causes: causes.length, unexplained: unexplained.length },
      causes,
      unexplained,
      read: {
        pods: model.pods.length,
        podMessages: observed.observations.filter((o) => o.source === 'message').length,
        events: snapshot.events.length,
        logLines: snapshot.podLogs.reduce((n, l) => n + l.value.lines.length, 0),
        validatorTests: reports.reduce((n, r) => n + r.tests.length, 0),
      },
      notes,
    },
  };
}
