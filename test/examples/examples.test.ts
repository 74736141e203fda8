/**
 * The bundled examples give the verdicts their READMEs promise, and applying the tool's own
 * remediation to each failing one (what-if on the snapshot) makes it pass.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeSnapshot, type AnalyzeOptions } from '../../src/questions/analyze.ts';
import type { AnalysisResult } from '../../src/questions/analyze.ts';
import { applyRemediation } from '../../src/remediate/what-if.ts';
import { loadSnapshot } from '../../src/snapshot/load.ts';

const SYSTEM_SG = { dgxc: 'sg-0280e97ae16fcd306', legacy: 'sg-0448e772893bda0e2' };

function blocked(result: AnalysisResult): string[] {
  return result.flows
    .filter((f) => f.status === 'blocked')
    .map((f) => `${f.requirement} ${f.source.nodeGroup}/${f.source.kind}`)
    .sort();
}

async function fixAndRerun(dir: string, options: AnalyzeOptions = {}): Promise<[AnalysisResult, AnalysisResult]> {
  const snapshot = await loadSnapshot(dir);
  const before = analyzeSnapshot(snapshot, options);
  const after = analyzeSnapshot(applyRemediation(snapshot, before.remediation, before.naclRemediation), options);
  return [before, after];
}

describe('bundled examples', () => {
  it('dgxc-multi-sg fails on 4222 and 9090 from the customer and inference SGs, and the fix makes it pass', async () => {
    const [before, after] = await fixAndRerun('examples/dgxc-multi-sg');
    assert.equal(before.verdict, 'fail');
    assert.equal(before.dynamo.version, '1.2.0');
    assert.deepEqual(blocked(before), [
      'nats gpu-h100/nodes',
      'nats gpu-h100/pods',
      'prometheus cpu-inference/nodes',
      'prometheus gpu-h100/nodes',
    ]);
    assert.deepEqual(
      before.remediation.map((r) => `${r.groupId} tcp/${r.fromPort} from ${r.sourceGroupId}`).sort(),
      [
        `${SYSTEM_SG.dgxc} tcp/4222 from sg-0affb20cb8865fd98`,
        `${SYSTEM_SG.dgxc} tcp/9090 from sg-09d5a469bac1fb67c`,
        `${SYSTEM_SG.dgxc} tcp/9090 from sg-0affb20cb8865fd98`,
      ],
    );
    for (const rule of before.remediation) {
      assert.equal(rule.cidr, undefined, 'a source SG exists, so no CIDR');
      assert.notEqual(rule.fromPort, 0);
      assert.equal(rule.fromPort, rule.toPort, 'exact ports only');
    }
    assert.equal(after.verdict, 'pass');
    assert.deepEqual(after.remediation, []);
  });

  it('each flow class explains itself with its own members, not with the pair its decision was shared with', async () => {
    const result = analyzeSnapshot(await loadSnapshot('examples/dgxc-multi-sg'));
    const fromNodes = result.flows.find((f) => f.requirement === 'nats' && f.source.kind === 'nodes')!;
    const fromPods = result.flows.find((f) => f.requirement === 'nats' && f.source.kind === 'pods')!;
    const ingress = (flow: typeof fromNodes) => flow.steps.find((s) => s.kind === 'sg-ingress')!;
    assert.match(ingress(fromPods).summary, /from dynamo-workload\/vllm-agg-/);
    assert.doesNotMatch(ingress(fromNodes).summary, /vllm-agg/, 'no pod of the other class');
    assert.match(ingress(fromNodes).summary, new RegExp(`a pod on ${fromNodes.source.members[0]!.replaceAll('.', '\\.')}`));
  });

  it('healthy-shared-cluster-sg passes with nothing to fix', async () => {
    const result = analyzeSnapshot(await loadSnapshot('examples/healthy-shared-cluster-sg'));
    assert.equal(result.verdict, 'pass');
    assert.equal(result.summary.blocked + result.summary.unknown, 0);
    assert.deepEqual(result.remediation, []);
    assert.ok(result.flows.some((f) => f.requirement === 'nats'));
    assert.ok(result.flows.some((f) => f.requirement === 'request-plane'));
  });

  it('upgrade-1.0-to-1.2 passes on its detected 1.0.2 and fails on 4222 alone after the bump', async () => {
    const snapshot = await loadSnapshot('examples/upgrade-1.0-to-1.2');
    const today = analyzeSnapshot(snapshot);
    assert.equal(today.dynamo.version, '1.0.2');
    assert.match(today.dynamo.source, /helm\.sh\/chart=dynamo-platform-1\.0\.2/);
    assert.equal(today.verdict, 'pass');
    assert.ok(today.flows.some((f) => f.requirement === 'etcd' && f.status === 'allowed'));

    const [before, after] = await fixAndRerun('examples/upgrade-1.0-to-1.2', { dynamoVersion: '1.2.0' });
    assert.equal(before.verdict, 'fail');
    assert.deepEqual(new Set(blocked(before).map((b) => b.split(' ')[0])), new Set(['nats']));
    assert.deepEqual(before.remediation.map((r) => r.command), [
      `aws ec2 authorize-security-group-ingress --group-id ${SYSTEM_SG.legacy} --protocol tcp --port 4222 --source-group sg-02e264dad429b5c9c`,
    ]);
    assert.equal(after.verdict, 'pass');
  });

  it('the recipe file sets the version and keeps ai-service-metrics', async () => {
    const { parseRecipeResult } = await import('../../src/requirements/recipe.ts');
    const YAML = (await import('yaml')).default;
    const { readFile } = await import('node:fs/promises');
    const file = 'examples/recipes/h100-eks-ubuntu-inference-dynamo.yaml';
    const parsed = parseRecipeResult(YAML.parse(await readFile(file, 'utf8')), file);
    assert.ok(parsed.ok);
    assert.equal(parsed.recipe.name, 'h100-eks-ubuntu-inference-dynamo');
    assert.equal(parsed.recipe.dynamoVersion, '1.2.0');
    assert.equal(parsed.recipe.dynamoNamespace, 'dynamo-system');
    assert.equal(parsed.recipe.prometheusNamespace, 'monitoring');
    assert.ok(parsed.recipe.checks?.includes('ai-service-metrics'));
    assert.deepEqual(parsed.warnings, [], 'an EKS Dynamo recipe');
    assert.match(await readFile(file, 'utf8'), /^apiVersion: aicr\.run\/v1$/m, 'what AICR v0.22+ writes');
  });
});

describe('policy-default-deny example', () => {
  it('fails on NATS for the NetworkPolicy alone, and the emitted policy makes it pass', async () => {
    const snapshot = await loadSnapshot('examples/policy-default-deny');
    const before = analyzeSnapshot(snapshot);
    assert.equal(before.verdict, 'fail');
    assert.deepEqual(new Set(blocked(before).map((b) => b.split(' ')[0])), new Set(['nats']));
    assert.deepEqual(before.remediation, [], 'the security groups are right');
    for (const flow of before.flows.filter((f) => f.status === 'blocked')) {
      const step = flow.steps.find((s) => s.status === 'blocked')!;
      assert.equal(step.kind, 'policy-ingress');
      assert.match(step.summary, /dynamo-system\/default-deny-ingress/);
    }
    assert.equal(before.policyRemediation.length, 1);
    const after = analyzeSnapshot(applyRemediation(snapshot, [], [], before.policyRemediation));
    assert.equal(after.verdict, 'pass');
  });

  it('the same cluster without the policies has the same verdicts as the SG-only example', async () => {
    const policyFree = analyzeSnapshot({ ...(await loadSnapshot('examples/policy-default-deny')), networkPolicies: [] });
    const sgOnly = analyzeSnapshot(await loadSnapshot('examples/healthy-shared-cluster-sg'));
    const verdicts = (r: AnalysisResult) => r.flows.map((f) => `${f.id} ${f.status}`).sort();
    assert.deepEqual(verdicts(policyFree), verdicts(sgOnly));
  });
});
