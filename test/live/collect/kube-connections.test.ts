/**
 * reuseConnections, which loadKubeConfig applies: the calls of one kubeconfig whose cluster has a
 * CA (as every EKS kubeconfig does) share kept-alive connections instead of opening a TCP
 * connection and a TLS handshake each, and servers with other TLS material keep their own.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig } from '../../../src/live/collect/kubernetes.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../helpers/fake-kube-api.ts';
import { OTHER_CERT, OTHER_KEY, SELF_SIGNED_CERT, SELF_SIGNED_KEY } from '../../helpers/tls-certs.ts';

const base64 = (text: string) => Buffer.from(text).toString('base64');

describe('Kubernetes connections', () => {
  let dir: string;
  // HTTPS API servers with no objects, counting their TLS handshakes (one per connection opened).
  let a: FakeKubeApi;
  let b: FakeKubeApi;
  let file: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'netcheck-kube-tls-'));
    a = await startFakeKubeApi({ objects: [], tls: { cert: SELF_SIGNED_CERT, key: SELF_SIGNED_KEY } });
    b = await startFakeKubeApi({ objects: [], tls: { cert: OTHER_CERT, key: OTHER_KEY } });
    // Two clusters, each with its own server's certificate as its CA, as `aws eks update-kubeconfig` writes them.
    file = join(dir, 'config');
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- {name: a, cluster: {server: "${a.url}", certificate-authority-data: ${base64(SELF_SIGNED_CERT)}}}`,
        `- {name: b, cluster: {server: "${b.url}", certificate-authority-data: ${base64(OTHER_CERT)}}}`,
        'users:',
        '- {name: u, user: {token: t}}',
        'contexts:',
        '- {name: a, context: {cluster: a, user: u}}',
        '- {name: b, context: {cluster: b, user: u}}',
        'current-context: a',
        '',
      ].join('\n'),
    );
  });
  after(async () => {
    await a.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('calls one after another reuse their connections: 20 calls, no more handshakes than after the first 5', async () => {
    const start = a.handshakes;
    const core = loadKubeConfig({ kubeconfig: file }).makeApiClient(CoreV1Api);
    for (let i = 0; i < 5; i++) await core.listNamespace();
    // undici may open a second connection while the first answer is being read; then no more.
    const warm = a.handshakes - start;
    assert.ok(warm >= 1 && warm <= 2, `${warm} handshakes for 5 calls`);
    for (let i = 0; i < 15; i++) await core.listNamespace();
    assert.equal(a.handshakes - start, warm);
  });

  it('why: client-node alone opens a connection, with its handshake, for every call', async () => {
    const start = a.handshakes;
    const kc = new KubeConfig();
    kc.loadFromFile(file);
    const core = kc.makeApiClient(CoreV1Api);
    for (let i = 0; i < 5; i++) await core.listNamespace();
    assert.equal(a.handshakes - start, 5);
  });

  it('4 calls at once open at most 4 connections, and the calls after them open none', async () => {
    const start = a.handshakes;
    const core = loadKubeConfig({ kubeconfig: file }).makeApiClient(CoreV1Api);
    await Promise.all(Array.from({ length: 4 }, () => core.listNamespace()));
    const opened = a.handshakes - start;
    assert.ok(opened >= 1 && opened <= 4, `${opened} handshakes`);
    for (let i = 0; i < 8; i++) await core.listNamespace();
    assert.equal(a.handshakes - start, opened);
  });

  it('another cluster of the same kubeconfig is reached with its own CA, not through the first one’s connections', async () => {
    const kc = loadKubeConfig({ kubeconfig: file });
    await kc.makeApiClient(CoreV1Api).listNamespace();
    const onA = a.handshakes;
    const startB = b.handshakes;
    kc.setCurrentContext('b');
    const onB = kc.makeApiClient(CoreV1Api);
    // Through the agent built for a's CA, b's certificate would fail verification.
    for (let i = 0; i < 3; i++) await onB.listNamespace();
    const opened = b.handshakes - startB;
    assert.ok(opened >= 1 && opened <= 2, `${opened} handshakes on b`);
    assert.equal(a.handshakes, onA);
  });
});
