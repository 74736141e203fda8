/** The report's stylesheet: inline (no network at view time), light and dark, laptop-sized. */
export const style = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --panel: #f6f8fa;
  --code: #eff2f5; --accent: #0969da; --focus: #0969da;
  --ok-bg: #dafbe1; --ok-fg: #0f5323; --ok-edge: #4ac26b;
  --bad-bg: #ffebe9; --bad-fg: #82071e; --bad-edge: #cf222e;
  --warn-bg: #fff8c5; --warn-fg: #6c4400; --warn-edge: #d4a72c;
  --none-fg: #8c959f;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --border: #3d444d; --panel: #151b23;
    --code: #1f2630; --accent: #4493f8; --focus: #4493f8;
    --ok-bg: #0f2d1a; --ok-fg: #7ee29b; --ok-edge: #2f9e55;
    --bad-bg: #3c0d12; --bad-fg: #ffb3ad; --bad-edge: #f85149;
    --warn-bg: #33270a; --warn-fg: #f2cc60; --warn-edge: #bb8009;
    --none-fg: #656c76;
  }
}
* { box-sizing: border-box; }
body {
  margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", "DejaVu Sans", sans-serif;
}
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace; font-size: 13px; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
h1 { font-size: 20px; margin: 0; }
h2 { font-size: 17px; margin: 0 0 8px; }
h3 { font-size: 16px; margin: 0 0 6px; }
h4 { font-size: 14px; margin: 14px 0 6px; }
.wrap { max-width: 1480px; margin: 0 auto; padding: 0 24px; }

.banner { border-bottom: 1px solid var(--border); padding: 16px 0; margin-bottom: 18px; }
.banner.fail { background: var(--bad-bg); border-left: 8px solid var(--bad-edge); }
.banner.unknown { background: var(--warn-bg); border-left: 8px solid var(--warn-edge); }
.banner.pass { background: var(--ok-bg); border-left: 8px solid var(--ok-edge); }
.banner-top { display: flex; gap: 16px; align-items: baseline; flex-wrap: wrap; }
.verdict { font-size: 28px; font-weight: 800; letter-spacing: .04em; }
.fail .verdict { color: var(--bad-fg); } .unknown .verdict { color: var(--warn-fg); } .pass .verdict { color: var(--ok-fg); }
.counts { margin: 4px 0 0; } .context { margin: 2px 0 0; color: var(--muted); font-size: 13px; }
.headline { margin-top: 12px; }
.headline p { margin: 0 0 4px; }
/* A NetworkPolicy is a manifest, not a line: the banner shows its start; Copy takes all of it. */
.headline pre { max-height: 9.5em; overflow: auto; }

.cmd { display: flex; gap: 8px; align-items: stretch; margin: 4px 0 10px; }
.cmd pre { flex: 1; margin: 0; padding: 8px 10px; background: var(--code); border: 1px solid var(--border); border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; }
button.copy {
  flex: none; align-self: flex-start; min-width: 74px; height: 34px; padding: 0 12px; border-radius: 6px; border: 1px solid var(--border);
  background: var(--panel); color: var(--fg); font: inherit; font-size: 13px; cursor: pointer;
}
button.copy:hover { border-color: var(--accent); }

