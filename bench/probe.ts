/**
 * Benchmark: 40 emulated node groups probed at once, half of them behind an iptables DROP (a
 * security group without the rule). Each node group is a pair of network namespaces
 * (test/helpers/netns.ts); each runs the very script a busybox probe pod runs (plan.ts's ncScript)
 * and its output goes through the same parser. Prints a Markdown line for the README.
 *
 *   node --import tsx bench/probe.ts [--groups 40] [--timeout 2]     (root; apt: iproute2 iptables netcat-openbsd)
 */
import { parseArgs } from 'node:util';
import { ncScript, type ProbeTarget } from '../src/questions/probe/plan.ts';
import { parseNcLog, type LiveOutcome } from '../src/questions/probe/results.ts';
import { Lab, LAB_ADDRESS } from '../test/helpers/netns.ts';
import { requireBinaries, run } from '../test/helpers/processes.ts';

const { values } = parseArgs({
  options: { groups: { type: 'string', default: '40' }, timeout: { type: 'string', default: '2' } },
});
const groups = Number(values.groups);
const timeoutSeconds = Number(values.timeout);
const PORT = 4222;

function target(id: number, host: string, port: number): ProbeTarget {
  return { id: `t${id}`, requirement: 'nats', host, port, via: 'pod', name: host, expected: 'allowed' };
}

/** Open groups reach a listener and a REJECT; blocked groups meet DROP on three ports. */
function targetsFor(blocked: boolean): { targets: ProbeTarget[]; expect: LiveOutcome[] } {
  return blocked
    ? {
        targets: [4222, 9090, 2379].map((port, i) => target(i, LAB_ADDRESS.dropped, port)),
        expect: ['timed-out', 'timed-out', 'timed-out'],
      }
    : {
        targets: [target(0, LAB_ADDRESS.open, PORT), target(1, LAB_ADDRESS.rejected, PORT)],
        expect: ['connected', 'refused'],
      };
}

async function main(): Promise<void> {
  await requireBinaries({ nc: 'netcat-openbsd' });
  const labs: Lab[] = [];
  const closeAll = async (): Promise<void> => {
    await Promise.allSettled(labs.splice(0).map((lab) => lab.close()));
  };
  // Ctrl-C still removes every namespace the benchmark made.
  const onSignal = (): void => void closeAll().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const setupStart = performance.now();
    for (let i = 0; i < groups; i += 8) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(8, groups - i) }, (_, j) => Lab.create(`pb${i + j}`)),
      );
      labs.push(...batch);
    }
    await Promise.all(
      labs.map(async (lab, i) => {
        if (i % 2 === 1) return;
        lab.startInServer(`listener-${i}`, 'nc', ['-lk', LAB_ADDRESS.open, String(PORT)]);
        // Ready when the client namespace can connect.
        for (let tries = 0; ; tries++) {
          const probe = await lab.runInClient('nc', ['-z', '-w', '1', LAB_ADDRESS.open, String(PORT)]);
          if (probe.code === 0) break;
          if (tries > 50) throw new Error(`listener in group ${i} never came up`);
          await new Promise((r) => setTimeout(r, 50));
        }
      }),
    );
    process.stderr.write(
      `set up ${groups} node groups in ${((performance.now() - setupStart) / 1000).toFixed(1)} s\n`,
    );

    const start = performance.now();
    const outcomes = await Promise.all(
      labs.map(async (lab, i) => {
        const { targets, expect } = targetsFor(i % 2 === 1);
        const result = await lab.runInClient('sh', ['-c', ncScript(targets, timeoutSeconds)]);
        const parsed = parseNcLog(result.stdout);
        const got = targets.map((t) => parsed.get(t.id)?.outcome ?? 'no result');
        return { i, ok: got.every((g, k) => g === expect[k]), got, expect };
      }),
    );
    const wallSeconds = (performance.now() - start) / 1000;
    const wrong = outcomes.filter((o) => !o.ok);
    for (const o of wrong)
      process.stderr.write(`group ${o.i}: expected ${o.expect.join(',')}, got ${o.got.join(',')}\n`);
    const targetsTotal = outcomes.reduce((n, o) => n + o.got.length, 0);
    const ratio = wallSeconds / timeoutSeconds;
    const cpu = (await run('nproc', [])).stdout.trim();
    process.stdout.write(
      `| ${groups} node groups (${Math.floor(groups / 2)} behind DROP), ${targetsTotal} targets, nc -w ${timeoutSeconds} | ${wallSeconds.toFixed(2)} s | ${ratio.toFixed(2)}× one timeout (goal ≤ 1.5×) | ${wrong.length === 0 ? 'all classified right' : `${wrong.length} groups misclassified`} | ${cpu} cores |\n`,
    );
    process.exitCode = wrong.length === 0 && ratio <= 1.5 ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await closeAll();
  }
}

await main();
