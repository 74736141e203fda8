/**
 * Disaggregated prefill/decode: the decode worker's NIXL connector dials the prefill worker's side
 * channel before it can pull a KV cache. Facts from the sources: vLLM's envs.py defaults
 * VLLM_NIXL_SIDE_CHANNEL_PORT to 5600; nixl_connector.py listens on that port + dp_rank·tp_size
 * (+ tp_rank), so a prefill worker with 2 data-parallel and 2 tensor-parallel ranks opens 4 ports;
 * Dynamo's vLLM launcher (components/src/dynamo/vllm/args.py) sets only the host. The operator
 * labels the pods nvidia.com/dynamo-sub-component-type=prefill|decode; graphs say subComponentType,
 * workers say --disaggregation-mode prefill|decode.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildModel } from '../../src/model/build.ts';
import { analyzeModel, analyzeSnapshot } from '../../src/questions/analyze.ts';
import { planProbes } from '../../src/questions/probe/plan.ts';
import { applyRemediation } from '../../src/remediate/what-if.ts';
import { allTraffic, scenario, tcp, type Scenario } from '../helpers/scenario.ts';
import { diagnosisOf, podLogs } from '../questions/diagnose/fixtures.ts';

const WORKLOAD = 'dynamo-workload';
const IMAGE = 'nvcr.io/nvidia/ai-dynamo/vllm-runtime:1.4.0';

/**
 * System, prefill and decode node groups, each in its own SG. Everything is open except that the
 * prefill SG admits nothing from the decode SG: the gap this flow is about.
 */
function cluster(prefillAdmitsDecode = false): Scenario {
  return scenario()
    .subnet('subnet-a', '10.0.16.0/20')
    .withoutNacls()
    .sg('sg-sys', [
      allTraffic.fromGroup('sg-sys'),
      allTraffic.fromGroup('sg-prefill'),
      allTraffic.fromGroup('sg-decode'),
    ])
    .sg('sg-prefill', [
      allTraffic.fromGroup('sg-sys'),
      allTraffic.fromGroup('sg-prefill'),
      ...(prefillAdmitsDecode ? [tcp(5600).fromGroup('sg-decode')] : []),
    ])
    .sg('sg-decode', [
      allTraffic.fromGroup('sg-sys'),
      allTraffic.fromGroup('sg-decode'),
      allTraffic.fromGroup('sg-prefill'),
    ])
    .node('sys-1', {
      group: 'system',
      subnet: 'subnet-a',
      ip: '10.0.16.10',
      sgs: ['sg-sys'],
      podIps: ['10.0.16.11', '10.0.16.12'],
    })
    .node('gpu-p1', {
      group: 'gpu-prefill',
      subnet: 'subnet-a',
      ip: '10.0.16.20',
      sgs: ['sg-prefill'],
      gpu: true,
      podIps: ['10.0.16.21'],
    })
    .node('gpu-d1', {
      group: 'gpu-decode',
      subnet: 'subnet-a',
      ip: '10.0.16.30',
      sgs: ['sg-decode'],
      gpu: true,
      podIps: ['10.0.16.31'],
    })
    .prometheus('prom-0', 'sys-1', '10.0.16.12');
}

function worker(s: Scenario, name: string, node: string, ip: string, stage: 'prefill' | 'decode', env = {}) {
  return s.pod(name, {
    namespace: WORKLOAD,
    node,
    ip,
    labels: {
      'nvidia.com/dynamo-component-type': 'worker',
      'nvidia.com/dynamo-sub-component-type': stage,
      'nvidia.com/dynamo-graph-deployment-name': 'vllm-disagg',
    },
    image: IMAGE,
    env,
  });
}

function deployed(prefillEnv: Record<string, string> = {}, open = false): Scenario {
  const s = cluster(open).dynamo('frontend-0', 'frontend', 'sys-1', '10.0.16.11', '1.4.0');
  worker(s, 'prefill-0', 'gpu-p1', '10.0.16.21', 'prefill', prefillEnv);
  return worker(s, 'decode-0', 'gpu-d1', '10.0.16.31', 'decode');
}

