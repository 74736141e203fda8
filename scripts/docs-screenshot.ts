// Refreshes the picture the README shows, docs/report-screenshot.png (`npm run docs:screenshot`):
// the top of the HTML report of examples/dgxc-multi-sg in Debian's chromium (banner, topology,
// matrix), with the blocked Prometheus cell of the cpu-inference nodes open. The browser test takes the same picture into a temporary folder,
// so running the tests never changes a committed file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { analyzeSnapshot } from '../src/questions/analyze.ts';
import { renderers } from '../src/report/index.ts';
import { loadSnapshot } from '../src/snapshot/load.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const README_PICTURE = 'docs/report-screenshot.png';
export const EXAMPLE = 'examples/dgxc-multi-sg';
/** The cell the picture shows open: Prometheus from the cpu-inference nodes, blocked. */
export const PICTURED_CELL =
  '#matrix td[data-source="cpu-inference nodes [dgxc-h100-inference]"][data-requirement="prometheus"] a';

/** Chromium as the browser test and the picture use it: headless, 1440×900, light, no network. */
export function launchChromium(profile: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 900 },
    colorScheme: 'light',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** How much of the page the picture shows: the banner, the topology, the matrix and the open chain. */
export const PICTURE = { width: 1440, height: 1360 };

/**
 * Saves the page as the README shows it: from the top (a click may have scrolled it), pointer
 * parked and caret hidden, so reruns give the same picture.
 */
export async function savePicture(page: Page, path: string): Promise<void> {
  await page.mouse.move(0, 0);
  await page.evaluate('window.scrollTo(0, 0)');
  await page.evaluate('new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))');
  await page.screenshot({
    path,
    animations: 'disabled',
    caret: 'hide',
    fullPage: true,
    clip: { x: 0, y: 0, ...PICTURE },
  });
}

async function refresh(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'netcheck-screenshot-'));
  let context: BrowserContext | undefined;
  try {
    const report = join(scratch, 'dgxc.html');
    const result = analyzeSnapshot(await loadSnapshot(EXAMPLE));
    writeFileSync(report, renderers.html!(result, { color: false, verbose: false }));
    context = await launchChromium(join(scratch, 'profile'));
    await context.route('**/*', (route) =>
      route.request().url().startsWith('file:') ? route.continue() : route.abort(),
    );
    const page = await context.newPage();
    await page.goto(pathToFileURL(report).href);
    await page.locator(PICTURED_CELL).click();
    await page.locator('article.detail:visible').waitFor();
    await savePicture(page, README_PICTURE);
    process.stdout.write(`wrote ${resolve(README_PICTURE)}\n`);
  } finally {
    await context?.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href)
  await refresh();
