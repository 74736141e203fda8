/**
 * `npm run bench:live`, run small: the collector against the fakes of EC2/EKS/STS and the
 * Kubernetes API with latency and throttling on both sides, as the 10k-node benchmark runs it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { benchLive, type LiveBenchResult } from '../../../bench/live.ts';

describe('live-collection benchmark, small', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netcheck-bench-live-'));
  let result: LiveBenchResult;
  before(async () => {
    result = await benchLive({ nodes: 30, dir, latencyMs: 5, throttleEvery: 10, pageSize: 100 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('collects every node and pod the generated cluster has (bench/generate.ts: ~20 pods a node)', () => {
    assert.equal(result.counts['k8s/nodes.json'], 30);
    assert.equal(result.counts['k8s/pods.json'], result.pods);
    assert.ok(result.pods >= 30 * 20, `${result.pods} pods`);
    assert.equal(result.counts['aws/instances.json'], 30);
    assert.equal(result.counts['manifest.json'], 1);
  });

  it('was throttled on both sides and retried through it', () => {
    assert.ok(result.kube.throttled > 0);
    assert.ok(result.ec2.throttled > 0);
    assert.equal(result.kube.calls, result.kube.pages + result.kube.throttled);
    assert.equal(result.ec2.calls, result.ec2.pages + result.ec2.throttled);
    const kubeLine = result.progress.find((l) => / Kubernetes: /.test(l))!;
    assert.ok(kubeLine.endsWith(`${result.kube.calls} calls, ${result.kube.throttled} retried)`), kubeLine);
  });

  it('never beats its floor: its longest chain of pages, and the pages over the calls in flight', () => {
    // The pods come as one list per namespace after the first page across all namespaces: the
    // longest chain is that first page and the biggest namespace (bench/generate.ts: ~3 pods in
    // 20 a node in each of team-0 … team-6), 100 pods a page.
    assert.ok(result.kube.lists > 10, `${result.kube.lists} lists`);
    assert.ok(result.kube.longestList >= 1 + Math.ceil((result.pods * 2) / 20 / 100));
    assert.ok(result.kube.longestList < Math.ceil(result.pods / 100));
    assert.ok(result.floorS >= result.kube.longestList * 0.005);
    assert.ok(result.floorS >= (result.kube.pages / 4) * 0.005);
    assert.ok(result.floorWithWaitsS >= result.floorS);
    assert.ok(result.wallS >= result.floorS, `${result.wallS} s < floor ${result.floorS} s`);
    assert.ok(result.cpuS > 0);
  });
});

describe('live-collection benchmark over HTTPS, small', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netcheck-bench-live-tls-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const run = (reuse: boolean) =>
    benchLive({ nodes: 30, dir, latencyMs: 5, throttleEvery: 0, pageSize: 100, tls: true, reuse });

  it('as snapshot runs it, the calls share a few connections (a handshake is not paid per call)', async () => {
    const result = await run(true);
    assert.equal(result.counts['k8s/nodes.json'], 30);
    // 4 calls in flight, and undici may open a second connection while an answer is being read.
    assert.ok(result.handshakes >= 1 && result.handshakes <= 8, `${result.handshakes} connections`);
    assert.ok(result.kube.calls > 3 * result.handshakes, `${result.kube.calls} calls`);
  });

  it('with client-node alone, every call opens its own connection', async () => {
    const result = await run(false);
    assert.equal(result.handshakes, result.kube.calls);
  });
});
