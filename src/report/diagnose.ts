/** Human rendering of a Diagnosis. Renders only; every fact comes from the diagnosis. */
import { terminalSafe } from '../base/terminal.ts';
import { Chalk } from 'chalk';
import { paintStatus } from './placement.ts';
import { formatOrigin } from '../snapshot/types.ts';
import type { Diagnosis, Evidence } from '../questions/diagnose/types.ts';

const EVIDENCE_SHOWN = 8;
const LABEL = 10;

const where = (e: Evidence): string => formatOrigin({ file: e.file, path: e.path });

export function renderDiagnosis(input: Diagnosis, options: { color: boolean }): string {
  const d = terminalSafe(input);
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const out: string[] = [];
  const line = (label: string, text: string): void => {
    out.push(`   ${c.dim(label.padEnd(LABEL))}${text}`);
  };
  const more = (text: string): void => {
    out.push(`   ${' '.repeat(LABEL)}${text}`);
  };
  const cluster = d.cluster.name ? `cluster ${d.cluster.name}` : 'snapshot';
  out.push(c.bold(`dynamo-netcheck diagnose — ${cluster}, Dynamo ${d.dynamo.version} (${d.dynamo.source})`));
  out.push(
    c.dim(
      `read ${d.read.pods} pods (${d.read.podMessages} message lines), ${d.read.events} events, ${d.read.logLines} log lines, ${d.read.validatorTests} validator results`,
    ),
  );
  out.push('');
  const verdict = {
    'causes-found': c.red.bold('CAUSES FOUND'),
    'unexplained-symptoms': c.yellow.bold('UNEXPLAINED SYMPTOMS'),
    'no-problem-found': c.green.bold('NO PROBLEM FOUND'),
  }[d.verdict];
  const { symptoms, causes, unexplained } = d.summary;
  out.push(
    `${verdict} — ${causes} cause${causes === 1 ? '' : 's'} for ${symptoms} symptom${symptoms === 1 ? '' : 's'}; ${unexplained} unexplained`,
  );

  for (const cause of d.causes) {
    out.push('');
    const confidence = { confirmed: c.red, likely: c.yellow, possible: c.dim }[cause.confidence](
      `[${cause.confidence}]`,
    );
    out.push(`${c.bold(`${cause.rank}. ${cause.title}`)}  ${confidence}`);
    line('why', cause.explanation);
    line('static', cause.staticVerdict);
    line('affects', cause.subjects.join(', '));
    cause.flows.forEach((f, i) => {
      const text = `${paintStatus(c, f.status, f.status.toUpperCase())} ${f.title} tcp/${f.port}: ${f.from} → ${f.to}`;
      if (i === 0) line('flow', text);
      else more(text);
      if (f.status !== 'allowed') more(c.dim(`  ${f.reason}`));
    });
    cause.fixes.forEach((fix, i) => (i === 0 ? line('fix', c.cyan(fix.command)) : more(c.cyan(fix.command))));
    cause.advice.forEach((a, i) => (i === 0 ? line('advice', a) : more(a)));
    cause.evidence.slice(0, EVIDENCE_SHOWN).forEach((e, i) => {
      if (i === 0) line('evidence', where(e));
      else more(where(e));
      more(c.dim(`  ${e.text}`));
    });
    if (cause.evidence.length > EVIDENCE_SHOWN)
      more(c.dim(`… and ${cause.evidence.length - EVIDENCE_SHOWN} more (-o json lists all)`));
  }

  if (d.unexplained.length > 0) {
    out.push('');
    out.push(c.bold('Symptoms no known signature explains (not guessed at)'));
    for (const u of d.unexplained) {
      out.push(`  - ${u.subject}: ${u.text}`);
      out.push(c.dim(`    ${where(u.evidence)}`));
    }
  }
  if (d.notes.length > 0) {
    out.push('');
    for (const note of d.notes) out.push(c.dim(`note: ${note}`));
  }
  return out.join('\n').trimEnd() + '\n';
}
