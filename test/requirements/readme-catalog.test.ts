/** README's catalog section lists every flow of the catalog with its level and source, and nothing else. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { catalog } from '../../src/requirements/catalog.ts';

describe('README catalog table', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  // Rows like "| `nats` NATS event plane | required | tcp 4222 | … | source |" (cells split on unescaped |).
  // The catalog table lives in "What the analysis models"; other tables (the Debian packages, the
  // commands) also start rows with a backticked word.
  const from = readme.indexOf('\n## What the analysis models\n');
  const section = readme.slice(from, readme.indexOf('\n## ', from + 1));
  const rows = section
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^\| `[a-z-]+` /.test(l))
    .map((l) =>
      l
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim().replace(/\\\|/g, '|')),
    );

  it('has one row per catalog entry, in catalog order', () => {
    assert.deepEqual(
      rows.map((r) => /^`([a-z-]+)`/.exec(r[0]!)![1]),
      catalog.map((e) => e.id),
    );
  });
  for (const entry of catalog) {
    it(`${entry.id}: its title, level and source`, () => {
      const row = rows.find((r) => r[0]!.startsWith(`\`${entry.id}\` `))!;
      assert.equal(row[0], `\`${entry.id}\` ${entry.title}`);
      assert.equal(row[1], entry.level);
      assert.equal(row[4], entry.source);
    });
  }
});
