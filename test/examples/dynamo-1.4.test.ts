/**
 * The Dynamo 1.4 examples, checked against what the documentation says rather than against the
 * tool's own output:
 *
 * - NVIDIA/aicr docs/integrator/eks-dynamo-networking.md ("Required Security Group Rules"): system SG
 *   → GPU SG on TCP 5557 (ZMQ KV events) and 1024-65535 (request plane, DYN_TCP_RPC_PORT); GPU SG →
 *   system SG on 1024-65535 (response stream, DYN_TCP_RESPONSE_STREAM_PORT) and 9090 (Prometheus).
 * - NVIDIA/aicr recipes/components/gpu-operator/values.yaml and validators/conformance/
 *   ai_service_metrics_check.go: Prometheus (system nodes) scrapes dcgm-exporter (GPU nodes) on 9400.
 * - Linux ip-sysctl documentation: ip_local_port_range defaults to 32768 60999 — where the OS-assigned
 *   request-plane and response-stream ports come from, so the narrowest rule that works is 32768-60999
 *   (inside AICR's 1024-65535).
 * - ai-dynamo/dynamo lib/runtime/src/transports/event_plane/mod.rs: the ZMQ publisher binds an
 *   OS-assigned port, advertised through discovery (not an AICR rule: required by issue 15 on top of
 *   what AICR documents).
 *
 * - ai-dynamo/dynamo deploy/helm/charts/platform/components/operator (webhook-configuration.yaml,
 *   deployment.yaml): the API server calls the operator's DynamoGraphDeployment webhooks on the
 *   manager's containerPort 9443; on EKS it dials from the control plane's ENIs, which carry the
 *   cluster security group (describe-cluster resourcesVpcConfig.clusterSecurityGroupId).
 * - prometheus-community/helm-charts charts/prometheus-adapter (values.yaml listenPort 6443): the API
 *   server proxies the custom metrics API that ai-service-metrics reads to the adapter's pod port.
 *
 * The blocked set is computed here from the example's raw describe-security-groups output and those
 * rules, by a check of a few lines that knows nothing of the tool.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import YAML from 'yaml';
import { analyzeSnapshot, type AnalysisResult, type AnalyzeOptions } from '../../src/questions/analyze.ts';
import { applyRemediation } from '../../src/remediate/what-if.ts';
import type { SgRemediation } from '../../src/remediate/types.ts';
import { parseRecipeResult } from '../../src/requirements/recipe.ts';
import { loadSnapshot } from '../../src/snapshot/load.ts';

const INSTALLED = 'examples/dynamo-1.4-system-frontend';
const PREFLIGHT = 'examples/dynamo-1.4-preflight';
const RECIPE_FILE = 'examples/recipes/h100-eks-ubuntu-inference-dynamo-1.4.yaml';

interface Permission {
  IpProtocol: string;
  FromPort?: number;
  ToPort?: number;
  UserIdGroupPairs?: { GroupId: string }[];
}
interface Group {
  GroupId: string;
  GroupName: string;
  IpPermissions: Permission[];
}

const groups: Group[] = JSON.parse(readFileSync(`${INSTALLED}/aws/security-groups.json`, 'utf8')).SecurityGroups;
const groupId = (name: string): string => groups.find((g) => g.GroupName === name)!.GroupId;
const clusterSg: string = JSON.parse(readFileSync(`${INSTALLED}/aws/describe-cluster.json`, 'utf8')).cluster
  .resourcesVpcConfig.clusterSecurityGroupId;
const SG = {
  system: groupId('dynamo-inference-system'),
  gpu: groupId('dynamo-inference-gpu'),
  cluster: clusterSg,
};
const NODE_GROUP = { system: 'system', gpu: 'gpu-h100', cluster: 'EKS control plane' } as const;

/** Linux's default net.ipv4.ip_local_port_range: the ports an OS-assigned listener gets. */
const OS_ASSIGNED = { from: 32768, to: 60999 };

type Side = 'system' | 'gpu' | 'cluster';
interface DocumentedFlow {
  /** The catalog id the tool reports the flow under. */
  readonly requirement: string;
  readonly from: Side;
  readonly to: Side;
  /** What the documentation's rule allows. */
  readonly documented: { from: number; to: number };
  /** The ports the listener really uses: the documented port, or the OS-assigned range. */
  readonly used: { from: number; to: number };
}

