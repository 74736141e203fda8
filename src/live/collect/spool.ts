/**
 * Lists written to disk page by page (`snapshot`), so a collection holds one page per list in
 * flight rather than every object: a list's file is the bytes `JSON.stringify(list, null, 2)`
 * would give for `{ apiVersion: 'v1', kind: 'List', items }`, written in pieces. A list read as
 * several lists side by side (the pods, by namespace) writes one part per list, joined in order.
 */
import { createReadStream } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { chunks, mapInTurns } from './pace.ts';

const HEAD = '{\n  "apiVersion": "v1",\n  "kind": "List",\n  "items": [';

/**
 * Items as they stand in the list's text, each after a `,` (the first item of the list loses it
 * when the parts are joined). One native stringify per page: the items of `{ items }` sit at the
 * depth, and so the indentation, of the list's items; its head and tail are cut off.
 */
export function itemsText(items: readonly unknown[]): string {
  const text = JSON.stringify({ items }, null, 2);
  // `{\n  "items": [` … `\n  ]\n}` around `\n    <item>,\n    <item>`.
  return `,${text.slice('{\n  "items": ['.length, -'\n  ]\n}'.length)}`;
}

/** Items stringified per turn of the event loop (about half a millisecond's work for pods). */
const ITEMS_PER_TURN = 50;

/**
 * itemsText(items), a few items per turn of the event loop: the answers of the calls in flight are
 * read between turns instead of after a whole page (about 5 ms for 500 pods). The pieces join to
 * the same text: each starts with the `,` that separates it from the one before.
 */
const textInTurns = async (items: readonly unknown[]): Promise<string> =>
  (await mapInTurns(chunks(items, ITEMS_PER_TURN), 1, itemsText)).join('');

/** The items of one list of pages, appended to a part file as they come. */
export interface PartWriter {
  add(items: readonly unknown[]): Promise<void>;
}

export interface SpooledList {
  /** A new part; the parts are joined in the order they were asked for. */
  part(): PartWriter;
  /** Joins the parts into the list's file; returns its path and the number of items. */
  finish(): Promise<{ file: string; count: number }>;
}

/** A list spooled under `dir` as `name` (e.g. `k8s-pods.json`); its parts beside it. */
export function spoolList(dir: string, name: string): SpooledList {
  const parts: { path: string; count: number; handle?: Promise<FileHandle>; writing: Promise<void> }[] = [];
  return {
    part() {
      const part = {
        path: join(dir, `${name}.part${parts.length}`),
        count: 0,
        writing: Promise.resolve(),
      } as (typeof parts)[number];
      parts.push(part);
      return {
        add(items) {
          if (items.length === 0) return part.writing;
          const text = textInTurns(items);
          part.count += items.length;
          part.handle ??= open(part.path, 'wx');
          const handle = part.handle;
          part.writing = part.writing.then(async () => {
            // writeFile: all of it, from where the part has got to (one write may take only part).
            await (await handle).writeFile(await text);
          });
          return part.writing;
        },
      };
    },
    async finish() {
      const file = join(dir, name);
      const out = await open(file, 'wx');
      let count = 0;
      try {
        await out.write(HEAD);
        for (const part of parts) {
          await part.writing;
          if (!part.handle) continue;
          await (await part.handle).close();
          // The list's first item follows `[` directly: its part loses the leading `,`.
          for await (const chunk of createReadStream(part.path, { start: count === 0 ? 1 : 0 }))
            await out.write(chunk as Buffer);
          count += part.count;
          await rm(part.path);
        }
        await out.write(count === 0 ? ']\n}\n' : '\n  ]\n}\n');
      } finally {
        await out.close();
      }
      return { file, count };
    },
  };
}
