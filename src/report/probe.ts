/**
 * The probe report as text: live next to static, per source class; a check a stand-in listener
 * answered says so.
 */
import { terminalSafe } from '../base/terminal.ts';
import { describeSource } from '../questions/probe/plan.ts';
import type { ProbeReport } from '../questions/probe/compare.ts';

export function renderProbeTable(input: ProbeReport): string {
  const report = terminalSafe(input);
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
    const via =
      row.server !== 'stand-in'
        ? `${row.via} ${row.name}`
        : `${row.live?.passed ? 'proved with a ' : ''}stand-in listener ${row.name}`;
    out.push(
      `  ${live.padEnd(20)} static ${row.expected.padEnd(8)} ${row.requirement}${row.notCounted ? ' (recommended, not counted)' : ''} → ${row.target} (${via})${mark}`,
    );
    if (row.missing) out.push(`      ${row.missing}`);
    else if (row.live && !row.live.passed) out.push(`      ${row.live.message}`);
    if (row.hint) out.push(`      → ${row.hint}`);
  }
  const standIns = new Map(
    report.rows.flatMap((r) => (r.standInBecause ? [[r.requirement, r.standInBecause] as const] : [])),
  );
  if (standIns.size > 0) out.push('');
  for (const [requirement, because] of standIns)
    out.push(
      `stand-in listener for ${requirement}: ${because}; it proves the path through security groups, NACLs and routes, not the real server (nor the NetworkPolicies that select it)`,
    );
  for (const why of report.notProbed) out.push(`not probed: ${why}`);
  const { passed, failed, disagreements, provedWithStandIn } = report.summary;
  const standIn = provedWithStandIn > 0 ? ` (${provedWithStandIn} proved with a stand-in listener)` : '';
  out.push(
    '',
    `${report.passed ? 'PASS' : 'FAIL'}: ${passed} live checks passed${standIn}, ${failed} failed, ${disagreements} disagree with the static analysis`,
  );
  return `${out.join('\n').replace(/^\n/, '')}\n`;
}
