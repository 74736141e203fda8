/** Human rendering of an UpgradeDiff. Renders only; every fact comes from the diff. */
import { terminalSafe } from '../base/terminal.ts';
import { Chalk } from 'chalk';
import type { FlowEnd } from '../analyze/types.ts';
import { columns, paintStatus } from './placement.ts';
import type { UpgradeDiff } from '../questions/diff.ts';

export function renderDiff(input: UpgradeDiff, options: { color: boolean }): string {
  const diff = terminalSafe(input);
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const out: string[] = [];
  const names = diff.securityGroupNames;
  const end = (e: FlowEnd): string =>
    `${e.nodeGroup}${e.kind === 'control-plane' ? '' : ` ${e.kind}`} [${e.securityGroups.map((g) => names[g] ?? g).join(', ') || 'no SGs'}]`;
  const cluster = diff.cluster.name ? `cluster ${diff.cluster.name}` : 'snapshot';
  out.push(c.bold(`dynamo-netcheck diff — ${cluster}: Dynamo ${diff.from.version} → ${diff.to.version}`));
  out.push(c.dim(`${diff.from.version}: ${diff.from.source}; ${diff.to.version}: ${diff.to.source}`));
  out.push('');
  const breaking = diff.flows.filter((d) => d.breaks).length;
  out.push(
    {
      breaks: `${c.red.bold('BREAKS')} — the upgrade blocks ${breaking} flow class${breaking === 1 ? '' : 'es'} on this cluster`,
      inconclusive: `${c.yellow.bold('INCONCLUSIVE')} — nothing new is blocked, but a new flow cannot be decided`,
      safe: `${c.green.bold('SAFE')} — the upgrade blocks no flow on this cluster`,
    }[diff.verdict],
  );
  out.push(
    c.dim(
      `${diff.from.version}: ${diff.from.verdict} (${diff.from.summary.blocked} blocked) → ${diff.to.version}: ${diff.to.verdict} (${diff.to.summary.blocked} blocked)`,
    ),
  );

  const { added, removed } = diff.requirements;
  if (added.length + removed.length > 0) {
    out.push('');
    out.push(c.bold('Requirements'));
    for (const r of added) out.push(`  ${c.green('+')} ${r.title} — ${r.why}`);
    for (const r of removed) out.push(`  ${c.red('-')} ${r.title} — no longer required`);
  }

  out.push('');
  if (diff.flows.length === 0) out.push('No flow appears, vanishes or changes.');
  else {
    const mark = { appears: '+', vanishes: '-', changes: '~' } as const;
    const rows = [['', 'FLOW', 'PORT', 'STATUS', 'FROM → TO'].map((h) => c.bold(h))];
    for (const d of diff.flows) {
      const status =
        d.change === 'changes'
          ? `${paintStatus(c, d.before!.status)} → ${paintStatus(c, d.after!.status)}`
          : d.change === 'appears'
            ? paintStatus(c, d.after!.status)
            : c.dim(`${d.before!.status}, no longer needed`);
      const port =
        d.change === 'changes' && d.before!.port !== d.after!.port
          ? `${d.before!.port} → ${d.after!.port}`
          : String((d.after ?? d.before)!.port);
      rows.push([
        `${mark[d.change]}${d.breaks ? '!' : ''}`,
        d.title,
        `tcp/${port}`,
        status,
        `${end(d.source)} → ${end(d.destination)}${d.sameNode ? c.dim(' (same node)') : ''}`,
      ]);
    }
    out.push(columns(rows));
    for (const d of diff.flows.filter((x) => x.breaks)) out.push(c.dim(`  ! ${d.title}: ${d.after!.reason}`));
  }
  if (diff.unchanged > 0)
    out.push(c.dim(`${diff.unchanged} flow class${diff.unchanged === 1 ? '' : 'es'} unchanged`));

  if (diff.fixes.length > 0) {
    out.push('');
    out.push(
      c.bold(
        `Fix before upgrading (${diff.fixes.length} rule${diff.fixes.length === 1 ? '' : 's'}, from the ${diff.to.version} analysis)`,
      ),
    );
    for (const fix of diff.fixes) out.push(`  ${fix.command}`);
  }
  if (diff.skipped.length > 0) {
    out.push('');
    for (const s of diff.skipped)
      out.push(c.dim(`note: on ${diff[s.side].version}, ${s.title} was not evaluated: ${s.why}`));
  }
  for (const w of diff.warnings) out.push(c.yellow(`warning: ${w}`));
  return out.join('\n').trimEnd() + '\n';
}
