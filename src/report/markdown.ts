/**
 * A compact summary for pull-request comments and tickets: the verdict, a table of the flows that
 * are not plainly allowed, and the fix commands in one fenced block to paste into a shell.
 */
import { terminalSafe } from '../base/terminal.ts';
import type { FlowResult } from '../analyze/types.ts';
import type { AnalysisResult } from '../questions/analyze.ts';
import { describeEnd, fixesById, levelTitle } from './cells.ts';
import { fixCommands } from './fix/aws-cli.ts';
import { fixPlan } from '../questions/fix/plan.ts';

/** Names come from the cluster: keep them from opening tables, links, emphasis or HTML. */
export function mdText(value: string): string {
  return value
    .replace(/\r?\n|\r/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|~])/g, '\\$1');
}

/** A fence longer than any backtick run inside, so no content can close it early. */
export function fence(body: string, info = ''): string {
  const longest = Math.max(0, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const marks = '`'.repeat(Math.max(3, longest + 1));
  return `${marks}${info}\n${body}\n${marks}`;
}

const mark = { pass: '✅ PASS', fail: '❌ FAIL', unknown: '⚠️ UNKNOWN' } as const;
const statusMark = (f: FlowResult): string =>
  f.status === 'blocked'
    ? '❌ blocked'
    : f.status === 'unknown'
      ? '⚠️ unknown'
      : '⚠️ allowed only on the same node';

export function renderMarkdown(input: AnalysisResult): string {
  const result = terminalSafe(input);
  const out: string[] = [];
  const where = result.cluster.name ? ` — cluster ${mdText(result.cluster.name)}` : '';
  out.push(`### dynamo-netcheck: ${mark[result.verdict]}${where}`, '');
  const { allowed, blocked, unknown, recommended } = result.summary;
  out.push(
    `Dynamo ${mdText(result.dynamo.version)} · **${blocked} blocked**, ${unknown} unknown, ${allowed} allowed flow class${allowed + blocked + unknown === 1 ? '' : 'es'}${recommended ? ` · recommended, not counted: ${recommended.blocked} blocked, ${recommended.unknown} unknown, ${recommended.allowed} allowed` : ''}`,
    '',
  );

  const shown = result.flows.filter((f) => f.status !== 'allowed' || f.coLocationMasks);
  if (shown.length > 0) {
    out.push('| Status | Requirement | Port | From | To | Why | Fix |', '|---|---|---|---|---|---|---|');
    for (const f of shown) {
      const why = f.status === 'allowed' ? (f.coLocationMasks ?? '') : f.reason;
      out.push(
        `| ${[
          statusMark(f),
          mdText(levelTitle(f)),
          `${f.protocol}/${f.port}`,
          mdText(describeEnd(result, f.source)),
          mdText(describeEnd(result, f.destination)),
          mdText(why),
          mdText(f.fixedBy.join(', ')) || '—',
        ].join(' | ')} |`,
      );
    }
    out.push('');
  }

  const fixes = [...fixesById(result).values()];
  if (fixes.length > 0) {
    // The commands `fix` writes (aws-cli), description and tags included.
    const commands = new Map(fixCommands(fixPlan(result)).map((f) => [f.id, f]));
    out.push(
      `**Fix** (${fixes.length} rule${fixes.length === 1 ? '' : 's'}, the narrowest that unblock every blocked flow):`,
      '',
      fence(
        fixes
          .map(
            (f) =>
              `# ${f.id}: ${f.description.replace(/\s+/g, ' ')} — unblocks ${f.unblocks.length}\n${commands.get(f.id)!.command}`,
          )
          .join('\n'),
        'sh',
      ),
      '',
    );
  }

  const more = [
    ...result.skipped.map((s) => `- Not evaluated: ${mdText(levelTitle(s))} — ${mdText(s.why)}`),
    ...result.warnings.map((w) => `- Warning: ${mdText(w)}`),
  ];
  if (more.length > 0) out.push(...more, '');
  out.push(`<sub>${mdText(result.tool.name)} ${mdText(result.tool.version)}</sub>`);
  return `${out.join('\n')}\n`;
}
