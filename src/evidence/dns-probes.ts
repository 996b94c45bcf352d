// What each DNS probe returns (plain JSON): the answers checks judge. The probe ids are the keys
// checks list in `requires`.
import type { TranscriptLine } from '../types.js';
import type { DnsAnswer } from './dns.js';

export const DNS_PROBES = {
  mx: 'dns-mx',
  spf: 'dns-spf',
  dkim: 'dns-dkim',
  dmarc: 'dns-dmarc',
  mtaSts: 'dns-mta-sts',
  tlsRpt: 'dns-tls-rpt',
  tlsa: 'dns-tlsa',
  host: 'dns-host',
} as const;

interface WithTranscript {
  /** the questions asked and the answers, for the report */
  transcript: TranscriptLine[];
}

export interface MxProbeData extends WithTranscript {
  domain: string;
  mx: DnsAnswer;
  /** A and AAAA of every MX host (at most 10) */
  hosts: Record<string, { a: DnsAnswer; aaaa: DnsAnswer }>;
}

export interface SpfProbeData extends WithTranscript {
  domain: string;
  /** every answer the SPF walk needed, by "TYPE name" (e.g. "TXT _spf.contoso.com") */
  answers: Record<string, DnsAnswer>;
  /** the relay addresses the walk evaluated check_host() for */
  relayRanges: string[];
  /** false when the walk stopped at its bound before everything was fetched */
  complete: boolean;
}

export interface DkimSelectorData {
  selector: string;
  /** selector1._domainkey.contoso.com */
  name: string;
  cname: DnsAnswer;
  /** TXT at the CNAME target (the key Microsoft publishes once DKIM signing is enabled) */
  target?: DnsAnswer;
  /** TXT at the selector name itself, asked when there is no CNAME (a self-managed key) */
  txt?: DnsAnswer;
}

export interface DkimProbeData extends WithTranscript {
  domain: string;
  selectors: DkimSelectorData[];
}

export interface DmarcProbeData extends WithTranscript {
  domain: string;
  answer: DnsAnswer;
  /** _dmarc at the parent domains (nearest first, down to two labels), asked when the domain has none */
  parents: DnsAnswer[];
}

export interface TlsRptProbeData extends WithTranscript {
  domain: string;
  answer: DnsAnswer;
}

export type PolicyFetchErrorKind = 'dns' | 'connect' | 'timeout' | 'tls' | 'http' | 'redirect' | 'too-large' | 'aborted';

export interface PolicyFetch {
  url: string;
  host: string;
  /** the address connected to */
  address?: string;
  /** where the address came from: the plan's resolve (like curl --resolve) or DNS */
  addressSource?: 'plan' | 'dns';
  /** HTTP status */
  status?: number;
  contentType?: string;
  location?: string;
  /** the body, at most 64 KiB */
  body?: string;
  tls?: { authorized: boolean; authorizationError?: string; protocol?: string };
  error?: { kind: PolicyFetchErrorKind; message: string };
  ms: number;
}

export interface MtaStsProbeData extends WithTranscript {
  domain: string;
  txt: DnsAnswer;
  policy: PolicyFetch;
}

export interface TlsaProbeData extends WithTranscript {
  host: string;
  port: number;
  /** _25._tcp.mail.contoso.com */
  name: string;
  answer: DnsAnswer;
}

export interface ReverseCheck {
  address: string;
  ptr: DnsAnswer;
  /** each PTR name and the addresses it resolves to (same family) */
  names: { name: string; addresses: string[]; status: DnsAnswer['status'] }[];
  /** some PTR name resolves back to the address (forward-confirmed reverse DNS) */
  confirmed: boolean;
}

export interface HostProbeData extends WithTranscript {
  host: string;
  a: DnsAnswer;
  aaaa: DnsAnswer;
  reverse: ReverseCheck[];
}
