import type { Status } from '../../reachability/types.ts';
import type { RequirementId } from '../../requirements/catalog.ts';

/** Where a piece of evidence was read: the file and the JSON path inside it, and what it says. */
export interface Evidence {
  readonly file: string;
  readonly path: string;
  readonly text: string;
  /** The signature it matched, when it matched one. */
  readonly signature?: string;
}

/**
 * `pod-status`: a pod's state in one line (Pending, a container waiting or failed) — a symptom.
 * `message`: one line of a message Kubernetes keeps on a pod (`status.message`, a container's
 * `state`/`lastState` `waiting`/`terminated` `.message`). `event`: an event's message. `log`: a
 * captured log line. `validator`: a CTRF test result's message.
 */
export type ObservationSource = 'log' | 'message' | 'event' | 'pod-status' | 'validator';

/** Who shows the symptom: `pod:<ns>/<name>`, `validator:<phase>/<check>`, or `<kind>:<ns>/<name>` for other objects. */
export type SubjectKey = string;

/** One fact read from the cluster or a report. `symptom` = a problem in itself (not every log line is). */
export interface Observation {
  readonly subject: SubjectKey;
  readonly source: ObservationSource;
  readonly text: string;
  readonly symptom: boolean;
  readonly evidence: Evidence;
  /** Event reason (`BackOff`, `Unhealthy`, `FailedScheduling`, `Scheduled`). */
  readonly reason?: string;
  /** Validator results: the phase (deployment, conformance, performance), '' when none is given. */
  readonly phase?: string;
}

/** How much the static analysis backs a cause. */
export type Confidence = 'confirmed' | 'likely' | 'possible';

export interface LinkedFlow {
  readonly id: string;
  readonly requirement: RequirementId;
  readonly title: string;
  readonly port: number | string;
  readonly status: Status;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

export interface Cause {
  readonly id: string;
  readonly rank: number;
  readonly title: string;
  readonly explanation: string;
  readonly confidence: Confidence;
  /** Why this confidence: what the static analysis says about the flow. */
  readonly staticVerdict: string;
  readonly requirement?: RequirementId;
  readonly subjects: SubjectKey[];
  readonly signatures: string[];
  readonly flows: LinkedFlow[];
  readonly fixes: { id: string; command: string }[];
  /** What to do when no rule fixes it (e.g. add a toleration). */
  readonly advice: string[];
  readonly evidence: Evidence[];
}

export interface UnexplainedSymptom {
  readonly subject: SubjectKey;
  readonly text: string;
  readonly evidence: Evidence;
}

export interface Diagnosis {
  readonly tool: { readonly name: 'dynamo-netcheck'; readonly version: string };
  readonly cluster: { readonly name?: string; readonly vpcId?: string };
  readonly dynamo: { readonly version: string; readonly source: string };
  readonly verdict: 'causes-found' | 'unexplained-symptoms' | 'no-problem-found';
  readonly summary: { readonly symptoms: number; readonly causes: number; readonly unexplained: number };
  readonly causes: Cause[];
  readonly unexplained: UnexplainedSymptom[];
  /** What was read: counts per source, so "no problem found" can be judged. */
  readonly read: {
    readonly pods: number;
    /** Lines of the messages Kubernetes keeps on the pods (termination, waiting, status). */
    readonly podMessages: number;
    readonly events: number;
    readonly logLines: number;
    readonly validatorTests: number;
  };
  readonly notes: string[];
}
