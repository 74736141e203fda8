// Runs the CLI in this process exactly as bin/dynamo-netcheck does and reports its peak RSS on stderr.
import process from 'node:process';
import { loadMain } from '../bin/entry.mjs';

const main = await loadMain();
const code = await main(process.argv.slice(2));
process.stderr.write(
  `${JSON.stringify({ exitCode: code, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
