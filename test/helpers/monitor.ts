/**
 * What the `monitor` tests share: a copy of an example snapshot to edit, the edit that breaks the
 * healthy example (its cluster SG loses the self-referencing ingress rule, as when someone revokes
 * it in the console), a monitor process started on a free port, and reading its endpoints.
 */
import { cpSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import YAML from 'yaml';
import { ServerProcess, waitUntil } from './processes.ts';

/** examples/healthy-shared-cluster-sg: every node on the EKS cluster SG, whose one ingress rule is "all traffic from itself". */
export const HEALTHY = 'examples/healthy-shared-cluster-sg';
export const CLUSTER_SG = 'sg-01595bd878443140e';
/** NATS from the GPU workers to the NATS pod on a system node: crosses nodes, so the cluster SG decides it. */
export const NATS_FLOW = `nats:pods@gpu-a100[${CLUSTER_SG}]->pods@system[${CLUSTER_SG}]`;
/** The rule the edit removes, as the analysis describes it (reachability/describe.ts). */
export const REVOKED_RULE = `${CLUSTER_SG} ingress all traffic from 123456789012/${CLUSTER_SG}`;

export function copyExample(example: string, scratch: string, name = 'snap'): string {
  const dir = join(scratch, name);
  cpSync(example, dir, { recursive: true });
  return dir;
}

/**
 * Removes the cluster SG's ingress rules from the snapshot at `dir`: written beside it, then
 * renamed over the file, so a monitor reading the directory sees the old file or the new, never half.
 */
export function revokeClusterSgIngress(dir: string, scratch: string): void {
  const file = join(dir, 'aws', 'security-groups.json');
  const doc = JSON.parse(readFileSync(file, 'utf8')) as {
    SecurityGroups: { GroupId: string; IpPermissions: unknown[] }[];
  };
  const group = doc.SecurityGroups.find((g) => g.GroupId === CLUSTER_SG)!;
  group.IpPermissions = [];
  const next = join(scratch, 'security-groups.json.next');
  writeFileSync(next, JSON.stringify(doc, null, 2));
  renameSync(next, file);
}

/** A TCP port nothing listens on right now (for servers that cannot be told to take port 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RunningMonitor {
  readonly url: string;
  readonly process: ServerProcess;
}

/** Starts `command args…` (a monitor) and waits for its `listening on URL` line. */
export async function startMonitor(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<RunningMonitor> {
  const process_ = ServerProcess.start('monitor', command, args, { ...process.env, NO_COLOR: '1', ...env });
  await process_.waitForLog(/listening on http:\/\/\S+/, 60_000);
  const url = /listening on (http:\/\/\S+)/.exec(process_.text())![1]!;
  return { url, process: process_ };
}

export async function get(url: string): Promise<{ status: number; body: string; type: string }> {
  const response = await fetch(url);
  return {
    status: response.status,
    body: await response.text(),
    type: response.headers.get('content-type') ?? '',
  };
}

/** The value of one sample of the exposition (`name{labels} value`), or undefined. */
export function sample(
  exposition: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [
        m[1]!,
        m[2]!,
      ]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return undefined;
}

/** Waits until the monitor's /metrics satisfies `probe`; returns that exposition. */
export async function metricsWhen(
  monitor: RunningMonitor,
  what: string,
  probe: (exposition: string) => boolean,
  timeoutMs = 30_000,
): Promise<string> {
  let last = '';
  await waitUntil(
    `${what}\n${monitor.process.logTail()}`,
    async () => {
      last = (await get(`${monitor.url}/metrics`)).body;
      return probe(last);
    },
    timeoutMs,
  );
  return last;
}

/** The alert rules of deploy/monitor's PrometheusRule, as a Prometheus rule file. */
export function ruleFile(): string {
  const rule = YAML.parse(readFileSync('deploy/monitor/base/prometheusrule.yaml', 'utf8')) as {
    spec: { groups: unknown[] };
  };
  return YAML.stringify({ groups: rule.spec.groups });
}
