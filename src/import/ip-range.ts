// New-InboundConnector's SenderIPAddresses takes IPv4 ranges ("192.0.2.1-192.0.2.30") besides single
// addresses and CIDR blocks; the plan holds CIDR blocks only. A range becomes the fewest CIDR blocks
// that cover exactly its addresses, so the regenerated connector accepts the same senders.
import { isIP } from 'node:net';

function toInt(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function toIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** "192.0.2.1-192.0.2.30" → ["192.0.2.1/32", "192.0.2.2/31", …]; null when it is not an IPv4 range. */
export function rangeToCidrs(range: string): string[] | null {
  const m = /^\s*([\d.]+)\s*-\s*([\d.]+)\s*$/.exec(range);
  if (!m || isIP(m[1]) !== 4 || isIP(m[2]) !== 4) return null;
  let start = toInt(m[1]);
  const end = toInt(m[2]);
  if (start > end) return null;
  const out: string[] = [];
  while (start <= end) {
    // the largest block that starts here (aligned) and does not pass the end
    let size = 1;
    while (size < 2 ** 32 && start % (size * 2) === 0 && start + size * 2 - 1 <= end) size *= 2;
    out.push(`${toIp(start)}/${32 - Math.log2(size)}`);
    start += size;
  }
  return out;
}
