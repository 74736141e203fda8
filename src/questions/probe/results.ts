/** Reading a probe's log, pure: nc's result lines or `dial -o json`, keyed by target id. */
import { classifyNc, type LiveOutcome, type LiveResult } from './outcome.ts';
import { dialUrl, RESULT_PREFIX, type ProbeTarget } from './plan.ts';

export { classifyNc, type LiveOutcome, type LiveResult } from './outcome.ts';

export function parseNcLog(log: string): Map<string, LiveResult> {
  const results = new Map<string, LiveResult>();
  for (const line of log.split('\n')) {
    const match = new RegExp(`^${RESULT_PREFIX} (t\\d+) (ok|fail) ?(.*)$`).exec(line.trim());
    if (!match) continue;
    const ok = match[2] === 'ok';
    const message = match[3]!.trim();
    const outcome = classifyNc(ok, message);
    results.set(match[1]!, { outcome, passed: ok, message: message || (ok ? 'open' : 'no answer') });
  }
  return results;
}

interface DialJson {
  targets: Array<{
    target: string;
    passed: boolean;
    checks: Array<{ name: string; status: string; outcome: string; message: string }>;
  }>;
}

const DIAL_OUTCOMES: readonly string[] = ['connected', 'timed-out', 'refused', 'dns-failure', 'no-route'];

/** `dial -o json` → results by target id; the TCP check gives the outcome, a later failing check the message. */
export function parseDialLog(log: string, targets: readonly ProbeTarget[]): Map<string, LiveResult> {
  const start = log.indexOf('{');
  const results = new Map<string, LiveResult>();
  if (start < 0) return results;
  let parsed: DialJson;
  try {
    parsed = JSON.parse(log.slice(start)) as DialJson;
  } catch {
    return results;
  }
  const byUrl = new Map(parsed.targets?.map((t) => [t.target, t]) ?? []);
  for (const target of targets) {
    const report = byUrl.get(dialUrl(target));
    if (!report) continue;
    const tcp = report.checks.find((c) => c.name === 'tcp');
    const failing = report.checks.find((c) => c.status !== 'pass');
    const tcpOutcome = tcp && DIAL_OUTCOMES.includes(tcp.outcome) ? (tcp.outcome as LiveOutcome) : 'failed';
    results.set(target.id, {
      outcome: tcpOutcome === 'connected' && failing ? 'failed' : tcpOutcome,
      passed: report.passed,
      message: (failing ?? tcp)?.message ?? '',
    });
  }
  return results;
}
