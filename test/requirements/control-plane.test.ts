/**
 * The EKS control plane as a source (issue 21), on temporary copies of
 * examples/dynamo-1.4-system-frontend with the objects `snapshot` now captures added.
 *
 * Expected values come from the documentation, not from the tool:
 * - ai-dynamo/dynamo deploy/helm/charts/platform/components/operator/templates/webhook-configuration.yaml:
 *   the chart renders a ValidatingWebhookConfiguration `<release>-validating` (webhook
 *   vdynamographdeployment.kb.io, rules nvidia.com dynamographdeployments) and a
 *   MutatingWebhookConfiguration `<release>-mutating` (mdynamographdeployment.kb.io), both calling
 *   `<release>-dynamo-operator-webhook-service` in the release namespace, failurePolicy Fail by default.
 * - Kubernetes admissionregistration.k8s.io/v1: clientConfig.service.port defaults to 443;
 *   failurePolicy Ignore lets the request through when the call fails; clientConfig.url calls a
 *   server directly. A Service's targetPort may name a container port.
 * - EKS: the control plane's ENIs carry the cluster security group
 *   (describe-cluster resourcesVpcConfig.clusterSecurityGroupId); this example's system node group
 *   SG (its launch template's) admits that group on 443 and 10250 only.
 * - prometheus-community/helm-charts prometheus-adapter: APIService v1beta1.custom.metrics.k8s.io
 *   on the adapter Service, port 443 → targetPort https, listenPort 6443; an unreachable adapter
 *   shows Available=False FailedDiscoveryCheck "failing or missing response".
 * examples/ is never written.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { analyzeSnapshot, type AnalysisResult } from '../../src/questions/analyze.ts';
import { applyRemediation } from '../../src/remediate/what-if.ts';
import { loadSnapshot } from '../../src/snapshot/load.ts';

const EXAMPLE = 'examples/dynamo-1.4-system-frontend';
const scratch = mkdtempSync(join(tmpdir(), 'dnc-control-plane-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const read = (file: string): { cluster: { resourcesVpcConfig: { clusterSecurityGroupId: string } } } =>
  JSON.parse(readFileSync(join(EXAMPLE, file), 'utf8'));
const CLUSTER_SG = read('aws/describe-cluster.json').cluster.resourcesVpcConfig.clusterSecurityGroupId;
const groups: { GroupId: string; GroupName: string }[] = JSON.parse(
  readFileSync(join(EXAMPLE, 'aws/security-groups.json'), 'utf8'),
).SecurityGroups;
const SYSTEM_SG = groups.find((g) => g.GroupName === 'dynamo-inference-system')!.GroupId;
const SERVICE = 'dynamo-platform-dynamo-operator-webhook-service';

interface Hook {
  name: string;
  failurePolicy?: string;
  clientConfig: { service?: { namespace: string; name: string; path: string; port?: number }; url?: string };
  rules: { apiGroups: string[]; apiVersions: string[]; operations: string[]; resources: string[] }[];
}

/** The chart's two DynamoGraphDeployment webhooks, as rendered for release dynamo-platform. */
function chartHooks(failurePolicy = 'Fail'): { validating: Hook; mutating: Hook } {
  const hook = (name: string, path: string): Hook => ({
    name,
    failurePolicy,
    clientConfig: { service: { namespace: 'dynamo-system', name: SERVICE, path } },
    rules: [
      {
        apiGroups: ['nvidia.com'],
        apiVersions: ['v1beta1'],
        operations: ['CREATE', 'UPDATE'],
        resources: ['dynamographdeployments'],
      },
    ],
  });
  return {
    validating: hook('vdynamographdeployment.kb.io', '/validate/nvidia.com/v1beta1/dynamographdeployments'),
    mutating: hook('mdynamographdeployment.kb.io', '/mutate/nvidia.com/v1beta1/dynamographdeployments'),
  };
}

let copies = 0;
/** A copy of the example with the webhook configurations (and more) written as `kubectl get -o json` would. */
function variant(
  hooks: { validating: Hook; mutating: Hook } | undefined,
  edit?: (dir: string) => void,
): string {
  const dir = join(scratch, `${copies++}`);
  cpSync(EXAMPLE, dir, { recursive: true });
  if (hooks) {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'admissionregistration.k8s.io/v1',
          kind: 'ValidatingWebhookConfiguration',
          metadata: { name: 'dynamo-platform-dynamo-operator-validating' },
          webhooks: [{ admissionReviewVersions: ['v1'], sideEffects: 'None', ...hooks.validating }],
        },
        {
          apiVersion: 'admissionregistration.k8s.io/v1',
          kind: 'MutatingWebhookConfiguration',
          metadata: { name: 'dynamo-platform-dynamo-operator-mutating' },
          webhooks: [{ admissionReviewVersions: ['v1'], sideEffects: 'None', ...hooks.mutating }],
        },
      ],
    };
    writeFileSync(join(dir, 'k8s', 'webhooks.json'), JSON.stringify(list, null, 2));
  }
  edit?.(dir);
  return dir;
}

