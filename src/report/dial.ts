import { terminalSafe } from '../base/terminal.ts';
import type { DialReport } from '../live/dial/index.ts';

const HEADER = ['TARGET', 'CHECK', 'STATUS', 'OUTCOME', 'MESSAGE'] as const;

/** Renders reports as an aligned table, one row per check, then a one-line verdict. */
export function renderDialTable(input: readonly DialReport[]): string {
  const reports = terminalSafe(input);
  const rows = reports.flatMap((report) =>
    report.checks.map((check, index) => [
      // The target is named once, on its first check.
      index === 0 ? report.target : '',
      check.name,
      check.status,
      check.outcome,
      check.detail === undefined || check.message.includes(check.detail)
        ? check.message
        : `${check.message} [${check.detail}]`,
    ]),
  );
  const table = [[...HEADER], ...rows];
  const widths = HEADER.map((_, column) => Math.max(...table.map((row) => row[column]?.length ?? 0)));
  const lines = table.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
  const failed = reports.filter((report) => !report.passed).length;
  const verdict =
    failed === 0
      ? `PASS: every check passed (${reports.length} target${reports.length === 1 ? '' : 's'})`
      : `FAIL: ${failed} of ${reports.length} target${reports.length === 1 ? '' : 's'} failed`;
  return `${lines.join('\n')}\n\n${verdict}\n`;
}
