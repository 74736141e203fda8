// A fingerprint of everything under src/: relative paths and contents, hashed. The build records
// it next to the bundle; bin/entry.mjs runs the bundle only while the sources still match it
// exactly. Contents, not mtimes: an edit, a deleted or added file, a `cp -p` of older sources or
// a clock that skews all change it, and a fresh clone's checkout times do not.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { URL } from 'node:url';

export const STAMP = 'dist/.source-fingerprint';

function addTree(hash, dir, prefix) {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const entry of entries) {
    const name = prefix + entry.name;
    if (entry.isDirectory()) {
      addTree(hash, new URL(`${entry.name}/`, dir), `${name}/`);
    } else {
      hash.update(`${name}\0`);
      hash.update(readFileSync(new URL(entry.name, dir)));
      hash.update('\0');
    }
  }
}

/** @param {URL} root the package root, ending in `/` */
export function sourceFingerprint(root) {
  const hash = createHash('sha256');
  addTree(hash, new URL('src/', root), '');
  return hash.digest('hex');
}
