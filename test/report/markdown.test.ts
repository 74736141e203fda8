/** Markdown for pull-request comments: verdict, a table of non-allowed flows, fixes in one fenced block. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnalysisResult } from '../../src/questions/analyze.ts';
import { renderers } from '../../src/report/index.ts';
import { fence } from '../../src/report/markdown.ts';
import { fixCommands } from '../../src/report/fix/aws-cli.ts';
import { fixPlan } from '../../src/questions/fix/plan.ts';
import { dgxcResult, hostileResult, skippedResult } from './fixtures.ts';

const markdown = (result: AnalysisResult): string =>
  renderers.markdown!(result, { color: false, verbose: false });

/** Table rows split on unescaped pipes, as GitHub's table parser does. */
function tableRows(md: string): string[][] {
  return md
    .split('\n')
    .filter((line) => line.startsWith('| '))
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
}

function fencedBlocks(md: string): string[] {
  return [...md.matchAll(/^(`{3,})sh\n([\s\S]*?)\n\1$/gm)].map((m) => m[2]!);
}

describe('Markdown report', () => {
  it('states the verdict, lists every non-allowed flow, and fences every fix command', async () => {
    const result = await dgxcResult();
    const md = markdown(result);
    assert.match(md, /^### dynamo-netcheck: ❌ FAIL — cluster dgxc-h100$/m);
    assert.match(md, /\*\*4 blocked\*\*, 0 unknown, 7 allowed/);
    const [header, ...rows] = tableRows(md);
    assert.deepEqual(header, ['Status', 'Requirement', 'Port', 'From', 'To', 'Why', 'Fix']);
    assert.equal(rows.length, result.flows.filter((f) => f.status !== 'allowed' || f.coLocationMasks).length);
    assert.ok(rows.every((r) => r.length === 7 && r[0] === '❌ blocked'));
    const blocks = fencedBlocks(md);
    assert.equal(blocks.length, 1);
    // The commands `fix` writes, description and tags included (test/report/fix/analyze-fix-section.test.ts).
    const commands = blocks[0]!.split('\n').filter((l) => !l.startsWith('#'));
    assert.deepEqual(
      commands,
      fixCommands(fixPlan(result)).flatMap((f) => f.command.split('\n')),
    );
    assert.equal(commands.filter((l) => l.startsWith('aws ec2 authorize-security-group-ingress')).length, 3);
    assert.equal(commands.filter((l) => l.includes('--tag-specifications')).length, 3);
  });

  it('keeps names from the cluster from breaking the table or becoming HTML', () => {
    const md = markdown(hostileResult());
    assert.ok(!md.includes('<img') && !md.includes('<script'), 'no raw HTML from a name');
    const rows = tableRows(md);
    assert.ok(rows.length > 2);
    for (const row of rows) assert.equal(row.length, 7, row.join(' ¦ '));
    assert.match(md, /⚠️ unknown \| NATS event plane/);
    assert.match(md, /⚠️ allowed only on the same node \| Prometheus/);
    assert.match(md, /⚠️ unknown \| TCP request plane/);
  });

  it('lists the requirements it could not evaluate, and why', () => {
    const md = markdown(skippedResult());
    assert.match(
      md,
      /- Not evaluated: Prometheus for ai-service-metrics — the conformance orchestrator fits on no node/,
    );
  });

  it('says PASS and prints no table or fix for a healthy result', async () => {
    const base = await dgxcResult();
    const healthy: AnalysisResult = {
      ...base,
      verdict: 'pass',
      summary: { allowed: 1, blocked: 0, unknown: 0 },
      flows: base.flows.filter((f) => f.status === 'allowed' && !f.coLocationMasks).slice(0, 1),
      remediation: [],
      naclRemediation: [],
    };
    const md = markdown(healthy);
    assert.match(md, /✅ PASS/);
    assert.equal(tableRows(md).length, 0);
    assert.equal(fencedBlocks(md).length, 0);
  });

  it('fences with more backticks than the content holds', () => {
    const block = fence('echo ```x``` ````', 'sh');
    assert.ok(block.startsWith('`````sh\n') && block.endsWith('\n`````'), block);
  });
});
