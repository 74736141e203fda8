/** The probe report as text: live next to static, per source class. */
import { describeSource } from '../questions/probe/plan.ts';
import type { ProbeReport } from '../questions/probe/compare.ts';

export function renderProbeTable(report: ProbeReport): string {
  const out: string[] = [];
  let source = '';
  for (const row of report.rows) {
    const header = `${describeSource(row.source)} — probe ${row.probe} on ${row.node}`;
    if (header !== source) {
      source = header;
      out.push('', header);
    }
    const live = row.live ? `${row.live.passed ? 'PASS' : 'FAIL'} ${row.live.outcome}` : 'NO RESULT';
    const mark =
      row.agreement === 'static-allowed-live-failed' || row.agreement === 'static-blocked-live-connected'
        ? '  ≠ DISAGREES'
        : '';
    out.push(
      `  ${live.padEnd(20)} static ${row.expected.padEnd(8)} ${row.requirement} → ${row.target} (${row.via} ${row.name})${mark}`,
    );
    if (row.missing) out.push(`      ${row.missing}`);
    else if (row.live && !row.live.passed) out.push(`      ${row.live.message}`);
    if (row.hint) out.push(`      → ${row.hint}`);
  }
  for (const why of report.notProbed) out.push(`not probed: ${why}`);
  const { passed, failed, disagreements } = report.summary;
  out.push(
    '',
    `${report.passed ? 'PASS' : 'FAIL'}: ${passed} live checks passed, ${failed} failed, ${disagreements} disagree with the static analysis`,
  );
  return `${out.join('\n').replace(/^\n/, '')}\n`;
}
