/**
 * CTRF (Common Test Report Format, ctrf.io) reports as `aicr validate` writes them: one test per
 * validator check, `suite` = [phase], `message` = the check's termination message. Read from a
 * CTRF file, or from the ConfigMap AICR keeps each phase's report in: `aicr-ctrf-<runID>-<phase>`
 * in namespace `aicr-validation`, the CTRF JSON under data key `report.json` (NVIDIA/aicr
 * pkg/validator/ctrf/configmap.go, ConfigMapName and ConfigMapKeyReport), alone or in a `List`.
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

/** The namespace `aicr validate` runs in and keeps its reports in (its --namespace default). */
export const AICR_VALIDATION_NAMESPACE = 'aicr-validation';
/** `aicr-ctrf-<runID>-<phase>`; a run ID is `<yyyymmdd>-<hhmmss>-<16 hex>`. */
const CTRF_CONFIGMAP = /^aicr-ctrf-(.+)-([a-z]+)$/;
export const CTRF_CONFIGMAP_PREFIX = 'aicr-ctrf-';
export const CTRF_REPORT_KEY = 'report.json';

const configMap = z.looseObject({
  kind: z.literal('ConfigMap'),
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string().optional(),
    creationTimestamp: z.string().optional(),
    labels: z.record(z.string(), z.string()).nullish(),
  }),
  data: z.record(z.string(), z.string()).nullish(),
});
type ConfigMap = z.infer<typeof configMap>;

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

/** The AICR ConfigMap a report was read from. */
export interface CtrfConfigMap {
  readonly namespace: string;
  readonly name: string;
  readonly runId: string;
  readonly phase: string;
  readonly createdAt?: string;
}

export interface CtrfReport {
  readonly file: string;
  readonly tool: string;
  readonly tests: CtrfTest[];
  readonly configMap?: CtrfConfigMap;
}

type Parsed<T> = { ok: true } & T;
type Failed = { ok: false; issues: InputIssue[] };

/** A CTRF report; `base` is where the report sits inside `file` (e.g. a ConfigMap's data key). */
export function parseCtrf(doc: unknown, file: string, base = ''): Parsed<{ report: CtrfReport }> | Failed {
  const parsed = report.safeParse(doc);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((i) => ({ file, path: joinPath(base, i.path), message: i.message })),
    };
  }
  if (parsed.data.reportFormat !== undefined && parsed.data.reportFormat !== 'CTRF') {
    return {
      ok: false,
      issues: [
        {
          file,
          path: joinPath(base, ['reportFormat']),
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
          path: joinPath(base, ['results', 'tests', i]),
        };
      }),
    },
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether a ConfigMap is one of AICR's CTRF reports: its name, and the report under its key. */
export function isCtrfConfigMap(doc: unknown): boolean {
  if (!isRecord(doc) || doc.kind !== 'ConfigMap' || !isRecord(doc.metadata) || !isRecord(doc.data))
    return false;
  return (
    typeof doc.metadata.name === 'string' &&
    CTRF_CONFIGMAP.test(doc.metadata.name) &&
    typeof doc.data[CTRF_REPORT_KEY] === 'string'
  );
}

function parseConfigMap(doc: unknown, file: string, base: string): Parsed<{ report: CtrfReport }> | Failed {
  const parsed = configMap.safeParse(doc);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((i) => ({ file, path: joinPath(base, i.path), message: i.message })),
    };
  }
  const cm: ConfigMap = parsed.data;
  const name = CTRF_CONFIGMAP.exec(cm.metadata.name);
  const text = cm.data?.[CTRF_REPORT_KEY];
  if (!name || text === undefined) {
    return {
      ok: false,
      issues: [
        {
          file,
          path: base,
          message: `ConfigMap ${cm.metadata.name} is not an AICR validator report: expected the name aicr-ctrf-<runID>-<phase> and the CTRF JSON under data key ${CTRF_REPORT_KEY}`,
        },
      ],
    };
  }
  const at = joinPath(base, ['data', CTRF_REPORT_KEY]);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, issues: [{ file, path: at, message: `not JSON: ${(err as Error).message}` }] };
  }
  const inner = parseCtrf(json, file, at);
  if (!inner.ok) return inner;
  return {
    ok: true,
    report: {
      ...inner.report,
      configMap: {
        namespace: cm.metadata.namespace ?? AICR_VALIDATION_NAMESPACE,
        name: cm.metadata.name,
        runId: name[1]!,
        phase: name[2]!,
        ...(cm.metadata.creationTimestamp ? { createdAt: cm.metadata.creationTimestamp } : {}),
      },
    },
  };
}

