// Reading a result and its evidence, shared by the reporters (src/report/model.ts re-exports
// it) and the history store, which must not depend on the report model: statuses of saved
// reports, evidence fields, the certificate each endpoint presented, where a result applies.
// Saved reports are read back, so every field is checked for its type rather than trusted.
import { STATUS_RANK, type CertificateSummary, type CheckResult, type RunReport, type Status } from '../types.js';

export const STATUSES: Status[] = ['pass', 'warn', 'fail', 'error', 'skipped'];

export const STATUS_LABEL: Record<Status, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', error: 'ERROR', skipped: 'SKIPPED' };

/** A status from a saved report; anything unknown counts as `error` (could not decide). */
export function statusOf(value: unknown): Status {
  return typeof value === 'string' && value in STATUS_RANK ? (value as Status) : 'error';
}

export function isFailing(status: Status): boolean {
  return status === 'fail' || status === 'error';
}

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
