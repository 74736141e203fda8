// `npm run mutate` and `npm run mutate:ci` (docs/mutation-testing.md): runs Stryker with a config
// file and any further Stryker arguments, keeps its clear-text report next to the JSON one
// (reports/mutation/…/mutation.txt) and ends with the figures per folder of src.
//   node scripts/mutation/run.mjs <config> [stryker arguments…]
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import { folderTable, readReport } from './summary.mjs';

const [configFile, ...args] = process.argv.slice(2);
if (!configFile) {
  process.stderr.write('usage: node scripts/mutation/run.mjs <stryker config> [stryker arguments…]\n');
  process.exit(2);
}
const config = (await import(pathToFileURL(resolve(configFile)).href)).default;
const jsonFile = config.jsonReporter.fileName;
const textFile = jsonFile.replace(/\.json$/, '.txt');
mkdirSync(dirname(jsonFile), { recursive: true });

const require = createRequire(import.meta.url);
const core = dirname(require.resolve('@stryker-mutator/core/package.json'));
const stryker = join(core, require('@stryker-mutator/core/package.json').bin.stryker);

const text = createWriteStream(textFile);
const started = Date.now();
const child = spawn(process.execPath, [stryker, 'run', configFile, ...args], {
  stdio: ['inherit', 'pipe', 'pipe'],
});
child.stdout.on('data', (chunk) => (process.stdout.write(chunk), text.write(chunk)));
child.stderr.on('data', (chunk) => (process.stderr.write(chunk), text.write(chunk)));
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
const code = await new Promise((done) => child.on('close', (status) => done(status ?? 1)));

const minutes = ((Date.now() - started) / 60000).toFixed(1);
let summary = `\nwall time: ${minutes} min (exit code ${code})\n`;
try {
  summary += `\n${folderTable(readReport(jsonFile))}\n`;
} catch {
  summary += `no JSON report at ${jsonFile}\n`;
}
process.stdout.write(summary);
text.end(summary);
process.exitCode = code;
