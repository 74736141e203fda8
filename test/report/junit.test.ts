/** JUnit XML: well-formed, parsed back with an XML parser, one testcase per requirement × source class. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { AnalysisResult } from '../../src/questions/analyze.ts';
import { renderers } from '../../src/report/index.ts';
import { dgxcResult, hostileResult, HOSTILE_GROUP, HOSTILE_SG_NAME, skippedResult } from './fixtures.ts';

type Node = Record<string, unknown>;
interface Case {
  '@_classname': string;
  '@_name': string;
  failure?: Node;
  error?: Node;
  skipped?: Node;
  'system-out'?: string;
}
interface Suite {
  '@_name': string;
  '@_tests': string;
  '@_failures': string;
  '@_errors': string;
  '@_skipped': string;
  testcase: Case[];
  properties?: { property: Node[] };
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  htmlEntities: true,
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
});

function junit(result: AnalysisResult, timing?: { start: number; stop: number }) {
  const xml = renderers.junit!(result, { color: false, verbose: false, ...(timing ? { timing } : {}) });
  assert.equal(XMLValidator.validate(xml), true, 'well-formed XML');
  const doc = parser.parse(xml) as { testsuites: Node & { testsuite: Suite[] } };
  const suites = doc.testsuites.testsuite;
  return { xml, root: doc.testsuites, suites, cases: suites.flatMap((s) => s.testcase) };
}

const text = (node: Node | undefined): string => String(node?.['#text'] ?? '');

describe('JUnit report', () => {
  it('counts add up at every level and match the testcases', async () => {
    const { root, suites, cases } = junit(await dgxcResult());
    assert.equal(Number(root['@_tests']), cases.length);
    assert.equal(Number(root['@_failures']), cases.filter((c) => c.failure).length);
    assert.equal(Number(root['@_errors']), cases.filter((c) => c.error).length);
    for (const suite of suites) {
      assert.equal(Number(suite['@_tests']), suite.testcase.length, suite['@_name']);
      assert.equal(Number(suite['@_failures']), suite.testcase.filter((c) => c.failure).length);
    }
  });

  it('has one testcase per requirement × source class; failure = reason + fix command', async () => {
    const result = await dgxcResult();
    const { suites, cases } = junit(result);
    assert.deepEqual(
      suites.map((s) => s['@_name']),
      result.requirements.map(
        (r) =>
          `${r.title} (tcp/${r.ports.from === r.ports.to ? r.ports.from : `${r.ports.from}-${r.ports.to}`})`,
      ),
    );
    const failed = cases.filter((c) => c.failure);
    assert.deepEqual(
      failed.map((c) => `${c['@_classname']} ${c['@_name']}`),
      [
        'dynamo-netcheck.nats gpu-h100 pods [dgxc-h100-customer]',
        'dynamo-netcheck.nats gpu-h100 nodes [dgxc-h100-customer]',
        'dynamo-netcheck.prometheus gpu-h100 nodes [dgxc-h100-customer]',
        'dynamo-netcheck.prometheus cpu-inference nodes [dgxc-h100-inference]',
      ],
    );
    for (const c of failed) {
      const flow = result.flows.find(
        (f) =>
          f.status === 'blocked' &&
          `dynamo-netcheck.${f.requirement}` === c['@_classname'] &&
          c['@_name'].startsWith(`${f.source.nodeGroup} ${f.source.kind} `),
      )!;
      const fix = result.remediation.find((r) => r.id === flow.fixedBy[0])!;
      assert.equal(c.failure!['@_message'], `${flow.reason} — fix: ${fix.command}`);
      assert.equal(c.failure!['@_type'], 'blocked');
      assert.ok(text(c.failure).includes(fix.command));
    }
    const passed = cases.filter((c) => !c.failure && !c.error && !c.skipped);
    // request plane, response stream, Prometheus from the system nodes, the (recommended) Dynamo
    // metrics scrape, and the operator webhook from the control plane (the system SG admits the
    // cluster SG on 9443).
    assert.equal(passed.length, 5);
    assert.ok(passed.some((c) => c['@_classname'] === 'dynamo-netcheck.operator-webhook'));
    assert.ok(passed.every((c) => (c['system-out'] ?? '').includes('allowed')));
  });

  it('escapes names from the cluster so they parse back verbatim', () => {
    const result = hostileResult();
    const { xml, cases } = junit(result);
    assert.ok(!xml.includes('<img'), 'no raw markup from a name');
    assert.ok(!xml.includes('<script>'));
    const names = cases.map((c) => c['@_name']);
    assert.ok(
      names.some((n) => n.startsWith(`${HOSTILE_GROUP} pods [sg-gpu]`)),
      names.join('\n'),
    );
    assert.ok(names.includes(`system nodes [${HOSTILE_SG_NAME}]`), names.join('\n'));
  });

  it('reports unknown as an error and a skipped requirement as a skipped testcase', () => {
    const { cases } = junit(hostileResult());
    const errors = cases.filter((c) => c.error);
    // worker-x's IP is on no ENI: its NATS, request-plane and response-stream classes.
    assert.equal(errors.length, 3);
    for (const e of errors) assert.match(String(e.error!['@_message']), /10\.0\.16\.99 is on no ENI/);
    const { root, cases: skippedCases } = junit(skippedResult());
    const skipped = skippedCases.filter((c) => c.skipped);
    assert.deepEqual(
      skipped.map((c) => [c['@_classname'], c.skipped!['@_message']]),
      [
        ['dynamo-netcheck.etcd', 'no Dynamo pods and no GPU nodes found (use --gpu-nodegroup)'],
        [
          'dynamo-netcheck.prometheus',
          'the conformance orchestrator fits on no node: 0/1 nodes are available: 1 node(s) are EKS Fargate nodes.',
        ],
        [
          'dynamo-netcheck.dcgm-scrape',
          'nvidia-dcgm-exporter.gpu-operator is not deployed and no GPU node group was found to predict it on (use --gpu-nodegroup)',
        ],
        [
          'dynamo-netcheck.accelerator-metrics',
          'the conformance orchestrator fits on no node: 0/1 nodes are available: 1 node(s) are EKS Fargate nodes.',
        ],
      ],
    );
    assert.equal(Number(root['@_skipped']), 4);
  });

  it('keeps line breaks in attributes and drops characters XML cannot carry', async () => {
    const base = await dgxcResult();
    const flow = base.flows.find((f) => f.status === 'blocked')!;
    const odd = `line one\nline two \u0007bell \uD800 half`;
    const result: AnalysisResult = {
      ...base,
      flows: base.flows.map((f) => (f === flow ? { ...f, reason: odd } : f)),
    };
    const { cases } = junit(result);
    const message = String(
      cases.find((c) => c.failure && String(c.failure['@_message']).startsWith('line one'))!.failure![
        '@_message'
      ],
    );
    assert.ok(message.startsWith('line one\nline two \uFFFDbell \uFFFD half'), JSON.stringify(message));
  });

  it('records the run time when it has it', async () => {
    const { root } = junit(await dgxcResult(), { start: 1_767_225_600_000, stop: 1_767_225_602_500 });
    assert.equal(root['@_time'], '2.500');
    assert.equal(root['@_timestamp'], '2026-01-01T00:00:00.000Z');
  });
});
