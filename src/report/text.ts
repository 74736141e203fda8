/** Human report: a table of flows, the decision chain of every non-allowed flow, and the fix. Renders only. */
import { terminalSafe } from '../base/terminal.ts';
import { stripVTControlCharacters } from 'node:util';
import { Chalk, type ChalkInstance } from 'chalk';
import type { FlowEnd, FlowResult } from '../analyze/types.ts';
import type { AnalysisResult } from '../questions/analyze.ts';
import type { Status, TraceStep } from '../reachability/types.ts';
import { levelTitle } from './cells.ts';
import { fixCommands, indentLines } from './fix/aws-cli.ts';
import { fixPlan } from '../questions/fix/plan.ts';

export interface TextOptions {
  readonly color: boolean;
  /** Show the trace of allowed flows too. */
  readonly verbose?: boolean;
}

const stepLabels: Record<TraceStep['kind'], string> = {
  'resolve-source': 'source',
  'resolve-destination': 'target',
  'same-node': 'same node',
  'policy-egress': 'policy egress',
  'policy-ingress': 'policy ingress',
  'sg-egress': 'SG egress',
  'nacl-source-outbound': 'NACL out',
  'nacl-destination-inbound': 'NACL in',
  'sg-ingress': 'SG ingress',
  'nacl-destination-outbound-return': 'NACL reply out',
  'nacl-source-inbound-return': 'NACL reply in',
};

/** The colour of a status, shared by every table this tool prints. */
export function paint(c: ChalkInstance, status: Status | 'skipped', text: string): string {
  switch (status) {
    case 'allowed':
      return c.green(text);
    case 'blocked':
      return c.red.bold(text);
    case 'unknown':
      return c.yellow(text);
    case 'skipped':
      return c.dim(text);
  }
}

function describeEnd(end: FlowEnd, names: Record<string, string> = {}): string {
  const what =
    end.kind === 'pods'
      ? `${end.count} pod${end.count === 1 ? '' : 's'}`
      : end.kind === 'control-plane'
        ? `${end.count} subnet${end.count === 1 ? '' : 's'}`
        : end.kind === 'kubelet'
          ? `kubelet of ${end.count} node${end.count === 1 ? '' : 's'}`
          : `${end.count} node${end.count === 1 ? '' : 's'}`;
  return `${end.nodeGroup} (${what}) [${end.securityGroups.map((id) => names[id] ?? id).join(', ') || 'no SGs'}]`;
}

