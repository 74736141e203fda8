import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lab } from './netns.ts';

/** Bounds on server start-up, generous for a loaded CI machine; a miss fails with the server's log. */
const NATS_START_MS = 10_000;
const PROMETHEUS_START_MS = 30_000;
const ETCD_START_MS = 30_000;

/** The ports the servers listen on inside the lab's server namespace (on every address). */
export const PORT = {
  nats: 4222,
  natsJetStream: 4223,
  natsMonitoring: 8222,
  prometheus: 9090,
  etcd: 2379,
} as const;

export interface NatsSpec {
  port: number;
  jetstream: boolean;
  /** Also serve nats-server's HTTP monitoring here: an HTTP server that is neither Prometheus nor etcd. */
  monitoringPort?: number;
}

export async function startNats(lab: Lab, { port, jetstream, monitoringPort }: NatsSpec): Promise<void> {
  const args = ['-a', '0.0.0.0', '-p', String(port)];
  if (jetstream) args.push('-js', '-sd', await lab.tempDir('jetstream'));
  if (monitoringPort !== undefined) args.push('-m', String(monitoringPort));
  const server = lab.startInServer(`nats-server${jetstream ? ' -js' : ''} on ${port}`, 'nats-server', args);
  await server.waitForLog(/Server is ready/, NATS_START_MS);
}

/** Prometheus scraping itself every second, so `up` has a series soon after start. */
export async function startPrometheus(lab: Lab, port: number = PORT.prometheus): Promise<void> {
  const dir = await lab.tempDir('prometheus');
  const config = join(dir, 'prometheus.yml');
  await writeFile(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      'scrape_configs:',
      '  - job_name: prometheus',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${port}']`,
      '',
    ].join('\n'),
  );
  const server = lab.startInServer('prometheus', 'prometheus', [
    `--config.file=${config}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=0.0.0.0:${port}`,
  ]);
  await server.waitForLog(/Server is ready to receive web requests/, PROMETHEUS_START_MS);
}

/** A single-member etcd cluster; its peer port stays on the server's loopback. */
export async function startEtcd(lab: Lab, port: number = PORT.etcd): Promise<void> {
  const dir = await lab.tempDir('etcd');
  const peer = 'http://127.0.0.1:2380';
  const server = lab.startInServer('etcd', 'etcd', [
    '--name=dial-test',
    `--data-dir=${join(dir, 'data')}`,
    `--listen-client-urls=http://0.0.0.0:${port}`,
    `--advertise-client-urls=http://127.0.0.1:${port}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=dial-test=${peer}`,
  ]);
  await server.waitForLog(/ready to serve client requests/, ETCD_START_MS);
}
