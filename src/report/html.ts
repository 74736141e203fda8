/**
 * One self-contained HTML file: a summary banner with the verdict and the fix for the most common
 * failure (with how many of the blocked flow classes it fixes), a topology picture of the node
 * groups and the flows between them, a matrix of requirements × source classes, and per cell the
 * decision chain and the fix with a copy button; the worst cell's chain is open on load, and
 * printing shows every chain. Inline CSS and JS only; a Content-Security-Policy forbids any network fetch.
 * Every value from the result goes through `html`, which escapes it.
 */
import type { FlowEnd, FlowResult } from '../analyze/types.ts';
import type { AnalysisResult } from '../questions/analyze.ts';
import type { Status, TraceStep } from '../reachability/types.ts';
import type { Requirement } from '../requirements/resolve.ts';
import {
  levelTitle,
  buildMatrix,
  describeEnd,
  factLine,
  fixesById,
  groupNames,
  headlineFix,
  portText,
  stepName,
  type Cell,
  type Fix,
  type Matrix,
} from './cells.ts';
import { coverage } from './html/coverage.ts';
import { html, trusted, type Markup } from './html/markup.ts';
import { script } from './html/script.ts';
import { style } from './html/style.ts';
import { topology } from './html/topology.ts';
import { glossary, plainWords } from './html/words.ts';
import type { RunTiming } from './types.ts';

const statusWord: Record<Status | 'skipped', string> = {
  allowed: '✓ ALLOWED',
  blocked: '✗ BLOCKED',
  unknown: '? UNKNOWN',
  skipped: '– NOT APPLICABLE',
};

const verdictWord = { pass: 'PASS', fail: 'FAIL', unknown: 'UNKNOWN' } as const;

/** Copy targets need ids; they are counters, never data. */
class Ids {
  private n = 0;
  next(prefix: string): string {
    this.n += 1;
    return `${prefix}-${this.n}`;
  }
}

function targetText(requirement: Requirement): string {
  const to = requirement.to;
  return to.kind === 'service'
    ? `${to.service}.${to.namespace}`
    : to.kind === 'probed-pods'
      ? 'probed pods with their own SGs'
      : `Dynamo ${to.role} pods`;
}

/** SG ids in a line of text, followed by their names, so people need not look them up. */
function withNames(result: AnalysisResult, text: string): string {
  return text.replace(/\bsg-[0-9a-f]+\b/g, (id) => {
    const name = result.securityGroupNames[id];
    return name ? `${id} (${name})` : id;
  });
}

function command(ids: Ids, text: string, label = 'Copy'): Markup {
  const id = ids.next('cmd');
  return html`<div class="cmd">
    <pre><code id="${id}">${text}</code></pre>
    <button type="button" class="copy" data-copy="${id}" data-label="${label}">${label}</button>
  </div>`;
}

function fixBlock(ids: Ids, fix: Fix): Markup {
  const n = fix.unblocks.length;
  return html`<p class="fix-what">
      <strong>${fix.id}</strong>: ${fix.description} — unblocks ${n} flow class${n === 1 ? '' : 'es'}
    </p>
    ${command(ids, fix.command)}`;
}

function members(end: FlowEnd): string {
  const more = end.count > end.members.length ? `, … (${end.count} in all)` : '';
  return `${end.members.join(', ')}${more}`;
}

function hop(result: AnalysisResult, step: TraceStep): Markup {
  return html`<li class="${step.status}">
    <div class="hop-head">
      <span class="badge ${step.status}">${step.status}</span
      ><span class="hop-kind">${stepName(step.kind)}</span
      ><span class="hop-at mono">${withNames(result, step.at)}</span>
    </div>
    <p class="hop-summary">${withNames(result, step.summary)}</p>
    ${
      step.facts.length > 0
        ? html`<ul class="facts">
            ${step.facts.map((f) => html`<li>${factLine(f)}</li>`)}
          </ul>`
        : ''
    }
  </li>`;
}