/** AICR's documented rules, plus the DCGM scrape and accelerator-metrics' dial, in the direction the SG rule follows. */
const documentedFlows: DocumentedFlow[] = [
  { requirement: 'zmq-events', from: 'system', to: 'gpu', documented: { from: 5557, to: 5557 }, used: { from: 5557, to: 5557 } },
  { requirement: 'request-plane', from: 'system', to: 'gpu', documented: { from: 1024, to: 65535 }, used: OS_ASSIGNED },
  { requirement: 'response-stream', from: 'gpu', to: 'system', documented: { from: 1024, to: 65535 }, used: OS_ASSIGNED },
  { requirement: 'prometheus', from: 'gpu', to: 'system', documented: { from: 9090, to: 9090 }, used: { from: 9090, to: 9090 } },
  { requirement: 'dcgm-scrape', from: 'system', to: 'gpu', documented: { from: 9400, to: 9400 }, used: { from: 9400, to: 9400 } },
  // NVIDIA/aicr accelerator_metrics_check.go: the orchestrator (any node, here the system ones) dials dcgm-exporter.
  { requirement: 'accelerator-metrics', from: 'system', to: 'gpu', documented: { from: 9400, to: 9400 }, used: { from: 9400, to: 9400 } },
];

/**
 * The API server's calls into the system node group (the operator and prometheus-adapter run
 * there), from the control plane's ENIs: not on AICR's page, needed all the same. The webhook
 * applies wherever the operator runs (or the recipe installs it); the custom metrics API where
 * prometheus-adapter runs or the recipe installs it.
 */
const WEBHOOK: DocumentedFlow = { requirement: 'operator-webhook', from: 'cluster', to: 'system', documented: { from: 9443, to: 9443 }, used: { from: 9443, to: 9443 } };
const CUSTOM_METRICS: DocumentedFlow = { requirement: 'custom-metrics-api', from: 'cluster', to: 'system', documented: { from: 6443, to: 6443 }, used: { from: 6443, to: 6443 } };

/** Whether the target SG admits TCP on every port of `ports` from the source SG (the raw JSON, read directly). */
function admits(target: string, source: string, ports: { from: number; to: number }): boolean {
  const group = groups.find((g) => g.GroupId === target)!;
  const covered: [number, number][] = group.IpPermissions.filter(
    (p) =>
      (p.IpProtocol === '-1' || p.IpProtocol === 'tcp') &&
      (p.UserIdGroupPairs ?? []).some((pair) => pair.GroupId === source),
  ).map((p) => (p.IpProtocol === '-1' ? [0, 65535] : [p.FromPort!, p.ToPort!]));
  for (let port = ports.from; port <= ports.to; port++)
    if (!covered.some(([lo, hi]) => lo <= port && port <= hi)) return false;
  return true;
}

/** Blocked by the SGs as captured: a documented cross-SG flow whose used ports the target SG does not admit. */
const blockedOf = (flows: readonly DocumentedFlow[]): DocumentedFlow[] =>
  flows.filter((f) => !admits(SG[f.to], SG[f.from], f.used));
/** Each blocked flow gets the narrowest rule: its used ports, on the target SG, from the source SG. */
const rulesOf = (flows: readonly DocumentedFlow[]): string[] =>
  [...new Set(flows.map((f) => `${SG[f.to]} tcp/${f.used.from}-${f.used.to} from ${SG[f.from]}`))].sort();
/** The pod flows AICR documents (and the DCGM ones) that the captured SGs block. */
const expectedBlocked = blockedOf(documentedFlows);
const expectedRules = rulesOf(expectedBlocked);
/** Installed: the running operator adds its webhook. */
const installedBlocked = blockedOf([...documentedFlows, WEBHOOK]);
const installedRules = rulesOf(installedBlocked);
/** With the 1.4 recipe: dynamo-platform and prometheus-adapter, and ai-service-metrics runs. */
const recipeBlocked = blockedOf([...documentedFlows, WEBHOOK, CUSTOM_METRICS]);
const recipeRules = rulesOf(recipeBlocked);

/** The required flows that are blocked (recommended ones never fail the verdict without --strict). */
const blockedIds = (result: AnalysisResult): string[] =>
  [
    ...new Set(
      result.flows.filter((f) => f.status === 'blocked' && f.level === 'required').map((f) => f.requirement),
    ),
  ].sort();
const rules = (result: AnalysisResult): string[] =>
  result.remediation
    .map((r) => `${r.groupId} tcp/${r.fromPort}-${r.toPort} from ${r.sourceGroupId ?? r.cidr}`)
    .sort();

