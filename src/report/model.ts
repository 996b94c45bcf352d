// Views of a RunReport that several reporters and the history store share: results grouped into
// sections (one per connector / submission account, domain-level results in their own), the
// certificates and transcripts results link to through their evidence, days left on
// certificates and SMTP session durations. Saved reports are re-rendered, so every field read
// here is checked for its type rather than trusted.
import { countStatuses, worstStatus } from '../status.js';
import { STATUS_RANK, type CertificateSummary, type CheckResult, type RunReport, type Status, type Summary, type TranscriptLine } from '../types.js';

export const STATUSES: Status[] = ['pass', 'warn', 'fail', 'error', 'skipped'];
export const STATUS_LABEL: Record<Status, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', error: 'ERROR', skipped: 'SKIPPED' };

/** A status from a saved report; anything unknown counts as `error` (could not decide). */
export function statusOf(value: unknown): Status {
  return typeof value === 'string' && value in STATUS_RANK ? (value as Status) : 'error';
}

export function isFailing(status: Status): boolean {
  return status === 'fail' || status === 'error';
}

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

export function evidenceString(r: CheckResult, key: string): string | undefined {
  const v = (r.evidence as Record<string, unknown> | undefined)?.[key];
  return typeof v === 'string' && v ? v : undefined;
}

export function evidenceStrings(r: CheckResult, key: string): string[] {
  const v = (r.evidence as Record<string, unknown> | undefined)?.[key];
  if (typeof v === 'string' && v) return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.length > 0) : [];
}

/**
 * The TLS protocol a result observed: `evidence.tlsVersion` ("TLSv1.3", as Node's getProtocol()
 * reports it), or `evidence.protocol` when it names a TLS/SSL version.
 */
export function tlsVersionOf(r: CheckResult): string | undefined {
  const v = evidenceString(r, 'tlsVersion') ?? evidenceString(r, 'protocol');
  return v && /^(TLS|SSL)/i.test(v) ? v : undefined;
}

/** Whose certificate a result's evidence.certSha256 names: relaycheck's own client certificate or the server's. */
export function certRoleOf(r: CheckResult): 'client' | 'server' {
  return r.check === 'tls.client-certificate' || evidenceString(r, 'certRole') === 'client' ? 'client' : 'server';
}

export function certificateOf(report: RunReport, sha256: string): CertificateSummary | undefined {
  const c = report.certificates?.[sha256];
  return c && typeof c === 'object' ? c : undefined;
}

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

export interface EndpointCertificate {
  /** host:port, or the connector's name for results without an endpoint */
  where: string;
  endpoint: string | null;
  connector: string | null;
  role: 'client' | 'server';
  sha256: string;
}

/**
 * Which presented certificate an EndpointCertificate is, across runs: the server's certificate
 * belongs to the endpoint; the client certificate to the connector.
 */
export function certificateSlot(c: Pick<EndpointCertificate, 'role' | 'connector' | 'where'>): string {
  return c.role === 'server' ? `server|${c.where}` : `client|${c.connector ?? ''}|${c.where}`;
}

/** The certificate each endpoint presented (and the client certificate relaycheck presented). */
export function endpointCertificates(report: RunReport): EndpointCertificate[] {
  const votes = new Map<string, { first: EndpointCertificate; counts: Map<string, number> }>();
  for (const r of report.results) {
    const sha = evidenceString(r, 'certSha256');
    if (!sha) continue;
    const endpoint = typeof r.endpoint === 'string' ? r.endpoint : null;
    const connector = typeof r.connector === 'string' ? r.connector : null;
    const role = certRoleOf(r);
    const where = endpoint ?? connector ?? 'plan';
    const key = certificateSlot({ role, connector, where });
    let v = votes.get(key);
    if (!v) votes.set(key, (v = { first: { where, endpoint, connector, role, sha256: sha }, counts: new Map() }));
    v.counts.set(sha, (v.counts.get(sha) ?? 0) + 1);
  }
  return [...votes.values()].map(({ first, counts }) => {
    let best = first.sha256;
    for (const [sha, n] of counts) if (n > (counts.get(best) ?? 0)) best = sha;
    return { ...first, sha256: best };
  });
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

function hexOf(sha256: string): string | undefined {
  const hex = String(sha256).replace(/:/g, '');
  return /^[0-9a-f]{64}$/i.test(hex) ? hex.toUpperCase() : undefined;
}

/** A SHA-256 fingerprint (hex, with or without colons) as AB:CD:…; anything else as it is. */
export function fingerprint(sha256: string): string {
  const hex = hexOf(sha256);
  return hex ? hex.match(/../g)!.join(':') : String(sha256);
}

/** "AB:CD:EF:01…89:AB" — short enough for a sentence. */
export function shortFingerprint(sha256: string): string {
  const hex = hexOf(sha256);
  return hex ? `${fingerprint(hex).slice(0, 11)}…${fingerprint(hex).slice(-5)}` : String(sha256).slice(0, 24);
}

/** Where a result applies, for sentences: "mail.contoso.com:25 (Relay)", "Relay", "the domain". */
export function placeOf(r: Pick<CheckResult, 'connector' | 'endpoint'>): string {
  if (r.endpoint && r.connector) return `${r.endpoint} (${r.connector})`;
  return r.endpoint ?? r.connector ?? 'the domain';
}
