// Builds a single executable of the CLI for machines without Node: Node's single executable
// applications (https://nodejs.org/api/single-executable-applications.html). One CommonJS bundle of
// the CLI and every package it uses (SEA runs a CommonJS script and `require`s built-in modules
// only), turned into a blob by this Node, injected into a copy of this Node's binary with postject.
// The executable runs on machines of the same OS and CPU as the Node that built it.
//
//   npm run build:sea                 # → sea/dynamo-netcheck
//   node scripts/build-sea.mjs DIR    # → DIR/dynamo-netcheck (the test builds into a temp dir)
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const outDir = resolve(process.argv[2] ?? join(root, 'sea'));
const executable = join(outDir, process.platform === 'win32' ? 'dynamo-netcheck.exe' : 'dynamo-netcheck');
const work = join(outDir, 'build');
// Node's fuse: the string postject flips so the binary looks for its blob (the Node docs' value).
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

function run(command, args) {
  const r = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    process.stderr.write(
      `build:sea: ${command} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`})\n`,
    );
    process.exit(1);
  }
}

let postject;
try {
  postject = createRequire(import.meta.url).resolve('postject/dist/cli.js');
} catch {
  process.stderr.write('build:sea: postject is not installed (a dev dependency): run npm ci first\n');
  process.exit(1);
}
const esbuild = await import('esbuild');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const bundle = join(work, 'dynamo-netcheck.cjs');
await esbuild.build({
  stdin: {
    contents: [
      "import { main } from './src/cli/main.ts';",
      // SEA's argv is [executable, executable, ...arguments].
      'main(process.argv.slice(2)).then((code) => { process.exitCode = code; });',
    ].join('\n'),
    resolveDir: root,
    loader: 'ts',
    sourcefile: 'sea-entry.ts',
  },
  outfile: bundle,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // Error classes are told apart by name in places; keep them.
  keepNames: true,
  // Optional native speed-ups of the WebSocket package the Kubernetes client uses: absent, it falls back.
  external: ['bufferutil', 'utf-8-validate'],
  logLevel: 'warning',
});

const config = join(work, 'sea-config.json');
const blob = join(work, 'sea-prep.blob');
writeFileSync(
  config,
  JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true, useCodeCache: false }),
);
run(process.execPath, ['--experimental-sea-config', config]);
copyFileSync(process.execPath, executable);
chmodSync(executable, 0o755);
run(process.execPath, [
  postject,
  executable,
  'NODE_SEA_BLOB',
  blob,
  '--sentinel-fuse',
  FUSE,
  ...(process.platform === 'darwin' ? ['--macho-segment-name', 'NODE_SEA'] : []),
]);
rmSync(work, { recursive: true, force: true });
process.stdout.write(`${executable}\n`);
