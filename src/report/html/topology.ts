/**
 * The topology picture: one box per node group and security-group set, one arrow per required
 * flow between two boxes, coloured by the status the analysis gave it (the worst of its flow
 * classes), with the blocking step and the fix in the hover title. It only regroups the analysed
 * flows; nothing is re-decided here. Inline SVG, laid out from the result alone (no measuring, no
 * randomness): the same result gives the same bytes.
 *
 * Layout: the boxes sit in one row, the busiest in the middle, the others in the order the flows
 * first name them. An arrow from left to right arcs above the row, one from right to left below
 * it, one within a box loops above it. Arcs whose spans (with their labels) overlap get different
 * heights, shorter spans lower, so nested arcs do not cross and no two labels overlap.
 */
import type { FlowEnd, FlowResult } from '../../analyze/types.ts';
import { counted, type AnalysisResult } from '../../questions/analyze.ts';
import type { Status } from '../../reachability/types.ts';
import { groupNames, portText, stepName, worst } from '../cells.ts';
import { html, type Markup } from './markup.ts';

const BOX_W = 220;
const BOX_H = 62;
/** Between two boxes: room for the widest label, within bounds. */
const MIN_GAP = 150;
const MAX_GAP = 340;
const MARGIN = 16;
/** Height of the first arc level above (below) the row, and between levels: one label line. */
const LEVEL_0 = 34;
const LEVEL_STEP = 24;
/** Monospace label characters, 12px: width per character, so the layout needs no measuring. */
const CHAR_W = 7.3;
const LABEL_PAD = 8;

const glyph: Record<Status, string> = { allowed: '✓', blocked: '✗', unknown: '?' };
const word: Record<Status, string> = { allowed: 'ALLOWED', blocked: 'BLOCKED', unknown: 'UNKNOWN' };

interface Box {
  readonly key: string;
  readonly index: number;
  readonly nodeGroup: string;
  readonly securityGroups: readonly string[];
}

interface Arrow {
  readonly index: number;
  readonly from: Box;
  readonly to: Box;
  readonly flows: readonly FlowResult[];
  readonly status: Status;
  /** Counted in the verdict: required, or recommended under --strict. */
  readonly counted: boolean;
  readonly label: string;
  readonly side: 'above' | 'below';
}

const boxKey = (end: FlowEnd): string => `${end.nodeGroup}\u0000${end.securityGroups.join(',')}`;

/** A title without its parenthesis: `TCP request plane (frontend → worker)` → `TCP request plane`. */
const shortTitle = (title: string): string => title.replace(/\s*\([^)]*\)\s*$/, '');

const labelWidth = (text: string): number => Math.round([...text].length * CHAR_W + 2 * LABEL_PAD);

const fit = (text: string, max: number): string =>
  [...text].length > max ? `${[...text].slice(0, max - 1).join('')}…` : text;

/** The horizontal frame: the gap between boxes and the picture's width. */
interface Frame {
  readonly gap: number;
  readonly width: number;
}

function frame(boxes: number, arrows: readonly Arrow[]): Frame {
  const widest = Math.max(0, ...arrows.map((a) => labelWidth(a.label)));
  // Few boxes: room for a label between two of them; many: narrower, so the picture stays legible.
  const gap = Math.min(Math.max(widest + 10, MIN_GAP), boxes <= 3 ? MAX_GAP : 200);
  return { gap, width: 2 * MARGIN + boxes * BOX_W + (boxes - 1) * gap };
}

const boxLeft = (box: Box, f: Frame): number => MARGIN + box.index * (BOX_W + f.gap);
const centre = (box: Box, f: Frame): number => boxLeft(box, f) + BOX_W / 2;

/** The label sits over the middle of its arc, pulled in where it would leave the picture. */
function labelCentre(a: Arrow, x1: number, x2: number, f: Frame): number {
  const half = labelWidth(a.label) / 2;
  return Math.round(Math.min(Math.max((x1 + x2) / 2, MARGIN + half), f.width - MARGIN - half));
}

