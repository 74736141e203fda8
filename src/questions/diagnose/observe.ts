/**
 * Reads what the cluster and the validator say into observations, each with the file and path it
 * came from: container states, pod conditions, every message Kubernetes keeps on a pod (the pod's
 * and each container's state and last-state messages: a crashed container's termination message
 * is often the only trace of why it exited), events, captured log lines and CTRF test results.
 */
import { z } from 'zod';
import type { PodModel } from '../../model/types.ts';
import { joinPath } from '../../snapshot/parse.ts';
import type { InputIssue, Snapshot } from '../../snapshot/types.ts';
import type { CtrfReport } from './ctrf.ts';
import type { Observation } from './types.ts';

const containerState = z.looseObject({
  waiting: z.looseObject({ reason: z.string().optional(), message: z.string().nullish() }).nullish(),
  terminated: z
    .looseObject({
      exitCode: z.number().int(),
      reason: z.string().optional(),
      message: z.string().nullish(),
    })
    .nullish(),
});
type ContainerState = z.infer<typeof containerState>;

const containerStatus = z.looseObject({
  name: z.string(),
  ready: z.boolean().nullish(),
  restartCount: z.number().int().optional(),
  state: containerState.nullish(),
  lastState: containerState.nullish(),
});
type ContainerStatus = z.infer<typeof containerStatus>;

const podStatus = z.looseObject({
  phase: z.string().optional(),
  message: z.string().nullish(),
  conditions: z
    .array(
      z.looseObject({
        type: z.string(),
        status: z.string(),
        reason: z.string().nullish(),
        message: z.string().nullish(),
      }),
    )
    .nullish(),
  containerStatuses: z.array(containerStatus).nullish(),
  initContainerStatuses: z.array(containerStatus).nullish(),
});

const objectRef = z.looseObject({
  kind: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string().optional(),
});

/** core/v1 Event (`kubectl get events -o json`) or events.k8s.io/v1 Event. */
const event = z.looseObject({
  type: z.string().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
  note: z.string().optional(),
  count: z.number().int().nullish(),
  deprecatedCount: z.number().int().nullish(),
  involvedObject: objectRef.optional(),
  regarding: objectRef.optional(),
});

/** Waiting reasons that are just a container starting. */
const STARTING = new Set(['ContainerCreating', 'PodInitializing']);

export const podSubject = (namespace: string, name: string): string => `pod:${namespace}/${name}`;

const MESSAGE_SHOWN = 240;

/** The last line of a (possibly multi-line) message: a traceback ends with the exception. */
function lastLine(message: string): string {
  const line = message.trim().split('\n').at(-1)!.trim();
  return line.length > MESSAGE_SHOWN ? `${line.slice(0, MESSAGE_SHOWN)}…` : line;
}

function terminatedText(t: NonNullable<ContainerState['terminated']>): string {
  return `exit code ${t.exitCode}${t.reason ? ` (${t.reason})` : ''}${t.message?.trim() ? `: ${lastLine(t.message)}` : ''}`;
}

type PodStatus = z.infer<typeof podStatus>;

/** The container status lists of a pod, with the key they are under and what to call their members. */
const statusLists = (
  status: PodStatus,
): [string, readonly ContainerStatus[] | null | undefined, string][] => [
  ['containerStatuses', status.containerStatuses, 'container'],
  ['initContainerStatuses', status.initContainerStatuses, 'init container'],
];

/** Where a container keeps a message: its current and its last state, waiting or terminated. */
const MESSAGE_FIELDS = [
  ['state', 'waiting'],
  ['state', 'terminated'],
  ['lastState', 'waiting'],
  ['lastState', 'terminated'],
] as const;

/**
 * Every message Kubernetes keeps on the pod, one observation per non-empty line (a termination
 * message of `FallbackToLogsOnError` holds the last log lines), each naming the field it is in.
 * Not symptoms in themselves (the container state is): what signatures are matched against. A
 * container that is ready again keeps its last crash's message: history, not a symptom, so passed over.
 */
function messageObservations(
  pod: PodModel,
  subject: string,
  statusPath: string,
  status: PodStatus,
): Observation[] {
  const out: Observation[] = [];
  const label = `pod ${pod.namespace}/${pod.name}`;
  const add = (path: string, where: string, message: string | null | undefined): void => {
    for (const line of (message ?? '').split('\n')) {
      const text = line.trim();
      if (!text) continue;
      out.push({
        subject,
        source: 'message',
        text,
        symptom: false,
        evidence: { file: pod.origin.file, path, text: `${label} ${where}: ${text}` },
      });
    }
  };
  add(joinPath(statusPath, ['message']), 'status.message', status.message);
  for (const [key, statuses, noun] of statusLists(status)) {
    statuses?.forEach((c, i) => {
      for (const [which, kind] of MESSAGE_FIELDS) {
        if (which === 'lastState' && c.ready === true) continue;
        const message = c[which]?.[kind]?.message;
        if (!message) continue;
        add(
          joinPath(statusPath, [key, i, which, kind, 'message']),
          `${noun} ${c.name} ${which}.${kind}.message`,
          message,
        );
      }
    });
  }
  return out;
}

