/** Bad validator reports, events and pod statuses are named by file and path, never half-read. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import YAML from 'yaml';
import {
  newestRun,
  parseCtrf,
  readCtrfDocument,
  type CtrfReport,
} from '../../../src/questions/diagnose/ctrf.ts';
import { ctrf, dynamoCluster, dynamoPod, event, list, run } from './fixtures.ts';

describe('CTRF reports', () => {
  it('reads AICR reports: phase from suite, message, status', () => {
    const parsed = parseCtrf(
      ctrf([{ name: 'inference-perf', phase: 'performance', status: 'failed', message: 'm' }]),
      'r.json',
    );
    assert.ok(parsed.ok, 'valid report');
    if (!parsed.ok) return;
    assert.deepEqual(
      parsed.report.tests.map((t) => [t.name, t.phase, t.status, t.message, t.path]),
      [['inference-perf', 'performance', 'failed', 'm', 'results.tests[0]']],
    );
  });

  it('names what is wrong and where', () => {
    const bad = parseCtrf(
      { results: { tool: { name: 'aicr' }, tests: [{ name: 'x', status: 'broken' }] } },
      'r.json',
    );
    assert.equal(bad.ok, false);
    if (bad.ok) return;
    assert.equal(bad.issues.length, 1);
    assert.equal(`${bad.issues[0]!.file}: ${bad.issues[0]!.path}`, 'r.json: results.tests[0].status');
    const notCtrf = parseCtrf(
      { reportFormat: 'JUnit', results: { tool: { name: 'x' }, tests: [] } },
      'r.json',
    );
    assert.deepEqual(notCtrf.ok ? [] : notCtrf.issues.map((i) => i.path), ['reportFormat']);
    const missing = parseCtrf({ results: { tool: { name: 'x' } } }, 'r.json');
    assert.deepEqual(missing.ok ? [] : missing.issues.map((i) => i.path), ['results.tests']);
  });
});

describe('AICR CTRF ConfigMaps', () => {
  const FILE = 'examples/validator/dgxc-multi-sg.aicr-configmaps.yaml';
  const RUN = '20250617-131643-8f3a1c9e2b7d4a60';
  type Json = Record<string, unknown>;
  const example = () => YAML.parse(readFileSync(FILE, 'utf8')) as { items: Json[] };
  const reportsOf = (doc: unknown, file = 'cm.yaml'): CtrfReport[] => {
    const read = readCtrfDocument(doc, file);
    assert.ok(read.ok, JSON.stringify(read));
    return read.ok ? read.reports : [];
  };
  const summary = (reports: CtrfReport[]) =>
    reports.flatMap((r) => r.tests.map((t) => `${r.configMap?.phase} ${t.name} ${t.status} ${t.path}`));

  it('a List as kubectl prints it: one report per phase, kube-root-ca.crt passed over', () => {
    const reports = reportsOf(example(), FILE);
    assert.deepEqual(
      reports.map((r) => [r.configMap?.name, r.configMap?.runId, r.configMap?.phase, r.tests.length]),
      [
        [`aicr-ctrf-${RUN}-conformance`, RUN, 'conformance', 4],
        [`aicr-ctrf-${RUN}-deployment`, RUN, 'deployment', 3],
        [`aicr-ctrf-${RUN}-performance`, RUN, 'performance', 1],
      ],
    );
    assert.equal(
      summary(reports)[3],
      'conformance ai-service-metrics failed items[0].data["report.json"].results.tests[3]',
    );
    assert.ok(reports.every((r) => r.file === FILE && r.tool === 'aicr'));
  });

  it('one ConfigMap, YAML or JSON, and the API’s ConfigMapList whose items carry no kind', () => {
    const conformance = example().items[0]!;
    const one = reportsOf(conformance);
    assert.equal(one[0]!.tests[3]!.path, 'data["report.json"].results.tests[3]');
    assert.deepEqual(reportsOf(JSON.parse(JSON.stringify(conformance))), one);
    const apiList = {
      apiVersion: 'v1',
      kind: 'ConfigMapList',
      metadata: { resourceVersion: '4190000' },
      items: example().items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest),
    };
    assert.equal(reportsOf(apiList).length, 3);
  });

  it('names what is wrong and where', () => {
    const issues = (doc: unknown) => {
      const read = readCtrfDocument(doc, 'cm.yaml');
      assert.equal(read.ok, false);
      return read.ok ? [] : read.issues.map((i) => `${i.path}: ${i.message}`);
    };
    const conformance = example().items[0]! as { data: Record<string, string> };
    const rootCa = example().items[3]!;
    assert.match(issues(rootCa)[0]!, /ConfigMap kube-root-ca\.crt is not an AICR validator report/);
    assert.match(
      issues({ ...conformance, data: { 'report.json': '{"results": ' } })[0]!,
      /^data\["report\.json"\]: not JSON/,
    );
    const broken = JSON.parse(conformance.data['report.json']!) as { results: { tests: Json[] } };
    broken.results.tests[1]!.status = 'broken';
    assert.match(
      issues({ ...conformance, data: { 'report.json': JSON.stringify(broken) } })[0]!,
      /^data\["report\.json"\]\.results\.tests\[1\]\.status: /,
    );
    assert.match(
      issues({ apiVersion: 'v1', kind: 'List', items: [rootCa] })[0]!,
      /^items: no AICR validator report in the list/,
    );
    const unrecognized = readCtrfDocument({ apiVersion: 'v1', kind: 'Pod' }, 'pod.yaml');
    assert.ok(!unrecognized.ok && unrecognized.unrecognized);
  });

  it('of several runs kept in the namespace, only the newest is read; plain reports are all kept', () => {
    const items = example().items.slice(0, 3);
    const older = items.map((cm) => {
      const m = cm.metadata as { name: string; creationTimestamp: string };
      return {
        ...cm,
        metadata: {
          ...m,
          name: m.name.replace(RUN, '20250616-090102-0123456789abcdef'),
          creationTimestamp: m.creationTimestamp.replace('2025-06-17', '2025-06-16'),
        },
      };
    });
    const plain = reportsOf(JSON.parse(readFileSync('examples/validator/dgxc-multi-sg.ctrf.json', 'utf8')));
    const picked = newestRun([...reportsOf({ kind: 'List', items: [...older, ...items] }), ...plain]);
    assert.equal(picked.run, RUN);
    assert.deepEqual(picked.olderRuns, ['20250616-090102-0123456789abcdef']);
    assert.equal(picked.reports.length, 4);
    assert.ok(picked.reports.every((r) => !r.configMap || r.configMap.runId === RUN));
    assert.deepEqual(newestRun(plain), { reports: plain, olderRuns: [] });
  });
});

describe('cluster inputs', () => {
  it('an event field of the wrong type is an input error with its path', () => {
    const bad = {
      ...event('worker-0', 'dynamo-workload', 'BackOff', 'Back-off restarting failed container'),
      count: 'many',
    };
    const result = run(dynamoCluster({ nats: 'allowed' }).file('k8s/events.json', list([bad])));
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(
      result.issues.map((i) => `${i.file}: ${i.path}`),
      ['k8s/events.json: items[0].count'],
    );
  });

  it('a container status without an exit code is an input error with its path', () => {
    const pod = dynamoPod('worker-0', 'worker', 'gpu-1', '10.0.32.12') as {
      status: { containerStatuses: Record<string, unknown>[] };
    };
    pod.status.containerStatuses[0]!.lastState = { terminated: { reason: 'Error' } };
    const result = run(dynamoCluster({ nats: 'allowed' }).file('k8s/dynamo.json', list([pod])));
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(
      result.issues.map((i) => `${i.file}: ${i.path}`),
      ['k8s/dynamo.json: items[0].status.containerStatuses[0].lastState.terminated.exitCode'],
    );
  });
});
