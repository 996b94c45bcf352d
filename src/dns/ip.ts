// IPv4/IPv6 addresses and CIDR ranges as integer intervals: containment (SPF ip4:/ip6:, the
// firewall list), the parts of a range a list leaves uncovered, reverse names. Pure, no node:net.

export interface IpRange {
  family: 4 | 6;
  start: bigint;
  end: bigint; // inclusive
}

const V4_BITS = 32;
const V6_BITS = 128;

function bitsOf(family: 4 | 6): number {
  return family === 4 ? V4_BITS : V6_BITS;
}

function parseV4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p.startsWith('0'))) return null;
    const n = Number(p);
    if (n > 255) return null;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseV6(text: string): bigint | null {
  let s = text.replace(/%.*$/, ''); // zone id
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return null;
  let tail: bigint[] = [];
  // embedded IPv4 in the last 32 bits
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    const v4 = parseV4(s.slice(lastColon + 1));
    if (v4 === null) return null;
    tail = [v4 >> 16n, v4 & 0xffffn];
    const head = s.slice(0, lastColon); // "::ffff" or ":" (from "::1.2.3.4") or "1:2:3:4:5:6"
    s = head.endsWith(':') ? `${head}:` : head;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const group = (part: string): bigint[] | null => {
    if (part === '') return [];
    const out: bigint[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(BigInt(parseInt(g, 16)));
    }
    return out;
  };
  const head = group(halves[0]!);
  const rest = halves.length === 2 ? group(halves[1]!) : [];
  if (!head || !rest) return null;
  const total = head.length + rest.length + tail.length;
  let groups: bigint[];
  if (halves.length === 2) {
    if (total > 7) return null;
    groups = [...head, ...new Array<bigint>(8 - total).fill(0n), ...rest, ...tail];
  } else {
    if (total !== 8) return null;
    groups = [...head, ...tail];
  }
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** An address literal → family and value, or null. */
export function parseIp(text: string): { family: 4 | 6; value: bigint } | null {
  const t = text.trim();
  if (t.includes(':')) {
    const v = parseV6(t);
    return v === null ? null : { family: 6, value: v };
  }
  const v = parseV4(t);
  return v === null ? null : { family: 4, value: v };
}

export function ipFamily(text: string): 0 | 4 | 6 {
  return parseIp(text)?.family ?? 0;
}

/** Two literals for the same address, however written ("2001:db8::1" and "2001:DB8:0::1"). */
export function sameIp(a: string, b: string): boolean {
  const x = parseIp(a);
  const y = parseIp(b);
  return x !== null && y !== null && x.family === y.family && x.value === y.value;
}

/** "192.0.2.0/24", "2001:db8::/32" or a bare address (a /32 or /128). Host bits are masked off. */
export function parseCidr(text: string): IpRange | null {
  const [addr, mask, extra] = text.trim().split('/');
  if (extra !== undefined || addr === undefined) return null;
  const ip = parseIp(addr);
  if (!ip) return null;
  const bits = bitsOf(ip.family);
  let prefix = bits;
  if (mask !== undefined) {
    if (!/^\d{1,3}$/.test(mask)) return null;
    prefix = Number(mask);
    if (prefix > bits) return null;
  }
  return rangeOf(ip.family, ip.value, prefix);
}

export function rangeOf(family: 4 | 6, value: bigint, prefix: number): IpRange {
  const bits = bitsOf(family);
  const hostBits = BigInt(bits - prefix);
  const size = 1n << hostBits;
  const start = (value >> hostBits) << hostBits;
  return { family, start, end: start + size - 1n };
}

export function rangeContains(outer: IpRange, inner: IpRange): boolean {
  return outer.family === inner.family && outer.start <= inner.start && inner.end <= outer.end;
}

/** The parts of `required` that no range in `allowed` covers (the union of `allowed` counts). */
export function uncovered(required: IpRange, allowed: IpRange[]): IpRange[] {
  const relevant = allowed.filter((a) => a.family === required.family && a.end >= required.start && a.start <= required.end).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const gaps: IpRange[] = [];
  let cursor = required.start;
  for (const a of relevant) {
    if (a.start > cursor) gaps.push({ family: required.family, start: cursor, end: a.start - 1n < required.end ? a.start - 1n : required.end });
    if (a.end + 1n > cursor) cursor = a.end + 1n;
    if (cursor > required.end) break;
  }
  if (cursor <= required.end) gaps.push({ family: required.family, start: cursor, end: required.end });
  return gaps;
}

export function formatIp(family: 4 | 6, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((value >> BigInt(i * 16)) & 0xffffn).toString(16));
  // RFC 5952: compress the longest run of zero groups (length ≥ 2)
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** The smallest list of CIDR blocks that exactly covers an interval. */
export function rangeToCidrs(range: IpRange): string[] {
  const bits = bitsOf(range.family);
  const out: string[] = [];
  let start = range.start;
  while (start <= range.end) {
    let size = 0; // host bits of the block
    while (size < bits) {
      const next = size + 1;
      const blockSize = 1n << BigInt(next);
      if (start % blockSize !== 0n || start + blockSize - 1n > range.end) break;
      size = next;
    }
    out.push(`${formatIp(range.family, start)}/${bits - size}`);
    start += 1n << BigInt(size);
  }
  return out;
}

export function formatRange(range: IpRange): string {
  return rangeToCidrs(range).join(', ');
}

/** 192.0.2.10 → 10.2.0.192.in-addr.arpa; IPv6 → nibble form under ip6.arpa. */
export function reverseName(address: string): string | null {
  const ip = parseIp(address);
  if (!ip) return null;
  if (ip.family === 4) return `${formatIp(4, ip.value).split('.').reverse().join('.')}.in-addr.arpa`;
  const hex = ip.value.toString(16).padStart(32, '0');
  return `${hex.split('').reverse().join('.')}.ip6.arpa`;
}

const NON_PUBLIC = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '::1/128',
  '::/128',
  'fc00::/7',
  'fe80::/10',
].map((c) => parseCidr(c)!);

/** Private, loopback, link-local or CGNAT: not reachable from Exchange Online. */
export function isNonPublicAddress(address: string): boolean {
  const ip = parseIp(address);
  if (!ip) return false;
  const r: IpRange = { family: ip.family, start: ip.value, end: ip.value };
  return NON_PUBLIC.some((n) => rangeContains(n, r));
}
