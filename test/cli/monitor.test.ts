/**
 * `monitor` as an operator runs it: bin/dynamo-netcheck on a snapshot directory that the test then
 * edits (the cluster SG loses its ingress rule), a real Prometheus (Debian's) scraping it on
 * loopback with deploy/monitor's alert rules loaded, and its HTTP API read back: the NATS flow's
 * status series goes from allowed to blocked, and the alert for it is raised. The exposition
 * passes `promtool check metrics`; the change is logged with its cause and sent as a Kubernetes
 * Event; SIGTERM ends the process cleanly.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../helpers/fake-kube-api.ts';
import {
  copyExample,
  freePort,
  get,
  HEALTHY,
  NATS_FLOW,
  REVOKED_RULE,
  revokeClusterSgIngress,
  ruleFile,
  sample,
  startMonitor,
  type RunningMonitor,
} from '../helpers/monitor.ts';
import { requireBinaries, ServerProcess, waitUntil } from '../helpers/processes.ts';

const scratch = mkdtempSync(join(tmpdir(), 'dnc-monitor-'));

interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

describe('monitor on a snapshot directory, scraped by a real Prometheus', () => {
  let kube: FakeKubeApi;
  const events: Record<string, unknown>[] = [];
  let monitor: RunningMonitor;
  let prometheus: ServerProcess;
  let promUrl: string;
  const snapshot = copyExample(HEALTHY, scratch);

  async function query(promql: string): Promise<PromSample[]> {
    const response = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as { status: string; data: { result: PromSample[] } };
    assert.equal(body.status, 'success', JSON.stringify(body));
    return body.data.result;
  }
  const natsStatus = async (status: string): Promise<string | undefined> =>
    (await query(`dynamo_netcheck_flow_status{flow="${NATS_FLOW}",status="${status}"}`))[0]?.value[1];

  before(async () => {
    await requireBinaries({ prometheus: 'prometheus', promtool: 'prometheus' });
    // The Kubernetes API the Events go to: the monitor's kubeconfig points here.
    kube = await startFakeKubeApi({
      objects: [],
      extend: (req: IncomingMessage, res: ServerResponse, url: URL) => {
        if (req.method !== 'POST' || url.pathname !== '/api/v1/namespaces/dynamo-netcheck/events')
          return false;
        let text = '';
        req.on('data', (chunk: Buffer) => (text += chunk.toString()));
        req.on('end', () => {
          events.push(JSON.parse(text) as Record<string, unknown>);
          res.writeHead(201, { 'content-type': 'application/json' });
          res.end(text);
        });
        return true;
      },
    });
    const kubeconfig = join(scratch, 'kubeconfig');
    writeFileSync(kubeconfig, kube.kubeconfigYaml());
    monitor = await startMonitor(
      'bin/dynamo-netcheck',
      ['monitor', snapshot, '--listen', '127.0.0.1:0', '--interval', '200ms', '--kubeconfig', kubeconfig],
      { POD_NAME: 'dynamo-netcheck-monitor-0', POD_NAMESPACE: 'dynamo-netcheck', POD_UID: 'uid-0' },
    );
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    const dir = join(scratch, 'prometheus');
    writeFileSync(join(scratch, 'rules.yml'), ruleFile());
    writeFileSync(
      join(scratch, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'rule_files:',
        `  - ${join(scratch, 'rules.yml')}`,
        'scrape_configs:',
        '  - job_name: dynamo-netcheck',
        '    static_configs:',
        `      - targets: ['${new URL(monitor.url).host}']`,
        '',
      ].join('\n'),
    );
    prometheus = ServerProcess.start('prometheus', 'prometheus', [
      `--config.file=${join(scratch, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ]);
    await prometheus.waitForLog(/Server is ready to receive web requests/, 30_000);
  });

  after(async () => {
    await monitor?.process.stop();
    await prometheus?.stop();
    await kube?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('serves the passing analysis: /readyz, /report, /report.json, and an exposition promtool accepts', async () => {
    await waitUntil(
      '/readyz answers 200',
      async () => (await get(`${monitor.url}/readyz`)).status === 200,
      30_000,
    );
    assert.equal((await get(`${monitor.url}/healthz`)).status, 200);
    const json = await get(`${monitor.url}/report.json`);
    assert.equal(json.status, 200);
    assert.equal(json.type, 'application/json');
    assert.equal((JSON.parse(json.body) as { verdict: string }).verdict, 'pass');
    const html = await get(`${monitor.url}/report`);
    assert.equal(html.status, 200);
    assert.match(html.type, /^text\/html/);
    assert.match(html.body, /^<!doctype html>/i);
    assert.equal((await get(`${monitor.url}/nothing-here`)).status, 404);

    const metrics = await get(`${monitor.url}/metrics`);
    assert.match(metrics.type, /^text\/plain; version=0\.0\.4/);
    assert.equal(sample(metrics.body, 'dynamo_netcheck_verdict', { verdict: 'pass' }), 1);
    assert.equal(
      sample(metrics.body, 'dynamo_netcheck_flow_status', { flow: NATS_FLOW, status: 'allowed' }),
      1,
    );
    assert.equal(sample(metrics.body, 'dynamo_netcheck_interval_seconds'), 0.2);
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: metrics.body, encoding: 'utf8' });
    assert.equal(lint.status, 0, lint.stdout + lint.stderr);
    assert.equal(lint.stdout + lint.stderr, '');
  });

  it("Prometheus sees the NATS flow's status series change when the SG rule is removed, and raises the alert", async () => {
    await waitUntil(
      'Prometheus has scraped the allowed NATS flow',
      async () => (await natsStatus('allowed')) === '1',
      30_000,
    );
    assert.equal(await natsStatus('blocked'), '0');
    revokeClusterSgIngress(snapshot, scratch);
    await waitUntil(
      'Prometheus sees the NATS flow blocked',
      async () => (await natsStatus('blocked')) === '1',
      30_000,
    );
    assert.equal(await natsStatus('allowed'), '0');
    // The same series, both values in Prometheus' own storage: allowed until the edit, blocked after.
    const history = await query(
      `changes(dynamo_netcheck_flow_status{flow="${NATS_FLOW}",status="blocked"}[5m])`,
    );
    assert.equal(history.length, 1);
    assert.ok(Number(history[0]!.value[1]) >= 1, JSON.stringify(history));
    assert.equal((await query('dynamo_netcheck_verdict{verdict="fail"}'))[0]?.value[1], '1');
    const fixes = await query(`dynamo_netcheck_flow_fix_info{flow="${NATS_FLOW}"}`);
    assert.deepEqual(
      fixes.map((f) => f.metric.command),
      [
        `aws ec2 authorize-security-group-ingress --group-id sg-01595bd878443140e --protocol tcp --port 4222 --source-group sg-01595bd878443140e`,
      ],
    );

    // deploy/monitor's rule for a blocked required flow, evaluated by this Prometheus (it waits out `for`).
    await waitUntil(
      'the DynamoNetcheckRequiredFlowBlocked alert for the NATS flow',
      async () => {
        const response = await fetch(`${promUrl}/api/v1/alerts`);
        const body = (await response.json()) as {
          data: {
            alerts: { labels: Record<string, string>; annotations: Record<string, string>; state: string }[];
          };
        };
        const alert = body.data.alerts.find(
          (a) => a.labels.alertname === 'DynamoNetcheckRequiredFlowBlocked' && a.labels.flow === NATS_FLOW,
        );
        if (!alert) return false;
        assert.match(alert.state, /^(pending|firing)$/);
        assert.match(
          alert.annotations.description!,
          new RegExp(`^Flow ${NATS_FLOW.replace(/[[\]]/g, '\\$&')} is blocked`),
        );
        assert.match(
          alert.annotations.description!,
          /Fix: aws ec2 authorize-security-group-ingress --group-id sg-01595bd878443140e --protocol tcp --port 4222 --source-group sg-01595bd878443140e;/,
        );
        return true;
      },
      30_000,
    );
  });

  it('logs one line naming the flow and the removed rule, and emits a Kubernetes Event on its own Pod', async () => {
    const line = monitor.process
      .text()
      .split('\n')
      .find((l) => l.includes(`flow ${NATS_FLOW} (`) && l.includes('allowed → blocked'));
    assert.ok(line, monitor.process.logTail());
    assert.match(line, /NATS event plane tcp\/4222: gpu-a100 \(2 pods\)/);
    assert.ok(line.includes(`likely cause: rule ${REVOKED_RULE} removed`), line);
    assert.match(monitor.process.text(), /verdict pass → fail/);

    await waitUntil(
      'the FlowBlocked Event',
      async () => events.some((e) => e.reason === 'FlowBlocked'),
      10_000,
    );
    const event = events.find((e) => e.reason === 'FlowBlocked' && String(e.message).includes(NATS_FLOW))!;
    assert.ok(event, JSON.stringify(events.map((e) => e.reason)));
    assert.equal(event.type, 'Warning');
    assert.deepEqual(event.involvedObject, {
      apiVersion: 'v1',
      kind: 'Pod',
      name: 'dynamo-netcheck-monitor-0',
      namespace: 'dynamo-netcheck',
      uid: 'uid-0',
    });
    assert.ok(String(event.message).includes(`likely cause: rule ${REVOKED_RULE} removed`));
    assert.ok(
      String(event.message).includes(
        'fix: aws ec2 authorize-security-group-ingress --group-id sg-01595bd878443140e --protocol tcp --port 4222',
      ),
    );
    assert.ok(events.some((e) => e.reason === 'VerdictChanged' && e.type === 'Warning'));
  });

  it('SIGTERM drains and exits 0 within a few seconds', async () => {
    const started = Date.now();
    monitor.process.kill('SIGTERM');
    assert.equal(await monitor.process.waitForExit(5000), 0);
    assert.ok(Date.now() - started < 5000);
    assert.match(monitor.process.text(), /SIGTERM: stopping[^\n]*\n[^\n]*stopped\n$/);
  });
});