function endHop(result: AnalysisResult, role: 'from' | 'to', end: FlowEnd): Markup {
  const what =
    end.kind === 'pods'
      ? 'pods'
      : end.kind === 'control-plane'
        ? 'the API server, from its ENIs in these subnets'
        : end.kind === 'kubelet'
          ? 'the kubelet, from these nodes’ primary ENIs'
          : 'pods that can land on these nodes';
  return html`<li class="end">
    <div class="hop-head">
      <span class="hop-kind">${role === 'from' ? 'Source' : 'Destination'}</span
      ><span
        >${end.nodeGroup} — ${what}
        [${groupNames(result, end.securityGroups)}]${end.subnetId ? html` in <span class="mono">${end.subnetId}</span>` : ''}</span
      >
    </div>
    ${end.placement.map((p) => html`<p class="hop-summary mono">${withNames(result, p)}</p>`)}
    ${end.taints ? html`<p class="hop-summary taints">node taints: <span class="mono">${end.taints.join(', ')}</span></p>` : ''}
    <p class="members">
      ${end.kind === 'pods' ? 'pods' : end.kind === 'control-plane' ? 'subnets' : 'nodes'}: ${members(end)}
    </p>
  </li>`;
}

function flowSection(result: AnalysisResult, flow: FlowResult): Markup {
  return html`<section class="flow">
    <h4>
      <span class="badge ${flow.status}">${flow.status}</span> to ${describeEnd(result, flow.destination)}
    </h4>
    <p class="reason">${withNames(result, flow.reason)}</p>
    ${flow.coLocationMasks ? html`<p class="masked-note">Allowed only through same-node co-location: ${flow.coLocationMasks}</p>` : ''}
    <ol class="chain">
      ${endHop(result, 'from', flow.source)} ${flow.steps.map((s) => hop(result, s))}
      ${endHop(result, 'to', flow.destination)}
    </ol>
  </section>`;
}

function cellDetail(result: AnalysisResult, ids: Ids, cell: Cell, id: string): Markup {
  const r = cell.requirement;
  return html`<article
    class="detail"
    id="${id}"
    tabindex="-1"
    data-status="${cell.status}"
    aria-labelledby="${id}-title"
  >
    <h3 id="${id}-title">
      <span class="badge ${cell.status}">${statusWord[cell.status]}</span> ${levelTitle(r)}
      <span class="mono">${portText(r.protocol, r.ports)}</span>
    </h3>
    <p>from <strong>${cell.source.label}</strong> to ${targetText(r)}</p>
    ${
      cell.fixes.length > 0
        ? html`<section class="fixes">
            <h4>Fix</h4>
            ${cell.fixes.map((f) => fixBlock(ids, f))}
          </section>`
        : cell.status === 'unknown'
          ? html`<p class="hint">
              Undecided: the snapshot lacks a fact this flow needs (named in the chain below). Capture it and
              run again; no rule is proposed for a flow that may already be allowed.
            </p>`
          : cell.status === 'blocked'
            ? html`<p class="hint">No rule can be synthesised for this flow; see the warnings below.</p>`
            : ''
    }
    <h4>Decision chain</h4>
    ${cell.flows.map((f) => flowSection(result, f))}
    <details>
      <summary>Why this flow is required</summary>
      <p>${r.why}</p>
      ${
        r.decidedBy.length > 0
          ? html`<p>Required here because:</p>
              <ul class="facts">
                ${r.decidedBy.map((d) => html`<li>${plainWords(d)}</li>`)}
              </ul>`
          : ''
      }
      <p>Symptom when dropped: ${r.symptom}</p>
      <p>Source: ${r.source}</p>
    </details>
  </article>`;
}

