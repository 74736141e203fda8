/** The HTML report as a file: self-contained, escaped, one matrix cell per requirement × source class. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnalysisResult } from '../../src/questions/analyze.ts';
import { renderers } from '../../src/report/index.ts';
import { escapeHtml, html } from '../../src/report/html/markup.ts';
import { plainWords } from '../../src/report/html/words.ts';
import { analyzeSnapshot } from '../../src/questions/analyze.ts';
import { loadSnapshot } from '../../src/snapshot/load.ts';
import { allTraffic, scenario, tcp } from '../helpers/scenario.ts';
import { DGXC, dgxcResult, hostileResult, HOSTILE_GROUP, HOSTILE_SG_NAME } from './fixtures.ts';

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
    // A fix that serves only a flow allowed today through co-location is no fix for a failure.
    const hostile = hostileResult();
    const coLocatedOnly: AnalysisResult = {
      ...hostile,
      verdict: 'unknown',
      remediation: hostile.remediation.filter((r) => r.id === 'sg-rule-3'),
      flows: hostile.flows.map((f) =>
        f.status === 'blocked' ? { ...f, status: 'allowed', fixedBy: [] } : f,
      ),
    };
    const page = render(coLocatedOnly);
    assert.doesNotMatch(page, /id="headline-fix"|Most common failure/);
    assert.match(text(page, /id="all-fixes-covers">/), /^ No counted flow class is blocked\. $/);
    // A NetworkPolicy manifest is no one-liner: the banner says "fix".
    const policy = render(analyzeSnapshot(await loadSnapshot('examples/policy-default-deny')));
    assert.match(banner(policy), /This fix \(network-policy-1\) fixes all 3 blocked flow classes\. $/);
  });

  it('draws the topology from the analysed flows: a box per node group and SGs, an arrow per flow, worst status', async () => {
    const result = await dgxcResult();
    const page = render(result);
    const svg = page.match(/<svg[\s\S]*?<\/svg>/)![0];
    const boxes = [...svg.matchAll(/<g class="topo-box" data-node-group="([^"]*)">/g)].map((m) => m[1]);
    // The EKS control plane is a source of its own (the operator webhook's caller).
    assert.deepEqual(boxes, ['gpu-h100', 'system', 'cpu-inference', 'EKS control plane']);
    const arrows = [
      ...svg.matchAll(
        /<(?:a|g)\s+class="topo-arrow ([a-z]+)( recommended)?"[^>]*data-requirement="([^"]+)"/g,
      ),
    ].map((m) => `${m[3]} ${m[1]}${m[2] ?? ''}`);
    // One arrow per requirement × source box × destination box, as many as the flows make.
    const expected = new Set(
      result.flows.map((f) => [f.requirement, f.source.nodeGroup, f.destination.nodeGroup].join('|')),
    );
    assert.equal(arrows.length, expected.size);
    assert.deepEqual(arrows.filter((a) => a.includes('blocked')).sort(), [
      'nats blocked',
      'prometheus blocked',
      'prometheus blocked',
    ]);
    assert.deepEqual(
      arrows.filter((a) => a.includes('recommended')),
      ['dynamo-metrics allowed recommended'],
      'a recommended flow is drawn apart (dashed): it does not count',
    );
    // The hover title names the step that blocked, with the SG's name, and the fix.
    const nats = svg.match(
      /<a\s+class="topo-arrow blocked"[^>]*data-requirement="nats"[\s\S]*?<title>([\s\S]*?)<\/title>/,
    )![1]!;
    assert.match(
      nats,
      /^✗ BLOCKED: NATS event plane tcp\/4222\ngpu-h100 \[dgxc-h100-customer\] → system \[dgxc-h100-system\]/,
    );
    assert.match(
      nats,
      /Blocked by: SG ingress \(destination ENI\) at eni-[0-9a-f]+ \[sg-0280e97ae16fcd306 \(dgxc-h100-system\)\]: no ingress rule/,
    );
    assert.match(nats, /\nFix: sg-rule-1$/);
  });

  it('keeps the topology readable with several node groups: the busiest box in the middle, no label over another', async () => {
    const groups = ['a', 'b', 'c', 'd'];
    let cluster = scenario()
      .subnet('subnet-a', '10.0.16.0/20')
      .withoutNacls()
      .sg('sg-sys', [tcp(4222).fromGroup('sg-a')])
      .node('sys-1', {
        group: 'system',
        subnet: 'subnet-a',
        ip: '10.0.16.10',
        sgs: ['sg-sys'],
        podIps: ['10.0.16.11', '10.0.16.12', '10.0.16.13'],
      });
    groups.forEach((g, i) => {
      cluster = cluster.sg(`sg-${g}`, [allTraffic.fromGroup(`sg-${g}`)]).node(`gpu-${g}1`, {
        group: `gpu-${g}`,
        subnet: 'subnet-a',
        ip: `10.0.16.${20 + i * 10}`,
        sgs: [`sg-${g}`],
        gpu: true,
        podIps: [`10.0.16.${21 + i * 10}`],
      });
    });
    cluster = cluster
      .nats('nats-0', 'sys-1', '10.0.16.11')
      .prometheus('prom-0', 'sys-1', '10.0.16.12')
      .dynamo('fe-0', 'frontend', 'sys-1', '10.0.16.13');
    groups.forEach((g, i) => {
      cluster = cluster.dynamo(`worker-${g}`, 'worker', `gpu-${g}1`, `10.0.16.${21 + i * 10}`);
    });
    const svg = render(cluster.analyze()).match(/<svg[\s\S]*?<\/svg>/)![0];
    const boxes = [...svg.matchAll(/<g class="topo-box" data-node-group="([^"]*)">/g)].map((m) => m[1]);
    assert.equal(boxes.length, 5);
    assert.equal(boxes[2], 'system', boxes.join());
    const [, , width, height] = svg
      .match(/viewBox="([^"]+)"/)![1]!
      .split(' ')
      .map(Number);
    const labels = [
      ...svg.matchAll(/<rect class="topo-label-bg" x="([\d.]+)" y="([\d.]+)" width="(\d+)" height="(\d+)"/g),
    ].map((m) => m.slice(1).map(Number) as [number, number, number, number]);
    assert.ok(labels.length >= 15, String(labels.length));
    for (const [x, y, w, h] of labels) assert.ok(x >= 0 && y >= 0 && x + w <= width! && y + h <= height!);
    labels.forEach(([x, y, w, h], i) =>
      labels.slice(i + 1).forEach(([x2, y2, w2, h2]) => {
        const apart = x + w <= x2 || x2 + w2 <= x || y + h <= y2 || y2 + h2 <= y;
        assert.ok(apart, `labels at ${x},${y} and ${x2},${y2} overlap`);
      }),
    );
  });

  it('lays the page out from the result alone: two analyses of the same snapshot give the same bytes', async () => {
    const again = analyzeSnapshot(await loadSnapshot(DGXC));
    assert.equal(render(again), render(await dgxcResult()));
  });

  it('shows hostile names in the topology as text, in its boxes and hover titles', () => {
    const page = render(hostileResult());
    const svg = page.match(/<svg[\s\S]*?<\/svg>/)![0];
    assert.ok(svg.includes(`<title>${escapeHtml(HOSTILE_GROUP)} — security groups:`));
    assert.ok(svg.includes(escapeHtml(HOSTILE_SG_NAME)));
    assert.doesNotMatch(svg, /<script|<img/);
  });

  it('says versions and planes in plain words, leaving the rest of each sentence as the analysis wrote it', async () => {
    const cases: [string, string][] = [
      ['Dynamo 1.0.2 is outside >=1.2.0-0', 'Dynamo 1.0.2 is older than 1.2'],
      ['Dynamo 1.4.2 is outside <1.2.0-0', 'Dynamo 1.4.2 is 1.2 or newer'],
      ['Dynamo 1.2.0 (detected: label x) is >=1.2.0', 'Dynamo 1.2.0 (detected: label x) is 1.2 or newer'],
      ['Dynamo 1.4.2 is outside >=1.2.0-0 <1.4.0-0', 'Dynamo 1.4.2 is not 1.2 or newer but older than 1.4'],
      ['Dynamo 1.2.3 is >=1.2.3', 'Dynamo 1.2.3 is 1.2.3 or newer'],
      [
        'event plane is nats (env NATS_SERVER=nats://n:4222)',
        'event plane is NATS (env NATS_SERVER=nats://n:4222)',
      ],
      ['event plane zmq (nothing deployed says)', 'event plane ZMQ (nothing deployed says)'],
      ['event plane is none (neither is set)', 'no event plane (neither is set)'],
      ['tcp/32768-60999 from a<b', 'tcp/32768-60999 from a<b'],
    ];
    for (const [given, said] of cases) assert.equal(plainWords(given), said);

    const upgrade = render(analyzeSnapshot(await loadSnapshot('examples/upgrade-1.0-to-1.2')));
    assert.doesNotMatch(upgrade, /outside|\d\.\d+\.\d+-0\b/);
    assert.match(
      upgrade,
      /<strong>TCP request plane \(frontend → worker\)<\/strong>: Dynamo 1\.0\.2 is older than 1\.2</,
    );
    const terms = [...upgrade.matchAll(/<dt>([^<]+)<\/dt>/g)].map((m) => m[1]);
    assert.deepEqual(terms, ['event plane', 'request plane', 'response stream', 'control plane (etcd)']);
  });

  it('escapes interpolated values unless they are markup built by html``', () => {
    const inner = html`<b>${'<i>'}</b>`;
    assert.equal(
      html`<p title="${`"x'`}">${inner}${['<', 1]}${undefined}${false}</p>`.value,
      '<p title="&quot;x&#39;"><b>&lt;i&gt;</b>&lt;1</p>',
    );
  });
});
