// Helpers for writing checks: typing, and folding several observations into the one finding a
// check reports per subject (DESIGN §4: one result per check and subject).
import { STATUS_RANK, type CheckDefinition, type Finding, type Status } from '../types.js';

export function defineCheck(def: CheckDefinition): CheckDefinition {
  return def;
}

export interface Observation {
  status: Status;
  message: string;
  remediation?: string;
  exchangeOnline?: string;
  powershell?: string;
}

/** The worst observation decides the status; every non-passing one is named in the message. */
export function combine(observations: Observation[], passMessage: string, evidence?: Record<string, unknown>): Finding {
  const bad = observations.filter((o) => o.status !== 'pass');
  if (bad.length === 0) return { status: 'pass', message: passMessage, ...(evidence ? { evidence } : {}) };
  bad.sort((a, b) => STATUS_RANK[b.status] - STATUS_RANK[a.status]);
  const join = (key: 'remediation' | 'exchangeOnline' | 'powershell') => {
    const parts = [...new Set(bad.map((o) => o[key]).filter((x): x is string => Boolean(x)))];
    return parts.length ? parts.join(key === 'powershell' ? '\n' : ' ') : undefined;
  };
  const finding: Finding = { status: bad[0].status, message: bad.map((o) => o.message).join('; ') };
  const remediation = join('remediation');
  const exchangeOnline = join('exchangeOnline');
  const powershell = join('powershell');
  if (remediation) finding.remediation = remediation;
  if (exchangeOnline) finding.exchangeOnline = exchangeOnline;
  if (powershell) finding.powershell = powershell;
  if (evidence) finding.evidence = evidence;
  return finding;
}

/** "*.contoso.com" or "mail.contoso.com" lies in `domain` (equal or a subdomain). */
export function nameWithinDomain(name: string, domain: string): boolean {
  const bare = name.toLowerCase().replace(/^\*\./, '').replace(/\.$/, '');
  const d = domain.toLowerCase().replace(/\.$/, '');
  return bare === d || bare.endsWith(`.${d}`);
}
