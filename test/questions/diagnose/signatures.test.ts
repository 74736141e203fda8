/** Each symptom signature → cause → linked flow, its static verdict and fix; unknown symptoms listed. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Cause, Diagnosis } from '../../../src/questions/diagnose/types.ts';
import { renderDiagnosis } from '../../../src/report/diagnose.ts';
import { loadSnapshot } from '../../../src/snapshot/load.ts';
import { analyzeSnapshot } from '../../../src/questions/analyze.ts';
import { buildModel } from '../../../src/model/build.ts';
import { diagnose } from '../../../src/questions/diagnose/diagnose.ts';
import {
  PROMETHEUS_UNREACHABLE,
  ctrf,
  diagnosisOf,
  dynamoCluster,
  dynamoPod,
  event,
  list,
  podLogs,
  validatorPod,
} from './fixtures.ts';

const NATS_TIMEOUT = [
  '2025-06-17T13:58:19.613Z  INFO dynamo_runtime::transports::nats: Connecting to nats://dynamo-platform-nats.dynamo-system.svc.cluster.local:4222',
  '2025-06-17T13:58:49.615Z ERROR dynamo_runtime::transports::nats: NATS connection failed after 30s: timed out',
  'Exception: Failed to connect to NATS: timed out',
];
const FIX_4222 =
  'aws ec2 authorize-security-group-ingress --group-id sg-sys --protocol tcp --port 4222 --source-group sg-gpu';

const crashing = () =>
  list([
    dynamoPod('frontend-0', 'frontend', 'gpu-1', '10.0.32.11'),
    dynamoPod('worker-0', 'worker', 'gpu-1', '10.0.32.12'),
  ]);

const ids = (d: Diagnosis): string[] => d.causes.map((c) => c.id);
const only = (d: Diagnosis): Cause => {
  assert.equal(d.causes.length, 1, `causes: ${ids(d).join(', ')}`);
  return d.causes[0]!;
};

describe('NATS signatures', () => {
  it('"Failed to connect to NATS: timed out" with 4222 blocked: confirmed, linked to the pods’ flow and its fix', () => {
    const d = diagnosisOf(
      dynamoCluster({ nats: 'blocked' })
        .file('k8s/dynamo.json', crashing())
        .file(
          'logs/dynamo.json',
          podLogs([
            { pod: 'frontend-0', lines: NATS_TIMEOUT },
            { pod: 'worker-0', lines: NATS_TIMEOUT },
          ]),
        ),
    );
    assert.equal(d.verdict, 'causes-found');
    const cause = only(d);
    assert.equal(cause.id, 'flow-blocked:nats');
    assert.equal(cause.title, 'NATS event plane (tcp/4222) is blocked');
    assert.equal(cause.confidence, 'confirmed');
    assert.deepEqual(cause.subjects, ['pod:dynamo-workload/frontend-0', 'pod:dynamo-workload/worker-0']);
    assert.deepEqual(
      cause.fixes.map((f) => f.command),
      [FIX_4222],
    );
    assert.ok(
      cause.flows.length > 0 && cause.flows.every((f) => f.requirement === 'nats' && f.status === 'blocked'),
      'blocked NATS flows',
    );
    assert.match(cause.staticVerdict, /^blocked: /);
    const where = cause.evidence.map((e) => `${e.file}: ${e.path}`);
    assert.ok(where.includes('logs/dynamo.json: items[0].lines[2]'), where.join('\n'));
    assert.ok(
      where.includes('k8s/dynamo.json: items[0].status.containerStatuses[0].state.waiting'),
      where.join('\n'),
    );
    assert.deepEqual(d.unexplained, []);
  });

  it('the same timeout with 4222 allowed: not called a blocked flow; says what the snapshot cannot see', () => {
    const d = diagnosisOf(
      dynamoCluster({ nats: 'allowed' })
        .file('k8s/dynamo.json', crashing())
        .file('logs/dynamo.json', podLogs([{ pod: 'frontend-0', lines: NATS_TIMEOUT }])),
    );
    const cause = d.causes.find((c) => c.id === 'nats-timeout-unexplained')!;
    assert.equal(cause.confidence, 'possible');
    assert.deepEqual(cause.fixes, []);
    assert.match(cause.staticVerdict, /^allowed: 0 blocked/);
    // worker-0 crash-loops with no log: listed, not guessed.
    assert.deepEqual(
      d.unexplained.map((u) => u.subject),
      ['pod:dynamo-workload/worker-0'],
    );
  });

  it('"connection refused" means nothing listens — even where the SG is also missing the rule', () => {
    const d = diagnosisOf(
      dynamoCluster({ nats: 'blocked' })
        .file('k8s/dynamo.json', list([dynamoPod('frontend-0', 'frontend', 'gpu-1', '10.0.32.11')]))
        .file(
          'logs/dynamo.json',
          podLogs([
            {
              pod: 'frontend-0',
              lines: ['Exception: Failed to connect to NATS: IO error: Connection refused (os error 111)'],
            },
          ]),
        ),
    );
    const cause = only(d);
    assert.equal(cause.id, 'nats-not-listening');
    assert.match(cause.explanation, /security groups never refuse/);
    assert.match(cause.staticVerdict, /^blocked/, 'the static verdict is still shown beside it');
  });

  it('"JetStream not available": a blocked 4222 when the analysis says so, else JetStream is off', () => {
    const lines = [
      '2025-06-17T13:58:49.905Z  WARN dynamo_runtime::transports::nats: JetStream not available: no response from NATS',
    ];
    const build = (nats: 'allowed' | 'blocked') =>
      diagnosisOf(
        dynamoCluster({ nats })
          .file('k8s/dynamo.json', list([dynamoPod('worker-0', 'worker', 'gpu-1', '10.0.32.12')]))
          .file('logs/dynamo.json', podLogs([{ pod: 'worker-0', lines }])),
      );
    assert.equal(only(build('blocked')).id, 'flow-blocked:nats');
    const disabled = only(build('allowed'));
    assert.equal(disabled.id, 'jetstream-disabled');
    assert.match(disabled.advice.join(), /jetstream/i);
  });
});

describe('messages Kubernetes keeps: a crash loop without logs', () => {
  const probe = (pod: string, ip: string) =>
    event(
      pod,
      'dynamo-workload',
      'Unhealthy',
      `Startup probe failed: Get "http://${ip}:9090/live": dial tcp ${ip}:9090: connect: connection refused`,
      'Warning',
      38,
    );
  // terminationMessagePolicy FallbackToLogsOnError: the last log lines, when the process wrote no file.
  const rollout = (o: { lastMessage: string; nats: 'allowed' | 'blocked' }) =>
    dynamoCluster({ nats: o.nats })
      .file(
        'k8s/dynamo.json',
        list([
          dynamoPod('frontend-0', 'frontend', 'gpu-1', '10.0.32.11', { lastMessage: o.lastMessage }),
          dynamoPod('worker-0', 'worker', 'gpu-1', '10.0.32.12', {
            lastMessage: 'Exception: Failed to connect to NATS: timed out',
          }),
        ]),
      )
      .file('k8s/events.json', list([probe('frontend-0', '10.0.32.11'), probe('worker-0', '10.0.32.12')]));
  const LAST = 'status.containerStatuses[0].lastState.terminated.message';

  it('"Failed to connect to NATS: timed out" only in lastState.terminated.message: NATS 4222 blocked, the rule, the field cited', () => {
    const d = diagnosisOf(rollout({ nats: 'blocked', lastMessage: NATS_TIMEOUT.join('\n') }));
    const cause = only(d);
    assert.equal(cause.id, 'flow-blocked:nats');
    assert.equal(cause.title, 'NATS event plane (tcp/4222) is blocked');
    assert.equal(cause.confidence, 'confirmed');
    assert.deepEqual(cause.subjects, ['pod:dynamo-workload/frontend-0', 'pod:dynamo-workload/worker-0']);
    assert.deepEqual(
      cause.fixes.map((f) => f.command),
      [FIX_4222],
      'the 4222 rule the system SG lacks for the GPU pods’ SG',
    );
    assert.ok(
      !d.causes.some((c) => c.id === 'process-exits-early'),
      'not "the container exits before it serves"',
    );
    const found = cause.evidence.filter((e) => e.signature === 'nats-connect-timeout');
    assert.deepEqual(
      found.map((e) => `${e.file}: ${e.path} — ${e.text}`),
      [
        `k8s/dynamo.json: items[0].${LAST} — pod dynamo-workload/frontend-0 container main lastState.terminated.message: Exception: Failed to connect to NATS: timed out`,
        `k8s/dynamo.json: items[1].${LAST} — pod dynamo-workload/worker-0 container main lastState.terminated.message: Exception: Failed to connect to NATS: timed out`,
      ],
    );
    assert.ok(
      cause.evidence.some((e) => e.signature === 'startup-probe-refused-after-exit'),
      'the refused probes join the NATS cause as its consequence',
    );
    assert.deepEqual(d.unexplained, []);
    assert.equal(d.read.podMessages, 6, '3 + 1 termination lines, 2 back-off messages');
    assert.match(
      d.notes.join('\n'),
      /no pod logs .* matched against the pods’ termination and state messages/,
    );

    const table = renderDiagnosis(d, { color: false });
    assert.match(table, /^1\. NATS event plane \(tcp\/4222\) is blocked {2}\[confirmed\]$/m);
    assert.ok(table.includes(`evidence  k8s/dynamo.json: items[0].${LAST}`), table);
    assert.ok(table.includes(FIX_4222), table);
  });

  it('the same message with 4222 allowed: the unexplained timeout, still not an early exit', () => {
    const d = diagnosisOf(rollout({ nats: 'allowed', lastMessage: NATS_TIMEOUT.join('\n') }));
    assert.deepEqual(ids(d), ['nats-timeout-unexplained']);
  });

  it('a message and a log that say the same are both evidence, a few lines of each', () => {
    const d = diagnosisOf(
      rollout({ nats: 'blocked', lastMessage: NATS_TIMEOUT.join('\n') }).file(
        'logs/dynamo.json',
        podLogs([{ pod: 'frontend-0', lines: [...NATS_TIMEOUT, ...NATS_TIMEOUT] }]),
      ),
    );
    const where = only(d)
      .evidence.filter((e) => e.signature === 'nats-connect-timeout')
      .map((e) => `${e.file}: ${e.path}`);
    assert.deepEqual(where, [
      `k8s/dynamo.json: items[0].${LAST}`,
      'logs/dynamo.json: items[0].lines[5]',
      `k8s/dynamo.json: items[1].${LAST}`,
    ]);
  });

  it('a waiting message, a pod’s status message and an event message are read the same way', () => {
    const pod = dynamoPod('worker-0', 'worker', 'gpu-1', '10.0.32.12', { restarts: 0 }) as {
      status: Record<string, unknown> & { containerStatuses: Record<string, unknown>[] };
    };
    pod.status.containerStatuses[0]!.state = {
      waiting: {
        reason: 'CreateContainerError',
        message: 'failed to lookup address information: Name or service not known',
      },
    };
    const d = diagnosisOf(dynamoCluster({ nats: 'allowed' }).file('k8s/dynamo.json', list([pod])));
    const cause = only(d);
    assert.equal(cause.id, 'dns-failure');
    assert.ok(
      cause.evidence.some(
        (e) => e.path === 'items[0].status.containerStatuses[0].state.waiting.message' && e.signature,
      ),
      JSON.stringify(cause.evidence),
    );

    const evicted = {
      ...pod,
      status: { phase: 'Failed', reason: 'Evicted', message: 'Unable to create lease: deadline exceeded' },
    };
    const lease = diagnosisOf(
      dynamoCluster({ nats: 'allowed' }).file('k8s/dynamo.json', list([evicted])),
      [],
      {
        dynamoVersion: '1.0.2',
      },
    );
    assert.deepEqual(
      lease.causes.flatMap((c) => c.evidence.filter((e) => e.signature).map((e) => e.path)),
      ['items[0].status.message'],
    );

    const fromEvent = diagnosisOf(
      dynamoCluster({ nats: 'blocked' })
        .file('k8s/dynamo.json', list([dynamoPod('worker-0', 'worker', 'gpu-1', '10.0.32.12')]))
        .file(
          'k8s/events.json',
          list([
            event(
              'worker-0',
              'dynamo-workload',
              'Failed',
              'Error: Exception: Failed to connect to NATS: timed out',
            ),
          ]),
        ),
    );
    assert.equal(only(fromEvent).id, 'flow-blocked:nats');
  });

  it('a container ready again: its last crash’s message is history, not a cause', () => {
    const recovered = dynamoPod('worker-0', 'worker', 'gpu-1', '10.0.32.12', {
      state: 'running',
      restarts: 1,
      lastMessage: 'Exception: Failed to connect to NATS: timed out',
    }) as { status: { containerStatuses: Record<string, unknown>[] } };
    recovered.status.containerStatuses[0]!.ready = true;
    const d = diagnosisOf(dynamoCluster({ nats: 'blocked' }).file('k8s/dynamo.json', list([recovered])));
    assert.equal(d.verdict, 'no-problem-found');
    assert.equal(d.read.podMessages, 0);
  });

  it('the validator’s own pod: its termination message names the node it ran on, without a CTRF report', () => {
    const pod = validatorPod('ai-service-metrics', 'inf-1') as {
      status: { containerStatuses: { state: { terminated: Record<string, unknown> } }[] };
    };
    pod.status.containerStatuses[0]!.state.terminated.message = PROMETHEUS_UNREACHABLE;
    const d = diagnosisOf(dynamoCluster({ nats: 'allowed' }).file('k8s/validator.json', list([pod])));
    const cause = only(d);
    assert.equal(cause.id, 'flow-blocked:prometheus');
    assert.deepEqual(cause.subjects, ['pod:aicr-validation/aicr-ai-service-metrics-3f9c1a2b-tq8zn']);
    assert.deepEqual(
      cause.flows.map((f) => `${f.from} ${f.status}`),
      ['inference nodes [sg-infer] blocked'],
    );
    assert.match(cause.advice.join(), /the validator ran on inf-1/);
  });

  it('a check-specific signature reads only that check’s result and its own pod', () => {
    const gate =
      '[TIMEOUT] timed out waiting for DynamoGraphDeployment to become ready: context deadline exceeded';
    const lapsed = (pod: string) => {
      const p = dynamoPod(pod, 'worker', 'gpu-1', '10.0.32.12', { lastMessage: gate });
      return diagnosisOf(dynamoCluster({ nats: 'blocked' }).file('k8s/dynamo.json', list([p])));
    };
    assert.deepEqual(
      lapsed('aicr-inference-perf-7f2d9-x2b4q').causes.flatMap((c) => c.signatures),
      ['inference-perf-gates-lapsed'],
    );
    assert.deepEqual(lapsed('inference-perf-client-0').causes, []);
  });
});

describe('startup probe refused after the process exited', () => {
  const probe = (pod: string, ip: string) =>
    event(
      pod,
      'dynamo-workload',
      'Unhealthy',
      `Startup probe failed: Get "http://${ip}:9090/live": dial tcp ${ip}:9090: connect: connection refused`,
      'Warning',
      38,
    );

  it('joins the cause of the exit when the log shows it', () => {
    const d = diagnosisOf(
      dynamoCluster({ nats: 'blocked' })
        .file('k8s/dynamo.json', list([dynamoPod('worker-0', 'worker', 'gpu-1', '10.0.32.12')]))
        .file('k8s/events.json', list([probe('worker-0', '10.0.32.12')]))
        .file('logs/dynamo.json', podLogs([{ pod: 'worker-0', lines: NATS_TIMEOUT }])),
    );
    const cause = only(d);
    assert.equal(cause.id, 'flow-blocked:nats');
    assert.ok(cause.signatures.includes('nats-connect-timeout'), cause.signatures.join());
    assert.ok(
      cause.evidence.some(
        (e) => e.signature === 'startup-probe-refused-after-exit' && e.path === 'items[0].message',
      ),
      'the probe event is evidence of the NATS cause',
    );
  });

  it('alone on a restarted pod it names the early exit, not the probe', () => {
    const d = diagnosisOf(
      dynamoCluster({ nats: 'allowed' })
        .file('k8s/dynamo.json', list([dynamoPod('worker-0', 'worker', 'gpu-1', '10.0.32.12')]))
        .file('k8s/events.json', list([probe('worker-0', '10.0.32.12')])),
    );
    assert.equal(only(d).id, 'process-exits-early');
  });

  it('on a pod that never exited it is not this signature: listed as unexplained', () => {
    const d = diagnosisOf(
      dynamoCluster({ nats: 'allowed' })
        .file(
          'k8s/dynamo.json',
          list([dynamoPod('worker-0', 'worker', 'gpu-1', '10.0.32.12', { state: 'running' })]),
        )
        .file('k8s/events.json', list([probe('worker-0', '10.0.32.12')])),
    );
    assert.equal(d.verdict, 'unexplained-symptoms');
    assert.deepEqual(d.causes, []);
    assert.match(d.unexplained[0]!.text, /^Unhealthy: Startup probe failed/);
  });
});

describe('validator: Prometheus unreachable', () => {
  const report = ctrf([
    { name: 'expected-resources', phase: 'deployment', status: 'passed' },
    { name: 'ai-service-metrics', phase: 'conformance', status: 'failed', message: PROMETHEUS_UNREACHABLE },
  ]);

  it('finds the node the orchestrator ran on (its pod) and that node’s blocked 9090 flow', () => {
    const d = diagnosisOf(
      dynamoCluster({ nats: 'allowed' }).file(
        'k8s/validator.json',
        list([validatorPod('ai-service-metrics', 'inf-1')]),
      ),
      [report],
    );
    const cause = only(d);
    assert.equal(cause.id, 'flow-blocked:prometheus');
    assert.deepEqual(
      cause.flows.map((f) => `${f.from} ${f.status}`),
      ['inference nodes [sg-infer] blocked'],
    );
    assert.deepEqual(
      cause.fixes.map((f) => f.command),
      [
        'aws ec2 authorize-security-group-ingress --group-id sg-sys --protocol tcp --port 9090 --source-group sg-infer',
      ],
    );
    assert.match(
      cause.advice.join(),
      /the validator ran on inf-1 \(node group inference, pod SGs sg-infer\)/,
    );
    assert.ok(
      cause.evidence.some(
        (e) => e.file === 'validator/report-0.ctrf.json' && e.path === 'results.tests[1].message',
      ),
      'CTRF evidence',
    );
  });

  for (const key of ['aicr.nvidia.com/validator', 'aicr.run/validator']) {
    it(`finds its pod by the ${key} label (AICR's label domain depends on its version), whatever its name`, () => {
      const pod = validatorPod('ai-service-metrics', 'inf-1') as {
        metadata: { name: string; labels: Record<string, string> };
      };
      pod.metadata.name = 'validation-run-7x2kq';
      pod.metadata.labels = { 'app.kubernetes.io/name': 'aicr', [key]: 'ai-service-metrics' };
      const cause = only(
        diagnosisOf(dynamoCluster({ nats: 'allowed' }).file('k8s/validator.json', list([pod])), [report]),
      );
      assert.match(cause.advice.join(), /the validator ran on inf-1/);
    });
  }

  it('from its Scheduled event when the pod is gone; a node whose 9090 is allowed leaves the cause open', () => {
    const d = diagnosisOf(
      dynamoCluster({ nats: 'allowed' }).file(
        'k8s/events.json',
        list([
          event(
            'aicr-ai-service-metrics-3f9c1a2b-tq8zn',
            'aicr-validation',
            'Scheduled',
            'Successfully assigned aicr-validation/aicr-ai-service-metrics-3f9c1a2b-tq8zn to sys-1',
            'Normal',
          ),
        ]),
      ),
      [report],
    );
    const cause = only(d);
    assert.equal(cause.id, 'prometheus-timeout-unexplained');
    assert.match(cause.staticVerdict, /^allowed/);
    assert.deepEqual(cause.evidence.map((e) => e.path).sort(), [
      'items[0].message',
      'results.tests[1].message',
    ]);
  });

  it('with no trace of where it ran, every blocked source class is linked and the note says so', () => {
    const cause = only(diagnosisOf(dynamoCluster({ nats: 'allowed' }), [report]));
    assert.equal(cause.id, 'flow-blocked:prometheus');
    assert.match(cause.advice.join(), /neither the validator pod nor its Scheduled event/);
  });
});

describe('validator: inference-perf gates lapse while deployment and conformance pass', () => {
  const report = ctrf([
    { name: 'expected-resources', phase: 'deployment', status: 'passed' },
    { name: 'ai-service-metrics', phase: 'conformance', status: 'passed' },
    {
      name: 'inference-perf',
      phase: 'performance',
      status: 'failed',
      message:
        '[TIMEOUT] timed out waiting for DynamoGraphDeployment to become ready: context deadline exceeded',
    },
  ]);

  it('points at the blocked NATS flow', () => {
    const cause = only(diagnosisOf(dynamoCluster({ nats: 'blocked' }), [report]));
    assert.equal(cause.id, 'flow-blocked:nats');
    assert.deepEqual(cause.subjects, ['validator:performance/inference-perf']);
    assert.deepEqual(
      cause.fixes.map((f) => f.command),
      [FIX_4222],
    );
  });

  it('with every Dynamo flow allowed it is not blamed on the network', () => {
    // The fixture's SGs are of the NATS era: from Dynamo 1.4 the frontend moves to the system
    // nodes and its response stream (GPU → system, OS-assigned ports) is not admitted. On 1.2,
    // with frontend and workers on the GPU group, every Dynamo flow really is allowed.
    const cause = only(diagnosisOf(dynamoCluster({ nats: 'allowed' }), [report], { dynamoVersion: '1.2.0' }));
    assert.equal(cause.id, 'workload-never-ready');
    assert.equal(cause.confidence, 'possible');
  });

  it('when deployment failed too, the lapsed gate is not read as a network symptom', () => {
    const failedDeployment = ctrf([
      {
        name: 'expected-resources',
        phase: 'deployment',
        status: 'failed',
        message: 'expected 3 ready replicas, found 0',
      },
      {
        name: 'inference-perf',
        phase: 'performance',
        status: 'failed',
        message:
          '[TIMEOUT] timed out waiting for DynamoGraphDeployment to become ready: context deadline exceeded',
      },
    ]);
    const d = diagnosisOf(dynamoCluster({ nats: 'blocked' }), [failedDeployment]);
    assert.ok(
      !d.causes.some((c) => c.signatures.includes('inference-perf-gates-lapsed')),
      JSON.stringify(d.causes.map((c) => [c.id, c.signatures])),
    );
    assert.ok(d.unexplained.some((u) => u.subject === 'validator:performance/inference-perf'));
  });

  it('the health gate is the same signature', () => {
    const health = ctrf([
      {
        name: 'inference-perf',
        phase: 'performance',
        status: 'failed',
        message: '[TIMEOUT] timed out waiting for inference endpoint health: context deadline exceeded',
      },
    ]);
    assert.equal(
      only(diagnosisOf(dynamoCluster({ nats: 'blocked' }), [health])).signatures[0],
      'inference-perf-gates-lapsed',
    );
  });
});

describe('Pending on an untolerated taint', () => {
  const message =
    "0/3 nodes are available: 1 node(s) had untolerated taint {nvidia.com/gpu: present}, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
  const probe = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'nats-probe', namespace: 'default', labels: { run: 'nats-probe' } },
    spec: {
      nodeSelector: { 'eks.amazonaws.com/nodegroup': 'gpu' },
      containers: [
        {
          name: 'nats-probe',
          image: 'busybox:1.36',
          args: ['sh', '-c', 'nc -zv -w 5 dynamo-platform-nats.dynamo-system.svc.cluster.local 4222'],
        },
      ],
    },
    status: {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }],
    },
  };

  it('names the taint and the toleration that would let the probe run, from the scheduler itself', () => {
    const d = diagnosisOf(
      dynamoCluster({ nats: 'allowed' })
        .file('k8s/probe.json', probe)
        .file(
          'k8s/events.json',
          list([event('nats-probe', 'default', 'FailedScheduling', message, 'Warning', 4)]),
        ),
    );
    const cause = only(d);
    assert.equal(cause.id, 'untolerated-taint');
    assert.deepEqual(cause.subjects, ['pod:default/nats-probe']);
    assert.deepEqual(cause.advice.slice(0, 1), [
      'default/nats-probe: add tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}] — it then fits 1 node(s) in gpu',
    ]);
    assert.deepEqual(cause.evidence.map((e) => `${e.file}: ${e.path}`).sort(), [
      'k8s/events.json: items[0].message',
      'k8s/probe.json: status.conditions[0]',
    ]);
  });
});

describe('etcd "Unable to create lease" on 1.0.x', () => {
  const lines = [
    '2025-06-17T10:01:02.001Z ERROR dynamo_runtime::transports::etcd: Unable to create lease: deadline exceeded',
  ];
  const cluster = (etcdAllowed: boolean) =>
    dynamoCluster({ nats: 'blocked', etcdAllowed })
      .service('dynamo-system', 'dynamo-platform-etcd', { 'app.kubernetes.io/name': 'etcd' }, 2379)
      .pod('dynamo-platform-etcd-0', {
        namespace: 'dynamo-system',
        node: 'sys-1',
        ip: '10.0.16.13',
        labels: { 'app.kubernetes.io/name': 'etcd', 'app.kubernetes.io/instance': 'dynamo-platform' },
        image: 'bitnami/etcd:3.5.18',
      })
      .file(
        'k8s/dynamo.json',
        list([dynamoPod('worker-0', 'worker', 'gpu-1', '10.0.32.12', { version: '1.0.2' })]),
      )
      .file('logs/dynamo.json', podLogs([{ pod: 'worker-0', lines }]));

  it('the 1.0.x runtime cannot reach etcd tcp/2379: confirmed with its fix', () => {
    const cause = only(diagnosisOf(cluster(false), [], { dynamoVersion: '1.0.2' }));
    assert.equal(cause.id, 'flow-blocked:etcd');
    assert.deepEqual(
      cause.fixes.map((f) => f.command),
      [
        'aws ec2 authorize-security-group-ingress --group-id sg-sys --protocol tcp --port 2379 --source-group sg-gpu',
      ],
    );
  });

  it('2379 allowed: etcd itself is suspect', () => {
    assert.equal(only(diagnosisOf(cluster(true), [], { dynamoVersion: '1.0.2' })).id, 'etcd-lease-failing');
  });

  it('analysed for 1.2, the static verdict says etcd is not required there', () => {
    const cause = only(diagnosisOf(cluster(false), [], { dynamoVersion: '1.2.0' }));
    assert.equal(cause.id, 'etcd-lease-failing');
    assert.match(cause.staticVerdict, /etcd control plane \(pre-1\.2\) is not required for Dynamo 1\.2\.0/);
  });
});

describe('what diagnose does not guess', () => {
  it('a crash with an unknown log is listed, exit class "unexplained"', () => {
    const d = diagnosisOf(
      dynamoCluster({ nats: 'allowed' })
        .file('k8s/dynamo.json', list([dynamoPod('worker-0', 'worker', 'gpu-1', '10.0.32.12')]))
        .file(
          'logs/dynamo.json',
          podLogs([
            {
              pod: 'worker-0',
              lines: ['torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB'],
            },
          ]),
        ),
    );
    assert.equal(d.verdict, 'unexplained-symptoms');
    assert.deepEqual(
      d.unexplained.map((u) => [u.subject, u.evidence.path]),
      [['pod:dynamo-workload/worker-0', 'items[0].status.containerStatuses[0].state.waiting']],
    );
  });

  it('the healthy example: no problem found', async () => {
    const snapshot = await loadSnapshot('examples/healthy-shared-cluster-sg');
    const result = diagnose({
      snapshot,
      model: buildModel(snapshot),
      analysis: analyzeSnapshot(snapshot),
      reports: [],
    });
    assert.ok(result.ok, 'valid input');
    if (!result.ok) return;
    assert.equal(result.diagnosis.verdict, 'no-problem-found');
    assert.equal(result.diagnosis.summary.symptoms, 0);
    assert.ok(result.diagnosis.read.pods > 0, 'it did read pods');
  });

  it('causes rank confirmed before likely before possible', () => {
    const d = diagnosisOf(
      dynamoCluster({ nats: 'blocked' })
        .file(
          'k8s/dynamo.json',
          list([
            dynamoPod('frontend-0', 'frontend', 'gpu-1', '10.0.32.11'),
            dynamoPod('worker-0', 'worker', 'gpu-1', '10.0.32.12'),
          ]),
        )
        .file(
          'logs/dynamo.json',
          podLogs([
            { pod: 'frontend-0', lines: NATS_TIMEOUT },
            {
              pod: 'worker-0',
              lines: ['Error: failed to lookup address information: Name or service not known'],
            },
          ]),
        ),
    );
    assert.deepEqual(
      d.causes.map((c) => [c.rank, c.id, c.confidence]),
      [
        [1, 'flow-blocked:nats', 'confirmed'],
        [2, 'dns-failure', 'likely'],
      ],
    );
  });
});
