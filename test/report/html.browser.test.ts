/**
 * The HTML report in a real browser: playwright-core driving Debian's chromium (installed by
 * .ci/run; this test fails, never skips, without it). Opens the report of the failing dgxc example
 * from a file:// URL with every network request refused, checks the matrix, reads a decision chain
 * and the topology picture before any click, prints every chain, clicks a blocked cell, reads and
 * copies its fix, and takes the picture the README shows — into a temporary folder:
 * `npm run docs:screenshot` (scripts/docs-screenshot.ts) refreshes docs/report-screenshot.png.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { AnalysisResult } from '../../src/questions/analyze.ts';
import { renderers } from '../../src/report/index.ts';
import { dgxcResult, hostileResult, HOSTILE_GROUP, HOSTILE_SG_NAME } from './fixtures.ts';
import {
  CHROMIUM,
  launchChromium,
  PICTURE,
  PICTURED_CELL,
  README_PICTURE,
  savePicture,
} from '../../scripts/docs-screenshot.ts';

const scratch = mkdtempSync(join(tmpdir(), 'netcheck-html-'));
const SCREENSHOT = join(scratch, 'report-screenshot.png');
let context: BrowserContext;
const offsite: string[] = [];

function reportFile(name: string, result: AnalysisResult): string {
  const path = join(scratch, name);
  writeFileSync(path, renderers.html!(result, { color: false, verbose: false }));
  return pathToFileURL(path).href;
}

async function open(url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

before(async () => {
  assert.ok(
    existsSync(CHROMIUM),
    `${CHROMIUM} is missing: the HTML report test needs Debian's chromium (apt-get install -y chromium, or bash .ci/run)`,
  );
  context = await launchChromium(join(scratch, 'profile'));
  // The report must work with no network at all: refuse and record anything not file://.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    offsite.push(url);
    return route.abort();
  });
});

after(async () => {
  await context?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('HTML report in chromium', () => {
  it('shows the verdict, the one-line fix and the matrix of the failing example', async () => {
    const result = await dgxcResult();
    const page = await open(reportFile('dgxc.html', result));
    assert.equal(await page.locator('#verdict').textContent(), 'FAIL');
    const headline = result.remediation.reduce((a, b) => (b.unblocks.length > a.unblocks.length ? b : a));
    assert.equal(await page.locator('#headline-fix code').textContent(), headline.command);

    // Flows down (their long names as row heads), source classes across.
    const rows = await page
      .locator('#matrix tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-requirement')));
    assert.deepEqual(
      rows,
      result.requirements.map((r) => r.id),
    );
    const columns = await page
      .locator('#matrix thead th[data-source]')
      .evaluateAll((ths) => ths.map((th) => th.getAttribute('data-source')));
    assert.deepEqual(columns, [
      'gpu-h100 pods [dgxc-h100-customer]',
      'gpu-h100 nodes [dgxc-h100-customer]',
      'cpu-inference nodes [dgxc-h100-inference]',
      'system nodes [dgxc-h100-system]',
      // Prometheus itself, the source of the (recommended) Dynamo metrics scrape of the workers.
      'system pods [dgxc-h100-system]',
      // The API server, calling the operator's webhook from the control plane's ENIs.
      'EKS control plane [eks-cluster-sg-dgxc-h100-1739268517]',
    ]);
    const blocked = page.locator('#matrix td[data-status="blocked"]');
    assert.equal(await blocked.count(), 4);
    for (const text of await blocked.allInnerTexts())
      assert.match(text, /BLOCKED/, 'status in words, not colour only');
    // request plane, response stream, Prometheus from the system nodes, the recommended metrics
    // scrape, and the operator webhook (the system SG admits the cluster SG on 9443).
    assert.equal(await page.locator('#matrix td[data-status="allowed"]').count(), 5);
    await page.close();
  });

  it('reads the first blocked cell’s decision chain and what the fix covers without a click', async () => {
    const result = await dgxcResult();
    const page = await open(reportFile('dgxc.html', result));
    assert.match(
      await page.locator('#headline-fix p').innerText(),
      /This one-line fix \(sg-rule-1\) fixes 2 of 4 blocked flow classes; the other 2 need sg-rule-2, sg-rule-3/,
    );
    assert.equal(await page.locator('#detail-hint').isVisible(), false);
    const detail = page.locator('article.detail:visible');
    assert.equal(await detail.count(), 1, 'one chain on screen before any click');
    assert.match(await detail.locator('h3').innerText(), /BLOCKED\s+NATS event plane tcp\/4222/);
    const chain = await detail.locator('ol.chain > li').allInnerTexts();
    assert.ok(
      chain.some((hop) => /^blocked\s*SG ingress \(destination ENI\)/.test(hop)),
      chain.join('\n---\n'),
    );
    const id = await detail.getAttribute('id');
    assert.equal(await page.locator(`a[data-cell="${id}"]`).first().getAttribute('aria-current'), 'true');
    await page.close();
  });

  it('shows the topology without a click: boxes, arrows coloured by status, the blocking rule on hover', async () => {
    const result = await dgxcResult();
    const page = await open(reportFile('dgxc.html', result));
    const svg = page.locator('svg#topology');
    assert.equal(await svg.isVisible(), true);
    const box = await svg.boundingBox();
    assert.ok(box && box.width > 800 && box.height > 150, JSON.stringify(box));
    assert.deepEqual(await svg.locator('.topo-box .topo-name').allTextContents(), [
      'gpu-h100',
      'system',
      'cpu-inference',
      'EKS control plane',
    ]);
    const stroke = (status: string): Promise<string[]> =>
      svg
        .locator(`.topo-arrow[data-status="${status}"] .topo-line`)
        .evaluateAll((paths) => paths.map((p) => getComputedStyle(p).stroke));
    // The light palette's edge colours: red for blocked, green for allowed; a label says it in words.
    assert.deepEqual(await stroke('blocked'), Array(3).fill('rgb(207, 34, 46)'));
    const allowed = await stroke('allowed');
    assert.ok(allowed.length >= 4 && allowed.every((c) => c === 'rgb(74, 194, 107)'), allowed.join());
    const dashed = await svg
      .locator('.topo-arrow .topo-line')
      .evaluateAll((paths) => paths.map((p) => getComputedStyle(p).strokeDasharray !== 'none'));
    assert.equal(dashed.filter(Boolean).length, 1, 'only the recommended metrics scrape is dashed');
    const nats = svg.locator('a.topo-arrow[data-requirement="nats"]');
    assert.match((await nats.locator('.topo-label').textContent()) ?? '', /^✗ NATS event plane tcp\/4222$/);
    const hover = (await nats.locator(':scope > title').textContent()) ?? '';
    assert.match(
      hover,
      /Blocked by: SG ingress \(destination ENI\) at .*no ingress rule in \[sg-0280e97ae16fcd306 \(dgxc-h100-system\)\]/,
    );
    // An arrow opens its decision chain.
    await svg
      .locator('a.topo-arrow[data-requirement="prometheus"][data-status="blocked"] .topo-label')
      .last()
      .click();
    assert.match(
      await page.locator('article.detail:visible h3').innerText(),
      /BLOCKED\s+Prometheus for ai-service-metrics/,
    );
    await page.close();
  });

  it('prints every decision chain, and no buttons', async () => {
    const result = await dgxcResult();
    const page = await open(reportFile('dgxc.html', result));
    const cells = await page.locator('#matrix td.cell:not(.none)').count();
    assert.equal(await page.locator('article.detail:visible').count(), 1);
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('article.detail:visible').count(), cells);
    assert.equal(await page.locator('button.copy:visible').count(), 0);
    assert.match(
      await page.locator('article.detail').last().locator('ol.chain').innerText(),
      /^Source/,
      'the last chain prints too',
    );
    await page.emulateMedia({ media: 'screen' });
    assert.equal(await page.locator('article.detail:visible').count(), 1);
    await page.close();
  });

  it('shows the decision chain and a copyable fix for a clicked blocked cell; the screenshot', async () => {
    const result = await dgxcResult();
    const page = await open(reportFile('dgxc.html', result));
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const cell = page.locator(PICTURED_CELL);
    await cell.click();
    const detail = page.locator('article.detail:visible');
    assert.equal(await detail.count(), 1);
    assert.equal(await page.locator('#detail-hint').isVisible(), false);
    const title = await detail.locator('h3').innerText();
    assert.match(title, /BLOCKED/);
    assert.match(title, /Prometheus for ai-service-metrics/);
    const flow = result.flows.find((f) => f.source.nodeGroup === 'cpu-inference' && f.status === 'blocked')!;
    assert.match(
      await detail.locator('.reason').first().innerText(),
      /no ingress rule in \[sg-0280e97ae16fcd306 \(dgxc-h100-system\)\]/,
    );
    const chain = await detail.locator('ol.chain > li').allInnerTexts();
    assert.match(chain[0]!, /^Source/);
    assert.ok(
      chain.some((hop) => /^blocked\s*SG ingress \(destination ENI\)/.test(hop)),
      chain.join('\n---\n'),
    );
    assert.match(chain.at(-1)!, /^Destination/);

    const fix = result.remediation.find((r) => r.id === flow.fixedBy[0])!;
    const code = detail.locator('.fixes code');
    assert.equal(await code.textContent(), fix.command);
    const copy = detail.locator('.fixes button.copy');
    await copy.click();
    await page.waitForFunction((button) => button?.textContent === 'Copied', await copy.elementHandle());
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), fix.command);
    assert.equal(await cell.getAttribute('aria-current'), 'true');

    const committed = statSync(README_PICTURE).mtimeMs;
    await savePicture(page, SCREENSHOT);
    const png = readFileSync(SCREENSHOT);
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.equal(png.readUInt32BE(16), PICTURE.width, 'the viewport width');
    assert.equal(png.readUInt32BE(20), PICTURE.height, 'the top of the page, below the fold too');
    assert.equal(statSync(README_PICTURE).mtimeMs, committed, 'the test leaves the README picture alone');
    await page.close();
  });

  it('opens a cell from the keyboard and from a link to its anchor', async () => {
    const url = reportFile('dgxc.html', await dgxcResult());
    const page = await open(url);
    await page.locator('#matrix td[data-status="allowed"] a').first().focus();
    await page.keyboard.press('Enter');
    assert.match(await page.locator('article.detail:visible h3').innerText(), /ALLOWED/);
    // A topology arrow too: it is a link, and the arrow of the open chain is marked.
    const arrow = page.locator('a.topo-arrow[data-requirement="prometheus"][data-status="allowed"]').first();
    await arrow.focus();
    await page.keyboard.press('Enter');
    assert.match(
      await page.locator('article.detail:visible h3').innerText(),
      /ALLOWED\s+Prometheus for ai-service-metrics/,
    );
    assert.equal(await arrow.getAttribute('aria-current'), 'true');
    const width = (at: typeof arrow): Promise<string> =>
      at.locator('.topo-line').evaluate((line) => getComputedStyle(line).strokeWidth);
    assert.equal(await width(arrow), '4.5px', 'the arrow of the open chain is drawn thicker');
    assert.equal(await width(page.locator('a.topo-arrow[data-requirement="nats"]')), '2.5px');
    const id = await page.locator('#matrix td[data-status="blocked"] a').first().getAttribute('data-cell');
    await page.close();
    const linked = await open(`${url}#${id}`);
    assert.equal(await linked.locator(`article#${id}`).isVisible(), true);
    await linked.close();
  });

  it('follows the reader’s light or dark preference', async () => {
    const page = await open(reportFile('dgxc.html', await dgxcResult()));
    const brightness = async (): Promise<number> => {
      // A string, because the test's TypeScript has no DOM types.
      const rgb = String(await page.evaluate('getComputedStyle(document.body).backgroundColor'));
      return (rgb.match(/\d+/g) ?? []).slice(0, 3).reduce((sum: number, v: string) => sum + Number(v), 0);
    };
    await page.emulateMedia({ colorScheme: 'light' });
    assert.ok((await brightness()) > 600);
    await page.emulateMedia({ colorScheme: 'dark' });
    assert.ok((await brightness()) < 150);
    await page.close();
  });

  it('shows hostile names as text, runs no injected script, and explains an unknown cell', async () => {
    const page = await open(reportFile('hostile.html', hostileResult()));
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    assert.equal(await page.locator('img').count(), 0);
    const titles = await page.locator('svg#topology title').allTextContents();
    assert.ok(
      titles.some((t) => t.startsWith(`${HOSTILE_GROUP} — security groups:`)),
      'the node group name reads as text in the SVG title',
    );
    assert.ok(
      titles.some((t) => t.includes(HOSTILE_SG_NAME)),
      'so does the SG name',
    );
    assert.equal(await page.locator('script').count(), 1);
    const columnHeads = await page.locator('#matrix thead th').allInnerTexts();
    assert.ok(
      columnHeads.some((t) => t.includes(HOSTILE_GROUP)),
      columnHeads.join('\n'),
    );
    await page.locator('#matrix td[data-status="unknown"] a').first().click();
    const detail = page.locator('article.detail:visible');
    assert.match(await detail.locator('h3').innerText(), /UNKNOWN/);
    assert.match(await detail.innerText(), /pod IP 10\.0\.16\.99 is on no ENI in the snapshot/);
    assert.match(await detail.locator('p.hint').innerText(), /^Undecided: the snapshot lacks a fact/);
    // The topology marks the same co-located flow, and says why on hover.
    const masked = page.locator('a.topo-arrow[data-requirement="prometheus"][data-status="allowed"]');
    assert.match(
      (await masked.locator('.topo-label').textContent()) ?? '',
      /^✓ Prometheus for ai-service-metrics tcp\/9090\*$/,
    );
    assert.match(
      (await masked.locator(':scope > title').textContent()) ?? '',
      /\* Allowed only through same-node co-location: .*shares node sys-1/,
    );
    await page.locator('#matrix td.masked a').click();
    assert.match(await page.locator('article.detail:visible .masked-note').innerText(), /shares node sys-1/);
    assert.deepEqual(dialogs, []);
    await page.close();
  });

  it('asked for nothing over the network', () => {
    assert.deepEqual(offsite, []);
  });
});
