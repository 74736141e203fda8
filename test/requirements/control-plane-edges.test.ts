/**
 * Edges of src/requirements/control-plane.ts the first tests left open (found by mutation
 * testing): a Service selector matched in full, a selected pod without the named port, webhooks
 * with several rules or resources, the operator image beside a sidecar, an operator pod without
 * its webhook-server port, several other Services called, and pods that are no prometheus-adapter.
 * Expected values from the same documentation as control-plane-calls.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AdmissionWebhookModel, CalledService } from '../../src/model/types.ts';
import {
  customMetricsCall,
  operatorWebhookCall,
  type ControlPlaneEvidence,
} from '../../src/requirements/control-plane.ts';
import { podModels, type RawPod } from './context-pods.ts';

const SERVICE = 'dynamo-platform-dynamo-operator-webhook-service';
const CALLED: CalledService = { namespace: 'dynamo-system', name: SERVICE, port: 443 };
const evidence = (over: Partial<ControlPlaneEvidence> = {}): ControlPlaneEvidence => ({
  webhooks: [],
  webhooksCaptured: false,
  apiServices: [],
  apiServicesCaptured: false,
  servicePorts: () => undefined,
  serviceSelector: () => undefined,
  pods: [],
  ...over,
});
const hook = (name: string, extra: Partial<AdmissionWebhookModel> = {}): AdmissionWebhookModel => ({
  configKind: 'ValidatingWebhookConfiguration',
  configName: 'dynamo-platform-validating',
  name,
  service: CALLED,
  failurePolicy: 'Fail',
  rules: [{ apiGroups: ['nvidia.com'], resources: ['dynamographdeployments'] }],
  origin: { file: 'k8s/webhooks.json', path: 'items[0]' },
  ...extra,
});
const pod = (name: string, extra: Partial<RawPod> = {}): RawPod => ({
  name,
  namespace: 'dynamo-system',
  labels: { 'control-plane': 'controller-manager', 'app.kubernetes.io/name': 'dynamo-operator' },
  ...extra,
});

describe('a named targetPort', () => {
  const named = (pods: RawPod[], selector: Record<string, string>) =>
    operatorWebhookCall(
      evidence({
        webhooksCaptured: true,
        webhooks: [hook('v')],
        servicePorts: () => [{ port: 443, targetPort: 'webhook-server' }],
        serviceSelector: () => selector,
        pods: podModels(...pods),
      }),
      undefined,
    ).target!.port;

  it('only a pod with every label of the selector is the Service’s', () => {
    const half = pod('half', {
      labels: { 'control-plane': 'controller-manager' },
      ports: [{ name: 'webhook-server', containerPort: 1111 }],
    });
    assert.equal(
      named([half], { 'control-plane': 'controller-manager', 'app.kubernetes.io/name': 'dynamo-operator' }),
      9443,
    );
  });

  it('a selected pod that does not declare the name is passed over for one that does', () => {
    const bare = pod('bare');
    const declaring = pod('declaring', { ports: [{ name: 'webhook-server', containerPort: 9450 }] });
    assert.equal(named([bare, declaring], { 'control-plane': 'controller-manager' }), 9450);
  });
});

describe('which webhooks run on DynamoGraphDeployments', () => {
  it('one rule of several, and one resource of several, is enough', () => {
    const rules = [
      { apiGroups: ['apps'], resources: ['deployments'] },
      { apiGroups: ['nvidia.com'], resources: ['dynamographdeployments', 'dynamographdeployments/status'] },
    ];
    const call = operatorWebhookCall(
      evidence({ webhooksCaptured: true, webhooks: [hook('v', { rules })] }),
      undefined,
    );
    assert.equal(call.applies, true);
  });

  it('several other Services are all named', () => {
    const other = (name: string): CalledService => ({ namespace: 'dynamo-system', name, port: 443 });
    const call = operatorWebhookCall(
      evidence({
        webhooksCaptured: true,
        webhooks: [hook('a'), hook('b', { service: other('b-svc') }), hook('c', { service: other('c-svc') })],
      }),
      undefined,
    );
    assert.equal(
      call.source,
      `3 webhooks on dynamographdeployments (a, b, c) call the Service dynamo-system/${SERVICE}:443 (also dynamo-system/b-svc:443, dynamo-system/c-svc:443, not checked)`,
    );
  });
});

describe('the operator pod, predicted from', () => {
  it('known by its image beside a sidecar', () => {
    const call = operatorWebhookCall(
      evidence({
        pods: podModels(
          pod('op', {
            labels: { 'control-plane': 'controller-manager' },
            image: 'nvcr.io/nvidia/ai-dynamo/kubernetes-operator:1.4.2',
            sidecars: ['gcr.io/kubebuilder/kube-rbac-proxy:v0.15.0'],
          }),
        ),
      }),
      undefined,
    );
    assert.equal(call.applies, true);
  });

  it("without a webhook-server port: the chart's 9443", () => {
    const call = operatorWebhookCall(evidence({ pods: podModels(pod('op')) }), undefined);
    assert.deepEqual(call.target, {
      namespace: 'dynamo-system',
      service: SERVICE,
      port: 9443,
      source: `predicted Service dynamo-system/${SERVICE}:443 (Service dynamo-system/${SERVICE} was not captured); the chart's webhook port 9443`,
    });
  });
});

describe('prometheus-adapter, predicted from', () => {
  it('pods that are not the adapter predict nothing', () => {
    const call = customMetricsCall(
      evidence({
        pods: podModels({
          name: 'prometheus-0',
          namespace: 'monitoring',
          labels: { 'app.kubernetes.io/name': 'prometheus' },
        }),
      }),
      undefined,
      undefined,
    );
    assert.equal(call.applies, false);
  });
});
