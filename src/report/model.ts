// Views of a RunReport that several reporters share: results grouped into
// sections (one per connector / submission account, domain-level results in their own), the
// certificates and transcripts results link to through their evidence, days left on
// certificates and SMTP session durations. Saved reports are re-rendered, so every field read
// here is checked for its type rather than trusted.
import { countStatuses, worstStatus } from '../status.js';
import { type CertificateSummary, type CheckResult, type RunReport, type Status, type Summary, type TranscriptLine } from '../types.js';
import { certificateOf, evidenceString, evidenceStrings, statusOf } from '../results/evidence.js';

export * from '../results/evidence.js';

export interface IndexedResult {
  result: CheckResult;
  /** position in report.results: a stable anchor across formats */
  index: number;
}

export interface EndpointGroup {
  /** host:port, or null for results about the whole connector / account / domain */
  endpoint: string | null;
  results: IndexedResult[];
}

export interface Section {
  /** null for domain- and plan-level results */
  connector: string | null;
  title: string;
  results: IndexedResult[];
  endpoints: EndpointGroup[];
  summary: Summary;
  verdict: Status;
}

/** The counts of a report's results by status, recomputed (a saved report's summary is not trusted). */
export function summaryOf(report: Pick<RunReport, 'results'>): Summary {
  return countStatuses(report.results.map((r) => statusOf(r.status)));
}

const PROBLEM_ORDER: Status[] = ['fail', 'error', 'warn'];

/** The results that need attention: failures, then undecided checks, then warnings, each in report order. */
export function problemsOf(report: Pick<RunReport, 'results'>): (IndexedResult & { status: Status })[] {
  return report.results
    .map((result, index) => ({ result, index, status: statusOf(result.status) }))
    .filter((p) => PROBLEM_ORDER.includes(p.status))
    .sort((a, b) => PROBLEM_ORDER.indexOf(a.status) - PROBLEM_ORDER.indexOf(b.status) || a.index - b.index);
}

/** Results not tested because a check they need failed (evidence.rootCause), by root cause check id. */
export function knockOnsOf(report: Pick<RunReport, 'results'>): { total: number; byCause: Map<string, number> } {
  const byCause = new Map<string, number>();
  let total = 0;
  for (const r of report.results) {
    const cause = statusOf(r.status) === 'skipped' ? evidenceString(r, 'rootCause') : undefined;
    if (!cause) continue;
    total++;
    byCause.set(cause, (byCause.get(cause) ?? 0) + 1);
  }
  return { total, byCause };
}

export function domainSectionTitle(report: RunReport): string {
  return `Domain and plan: ${String(report.plan?.domain ?? '')}`;
}

/** Domain-level results first, then one section per connector / account in report order. */
export function sectionsOf(report: RunReport): Section[] {
  const byName = new Map<string | null, IndexedResult[]>();
  report.results.forEach((result, index) => {
    const name = typeof result.connector === 'string' ? result.connector : null;
    if (!byName.has(name)) byName.set(name, []);
    byName.get(name)!.push({ result, index });
  });
  const names = [...byName.keys()].sort((a, b) => (a === null ? -1 : b === null ? 1 : 0));
  return names.map((connector) => {
    const results = byName.get(connector)!;
    const endpoints = new Map<string | null, IndexedResult[]>();
    for (const ir of results) {
      const ep = typeof ir.result.endpoint === 'string' ? ir.result.endpoint : null;
      if (!endpoints.has(ep)) endpoints.set(ep, []);
      endpoints.get(ep)!.push(ir);
    }
    const statuses = results.map((r) => statusOf(r.result.status));
    const epNames = [...endpoints.keys()].sort((a, b) => (a === null ? -1 : b === null ? 1 : 0));
    return {
      connector,
      title: connector ?? domainSectionTitle(report),
      results,
      endpoints: epNames.map((endpoint) => ({ endpoint, results: endpoints.get(endpoint)! })),
      summary: countStatuses(statuses),
      verdict: worstStatus(statuses),
    };
  });
}

// ─── Evidence links ─────────────────────────────────────────────────────────────────────────

/** The leaf, then issuers: evidence.chainSha256 when given, else followed by issuer name. */
export function chainOf(report: RunReport, leafSha: string, chainShas: string[] = []): CertificateSummary[] {
  const leaf = certificateOf(report, leafSha);
  if (!leaf) return [];
  if (chainShas.length) {
    const listed = chainShas.map((s) => certificateOf(report, s)).filter((c): c is CertificateSummary => Boolean(c));
    return listed[0]?.sha256 === leaf.sha256 ? listed : [leaf, ...listed.filter((c) => c.sha256 !== leaf.sha256)];
  }
  const chain = [leaf];
  const all = Object.values(report.certificates ?? {});
  while (chain.length < 8) {
    const cur = chain[chain.length - 1];
    if (cur.issuer === cur.subject) break;
    const next = all.find((c) => c.subject === cur.issuer && !chain.includes(c));
    if (!next) break;
    chain.push(next);
  }
  return chain;
}

export const DAY_MS = 86_400_000;

/** Days from the run's start to the certificate's notAfter (negative once expired). */
export function daysLeft(cert: CertificateSummary, at: string): number | undefined {
  const end = Date.parse(cert.notAfter);
  const from = Date.parse(at);
  if (Number.isNaN(end) || Number.isNaN(from)) return undefined;
  return (end - from) / DAY_MS;
}

/** The fewest days left on any certificate an endpoint presented (leaf and the chain it sent). */
export function certDaysMin(report: RunReport): number | undefined {
  const shas = new Set<string>();
  for (const r of report.results) {
    for (const s of evidenceStrings(r, 'certSha256')) shas.add(s);
    for (const s of evidenceStrings(r, 'chainSha256')) shas.add(s);
  }
  const certs = shas.size ? [...shas].map((s) => certificateOf(report, s)).filter((c): c is CertificateSummary => Boolean(c)) : Object.values(report.certificates ?? {});
  let min: number | undefined;
  for (const c of certs) {
    const d = daysLeft(c, report.startedAt);
    if (d !== undefined && (min === undefined || d < min)) min = d;
  }
  return min;
}

export function transcriptOf(report: RunReport, id: string): TranscriptLine[] | undefined {
  const t = report.transcripts?.[id];
  return Array.isArray(t) ? t : undefined;
}

/** Seconds from the first to the last line of a transcript. */
export function transcriptSeconds(lines: TranscriptLine[]): number {
  let max = 0;
  for (const l of lines) if (typeof l?.t === 'number' && Number.isFinite(l.t) && l.t > max) max = l.t;
  return max / 1000;
}

/** The longest SMTP dialogue recorded for each endpoint, in seconds. */
export function sessionSecondsByEndpoint(report: RunReport): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of report.results) {
    if (typeof r.endpoint !== 'string') continue;
    const id = evidenceString(r, 'transcript');
    const lines = id ? transcriptOf(report, id) : undefined;
    if (!lines?.length) continue;
    out.set(r.endpoint, Math.max(out.get(r.endpoint) ?? 0, transcriptSeconds(lines)));
  }
  return out;
}

