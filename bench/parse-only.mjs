// The physical limit: read every input file once and JSON.parse it, nothing else. Plain Node (no
// tsx), so the comparison charges the tool for everything it does beyond that.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

const walk = (d) =>
  readdirSync(d).flatMap((f) => {
    const p = join(d, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
const docs = walk(process.argv[2])
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(f, 'utf8')));
process.stderr.write(
  `${JSON.stringify({ documents: docs.length, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
