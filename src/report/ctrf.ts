/**
 * Common Test Report Format (https://ctrf.io), shaped as AICR's validator emits it
 * (pkg/validator/ctrf: reportFormat, specVersion 0.0.1, timestamp, generatedBy, results.tool,
 * results.summary with start/stop, results.tests[] with suite, message, stdout, extra) so AICR users
 * can merge our report with theirs. One test per requirement × source class.
 */
import { counted, type AnalysisResult } from '../questions/analyze.ts';
import type { Status } from '../reachability/types.ts';
import {
  buildMatrix,
  cellName,
  fixesById,
  problemLines,
  RECOMMENDED_NOT_COUNTED,
  traceLines,
  type Cell,
} from './cells.ts';
import type { RunTiming } from './types.ts';

export type CtrfStatus = 'passed' | 'failed' | 'skipped' | 'pending' | 'other';

export interface CtrfTest {
  readonly name: string;
  readonly status: CtrfStatus;
  readonly duration: number;
  readonly suite: string[];
  readonly message?: string;
  readonly stdout?: string[];
  readonly flaky?: boolean;
  /** Low-cardinality values only (ids, enum codes, counts), as AICR's redaction allows. */
  readonly extra?: Record<string, string>;
}

export interface CtrfReport {
  readonly reportFormat: 'CTRF';
  readonly specVersion: string;
  readonly timestamp?: string;
  readonly generatedBy: string;
  readonly results: {
    readonly tool: { readonly name: string; readonly version: string };
    readonly summary: {
      readonly tests: number;
      readonly passed: number;
      readonly failed: number;
      readonly skipped: number;
      readonly pending: number;
      readonly other: number;
      readonly start: number;
      readonly stop: number;
    };
    readonly tests: CtrfTest[];
    readonly environment?: { appName: string; appVersion: string; testEnvironment?: string };
  };
}

/** The version AICR's validator writes (pkg/validator/ctrf.SpecVersion). */
export const CTRF_SPEC_VERSION = '0.0.1';

/**
 * `unknown` is `other`, not `skipped`: CTRF's "other" is an outcome that could not be decided, and
 * AICR counts it as failing (fail closed), as our exit code 3 does; "skipped" would read as "does
 * not apply" and let an undecided flow pass a gate.
 */
const ctrfStatus: Record<Status, CtrfStatus> = { allowed: 'passed', blocked: 'failed', unknown: 'other' };

function testOf(result: AnalysisResult, cell: Cell, byId: ReturnType<typeof fixesById>): CtrfTest {
  const problems = problemLines(result, cell, byId);
  // A recommended flow the verdict does not count fails no gate: skipped, saying why.
  const uncounted = cell.status !== 'allowed' && !counted(cell.requirement, result.strict);
  if (uncounted) problems.unshift(RECOMMENDED_NOT_COUNTED);
  return {
    name: cellName(cell),
    status: uncounted ? 'skipped' : ctrfStatus[cell.status],
    duration: 0,
    suite: [result.tool.name, cell.requirement.title],
    ...(problems.length > 0 ? { message: problems.join('\n') } : {}),
    stdout: cell.flows.flatMap((flow) => [`${flow.id}: ${flow.status}`, ...traceLines(flow)]),
    ...(cell.masked ? { flaky: true } : {}),
    extra: {
      requirement: cell.requirement.id,
      level: cell.requirement.level,
      verdict: cell.status,
      'flow-classes': String(cell.flows.length),
      ...(cell.fixes.length > 0 ? { fixes: String(cell.fixes.length) } : {}),
    },
  };
}

export function buildCtrf(result: AnalysisResult, timing?: RunTiming): CtrfReport {
  const byId = fixesById(result);
  const tests: CtrfTest[] = [
    ...buildMatrix(result).cells.map((cell) => testOf(result, cell, byId)),
    ...result.skipped.map((s): CtrfTest => ({
      name: s.title,
      status: 'skipped',
      duration: 0,
      suite: [result.tool.name, s.title],
      message: s.why,
      extra: { requirement: s.requirement, level: s.level },
    })),
  ];
  const count = (status: CtrfStatus): number => tests.filter((t) => t.status === status).length;
  return {
    reportFormat: 'CTRF',
    specVersion: CTRF_SPEC_VERSION,
    // A renderer has no clock: without the run's timing there is no honest timestamp to write.
    ...(timing ? { timestamp: new Date(timing.stop).toISOString().replace(/\.\d{3}Z$/, 'Z') } : {}),
    generatedBy: result.tool.name,
    results: {
      tool: { name: result.tool.name, version: result.tool.version },
      summary: {
        tests: tests.length,
        passed: count('passed'),
        failed: count('failed'),
        skipped: count('skipped'),
        pending: count('pending'),
        other: count('other'),
        start: timing?.start ?? 0,
        stop: timing?.stop ?? 0,
      },
      tests,
      environment: {
        appName: 'dynamo',
        appVersion: result.dynamo.version,
        ...(result.cluster.name ? { testEnvironment: result.cluster.name } : {}),
      },
    },
  };
}

export const renderCtrf = (result: AnalysisResult, timing?: RunTiming): string =>
  `${JSON.stringify(buildCtrf(result, timing), null, 2)}\n`;
