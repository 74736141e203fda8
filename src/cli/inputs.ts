/** CLI edge helpers: read files named by flags, and turn input problems into usage errors (exit 2). */
import { escapeControls } from '../base/terminal.ts';
import { existsSync } from 'node:fs';
import semver from 'semver';
import YAML from 'yaml';
import { loadSnapshot, readInputFile, SnapshotInputError } from '../snapshot/load.ts';
import type { Snapshot } from '../snapshot/types.ts';
import { formatIssue } from '../snapshot/types.ts';
import type { RecipeInfo } from '../requirements/context.ts';
import { DYNAMO_RECIPE, parseRecipeResult } from '../requirements/recipe.ts';
import { UsageError } from './errors.ts';

/** `--max-file-size`'s default, as its help shows it. */
export const DEFAULT_MAX_FILE_SIZE_TEXT = '2G';

/** `1024`, `1k`, `512M`, `2G`, `2GiB` → bytes (k, M, G, T: powers of 1024); a usage error otherwise. */
export function parseSize(flag: string, text: string): number {
  const match = /^\s*(\d+)\s*(?:([kmgt])(?:i?b)?|b)?\s*$/i.exec(text);
  const power = match?.[2] ? 'kmgt'.indexOf(match[2].toLowerCase()) + 1 : 0;
  const bytes = match ? Number(match[1]) * 1024 ** power : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1)
    throw new UsageError(
      `${flag} ${text}: expected a size such as 1048576, 64k, 512M or 2G (k = 1024 bytes)`,
    );
  return bytes;
}

export interface ReadSnapshotOptions {
  /** `--max-file-size` as given: files larger are refused (exit 2). */
  readonly maxFileSize?: string;
}

/** The snapshot at `path`; bad input is a usage error (exit 2): one line for one problem. */
export async function readSnapshot(path: string, options: ReadSnapshotOptions = {}): Promise<Snapshot> {
  const maxFileSize = parseSize('--max-file-size', options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE_TEXT);
  try {
    return await loadSnapshot(path, { maxFileSize });
  } catch (err) {
    if (err instanceof SnapshotInputError)
      throw new UsageError(
        err.issues.length === 1
          ? `bad input: ${formatIssue(err.issues[0]!)}`
          : `bad input:\n${err.issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`,
      );
    throw err;
  }
}

/** `--recipe` takes a recipe name or a RecipeResult file. */
export function readRecipe(value: string, warn: (message: string) => void): RecipeInfo {
  if (existsSync(value)) {
    let text: string;
    try {
      text = readInputFile(value).toString('utf8');
    } catch (err) {
      if (err instanceof SnapshotInputError) throw new UsageError(`--recipe ${formatIssue(err.issues[0]!)}`);
      throw err;
    }
    let doc: unknown;
    try {
      doc = YAML.parse(text);
    } catch (err) {
      throw new UsageError(`${value}: invalid YAML/JSON: ${(err as Error).message.split('\n')[0]}`);
    }
    const parsed = parseRecipeResult(doc, value);
    if (!parsed.ok)
      throw new UsageError(`bad recipe:\n${parsed.issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`);
    for (const warning of parsed.warnings) warn(`--recipe ${value}: ${warning}`);
    return parsed.recipe;
  }
  if (/[/\\]|\.ya?ml$|\.json$/i.test(value)) throw new UsageError(`--recipe ${value}: no such file`);
  if (!DYNAMO_RECIPE.test(value)) {
    warn(
      `--recipe ${value} is not an *-eks-<os>-inference-dynamo recipe; the Dynamo requirements may not apply`,
    );
  }
  return { name: value, source: 'name' };
}

export function checkVersion(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const version = semver.valid(value) ?? semver.coerce(value)?.version;
  if (!version || !/^\s*v?\d+(\.\d+){0,2}([-+].*)?\s*$/.test(value)) {
    throw new UsageError(`--dynamo-version ${value}: expected a version like 1.2.0`);
  }
  return version;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  ];
}

export function outputFormat<T extends string>(value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`-o ${value}: expected one of ${allowed.join(', ')}`);
  return value as T;
}

export function warn(message: string): void {
  process.stderr.write(`dynamo-netcheck: warning: ${escapeControls(message)}\n`);
}

/**
 * What in the input a person should know about whatever the command prints: files not used that
 * may hold data (an unrecognised document, a link out of the directory, …) and captures cut short.
 * Files whose skipping loses nothing (the run's own output, an earlier report) are left to the
 * report's notes.
 */
export function inputWarnings(snapshot: Snapshot): string[] {
  return [
    ...snapshot.ignored.filter((i) => !i.expected).map((i) => `ignored ${i.file}: ${i.reason}`),
    ...snapshot.warnings.map((cut) => `${cut.file}: ${cut.message}`),
  ];
}

/** `inputWarnings` on stderr. */
export function warnAboutInput(snapshot: Snapshot): void {
  for (const warning of inputWarnings(snapshot)) warn(warning);
}
