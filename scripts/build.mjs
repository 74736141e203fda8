// Bundles the CLI and the library face into dist/ so it starts without compiling TypeScript on every
// run. The small pure-JS packages every command loads (commander, zod, yaml, semver, chalk, …) are
// bundled too: Node resolving and loading their hundreds of files one by one cost ~0.15 s of each
// start. The large ones only some commands load (the AWS SDK, client-node, NATS, prom-client) stay
// in node_modules and are imported when a command needs them. `npm ci` runs this through the `prepare` script; bin/entry.mjs
// uses the bundle only while the sources match the fingerprint written here.
import { rmSync, writeFileSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';
import { sourceFingerprint, STAMP } from '../bin/source-fingerprint.mjs';

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  // Installed without dev dependencies: the CLI still runs, from the sources through tsx.
  process.stderr.write(
    'dynamo-netcheck: esbuild not installed, no bundle built (the CLI runs through tsx)\n',
  );
  process.exit(0);
}
const root = new URL('../', import.meta.url);
// Taken before bundling: a source edited during the build then mismatches, and tsx runs it.
const fingerprint = sourceFingerprint(root);
rmSync(new URL('dist/', root), { recursive: true, force: true });
await esbuild.build({
  // main: the CLI; index: the library face (package.json `exports`).
  entryPoints: {
    main: new URL('../src/cli/main.ts', import.meta.url).pathname,
    index: new URL('../src/index.ts', import.meta.url).pathname,
  },
  outdir: new URL('../dist/', import.meta.url).pathname,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: [
    '@aws-sdk/*',
    '@kubernetes/client-node',
    '@nats-io/*',
    'prom-client',
    // Optional native speed-ups of the WebSocket package the Kubernetes client uses.
    'bufferutil',
    'utf-8-validate',
  ],
  // Bundled CommonJS packages may require Node's built-in modules: give the ESM bundle a require.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  // Error classes are told apart by name in places; keep them.
  keepNames: true,
  sourcemap: 'linked',
  logLevel: 'warning',
});
writeFileSync(new URL(STAMP, root), `${fingerprint}\n`);