function editJson(file: string, change: (doc: Record<string, unknown>) => void): void {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  change(doc);
  writeFileSync(file, JSON.stringify(doc, null, 2));
}

const webhookFlows = (r: AnalysisResult) => r.flows.filter((f) => f.requirement === 'operator-webhook');

describe('operator webhook from captured webhook configurations', () => {
  it('a launch-template system node group loses it: the control plane (cluster SG) cannot reach the operator on 9443; the tool’s own fix admits the cluster SG there, and it passes', async () => {
    const snapshot = await loadSnapshot(variant(chartHooks()));
    const before = analyzeSnapshot(snapshot);
    const requirement = before.requirements.find((r) => r.id === 'operator-webhook')!;
    assert.equal(
      requirement.level,
      'required',
      'failurePolicy Fail: a failed call rejects the DynamoGraphDeployment',
    );
    assert.deepEqual(requirement.ports, { from: 9443, to: 9443 });
    const why = requirement.decidedBy.join('; ');
    assert.match(
      why,
      /webhooks on dynamographdeployments \(vdynamographdeployment\.kb\.io, mdynamographdeployment\.kb\.io\)/,
    );
    assert.match(why, /Service port 443 → targetPort 9443/);
    assert.doesNotMatch(why, /predicted/);
    const flows = webhookFlows(before);
    assert.ok(flows.length > 0);
    for (const flow of flows) {
      assert.equal(flow.status, 'blocked');
      assert.equal(flow.source.kind, 'control-plane');
      assert.deepEqual(flow.source.securityGroups, [CLUSTER_SG]);
      assert.deepEqual(flow.destination.securityGroups, [SYSTEM_SG]);
      assert.deepEqual(flow.destination.members, [
        'dynamo-system/dynamo-platform-dynamo-operator-controller-manager-6h5dvmcd2x-qsp9d',
      ]);
    }
    const fix = before.remediation.filter((r) => r.requirements.includes('operator-webhook'));
    assert.deepEqual(
      fix.map((r) => [r.groupId, r.protocol, r.fromPort, r.toPort, r.sourceGroupId]),
      [[SYSTEM_SG, 'tcp', 9443, 9443, CLUSTER_SG]],
    );
    const after = analyzeSnapshot(applyRemediation(snapshot, before.remediation, before.naclRemediation));
    assert.ok(webhookFlows(after).every((f) => f.status === 'allowed'));
    assert.equal(after.verdict, 'pass');
  });

  it('a targetPort that names a container port is resolved on the operator pod', async () => {
    const dir = variant(chartHooks(), (d) => {
      editJson(join(d, 'k8s', 'services.json'), (doc) => {
        for (const s of doc.items as {
          metadata: { name: string };
          spec: { ports: { targetPort: unknown }[] };
        }[])
          if (s.metadata.name === SERVICE) s.spec.ports[0]!.targetPort = 'webhook-server';
      });
      editJson(join(d, 'k8s', 'pods.json'), (doc) => {
        for (const p of doc.items as {
          metadata: { name: string };
          spec: { containers: { ports?: { containerPort: number; name?: string }[] }[] };
        }[])
          if (p.metadata.name.includes('controller-manager'))
            p.spec.containers[0]!.ports![0]!.containerPort = 10443;
      });
    });
    const result = analyzeSnapshot(await loadSnapshot(dir));
    const requirement = result.requirements.find((r) => r.id === 'operator-webhook')!;
    assert.deepEqual(requirement.ports, { from: 10443, to: 10443 });
    assert.match(requirement.decidedBy.join('; '), /targetPort "webhook-server" = container port 10443/);
  });

  it('failurePolicy Ignore on every Dynamo webhook makes it recommended: shown, not counted', async () => {
    const result = analyzeSnapshot(await loadSnapshot(variant(chartHooks('Ignore'))));
    const requirement = result.requirements.find((r) => r.id === 'operator-webhook')!;
    assert.equal(requirement.level, 'recommended');
    assert.match(requirement.decidedBy.join('; '), /failurePolicy Ignore/);
    assert.ok(webhookFlows(result).every((f) => f.level === 'recommended' && f.status === 'blocked'));
    assert.ok(
      !result.remediation.some((r) => r.requirements.includes('operator-webhook')),
      'not fixed without --strict',
    );
  });

  it('a webhook called by URL is not a pod flow, and says so', async () => {
    const hooks = chartHooks();
    for (const hook of [hooks.validating, hooks.mutating])
      hook.clientConfig = { url: 'https://webhooks.example.com/dynamo' };
    const result = analyzeSnapshot(await loadSnapshot(variant(hooks)));
    assert.equal(webhookFlows(result).length, 0);
    assert.match(
      result.notApplicable.find((n) => n.id === 'operator-webhook')!.because,
      /calls https:\/\/webhooks\.example\.com\/dynamo.*not a pod behind a Service/,
    );
  });

  it('without describe-cluster the control plane is unknown, never allowed', async () => {
    const dir = variant(chartHooks(), (d) => rmSync(join(d, 'aws', 'describe-cluster.json')));
    const result = analyzeSnapshot(await loadSnapshot(dir));
    const flows = webhookFlows(result);
    assert.ok(flows.length > 0);
    for (const flow of flows) {
      assert.equal(flow.status, 'unknown');
      assert.match(flow.reason, /describe-cluster was not captured/);
    }
  });

  it('the additional security groups of describe-cluster are on the control plane too', async () => {
    const dir = variant(chartHooks(), (d) =>
      editJson(join(d, 'aws', 'describe-cluster.json'), (doc) => {
        (
          doc.cluster as { resourcesVpcConfig: { securityGroupIds: string[] } }
        ).resourcesVpcConfig.securityGroupIds = [SYSTEM_SG];
      }),
    );
    const result = analyzeSnapshot(await loadSnapshot(dir));
    // The system SG admits all from itself: the control plane carrying it reaches the operator.
    for (const flow of webhookFlows(result)) {
      assert.deepEqual(flow.source.securityGroups, [CLUSTER_SG, SYSTEM_SG].sort());
      assert.equal(flow.status, 'allowed');
    }
  });
});

