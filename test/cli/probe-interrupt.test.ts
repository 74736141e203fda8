// The real `probe` command (bin/dynamo-netcheck, not a copy of its signal handling) interrupted
// while its pods run: it must exit 130, print no report, and leave no namespace or pod behind.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../helpers/fake-kube-api.ts';
import { fakeWorkloads, type FakeWorkloads } from '../live/probe/fake-workloads.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('probe interrupted through the real CLI', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dnc-probe-cli-interrupt-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function interrupt(signal: NodeJS.Signals): Promise<{
    code: number | null;
    killedBy: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
    api: FakeKubeApi;
    workloads: FakeWorkloads;
  }> {
    // Every probe pod stays Pending (an untolerated taint), so the run is still waiting on its pods
    // when the signal comes; --pending-timeout (30 s) is far beyond the signal, which comes once the first pod exists.
    // Stand-in listeners come up Running and Ready (fakeWorkloads' default).
    const workloads = fakeWorkloads(() => ({ pending: 'untolerated taint', via: 'event' }));
    const api = await startFakeKubeApi({ objects: [], extend: workloads.handle });
    const kubeconfig = join(dir, `kubeconfig-${signal}.yaml`);
    writeFileSync(kubeconfig, api.kubeconfigYaml());
    const proc = spawn(
      'bin/dynamo-netcheck',
      ['probe', 'examples/dgxc-multi-sg', '--kubeconfig', kubeconfig, '--pending-timeout', '30s', '--quiet'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<{ code: number | null; killedBy: NodeJS.Signals | null }>((resolve) =>
      proc.on('exit', (code, killedBy) => resolve({ code, killedBy })),
    );
    // Wait until the run has created pods: the interrupt must find something to clean up.
    const deadline = Date.now() + 60_000;
    while (workloads.created.length === 0 && proc.exitCode === null && Date.now() < deadline) await sleep(20);
    assert.ok(workloads.created.length > 0, `no pod created before the deadline; stderr: ${stderr}`);
    await sleep(200);
    proc.kill(signal);
    const { code, killedBy } = await exited;
    await api.close();
    return { code, killedBy, stdout, stderr, api, workloads };
  }

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}: exit 130, no report, namespace and pods deleted`, async () => {
      const run = await interrupt(signal);
      const where = `exit ${run.code} ${run.killedBy ?? ''}; stderr: ${run.stderr}`;
      assert.equal(run.killedBy, null, `the CLI handles ${signal} itself — ${where}`);
      assert.equal(run.code, 130, where);
      assert.equal(run.stdout, '', 'an interrupted run prints no report');
      const namespace = run.workloads.created[0]!.metadata.namespace as string;
      assert.match(namespace, /^dynamo-netcheck-/);
      assert.match(run.stderr, new RegExp(`interrupted; namespace ${namespace} deleted`));
      assert.ok(
        run.api.requests.some((r) => r.method === 'DELETE' && r.path === `/api/v1/namespaces/${namespace}`),
        'the namespace was deleted through the API',
      );
      assert.deepEqual([...run.workloads.namespaces.keys()], [], where);
      assert.equal(run.workloads.podCount(), 0, where);
    });
  }
});