function podObservations(pod: PodModel, issues: InputIssue[], restarted: Set<string>): Observation[] {
  const statusPath = joinPath(pod.origin.path, ['status']);
  const parsed = podStatus.safeParse(pod.raw.status ?? {});
  if (!parsed.success) {
    for (const i of parsed.error.issues)
      issues.push({ file: pod.origin.file, path: joinPath(statusPath, i.path), message: i.message });
    return [];
  }
  const subject = podSubject(pod.namespace, pod.name);
  const out: Observation[] = [];
  const observe = (path: string, text: string): void => {
    out.push({
      subject,
      source: 'pod-status',
      text,
      symptom: true,
      evidence: { file: pod.origin.file, path, text },
    });
  };
  const status = parsed.data;
  if (status.phase === 'Pending') {
    status.conditions?.forEach((c, i) => {
      if (c.type === 'PodScheduled' && c.status === 'False')
        observe(
          joinPath(statusPath, ['conditions', i]),
          `Pending: ${c.reason ?? 'not scheduled'}: ${c.message ?? ''}`.trim(),
        );
    });
  }
  for (const [key, statuses, noun] of statusLists(status)) {
    statuses?.forEach((c, i) => {
      if ((c.restartCount ?? 0) > 0 || c.lastState?.terminated) restarted.add(subject);
      const path = joinPath(statusPath, [key, i]);
      const waiting = c.state?.waiting;
      const last = c.lastState?.terminated;
      if (waiting?.reason && !STARTING.has(waiting.reason)) {
        const restarts = c.restartCount ? `, ${c.restartCount} restarts` : '';
        const lastExit = last ? `, last ${terminatedText(last)}` : '';
        observe(
          joinPath(path, ['state', 'waiting']),
          `${noun} ${c.name} ${waiting.reason}${restarts}${lastExit}`,
        );
      }
      const terminated = c.state?.terminated;
      if (terminated && terminated.exitCode !== 0)
        observe(
          joinPath(path, ['state', 'terminated']),
          `${noun} ${c.name} terminated: ${terminatedText(terminated)}`,
        );
    });
  }
  out.push(...messageObservations(pod, subject, statusPath, status));
  return out;
}

function eventObservations(snapshot: Snapshot, issues: InputIssue[]): Observation[] {
  const out: Observation[] = [];
  for (const { value, origin } of snapshot.events) {
    const parsed = event.safeParse(value);
    if (!parsed.success) {
      for (const i of parsed.error.issues)
        issues.push({ file: origin.file, path: joinPath(origin.path, i.path), message: i.message });
      continue;
    }
    const e = parsed.data;
    const ref = e.involvedObject ?? e.regarding;
    const message = e.message ?? e.note ?? '';
    if (!ref?.name) continue;
    const kind = (ref.kind ?? 'object').toLowerCase();
    const subject = `${kind}:${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
    const count = e.count ?? e.deprecatedCount ?? 1;
    const text = `${e.reason ?? 'Event'}: ${message}${count > 1 ? ` (×${count})` : ''}`;
    const messagePath = joinPath(origin.path, [e.message !== undefined ? 'message' : 'note']);
    out.push({
      subject,
      source: 'event',
      text,
      symptom: e.type === 'Warning',
      evidence: { file: origin.file, path: messagePath, text },
      ...(e.reason ? { reason: e.reason } : {}),
    });
  }
  return out;
}

function logObservations(snapshot: Snapshot): Observation[] {
  return snapshot.podLogs.flatMap(({ value, origin }) =>
    value.lines.map((line, i) => {
      const text = line.trim();
      return {
        subject: podSubject(value.namespace, value.pod),
        source: 'log' as const,
        text,
        symptom: false,
        evidence: {
          file: origin.file,
          path: joinPath(origin.path, ['lines', i]),
          text: `${value.container}${value.previous ? ' (previous)' : ''}: ${text}`,
        },
      };
    }),
  );
}

export const validatorSubject = (phase: string, name: string): string =>
  `validator:${phase ? `${phase}/` : ''}${name}`;

function validatorObservations(reports: readonly CtrfReport[]): Observation[] {
  return reports.flatMap((report) =>
    report.tests.map((t) => {
      const failed = t.status === 'failed' || t.status === 'other';
      const text =
        t.message ??
        `${t.status}${t.durationMs !== undefined ? ` after ${Math.round(t.durationMs / 1000)} s` : ''}`;
      return {
        subject: validatorSubject(t.phase, t.name),
        source: 'validator' as const,
        text,
        symptom: failed,
        evidence: {
          file: t.file,
          path: t.message ? joinPath(t.path, ['message']) : t.path,
          text: `${t.status}: ${text}`,
        },
        reason: t.status,
        phase: t.phase,
      };
    }),
  );
}

export interface Observed {
  readonly observations: Observation[];
  /** Pods with a container that has exited at least once. */
  readonly restarted: ReadonlySet<string>;
  readonly issues: InputIssue[];
}

export function observe(
  snapshot: Snapshot,
  pods: readonly PodModel[],
  reports: readonly CtrfReport[],
): Observed {
  const issues: InputIssue[] = [];
  const restarted = new Set<string>();
  const observations = [
    ...pods.flatMap((p) => podObservations(p, issues, restarted)),
    ...eventObservations(snapshot, issues),
    ...logObservations(snapshot),
    ...validatorObservations(reports),
  ];
  return { observations, restarted, issues };
}
