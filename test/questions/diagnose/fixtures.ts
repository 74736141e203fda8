/**
 * Real-shaped symptoms for diagnose tests: crash-looping Dynamo pods (as `kubectl get pods -o json`
 * prints them), core/v1 Events, the tool's PodLogs documents and AICR CTRF reports, on a small
 * cluster whose NATS and Prometheus rules the test chooses.
 */
import { analyzeSnapshot, type AnalysisResult, type AnalyzeOptions } from '../../../src/questions/analyze.ts';
import { parseCtrf, type CtrfReport } from '../../../src/questions/diagnose/ctrf.ts';
import { diagnose } from '../../../src/questions/diagnose/diagnose.ts';
import type { Diagnosis } from '../../../src/questions/diagnose/types.ts';
import { buildModel } from '../../../src/model/build.ts';
import assert from 'node:assert/strict';
import { loadSnapshot } from '../../../src/snapshot/load.ts';
import type { InputIssue } from '../../../src/snapshot/types.ts';
import { allTraffic, scenario, tcp, type Scenario } from '../../helpers/scenario.ts';

type Json = Record<string, unknown>;

export interface ClusterOptions {
  /** Whether the system SG lets the GPU SG in on 4222. */
  readonly nats: 'allowed' | 'blocked';
  readonly etcdAllowed?: boolean;
}

/** system (NATS, Prometheus) / gpu (Dynamo pods) / inference node groups, each its own SG. */
export function dynamoCluster(o: ClusterOptions): Scenario {
  return scenario()
    .subnet('subnet-sys', '10.0.16.0/20')
    .subnet('subnet-gpu', '10.0.32.0/20')
    .withoutNacls()
    .sg('sg-sys', [
      allTraffic.fromGroup('sg-sys'),
      tcp(9090).fromGroup('sg-gpu'),
      ...(o.nats === 'allowed' ? [tcp(4222).fromGroup('sg-gpu')] : []),
      ...(o.etcdAllowed ? [tcp(2379).fromGroup('sg-gpu')] : []),
    ])
    .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu'), allTraffic.fromGroup('sg-sys')])
    .sg('sg-infer', [allTraffic.fromGroup('sg-infer')])
    .node('sys-1', {
      group: 'system',
      subnet: 'subnet-sys',
      ip: '10.0.16.10',
      sgs: ['sg-sys'],
      podIps: ['10.0.16.11', '10.0.16.12', '10.0.16.13'],
    })
    .node('gpu-1', {
      group: 'gpu',
      subnet: 'subnet-gpu',
      ip: '10.0.32.10',
      sgs: ['sg-gpu'],
      gpu: true,
      podIps: ['10.0.32.11', '10.0.32.12', '10.0.32.13'],
    })
    .node('inf-1', { group: 'inference', subnet: 'subnet-sys', ip: '10.0.16.20', sgs: ['sg-infer'] })
    .nats('nats-0', 'sys-1', '10.0.16.11')
    .prometheus('prometheus-0', 'sys-1', '10.0.16.12');
}

export const list = (items: Json[]): Json => ({ apiVersion: 'v1', kind: 'List', items });

export interface PodStatusOptions {
  readonly restarts?: number;
  /** Current state: crash-looping (default), running, or a finished Job pod. */
  readonly state?: 'crash-loop' | 'running' | 'failed';
  readonly version?: string;
  /** The crashed container's termination message (`lastState.terminated.message`). */
  readonly lastMessage?: string;
}

/** A Dynamo frontend/worker pod as kubectl prints it, with its container status. */
export function dynamoPod(
  name: string,
  role: 'frontend' | 'worker',
  node: string,
  ip: string,
  o: PodStatusOptions = {},
): Json {
  const restarts = o.restarts ?? (o.state === 'running' ? 0 : 7);
  const last =
    restarts > 0
      ? {
          terminated: {
            exitCode: 1,
            reason: 'Error',
            startedAt: '2025-06-17T13:58:19Z',
            finishedAt: '2025-06-17T13:58:52Z',
            ...(o.lastMessage ? { message: o.lastMessage } : {}),
          },
        }
      : {};
  const state =
    o.state === 'running'
      ? { running: { startedAt: '2025-06-17T13:02:59Z' } }
      : {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: `back-off 5m0s restarting failed container=main pod=${name}_dynamo-workload(uid)`,
          },
        };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'dynamo-workload',
      labels: {
        'nvidia.com/dynamo-component-type': role,
        'nvidia.com/dynamo-graph-deployment-name': 'vllm-agg',
      },
    },
    spec: {
      nodeName: node,
      containers: [
        {
          name: 'main',
          image: `nvcr.io/nvidia/ai-dynamo/vllm-runtime:${o.version ?? '1.2.0'}`,
          resources: { requests: { cpu: '2', memory: '4Gi' } },
          env: [
            {
              name: 'NATS_SERVER',
              value: 'nats://dynamo-platform-nats.dynamo-system.svc.cluster.local:4222',
            },
          ],
        },
      ],
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    },
    status: {
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      containerStatuses: [
        { name: 'main', ready: false, restartCount: restarts, started: false, state, lastState: last },
      ],
    },
  };
}

