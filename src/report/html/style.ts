// The report's stylesheet: a constant (the only markup that passes through `raw`). System fonts
// only, no external resource; a print layout where every section starts on a new page and the
// collapsed transcripts behind a failure, warning or error are printed open.
export const STYLESHEET = `
:root {
  --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --accent: #0b5cad;
  --pass: #1a7f37; --pass-bg: #dafbe1; --warn: #8a5a00; --warn-bg: #fff4c2;
  --fail: #c0212c; --fail-bg: #ffebe9; --error: #7a3fc9; --error-bg: #f3e8ff;
  --skipped: #59636e; --skipped-bg: #eef1f4; --info: #0b5cad; --info-bg: #ddf0ff;
  --mono: ui-monospace, "SFMono-Regular", "Cascadia Mono", Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #eef1f4; color: var(--ink); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif; }
.page { max-width: 1120px; margin: 0 auto; padding: 24px 24px 48px; background: #fff; min-height: 100vh; box-shadow: 0 0 0 1px var(--line); }
h1, h2, h3, h4 { line-height: 1.25; margin: 0; font-weight: 600; }
h1 { font-size: 26px; }
h2 { font-size: 19px; }
h3 { font-size: 15px; }
h4 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
p { margin: 0; }
a { color: var(--accent); }
code, pre, .mono { font-family: var(--mono); font-size: 12.5px; }
p, li, dd, td, th, pre, summary, h1, h2, h3, code { overflow-wrap: anywhere; }
.eyebrow { font-size: 12px; font-weight: 600; letter-spacing: .06em; text-transform: uppercase; color: var(--muted); }
.muted { color: var(--muted); }
.masthead { border-bottom: 1px solid var(--line); padding-bottom: 20px; }
.masthead h1 { margin: 4px 0 14px; }
.masthead h1 .domain { color: var(--muted); font-weight: 400; }
.verdict { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; padding: 12px 16px; border-radius: 8px; border: 1px solid var(--line); border-left-width: 6px; background: var(--soft); }
.verdict .verdict-text { font-size: 16px; font-weight: 600; }
.verdict.v-pass { border-left-color: var(--pass); } .verdict.v-warn { border-left-color: #d4a72c; }
.verdict.v-fail { border-left-color: var(--fail); } .verdict.v-error { border-left-color: var(--error); }
.verdict.v-skipped { border-left-color: var(--skipped); }
.counts { display: flex; flex-wrap: wrap; gap: 6px; list-style: none; padding: 0; margin: 0 0 0 auto; }
.counts li { border: 1px solid var(--line); background: #fff; border-radius: 999px; padding: 1px 10px; font-size: 13px; color: var(--muted); }
.counts li b { color: var(--ink); }
.counts li.nz.c-fail b { color: var(--fail); } .counts li.nz.c-error b { color: var(--error); } .counts li.nz.c-warn b { color: var(--warn); }
.meta { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 10px 24px; margin: 18px 0 0; }
.meta div { min-width: 0; }
.meta dt { font-size: 12px; color: var(--muted); }
.meta dd { margin: 0; font-weight: 500; }
.badge { display: inline-block; min-width: 64px; text-align: center; border-radius: 4px; padding: 1px 8px; font-size: 11.5px; font-weight: 700; letter-spacing: .04em; border: 1px solid currentColor; white-space: nowrap; }
.s-pass { color: var(--pass); background: var(--pass-bg); } .s-warn { color: var(--warn); background: var(--warn-bg); }
.s-fail { color: var(--fail); background: var(--fail-bg); } .s-error { color: var(--error); background: var(--error-bg); }
.s-skipped { color: var(--skipped); background: var(--skipped-bg); } .s-info { color: var(--info); background: var(--info-bg); }
.notice { margin: 16px 0 0; padding: 10px 14px; border-radius: 6px; border: 1px solid #d4a72c; background: #fff8dc; }
.notice strong { margin-right: 4px; }
.block { margin-top: 28px; }
.block > h2 { margin-bottom: 10px; }
table { border-collapse: collapse; width: 100%; }
th { text-align: left; font-size: 12px; font-weight: 600; color: var(--muted); border-bottom: 1px solid var(--line); padding: 6px 8px; }
td { vertical-align: top; padding: 8px; border-bottom: 1px solid var(--line); }
.toc td { padding: 6px 8px; }
.toc th.num { text-align: right; width: 72px; }
.toc td.num { text-align: right; font-variant-numeric: tabular-nums; color: var(--muted); width: 64px; }
.toc td.num.nz { color: var(--ink); font-weight: 600; }
.toc td.st { width: 90px; }
.items { list-style: none; margin: 0; padding: 0; border-top: 1px solid var(--line); }
.items li { display: grid; grid-template-columns: 100px minmax(0, 1fr); gap: 4px 12px; padding: 8px 0; border-bottom: 1px solid var(--line); }
.items .where { color: var(--muted); font-size: 13px; }
.items li > .badge { align-self: start; justify-self: start; }
.group { margin-top: 36px; padding-top: 20px; border-top: 3px solid var(--ink); }
.group-head { display: flex; align-items: baseline; gap: 12px; flex-wrap: wrap; }
.group-head h2 { font-size: 21px; }
.group-head .sum { color: var(--muted); font-size: 13px; }
.endpoint { margin-top: 18px; }
.endpoint > h3 { padding: 6px 0; margin-bottom: 4px; }
.endpoint > h3 .kind { font-weight: 400; color: var(--muted); font-size: 13px; margin-left: 6px; }
.results td.st { width: 92px; }
.results td.chk { width: 230px; }
.results td.chk code { font-weight: 600; overflow-wrap: break-word; } /* wraps after a "-", never inside a word ("anywhere" would shrink the column to one letter) */
.results .sev { font-size: 12px; color: var(--muted); }
.results .title { font-weight: 600; }
.results tr.row-pass .title, .results tr.row-skipped .title { font-weight: 500; }
.results tr.row-pass .msg, .results tr.row-skipped .msg { color: var(--muted); }
.results tr.row-pass td, .results tr.row-skipped td { padding-top: 5px; padding-bottom: 5px; }
.results tr.row-pass .title, .results tr.row-skipped .title, .results tr.row-pass .msg, .results tr.row-skipped .msg { display: inline; }
.results tr.row-pass .title::after, .results tr.row-skipped .title::after { content: " — "; color: var(--muted); font-weight: 400; }
.results .msg { white-space: pre-wrap; }
.detail { margin-top: 6px; padding-left: 10px; border-left: 3px solid var(--line); white-space: pre-wrap; }
.detail .lbl, .lbl { display: block; font-size: 11.5px; font-weight: 700; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
pre { margin: 6px 0 0; padding: 8px 10px; background: var(--soft); border: 1px solid var(--line); border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; }
pre.ps { user-select: all; -webkit-user-select: all; background: #f3f6fb; }
pre.ps .nw { white-space: nowrap; } /* a -Parameter is never split from its dash */
.certs { margin-top: 14px; display: grid; gap: 12px; }
.cert { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.cert-head { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; margin-bottom: 8px; }
.cert-head .role { font-weight: 600; }
.cert dl { display: grid; grid-template-columns: 130px minmax(0, 1fr); gap: 3px 12px; margin: 0; }
.cert dt { color: var(--muted); font-size: 13px; }
.cert dd { margin: 0; min-width: 0; }
.cert .fp { font-family: var(--mono); font-size: 12px; }
.chain-lbl { margin-top: 8px; }
.same { margin-top: 10px; }
.chain { margin: 4px 0 0; padding-left: 20px; }
.chain li { margin: 2px 0; }
.chain .fp { color: var(--muted); }
details.transcript { margin-top: 14px; border: 1px solid var(--line); border-radius: 8px; }
details.transcript > summary { cursor: pointer; padding: 8px 12px; font-weight: 600; }
details.transcript > summary .muted { font-weight: 400; }
details.transcript[open] > summary { border-bottom: 1px solid var(--line); }
pre.tx { margin: 0; border: 0; border-radius: 0 0 8px 8px; font-size: 12px; line-height: 1.45; max-height: none; }
.tx .ln { display: block; padding-left: 11.5em; text-indent: -11.5em; }
.tx .ts { color: var(--muted); display: inline-block; width: 6em; text-align: right; padding-right: 1em; text-indent: 0; }
.tx .dir { display: inline-block; width: 2.5em; font-weight: 700; text-indent: 0; }
.tx .tl { display: inline-block; width: 3em; color: var(--pass); text-indent: 0; }
.tx .recv .dir { color: #0b5cad; } .tx .send .dir { color: #7a3fc9; } .tx .info { color: var(--muted); }
.tx .more { color: var(--muted); font-style: italic; }
.legend { font-size: 12px; color: var(--muted); padding: 6px 12px 10px; }
footer { margin-top: 40px; padding-top: 12px; border-top: 1px solid var(--line); font-size: 12px; color: var(--muted); }
@media screen and (max-width: 720px) { /* screen only: an A4 page is narrower than 720 px too */
  .page { padding: 16px; }
  .results td.chk { width: auto; }
  .toc .num { display: none; } /* each section's heading repeats its counts */
  pre.ps .nw { white-space: inherit; } /* a long -Parameter may wrap on a phone rather than widen the page */
  .items li { grid-template-columns: 1fr; }
  .cert dl { grid-template-columns: 1fr; }
}
@media print {
  @page { margin: 14mm 12mm; }
  body { background: #fff; font-size: 10pt; }
  .page { max-width: none; padding: 0; box-shadow: none; min-height: 0; }
  .group { break-before: page; margin-top: 0; border-top: 0; }
  .endpoint > h3, .group-head, .block > h2 { break-after: avoid; }
  tr, .cert, .items li, pre.ps, .notice { break-inside: avoid; }
  .results td.st { width: 80px; }
  .results td.chk { width: 175px; }
  details.transcript { break-inside: auto; }
  details > summary { list-style: none; }
  details > summary::-webkit-details-marker { display: none; }
  /* Printed open: the transcripts of sessions behind a failure, warning or error (the evidence a
     change ticket needs). Sessions whose checks all passed print as their one-line summary. */
  details.transcript:not(.quiet)::details-content { content-visibility: visible; display: block; }
  details.transcript:not(.quiet):not([open])::details-content { content-visibility: visible; display: block; }
  details.transcript:not(.quiet) > summary { border-bottom: 1px solid var(--line); }
  details.transcript.quiet:not([open]) > summary::after { content: " · not printed: its checks pass (the HTML and JSON reports have it)"; font-weight: 400; color: var(--muted); }
  a { color: inherit; text-decoration: none; }
  .items a[href^="http"]::after, .detail a[href^="http"]::after { content: " <" attr(href) ">"; font-size: 9pt; }
  .badge, .verdict, .counts li, pre { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;