/** A disaggregated graph, as ai-dynamo/dynamo examples/backends/vllm/deploy/disagg.yaml shapes it. */
function graph(prefill: { args: string[]; env?: Record<string, string> }) {
  const gpuPlacement = (group: string) => ({
    nodeSelector: { 'eks.amazonaws.com/nodegroup': group },
    tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
  });
  return {
    apiVersion: 'nvidia.com/v1alpha1',
    kind: 'DynamoGraphDeployment',
    metadata: { name: 'vllm-disagg', namespace: WORKLOAD },
    spec: {
      services: {
        Frontend: { componentType: 'frontend', replicas: 1 },
        VllmDecodeWorker: {
          componentType: 'worker',
          subComponentType: 'decode',
          replicas: 1,
          resources: { limits: { gpu: '1' } },
          extraPodSpec: {
            ...gpuPlacement('gpu-decode'),
            mainContainer: { image: IMAGE, args: ['python3 -m dynamo.vllm --model Qwen/Qwen3-0.6B'] },
          },
        },
        VllmPrefillWorker: {
          componentType: 'worker',
          replicas: 1,
          resources: { limits: { gpu: '1' } },
          envs: Object.entries(prefill.env ?? {}).map(([name, value]) => ({ name, value })),
          extraPodSpec: {
            ...gpuPlacement('gpu-prefill'),
            mainContainer: { image: IMAGE, command: ['python3', '-m', 'dynamo.vllm'], args: prefill.args },
          },
        },
      },
    },
  };
}

const nixl = (result: ReturnType<typeof analyzeSnapshot>) =>
  result.flows.filter((f) => f.requirement === 'nixl-side-channel');

