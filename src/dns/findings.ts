// Small helpers DNS checks share: the "could not decide" finding for failed lookups, shortening
// hostile record text for messages, and zone-file lines to publish.
import type { Finding } from '../types.js';
import { answerEvidence, answerSentence } from './answer.js';
import type { DnsAnswer } from '../evidence/dns.js';

/** What to do when a lookup itself failed (not the check's own remediation, which is about records). */
export const LOOKUP_REMEDIATION = 'Check that the resolvers in dns.servers (or /etc/resolv.conf) answer for this name, then run again.';

/** A lookup that failed (SERVFAIL, REFUSED, timeout, …): the check cannot decide. */
export function lookupError(answer: DnsAnswer): Finding {
  return {
    status: 'error',
    message: `could not decide: ${answerSentence(answer)}`,
    remediation: LOOKUP_REMEDIATION,
    evidence: { dns: answerEvidence(answer) },
  };
}

/** A record quoted in a message, cut to a readable length. */
export function quote(text: string, max = 120): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

/** A TXT record in zone-file form, split into 255-byte strings where needed. */
export function txtLine(name: string, value: string): string {
  const parts: string[] = [];
  for (let i = 0; i < value.length; i += 255) parts.push(JSON.stringify(value.slice(i, i + 255)));
  return `${name}. 3600 IN TXT ${parts.join(' ') || '""'}`;
}
