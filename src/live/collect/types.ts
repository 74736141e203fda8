import type { DataKind } from '../../snapshot/types.ts';

/** One file of the snapshot, as an object still: written as JSON, or handed to the loader in memory. */
export interface CollectedDocument {
  /** Path relative to the snapshot root, e.g. `aws/security-groups.json`. */
  readonly path: string;
  /** The kind of data the loader will capture from it. */
  readonly kind: DataKind;
  /** Number of objects it holds, for progress and the manifest. */
  readonly count: number;
  /** The object; absent when `spooled`. */
  readonly document?: unknown;
  /** A file holding the document's JSON text already, written page by page (spool.ts). */
  readonly spooled?: string;
}

/** One progress line ("nodes: 5"); the CLI decides whether it reaches stderr. */
export type Progress = (message: string) => void;
