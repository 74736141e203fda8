/**
 * Requirements follow the Dynamo that is deployed. Expected values come from AICR's page for
 * Dynamo 1.4+ (NVIDIA/aicr docs/integrator/eks-dynamo-networking.md): no bundled NATS; system → GPU
 * TCP 5557 and the request plane; GPU → system the response stream and 9090; and from
 * ai_service_metrics_check.go: Prometheus must scrape dcgm-exporter (9400) for DCGM_FI_DEV_GPU_UTIL.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { analyzeSnapshot } from '../../src/questions/analyze.ts';
import { applyRemediation } from '../../src/remediate/what-if.ts';
import { buildRequirementContext } from '../../src/requirements/context.ts';
import { resolveRequirements } from '../../src/requirements/resolve.ts';
import { loadSnapshot } from '../../src/snapshot/load.ts';
import { run } from '../helpers/processes.ts';

const runCli = (args: string[]) => run('./bin/dynamo-netcheck', args);

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A copy of examples/dgxc-multi-sg relabelled as Dynamo `version`, its pods passed through `edit`. */
function dgxcAs(
  version: string,
  edit: (pods: Json[]) => Json[] = (p) => p,
  editGroups: (groups: Json[]) => Json[] = (g) => g,
): string {
  const dir = mkdtempSync(join(tmpdir(), 'dnc-family-'));
  dirs.push(dir);
  cpSync('examples/dgxc-multi-sg', dir, { recursive: true });
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
  for (const file of walk(dir))
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replaceAll('dynamo-platform-1.2.0', `dynamo-platform-${version}`),
    );
  const podsFile = join(dir, 'k8s/pods.json');
  const list = JSON.parse(readFileSync(podsFile, 'utf8')) as Json;
  list.items = edit(list.items as Json[]);
  writeFileSync(podsFile, JSON.stringify(list));
  const sgFile = join(dir, 'aws/security-groups.json');
  const sgs = JSON.parse(readFileSync(sgFile, 'utf8')) as Json;
  sgs.SecurityGroups = editGroups(sgs.SecurityGroups as Json[]);
  writeFileSync(sgFile, JSON.stringify(sgs));
  return dir;
}

const setEnv = (pod: Json, name: string, value: string | undefined): Json => {
  for (const c of pod.spec.containers as Json[]) {
    c.env = ((c.env ?? []) as Json[]).filter((e) => e.name !== name);
    if (value !== undefined) c.env.push({ name, value });
  }
  return pod;
};
const isDynamoWorkload = (pod: Json): boolean => pod.metadata.namespace === 'dynamo-workload';