async function fixAndRerun(dir: string, options: AnalyzeOptions = {}): Promise<[AnalysisResult, AnalysisResult]> {
  const snapshot = await loadSnapshot(dir);
  const before = analyzeSnapshot(snapshot, options);
  const after = analyzeSnapshot(applyRemediation(snapshot, before.remediation, before.naclRemediation), options);
  return [before, after];
}

function recipe14() {
  const parsed = parseRecipeResult(YAML.parse(readFileSync(RECIPE_FILE, 'utf8')), RECIPE_FILE);
  assert.ok(parsed.ok);
  return parsed.recipe;
}

describe('the documentation, applied by hand to the captured SGs', () => {
  it('blocks ZMQ 5557, the request plane and the DCGM scrape (system → GPU) and the response stream (GPU → system); 9090 is open', () => {
    assert.deepEqual(expectedBlocked.map((f) => `${f.requirement} ${f.from}→${f.to}`).sort(), [
      'accelerator-metrics system→gpu',
      'dcgm-scrape system→gpu',
      'request-plane system→gpu',
      'response-stream gpu→system',
      'zmq-events system→gpu',
    ]);
    // What a 1.2 install left: 4222 and 9090 from the GPU SG, nothing from the system SG.
    assert.ok(admits(SG.system, SG.gpu, { from: 4222, to: 4222 }));
    assert.ok(admits(SG.system, SG.gpu, { from: 9090, to: 9090 }));
    for (const port of [22, 443, 5557, 9400, 10250, 32768])
      assert.ok(!admits(SG.gpu, SG.system, { from: port, to: port }), `GPU SG admits nothing from the system SG (${port})`);
  });

  it('the system SG (set by the node group’s launch template) admits the cluster SG on 443 and 10250 only: not the webhook’s 9443, nor the adapter’s 6443', () => {
    assert.ok(admits(SG.system, SG.cluster, { from: 443, to: 443 }));
    assert.ok(admits(SG.system, SG.cluster, { from: 10250, to: 10250 }));
    assert.deepEqual(
      recipeBlocked.filter((f) => f.from === 'cluster').map((f) => f.requirement),
      ['operator-webhook', 'custom-metrics-api'],
    );
  });

  it('the narrowest rules lie inside what AICR documents', () => {
    for (const flow of expectedBlocked) {
      assert.ok(flow.documented.from <= flow.used.from && flow.used.to <= flow.documented.to, flow.requirement);
    }
  });
});