.layout { display: grid; grid-template-columns: minmax(0, 5fr) minmax(340px, 3fr); gap: 24px; align-items: start; }
@media (max-width: 1000px) { .layout { grid-template-columns: minmax(0, 1fr); } }
.legend { color: var(--muted); font-size: 13px; margin: 0 0 8px; text-align: left; caption-side: top; }
.matrix-scroll { overflow-x: auto; }
table.matrix { border-collapse: separate; border-spacing: 4px; width: 100%; }
.matrix th { text-align: left; vertical-align: bottom; font-weight: 600; padding: 4px 6px; }
.matrix thead th { font-size: 13px; min-width: 100px; }
.matrix th.corner { color: var(--muted); font-weight: 400; font-size: 12px; }
.matrix th .sub, .cell .sub { display: block; font-weight: 400; color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
.matrix tbody th { vertical-align: middle; min-width: 170px; max-width: 280px; font-size: 14px; }
.matrix tbody th .mono { font-size: 12px; white-space: nowrap; }
td.cell { padding: 0; border-radius: 6px; min-width: 100px; height: 52px; border: 2px solid transparent; }
td.cell .state { white-space: nowrap; }
td.cell a { display: block; height: 100%; padding: 8px 10px; color: inherit; text-decoration: none; border-radius: 4px; }
td.cell.allowed { background: var(--ok-bg); color: var(--ok-fg); }
td.cell.blocked { background: var(--bad-bg); color: var(--bad-fg); border-color: var(--bad-edge); }
td.cell.unknown { background: var(--warn-bg); color: var(--warn-fg); border-color: var(--warn-edge); }
td.cell.masked { border-style: dashed; border-color: var(--warn-edge); }
td.cell.none { color: var(--none-fg); text-align: center; border: 1px dashed var(--border); }
td.cell.selected { outline: 3px solid var(--accent); outline-offset: 1px; }
.cell .state { font-weight: 700; letter-spacing: .03em; }
.cell .sub { color: inherit; opacity: .85; }

.detail-pane { position: sticky; top: 12px; max-height: calc(100vh - 24px); overflow: auto; background: var(--panel); border: 1px solid var(--border); border-radius: 8px; padding: 14px 16px; }
@media (max-width: 1000px) { .detail-pane { position: static; max-height: none; } }
.hint { color: var(--muted); margin: 0; }
/* Without script every chain is listed; with it, one shows at a time. */
html:not(.js) article.detail + article.detail { border-top: 1px solid var(--border); margin-top: 16px; padding-top: 16px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 700; letter-spacing: .03em; border: 1px solid; }
.badge.allowed { background: var(--ok-bg); color: var(--ok-fg); border-color: var(--ok-edge); }
.badge.blocked { background: var(--bad-bg); color: var(--bad-fg); border-color: var(--bad-edge); }
.badge.unknown { background: var(--warn-bg); color: var(--warn-fg); border-color: var(--warn-edge); }
.badge.skipped { color: var(--muted); border-color: var(--border); }
.flow { margin-top: 12px; }
.reason { margin: 4px 0; }
.masked-note { background: var(--warn-bg); color: var(--warn-fg); padding: 6px 8px; border-radius: 6px; }
ol.chain { list-style: none; margin: 8px 0 0; padding: 0; border-left: 2px solid var(--border); }
ol.chain > li { position: relative; margin: 0 0 8px; padding: 2px 0 2px 14px; }
ol.chain > li::before { content: ""; position: absolute; left: -6px; top: 8px; width: 10px; height: 10px; border-radius: 50%; background: var(--border); }
ol.chain > li.allowed::before { background: var(--ok-edge); }
ol.chain > li.blocked::before { background: var(--bad-edge); }
ol.chain > li.unknown::before { background: var(--warn-edge); }
ol.chain > li.blocked, ol.chain > li.unknown { padding: 6px 8px 6px 14px; border-radius: 0 6px 6px 0; }
ol.chain > li.blocked { background: var(--bad-bg); }
ol.chain > li.unknown { background: var(--warn-bg); }
.hop-head { display: flex; gap: 8px; flex-wrap: wrap; align-items: baseline; }
.hop-kind { font-weight: 600; }
.hop-at { color: var(--muted); font-size: 12.5px; overflow-wrap: anywhere; }
.hop-summary { margin: 2px 0 0; overflow-wrap: anywhere; }
ul.facts { margin: 4px 0 0; padding-left: 18px; font-size: 13px; }
.origin { color: var(--muted); }
.members { color: var(--muted); font-size: 13px; overflow-wrap: anywhere; }

section.block { margin: 28px 0 0; }
section.block ul { padding-left: 20px; }
footer { color: var(--muted); font-size: 12.5px; margin: 28px 0 24px; }

.topology-section { margin-bottom: 22px; }
.topology-scroll { overflow-x: auto; }
svg.topology { display: block; width: 100%; max-width: max-content; height: auto; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", "DejaVu Sans", sans-serif; }
.topo-box rect { fill: var(--panel); stroke: var(--muted); stroke-width: 1.5; }
.topo-name { font-size: 15px; font-weight: 700; fill: var(--fg); }
.topo-sgs { font-size: 12px; fill: var(--muted); }
.topo-line { fill: none; stroke-width: 2.5; }
.topo-arrow.recommended .topo-line { stroke-dasharray: 7 5; }
.topo-arrow.allowed .topo-line { stroke: var(--ok-edge); }
.topo-arrow.blocked .topo-line { stroke: var(--bad-edge); }
.topo-arrow.unknown .topo-line { stroke: var(--warn-edge); }
.topo-arrow.allowed .topo-head { fill: var(--ok-edge); }
.topo-arrow.blocked .topo-head { fill: var(--bad-edge); }
.topo-arrow.unknown .topo-head { fill: var(--warn-edge); }
.topo-label-bg { fill: var(--bg); stroke-width: 1.2; }
.topo-arrow.allowed .topo-label-bg { stroke: var(--ok-edge); fill: var(--ok-bg); }
.topo-arrow.blocked .topo-label-bg { stroke: var(--bad-edge); fill: var(--bad-bg); }
.topo-arrow.unknown .topo-label-bg { stroke: var(--warn-edge); fill: var(--warn-bg); }
.topo-label { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace; }
.topo-arrow.allowed .topo-label { fill: var(--ok-fg); }
.topo-arrow.blocked .topo-label { fill: var(--bad-fg); font-weight: 700; }
.topo-arrow.unknown .topo-label { fill: var(--warn-fg); }
a.topo-arrow:hover .topo-line, a.topo-arrow:focus .topo-line, a.topo-arrow[aria-current="true"] .topo-line { stroke-width: 4.5; }
a.topo-arrow:hover .topo-label-bg, a.topo-arrow:focus .topo-label-bg { stroke-width: 2.5; }
dl.glossary { margin: 10px 0 0; font-size: 13px; color: var(--muted); }
dl.glossary div { margin: 2px 0; }
dl.glossary dt { display: inline; font-weight: 600; color: var(--fg); }
dl.glossary dt::after { content: ": "; }
dl.glossary dd { display: inline; margin: 0; }
.key { font-weight: 700; padding: 0 4px; border-radius: 4px; }
.key.allowed { background: var(--ok-bg); color: var(--ok-fg); }
.key.blocked { background: var(--bad-bg); color: var(--bad-fg); }
.key.unknown { background: var(--warn-bg); color: var(--warn-fg); }

/* Paper and PDF: every decision chain, not just the open one; no buttons; status colours kept. */
@media print {
  :root {
    --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --panel: #ffffff;
    --code: #f6f8fa; --accent: #1f2328;
    --ok-bg: #dafbe1; --ok-fg: #0f5323; --ok-edge: #4ac26b;
    --bad-bg: #ffebe9; --bad-fg: #82071e; --bad-edge: #cf222e;
    --warn-bg: #fff8c5; --warn-fg: #6c4400; --warn-edge: #d4a72c;
  }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { font-size: 10.5pt; }
  .wrap { max-width: none; padding: 0; }
  .layout { display: block; }
  .detail-pane { position: static; max-height: none; overflow: visible; border: 0; padding: 0; margin-top: 18px; background: none; }
  article.detail, article.detail[hidden] { display: block; }
  article.detail + article.detail { border-top: 1px solid var(--border); margin-top: 16px; padding-top: 16px; }
  ol.chain > li, .cmd, svg.topology { break-inside: avoid; }
  button.copy, #detail-hint { display: none; }
  .headline pre { max-height: none; }
  .matrix-scroll, .topology-scroll { overflow: visible; }
  svg.topology { min-width: 0 !important; }
  td.cell.selected { outline: none; }
  a { color: inherit; text-decoration: none; }
}
`;
