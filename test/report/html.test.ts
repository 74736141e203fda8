/** The HTML report as a file: self-contained, escaped, one matrix cell per requirement × source class. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnalysisResult } from '../../src/questions/analyze.ts';
import { renderers } from '../../src/report/index.ts';
import { escapeHtml, html } from '../../src/report/html/markup.ts';
import { dgxcResult, hostileResult, HOSTILE_GROUP, HOSTILE_SG_NAME } from './fixtures.ts';

const render = (result: AnalysisResult): string => renderers.html!(result, { color: false, verbose: false });

const cellsOf = (page: string): { status: string; text: string }[] =>
  [...page.matchAll(/<td\s+class="cell[^"]*"\s+data-status="([a-z]+)"[^>]*>([\s\S]*?)<\/td>/g)].map((m) => ({
    status: m[1]!,
    text: m[2]!.replace(/<[^>]+>/g, ''),
  }));

describe('HTML report', () => {
  it('needs no network: inline style and script only, and a policy that forbids fetching', async () => {
    const page = render(await dgxcResult());
    assert.match(page, /<meta\s+http-equiv="Content-Security-Policy"\s+content="default-src 'none';/);
    assert.doesNotMatch(page, /<link\b|<img\b|<iframe\b|@import|url\(/i);
    assert.doesNotMatch(page, /\b(src|href)="(https?:)?\/\//i);
    assert.equal(page.match(/<script\b/g)?.length, 1, 'one inline script');
    assert.doesNotMatch(page, /<script[^>]+src=/);
  });

  it('has a cell per requirement × source class, each saying its status in words', async () => {
    const result = await dgxcResult();
    const cells = cellsOf(render(result)).filter((c) => c.status !== 'none');
    const classes = new Set(
      result.flows.map((f) =>
        [f.requirement, f.source.kind, f.source.nodeGroup, f.source.securityGroups.join()].join('|'),
      ),
    );
    assert.equal(cells.length, classes.size);
    assert.equal(cells.filter((c) => c.status === 'blocked').length, 4);
    for (const cell of cells) assert.ok(cell.text.includes(cell.status.toUpperCase()), cell.text);
  });

  it('the decision chain names the node taints of each end: why a pod can land there', async () => {
    const result = await dgxcResult();
    const gpu = result.flows.find((f) => f.source.nodeGroup === 'gpu-h100' && f.source.kind === 'nodes')!;
    assert.deepEqual(gpu.source.taints, ['nvidia.com/gpu=present:NoSchedule']);
    const system = result.flows.find((f) => f.source.nodeGroup === 'system')!;
    assert.equal(system.source.taints, undefined, 'untainted nodes carry no taint list');
    assert.match(
      render(result),
      /node taints: <span class="mono">nvidia\.com\/gpu=present:NoSchedule<\/span>/,
    );
  });

  it('shows every name from the cluster as text, never as markup', () => {
    const page = render(hostileResult());
    assert.ok(!page.includes('<img src=x'), 'the node group name is not an element');
    assert.ok(!page.includes('<script>alert(2)'), 'the SG name is not a script');
    assert.ok(page.includes(escapeHtml(HOSTILE_GROUP)));
    assert.ok(page.includes(escapeHtml(HOSTILE_SG_NAME)));
    assert.equal(page.match(/<\/script>/g)?.length, 1, 'only our own script closes');
  });

  it('says what the one-line fix covers, counted from the flows each item fixes', async () => {
    const result = await dgxcResult();
    const text = (page: string, from: RegExp): string =>
      (page.split(from)[1] ?? '')
        .split(/<div class="cmd">|<\/p>/)[0]!
        .replace(/<[^>]+>/g, '')
        .replace(/\s+/g, ' ');
    const banner = (page: string): string => text(page, /id="headline-fix">/);
    // NATS (sg-rule-1) is blocked from the GPU pods and nodes; Prometheus needs sg-rule-2 and sg-rule-3.
    assert.match(
      banner(render(result)),
      /This one-line fix \(sg-rule-1\) fixes 2 of 4 blocked flow classes; the other 2 need sg-rule-2, sg-rule-3/,
    );
    assert.match(
      text(render(result), /id="all-fixes-covers">/),
      /^ Together they fix all 4 blocked flow classes\. $/,
    );
    // A flow that needs a second item too is not fixed by the first alone, whatever the item's text.
    const nats = result.flows.find((f) => f.fixedBy.includes('sg-rule-1'))!;
    const needsTwo: AnalysisResult = {
      ...result,
      flows: result.flows.map((f) => (f === nats ? { ...f, fixedBy: ['sg-rule-1', 'sg-rule-2'] } : f)),
    };
    assert.match(
      banner(render(needsTwo)),
      /fixes 1 of 4 blocked flow classes; the other 3 need sg-rule-2, sg-rule-3/,
    );
    // A blocked recommended flow is not counted (nor fixed) unless --strict.
    const recommended: AnalysisResult = {
      ...result,
      flows: result.flows.map((f) =>
        f.fixedBy.includes('sg-rule-3') ? { ...f, level: 'recommended', fixedBy: [] } : f,
      ),
    };
    assert.match(
      banner(render(recommended)),
      /fixes 2 of 3 blocked flow classes; the other 1 needs sg-rule-2 \(All fixes, below\)\. $/,
    );
  });

  it('escapes interpolated values unless they are markup built by html``', () => {
    const inner = html`<b>${'<i>'}</b>`;
    assert.equal(
      html`<p title="${`"x'`}">${inner}${['<', 1]}${undefined}${false}</p>`.value,
      '<p title="&quot;x&#39;"><b>&lt;i&gt;</b>&lt;1</p>',
    );
  });
});