describe(`${INSTALLED} (Dynamo 1.4.2, frontend on the system node group)`, () => {
  it('is Dynamo 1.4.2 with no NATS: the ZMQ event plane and Kubernetes discovery, decided from the pods', async () => {
    const result = analyzeSnapshot(await loadSnapshot(INSTALLED));
    assert.equal(result.dynamo.version, '1.4.2');
    assert.match(result.dynamo.source, /helm\.sh\/chart=dynamo-platform-1\.4\.2/);
    const notApplicable = new Map(result.notApplicable.map((n) => [n.id, n.because]));
    assert.match(notApplicable.get('nats') ?? '', /event plane is zmq/);
    assert.match(notApplicable.get('etcd') ?? '', /DYN_DISCOVERY_BACKEND=kubernetes/);
    assert.ok(!result.requirements.some((r) => r.id === 'nats' || r.id === 'etcd'));
  });

  it('fails on exactly the flows the documentation blocks, plus the runtime’s OS-assigned KV-event publisher', async () => {
    const result = analyzeSnapshot(await loadSnapshot(INSTALLED));
    assert.equal(result.verdict, 'fail');
    assert.deepEqual(
      blockedIds(result),
      [...installedBlocked.map((f) => f.requirement), 'kv-event-publisher'].sort(),
    );
    for (const flow of result.flows.filter((f) => f.status === 'blocked' && f.level === 'required')) {
      const documented = [...documentedFlows, WEBHOOK].find((d) => d.requirement === flow.requirement) ?? {
        // The publisher is dialled like 5557: router/frontend → worker.
        from: 'system' as const,
        to: 'gpu' as const,
        used: OS_ASSIGNED,
      };
      assert.equal(flow.source.nodeGroup, NODE_GROUP[documented.from], flow.id);
      assert.equal(flow.destination.nodeGroup, NODE_GROUP[documented.to], flow.id);
      assert.deepEqual(flow.source.securityGroups, [SG[documented.from]], flow.id);
      assert.deepEqual(flow.destination.securityGroups, [SG[documented.to]], flow.id);
      assert.deepEqual(flow.ports, documented.used, flow.id);
      // The conformance orchestrator is not created yet: it is predicted on every node it can land on.
      // The API server is no pod: it calls from the control plane's ENIs, in the cluster's subnets.
      assert.equal(
        flow.source.kind,
        flow.requirement === 'accelerator-metrics'
          ? 'nodes'
          : flow.requirement === 'operator-webhook'
            ? 'control-plane'
            : 'pods',
        'everything else is deployed: real pods at both ends',
      );
      assert.equal(flow.destination.kind, 'pods');
    }
    const prometheus = result.flows.filter((f) => f.requirement === 'prometheus');
    assert.ok(prometheus.some((f) => f.source.nodeGroup === 'gpu-h100'));
    assert.ok(prometheus.every((f) => f.status === 'allowed'));
  });

  it('the recommended Dynamo metrics scrape (Prometheus → workers on DYN_SYSTEM_PORT 9090) is blocked too, shown, not counted', async () => {
    const result = analyzeSnapshot(await loadSnapshot(INSTALLED));
    const scrape = result.flows.filter((f) => f.requirement === 'dynamo-metrics');
    assert.deepEqual(
      scrape.map((f) => [f.level, f.status, f.port, f.source.securityGroups, f.destination.securityGroups, f.fixedBy]),
      [['recommended', 'blocked', 9090, [SG.system], [SG.gpu], []]],
    );
    assert.deepEqual(result.summary.recommended, { allowed: 0, blocked: 1, unknown: 0 });
  });

  it('--strict adds the scrape’s rule (GPU SG admits 9090 from the system SG) to the same rules, and the what-if passes', async () => {
    const [before, after] = await fixAndRerun(INSTALLED, { strict: true });
    assert.deepEqual(rules(before), [...installedRules, `${SG.gpu} tcp/9090-9090 from ${SG.system}`].sort());
    assert.equal(after.verdict, 'pass');
    assert.deepEqual(after.remediation, []);
  });

  it('the fix has exactly the narrowest rules, no 9090 and no 4222, and the what-if passes', async () => {
    const [before, after] = await fixAndRerun(INSTALLED);
    assert.deepEqual(rules(before), installedRules);
    assert.equal(before.remediation.length, 5);
    for (const rule of before.remediation) {
      assert.equal(rule.direction, 'ingress');
      assert.equal(rule.protocol, 'tcp');
      assert.equal(rule.cidr, undefined, 'both ends have an SG to name');
    }
    assert.deepEqual(before.naclRemediation, [], 'default NACL: nothing to add');
    assert.equal(after.verdict, 'pass');
    assert.deepEqual(after.remediation, []);
    assert.equal(after.summary.blocked + after.summary.unknown, 0);
  });

  it('AICR’s four documented rules, applied as written, leave only the operator webhook blocked (its system → GPU 1024-65535 covers 9400); with the webhook rule it passes', async () => {
    const snapshot = await loadSnapshot(INSTALLED);
    const aicrPage = documentedFlows.filter(
      (f) => f.requirement !== 'dcgm-scrape' && f.requirement !== 'accelerator-metrics',
    );
    assert.equal(aicrPage.length, 4);
    const asDocumented: SgRemediation[] = aicrPage.map((f, i) => ({
      id: `aicr-${i}`,
      direction: 'ingress',
      groupId: SG[f.to],
      protocol: 'tcp',
      fromPort: f.documented.from,
      toPort: f.documented.to,
      sourceGroupId: SG[f.from],
      description: `AICR: ${f.requirement}`,
      requirements: [],
      unblocks: [],
      command: '',
    }));
    const result = analyzeSnapshot(applyRemediation(snapshot, asDocumented));
    assert.equal(result.verdict, 'fail');
    assert.deepEqual(blockedIds(result), ['operator-webhook']);
    const webhookRule: SgRemediation = {
      ...asDocumented[0]!,
      id: 'webhook',
      groupId: SG.system,
      fromPort: 9443,
      toPort: 9443,
      sourceGroupId: SG.cluster,
    };
    assert.equal(analyzeSnapshot(applyRemediation(snapshot, [...asDocumented, webhookRule])).verdict, 'pass');
  });

  it('the JSON output names AICR’s wider range next to the narrower one it requires', async () => {
    const result = analyzeSnapshot(await loadSnapshot(INSTALLED));
    for (const id of ['request-plane', 'response-stream']) {
      const requirement = result.requirements.find((r) => r.id === id)!;
      assert.deepEqual(requirement.ports, OS_ASSIGNED);
      assert.match(requirement.documented ?? '', /1024-65535/);
    }
  });
});

