/** Builds a cluster model from raw input files, as the loader reads them (no analysis). */
import type { Scenario } from '../helpers/scenario.ts';
import { buildModel, parseSnapshot } from '../helpers/core.ts';
import type { ClusterModel } from '../../src/model/types.ts';

export type Json = Record<string, unknown>;

/** The model of these files (path → JSON value); a parse issue fails the test. */
export function modelFromFiles(files: Record<string, unknown>): ClusterModel {
  const parsed = parseSnapshot(
    Object.entries(files).map(([path, value]) => ({ path, text: JSON.stringify(value) })),
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return buildModel(parsed.snapshot);
}

/** The model of a scenario's files, each file's JSON first passed through `edit` when given. */
export function modelOf(s: Scenario, edit: Record<string, (doc: Json) => void> = {}): ClusterModel {
  const files: Record<string, unknown> = {};
  for (const f of s.files()) {
    const doc = JSON.parse(f.text) as Json;
    edit[f.path]?.(doc);
    files[f.path] = doc;
  }
  return modelFromFiles(files);
}

/** A `kubectl get -o json` list of these objects. */
export const list = (...items: Json[]): Json => ({ apiVersion: 'v1', kind: 'List', items });