/** The plane words the flow names use, in plain words. */
function planes(result: AnalysisResult): Markup | '' {
  const words = glossary([
    ...result.requirements.map((r) => r.title),
    ...result.notApplicable.map((n) => n.title),
    ...result.skipped.map((s) => s.title),
  ]);
  return words.length > 0
    ? html`<dl class="glossary" id="glossary">
        ${words.map(
          ({ term, meaning }) =>
            html`<div>
              <dt>${term}</dt>
              <dd>${meaning}</dd>
            </div>`,
        )}
      </dl>`
    : '';
}

function matrixCell(cell: Cell | undefined, id: string | undefined): Markup {
  if (!cell || !id)
    return html`<td class="cell none" data-status="none">
      <span title="not a source of this flow">—</span>
    </td>`;
  const bad = cell.flows.filter((f) => f.status !== 'allowed').length;
  const n = cell.flows.length;
  const sub = [
    n > 1 ? (bad > 0 ? `${bad} of ${n} destination classes` : `all ${n} destination classes`) : '',
    cell.fixes.length > 0 ? `fix ${cell.fixes.map((f) => f.id).join(', ')}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return html`<td
    class="cell ${cell.status}${cell.masked ? ' masked' : ''}"
    data-status="${cell.status}"
    data-requirement="${cell.requirement.id}"
    data-source="${cell.source.label}"
  >
    <a href="#${id}" data-cell="${id}" aria-controls="detail-pane">
      <span class="state">${statusWord[cell.status]}${cell.masked ? '*' : ''}</span
      >${sub ? html`<span class="sub">${sub}</span>` : ''}</a
    >
  </td>`;
}

/**
 * Requirements down, source classes across: the long flow names read as row heads, and the
 * columns stay narrow (a node group and its security groups).
 */
function matrixTable(result: AnalysisResult, matrix: Matrix, ids: Map<Cell, string>): Markup {
  const at = (req: Requirement, key: string): Cell | undefined =>
    matrix.cells.find((c) => c.requirement.id === req.id && c.source.key === key);
  return html`<table class="matrix" id="matrix" aria-describedby="matrix-legend">
    <thead>
      <tr>
        <th scope="col" class="corner">Flow ↓ · from →</th>
        ${matrix.rows.map(
          (row) =>
            html`<th scope="col" data-source="${row.label}">
              ${row.end.nodeGroup} ${row.end.kind}<span class="sub"
                >${groupNames(result, row.end.securityGroups)}${row.bySubnet ? ` · ${row.end.subnetId ?? 'no subnet'}` : ''}</span
              >
            </th>`,
        )}
      </tr>
    </thead>
    <tbody>
      ${matrix.columns.map(
        (r) =>
          html`<tr data-requirement="${r.id}" class="${r.level}">
            <th scope="row">
              ${levelTitle(r)}<span class="sub"
                ><span class="mono">${portText(r.protocol, r.ports)}</span> → ${targetText(r)}</span
              >
            </th>
            ${matrix.rows.map((row) => {
              const cell = at(r, row.key);
              return matrixCell(cell, cell ? ids.get(cell) : undefined);
            })}
          </tr>`,
      )}
    </tbody>
  </table>`;
}

const classes = (n: number): string => `flow class${n === 1 ? '' : 'es'}`;

/** What a shown fix covers, counted from the flows' `fixedBy`: "fixes 2 of 4 blocked flow classes". */
function covers(result: AnalysisResult, fixIds: readonly string[], what: string): Markup {
  const c = coverage(result, fixIds);
  const m = c.blocked.length;
  const n = c.fixed.length;
  const rest = m - n - c.unfixable.length;
  // Fixes with nothing blocked: they serve flows allowed today only because the pods share a node.
  if (m === 0) return html`No counted flow class is blocked.`;
  return html`${what}
    <strong class="covers">${n === m && m > 1 ? `all ${m}` : `${n} of ${m}`}</strong> blocked
    ${classes(m)}${
      rest > 0
        ? html`; the other ${rest} need${rest === 1 ? 's' : ''}
          ${
            c.stillNeeded.length > 4
              ? `${c.stillNeeded.length} more fixes`
              : html`<span class="mono">${c.stillNeeded.join(', ')}</span>`
          }
          (All fixes, below)`
        : ''
    }${
      c.unfixable.length > 0
        ? `; ${c.unfixable.length} ${c.unfixable.length === 1 ? 'has' : 'have'} no synthesised fix (Warnings, below)`
        : ''
    }.`;
}

function banner(result: AnalysisResult, ids: Ids): Markup {
  const { allowed, blocked, unknown, recommended } = result.summary;
  const total = allowed + blocked + unknown;
  const fix = headlineFix(result);
  const flows = fix ? result.flows.filter((f) => fix.unblocks.includes(f.id) && f.status === 'blocked') : [];
  const titles = [...new Set(flows.map((f) => f.title))].join(', ');
  const firstUnknown = result.flows.find((f) => f.status === 'unknown');
  const cluster = result.cluster.name ? `cluster ${result.cluster.name}` : 'snapshot';
  return html`<header class="banner ${result.verdict}" role="banner">
    <div class="wrap">
      <div class="banner-top">
        <span class="verdict" id="verdict">${verdictWord[result.verdict]}</span>
        <h1>dynamo-netcheck: ${cluster}${result.cluster.vpcId ? ` (${result.cluster.vpcId})` : ''}</h1>
      </div>
      <p class="counts">
        <strong>${blocked} blocked</strong> · ${unknown} unknown · ${allowed} allowed — of ${total}
        ${classes(total)}${
          recommended
            ? ` · recommended, not counted: ${recommended.blocked} blocked, ${recommended.unknown} unknown, ${recommended.allowed} allowed`
            : ''
        }
      </p>
      <p class="context">Dynamo ${result.dynamo.version} (${plainWords(result.dynamo.source)})</p>
      ${
        fix && flows.length > 0
          ? html`<div class="headline" id="headline-fix">
              <p>
                Most common failure: <strong>${titles}</strong> blocked for ${flows.length}
                ${classes(flows.length)}.
                ${covers(
                  result,
                  [fix.id],
                  `This ${fix.command.includes('\n') ? 'fix' : 'one-line fix'} (${fix.id}) fixes`,
                )}
              </p>
              ${command(ids, fix.command)}
            </div>`
          : firstUnknown
            ? html`<div class="headline"><p>Undecided: ${firstUnknown.reason}</p></div>`
            : result.verdict === 'pass'
              ? html`<div class="headline"><p>Every required flow is allowed.</p></div>`
              : ''
      }
    </div>
  </header>`;
}

function extras(result: AnalysisResult, ids: Ids, fixes: Fix[]): Markup {
  const all = fixes.map((f) => `# ${f.id}: ${f.description.replace(/\s+/g, ' ')}\n${f.command}`).join('\n');
  const list = (title: string, items: readonly (Markup | string)[]): Markup | '' =>
    items.length > 0
      ? html`<section class="block">
          <h2>${title}</h2>
          <ul>
            ${items.map((i) => html`<li>${i}</li>`)}
          </ul>
        </section>`
      : '';
  return html`${
    fixes.length > 0
      ? html`<section class="block" id="all-fixes">
          <h2>All fixes (${fixes.length} item${fixes.length === 1 ? '' : 's'}, the narrowest that work)</h2>
          <p id="all-fixes-covers">
            ${covers(
              result,
              fixes.map((f) => f.id),
              'Together they fix',
            )}
          </p>
          ${command(ids, all, 'Copy all')}
        </section>`
      : ''
  }
  ${list(
    'Not evaluated',
    result.skipped.map((s) => html`<strong>${levelTitle(s)}</strong>: ${plainWords(s.why)}`),
  )}
  ${list(
    'Not required here',
    result.notApplicable.map((n) => html`<strong>${levelTitle(n)}</strong>: ${plainWords(n.because)}`),
  )}
  ${list('Warnings', result.warnings)} ${list('Notes', result.notes.map(plainWords))}`;
}

export function renderHtml(result: AnalysisResult, timing?: RunTiming): string {
  const ids = new Ids();
  const matrix = buildMatrix(result);
  // Worst cells first in the panel's document order, so the no-script view starts with problems.
  const order: Status[] = ['blocked', 'unknown', 'allowed'];
  const cells = [...matrix.cells];
  const cellIds = new Map(cells.map((c, i) => [c, `cell-${i + 1}`]));
  const details = order.flatMap((status) => cells.filter((c) => c.status === status));
  const fixes = [...fixesById(result).values()];
  const cellOfFlow = new Map(cells.flatMap((c) => c.flows.map((f) => [f, cellIds.get(c)!] as const)));
  const picture = topology({
    result,
    cellOf: (flow) => cellOfFlow.get(flow),
    withNames: (text) => withNames(result, text),
  });
  const when = timing ? ` · analysed ${new Date(timing.stop).toISOString()}` : '';
  const title = `${verdictWord[result.verdict]} — dynamo-netcheck${result.cluster.name ? ` — ${result.cluster.name}` : ''}`;
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta
          http-equiv="Content-Security-Policy"
          content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
        />
        <meta name="color-scheme" content="light dark" />
        <meta name="generator" content="${result.tool.name} ${result.tool.version}" />
        <title>${title}</title>
        <style>
          ${trusted(style)}
        </style>
      </head>
      <body>
        ${banner(result, ids)}
        <main class="wrap">
          ${
            picture.value
              ? html`<section class="topology-section" aria-labelledby="topology-heading">
                  <h2 id="topology-heading">Topology</h2>
                  <p class="legend">
                    Boxes: node groups and their security groups. Arrows: the flows the stack needs, from
                    where the connection starts: <span class="key allowed">✓ allowed</span>,
                    <span class="key blocked">✗ blocked</span>, <span class="key unknown">? unknown</span>, *
                    allowed only through same-node co-location;
                    ${
                      result.strict
                        ? 'recommended flows count here (--strict)'
                        : 'dashed: recommended, not counted in the verdict'
                    }.
                    Hover an arrow for the step that decided it; click it for its decision chain.
                  </p>
                  <div class="topology-scroll">${picture}</div>
                </section>`
              : ''
          }
          <div class="layout">
            <section aria-labelledby="matrix-title">
              <h2 id="matrix-title">Reachability matrix</h2>
              ${
                cells.length > 0
                  ? html`<p class="legend" id="matrix-legend">
                        Columns: where the connection starts (a node group's pods, or any pod that can land on
                        its nodes). Rows: the flows the stack needs (recommended ones are marked so and count
                        only with --strict). ✓ allowed, ✗ blocked, ? unknown, * allowed only through same-node
                        co-location, — not a source of that flow.
                      </p>
                      <div class="matrix-scroll">${matrixTable(result, matrix, cellIds)}</div>
                      ${planes(result)}`
                  : html`<p class="hint">No flow was evaluated.</p>`
              }
            </section>
            <aside class="detail-pane" id="detail-pane" aria-live="polite" aria-label="Decision chain">
              <p class="hint" id="detail-hint">
                Select a cell to see the decision chain (ENI → security group → rule, NACL entry, node) and
                its fix.
              </p>
              ${details.map((c) => cellDetail(result, ids, c, cellIds.get(c)!))}
            </aside>
          </div>
          ${extras(result, ids, fixes)}
          <footer>
            ${result.tool.name} ${result.tool.version}${when}. Self-contained report: no network access at
            view time.
          </footer>
        </main>
        <script>
          ${trusted(script)};
        </script>
      </body>
    </html> `;
  return page.value;
}