describe('NIXL side channel (decode → prefill)', () => {
  it('prefill and decode in separate SGs without a rule: blocked on tcp/5600, required, fails the verdict', () => {
    const result = deployed().analyze();
    const flows = nixl(result);
    assert.deepEqual(
      flows.map((f) => [f.level, f.status, f.port, f.source.nodeGroup, f.destination.nodeGroup]),
      [['required', 'blocked', 5600, 'gpu-decode', 'gpu-prefill']],
    );
    assert.equal(result.verdict, 'fail');
    assert.match(flows[0]!.reason, /ingress/);
    assert.match(flows[0]!.reason, /sg-prefill/);
  });

  it('the tool’s own fix (tcp/5600 on the prefill SG from the decode SG) makes it pass', () => {
    const snapshot = deployed().snapshot();
    const before = analyzeSnapshot(snapshot);
    const [flow] = nixl(before);
    const rules = before.remediation
      .filter((r) => flow!.fixedBy.includes(r.id))
      .map(
        (r) => `${r.direction} ${r.groupId} ${r.protocol}/${r.fromPort}-${r.toPort} from ${r.sourceGroupId}`,
      );
    assert.deepEqual(rules, ['ingress sg-prefill tcp/5600-5600 from sg-decode']);
    const after = analyzeSnapshot(applyRemediation(snapshot, before.remediation, before.naclRemediation));
    assert.equal(after.verdict, 'pass');
    assert.deepEqual(
      nixl(after).map((f) => f.status),
      ['allowed'],
    );
  });

  it('VLLM_NIXL_SIDE_CHANNEL_PORT on the prefill worker moves the port, and says so', () => {
    const result = deployed({ VLLM_NIXL_SIDE_CHANNEL_PORT: '7100' }).analyze();
    const [flow] = nixl(result);
    assert.equal(flow!.port, 7100);
    const requirement = result.requirements.find((r) => r.id === 'nixl-side-channel')!;
    assert.ok(
      requirement.decidedBy.some((f) =>
        /VLLM_NIXL_SIDE_CHANNEL_PORT=7100 on pod dynamo-workload\/prefill-0/.test(f),
      ),
    );
  });

  it('before install, a graph declares it: port + dp_rank·tp_size + tp_rank gives 4 ports for -dp 2 × -tp 2', () => {
    const result = cluster()
      .file(
        'k8s/graph.json',
        graph({
          args: [
            '--model',
            'Qwen/Qwen3-0.6B',
            '--disaggregation-mode',
            'prefill',
            '--tensor-parallel-size',
            '2',
            '--data-parallel-size',
            '2',
          ],
          env: { VLLM_NIXL_SIDE_CHANNEL_PORT: '6100' },
        }),
      )
      .analyze();
    const flows = nixl(result);
    assert.deepEqual(
      flows.map((f) => [f.status, f.port, f.source.nodeGroup, f.destination.nodeGroup]),
      [['blocked', '6100-6103', 'gpu-decode', 'gpu-prefill']],
    );
    const requirement = result.requirements.find((r) => r.id === 'nixl-side-channel')!;
    assert.ok(requirement.decidedBy.some((f) => /--disaggregation-mode prefill/.test(f)));
  });

  it('aggregated serving (no prefill worker anywhere): not applicable, with the reason', () => {
    const s = cluster().dynamo('frontend-0', 'frontend', 'sys-1', '10.0.16.11', '1.4.0');
    const result = worker(s, 'decode-0', 'gpu-d1', '10.0.16.31', 'decode').analyze();
    assert.deepEqual(nixl(result), []);
    const skipped = result.notApplicable.find((n) => n.id === 'nixl-side-channel');
    assert.match(skipped!.because, /no prefill worker/);
  });

  // vLLM's nixl_connector.py: logger.exception("Handshake with %s failed", engine_id) on the decode side.
  const HANDSHAKE = [
    'ERROR 06-17 13:58:49 [nixl_connector.py:1021] Handshake with 6f1c2f6e-0c1a-4d51-9a3e-3b0e4f2d5a10 failed',
    'Traceback (most recent call last):',
    'zmq.error.Again: Resource temporarily unavailable',
  ];

  it('diagnose: "Handshake with … failed" on the decode pod is the blocked side channel, fixed by the one rule', () => {
    const d = diagnosisOf(
      deployed().file('logs/dynamo.json', podLogs([{ pod: 'decode-0', lines: HANDSHAKE }])),
    );
    const cause = d.causes.find((c) => c.subjects.includes('pod:dynamo-workload/decode-0'));
    assert.ok(cause, JSON.stringify(d.causes.map((c) => c.id)));
    assert.equal(cause.id, 'flow-blocked:nixl-side-channel');
    assert.deepEqual(
      cause.fixes.map((f) => f.command),
      [
        'aws ec2 authorize-security-group-ingress --group-id sg-prefill --protocol tcp --port 5600 --source-group sg-decode',
      ],
    );
  });

  it('diagnose: the same log with 5600 allowed is not called a blocked flow', () => {
    const d = diagnosisOf(
      deployed({}, true).file('logs/dynamo.json', podLogs([{ pod: 'decode-0', lines: HANDSHAKE }])),
    );
    const cause = d.causes.find((c) => c.subjects.includes('pod:dynamo-workload/decode-0'));
    assert.equal(cause?.id, 'nixl-handshake-unexplained');
    assert.deepEqual(cause.fixes, []);
  });

  it('diagnose: the prefill worker freeing KV blocks no decode worker read points to the same flow', () => {
    const d = diagnosisOf(
      deployed().file(
        'logs/dynamo.json',
        podLogs([
          {
            pod: 'prefill-0',
            lines: [
              'WARNING 09-24 16:35:21 [nixl_connector.py:1048] Releasing expired KV blocks for request cmpl-3da205a6-0 which were retrieved by 0 decode worker(s) within 120 seconds.',
            ],
          },
        ]),
      ),
    );
    const cause = d.causes.find((c) => c.subjects.includes('pod:dynamo-workload/prefill-0'));
    assert.equal(cause?.id, 'flow-blocked:nixl-side-channel');
  });

  it('probe: a probe on the decode node group dials the prefill pod on tcp/5600, expecting blocked', () => {
    const model = buildModel(deployed().snapshot());
    const plan = planProbes(model, analyzeModel(model), {
      runId: 'r1',
      timeoutSeconds: 5,
      mode: 'nc',
      image: 'busybox:1.36',
    });
    const targets = plan.probes
      .filter((p) => p.source.nodeGroup === 'gpu-decode')
      .flatMap((p) => p.targets.filter((t) => t.requirement === 'nixl-side-channel'));
    assert.deepEqual(
      targets.map((t) => [t.via, t.host, t.port, t.name, t.expected]),
      [['pod', '10.0.16.21', 5600, 'dynamo-workload/prefill-0', 'blocked']],
    );
  });

  const ucx = (result: ReturnType<typeof analyzeSnapshot>) =>
    result.flows
      .filter((f) => f.requirement === 'ucx-tcp' || f.requirement === 'ucx-tcp-reverse')
      .map((f) => [f.requirement, f.status, f.port, f.source.nodeGroup, f.destination.nodeGroup]);

  it('UCX over TCP without EFA: both directions on the OS-assigned range; decode → prefill blocked, its fix makes it pass', () => {
    const snapshot = deployed({}, true).snapshot();
    const before = analyzeSnapshot(snapshot);
    assert.deepEqual(ucx(before), [
      ['ucx-tcp', 'blocked', '32768-60999', 'gpu-decode', 'gpu-prefill'],
      ['ucx-tcp-reverse', 'allowed', '32768-60999', 'gpu-prefill', 'gpu-decode'],
    ]);
    const requirement = before.requirements.find((r) => r.id === 'ucx-tcp')!;
    assert.equal(requirement.level, 'required');
    assert.ok(requirement.decidedBy.some((f) => /UCX_TCP_PORT_RANGE unset: the port is OS-assigned/.test(f)));
    assert.deepEqual(
      before.remediation.map(
        (r) => `${r.groupId} ${r.protocol}/${r.fromPort}-${r.toPort} from ${r.sourceGroupId}`,
      ),
      ['sg-prefill tcp/32768-60999 from sg-decode'],
    );
    const after = analyzeSnapshot(applyRemediation(snapshot, before.remediation, before.naclRemediation));
    assert.equal(after.verdict, 'pass');
  });

  it('UCX_TCP_PORT_RANGE on the workers names the range', () => {
    const result = deployed({ UCX_TCP_PORT_RANGE: '50000-50100' }, true).analyze();
    assert.deepEqual(
      ucx(result).map((f) => f[2]),
      ['50000-50100', '50000-50100'],
    );
  });

  for (const tls of ['cuda_ipc,cuda_copy,rc', '^tcp'])
    it(`UCX_TLS=${tls} leaves tcp out: not applicable, and why`, () => {
      const result = deployed({ UCX_TLS: tls }, true).analyze();
      assert.deepEqual(ucx(result), []);
      assert.match(
        result.notApplicable.find((n) => n.id === 'ucx-tcp')!.because,
        /UCX_TLS=.* tcp is not among the transports/,
      );
    });

  it('UCX_TLS=tcp,cuda_copy keeps it', () => {
    assert.equal(ucx(deployed({ UCX_TLS: 'tcp,cuda_copy' }, true).analyze()).length, 2);
  });

  it('an older Dynamo launcher that takes --dynamo-port-min/--dynamo-port-max allocates the side channel from that range', () => {
    const result = cluster()
      .file(
        'k8s/graph.json',
        graph({ args: ['--model', 'Qwen/Qwen3-0.6B', '--is-prefill-worker', '--dynamo-port-min', '21000'] }),
      )
      .analyze();
    assert.deepEqual(
      nixl(result).map((f) => f.port),
      ['21000-30000'],
    );
    const requirement = result.requirements.find((r) => r.id === 'nixl-side-channel')!;
    assert.ok(requirement.decidedBy.some((f) => /--dynamo-port-min 21000 on DynamoGraphDeployment/.test(f)));
    assert.ok(requirement.decidedBy.some((f) => /arg --is-prefill-worker/.test(f)));
  });
});