export type CtrfDocument =
  | Parsed<{ reports: CtrfReport[] }>
  | (Failed & {
      /** Neither a CTRF report nor a ConfigMap or List: a directory skips such files. */
      readonly unrecognized?: true;
    });

/**
 * What `--ctrf` accepts, as one parsed YAML/JSON document: a CTRF report, an AICR CTRF
 * ConfigMap, or a List (`kubectl get configmaps -n aicr-validation -o yaml`) in which the CTRF
 * ConfigMaps are read and every other item is passed over.
 */
export function readCtrfDocument(doc: unknown, file: string): CtrfDocument {
  if (isRecord(doc) && (doc.kind === 'List' || doc.kind === 'ConfigMapList') && Array.isArray(doc.items)) {
    const reports: CtrfReport[] = [];
    const issues: InputIssue[] = [];
    doc.items.forEach((raw: unknown, i) => {
      // The API's own ConfigMapList leaves kind off its items; kubectl's List keeps it.
      const item = isRecord(raw) && raw.kind === undefined ? { kind: 'ConfigMap', ...raw } : raw;
      if (!isCtrfConfigMap(item)) return;
      const parsed = parseConfigMap(item, file, joinPath('', ['items', i]));
      if (parsed.ok) reports.push(parsed.report);
      else issues.push(...parsed.issues);
    });
    if (issues.length > 0) return { ok: false, issues };
    if (reports.length === 0) {
      return {
        ok: false,
        issues: [
          {
            file,
            path: 'items',
            message: `no AICR validator report in the list: none of its ${doc.items.length} items is a ConfigMap aicr-ctrf-<runID>-<phase> with data key ${CTRF_REPORT_KEY}`,
          },
        ],
      };
    }
    return { ok: true, reports };
  }
  if (isRecord(doc) && doc.kind === 'ConfigMap') {
    const parsed = parseConfigMap(doc, file, '');
    return parsed.ok ? { ok: true, reports: [parsed.report] } : parsed;
  }
  if (isRecord(doc) && ('results' in doc || 'reportFormat' in doc)) {
    const parsed = parseCtrf(doc, file);
    return parsed.ok ? { ok: true, reports: [parsed.report] } : parsed;
  }
  return {
    ok: false,
    unrecognized: true,
    issues: [
      {
        file,
        path: '',
        message: `neither a CTRF report nor an AICR validator ConfigMap (aicr-ctrf-<runID>-<phase>, data key ${CTRF_REPORT_KEY}) or a List of them`,
      },
    ],
  };
}

/**
 * AICR keeps each run's ConfigMaps when asked to (`aicr validate --no-cleanup`), so a namespace can
 * hold several runs: only the newest is read (by creation time, then by run ID, which starts with
 * the run's date and time), or a passed check would sit beside its own stale failure. Reports not
 * read from a ConfigMap are all kept.
 */
export function newestRun(reports: readonly CtrfReport[]): {
  reports: CtrfReport[];
  run?: string;
  olderRuns: string[];
} {
  const runs = new Map<string, string>();
  for (const r of reports) {
    if (!r.configMap) continue;
    const created = r.configMap.createdAt ?? '';
    const latest = runs.get(r.configMap.runId);
    if (latest === undefined || created > latest) runs.set(r.configMap.runId, created);
  }
  if (runs.size === 0) return { reports: [...reports], olderRuns: [] };
  const time = (created: string): number => {
    const t = Date.parse(created);
    return Number.isNaN(t) ? 0 : t;
  };
  const order = [...runs.entries()].sort(
    ([idA, createdA], [idB, createdB]) => time(createdB) - time(createdA) || idB.localeCompare(idA),
  );
  const run = order[0]![0];
  return {
    reports: reports.filter((r) => !r.configMap || r.configMap.runId === run),
    run,
    olderRuns: order.slice(1).map(([id]) => id),
  };
}
