// Bundles the CLI into dist/ (our code only; packages stay in node_modules) so it starts without
// compiling TypeScript on every run. `npm ci` runs this through the `prepare` script; bin/entry.mjs
// uses the bundle only while it is newer than every file under src/.
import { rmSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';

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
rmSync(new URL('../dist/', import.meta.url), { recursive: true, force: true });
await esbuild.build({
  entryPoints: [new URL('../src/cli/main.ts', import.meta.url).pathname],
  outdir: new URL('../dist/', import.meta.url).pathname,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // Error classes are told apart by name in places; keep them.
  keepNames: true,
  sourcemap: 'linked',
  logLevel: 'warning',
});
