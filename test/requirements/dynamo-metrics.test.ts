/**
 * The Dynamo metrics scrape (recommended): Prometheus on the system nodes → each worker's system
 * port. The Dynamo operator sets DYN_SYSTEM_PORT on workers (9090 by default: ai-dynamo/dynamo
 * deploy/operator/internal/consts/consts.go DynamoSystemPort) and its worker PodMonitor scrapes that
 * port. A cluster whose GPU security group admits nothing from the system group passes every
 * required flow, so the verdict passes; --strict fails it, writes the rule, and the rule makes it pass.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeSnapshot, type AnalyzeOptions } from '../../src/questions/analyze.ts';
import { applyRemediation } from '../../src/remediate/what-if.ts';
import { allTraffic, scenario, tcp, type Scenario } from '../helpers/scenario.ts';

/** System and GPU node groups in their own SGs; every required Dynamo 1.2 flow is allowed, nothing system → GPU. */
function cluster(workerEnv: Record<string, string>): Scenario {
  return (
    scenario()
      .subnet('subnet-a', '10.0.16.0/20')
      .withoutNacls()
      .sg('sg-sys', [
        tcp(4222).fromGroup('sg-gpu'),
        tcp(9090).fromGroup('sg-gpu'),
        tcp(9090).fromGroup('sg-sys'),
      ])
      // The GPU group admits only itself: Prometheus (system) cannot reach a worker.
      .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')])
      .node('sys-1', {
        group: 'system',
        subnet: 'subnet-a',
        ip: '10.0.16.10',
        sgs: ['sg-sys'],
        podIps: ['10.0.16.11', '10.0.16.12'],
      })
      .node('gpu-1', {
        group: 'gpu',
        subnet: 'subnet-a',
        ip: '10.0.16.20',
        sgs: ['sg-gpu'],
        gpu: true,
        podIps: ['10.0.16.21', '10.0.16.22', '10.0.16.23'],
      })
      .nats('nats-0', 'sys-1', '10.0.16.11')
      .prometheus('prom-0', 'sys-1', '10.0.16.12')
      .dynamo('frontend-0', 'frontend', 'gpu-1', '10.0.16.21')
      .dynamo('worker-0', 'worker', 'gpu-1', '10.0.16.22', '1.2.0', workerEnv)
  );
}

function metricsFlows(result: ReturnType<typeof analyzeSnapshot>) {
  return result.flows.filter((f) => f.requirement === 'dynamo-metrics');
}

