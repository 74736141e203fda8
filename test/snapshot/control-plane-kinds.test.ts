/**
 * The kinds the API server's calls are read from (admissionregistration.k8s.io/v1
 * Validating/MutatingWebhookConfiguration, apiregistration.k8s.io/v1 APIService) are optional
 * snapshot files: read by content, validated, and a bad value is an issue naming the file and the
 * JSON path (the loader's exit 2), never a silent default.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildModel } from '../../src/model/build.ts';
import { parseSnapshot } from '../../src/snapshot/parse.ts';

const webhook = (port: unknown) => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingWebhookConfiguration',
  metadata: { name: 'dynamo-platform-dynamo-operator-validating' },
  webhooks: [
    {
      name: 'vdynamographdeployment.kb.io',
      clientConfig: {
        service: {
          namespace: 'dynamo-system',
          name: 'dynamo-platform-dynamo-operator-webhook-service',
          port,
        },
      },
      rules: [{ apiGroups: ['nvidia.com'], resources: ['dynamographdeployments'] }],
    },
  ],
});

describe('webhook configurations and APIServices in a snapshot', () => {
  it('are read by content from a List, and the model keeps whom they call (port 443 when unset, failurePolicy Fail when unset)', () => {
    const result = parseSnapshot([
      {
        path: 'k8s/admission.yaml',
        text: JSON.stringify({
          apiVersion: 'v1',
          kind: 'List',
          items: [
            { ...webhook(undefined), kind: 'MutatingWebhookConfiguration' },
            {
              apiVersion: 'apiregistration.k8s.io/v1',
              kind: 'APIService',
              metadata: { name: 'v1beta1.custom.metrics.k8s.io' },
              spec: { service: { namespace: 'monitoring', name: 'prometheus-adapter' } },
            },
          ],
        }),
      },
    ]);
    assert.ok(result.ok);
    assert.ok(result.snapshot.captured.has('MutatingWebhookConfiguration'));
    assert.ok(result.snapshot.captured.has('APIService'));
    assert.ok(!result.snapshot.captured.has('ValidatingWebhookConfiguration'));
    const model = buildModel(result.snapshot);
    assert.equal(model.webhooksCaptured, true);
    assert.deepEqual(
      model.webhooks.map((w) => [w.configKind, w.name, w.service, w.failurePolicy, w.origin.path]),
      [
        [
          'MutatingWebhookConfiguration',
          'vdynamographdeployment.kb.io',
          { namespace: 'dynamo-system', name: 'dynamo-platform-dynamo-operator-webhook-service', port: 443 },
          'Fail',
          'items[0].webhooks[0]',
        ],
      ],
    );
    assert.deepEqual(model.apiServices[0]!.service, {
      namespace: 'monitoring',
      name: 'prometheus-adapter',
      port: 443,
    });
    assert.equal(model.apiServicesCaptured, true);
  });

  it('a port that is not a number names the file and the JSON path', () => {
    const result = parseSnapshot([{ path: 'k8s/webhooks.json', text: JSON.stringify(webhook('https')) }]);
    assert.equal(result.ok, false);
    assert.ok(
      !result.ok &&
        result.issues.some(
          (i) => i.file === 'k8s/webhooks.json' && i.path === 'webhooks[0].clientConfig.service.port',
        ),
    );
  });

  it('an older snapshot without them: nothing captured, so the flows are predicted, not decided', () => {
    const result = parseSnapshot([
      { path: 'k8s/empty.json', text: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [] }) },
    ]);
    assert.ok(result.ok);
    const model = buildModel(result.snapshot);
    assert.equal(model.webhooksCaptured, false);
    assert.equal(model.apiServicesCaptured, false);
    assert.equal(
      model.controlPlane.kind,
      'unresolved',
      'no describe-cluster: the control plane is not known',
    );
  });
});