describe(`${PREFLIGHT} (same AWS data, nothing installed)`, () => {
  it('without a recipe: the pod flows and rules AICR’s recipe needs, predicted, and PASS after its fix; nothing predicts the control plane’s calls', async () => {
    const [before, after] = await fixAndRerun(PREFLIGHT);
    const notApplicable = new Map(before.notApplicable.map((n) => [n.id, n.because]));
    assert.match(notApplicable.get('operator-webhook') ?? '', /no Dynamo operator pod, and no recipe installing dynamo-platform/);
    assert.match(notApplicable.get('custom-metrics-api') ?? '', /no prometheus-adapter pod, and no recipe installing prometheus-adapter/);
    assert.equal(before.verdict, 'fail');
    assert.equal(before.dynamo.version, '1.4.2', 'nothing installed: the newest release in the catalog');
    // Nothing installed yet: the conformance check and the GPU operator's dcgm-exporter are both
    // assumed as AICR's inference recipes install them, so the DCGM scrape is checked too.
    assert.match(
      before.requirements.find((r) => r.id === 'dcgm-scrape')!.decidedBy.join(' '),
      /neither Dynamo nor the GPU operator is installed yet/,
    );
    assert.deepEqual(
      blockedIds(before),
      [...expectedBlocked.map((f) => f.requirement), 'kv-event-publisher'].sort(),
    );
    for (const flow of before.flows.filter((f) => f.status === 'blocked')) {
      assert.equal(flow.source.kind, 'nodes', 'predicted pods');
      assert.equal(flow.destination.kind, 'nodes');
    }
    assert.deepEqual(rules(before), expectedRules);
    assert.equal(after.verdict, 'pass');
    assert.equal(after.summary.blocked + after.summary.unknown, 0);
  });

  it('with the 1.4 recipe (dynamo-platform, prometheus-adapter, ai-service-metrics): the pod rules plus the control plane’s two, predicted, then PASS', async () => {
    const [before, after] = await fixAndRerun(PREFLIGHT, { recipe: recipe14() });
    assert.equal(before.verdict, 'fail');
    assert.equal(before.dynamo.version, '1.4.2');
    assert.deepEqual(
      blockedIds(before),
      [...recipeBlocked.map((f) => f.requirement), 'kv-event-publisher'].sort(),
    );
    for (const id of ['operator-webhook', 'custom-metrics-api'])
      assert.match(before.requirements.find((r) => r.id === id)!.decidedBy.join(' '), /predicted: .*recipe/);
    assert.deepEqual(rules(before), recipeRules);
    assert.equal(after.verdict, 'pass');
    assert.deepEqual(after.remediation, []);
  });
});

describe('the READMEs quote the CLI byte for byte', () => {
  /** Each ```text block, with the nearest `dynamo-netcheck …` command above it and its stated exit code. */
  function quotes(readme: string): { command: string[]; exit?: number; block: string }[] {
    const out: { command: string[]; exit?: number; block: string }[] = [];
    let command: string[] | undefined;
    let exit: number | undefined;
    const lines = readme.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const named = /`dynamo-netcheck ([^`]+)`/.exec(line);
      if (named) {
        command = named[1]!.split(' ');
        const code = /\(exit code (\d)\)/.exec(line);
        exit = code ? Number(code[1]) : undefined;
      }
      if (line === '```text') {
        const end = lines.indexOf('```', i + 1);
        assert.ok(command, `a command above the block at line ${i + 1}`);
        out.push({ command, ...(exit === undefined ? {} : { exit }), block: lines.slice(i + 1, end).join('\n') });
        i = end;
      }
    }
    return out;
  }

  for (const dir of [INSTALLED, PREFLIGHT]) {
    it(`${dir}/README.md`, () => {
      const blocks = quotes(readFileSync(`${dir}/README.md`, 'utf8'));
      assert.ok(blocks.length >= 2);
      const runs = new Map<string, { status: number | null; stdout: string }>();
      for (const { command, exit, block } of blocks) {
        const key = command.join(' ');
        if (!runs.has(key)) {
          const r = spawnSync('./bin/dynamo-netcheck', command, {
            encoding: 'utf8',
            env: { ...process.env, NO_COLOR: '1' },
          });
          runs.set(key, { status: r.status, stdout: r.stdout });
        }
        const run = runs.get(key)!;
        if (exit !== undefined) assert.equal(run.status, exit, key);
        assert.ok(run.stdout.includes(`${block}\n`), `quoted from \`dynamo-netcheck ${key}\`:\n${block}`);
      }
    });
  }
});