export interface TopologyInput {
  readonly result: AnalysisResult;
  /** The matrix cell that shows a flow's chain (its anchor id). */
  readonly cellOf: (flow: FlowResult) => string | undefined;
  /** SG ids in a line of text, followed by their names. */
  readonly withNames: (text: string) => string;
}

function boxesAndArrows(result: AnalysisResult): { boxes: Box[]; arrows: Arrow[] } {
  const ends = new Map<string, FlowEnd>();
  const groups = new Map<string, { from: string; to: string; flows: FlowResult[] }>();
  for (const flow of result.flows) {
    const from = boxKey(flow.source);
    const to = boxKey(flow.destination);
    if (!ends.has(from)) ends.set(from, flow.source);
    if (!ends.has(to)) ends.set(to, flow.destination);
    const key = `${flow.requirement}\u0000${from}\u0000${to}`;
    const group = groups.get(key);
    if (group) group.flows.push(flow);
    else groups.set(key, { from, to, flows: [flow] });
  }
  // The box that most arrows from or to other boxes touch (NATS and Prometheus live there) goes
  // in the middle, so arcs reach it from both sides and stay short; the others keep the order
  // the flows first name them.
  const degree = (key: string): number =>
    [...groups.values()].filter((g) => g.from !== g.to && (g.from === key || g.to === key)).length;
  const keys = [...ends.keys()];
  const hub = keys.reduce((best, key) => (degree(key) > degree(best) ? key : best), keys[0]!);
  const rest = keys.filter((k) => k !== hub);
  const order = [
    ...rest.slice(0, Math.floor(rest.length / 2)),
    hub,
    ...rest.slice(Math.floor(rest.length / 2)),
  ];
  const byKey = new Map(
    order.map((key, index) => {
      const end = ends.get(key)!;
      return [key, { key, index, nodeGroup: end.nodeGroup, securityGroups: end.securityGroups }] as const;
    }),
  );
  const boxes = [...byKey.values()];
  const arrows = [...groups.values()].map((group, index): Arrow => {
    const { flows } = group;
    const from = byKey.get(group.from)!;
    const to = byKey.get(group.to)!;
    const first = flows[0]!;
    const status = worst(flows.map((f) => f.status));
    return {
      index,
      from,
      to,
      flows,
      status,
      counted: counted(first, result.strict),
      // `*`: allowed only because the pods share a node, as in the matrix.
      label: `${glyph[status]} ${shortTitle(first.title)} ${portText(first.protocol, first.ports)}${
        status === 'allowed' && flows.some((f) => f.coLocationMasks) ? '*' : ''
      }`,
      side: from.index > to.index ? 'below' : 'above',
    };
  });
  return { boxes, arrows };
}

/** Levels by greedy interval colouring: shorter spans first, each on the lowest free level. */
function levels(arrows: readonly Arrow[], f: Frame): Map<Arrow, number> {
  const extent = (a: Arrow): [number, number] => {
    const x1 = centre(a.from, f);
    const x2 = centre(a.to, f);
    const mid = labelCentre(a, x1, x2, f);
    const half = labelWidth(a.label) / 2;
    return [Math.min(x1, x2, mid - half) - 6, Math.max(x1, x2, mid + half) + 6];
  };
  const span = (a: Arrow): number => Math.abs(a.from.index - a.to.index);
  const taken = new Map<string, [number, number][]>();
  const level = new Map<Arrow, number>();
  const order = [...arrows].sort((a, b) => span(a) - span(b) || a.index - b.index);
  for (const arrow of order) {
    const [lo, hi] = extent(arrow);
    let l = 0;
    while ((taken.get(`${arrow.side}${l}`) ?? []).some(([a, b]) => a < hi && lo < b)) l += 1;
    taken.set(`${arrow.side}${l}`, [...(taken.get(`${arrow.side}${l}`) ?? []), [lo, hi]]);
    level.set(arrow, l);
  }
  return level;
}

