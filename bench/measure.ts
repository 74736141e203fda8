/** Runs the CLI in this process (as bin/dynamo-netcheck does) and reports its peak RSS on stderr. */
import { main } from '../src/cli/main.ts';

const code = await main(process.argv.slice(2));
process.stderr.write(
  `${JSON.stringify({ exitCode: code, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
