/**
 * Change detection between two analyses (src/monitor/changes.ts): which flow classes changed
 * status, which rules, NACL entries and policies appeared or disappeared, and which of those is
 * named as the likely cause — on the healthy example edited the ways clusters break after install.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildModel } from '../../src/model/build.ts';
import {
  describeFlowChange,
  detectChanges,
  networkFacts,
  type Observation,
} from '../../src/monitor/changes.ts';
import { analyzeModel } from '../../src/questions/analyze.ts';
import { loadSnapshot } from '../../src/snapshot/load.ts';
import {
  CLUSTER_SG,
  copyExample,
  HEALTHY,
  NATS_FLOW,
  REVOKED_RULE,
  revokeClusterSgIngress,
} from '../helpers/monitor.ts';

const scratch = mkdtempSync(join(tmpdir(), 'dnc-changes-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

async function observe(dir: string): Promise<Observation> {
  const model = buildModel(await loadSnapshot(dir));
  return { result: analyzeModel(model), facts: networkFacts(model) };
}

const healthy = await observe(HEALTHY);
/** The frontend (system node group, subnet 2b) → NATS (subnet 2a): crosses subnets, so NACLs apply. */
const FRONTEND_NATS = `nats:pods@system[${CLUSTER_SG}]->pods@system[${CLUSTER_SG}]`;

describe('monitor change detection', () => {
  it('finds nothing between two collections of the same cluster, and nothing on the first', () => {
    const again = detectChanges(healthy, healthy);
    assert.deepEqual(again, { flows: [], network: [] });
    assert.deepEqual(detectChanges(undefined, healthy), { flows: [], network: [] });
  });

  it('an SG rule revoked: the flows it allowed become blocked, each naming the removed rule', async () => {
    const dir = copyExample(HEALTHY, scratch, 'revoked');
    revokeClusterSgIngress(dir, scratch);
    const revoked = await observe(dir);
    const changes = detectChanges(healthy, revoked);
    assert.deepEqual(
      changes.network.map((c) => [c.change, c.fact.text]),
      [['removed', REVOKED_RULE]],
    );
    assert.deepEqual(changes.verdict, { from: 'pass', to: 'fail' });
    const nats = changes.flows.find((f) => f.id === NATS_FLOW)!;
    assert.equal(nats.from, 'allowed');
    assert.equal(nats.to, 'blocked');
    assert.deepEqual(
      nats.causes.map((c) => `${c.fact.text} ${c.change}`),
      [`${REVOKED_RULE} removed`],
    );
    const line = describeFlowChange(
      changes.flows.length ? (await observe(dir)).result : healthy.result,
      nats,
    );
    assert.equal(
      line,
      `flow ${NATS_FLOW} (NATS event plane tcp/4222: gpu-a100 (2 pods) [eks-cluster-sg-prod-inference-1426851391] → system (1 pod) [eks-cluster-sg-prod-inference-1426851391]): ` +
        `allowed → blocked: ${nats.flow.reason}; likely cause: rule ${REVOKED_RULE} removed`,
    );
    assert.match(nats.flow.reason, /^no ingress rule in \[sg-01595bd878443140e\] allows tcp\/4222/);
  });

  it('a NACL deny entry added: the flow across subnets becomes blocked, naming the new entry', async () => {
    const dir = copyExample(HEALTHY, scratch, 'nacl');
    const file = join(dir, 'aws', 'network-acls.json');
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { NetworkAcls: { Entries: unknown[] }[] };
    doc.NetworkAcls[0]!.Entries.push({
      CidrBlock: '0.0.0.0/0',
      Egress: false,
      Protocol: '6',
      PortRange: { From: 4222, To: 4222 },
      RuleAction: 'deny',
      RuleNumber: 50,
    });
    writeFileSync(file, JSON.stringify(doc));
    const changes = detectChanges(healthy, await observe(dir));
    const entry = 'acl-059636153afedc6c4 inbound rule 50 deny tcp/4222 from 0.0.0.0/0';
    assert.deepEqual(
      changes.network.map((c) => [c.change, c.fact.text]),
      [['added', entry]],
    );
    const flow = changes.flows.find((f) => f.id === FRONTEND_NATS)!;
    assert.equal(flow.to, 'blocked');
    assert.deepEqual(
      flow.causes.map((c) => `${c.fact.text} ${c.change}`),
      [`${entry} added`],
    );
  });

  it('a NetworkPolicy added that isolates NATS: the flows to it change, naming the policy', async () => {
    const dir = copyExample(HEALTHY, scratch, 'policy');
    writeFileSync(
      join(dir, 'k8s', 'deny-nats.json'),
      JSON.stringify({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'deny-nats', namespace: 'dynamo-system' },
        spec: {
          podSelector: { matchLabels: { 'app.kubernetes.io/component': 'nats' } },
          policyTypes: ['Ingress'],
        },
      }),
    );
    const changes = detectChanges(healthy, await observe(dir));
    assert.deepEqual(
      changes.network.map((c) => [c.change, c.fact.text]),
      [['added', 'NetworkPolicy dynamo-system/deny-nats']],
    );
    const flow = changes.flows.find((f) => f.id === NATS_FLOW)!;
    assert.notEqual(flow.to, 'allowed');
    assert.deepEqual(
      flow.causes.map((c) => `${c.fact.text} ${c.change}`),
      ['NetworkPolicy dynamo-system/deny-nats added'],
    );
  });
});
