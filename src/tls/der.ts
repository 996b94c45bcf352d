// A minimal, bounds-checked DER reader (X.690) for the few certificate fields node:crypto's
// X509Certificate does not expose in Node 20: the signature algorithm, validity as dates, subject
// attributes, subjectAltName entries, basicConstraints and key identifiers (RFC 5280 §4.1, §4.2).
// It exists so checks need not load @peculiar/x509 (~120 ms and ~20 MB at start-up, measured).

export interface Tlv {
  /** the identifier octet (single-octet tags only, which is all RFC 5280 uses) */
  tag: number;
  /** offset of the identifier octet */
  at: number;
  /** content start and end (exclusive) */
  start: number;
  end: number;
}

export class DerError extends Error {}

export function readTlv(buf: Uint8Array, pos: number, limit = buf.length): Tlv {
  if (pos + 2 > limit) throw new DerError(`truncated DER at offset ${pos}`);
  const tag = buf[pos]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError(`multi-octet tag at offset ${pos}`);
  let len = buf[pos + 1]!;
  let start = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new DerError(`unsupported length form at offset ${pos}`);
    if (start + n > limit) throw new DerError(`truncated length at offset ${pos}`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[start + i]!;
    start += n;
  }
  const end = start + len;
  if (end > limit) throw new DerError(`length ${len} at offset ${pos} runs past the end`);
  return { tag, at: pos, start, end };
}

/** The TLVs inside a constructed TLV. */
export function children(buf: Uint8Array, tlv: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let pos = tlv.start;
  while (pos < tlv.end) {
    const child = readTlv(buf, pos, tlv.end);
    out.push(child);
    pos = child.end;
  }
  return out;
}

export function contents(buf: Uint8Array, tlv: Tlv): Uint8Array {
  return buf.subarray(tlv.start, tlv.end);
}

export function decodeOid(bytes: Uint8Array): string {
  if (bytes.length === 0) throw new DerError('empty OID');
  const parts: number[] = [];
  let value = 0;
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(value);
      value = 0;
    }
  }
  const first = parts.shift()!;
  const a = first < 80 ? Math.floor(first / 40) : 2;
  return [a, first - a * 40, ...parts].join('.');
}

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

/** Directory string types (UTF8String, PrintableString, IA5String, BMPString, …) as text. */
export function decodeString(buf: Uint8Array, tlv: Tlv): string {
  const b = contents(buf, tlv);
  switch (tlv.tag) {
    case 0x0c: // UTF8String
      return utf8.decode(b);
    case 0x12: // NumericString
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x1a: // VisibleString
    case 0x14: // TeletexString (treated as Latin-1, as most software does)
      return latin1.decode(b);
    case 0x1e: {
      // BMPString: UTF-16BE
      let s = '';
      for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode((b[i]! << 8) | b[i + 1]!);
      return s;
    }
    case 0x1c: {
      // UniversalString: UTF-32BE
      let s = '';
      for (let i = 0; i + 3 < b.length; i += 4) s += String.fromCodePoint(((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0);
      return s;
    }
    default:
      return `#${Buffer.from(b).toString('hex')}`;
  }
}

/** UTCTime (YYMMDDHHMMSSZ, RFC 5280 §4.1.2.5.1) or GeneralizedTime (YYYYMMDDHHMMSS[.f]Z). */
export function decodeTime(buf: Uint8Array, tlv: Tlv): Date {
  const s = latin1.decode(contents(buf, tlv));
  const m =
    tlv.tag === 0x17
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(s)
      : tlv.tag === 0x18
        ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.\d+)?Z$/.exec(s)
        : null;
  if (!m) throw new DerError(`unsupported time ${JSON.stringify(s)}`);
  let year = Number(m[1]);
  if (tlv.tag === 0x17) year += year >= 50 ? 1900 : 2000;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)));
}
