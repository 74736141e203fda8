/** `analyze -o ctrf|junit|markdown|html` and `--html <file>` through the CLI entry: same verdict, same exit. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import { type BatchRun, runCliBatch } from '../helpers/cli-batch.ts';
import { DGXC } from './fixtures.ts';

type Run = BatchRun;

const scratch = mkdtempSync(join(tmpdir(), 'netcheck-report-cli-'));
const htmlFile = join(scratch, 'report.html');
const badFile = join(scratch, 'no-such-dir', 'report.html');
after(() => rmSync(scratch, { recursive: true, force: true }));

const argvs = {
  ctrfAndHtml: ['analyze', DGXC, '-o', 'ctrf', '--html', htmlFile],
  junit: ['analyze', DGXC, '-o', 'junit'],
  markdown: ['analyze', DGXC, '-o', 'markdown'],
  html: ['analyze', DGXC, '-o', 'html'],
  badHtml: ['analyze', DGXC, '--html', badFile],
  help: ['analyze', '--help'],
};
let runs: Record<keyof typeof argvs, Run>;

before(() => {
  // One process for every run: each fresh `bin/dynamo-netcheck` would pay the TypeScript start again.
  const results = runCliBatch(Object.values(argvs));
  runs = Object.fromEntries(Object.keys(argvs).map((k, i) => [k, results[i]!])) as typeof runs;
});

describe('analyze report formats', () => {
  it('-o ctrf with --html: CTRF on stdout, the HTML report in the file, exit 1 as for the table', () => {
    const r = runs.ctrfAndHtml;
    assert.equal(r.code, 1);
    assert.equal(r.stderr, '');
    const ctrf = JSON.parse(r.stdout) as {
      reportFormat: string;
      results: { summary: { failed: number; start: number; stop: number } };
    };
    assert.equal(ctrf.reportFormat, 'CTRF');
    assert.equal(ctrf.results.summary.failed, 4);
    assert.ok(ctrf.results.summary.start > 0 && ctrf.results.summary.stop >= ctrf.results.summary.start);
    const page = readFileSync(htmlFile, 'utf8');
    assert.match(page, /^<!doctype html>/);
    assert.match(page, /<span class="verdict" id="verdict">FAIL<\/span>/);
    assert.deepEqual(readdirSync(scratch), ['report.html'], 'no temporary file left behind');
  });

  it('-o junit, -o markdown and -o html print their report and exit 1', () => {
    for (const key of ['junit', 'markdown', 'html'] as const) {
      assert.equal(runs[key].code, 1, key);
      assert.equal(runs[key].stderr, '', key);
    }
    assert.equal(XMLValidator.validate(runs.junit.stdout), true);
    assert.match(runs.markdown.stdout, /^### dynamo-netcheck: ❌ FAIL/);
    assert.match(runs.html.stdout, /<table class="matrix" id="matrix"[ >]/);
  });

  it('--html into a missing directory is a usage error: exit 2, nothing on stdout, no file', () => {
    const r = runs.badHtml;
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /--html .*no-such-dir\/report\.html: cannot write/);
    assert.equal(existsSync(badFile), false);
  });

  it('--help lists every format and the --html option', () => {
    const help = runs.help.stdout.replace(/\s+/g, ' ');
    assert.equal(runs.help.code, 0);
    assert.match(help, /choices: "table", "json", "ctrf", "junit", "markdown", "html"/);
    assert.match(help, /--html <file> also write the HTML reachability matrix/);
  });
});
