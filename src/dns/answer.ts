// Reading DnsAnswers in checks: typed record access, and the sentences that keep NXDOMAIN,
// NODATA, SERVFAIL, REFUSED and timeouts apart in findings.
import type { DnsAnswer, DnsRecord, DnsRecordOf } from '../evidence/dns.js';

export function recordsOf<T extends DnsRecord['type']>(answer: DnsAnswer | undefined, type: T): DnsRecordOf<T>[] {
  return (answer?.records ?? []).filter((r): r is DnsRecordOf<T> => r.type === type);
}

export function txtOf(answer: DnsAnswer | undefined): string[] {
  return recordsOf(answer, 'TXT').map((r) => r.data);
}

/** Lower case, no trailing dot. */
export function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/\.+$/, '');
}

/** The lookup itself failed: the check cannot decide (status error), as opposed to "no record". */
export function lookupFailed(answer: DnsAnswer | undefined): boolean {
  return !answer || !['ok', 'nxdomain', 'nodata'].includes(answer.status);
}

/** "the name does not exist (NXDOMAIN)" style text, for any status. */
export function describeAnswer(answer: DnsAnswer | undefined): string {
  if (!answer) return 'was not looked up';
  const where = answer.server ? ` from ${answer.server}` : '';
  switch (answer.status) {
    case 'ok':
      return `has ${answer.records.length} ${answer.type} record${answer.records.length === 1 ? '' : 's'}`;
    case 'nxdomain':
      return `does not exist (NXDOMAIN${where})`;
    case 'nodata':
      return `exists but has no ${answer.type} record (NODATA${where})`;
    case 'servfail':
      return `could not be resolved: the resolver answered SERVFAIL${where}`;
    case 'refused':
      return `could not be resolved: the resolver answered REFUSED${where}`;
    case 'timeout':
      return `could not be resolved: ${answer.error ?? `no answer in time${where}`}`;
    case 'unreachable':
      return `could not be resolved: ${answer.error ?? 'no resolver reachable'}`;
    case 'error':
      return `could not be resolved: ${answer.error ?? 'DNS error'}`;
  }
}

/** "TXT _dmarc.contoso.com does not exist (NXDOMAIN)". */
export function answerSentence(answer: DnsAnswer): string {
  return `${answer.type} ${answer.name} ${describeAnswer(answer)}`;
}

/** Evidence for reports: the answer without timing noise. */
export function answerEvidence(answer: DnsAnswer | undefined): Record<string, unknown> | undefined {
  if (!answer) return undefined;
  return {
    name: answer.name,
    type: answer.type,
    status: answer.status,
    ...(answer.rcode ? { rcode: answer.rcode } : {}),
    ad: answer.ad,
    ...(answer.cnames.length ? { cnames: answer.cnames } : {}),
    records: answer.records.map(recordText),
    ...(answer.server ? { server: answer.server } : {}),
  };
}

/** Presentation format of a record's data, e.g. "10 mail.contoso.com." for MX. */
export function recordText(r: DnsRecord): string {
  switch (r.type) {
    case 'MX':
      return `${r.preference} ${r.exchange}`;
    case 'TXT':
      return JSON.stringify(r.data);
    case 'TLSA':
      return `${r.usage} ${r.selector} ${r.matchingType} ${r.data}`;
    case 'SOA':
      return `${r.mname} ${r.rname} ${r.serial}`;
    default:
      return r.data;
  }
}
