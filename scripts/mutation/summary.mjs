// Per-folder figures of a Stryker JSON report (mutation-testing-report-schema), as a Markdown table.
//   node scripts/mutation/summary.mjs [reports/mutation/mutation.json …]
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

export function readReport(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

const columns = ['Killed', 'Survived', 'Timeout', 'NoCoverage', 'RuntimeError', 'CompileError', 'Ignored'];

/** src/model/policy/build.ts → src/model */
const folderOf = (file) => file.split('/').slice(0, 2).join('/');

function count(mutants) {
  const n = Object.fromEntries(columns.map((c) => [c, 0]));
  for (const m of mutants) n[m.status] = (n[m.status] ?? 0) + 1;
  const detected = n.Killed + n.Timeout;
  const valid = detected + n.Survived + n.NoCoverage;
  const covered = detected + n.Survived;
  return {
    ...n,
    mutants: mutants.length,
    score: valid ? (100 * detected) / valid : NaN,
    coveredScore: covered ? (100 * detected) / covered : NaN,
  };
}

export function folderTable(...reports) {
  const byFolder = new Map();
  const all = [];
  for (const report of reports) {
    for (const [file, { mutants }] of Object.entries(report.files)) {
      const folder = folderOf(file);
      byFolder.set(folder, [...(byFolder.get(folder) ?? []), ...mutants]);
      all.push(...mutants);
    }
  }
  const rows = [...[...byFolder].sort(([a], [b]) => a.localeCompare(b)), ['all', all]];
  const head =
    '| folder | mutants | killed | survived | timeout | no coverage | errors | score % | covered score % |\n' +
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|';
  const lines = rows.map(([folder, mutants]) => {
    const c = count(mutants);
    const cells = [c.mutants, c.Killed, c.Survived, c.Timeout, c.NoCoverage, c.RuntimeError + c.CompileError];
    return `| ${folder} | ${cells.join(' | ')} | ${c.score.toFixed(2)} | ${c.coveredScore.toFixed(2)} |`;
  });
  return [head, ...lines].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = process.argv.slice(2);
  process.stdout.write(
    `${folderTable(...(files.length ? files : ['reports/mutation/mutation.json']).map(readReport))}\n`,
  );
}