describe('Dynamo 1.4+ requirements (AICR page)', () => {
  it('requirements --dynamo-version 1.4.2: 5557 and the request plane system → GPU, the response stream GPU → system, 9090 and the DCGM scrape; no 4222', () => {
    const { context } = buildRequirementContext([], { dynamoVersion: '1.4.2' });
    const set = resolveRequirements(context);
    const by = new Map(set.requirements.map((r) => [r.id, r]));
    assert.equal(by.has('nats'), false);
    assert.deepEqual(by.get('zmq-events')?.ports, { from: 5557, to: 5557 });
    assert.equal(by.get('zmq-events')?.from, 'dynamo-frontends');
    assert.deepEqual(by.get('zmq-events')?.to, { kind: 'dynamo-role', role: 'worker' });
    // OS-assigned listener ports: Linux's default ip_local_port_range, inside AICR's 1024-65535.
    assert.deepEqual(by.get('request-plane')?.ports, { from: 32768, to: 60999 });
    assert.match(by.get('request-plane')!.documented!, /1024-65535/);
    assert.equal(by.get('response-stream')?.from, 'dynamo-workers');
    assert.deepEqual(by.get('response-stream')?.to, { kind: 'dynamo-role', role: 'frontend' });
    assert.deepEqual(by.get('prometheus')?.ports, { from: 9090, to: 9090 });
    assert.deepEqual(by.get('dcgm-scrape')?.ports, { from: 9400, to: 9400 });
    assert.equal(context.frontendOn, 'system-node-groups');
  });

  it('the CLI lists the families and no 4222 for 1.4.2', async () => {
    const r = await runCli(['requirements', '--dynamo-version', '1.4.2']);
    assert.equal(r.code, 0);
    assert.doesNotMatch(r.stdout, /^TCP 4222/m);
    assert.match(r.stdout, /^TCP 5557 /m);
    assert.match(r.stdout, /^TCP 9400 /m);
    assert.match(r.stdout, /1\.2-1\.3 .*event plane nats/);
    assert.match(r.stdout, /1\.4\+ .*event plane zmq, no etcd, frontend on the system node groups/);
  });

  it('a 1.4 cluster whose pods carry NATS_SERVER and DYN_EVENT_PLANE=nats needs 4222, and says which env decided it', async () => {
    const dir = dgxcAs('1.4.2', (pods) =>
      pods.map((p) => (isDynamoWorkload(p) ? setEnv(p, 'DYN_EVENT_PLANE', 'nats') : p)),
    );
    const result = analyzeSnapshot(await loadSnapshot(dir));
    assert.equal(result.dynamo.version, '1.4.2');
    const nats = result.requirements.find((r) => r.id === 'nats');
    assert.ok(nats, 'NATS is required again');
    assert.match(nats.decidedBy.join(' '), /env DYN_EVENT_PLANE=nats on pod dynamo-workload\//);
    assert.equal(
      result.requirements.some((r) => r.id === 'zmq-events'),
      false,
    );
  });

  it("before install, the operator's --natsAddr says NATS is the event plane", async () => {
    const dir = dgxcAs('1.4.2', (pods) => pods.filter((p) => !isDynamoWorkload(p)));
    const result = analyzeSnapshot(await loadSnapshot(dir));
    assert.match(
      result.requirements.find((r) => r.id === 'nats')!.decidedBy.join(' '),
      /arg --natsAddr=nats:\/\//,
    );
  });

  it('the same 1.4 cluster without NATS_SERVER or DYN_EVENT_PLANE uses ZMQ: no 4222, 5557 required', async () => {
    const dir = dgxcAs('1.4.2', (pods) =>
      pods.map((p) => (isDynamoWorkload(p) ? setEnv(p, 'NATS_SERVER', undefined) : p)),
    );
    const result = analyzeSnapshot(await loadSnapshot(dir));
    assert.equal(
      result.requirements.some((r) => r.id === 'nats'),
      false,
    );
    const zmq = result.requirements.find((r) => r.id === 'zmq-events');
    assert.ok(zmq);
    assert.match(zmq.decidedBy.join(' '), /neither DYN_EVENT_PLANE nor NATS_SERVER/);
  });

  it('NATS_SERVER alone on a 1.3 pod keeps NATS (the runtime connects to the injected NATS)', async () => {
    const dir = dgxcAs('1.3.0');
    const result = analyzeSnapshot(await loadSnapshot(dir));
    assert.match(result.requirements.find((r) => r.id === 'nats')!.decidedBy.join(' '), /env NATS_SERVER=/);
  });

  it('a preflight (nothing of Dynamo installed) fails with the 1.4 rules and passes once its own fix is applied', async () => {
    // Preflight: no Dynamo workload, no NATS, no operator; nodes, SGs and Prometheus are there.
    const dir = dgxcAs('1.4.2', (pods) =>
      pods.filter((p) => !isDynamoWorkload(p) && p.metadata.namespace !== 'dynamo-system'),
    );
    const snapshot = await loadSnapshot(dir);
    const before = analyzeSnapshot(snapshot, { dynamoVersion: '1.4.2' });
    assert.equal(before.verdict, 'fail');
    assert.deepEqual(before.skipped, []);
    // AICR: the frontend is predicted on the system node groups, so 5557 goes system → GPU.
    const zmq = before.flows.filter((f) => f.requirement === 'zmq-events' && f.status === 'blocked');
    assert.ok(zmq.length > 0);
    for (const f of zmq) {
      assert.notEqual(f.source.nodeGroup, 'gpu-h100');
      assert.equal(f.destination.nodeGroup, 'gpu-h100');
    }
    assert.match(before.notes.join('\n'), /frontend, if not deployed, predicted on the system node groups/);
    const after = analyzeSnapshot(applyRemediation(snapshot, before.remediation, before.naclRemediation), {
      dynamoVersion: '1.4.2',
    });
    assert.equal(
      after.verdict,
      'pass',
      JSON.stringify(
        after.flows.filter((f) => f.status !== 'allowed'),
        null,
        1,
      ),
    );
  });

  it('--frontend-nodegroup moves the predicted frontend (AICR test clusters pin it to GPU nodes)', async () => {
    // The operator stays (it says which version is installed), without --natsAddr; no workload, no NATS.
    const dir = dgxcAs('1.4.2', (pods) =>
      pods
        .filter((p) => !isDynamoWorkload(p) && p.metadata.name !== 'dynamo-platform-nats-0')
        .map((p) => {
          for (const c of p.spec.containers as Json[])
            c.args = ((c.args ?? []) as string[]).filter((a) => !a.startsWith('--natsAddr'));
          return p;
        }),
    );
    const result = analyzeSnapshot(await loadSnapshot(dir), { frontendNodeGroups: ['gpu-h100'] });
    const zmq = result.flows.filter((f) => f.requirement === 'zmq-events');
    assert.ok(zmq.length > 0);
    for (const f of zmq) assert.equal(f.source.nodeGroup, 'gpu-h100');
  });

  it('dcgm-exporter on the GPU nodes and no 9400 rule: FAIL, with one rule on the GPU SG from the Prometheus SG', async () => {
    const dir = dgxcAs(
      '1.2.0',
      (pods) => {
        const worker = pods.find((p) => p.metadata.name.includes('vllmdecodeworker'))!;
        const dcgm = structuredClone(worker);
        dcgm.metadata = {
          name: 'nvidia-dcgm-exporter-x7k2p',
          namespace: 'gpu-operator',
          labels: { app: 'nvidia-dcgm-exporter' },
        };
        dcgm.spec.containers = [
          {
            name: 'nvidia-dcgm-exporter',
            image: 'nvcr.io/nvidia/k8s/dcgm-exporter:4.2.3',
            ports: [{ containerPort: 9400, name: 'metrics' }],
          },
        ];
        return [...pods, dcgm];
      },
      (groups) =>
        // No rule on the GPU pods' (customer) SG admits the system SG: its "From system nodes" rule is gone.
        groups.map((g) =>
          g.GroupId === 'sg-0affb20cb8865fd98'
            ? {
                ...g,
                IpPermissions: (g.IpPermissions as Json[]).filter(
                  (p) => !(p.UserIdGroupPairs ?? []).some((u: Json) => u.GroupId === 'sg-0280e97ae16fcd306'),
                ),
              }
            : g,
        ),
    );
    const result = analyzeSnapshot(await loadSnapshot(dir));
    const scrape = result.flows.filter((f) => f.requirement === 'dcgm-scrape');
    assert.ok(scrape.some((f) => f.status === 'blocked'));
    const fixes = result.remediation.filter((r) => r.requirements.includes('dcgm-scrape'));
    assert.equal(fixes.length, 1);
    // The GPU pods' SG (the customer SG of the custom networking) accepts 9400 from the system SG,
    // where Prometheus runs (examples/dgxc-multi-sg/README.md).
    assert.equal(fixes[0]!.groupId, 'sg-0affb20cb8865fd98');
    assert.equal(fixes[0]!.sourceGroupId, 'sg-0280e97ae16fcd306');
    assert.equal(fixes[0]!.fromPort, 9400);
  });

  it('diff 1.2.0 → 1.4.2 exits 1 and names 5557, the new system → GPU direction, and 4222 going away', async () => {
    const r = await runCli([
      'diff',
      'examples/dgxc-multi-sg',
      '--from',
      '1.2.0',
      '--to',
      '1.4.2',
      '--no-color',
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^BREAKS/m);
    assert.match(r.stdout, /\+! +ZMQ KV events \(router → worker\) +tcp\/5557 +blocked +cpu-inference nodes/);
    assert.match(r.stdout, /- +NATS event plane +tcp\/4222 +blocked, no longer needed/);
  });
});

describe('the ZMQ KV-event port as deployed', () => {
  const zmqPorts = async (edit: (pod: Json) => Json): Promise<{ ports: string; why: string }> => {
    const dir = dgxcAs('1.4.2', (pods) =>
      pods.map((p) => (isDynamoWorkload(p) ? edit(setEnv(p, 'NATS_SERVER', undefined)) : p)),
    );
    const zmq = analyzeSnapshot(await loadSnapshot(dir)).requirements.find((r) => r.id === 'zmq-events')!;
    return { ports: `${zmq.ports.from}-${zmq.ports.to}`, why: zmq.decidedBy.join('; ') };
  };
  const isWorker = (pod: Json): boolean =>
    pod.metadata.labels?.['nvidia.com/dynamo-component-type'] === 'worker';
  const addArgs = (pod: Json, args: string[]): Json => {
    if (isWorker(pod)) pod.spec.containers[0].args = [...(pod.spec.containers[0].args ?? []), ...args];
    return pod;
  };

  it('is 5557 when nothing sets it (AICR page)', async () => {
    const r = await zmqPorts((p) => p);
    assert.equal(r.ports, '5557-5557');
    assert.match(r.why, /DYN_VLLM_KV_EVENT_PORT unset: port 5557/);
  });

  it('DYN_VLLM_KV_EVENT_PORT on the workers moves it', async () => {
    const r = await zmqPorts((p) => (isWorker(p) ? setEnv(p, 'DYN_VLLM_KV_EVENT_PORT', '20080') : p));
    assert.equal(r.ports, '20080-20080');
    assert.match(r.why, /port 20080 \(env DYN_VLLM_KV_EVENT_PORT=20080 on pod dynamo-workload\//);
  });

  it("the endpoint of the workers' --kv-events-config moves it", async () => {
    const config =
      '{"publisher":"zmq","topic":"kv-events","endpoint":"tcp://*:20081","enable_kv_cache_events":true}';
    const r = await zmqPorts((p) => addArgs(p, ['--kv-events-config', config]));
    assert.equal(r.ports, '20081-20081');
    assert.match(r.why, /--kv-events-config endpoint tcp:\/\/\*:20081 on pod dynamo-workload\//);
  });

  it('--data-parallel-size 4 opens one port per rank: 5557 + dp_rank, ranks 0-3 (AICR: "+dp_rank")', async () => {
    const r = await zmqPorts((p) => addArgs(p, ['--data-parallel-size', '4']));
    assert.equal(r.ports, '5557-5560');
    assert.match(r.why, /4 data-parallel ranks \(arg --data-parallel-size 4 on pod dynamo-workload\//);
  });

  it('a data-parallel size inside a shell script counts too, on top of a moved port', async () => {
    const r = await zmqPorts((p) =>
      isWorker(p)
        ? setEnv(
            ((p.spec.containers[0].command = ['sh', '-c']),
            (p.spec.containers[0].args = ['exec python3 -m dynamo.vllm --model m -dp 2']),
            p),
            'DYN_VLLM_KV_EVENT_PORT',
            '20080',
          )
        : p,
    );
    assert.equal(r.ports, '20080-20081');
  });

  it('a value that is no port is not used', async () => {
    const r = await zmqPorts((p) => (isWorker(p) ? setEnv(p, 'DYN_VLLM_KV_EVENT_PORT', '$(PORT)') : p));
    assert.equal(r.ports, '5557-5557');
    assert.match(r.why, /env DYN_VLLM_KV_EVENT_PORT=\$\(PORT\) on pod .* is not a port: port 5557/);
  });
});

describe('a DynamoGraphDeployment says what the pods will be', () => {
  /** A graph shaped like ai-dynamo/dynamo examples/backends/vllm/deploy/agg_router.yaml. */
  const graph = (o: {
    version?: string;
    frontendEnv?: Json[];
    workerEnv?: Json[];
    frontendPodSpec?: Json;
    workerTolerates?: boolean;
  }): Json => ({
    apiVersion: 'nvidia.com/v1alpha1',
    kind: 'DynamoGraphDeployment',
    metadata: { name: 'vllm-agg-router', namespace: 'dynamo-workload' },
    spec: {
      services: {
        Frontend: {
          componentType: 'frontend',
          replicas: 1,
          envs: o.frontendEnv ?? [],
          extraPodSpec: {
            ...(o.frontendPodSpec ?? {}),
            mainContainer: { image: `nvcr.io/nvidia/ai-dynamo/vllm-runtime:${o.version ?? '1.4.2'}` },
          },
        },
        VllmDecodeWorker: {
          componentType: 'worker',
          replicas: 2,
          resources: { limits: { gpu: '1' } },
          envs: o.workerEnv ?? [],
          extraPodSpec: {
            ...(o.workerTolerates === false
              ? {}
              : { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] }),
            mainContainer: {
              image: `nvcr.io/nvidia/ai-dynamo/vllm-runtime:${o.version ?? '1.4.2'}`,
              command: ['python3', '-m', 'dynamo.vllm'],
              args: ['--model', 'Qwen/Qwen3-0.6B'],
            },
          },
        },
      },
    },
  });
  /** The dgxc cluster with no Dynamo pods and no operator (a preflight), plus `graphs`. */
  const preflightWith = async (...graphs: Json[]) => {
    const dir = dgxcAs('1.4.2', (pods) =>
      pods.filter((p) => !isDynamoWorkload(p) && p.metadata.namespace !== 'dynamo-system'),
    );
    writeFileSync(
      join(dir, 'k8s/dynamographdeployments.json'),
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: graphs }),
    );
    return analyzeSnapshot(await loadSnapshot(dir));
  };

  it('its images give the Dynamo version when no pod runs yet', async () => {
    const result = await preflightWith(graph({ version: '1.3.0' }));
    assert.equal(result.dynamo.version, '1.3.0');
    assert.match(
      result.dynamo.source,
      /vllm-runtime:1\.3\.0 of DynamoGraphDeployment dynamo-workload\/vllm-agg-router/,
    );
  });

  it('its env decides the event plane before the family default, and the report names it', async () => {
    const result = await preflightWith(graph({ frontendEnv: [{ name: 'DYN_EVENT_PLANE', value: 'nats' }] }));
    const nats = result.requirements.find((r) => r.id === 'nats');
    assert.ok(nats, '4222 is required by the declared env, although 1.4 defaults to ZMQ');
    assert.match(
      nats.decidedBy.join(' '),
      /env DYN_EVENT_PLANE=nats in DynamoGraphDeployment dynamo-workload\/vllm-agg-router service Frontend/,
    );
  });

  it("the running pods' env beats the graph's", async () => {
    const dir = dgxcAs('1.4.2', (pods) =>
      pods.map((p) =>
        isDynamoWorkload(p) ? setEnv(setEnv(p, 'NATS_SERVER', undefined), 'DYN_EVENT_PLANE', 'zmq') : p,
      ),
    );
    writeFileSync(
      join(dir, 'k8s/dynamographdeployments.json'),
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [graph({ frontendEnv: [{ name: 'DYN_EVENT_PLANE', value: 'nats' }] })],
      }),
    );
    const result = analyzeSnapshot(await loadSnapshot(dir));
    assert.equal(
      result.requirements.some((r) => r.id === 'nats'),
      false,
    );
    assert.match(
      result.requirements.find((r) => r.id === 'zmq-events')!.decidedBy.join(' '),
      /env DYN_EVENT_PLANE=zmq on pod dynamo-workload\//,
    );
  });

  it("the graph's env beats the operator's --natsAddr", async () => {
    // The operator stays (with --natsAddr); the workload is not deployed yet.
    const dir = dgxcAs('1.4.2', (pods) => pods.filter((p) => !isDynamoWorkload(p)));
    writeFileSync(
      join(dir, 'k8s/dynamographdeployments.json'),
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [graph({ frontendEnv: [{ name: 'DYN_EVENT_PLANE', value: 'zmq' }] })],
      }),
    );
    const result = analyzeSnapshot(await loadSnapshot(dir));
    assert.equal(
      result.requirements.some((r) => r.id === 'nats'),
      false,
    );
    assert.match(
      result.requirements.find((r) => r.id === 'zmq-events')!.decidedBy.join(' '),
      /DynamoGraphDeployment dynamo-workload\/vllm-agg-router service Frontend/,
    );
  });

  it("the workers' env moves the KV-event port", async () => {
    const result = await preflightWith(
      graph({ workerEnv: [{ name: 'DYN_VLLM_KV_EVENT_PORT', value: '20080' }] }),
    );
    const zmq = result.requirements.find((r) => r.id === 'zmq-events')!;
    assert.deepEqual(zmq.ports, { from: 20080, to: 20080 });
  });

  it("a frontend pinned to the GPU nodes by its nodeSelector is predicted there, not on AICR's system nodes", async () => {
    const result = await preflightWith(
      graph({
        frontendPodSpec: {
          nodeSelector: { 'eks.amazonaws.com/nodegroup': 'gpu-h100' },
          tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
        },
      }),
    );
    const zmq = result.flows.filter((f) => f.requirement === 'zmq-events');
    assert.ok(zmq.length > 0);
    for (const f of zmq) {
      assert.equal(f.source.nodeGroup, 'gpu-h100');
      assert.equal(f.destination.nodeGroup, 'gpu-h100');
    }
    assert.match(
      result.notes.join('\n'),
      /frontend, if not deployed, predicted where it fits: DynamoGraphDeployment dynamo-workload\/vllm-agg-router service Frontend can land on gpu-h100/,
    );
  });

  it('a frontend without placement can land on any untainted node: every non-GPU group is a source', async () => {
    const result = await preflightWith(graph({}));
    const sources = new Set(
      result.flows.filter((f) => f.requirement === 'zmq-events').map((f) => f.source.nodeGroup),
    );
    // The GPU nodes are tainted nvidia.com/gpu and the frontend does not tolerate it.
    assert.deepEqual([...sources].sort(), ['cpu-inference', 'system']);
  });

  it('workers that do not tolerate the GPU taint fit nowhere: AICR’s placement is kept, and the note says why', async () => {
    const result = await preflightWith(graph({ workerTolerates: false }));
    assert.match(
      result.notes.join('\n'),
      /service VllmDecodeWorker fits on no GPU node .*untolerated taint.*predicted where AICR places them instead/,
    );
    const zmq = result.flows.filter((f) => f.requirement === 'zmq-events');
    for (const f of zmq) assert.equal(f.destination.nodeGroup, 'gpu-h100');
  });
});

