/** What the command files share: the registry's type, reading a user's file, printing a report. */
import type { Command } from 'commander';
import { readYaml } from '../base/yaml.ts';
import { readInputFile, SnapshotInputError } from '../snapshot/load.ts';
import { formatIssue, type InputIssue } from '../snapshot/types.ts';
import { UsageError } from './errors.ts';

/** A command adds itself to the program and reports its exit code through `setExit`. */
export type RegisterCommand = (program: Command, setExit: (code: number) => void) => void;

export function badInput(issues: readonly InputIssue[]): UsageError {
  return new UsageError(`bad input:\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`);
}

/** One YAML or JSON document from a file the user named; exit 2 when it cannot be read. */
export function readDocumentFile(file: string): unknown {
  let text: string;
  try {
    text = readInputFile(file).toString('utf8');
  } catch (err) {
    if (err instanceof SnapshotInputError) throw new UsageError(formatIssue(err.issues[0]!));
    throw err;
  }
  // Limits as for a snapshot: an alias bomb or nesting past the limit is an input error too.
  const read = readYaml(text);
  if ('error' in read)
    throw new UsageError(
      `${file}: ${read.limit ? read.error : read.error.replace(/^invalid YAML/, 'invalid YAML/JSON')}`,
    );
  const values = read.docs.filter((v) => v !== null);
  if (values.length !== 1) throw new UsageError(`${file}: expected one document, found ${values.length}`);
  return values[0];
}

/**
 * Colour only on a terminal, unless --no-color or the NO_COLOR convention (https://no-color.org:
 * set and not empty) says no.
 */
export function colorWanted(flag: unknown): boolean {
  return flag !== false && process.stdout.isTTY === true && (process.env.NO_COLOR ?? '') === '';
}

/** stdout carries only the report: JSON, or the table (coloured on a terminal unless --no-color). */
export function printReport<T>(
  format: 'table' | 'json',
  report: T,
  render: (report: T, options: { color: boolean }) => string,
  color: unknown,
): void {
  process.stdout.write(
    format === 'json'
      ? `${JSON.stringify(report, null, 2)}\n`
      : render(report, { color: colorWanted(color) }),
  );
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `text` in milliseconds with one of `units` (a bare number is seconds); NaN when it is not one. */
function durationMs(text: string, units: readonly string[]): number {
  const match = /^(\d+(?:\.\d+)?)([a-z]+)?$/.exec(text.trim());
  if (match === null || (match[2] !== undefined && !units.includes(match[2]))) return NaN;
  return Number(match[1]) * UNIT_MS[match[2] ?? 's']!;
}

/** `500ms`, `2s`, `1.5s` or a bare number of seconds → milliseconds. */
export function parseDuration(text: string): number {
  const milliseconds = durationMs(text, ['ms', 's']);
  if (!(milliseconds >= 1)) {
    throw new UsageError(
      `--timeout ${text}: expected a duration such as 500ms, 2s or 5 (seconds), of at least 1ms`,
    );
  }
  return Math.round(milliseconds);
}

/** An interval flag (`monitor --interval 5m`): `200ms`, `30s`, `5m`, `1h` or seconds → milliseconds. */
export function parseInterval(flag: string, text: string): number {
  const milliseconds = durationMs(text, ['ms', 's', 'm', 'h']);
  if (!(milliseconds >= 1))
    throw new UsageError(
      `${flag} ${text}: expected a duration such as 200ms, 30s, 5m or 1h, of at least 1ms`,
    );
  return Math.round(milliseconds);
}