describe('Dynamo metrics scrape (recommended)', () => {
  it('blocked system → GPU on 9090: shown and marked, the verdict still passes, and no rule is written', () => {
    const result = cluster({ DYN_SYSTEM_PORT: '9090' }).analyze();
    const flows = metricsFlows(result);
    assert.equal(flows.length, 1);
    const [flow] = flows;
    assert.deepEqual(
      [flow!.level, flow!.status, flow!.port, flow!.source.nodeGroup, flow!.destination.nodeGroup],
      ['recommended', 'blocked', 9090, 'system', 'gpu'],
    );
    assert.deepEqual(flow!.fixedBy, []);
    assert.equal(result.verdict, 'pass');
    assert.equal(result.summary.blocked, 0);
    assert.deepEqual(result.summary.recommended, { allowed: 0, blocked: 1, unknown: 0 });
    assert.deepEqual(result.remediation, []);
    assert.ok(result.notes.some((n) => /1 blocked and 0 unknown recommended flow class .*--strict/.test(n)));
  });

  it('--strict fails it, writes the narrowest rule (9090 from the system SG on the GPU SG), and that rule makes it pass', () => {
    const snapshot = cluster({ DYN_SYSTEM_PORT: '9090' }).snapshot();
    const strict: AnalyzeOptions = { strict: true };
    const before = analyzeSnapshot(snapshot, strict);
    assert.equal(before.verdict, 'fail');
    assert.equal(before.summary.recommended, undefined, 'counted with the rest');
    assert.deepEqual(
      before.remediation.map(
        (r) => `${r.direction} ${r.groupId} tcp/${r.fromPort}-${r.toPort} from ${r.sourceGroupId}`,
      ),
      ['ingress sg-gpu tcp/9090-9090 from sg-sys'],
    );
    const after = analyzeSnapshot(
      applyRemediation(snapshot, before.remediation, before.naclRemediation),
      strict,
    );
    assert.equal(after.verdict, 'pass');
    assert.deepEqual(
      metricsFlows(after).map((f) => f.status),
      ['allowed'],
    );
  });

  it('the port is the workers’ DYN_SYSTEM_PORT when they set another', () => {
    const result = cluster({ DYN_SYSTEM_PORT: '9345' }).analyze({ strict: true });
    assert.deepEqual(
      metricsFlows(result).map((f) => f.port),
      [9345],
    );
    assert.deepEqual(
      result.remediation.map((r) => r.fromPort),
      [9345],
    );
    const requirement = result.requirements.find((r) => r.id === 'dynamo-metrics')!;
    assert.ok(
      requirement.decidedBy.some((d) =>
        /port 9345 \(env DYN_SYSTEM_PORT=9345 on pod dynamo-workload\/worker-0\)/.test(d),
      ),
    );
  });

  it('workers without DYN_SYSTEM_PORT: not required, and the reason says so', () => {
    const result = cluster({}).analyze({ strict: true });
    assert.deepEqual(metricsFlows(result), []);
    const na = result.notApplicable.find((n) => n.id === 'dynamo-metrics')!;
    assert.equal(na.level, 'recommended');
    assert.match(na.because, /no Dynamo worker pod sets DYN_SYSTEM_PORT/);
  });

  it('the frontend’s DYN_SYSTEM_PORT is not the workers’: only a worker’s decides', () => {
    const result = cluster({})
      .dynamo('frontend-1', 'frontend', 'gpu-1', '10.0.16.23', '1.2.0', { DYN_SYSTEM_PORT: '8081' })
      .analyze();
    assert.deepEqual(metricsFlows(result), []);
  });

  it('before the pods exist, a DynamoGraphDeployment worker’s DYN_SYSTEM_PORT decides it, to the GPU nodes the workers will use', () => {
    const graph = {
      apiVersion: 'nvidia.com/v1alpha1',
      kind: 'DynamoGraphDeployment',
      metadata: { name: 'vllm-agg', namespace: 'dynamo-workload' },
      spec: {
        services: {
          VllmDecodeWorker: {
            componentType: 'worker',
            replicas: 1,
            resources: { limits: { gpu: '1' } },
            envs: [{ name: 'DYN_SYSTEM_PORT', value: '9091' }],
            extraPodSpec: {
              mainContainer: { image: 'nvcr.io/nvidia/ai-dynamo/vllm-runtime:1.2.0' },
            },
          },
        },
      },
    };
    const result = scenario()
      .subnet('subnet-a', '10.0.16.0/20')
      .withoutNacls()
      .sg('sg-sys', [allTraffic.fromGroup('sg-sys')])
      .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')])
      .node('sys-1', {
        group: 'system',
        subnet: 'subnet-a',
        ip: '10.0.16.10',
        sgs: ['sg-sys'],
        podIps: ['10.0.16.12'],
      })
      .node('gpu-1', {
        group: 'gpu',
        subnet: 'subnet-a',
        ip: '10.0.16.20',
        sgs: ['sg-gpu'],
        gpu: true,
        podIps: ['10.0.16.21'],
      })
      .prometheus('prom-0', 'sys-1', '10.0.16.12')
      .file('k8s/dgd.json', graph)
      .analyze();
    const flows = metricsFlows(result);
    assert.deepEqual(
      flows.map((f) => [f.port, f.destination.nodeGroup, f.destination.kind, f.status]),
      [[9091, 'gpu', 'nodes', 'blocked']],
    );
    const requirement = result.requirements.find((r) => r.id === 'dynamo-metrics')!;
    assert.ok(
      requirement.decidedBy.some((d) =>
        /DYN_SYSTEM_PORT=9091 in DynamoGraphDeployment dynamo-workload\/vllm-agg/.test(d),
      ),
    );
  });
});
