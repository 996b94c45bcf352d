// The HTML report: one self-contained file for change tickets (inline CSS, a strict CSP, no
// script, font or request), readable on screen and printed to PDF. Rendered from the JSON report
// alone; every value goes through the `html` tagged template, which escapes by construction and
// strips control characters; very long server lines are cut with a note.
import { STYLESHEET } from './html/style.js';
import { html, linkify, raw, type SafeHtml } from './html/template.js';
import {
  certificateOf,
  chainOf,
  certRoleOf,
  daysLeft,
  evidenceString,
  evidenceStrings,
  fingerprint,
  placeOf,
  problemsOf,
  knockOnsOf,
  sectionsOf,
  STATUS_LABEL,
  STATUSES,
  statusOf,
  transcriptOf,
  transcriptSeconds,
  type EndpointGroup,
  type IndexedResult,
  type Section,
} from './model.js';
import type { CertificateSummary, ChangeEntry, RunReport, Status, Summary, TranscriptLine } from '../types.js';

export const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/** Transcripts longer than this show their first lines and a note (the JSON has them all). */
export const MAX_TRANSCRIPT_LINES = 400;
/** Certificates within this many days of expiry are marked; the run's checks decide pass/fail. */
const EXPIRY_NOTE_DAYS = 30;

const CHANGE_LABEL: Record<ChangeEntry['kind'], [string, string]> = {
  'new-failure': ['NEW FAILURE', 's-fail'],
  fixed: ['FIXED', 's-pass'],
  'certificate-changed': ['CERTIFICATE', 's-info'],
  'tls-version-changed': ['TLS VERSION', 's-info'],
  'status-changed': ['CHANGED', 's-warn'],
};

/** A PowerShell line whose -Parameter names never wrap apart from their dash (copying gives the same text). */
function psCode(text: unknown): SafeHtml {
  return html`${String(text ?? '')
    .split(/(?<=\s)(?=-[A-Za-z])/)
    .map((part) => {
      const m = /^(-[A-Za-z][A-Za-z0-9]*(?::\S*)?)([\s\S]*)$/.exec(part);
      return m ? html`<span class="nw">${m[1]}</span>${m[2]}` : part;
    })}`;
}

function badge(status: Status): SafeHtml {
  return html`<span class="badge s-${raw(status)}">${STATUS_LABEL[status]}</span>`;
}

function utc(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? String(iso) : `${new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')} UTC`;
}

function day(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? String(iso) : new Date(t).toISOString().slice(0, 10);
}

