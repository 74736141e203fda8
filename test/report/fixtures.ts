/**
 * Results the report tests render: the bundled failing example, and a small cluster whose names
 * are hostile markup and that has blocked, unknown and co-located flows at once, and a cluster
 * where a requirement cannot be evaluated.
 */
import { analyzeSnapshot } from '../../src/questions/analyze.ts';
import type { AnalysisResult } from '../../src/questions/analyze.ts';
import { loadSnapshot } from '../../src/snapshot/load.ts';
import { allTraffic, scenario, tcp } from '../helpers/scenario.ts';

export const DGXC = 'examples/dgxc-multi-sg';

let dgxc: Promise<AnalysisResult> | undefined;

/** Analysed once per test file: renderers must not change what they render. */
export function dgxcResult(): Promise<AnalysisResult> {
  dgxc ??= loadSnapshot(DGXC).then((snapshot) => analyzeSnapshot(snapshot));
  return dgxc;
}

/** Names as a cluster may carry them; every format must show them as text, never as markup. */
export const HOSTILE_GROUP = `gpu<img src=x onerror="alert(1)">&|*_'`;
export const HOSTILE_SG_NAME = `sys</script><script>alert(2)</script>]]>`;

export function hostileResult(): AnalysisResult {
  return (
    scenario()
      .subnet('subnet-a', '10.0.16.0/20')
      .withoutNacls()
      .sg('sg-sys', [tcp(4222).fromGroup('sg-sys')], undefined, { GroupName: HOSTILE_SG_NAME })
      .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')])
      .node('sys-1', {
        group: 'system',
        subnet: 'subnet-a',
        ip: '10.0.16.10',
        sgs: ['sg-sys'],
        podIps: ['10.0.16.11', '10.0.16.12'],
      })
      .node('gpu-1', {
        group: HOSTILE_GROUP,
        subnet: 'subnet-a',
        ip: '10.0.16.20',
        sgs: ['sg-gpu'],
        gpu: true,
        podIps: ['10.0.16.21'],
      })
      .nats('nats-0', 'sys-1', '10.0.16.11')
      .prometheus('prom-0', 'sys-1', '10.0.16.12')
      // No frontend: it is predicted on the GPU group, where Dynamo 1.2 runs it.
      .dynamo('worker-0', 'worker', 'gpu-1', '10.0.16.21')
      // Prometheus shares its only node with the orchestrator: allowed, but only by co-location.
      // An IP on no captured ENI: its three flows (NATS, request plane, response stream) are unknown.
      .dynamo('worker-x', 'worker', 'gpu-1', '10.0.16.99')
      .analyze()
  );
}

/**
 * Every node is on Fargate, where the conformance orchestrator cannot be scheduled: the 9090
 * requirement has no source and is not evaluated (skipped), nor are etcd (Dynamo 1.0) and the DCGM
 * scrape (assumed before install): no GPU node or Dynamo pod at either end.
 */
export function skippedResult(): AnalysisResult {
  return scenario()
    .subnet('subnet-sys', '10.0.16.0/20')
    .withoutNacls()
    .sg('sg-sys', [allTraffic.fromGroup('sg-sys')])
    .node('fargate-1', {
      group: 'fargate',
      subnet: 'subnet-sys',
      ip: '10.0.16.10',
      sgs: ['sg-sys'],
      labels: { 'eks.amazonaws.com/compute-type': 'fargate' },
    })
    .prometheus('prom-0', 'fargate-1', '10.0.16.10')
    .analyze({ dynamoVersion: '1.0.2' });
}