/** The AICR conformance Job's pod after its check failed. */
export function validatorPod(check: string, node: string): Json {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `aicr-${check}-3f9c1a2b-tq8zn`,
      namespace: 'aicr-validation',
      labels: { 'app.kubernetes.io/name': 'aicr', 'aicr.nvidia.com/validator': check },
    },
    spec: {
      nodeName: node,
      restartPolicy: 'Never',
      tolerations: [{ operator: 'Exists' }],
      containers: [{ name: 'validator', image: 'ghcr.io/nvidia/aicr-validators/conformance:v0.14.0' }],
    },
    status: {
      phase: 'Failed',
      podIP: '10.0.16.21',
      containerStatuses: [
        {
          name: 'validator',
          restartCount: 0,
          state: { terminated: { exitCode: 1, reason: 'Error', message: 'Prometheus unreachable' } },
        },
      ],
    },
  };
}

export function event(
  pod: string,
  namespace: string,
  reason: string,
  message: string,
  type = 'Warning',
  count = 1,
): Json {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${pod}.184a1f0c3b9d6e21`, namespace },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: pod, namespace },
    reason,
    message,
    type,
    count,
    firstTimestamp: '2025-06-17T13:03:21Z',
    lastTimestamp: '2025-06-17T13:58:51Z',
    source: {
      component: reason === 'FailedScheduling' || reason === 'Scheduled' ? 'default-scheduler' : 'kubelet',
    },
  };
}

export function podLogs(items: { pod: string; lines: string[]; namespace?: string }[]): Json {
  return {
    apiVersion: 'dynamo-netcheck/v1',
    kind: 'PodLogs',
    items: items.map((i) => ({
      namespace: i.namespace ?? 'dynamo-workload',
      pod: i.pod,
      container: 'main',
      previous: true,
      lines: i.lines,
    })),
  };
}

export function ctrf(tests: { name: string; phase: string; status: string; message?: string }[]): Json {
  return {
    reportFormat: 'CTRF',
    specVersion: '0.0.1',
    results: {
      tool: { name: 'aicr', version: 'v0.14.0' },
      summary: {
        tests: tests.length,
        passed: 0,
        failed: 0,
        skipped: 0,
        pending: 0,
        other: 0,
        start: 0,
        stop: 0,
      },
      tests: tests.map((t) => ({
        name: t.name,
        status: t.status,
        duration: 1000,
        suite: [t.phase],
        ...(t.message ? { message: t.message } : {}),
      })),
    },
  };
}

export const PROMETHEUS_UNREACHABLE =
  '[SERVICE_UNAVAILABLE] Prometheus unreachable at http://kube-prometheus-prometheus.monitoring.svc:9090 — verify network connectivity (security groups, network policies) between validator pod and Prometheus service: Get "http://kube-prometheus-prometheus.monitoring.svc:9090/api/v1/query?query=DCGM_FI_DEV_GPU_UTIL": dial tcp 172.20.96.121:9090: i/o timeout';

export function run(
  s: Scenario,
  reports: Json[] = [],
  options: AnalyzeOptions = {},
): { ok: true; diagnosis: Diagnosis } | { ok: false; issues: InputIssue[] } {
  const snapshot = s.snapshot();
  const parsed: CtrfReport[] = reports.map((r, i) => {
    const p = parseCtrf(r, `validator/report-${i}.ctrf.json`);
    if (!p.ok) throw new Error(p.issues.map((x) => `${x.path}: ${x.message}`).join('\n'));
    return p.report;
  });
  return diagnose({
    snapshot,
    model: buildModel(snapshot),
    analysis: analyzeSnapshot(snapshot, options),
    reports: parsed,
  });
}

export function diagnosisOf(s: Scenario, reports: Json[] = [], options: AnalyzeOptions = {}): Diagnosis {
  const result = run(s, reports, options);
  if (!result.ok) throw new Error(result.issues.map((i) => `${i.file}: ${i.path}: ${i.message}`).join('\n'));
  return result.diagnosis;
}

/** A snapshot directory loaded, analysed and diagnosed with no validator reports. */
export async function diagnoseDir(dir: string): Promise<{ analysis: AnalysisResult; diagnosis: Diagnosis }> {
  const snapshot = await loadSnapshot(dir);
  const analysis = analyzeSnapshot(snapshot);
  const result = diagnose({ snapshot, model: buildModel(snapshot), analysis, reports: [] });
  assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
  return { analysis, diagnosis: result.diagnosis };
}