/**
 * Where each arrow end meets its box: spread along the edge so that nested arcs stay nested
 * (arrows to the left first, the nearest outermost; loops in the middle; then arrows to the right).
 */
function anchors(
  boxes: readonly Box[],
  arrows: readonly Arrow[],
  level: ReadonlyMap<Arrow, number>,
  f: Frame,
): Map<string, number> {
  const at = new Map<string, number>();
  for (const box of boxes) {
    for (const side of ['above', 'below'] as const) {
      const ends: { id: string; key: number[] }[] = [];
      for (const a of arrows.filter((x) => x.side === side)) {
        const l = level.get(a)!;
        for (const end of ['from', 'to'] as const) {
          if (a[end] !== box) continue;
          const other = end === 'from' ? a.to : a.from;
          const id = `${a.index}${end}`;
          if (other === box) ends.push({ id, key: end === 'from' ? [1, -l] : [2, l] });
          else if (other.index < box.index) ends.push({ id, key: [0, -other.index, l] });
          else ends.push({ id, key: [3, -other.index, -l] });
        }
      }
      ends.sort((p, q) => {
        for (let i = 0; i < Math.max(p.key.length, q.key.length); i += 1) {
          const d = (p.key[i] ?? 0) - (q.key[i] ?? 0);
          if (d !== 0) return d;
        }
        return 0;
      });
      const left = boxLeft(box, f);
      ends.forEach((e, i) =>
        at.set(e.id, Math.round(left + 14 + ((BOX_W - 28) * (i + 1)) / (ends.length + 1))),
      );
    }
  }
  return at;
}

