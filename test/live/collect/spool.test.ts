/** Lists written page by page: the same bytes as the whole list written at once. */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { spoolList } from '../../../src/live/collect/spool.ts';

const whole = (items: unknown[]) => `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 2)}\n`;

describe('spoolList', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netcheck-spool-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const spool = async (parts: unknown[][][]) => {
    const list = spoolList(dir, `list-${n++}.json`);
    const writers = parts.map(() => list.part());
    // Parts written out of order, pages in order within each: the file follows the parts' order.
    await Promise.all(
      [...writers.keys()].reverse().map(async (i) => {
        for (const page of parts[i]!) await writers[i]!.add(page);
      }),
    );
    const { file, count } = await list.finish();
    return { text: readFileSync(file, 'utf8'), count };
  };

  it('writes an empty list as JSON.stringify does', async () => {
    assert.deepEqual(await spool([]), { text: whole([]), count: 0 });
    assert.deepEqual(await spool([[], [[]]]), { text: whole([]), count: 0 });
  });

  it('writes pages of several parts as the one list they make, byte for byte', async () => {
    const item = (i: number) => ({
      metadata: { name: `pod-${i}`, labels: { a: 'b' } },
      spec: { containers: [{ name: 'main', args: ['x', 'y'] }], empty: {}, none: [] },
      n: i,
    });
    const parts = [[[item(0), item(1)], [item(2)]], [], [[]], [[item(3)], [item(4), item(5)]]];
    const { text, count } = await spool(parts);
    assert.equal(count, 6);
    assert.equal(text, whole([0, 1, 2, 3, 4, 5].map(item)));
  });

  it('writes a page longer than one turn of the event loop (50 items) as one piece, byte for byte', async () => {
    const item = (i: number) => ({ metadata: { name: `pod-${i}` }, ports: [i, i + 1] });
    const page = (from: number, length: number) => Array.from({ length }, (_, i) => item(from + i));
    // 50: exactly one turn; 51: one item over; 123: three turns, the last short.
    const parts = [[page(0, 50), page(50, 51)], [page(101, 123)]];
    const { text, count } = await spool(parts);
    assert.equal(count, 224);
    assert.equal(text, whole(page(0, 224)));
  });

  it('keeps strings with line breaks JSON leaves as they are (U+2028, U+2029) intact', async () => {
    const odd = [{ message: 'a\u2028b\u2029c\nd\re "q" \\ é 🙂' }, 'plain', 7, null, [1, [2]]];
    assert.equal((await spool([[odd]])).text, whole(odd));
  });

  it('leaves only the lists’ files behind, no parts', () => {
    assert.ok(
      readdirSync(dir).every((name) => /^list-\d+\.json$/.test(name)),
      readdirSync(dir).join(' '),
    );
  });
});
