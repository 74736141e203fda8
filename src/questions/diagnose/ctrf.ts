/**
 * CTRF (Common Test Report Format, ctrf.io) reports as `aicr validate` writes them: one test per
 * validator check, `suite` = [phase], `message` = the check's termination message.
 */
import { z } from 'zod';
import { joinPath } from '../../snapshot/parse.ts';
import type { InputIssue } from '../../snapshot/types.ts';

const test = z.looseObject({
  name: z.string(),
  status: z.enum(['passed', 'failed', 'skipped', 'pending', 'other']),
  duration: z.number().optional(),
  message: z.string().nullish(),
  trace: z.string().nullish(),
  // CTRF allows a suite path as a string or (AICR) an array of names.
  suite: z.union([z.string(), z.array(z.string())]).nullish(),
  stdout: z.array(z.string()).nullish(),
});

const report = z.looseObject({
  reportFormat: z.string().optional(),
  results: z.looseObject({
    tool: z.looseObject({ name: z.string(), version: z.string().optional() }),
    tests: z.array(test),
  }),
});

export interface CtrfTest {
  readonly name: string;
  readonly status: 'passed' | 'failed' | 'skipped' | 'pending' | 'other';
  /** The validation phase (AICR: deployment, conformance, performance), or '' when none is given. */
  readonly phase: string;
  readonly message?: string;
  readonly stdout: readonly string[];
  readonly durationMs?: number;
  readonly file: string;
  readonly path: string;
}

export interface CtrfReport {
  readonly file: string;
  readonly tool: string;
  readonly tests: CtrfTest[];
}

export function parseCtrf(
  doc: unknown,
  file: string,
): { ok: true; report: CtrfReport } | { ok: false; issues: InputIssue[] } {
  const parsed = report.safeParse(doc);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((i) => ({ file, path: joinPath('', i.path), message: i.message })),
    };
  }
  if (parsed.data.reportFormat !== undefined && parsed.data.reportFormat !== 'CTRF') {
    return {
      ok: false,
      issues: [
        {
          file,
          path: 'reportFormat',
          message: `expected "CTRF", received ${JSON.stringify(parsed.data.reportFormat)}`,
        },
      ],
    };
  }
  return {
    ok: true,
    report: {
      file,
      tool: parsed.data.results.tool.name,
      tests: parsed.data.results.tests.map((t, i) => {
        const suite = typeof t.suite === 'string' ? t.suite.split(/\s*[>/]\s*/) : (t.suite ?? []);
        return {
          name: t.name,
          status: t.status,
          phase: suite[0] ?? '',
          ...(t.message ? { message: t.message } : {}),
          stdout: t.stdout ?? [],
          ...(t.duration !== undefined ? { durationMs: t.duration } : {}),
          file,
          path: joinPath('', ['results', 'tests', i]),
        };
      }),
    },
  };
}
