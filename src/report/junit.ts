/**
 * JUnit XML for CI systems: a testsuite per requirement, a testcase per source class. Blocked is a
 * <failure> (message = reason + fix command), unknown an <error> (the check could not decide),
 * a requirement with nothing to evaluate a <skipped> testcase.
 */
import { counted, type AnalysisResult } from '../questions/analyze.ts';
import {
  buildMatrix,
  fixesById,
  portText,
  problemLines,
  RECOMMENDED_NOT_COUNTED,
  traceLines,
  type Cell,
} from './cells.ts';
import type { RunTiming } from './types.ts';

/** Characters XML 1.0 cannot carry at all, even escaped (controls, lone surrogates, U+FFFE/F). */
const INVALID_XML =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlText(value: string): string {
  return value
    .replace(INVALID_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Attribute values also keep their quotes and line breaks (parsers fold raw ones to spaces). */
export function xmlAttr(value: string): string {
  return xmlText(value)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

const attrs = (values: Record<string, string | number>): string =>
  Object.entries(values)
    .map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`)
    .join('');

function testcase(result: AnalysisResult, cell: Cell, byId: ReturnType<typeof fixesById>): string {
  const open = `    <testcase${attrs({ classname: `${result.tool.name}.${cell.requirement.id}`, name: cell.source.label, time: 0 })}>`;
  const lines = [open];
  const problems = problemLines(result, cell, byId);
  const trace = cell.flows.flatMap((flow) => [`${flow.id}: ${flow.status}`, ...traceLines(flow)]).join('\n');
  if (cell.status !== 'allowed' && !counted(cell.requirement, result.strict)) {
    // A recommended flow the verdict does not count fails no build: skipped, saying why.
    lines.push(
      `      <skipped${attrs({ message: `${RECOMMENDED_NOT_COUNTED}: ${cell.flows[0]!.reason}` })}/>`,
    );
  } else if (cell.status !== 'allowed') {
    const first = cell.flows[0]!;
    const command = cell.fixes[0]?.command;
    const message = `${first.reason}${command ? ` — fix: ${command}` : ''}`;
    const tag = cell.status === 'blocked' ? 'failure' : 'error';
    lines.push(
      `      <${tag}${attrs({ message, type: cell.status })}>${xmlText(problems.join('\n'))}</${tag}>`,
    );
  }
  lines.push(`      <system-out>${xmlText(trace)}</system-out>`, '    </testcase>');
  return lines.join('\n');
}

export function renderJunit(result: AnalysisResult, timing?: RunTiming): string {
  const byId = fixesById(result);
  const matrix = buildMatrix(result);
  const time = timing ? ((timing.stop - timing.start) / 1000).toFixed(3) : '0';
  const stamp: Record<string, string> = timing ? { timestamp: new Date(timing.start).toISOString() } : {};
  const suites: string[] = [];
  const totals = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const requirement of matrix.columns) {
    const cells = matrix.cells.filter((c) => c.requirement.id === requirement.id);
    const uncounted = (c: Cell): boolean => c.status !== 'allowed' && !counted(c.requirement, result.strict);
    const counts = {
      tests: cells.length,
      failures: cells.filter((c) => c.status === 'blocked' && !uncounted(c)).length,
      errors: cells.filter((c) => c.status === 'unknown' && !uncounted(c)).length,
      skipped: cells.filter(uncounted).length,
    };
    for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += counts[k];
    const name = `${requirement.title} (${portText(requirement.protocol, requirement.ports)})`;
    suites.push(
      [
        `  <testsuite${attrs({ name, ...counts, time: 0, ...stamp })}>`,
        '    <properties>',
        ...Object.entries({
          requirement: requirement.id,
          level: requirement.level,
          why: requirement.why,
          symptom: requirement.symptom,
          source: requirement.source,
        }).map(([k, v]) => `      <property${attrs({ name: k, value: v })}/>`),
        '    </properties>',
        ...cells.map((cell) => testcase(result, cell, byId)),
        '  </testsuite>',
      ].join('\n'),
    );
  }
  for (const s of result.skipped) {
    totals.tests += 1;
    totals.skipped += 1;
    suites.push(
      [
        `  <testsuite${attrs({ name: s.title, tests: 1, failures: 0, errors: 0, skipped: 1, time: 0, ...stamp })}>`,
        `    <testcase${attrs({ classname: `${result.tool.name}.${s.requirement}`, name: 'no source or target to evaluate', time: 0 })}>`,
        `      <skipped${attrs({ message: s.why })}/>`,
        '    </testcase>',
        '  </testsuite>',
      ].join('\n'),
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: result.tool.name, ...totals, time, ...stamp })}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
