/** Human rendering of a PlacementReport. Renders only; every fact comes from the report. */
import { terminalSafe } from '../base/terminal.ts';
import { stripVTControlCharacters } from 'node:util';
import { Chalk, type ChalkInstance } from 'chalk';
import type { Status } from '../reachability/types.ts';
import { paint } from './text.ts';
import type { PlacementReport } from '../questions/placement.ts';

/** Aligned columns; the last column is never padded. Shared by the explain commands. */
export function columns(rows: readonly (readonly string[])[]): string {
  const width = (cell: string): number => stripVTControlCharacters(cell).length;
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => width(r[i] ?? '')))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) =>
          i === r.length - 1 ? cell : cell + ' '.repeat(Math.max(0, widths[i]! - width(cell))),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function paintStatus(
  c: ChalkInstance,
  status: Status | undefined,
  text = status ?? 'not analysed',
): string {
  return paint(c, status ?? 'skipped', text);
}

export function sgList(ids: readonly string[], names: Readonly<Record<string, string>>): string {
  return ids.map((id) => (names[id] ? `${id} (${names[id]})` : id)).join(', ') || 'no SGs';
}

const shortSgs = (ids: readonly string[], names: Readonly<Record<string, string>>): string =>
  ids.map((id) => names[id] ?? id).join(', ') || '?';

export function renderPlacement(input: PlacementReport, options: { color: boolean }): string {
  const report = terminalSafe(input);
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const names = report.securityGroupNames;
  const out: string[] = [];
  const where = report.cluster.name ? `cluster ${report.cluster.name}` : 'snapshot';
  out.push(c.bold(`dynamo-netcheck placement — ${report.pod.source} on ${where}`));
  const requests = Object.entries(report.pod.requests)
    .map(([r, v]) => `${r} ${v}`)
    .join(', ');
  out.push(`Pod ${report.pod.namespace}/${report.pod.name} requests ${requests || 'nothing'}`);
  out.push('');

  const feasible = report.nodes.filter((n) => n.role !== 'infeasible');
  if (report.verdict === 'unschedulable') {
    out.push(`${c.red.bold('UNSCHEDULABLE')} — ${report.unschedulable}`);
  } else {
    out.push(
      `Schedulable on ${feasible.length} of ${report.nodes.length} node${report.nodes.length === 1 ? '' : 's'}: ` +
        `${report.preferred.length} preferred, ${report.fallback.length} fallback`,
    );
    out.push('');
    const rows = [['NODE', 'NODE GROUP', 'POD SGs', 'SCORE', 'ROLE'].map((h) => c.bold(h))];
    const why: string[][] = [];
    for (const node of feasible) {
      rows.push([
        node.node,
        node.nodeGroup,
        shortSgs(node.securityGroups, names),
        String(node.score?.total ?? ''),
        node.role === 'preferred' ? c.green(node.role) : c.yellow(node.role),
      ]);
      why.push(node.score?.why ?? []);
    }
    const table = columns(rows).split('\n');
    out.push(table[0]!);
    table.slice(1).forEach((line, i) => {
      out.push(line);
      for (const reason of why[i]!) out.push(c.dim(`    ${reason}`));
    });
  }

  const infeasible = report.nodes.filter((n) => n.role === 'infeasible');
  if (infeasible.length > 0) {
    out.push('');
    out.push(c.bold(`Cannot land on (${infeasible.length})`));
    for (const node of infeasible) {
      out.push(`  ${node.node} (${node.nodeGroup})`);
      for (const f of node.failures)
        out.push(`    ${c.red(f.filter)}: ${f.reason}${f.detail ? c.dim(` — ${f.detail}`) : ''}`);
    }
  }

  if (report.sourceClasses.length > 0) {
    out.push('');
    out.push(c.bold('Source classes it can dial from (node group × pod security groups)'));
    for (const cls of report.sourceClasses) {
      const nodes = `${cls.nodes.length} node${cls.nodes.length === 1 ? '' : 's'}${cls.preferred.length > 0 ? `, preferred: ${cls.preferred.join(', ')}` : ''}`;
      const verdict = cls.prometheus
        ? `  tcp/9090 → Prometheus: ${paintStatus(c, cls.prometheus.status, (cls.prometheus.status ?? 'not analysed').toUpperCase())}`
        : '';
      out.push(`  ${cls.nodeGroup} [${sgList(cls.securityGroups, names)}] — ${nodes}${verdict}`);
      if (cls.unresolved) out.push(c.yellow(`    pod SGs unknown: ${cls.unresolved}`));
      for (const flow of cls.prometheus?.flows ?? []) {
        if (flow.status !== 'allowed' || flow.coLocationMasks)
          out.push(
            c.dim(`    ${flow.status} to ${flow.destination}: ${flow.coLocationMasks ?? flow.reason}`),
          );
      }
      for (const fix of cls.prometheus?.fixes ?? []) out.push(`    ${c.cyan('fix')} ${fix.command}`);
    }
  }

  if (report.mustReachPrometheus && report.mustReachPrometheus.length > 0) {
    out.push('');
    out.push(
      c.bold(
        'Security-group sets that must reach Prometheus on tcp/9090 (the orchestrator may run on any node above, or on one that is full right now)',
      ),
    );
    for (const set of report.mustReachPrometheus) {
      out.push(
        `  ${sgList(set.securityGroups, names)} — ${set.nodeGroups.join(', ')}: ${paintStatus(c, set.status)}${set.laterOnly ? ' (its nodes are full right now; the next run may land there)' : ''}`,
      );
    }
  }

  if (report.caveats.length > 0) {
    out.push('');
    for (const caveat of report.caveats) out.push(c.dim(`note: ${caveat}`));
  }
  return out.join('\n').trimEnd() + '\n';
}
