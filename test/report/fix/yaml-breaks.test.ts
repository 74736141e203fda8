/**
 * Issue 17, item 6: a crafted name cannot inject keys or documents into the YAML the tool writes.
 * YAML 1.1 (PyYAML, which many CI checks use) breaks lines at CR, LF, NEL (U+0085), LS (U+2028)
 * and PS (U+2029) — YAML 1.1 spec, 5.4 "Line Break Characters" — where YAML 1.2 breaks only at CR
 * and LF. Each output here is read by PyYAML's safe_load_all: it must yield exactly the expected
 * documents and keys, and the crafted name back as the one string it was.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { analyzeSnapshot, type AnalysisResult } from '../../../src/questions/analyze.ts';
import { fixPlan } from '../../../src/questions/fix/plan.ts';
import { emitters } from '../../../src/report/fix/index.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { loadSnapshot } from '../../../src/snapshot/load.ts';
import { ingressAndEgressCluster, OPTIONS } from '../../questions/fix/scenarios.ts';

const BREAKS = { CR: '\r', LF: '\n', NEL: '\u0085', LS: '\u2028', PS: '\u2029' } as const;

const crafted = (br: string, base: string): string =>
  `${base}${br}injected: true${br}---${br}kind: Secret${br}# `;

function replaceStrings<T>(value: T, map: Record<string, string>): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return Object.hasOwn(map, v) ? map[v] : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v instanceof Map) return new Map([...v].map(([k, x]) => [walk(k), walk(x)]));
    if (v instanceof Set) return new Set([...v].map(walk));
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** PyYAML (YAML 1.1) reads each text with safe_load_all: the documents, or the error. */
function pyyaml(texts: readonly string[]): ({ docs: unknown[] } | { error: string })[] {
  const script = [
    'import json, sys, yaml',
    'out = []',
    'for text in json.load(sys.stdin):',
    '    try:',
    '        out.append({"docs": list(yaml.safe_load_all(text))})',
    '    except yaml.YAMLError as e:',
    '        out.append({"error": str(e)})',
    'print(json.dumps(out, default=str))',
  ].join('\n');
  const run = spawnSync('python3', ['-c', script], { input: JSON.stringify(texts), encoding: 'utf8' });
  assert.equal(
    run.status,
    0,
    `python3 with PyYAML is needed (Debian: python3-yaml; .ci/run installs it): ${run.error?.message ?? run.stderr}`,
  );
  return JSON.parse(run.stdout) as ({ docs: unknown[] } | { error: string })[];
}

function keysDeep(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => keysDeep(v, out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      out.add(k);
      keysDeep(v, out);
    }
  return out;
}

function stringsDeep(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => stringsDeep(v, out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      stringsDeep(v, out);
    }
  return out;
}

const policySnapshot = await loadSnapshot('examples/policy-default-deny');
const sgSnapshot = ingressAndEgressCluster().snapshot();

/** The policy example and an SG cluster with the cluster name and one label value / node group crafted. */
function results(br: string): { policy: AnalysisResult; sg: AnalysisResult; label: string; cluster: string } {
  const label = crafted(br, 'vllm-agg');
  const cluster = crafted(br, 'prod-inference');
  const policy = analyzeSnapshot(
    replaceStrings(policySnapshot, { 'vllm-agg': label, 'prod-inference': cluster }) as Snapshot,
  );
  const sg = analyzeSnapshot(
    replaceStrings(sgSnapshot, { test: cluster, 'gpu-a': crafted(br, 'gpu-a') }),
    OPTIONS,
  );
  return { policy, sg, label, cluster };
}

function heredocBodies(text: string): string[] {
  return [...text.matchAll(/<<'(\w+)'\n([\s\S]*?)\n\1(?:\n|$)/g)].map((m) => m[2]!);
}

describe('YAML outputs with line-break characters in names (issue 17 item 6)', () => {
  for (const [name, br] of Object.entries(BREAKS)) {
    it(`${name}: CloudFormation, Kubernetes YAML and the NetworkPolicy heredocs read back as written`, () => {
      const { policy, sg, label, cluster } = results(br);
      assert.ok(policy.policyRemediation.length > 0, 'the policy example still needs a NetworkPolicy');
      assert.ok(sg.remediation.length > 0, 'the SG cluster still needs rules');
      const sgPlan = fixPlan(sg);
      const policyPlan = fixPlan(policy);
      const outputs: [string, string, (docs: unknown[]) => void][] = [
        [
          'cloudformation (rules)',
          emitters.cloudformation(sgPlan),
          (docs) => {
            assert.equal(docs.length, 1);
            const doc = docs[0] as Record<string, unknown>;
            assert.deepEqual(Object.keys(doc).sort(), [
              'AWSTemplateFormatVersion',
              'Description',
              'Resources',
            ]);
            assert.ok(String(doc.Description).includes(cluster), 'the cluster name, whole');
          },
        ],
        [
          'cloudformation (nothing)',
          emitters.cloudformation(policyPlan),
          (docs) => {
            assert.equal(docs.length, 1);
            assert.deepEqual(Object.keys(docs[0] as object).sort(), [
              'AWSTemplateFormatVersion',
              'Description',
              'Resources',
            ]);
          },
        ],
        [
          'kubernetes',
          emitters.kubernetes(policyPlan),
          (docs) => {
            assert.equal(docs.length, policyPlan.policies.length);
            for (const doc of docs as Record<string, unknown>[]) {
              assert.equal(doc.kind, 'NetworkPolicy');
              assert.deepEqual(Object.keys(doc).sort(), ['apiVersion', 'kind', 'metadata', 'spec']);
            }
            assert.ok(stringsDeep(docs).includes(label), 'the label value, whole');
          },
        ],
        ...[
          ...heredocBodies(emitters['aws-cli'](policyPlan)),
          ...policy.policyRemediation.flatMap((p) => heredocBodies(p.command)),
        ].map((body, i): [string, string, (docs: unknown[]) => void] => [
          `heredoc ${i}`,
          body,
          (docs) => {
            assert.equal(docs.length, 1);
            assert.equal((docs[0] as Record<string, unknown>).kind, 'NetworkPolicy');
            assert.ok(stringsDeep(docs).includes(label), 'the label value, whole');
          },
        ]),
      ];
      const parsed = pyyaml(outputs.map(([, text]) => text));
      outputs.forEach(([what, text, check], i) => {
        const read = parsed[i]!;
        assert.ok(
          'docs' in read,
          `${what}: PyYAML refused it: ${'error' in read ? read.error : ''}\n${text}`,
        );
        assert.ok(!keysDeep(read.docs).has('injected'), `${what}: a key was injected\n${text}`);
        assert.ok(
          !(read.docs as Record<string, unknown>[]).some((d) => d && d.kind === 'Secret'),
          `${what}: a document was injected\n${text}`,
        );
        check(read.docs);
      });
    });
  }
});
