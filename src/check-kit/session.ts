// Helpers for checks that read the SMTP session probe (`smtp-session`): the session of a check
// input, TLS version names, and the Exchange Online facts several session checks quote
// (the ranges: src/exo/ranges.ts). Pure: no I/O.
import { SMTP_SESSION_PROBE as SESSION_PROBE, type SmtpSession } from '../evidence/smtp.js';
import type { Endpoint, PlanEntry, Subject } from '../types.js';

export { SESSION_PROBE };
/** "1 s", "300 ms": the probes' own duration format. */
export { formatMs as ms } from '../duration.js';

export function sessionOf(probes: Record<string, unknown>): SmtpSession {
  const s = probes[SESSION_PROBE] as SmtpSession | undefined;
  if (!s || !Array.isArray(s.transcript)) throw new Error('no smtp-session data');
  return s;
}

export function endpointOf(subject: Subject): { entry: PlanEntry; endpoint: Endpoint } {
  if (subject.scope !== 'endpoint') throw new Error('endpoint checks only');
  return { entry: subject.entry, endpoint: subject.endpoint };
}

/** "TLSv1" → "TLS 1.0", "TLSv1.2" → "TLS 1.2" */
export function versionName(v: string): string {
  if (v === 'TLSv1') return 'TLS 1.0';
  return v.replace(/^TLSv/, 'TLS ').replace(/^SSLv/, 'SSL ');
}

/** ["TLSv1", "TLSv1.1"] → "TLS 1.0/1.1" */
export function versionList(versions: string[]): string {
  const nums = versions.map((v) => versionName(v).replace(/^(TLS|SSL) /, ''));
  return nums.length ? `TLS ${nums.join('/')}` : 'no TLS version';
}

/** Versions the scan found accepted, in protocol order. */
export function acceptedVersions(session: SmtpSession): string[] {
  const order = ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
  const acc = session.versionScan?.accepted ?? {};
  return order.filter((v) => acc[v]);
}

export function isLegacyVersion(v: string | null | undefined): boolean {
  return v === 'SSLv2' || v === 'SSLv3' || v === 'TLSv1' || v === 'TLSv1.1';
}
