/**
 * What a user or a packager reads first: the license text package.json declares, and the README's
 * list of the Debian packages `.ci/run` installs.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

test('LICENSE is the Apache License 2.0 that package.json declares, word for word', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { license?: string };
  assert.equal(pkg.license, 'Apache-2.0');
  const text = readFileSync('LICENSE');
  assert.match(text.toString('utf8'), /^\s*Apache License\s+Version 2\.0, January 2004\s/);
  // https://www.apache.org/licenses/LICENSE-2.0.txt, byte for byte.
  assert.equal(
    createHash('sha256').update(text).digest('hex'),
    'cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30',
  );
});

test('the README names every Debian package .ci/run installs, each with what it is for', () => {
  const installed = [...readFileSync('.ci/run', 'utf8').matchAll(/need_apt\+=\(([a-z0-9.+-]+)\)/g)].map(
    (m) => m[1]!,
  );
  assert.ok(installed.length >= 10, `found ${installed.join(' ')}`);
  const readme = readFileSync('README.md', 'utf8');
  const rows = new Map(
    [...readme.matchAll(/^\| `([a-z0-9.+-]+)` +\| (.+?) +\|$/gm)].map((m) => [m[1]!, m[2]!] as const),
  );
  for (const name of installed) assert.ok((rows.get(name) ?? '').length > 20, `README: no row for ${name}`);
});
