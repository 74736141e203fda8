/**
 * `promtool test rules` on deploy/monitor's alerts, fed the series the monitor exports
 * (analysisGauges) for examples/healthy-shared-cluster-sg before and after its cluster SG loses the
 * ingress rule — the change the monitor test makes. Each alert fires on its change, with the flow
 * and the fix command in its description, and stays silent on the passing cluster.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import YAML from 'yaml';
import { analysisGauges, type GaugeValues } from '../../src/monitor/metrics.ts';
import { analyzeSnapshot } from '../../src/questions/analyze.ts';
import { loadSnapshot } from '../../src/snapshot/load.ts';
import {
  CLUSTER_SG,
  copyExample,
  HEALTHY,
  NATS_FLOW,
  revokeClusterSgIngress,
  ruleFile,
} from '../helpers/monitor.ts';

const scratch = mkdtempSync(join(tmpdir(), 'dnc-alerts-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const TARGET = { instance: 'monitor:9477', job: 'dynamo-netcheck' };
const FIX = `aws ec2 authorize-security-group-ingress --group-id ${CLUSTER_SG} --protocol tcp --port 4222 --source-group ${CLUSTER_SG}`;

const dir = copyExample(HEALTHY, scratch);
const healthy = analysisGauges(analyzeSnapshot(await loadSnapshot(dir)));
revokeClusterSgIngress(dir, scratch);
const broken = analysisGauges(analyzeSnapshot(await loadSnapshot(dir)));

/**
 * The NATS flow's series, the verdict, and the NATS flow's fixes: what the monitor exports, cut to
 * one flow so that the alerts expected are exactly that flow's.
 */
function natsSeries(gauges: readonly GaugeValues[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const { spec, samples } of gauges)
    for (const { labels, value } of samples) {
      if (spec.name === 'dynamo_netcheck_flow_status' || spec.name === 'dynamo_netcheck_flow_fix_info') {
        if (labels.flow !== NATS_FLOW) continue;
      } else if (spec.name !== 'dynamo_netcheck_verdict') continue;
      const all = { ...labels, ...TARGET };
      const text = Object.entries(all)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',');
      out.set(`${spec.name}{${text}}`, value);
    }
  return out;
}

/** `before` for `minutes` minutes, then `after` (promtool's expanding notation; `_` is no sample). */
function series(before: Map<string, number>, after: Map<string, number>, minutes: number, total: number) {
  const names = [...new Set([...before.keys(), ...after.keys()])];
  const run = (value: number | undefined, count: number) => `${value ?? '_'}x${count - 1}`;
  return names.map((name) => ({
    series: name,
    values: `${run(before.get(name), minutes)} ${run(after.get(name), total - minutes)}`,
  }));
}

const gauge = (name: string, values: string) => ({
  series: `${name}{instance="${TARGET.instance}",job="${TARGET.job}"}`,
  values,
});
const fresh = [
  gauge('dynamo_netcheck_interval_seconds', '300x40'),
  gauge('dynamo_netcheck_analysis_age_seconds', '60x40'),
];

const natsLabels = {
  flow: NATS_FLOW,
  requirement: 'nats',
  level: 'required',
  protocol: 'tcp',
  port: '4222',
  source_node_group: 'gpu-a100',
  source_kind: 'pods',
  source_security_groups: CLUSTER_SG,
  destination_node_group: 'system',
  destination_kind: 'pods',
  destination_security_groups: CLUSTER_SG,
  ...TARGET,
};

function runPromtool(tests: unknown[]): { status: number | null; output: string } {
  writeFileSync(join(scratch, 'rules.yml'), ruleFile());
  const file = join(scratch, 'tests.yml');
  writeFileSync(file, YAML.stringify({ rule_files: ['rules.yml'], evaluation_interval: '1m', tests }));
  const run = spawnSync('promtool', ['test', 'rules', file], { encoding: 'utf8' });
  return { status: run.status, output: run.stdout + run.stderr };
}

const ALERTS = [
  'DynamoNetcheckRequiredFlowBlocked',
  'DynamoNetcheckVerdictNotPass',
  'DynamoNetcheckAnalysisStale',
];