function table(rows: string[][], widths?: number[]): string {
  const plain = stripVTControlCharacters;
  const w = widths ?? rows[0]!.map((_, i) => Math.max(...rows.map((r) => plain(r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) =>
          i === r.length - 1 ? cell : cell + ' '.repeat(Math.max(0, w[i]! - plain(cell).length)),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function flowHeading(flow: FlowResult): string {
  return `${levelTitle(flow)} ${flow.protocol}/${flow.port}: ${describeEnd(flow.source)} → ${describeEnd(flow.destination)}`;
}

function renderTrace(c: ChalkInstance, flow: FlowResult): string[] {
  const lines: string[] = [];
  for (const line of flow.source.placement) lines.push(`      ${c.dim('from'.padEnd(15))}${line}`);
  if (flow.source.taints)
    lines.push(`      ${c.dim('from taints'.padEnd(15))}${flow.source.taints.join(', ')}`);
  for (const line of flow.destination.placement) lines.push(`      ${c.dim('to'.padEnd(15))}${line}`);
  if (flow.destination.taints)
    lines.push(`      ${c.dim('to taints'.padEnd(15))}${flow.destination.taints.join(', ')}`);
  for (const step of flow.steps) {
    lines.push(`      ${paint(c, step.status, stepLabels[step.kind].padEnd(15))}${step.summary}`);
    if (step.status === 'blocked' || step.status === 'unknown') {
      for (const fact of step.facts) {
        if (fact.kind === 'sg-rule' || fact.kind === 'nacl-entry') {
          if (fact.origin)
            lines.push(
              `      ${' '.repeat(15)}${c.dim(`${fact.text} — ${fact.origin.file}: ${fact.origin.path}`)}`,
            );
        }
      }
    }
  }
  if (flow.coLocationMasks) lines.push(`      ${c.yellow('masked'.padEnd(15))}${flow.coLocationMasks}`);
  if (flow.source.members.length > 1 || flow.source.count > 1) {
    lines.push(
      `      ${c.dim('members'.padEnd(15))}${flow.source.members.join(', ')}${flow.source.count > flow.source.members.length ? `, … (${flow.source.count})` : ''}`,
    );
  }
  if (flow.fixedBy.length > 0) lines.push(`      ${c.cyan('fix'.padEnd(15))}${flow.fixedBy.join(', ')}`);
  return lines;
}

export function renderText(input: AnalysisResult, options: TextOptions): string {
  const result = terminalSafe(input);
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const out: string[] = [];
  const cluster = result.cluster.name
    ? `cluster ${result.cluster.name}${result.cluster.vpcId ? ` (${result.cluster.vpcId})` : ''}`
    : 'snapshot';
  out.push(
    c.bold(`dynamo-netcheck analyze — ${cluster}, Dynamo ${result.dynamo.version} (${result.dynamo.source})`),
  );
  out.push('');
  const verdictText = {
    pass: c.green.bold('PASS'),
    fail: c.red.bold('FAIL'),
    unknown: c.yellow.bold('UNKNOWN'),
  }[result.verdict];
  const { allowed, blocked, unknown, recommended } = result.summary;
  out.push(
    `Verdict: ${verdictText} — ${blocked} blocked, ${unknown} unknown, ${allowed} allowed flow class${allowed + blocked + unknown === 1 ? '' : 'es'}${result.skipped.length > 0 ? `; ${result.skipped.length} requirement${result.skipped.length === 1 ? '' : 's'} not evaluated` : ''}${recommended ? `; recommended, not counted: ${recommended.blocked} blocked, ${recommended.unknown} unknown, ${recommended.allowed} allowed` : ''}`,
  );
  out.push('');

  if (result.flows.length > 0) {
    const rows = [['STATUS', 'REQUIREMENT', 'PORT', 'FROM', 'TO'].map((h) => c.bold(h))];
    for (const flow of result.flows) {
      rows.push([
        paint(c, flow.status, flow.status.toUpperCase() + (flow.coLocationMasks ? '*' : '')),
        levelTitle(flow),
        `${flow.protocol}/${flow.port}`,
        describeEnd(flow.source, result.securityGroupNames),
        describeEnd(flow.destination, result.securityGroupNames) +
          (flow.steps.some((s) => s.kind === 'same-node') ? c.dim(' (same node)') : ''),
      ]);
    }
    out.push(table(rows));
    if (result.flows.some((f) => f.coLocationMasks))
      out.push(c.yellow('* allowed only through same-node co-location; see below'));
    out.push('');
  }

  const explained = result.flows.filter(
    (f) => options.verbose || f.status !== 'allowed' || f.coLocationMasks,
  );
  if (explained.length > 0) {
    out.push(c.bold('Why'));
    for (const flow of explained) {
      const mark = { allowed: c.green('✓'), blocked: c.red('✗'), unknown: c.yellow('?') }[flow.status];
      out.push(`  ${mark} ${flowHeading(flow)}`);
      out.push(...renderTrace(c, flow));
    }
    out.push('');
  }

  if (result.skipped.length > 0) {
    out.push(c.bold('Not evaluated'));
    for (const s of result.skipped) out.push(`  - ${levelTitle(s)}: ${s.why}`);
    out.push('');
  }

  const fixes = [...result.remediation, ...result.naclRemediation, ...result.policyRemediation];
  if (fixes.length > 0) {
    // The commands `fix` writes (aws-cli), description and tags included: one emitter, two readers.
    const commands = new Map(fixCommands(fixPlan(result)).map((f) => [f.id, f]));
    out.push(
      c.bold(
        `Fix (${fixes.length} rule${fixes.length === 1 ? '' : 's'}, narrowest that unblock every blocked flow)`,
      ),
    );
    for (const fix of fixes) {
      out.push(
        c.dim(
          `  # ${fix.id}: ${fix.description} — unblocks ${fix.unblocks.length} flow class${fix.unblocks.length === 1 ? '' : 'es'}`,
        ),
      );
      if ('quotaWarning' in fix && fix.quotaWarning) out.push(c.yellow(`  # warning: ${fix.quotaWarning}`));
      if ('documented' in fix)
        for (const d of fix.documented ?? []) out.push(c.dim(`  # narrowest range that works; ${d}`));
      const written = commands.get(fix.id)!;
      out.push(written.heredoc ? `  ${written.command}` : indentLines(written.command, '  '));
    }
    out.push('');
  }

  const footnotes = [
    ...result.warnings.map((w) => c.yellow(`warning: ${w}`)),
    ...result.notes.map((n) => c.dim(`note: ${n}`)),
  ];
  if (footnotes.length > 0) out.push(...footnotes);
  return out.join('\n').trimEnd() + '\n';
}