function seconds(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** A summary line: the full text is in the section below. */
function brief(text: unknown, max = 300): string {
  const flat = String(text ?? '');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function verdictText(verdict: Status, s: Summary): string {
  switch (verdict) {
    case 'pass':
      return 'Every check passes';
    case 'warn':
      return `No failures; ${plural(s.warn, 'warning')} to review`;
    case 'fail':
      return `${plural(s.fail, 'check')} ${s.fail === 1 ? 'fails' : 'fail'}${s.error ? `, ${s.error} could not be decided` : ''}${s.warn ? `, ${plural(s.warn, 'warning')}` : ''} — action needed`;
    case 'error':
      return `${plural(s.error, 'check')} could not be decided${s.fail ? `, ${s.fail} failing` : ''} — see the errors below`;
    case 'skipped':
      return 'Every check was skipped';
  }
}

function counts(s: Summary): SafeHtml {
  return html`<ul class="counts">${STATUSES.map((k) => html`<li class="c-${raw(k)}${raw(s[k] ? ' nz' : '')}"><b>${s[k]}</b> ${k}</li>`)}</ul>`;
}

function summaryOfReport(report: RunReport): Summary {
  const s = report.summary ?? ({} as Summary);
  return Object.fromEntries(STATUSES.map((k) => [k, Number.isFinite(s[k]) ? s[k] : 0])) as Summary;
}

function sectionKind(section: Section): string {
  if (section.connector === null) return 'Domain-level checks';
  return section.results.some((r) => /^auth\.(login|sender-match)$/.test(r.result.check)) ? 'Submission account' : 'Connector';
}

// ─── Header, notices, contents ──────────────────────────────────────────────────────────────

/** Whether validation mail went out: --no-send, or how many messages the servers accepted. */
function validationMail(report: RunReport): string {
  if (report.options && !report.options.send) return 'Not sent (--no-send)';
  const sends = report.results.filter((r) => r.check === 'send.validation' && statusOf(r.status) !== 'skipped');
  if (!report.options && !sends.length) return 'Not recorded';
  if (!sends.length) return 'None sent in this run';
  const accepted = sends.filter((r) => statusOf(r.status) === 'pass').length;
  return `Sent: ${accepted} of ${plural(sends.length, 'message')} accepted`;
}

function header(report: RunReport, summary: Summary, verdict: Status): SafeHtml {
  const o = report.options;
  const selection = [o?.only?.length ? `only ${o.only.join(', ')}` : '', o?.skip?.length ? `skip ${o.skip.join(', ')}` : '', o?.connectors?.length ? `connectors ${o.connectors.join(', ')}` : '']
    .filter(Boolean)
    .join('; ');
  const mail = validationMail(report);
  const prev = report.history?.previous;
  const item = (label: string, value: SafeHtml | string) => html`<div><dt>${label}</dt><dd>${value}</dd></div>`;
  return html`<header class="masthead">
<p class="eyebrow">relaycheck report &middot; Exchange Online SMTP relay</p>
<h1>${report.plan?.organization ?? report.plan?.domain ?? 'relaycheck'}${report.plan?.organization ? html` <span class="domain">${report.plan?.domain}</span>` : ''}</h1>
<div class="verdict v-${raw(verdict)}">${badge(verdict)}<span class="verdict-text">${verdictText(verdict, summary)}</span>${counts(summary)}</div>
<dl class="meta">
${item('Organization', report.plan?.organization ?? '—')}
${item('Domain', report.plan?.domain ?? '—')}
${item('Plan file', html`<code>${report.plan?.file ?? '—'}</code>`)}
${item('Started', utc(report.startedAt))}
${item('Duration', seconds(report.durationMs))}
${item('Validation mail', mail)}
${selection ? item('Selection', selection) : ''}
${prev ? item('Compared with', `the run of ${utc(prev.startedAt)} (${STATUS_LABEL[statusOf(prev.verdict)]})`) : ''}
${item('Tool', `relaycheck ${report.tool?.version ?? ''}`)}
</dl>
</header>`;
}

function notices(report: RunReport): SafeHtml {
  const out: SafeHtml[] = [];
  if (report.options?.interrupted) out.push(html`<p class="notice" role="note"><strong>Partial report.</strong>The run was interrupted; results of unfinished probes are errors.</p>`);
  if (report.options?.deadlineHit) out.push(html`<p class="notice" role="note"><strong>Deadline passed.</strong>Results for probes that had not finished are errors.</p>`);
  if (report.history?.storeError) out.push(html`<p class="notice" role="note"><strong>History unavailable.</strong>${report.history.storeError}</p>`);
  return html`${out}`;
}

function contents(sections: Section[]): SafeHtml {
  return html`<nav class="block toc" aria-label="Contents"><h2>Connectors and accounts</h2>
<table><thead><tr><th>Section</th><th>Result</th>${STATUSES.map((k) => html`<th class="num">${k}</th>`)}</tr></thead><tbody>
${sections.map(
  (s, i) => html`<tr><td><a href="#s${raw(String(i + 1))}">${s.title}</a> <span class="muted">&middot; ${sectionKind(s)}</span></td><td class="st">${badge(s.verdict)}</td>${STATUSES.map(
    (k) => html`<td class="num${raw(s.summary[k] ? ' nz' : '')}">${s.summary[k]}</td>`,
  )}</tr>`,
)}
</tbody></table></nav>`;
}

function attention(report: RunReport): SafeHtml {
  const items = problemsOf(report);
  if (!items.length) return html``;
  return html`<section class="block" id="attention"><h2>Needs attention</h2><ol class="items">
${items.map(
  ({ result: r, index, status }) =>
    html`<li>${badge(status)}<div><a href="#r${raw(String(index))}"><code>${r.check}</code></a> <span class="where">${placeOf(r)}</span><br>${brief(r.message)}</div></li>`,
)}
</ol>${knockOnNote(report)}</section>`;
}

/** Root causes first: what they kept from being tested is counted, not listed. */
function knockOnNote(report: RunReport): SafeHtml {
  const { total, byCause } = knockOnsOf(report);
  if (!total) return html``;
  const causes = [...byCause].map(([id, n]) => html`<code>${id}</code> (${n})`);
  return html`<p class="muted" id="not-tested">${total} more check${total === 1 ? ' was' : 's were'} not tested because a check they need failed: ${causes.map((c, i) => html`${i ? ', ' : ''}${c}`)}.</p>`;
}

function changes(report: RunReport): SafeHtml {
  const list = report.changes;
  if (!list && !report.history) return html``;
  const prev = report.history?.previous;
  let body: SafeHtml;
  if (report.history?.storeError && !list) body = html`<p class="muted">Unknown: the local store could not be used (see above).</p>`;
  else if (!list && !prev) body = html`<p class="muted">This is the first recorded run of this plan: there is nothing to compare with yet.</p>`;
  else if (!list?.length) body = html`<p>Nothing changed since the run of ${prev ? utc(prev.startedAt) : 'the previous run'}.</p>`;
  else
    body = html`<ol class="items">${list.map((c) => {
      const [label, cls] = CHANGE_LABEL[c.kind] ?? ['CHANGED', 's-info'];
      return html`<li><span class="badge ${raw(cls)}">${label}</span><div>${c.message}</div></li>`;
    })}</ol>`;
  const since = prev ? html` <span class="muted">(since ${utc(prev.startedAt)})</span>` : '';
  return html`<section class="block" id="changes"><h2>What changed since the last run${since}</h2>${body}</section>`;
}

// ─── Sections ───────────────────────────────────────────────────────────────────────────────

function resultRow({ result: r, index }: IndexedResult): SafeHtml {
  const status = statusOf(r.status);
  const open = status !== 'pass' && status !== 'skipped';
  const sev = typeof r.severity === 'string' ? r.severity : '';
  return html`<tr id="r${raw(String(index))}" class="row-${raw(status)}">
<td class="st">${badge(status)}</td>
<td class="chk"><code>${r.check}</code>${sev && open ? html`<div class="sev">severity ${sev}</div>` : ''}</td>
<td class="finding"><div class="title">${r.title}</div><p class="msg">${r.message}</p>${
    open && r.remediation ? html`<div class="detail"><span class="lbl">What to do</span>${linkify(r.remediation)}</div>` : ''
  }${r.exchangeOnline ? html`<div class="detail"><span class="lbl">In Exchange Online</span>${linkify(r.exchangeOnline)}</div>` : ''}${
    r.powershell ? html`<div class="detail"><span class="lbl">PowerShell (Exchange Online)</span><pre class="ps">${psCode(r.powershell)}</pre></div>` : ''
  }</td>
</tr>`;
}

function validity(cert: CertificateSummary, at: string): SafeHtml {
  const d = daysLeft(cert, at);
  if (d === undefined) return html``;
  const notYet = Date.parse(cert.notBefore) > Date.parse(at);
  if (notYet) return html`<span class="badge s-fail">NOT YET VALID</span>`;
  if (d < 0) return html`<span class="badge s-fail">EXPIRED</span> <span class="muted">${plural(Math.ceil(-d), 'day')} before this run</span>`;
  if (d < EXPIRY_NOTE_DAYS) return html`<span class="badge s-warn">EXPIRES SOON</span> <span class="muted">${plural(Math.floor(d), 'day')} left at this run</span>`;
  return html`<span class="badge s-pass">VALID</span> <span class="muted">${plural(Math.floor(d), 'day')} left at this run</span>`;
}

function certificateCard(report: RunReport, sha: string, chainShas: string[], role: 'client' | 'server', file?: string): SafeHtml {
  const cert = certificateOf(report, sha);
  const roleText = role === 'client' ? 'Client certificate relaycheck presented' : 'Server certificate';
  const fileRow = file ? html`<dt>File</dt><dd><code>${file}</code></dd>` : '';
  if (!cert) return html`<div class="cert"><div class="cert-head"><span class="role">${roleText}</span></div><dl>${fileRow}<dt>SHA-256</dt><dd class="fp">${fingerprint(sha)}</dd></dl></div>`;
  const chain = chainOf(report, sha, chainShas);
  const sans = Array.isArray(cert.sans) ? cert.sans : [];
  const key = [cert.keyType, cert.keyBits ? `${cert.keyBits} bits` : ''].filter(Boolean).join(' ');
  return html`<div class="cert">
<div class="cert-head"><span class="role">${roleText}</span>${validity(cert, report.startedAt)}</div>
<dl>
${fileRow}<dt>Subject</dt><dd>${cert.subject}</dd>
<dt>Names (SAN)</dt><dd>${sans.length ? sans.join(', ') : html`<span class="muted">none</span>`}</dd>
<dt>Issuer</dt><dd>${cert.issuer}</dd>
<dt>Valid</dt><dd>${utc(cert.notBefore)} &ndash; ${utc(cert.notAfter)}</dd>
${key ? html`<dt>Key</dt><dd>${key}</dd>` : ''}
${cert.signatureAlgorithm ? html`<dt>Signature</dt><dd>${cert.signatureAlgorithm}</dd>` : ''}
<dt>SHA-256</dt><dd class="fp">${fingerprint(cert.sha256 ?? sha)}</dd>
</dl>
${
  chain.length > 1
    ? html`<span class="lbl chain-lbl">Issuer chain (${chainShas.length ? 'as sent' : 'by issuer name'})</span><ol class="chain">${chain.map(
        (c) => html`<li>${c.subject} <span class="muted">&middot; expires ${day(c.notAfter)}</span><br><span class="fp mono">${fingerprint(c.sha256)}</span></li>`,
      )}</ol>`
    : ''
}
</div>`;
}

function certificates(report: RunReport, group: EndpointGroup): SafeHtml {
  const seen = new Map<string, { chain: string[]; role: 'client' | 'server'; file?: string }>();
  for (const { result } of group.results) {
    const sha = evidenceString(result, 'certSha256');
    if (!sha) continue;
    const entry = seen.get(sha);
    const chain = evidenceStrings(result, 'chainSha256');
    const role = certRoleOf(result);
    // The client certificate comes from the plan: its file says which one it was.
    const file = role === 'client' ? evidenceString(result, 'certFile') : undefined;
    if (!entry) seen.set(sha, { chain, role, file });
    else {
      if (!entry.chain.length && chain.length) entry.chain = chain;
      entry.file ??= file;
    }
  }
  if (!seen.size) return html``;
  return html`<div class="certs">${[...seen].map(([sha, { chain, role, file }]) => certificateCard(report, sha, chain, role, file))}</div>`;
}

/** Transcript id → the anchor of its one full copy (the first place that shows it). */
type TranscriptAnchors = Map<string, string>;

/** The results that point at each transcript: they say what the session was for and whether it matters. */
type TranscriptUses = Map<string, { checks: string[]; statuses: Set<Status> }>;

function transcriptUses(report: RunReport): TranscriptUses {
  const uses: TranscriptUses = new Map();
  for (const r of report.results) {
    const id = evidenceString(r, 'transcript');
    if (!id) continue;
    let u = uses.get(id);
    if (!u) uses.set(id, (u = { checks: [], statuses: new Set() }));
    if (!u.checks.includes(r.check)) u.checks.push(r.check);
    u.statuses.add(statusOf(r.status));
  }
  return uses;
}

function checkList(checks: string[]): string {
  if (checks.length <= 3) return checks.join(', ');
  return `${checks.slice(0, 2).join(', ')} and ${checks.length - 2} more checks`;
}

function transcriptLines(lines: TranscriptLine[]): SafeHtml {
  const shown = lines.slice(0, MAX_TRANSCRIPT_LINES);
  const dirs: Record<string, string> = { recv: 'S', send: 'C', info: '*' };
  const rows = shown.map((l) => {
    const dir = typeof l?.dir === 'string' && l.dir in dirs ? l.dir : 'info';
    const t = typeof l?.t === 'number' && Number.isFinite(l.t) ? (l.t / 1000).toFixed(3) : '';
    return html`<span class="ln ${raw(dir)}"><span class="ts">${t}</span><span class="dir">${dirs[dir]}</span><span class="tl">${l?.tls ? 'TLS' : ''}</span>${l?.line}</span>`;
  });
  const more = lines.length > shown.length ? html`<span class="ln more">&hellip; ${lines.length - shown.length} more lines not shown (the JSON report has them all)</span>` : '';
  return html`${rows}${more}`;
}

function transcriptIds(group: EndpointGroup): string[] {
  return [...new Set(group.results.map((r) => evidenceString(r.result, 'transcript')).filter((x): x is string => Boolean(x)))];
}

function transcripts(report: RunReport, group: EndpointGroup, section: Section, anchors: TranscriptAnchors, uses: TranscriptUses): SafeHtml {
  // A session that an endpoint's results also point at is shown under that endpoint.
  const underEndpoints = group.endpoint === null ? new Set(section.endpoints.filter((g) => g.endpoint !== null).flatMap(transcriptIds)) : new Set<string>();
  const ids = transcriptIds(group).filter((id) => !underEndpoints.has(id));
  return html`${ids.map((id) => {
    const lines = transcriptOf(report, id);
    if (!lines?.length) return '';
    const use = uses.get(id) ?? { checks: [], statuses: new Set<Status>() };
    // DNS checks record their queries and answers in the same form as an SMTP dialogue.
    const dns = use.checks.length > 0 && use.checks.every((c) => c.startsWith('dns.'));
    const title = dns ? `DNS lookups${group.endpoint ? ` for ${group.endpoint}` : ''}` : `SMTP transcript of ${group.endpoint ?? 'the session'}`;
    const shown = anchors.get(id);
    if (shown) return html`<p class="muted same">The same ${dns ? 'lookups are' : 'SMTP session is'} shown above: <a href="#${raw(shown)}">${title}</a>.</p>`;
    const anchor = `tx${anchors.size + 1}`;
    anchors.set(id, anchor);
    const quiet = [...use.statuses].every((st) => st === 'pass' || st === 'skipped');
    const legend = dns
      ? 'C: the query relaycheck sent · S: the answer · *: note · times in seconds from the start of the lookups'
      : 'C: relaycheck · S: the server · *: note · TLS: after STARTTLS · times in seconds from connect · credentials redacted';
    return html`<details class="transcript${raw(quiet ? ' quiet' : '')}" id="${raw(anchor)}"><summary>${title} <span class="muted">${use.checks.length ? html`&middot; for ${checkList(use.checks)} ` : ''}&middot; ${plural(lines.length, 'line')} &middot; ${transcriptSeconds(lines).toFixed(2)} s</span></summary>
<div class="legend">${legend}</div><pre class="tx">${transcriptLines(lines)}</pre></details>`;
  })}`;
}

function endpointBlock(report: RunReport, group: EndpointGroup, section: Section, anchors: TranscriptAnchors, uses: TranscriptUses): SafeHtml {
  const heading = group.endpoint
    ? html`<h3>${group.endpoint}<span class="kind">endpoint</span></h3>`
    : section.connector === null
      ? '' // the section's own heading says it: domain and plan
      : html`<h3>Settings and account<span class="kind">not tied to one endpoint</span></h3>`;
  return html`<div class="endpoint">${heading}
<table class="results"><thead><tr><th>Status</th><th>Check</th><th>Finding</th></tr></thead><tbody>
${group.results.map(resultRow)}
</tbody></table>
${certificates(report, group)}
${transcripts(report, group, section, anchors, uses)}
</div>`;
}

function sectionBlock(report: RunReport, section: Section, n: number, anchors: TranscriptAnchors, uses: TranscriptUses): SafeHtml {
  const id = `s${n}`;
  const sum = STATUSES.filter((k) => section.summary[k]).map((k) => `${section.summary[k]} ${k}`).join(' · ');
  return html`<section class="group" id="${raw(id)}">
<p class="eyebrow">${sectionKind(section)}</p>
<div class="group-head"><h2>${section.title}</h2>${badge(section.verdict)}<span class="sum">${sum}</span></div>
${section.endpoints.map((g) => endpointBlock(report, g, section, anchors, uses))}
</section>`;
}

export function renderHtml(report: RunReport): string {
  const summary = summaryOfReport(report);
  const verdict = statusOf(report.verdict);
  const sections = sectionsOf(report);
  const anchors: TranscriptAnchors = new Map();
  const uses = transcriptUses(report);
  const title = `relaycheck ${STATUS_LABEL[verdict]}: ${report.plan?.organization ?? report.plan?.domain ?? ''} — ${utc(report.startedAt)}`;
  const doc = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="relaycheck ${report.tool?.version ?? ''}">
<title>${title}</title>
<style>${raw(STYLESHEET)}</style>
</head>
<body>
<main class="page">
${header(report, summary, verdict)}
${notices(report)}
${contents(sections)}
${attention(report)}
${changes(report)}
${sections.map((s, i) => sectionBlock(report, s, i + 1, anchors, uses))}
<footer>Generated by relaycheck ${report.tool?.version ?? ''} from the JSON report (schema ${String(report.schemaVersion)}), which holds every detail and can be re-rendered with <code>relaycheck report</code>.
Server text is shown as received, with control characters removed and lines over 4 KB cut; credentials are redacted.</footer>
</main>
</body>
</html>
`;
  return doc.value;
}
