// The DNS data probes hand to checks: one answer per (name, type), already matched to the
// question, with the outcome kept apart (NXDOMAIN, NODATA, SERVFAIL, REFUSED, timeout) and the AD bit.
// Plain JSON, no Buffers: it goes into reports and fixture files as it is.

export type DnsQueryType = 'A' | 'AAAA' | 'CNAME' | 'MX' | 'TXT' | 'TLSA' | 'PTR' | 'NS' | 'SOA';

/**
 * ok: records of the asked type exist. nxdomain: the name does not exist. nodata: the name exists
 * but has no record of that type. servfail / refused: the server's rcode. timeout: no (matching)
 * answer from any server in time. unreachable: every server refused the packet (ICMP, ECONNREFUSED).
 * error: anything else (FORMERR, NOTIMP, malformed answers, the run was aborted).
 */
export type DnsStatus = 'ok' | 'nxdomain' | 'nodata' | 'servfail' | 'refused' | 'timeout' | 'unreachable' | 'error';

interface NameRecord<T extends string> {
  type: T;
  name: string;
  ttl: number;
  /** the address or target name */
  data: string;
}

export type DnsRecord =
  | NameRecord<'A'>
  | NameRecord<'AAAA'>
  | NameRecord<'CNAME'>
  | NameRecord<'PTR'>
  | NameRecord<'NS'>
  /** `data` is the record's character-strings joined without separator (RFC 7208 §3.3). */
  | { type: 'TXT'; name: string; ttl: number; data: string }
  | { type: 'MX'; name: string; ttl: number; preference: number; exchange: string }
  /** `data` is the certificate association data, lowercase hex. */
  | { type: 'TLSA'; name: string; ttl: number; usage: number; selector: number; matchingType: number; data: string }
  | { type: 'SOA'; name: string; ttl: number; mname: string; rname: string; serial: number };

export interface DnsAnswer {
  /** the name asked (lower case, no trailing dot) */
  name: string;
  type: DnsQueryType;
  status: DnsStatus;
  /** the response code of the deciding answer, e.g. NOERROR, NXDOMAIN, SERVFAIL */
  rcode?: string;
  /** records of the asked type (after following CNAMEs); for CNAME questions the CNAME itself */
  records: DnsRecord[];
  /** CNAME targets followed from `name`, in order */
  cnames: string[];
  /** the AD (authenticated data) bit: a validating resolver vouched for the answer (RFC 4035 §3.2.3) */
  ad: boolean;
  /** RRSIG records covering the answer were served (the zone is signed; relaycheck does not verify them) */
  signed: boolean;
  /** host:port of the server whose answer decided, or the last one tried */
  server?: string;
  transport?: 'udp' | 'tcp';
  /** packets sent for this name (retries and servers included) */
  tries: number;
  ms: number;
  /** human text for anything but ok/nxdomain/nodata */
  error?: string;
  /** records beyond the bound were dropped */
  truncated?: boolean;
}

export type DnsRecordOf<T extends DnsRecord['type']> = Extract<DnsRecord, { type: T }>;