describe("deploy/monitor's alerts under promtool test rules", () => {
  it('stay silent on the passing cluster', () => {
    const pass = natsSeries(healthy);
    assert.equal(pass.size, 6, [...pass.keys()].join('\n')); // three statuses, three verdicts; no fix
    const { status, output } = runPromtool([
      {
        interval: '1m',
        input_series: [...series(pass, pass, 20, 40), ...fresh],
        alert_rule_test: ALERTS.map((alertname) => ({ eval_time: '39m', alertname, exp_alerts: [] })),
      },
    ]);
    assert.equal(status, 0, output);
  });

  it('a required flow blocked by the change: the flow alert after 5 minutes, the verdict alert after 15, each naming the flow and the fix', () => {
    const { status, output } = runPromtool([
      {
        interval: '1m',
        // The SG rule goes at minute 10.
        input_series: [...series(natsSeries(healthy), natsSeries(broken), 10, 40), ...fresh],
        alert_rule_test: [
          { eval_time: '9m', alertname: 'DynamoNetcheckRequiredFlowBlocked', exp_alerts: [] },
          { eval_time: '14m', alertname: 'DynamoNetcheckRequiredFlowBlocked', exp_alerts: [] },
          {
            eval_time: '15m',
            alertname: 'DynamoNetcheckRequiredFlowBlocked',
            exp_alerts: [
              {
                exp_labels: { ...natsLabels, status: 'blocked', severity: 'critical' },
                exp_annotations: {
                  summary: 'Dynamo needs nats tcp/4222 from gpu-a100 to system, and it is blocked',
                  description:
                    `Flow ${NATS_FLOW} is blocked: nats tcp/4222 from pods of node group gpu-a100 [${CLUSTER_SG}] ` +
                    `to pods of system [${CLUSTER_SG}]. Fix: ${FIX}; the monitor's log names the rule change that likely caused it.`,
                },
              },
            ],
          },
          { eval_time: '24m', alertname: 'DynamoNetcheckVerdictNotPass', exp_alerts: [] },
          {
            eval_time: '25m',
            alertname: 'DynamoNetcheckVerdictNotPass',
            exp_alerts: [
              {
                exp_labels: { verdict: 'fail', severity: 'warning', ...TARGET },
                exp_annotations: {
                  summary: 'dynamo-netcheck verdict fail: a flow Dynamo needs is not proven allowed',
                  description:
                    `The verdict is fail. Flows not allowed: ${NATS_FLOW} (required, blocked); Fix: ${FIX}; or ` +
                    "`dynamo-netcheck fix --live --cluster <cluster>` for every rule as a script; an unknown flow's trace in the monitor's /report names the missing fact.",
                },
              },
            ],
          },
          { eval_time: '39m', alertname: 'DynamoNetcheckAnalysisStale', exp_alerts: [] },
        ],
      },
    ]);
    assert.equal(status, 0, output);
  });

  it('the stale alert fires once three intervals pass without an analysis, naming the failing kind and the flows still served', () => {
    const served = natsSeries(broken);
    const { status, output } = runPromtool([
      {
        interval: '1m',
        input_series: [
          ...series(served, served, 20, 40),
          gauge('dynamo_netcheck_interval_seconds', '300x40'),
          // Collection fails from minute 0: the age rises a minute a minute, throttled errors with it.
          gauge('dynamo_netcheck_analysis_age_seconds', '0+60x40'),
          {
            series: `dynamo_netcheck_collection_errors_total{kind="throttled",instance="${TARGET.instance}",job="${TARGET.job}"}`,
            values: '0+1x40',
          },
          {
            series: `dynamo_netcheck_collection_errors_total{kind="denied",instance="${TARGET.instance}",job="${TARGET.job}"}`,
            values: '0x40',
          },
        ],
        alert_rule_test: [
          { eval_time: '15m', alertname: 'DynamoNetcheckAnalysisStale', exp_alerts: [] },
          {
            eval_time: '16m',
            alertname: 'DynamoNetcheckAnalysisStale',
            exp_alerts: [
              {
                exp_labels: { severity: 'warning', ...TARGET },
                exp_annotations: {
                  summary: 'dynamo-netcheck has had no successful analysis for 16m 0s',
                  description:
                    'No analysis has succeeded for 16m 0s; collection errors in the last hour: throttled; flows not allowed in the last analysis, still served: ' +
                    `${NATS_FLOW} (blocked); Fix: \`kubectl -n dynamo-netcheck logs deploy/dynamo-netcheck-monitor\` names the failing call; ` +
                    "denied: grant docs/iam-policy.json to the monitor's role and apply deploy/monitor; throttled: raise --interval; timeout or unreachable: check the network path to the AWS and Kubernetes APIs.",
                },
              },
            ],
          },
        ],
      },
    ]);
    assert.equal(status, 0, output);
  });

  it('fails when an alert does not fire (promtool is not a check that passes everything)', () => {
    const pass = natsSeries(healthy);
    const { status, output } = runPromtool([
      {
        interval: '1m',
        input_series: [...series(pass, pass, 20, 40), ...fresh],
        alert_rule_test: [
          {
            eval_time: '39m',
            alertname: 'DynamoNetcheckRequiredFlowBlocked',
            exp_alerts: [{ exp_labels: { ...natsLabels, status: 'blocked', severity: 'critical' } }],
          },
        ],
      },
    ]);
    assert.equal(status, 1, output);
    assert.match(output, /FAILED/);
  });
});