describe('the DCGM scrape before and after install', () => {
  const preflight = (extra: Json[] = []) =>
    dgxcAs('1.4.2', (pods) => [
      ...pods.filter((p) => !isDynamoWorkload(p) && p.metadata.namespace !== 'dynamo-system'),
      ...extra,
    ]);

  it('before install (no Dynamo, no GPU operator) it is required: AICR recipes install gpu-operator', async () => {
    const result = analyzeSnapshot(await loadSnapshot(preflight()));
    const dcgm = result.requirements.find((r) => r.id === 'dcgm-scrape');
    assert.ok(dcgm);
    assert.match(dcgm.decidedBy.join(' '), /neither Dynamo nor the GPU operator is installed yet/);
  });

  it('a GPU operator that runs without dcgm-exporter drops it, naming the pod that shows it', async () => {
    const operator = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'gpu-operator-7c9f', namespace: 'gpu-operator', labels: { app: 'gpu-operator' } },
      spec: { nodeName: 'ip-10-0-17-23.us-west-2.compute.internal', containers: [{ name: 'gpu-operator' }] },
      status: { phase: 'Running', podIP: '10.0.17.99' },
    };
    const result = analyzeSnapshot(await loadSnapshot(preflight([operator])));
    assert.equal(
      result.requirements.some((r) => r.id === 'dcgm-scrape'),
      false,
    );
    assert.match(
      result.notApplicable.find((n) => n.id === 'dcgm-scrape')!.because,
      /no dcgm-exporter pod in the cluster although pod gpu-operator\/gpu-operator-7c9f runs/,
    );
  });
});