function tooltip(input: TopologyInput, arrow: Arrow): string {
  const { result, withNames } = input;
  const first = arrow.flows[0]!;
  const name = (box: Box): string => `${box.nodeGroup} [${groupNames(result, box.securityGroups)}]`;
  const statuses = (['blocked', 'unknown', 'allowed'] as const)
    .map((s) => [s, arrow.flows.filter((f) => f.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  const lines = [
    `${glyph[arrow.status]} ${word[arrow.status]}: ${first.title} ${portText(first.protocol, first.ports)}`,
    `${name(arrow.from)} → ${name(arrow.to)}`,
    arrow.counted
      ? `${arrow.flows.length} flow class${arrow.flows.length === 1 ? '' : 'es'}: ${statuses}`
      : `recommended, not counted in the verdict (--strict counts it) · ${statuses}`,
  ];
  const deciding = new Set<string>();
  for (const flow of arrow.flows.filter((f) => f.status !== 'allowed')) {
    const steps = flow.steps.filter((s) => s.status === flow.status);
    if (steps.length === 0) deciding.add(withNames(flow.reason));
    for (const step of steps)
      deciding.add(`${stepName(step.kind)} at ${withNames(step.at)}: ${withNames(step.summary)}`);
  }
  const fixes = [...new Set(arrow.flows.flatMap((f) => f.fixedBy))];
  return [
    ...lines,
    ...[...deciding].map((d) => `${arrow.status === 'blocked' ? 'Blocked by' : 'Undecided'}: ${d}`),
    ...arrow.flows.flatMap((f) =>
      f.status === 'allowed' && f.coLocationMasks
        ? [`* Allowed only through same-node co-location: ${f.coLocationMasks}`]
        : [],
    ),
    ...(fixes.length > 0 ? [`Fix: ${fixes.join(', ')}`] : []),
  ].join('\n');
}

function boxMarkup(result: AnalysisResult, box: Box, x: number, y: number): Markup {
  const sgs = groupNames(result, box.securityGroups);
  return html`<g class="topo-box" data-node-group="${box.nodeGroup}">
    <title>${box.nodeGroup} — security groups: ${sgs}</title>
    <rect x="${x}" y="${y}" width="${BOX_W}" height="${BOX_H}" rx="8" />
    <text x="${x + 12}" y="${y + 25}" class="topo-name">${fit(box.nodeGroup, 21)}</text>
    <text x="${x + 12}" y="${y + 47}" class="topo-sgs">${fit(sgs, 28)}</text>
  </g>`;
}

export function topology(input: TopologyInput): Markup {
  const { result } = input;
  const { boxes, arrows } = boxesAndArrows(result);
  if (arrows.length === 0) return html``;
  const f = frame(boxes.length, arrows);
  const { width } = f;
  const level = levels(arrows, f);
  const at = anchors(boxes, arrows, level, f);
  const maxLevel = (side: Arrow['side']): number =>
    Math.max(-1, ...arrows.filter((a) => a.side === side).map((a) => level.get(a)!));
  const above = maxLevel('above');
  const below = maxLevel('below');
  const top = MARGIN + (above >= 0 ? LEVEL_0 + above * LEVEL_STEP + 12 : 0);
  const bottom = top + BOX_H;
  const height = bottom + (below >= 0 ? LEVEL_0 + below * LEVEL_STEP + 12 : 0) + MARGIN;

  const arrowMarkup = (a: Arrow): Markup => {
    const sign = a.side === 'above' ? -1 : 1;
    const y0 = a.side === 'above' ? top : bottom;
    const x1 = at.get(`${a.index}from`)!;
    const x2 = at.get(`${a.index}to`)!;
    // A cubic with both control points straight out from the box peaks at 3/4 of their height.
    const apex = LEVEL_0 + level.get(a)! * LEVEL_STEP;
    const c = Math.round((apex * 4) / 3);
    const yl = y0 + sign * apex;
    const w = labelWidth(a.label);
    const mid = labelCentre(a, x1, x2, f);
    const cell = a.flows.map(input.cellOf).find((id) => id !== undefined);
    const body = html`<title>${tooltip(input, a)}</title>
      <path
        class="topo-line"
        d="M ${x1} ${y0} C ${x1} ${y0 + sign * c} ${x2} ${y0 + sign * c} ${x2} ${y0 + sign * 8}"
      />
      <path
        class="topo-head"
        d="M ${x2 - 5} ${y0 + sign * 10} L ${x2 + 5} ${y0 + sign * 10} L ${x2} ${y0} z"
      />
      <rect class="topo-label-bg" x="${mid - w / 2}" y="${yl - 10}" width="${w}" height="20" rx="4" />
      <text class="topo-label" x="${mid}" y="${yl + 4}" text-anchor="middle">${a.label}</text>`;
    const attrs = `topo-arrow ${a.status}${a.counted ? '' : ' recommended'}`;
    return cell
      ? html`<a
          class="${attrs}"
          href="#${cell}"
          data-cell="${cell}"
          data-requirement="${a.flows[0]!.requirement}"
          data-status="${a.status}"
          >${body}</a
        >`
      : html`<g class="${attrs}" data-requirement="${a.flows[0]!.requirement}" data-status="${a.status}">
          ${body}
        </g>`;
  };

  // Outer arcs first, so the labels of the inner ones lie on top of the lines that pass them.
  const outerFirst = [...arrows].sort((p, q) => level.get(q)! - level.get(p)! || p.index - q.index);
  const counts = (['blocked', 'unknown', 'allowed'] as const)
    .map((s) => `${arrows.filter((a) => a.status === s).length} ${s}`)
    .join(', ');
  return html`<svg
    class="topology"
    id="topology"
    xmlns="http://www.w3.org/2000/svg"
    viewBox="0 0 ${width} ${height}"
    width="${width}"
    height="${height}"
    style="min-width: ${Math.min(width, Math.max(900, Math.round(width * 0.8)))}px"
    aria-labelledby="topology-title"
  >
    <title id="topology-title">
      Topology: ${boxes.length} node group${boxes.length === 1 ? '' : 's'}, ${arrows.length}
      flow${arrows.length === 1 ? '' : 's'} between them (${counts})
    </title>
    ${outerFirst.map(arrowMarkup)} ${boxes.map((b) => boxMarkup(result, b, boxLeft(b, f), top))}
  </svg>`;
}
