/**
 * `monitor`'s usage errors end it at once with exit 2 and one line naming the flag; nothing is
 * served. (What happens once it runs: monitor.test.ts, monitor-faults.test.ts.)
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { runCliBatch } from '../helpers/cli-batch.ts';

describe('monitor usage errors', () => {
  it('exit 2 with a line naming what is wrong', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const ex = 'examples/healthy-shared-cluster-sg';
    const cases: [string[], RegExp][] = [
      [['monitor'], /a snapshot directory \(or --live\) is required/],
      [['monitor', 'no/such/dir'], /no\/such\/dir: no such snapshot directory/],
      [
        ['monitor', ex, '--interval', '5x'],
        /--interval 5x: expected a duration such as 200ms, 30s, 5m or 1h/,
      ],
      [['monitor', ex, '--interval', '0'], /--interval 0: expected a duration/],
      [['monitor', ex, '--listen', 'localhost:99999'], /--listen localhost:99999: expected \[host\]:port/],
      [
        ['monitor', ex, '--listen', `127.0.0.1:${port}`],
        new RegExp(`--listen: cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\)`),
      ],
      [['monitor', '--live'], /--cluster <name> is required/],
      [['monitor', ex, '--live', '--cluster', 'c'], /give either a snapshot directory or --live, not both/],
      [['monitor', ex, '--region', 'us-west-2'], /--live is needed for --region/],
      [['monitor', ex, '--dynamo-version', 'banana'], /--dynamo-version banana: expected a version/],
    ];
    const runs = runCliBatch(cases.map(([argv]) => argv));
    taken.close();
    for (const [i, [argv, message]] of cases.entries()) {
      assert.equal(runs[i]!.code, 2, `${argv.join(' ')}: ${runs[i]!.stderr}`);
      assert.match(runs[i]!.stderr, message, argv.join(' '));
      assert.equal(runs[i]!.stdout, '');
    }
  });
});
