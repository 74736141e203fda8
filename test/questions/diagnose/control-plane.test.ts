/**
 * diagnose links the API server's "failed calling webhook" to the operator-webhook flow (control
 * plane → Dynamo operator), and "custom metrics API not available" (NVIDIA/aicr
 * ai_service_metrics_check.go) to the custom-metrics-api flow. The message shape is the API
 * server's: `Internal error occurred: failed calling webhook "<name>": failed to call webhook: Post
 * "https://<service>.<namespace>.svc:443/<path>?timeout=10s": context deadline exceeded`
 * (kubernetes-sigs/aws-load-balancer-controller#2460, aws/karpenter-provider-aws#4350); the Dynamo
 * operator's DynamoGraphDeployment webhook is vdynamographdeployment.kb.io on
 * dynamo-platform-dynamo-operator-webhook-service (ai-dynamo/dynamo webhook-configuration.yaml).
 * On examples/dynamo-1.4-system-frontend the system SG admits the cluster SG on 443 and 10250 only,
 * so the fix is one rule: the system SG admits the cluster SG on 9443.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { diagnoseDir } from './fixtures.ts';

const EXAMPLE = 'examples/dynamo-1.4-system-frontend';
const SYSTEM_SG = 'sg-062ebb7fa2ddf8d6b';
const CLUSTER_SG: string = JSON.parse(readFileSync(join(EXAMPLE, 'aws/describe-cluster.json'), 'utf8'))
  .cluster.resourcesVpcConfig.clusterSecurityGroupId;
const WEBHOOK_ERROR =
  'Internal error occurred: failed calling webhook "vdynamographdeployment.kb.io": failed to call webhook: Post "https://dynamo-platform-dynamo-operator-webhook-service.dynamo-system.svc:443/validate/nvidia.com/v1beta1/dynamographdeployments?timeout=10s": context deadline exceeded';

const scratch = mkdtempSync(join(tmpdir(), 'dnc-diagnose-cp-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The example with one Warning event about the given object, as `kubectl get events -A -o json` lists it. */
function withEvent(name: string, involved: Record<string, string>, message: string): string {
  const dir = join(scratch, name);
  cpSync(EXAMPLE, dir, { recursive: true });
  writeFileSync(
    join(dir, 'k8s', 'events.json'),
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name: `${involved.name}.18a0`, namespace: involved.namespace ?? 'default' },
          involvedObject: involved,
          reason: 'FailedCreate',
          type: 'Warning',
          message,
        },
      ],
    }),
  );
  return dir;
}

async function diagnosed(dir: string) {
  return (await diagnoseDir(dir)).diagnosis;
}

describe('diagnose: the control plane’s calls', () => {
  it('"failed calling webhook" on a Dynamo webhook is the blocked control plane → operator flow, fixed by admitting the cluster SG on 9443', async () => {
    const diagnosis = await diagnosed(
      withEvent(
        'webhook',
        {
          apiVersion: 'nvidia.com/v1beta1',
          kind: 'DynamoGraphDeployment',
          name: 'vllm-agg',
          namespace: 'dynamo-workload',
        },
        WEBHOOK_ERROR,
      ),
    );
    const cause = diagnosis.causes.find((c) => c.id === 'flow-blocked:operator-webhook');
    assert.ok(cause, JSON.stringify(diagnosis.causes.map((c) => c.id)));
    assert.deepEqual(
      cause.fixes.map((f) => f.command),
      [
        `aws ec2 authorize-security-group-ingress --group-id ${SYSTEM_SG} --protocol tcp --port 9443 --source-group ${CLUSTER_SG}`,
      ],
    );
  });

  it('another operator’s webhook does not match', async () => {
    const diagnosis = await diagnosed(
      withEvent(
        'other-webhook',
        { apiVersion: 'v1', kind: 'Pod', name: 'x', namespace: 'kube-system' },
        WEBHOOK_ERROR.replace(/vdynamographdeployment\.kb\.io/, 'mpod.vpc.k8s.aws').replace(
          /dynamo-platform-dynamo-operator-webhook-service\.dynamo-system/,
          'vpc-resource-controller.kube-system',
        ),
      ),
    );
    assert.ok(!diagnosis.causes.some((c) => c.id.includes('operator-webhook')));
  });

  it('"custom metrics API not available" from ai-service-metrics points to the custom metrics API flow', async () => {
    const diagnosis = await diagnosed(
      withEvent(
        'custom-metrics',
        { apiVersion: 'v1', kind: 'Pod', name: 'aicr-ai-service-metrics-x', namespace: 'aicr-validation' },
        'custom metrics API not available — verify prometheus-adapter is deployed and healthy: the server is currently unable to handle the request',
      ),
    );
    // Without a recipe or a running prometheus-adapter the flow is not predicted: the cause says so
    // rather than blaming a flow.
    const cause = diagnosis.causes.find((c) => c.id.includes('custom-metrics'));
    assert.ok(cause, JSON.stringify(diagnosis.causes.map((c) => c.id)));
    assert.equal(cause.id, 'custom-metrics-unexplained');
  });
});
