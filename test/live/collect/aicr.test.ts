/**
 * AICR's validator reports read from the cluster through the real client-node against a local API
 * server: only the aicr-ctrf-* ConfigMaps of aicr-validation, page by page, in wire form; RBAC that
 * forbids it is a warning, other failures a CollectError.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readAicrReportConfigMaps } from '../../../src/live/collect/aicr.ts';
import { CollectError } from '../../../src/live/errors.ts';
import { readCtrfDocument } from '../../../src/questions/diagnose/ctrf.ts';
import { loadKubeObjects, startFakeKubeApi } from '../../helpers/fake-kube-api.ts';

const configMaps = loadKubeObjects('examples/validator').filter((o) => o.kind === 'ConfigMap');
const elsewhere = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'aicr-ctrf-20250101-000000-ffffffffffffffff-deployment', namespace: 'default' },
  data: { 'report.json': '{}' },
};
const RUN = '20250617-131643-8f3a1c9e2b7d4a60';

describe('AICR validator reports from the cluster', () => {
  it('lists aicr-validation page by page and keeps the CTRF ConfigMaps, as kubectl prints them', async () => {
    const api = await startFakeKubeApi({ objects: [...configMaps, elsewhere], pageSize: 2 });
    try {
      const read = await readAicrReportConfigMaps(api.kubeConfig(), { pageSize: 3 });
      assert.deepEqual(read.warnings, []);
      assert.equal(read.namespace, 'aicr-validation');
      assert.deepEqual(
        read.configMaps.map((c) => (c.metadata as { name: string }).name),
        ['conformance', 'deployment', 'performance'].map((p) => `aicr-ctrf-${RUN}-${p}`),
      );
      const first = read.configMaps[0]!;
      assert.equal(first.kind, 'ConfigMap');
      assert.equal(
        (first.metadata as { creationTimestamp: string }).creationTimestamp,
        '2025-06-17T13:19:38Z',
      );
      const parsed = readCtrfDocument(first, 'cm');
      assert.ok(parsed.ok && parsed.reports[0]!.tests.some((t) => t.name === 'ai-service-metrics'));
      const calls = api.requests.filter((r) => r.path.endsWith('/configmaps'));
      assert.deepEqual(
        calls.map((r) => [r.method, r.path, r.query.continue === undefined]),
        [
          ['GET', '/api/v1/namespaces/aicr-validation/configmaps', true],
          ['GET', '/api/v1/namespaces/aicr-validation/configmaps', false],
        ],
      );
      assert.ok(api.requests.every((r) => r.path.startsWith('/api/v1/namespaces/aicr-validation/')));
    } finally {
      await api.close();
    }
  });

  it('without the Role: a warning naming docs/rbac-aicr-reports.yaml, no reports', async () => {
    const api = await startFakeKubeApi({ objects: configMaps, forbidden: ['configmaps'] });
    try {
      const read = await readAicrReportConfigMaps(api.kubeConfig());
      assert.deepEqual(read.configMaps, []);
      assert.match(
        read.warnings[0]!,
        /RBAC forbids list on configmaps in namespace aicr-validation: .*docs\/rbac-aicr-reports\.yaml/,
      );
    } finally {
      await api.close();
    }
  });

  it('rejected credentials stay an error', async () => {
    const api = await startFakeKubeApi({ objects: configMaps, statusFor: { configmaps: 401 } });
    try {
      await assert.rejects(readAicrReportConfigMaps(api.kubeConfig()), (err: unknown) => {
        assert.ok(err instanceof CollectError);
        assert.equal(err.failure, 'credentials');
        return true;
      });
    } finally {
      await api.close();
    }
  });
});
