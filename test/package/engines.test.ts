/**
 * The Node versions we promise (package.json `engines.node`, the README, the Docker image) are ones
 * every production dependency supports: our range must lie inside each dependency's own
 * `engines.node`. Dependencies are walked from package.json through package-lock.json as npm
 * resolves them (a nested node_modules first, then each folder above), and each one's engines are
 * read from its installed package.json (from the lock for an optional package not installed here,
 * such as another platform's esbuild binary).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import semver from 'semver';

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  engines?: { node?: string } | string[];
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  engines: { node: string };
  dependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, LockEntry> };
const OURS = pkg.engines.node;

/** Where npm put `name` for the package installed at `from` ('' for the root). */
function resolveIn(from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/node_modules/')))) {
    const path = `${dir === '' ? '' : `${dir}/`}node_modules/${name}`;
    if (lock.packages[path] !== undefined) return path;
    if (dir === '') return undefined;
  }
}

/** Every production dependency, transitively: lock path → its engines.node (undefined: none). */
function productionDependencies(): Map<string, string | undefined> {
  const found = new Map<string, string | undefined>();
  const queue: string[] = [''];
  while (queue.length > 0) {
    const from = queue.shift()!;
    const entry = lock.packages[from]!;
    const optional = new Set([
      ...Object.keys(entry.optionalDependencies ?? {}),
      ...Object.keys(entry.peerDependencies ?? {}),
    ]);
    const names =
      from === '' ? Object.keys(pkg.dependencies) : [...Object.keys(entry.dependencies ?? {}), ...optional];
    for (const name of names) {
      const path = resolveIn(from, name);
      if (path === undefined) {
        assert.ok(
          optional.has(name),
          `${from || 'package.json'} needs ${name}, which package-lock.json lacks`,
        );
        continue;
      }
      if (found.has(path)) continue;
      const installed = `${path}/package.json`;
      const engines = existsSync(installed)
        ? (JSON.parse(readFileSync(installed, 'utf8')) as LockEntry).engines
        : lock.packages[path]!.engines;
      found.set(path, Array.isArray(engines) ? undefined : engines?.node);
      queue.push(path);
    }
  }
  return found;
}

/**
 * Dependencies whose declared engines leave out part of our range, each with the evidence that it
 * runs there anyway: CI runs the oldest Node we claim, so these lines are tested on every run.
 */
const DECLARED_NEWER: Record<string, string> = {
  '@nats-io/nuid':
    'declares >= 22.x; it names NATS inboxes for the NATS client, which test/live/dial runs against a real nats-server on the CI Node (20.20)',
};

test('engines.node is a valid range that includes the Node this suite runs on (CI runs the oldest claimed)', () => {
  assert.ok(semver.validRange(OURS), OURS);
  assert.ok(semver.satisfies(process.version, OURS), `${process.version} outside ${OURS}`);
  assert.equal(semver.satisfies('20.18.0', OURS), false, 'require(esm) needs 20.19');
});

test("engines.node lies within every production dependency's own engines.node", () => {
  const deps = productionDependencies();
  assert.ok(deps.has('node_modules/@nats-io/nuid'), 'the walk reaches transitive dependencies');
  assert.ok(deps.size > 50, `${deps.size} dependencies`);
  const outside = [...deps]
    .filter(([, range]) => range !== undefined && !semver.subset(OURS, range))
    .filter(([path]) => !(path.replace(/^.*node_modules\//, '') in DECLARED_NEWER))
    .map(([path, range]) => `${path.replace(/^.*node_modules\//, '')} wants ${range}`);
  assert.deepEqual(outside, [], `our ${OURS} reaches outside`);
  // Each exception is still needed: drop it when the dependency stops declaring a newer Node.
  for (const name of Object.keys(DECLARED_NEWER)) {
    const range = deps.get(`node_modules/${name}`);
    assert.ok(range !== undefined && !semver.subset(OURS, range), `${name} no longer needs its exception`);
  }
});

test('the README and the Docker image name the Node versions engines.node allows', () => {
  const major = semver.minVersion(OURS)!.major;
  assert.match(
    readFileSync('README.md', 'utf8'),
    new RegExp(`^## Try it \\(fresh machine, Node ${major}\\+\\)$`, 'm'),
  );
  const images = [...readFileSync('Dockerfile', 'utf8').matchAll(/^FROM node:(\d+)\S*/gm)].map((m) =>
    Number(m[1]),
  );
  assert.ok(images.length > 0);
  for (const image of images) assert.ok(semver.satisfies(`${image}.0.0`, OURS), `Dockerfile: node:${image}`);
});