describe('custom metrics API from a captured APIService', () => {
  it('the APIService’s Service and its Available=False condition decide; prometheus-adapter is predicted on the system nodes, blocked on 6443', async () => {
    const dir = variant(chartHooks(), (d) => {
      writeFileSync(
        join(d, 'k8s', 'apiservices.json'),
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'List',
          items: [
            {
              apiVersion: 'apiregistration.k8s.io/v1',
              kind: 'APIService',
              metadata: { name: 'v1beta1.custom.metrics.k8s.io' },
              spec: {
                group: 'custom.metrics.k8s.io',
                version: 'v1beta1',
                service: { namespace: 'monitoring', name: 'prometheus-adapter', port: 443 },
              },
              status: {
                conditions: [
                  {
                    type: 'Available',
                    status: 'False',
                    reason: 'FailedDiscoveryCheck',
                    message:
                      'failing or missing response from https://10.40.20.150:6443/apis/custom.metrics.k8s.io/v1beta1: context deadline exceeded',
                  },
                ],
              },
            },
            {
              apiVersion: 'apiregistration.k8s.io/v1',
              kind: 'APIService',
              metadata: { name: 'v1.apps' },
              spec: { group: 'apps', version: 'v1' },
            },
          ],
        }),
      );
    });
    const result = analyzeSnapshot(await loadSnapshot(dir));
    const requirement = result.requirements.find((r) => r.id === 'custom-metrics-api')!;
    assert.equal(requirement.level, 'required', 'ai-service-metrics runs by default and fails without it');
    const why = requirement.decidedBy.join('; ');
    assert.match(
      why,
      /APIService v1beta1\.custom\.metrics\.k8s\.io calls the Service monitoring\/prometheus-adapter:443/,
    );
    assert.match(why, /Available=False \(FailedDiscoveryCheck: failing or missing response/);
    assert.deepEqual(requirement.ports, { from: 6443, to: 6443 });
    const flows = result.flows.filter((f) => f.requirement === 'custom-metrics-api');
    assert.ok(flows.length > 0);
    for (const flow of flows) {
      assert.equal(flow.status, 'blocked');
      assert.equal(flow.source.kind, 'control-plane');
      assert.equal(flow.destination.nodeGroup, 'system');
    }
    assert.ok(
      result.remediation.some(
        (r) => r.groupId === SYSTEM_SG && r.fromPort === 6443 && r.sourceGroupId === CLUSTER_SG,
      ),
    );
  });
});