describe("the fix names AICR's wider range where it proposes a narrower one", () => {
  it('each OS-assigned-range rule says AICR documents 1024-65535, in the script and the report', async () => {
    const dir = dgxcAs('1.4.2', (pods) =>
      pods.filter((p) => !isDynamoWorkload(p) && p.metadata.namespace !== 'dynamo-system'),
    );
    const result = analyzeSnapshot(await loadSnapshot(dir));
    const ranged = result.remediation.filter((r) => r.fromPort === 32768 && r.toPort === 60999);
    assert.ok(ranged.length > 0);
    for (const rule of ranged) assert.match(rule.documented!.join(' '), /documents TCP 1024-65535/);
    // 5557 and 9400 are exact ports: nothing wider is documented for them.
    for (const rule of result.remediation.filter((r) => r.fromPort === r.toPort))
      assert.equal(rule.documented, undefined);
    const fix = await runCli(['fix', dir]);
    assert.match(
      fix.stdout,
      /# Narrowest range that works; NVIDIA\/aicr docs\/integrator\/eks-dynamo-networking\.md \(Dynamo 1\.4\+\) documents TCP 1024-65535/,
    );
    const text = await runCli(['analyze', dir]);
    assert.match(text.stdout, /# narrowest range that works; .*documents TCP 1024-65535/);
  });
});
