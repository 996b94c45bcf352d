// `relaycheck ranges [--from FILE]`: refresh the Exchange Online ranges (TCP 25) from the endpoints
// web service JSON an admin downloaded, or show which copy the firewall check uses and how old it is.
import { UsageError } from '../errors.js';
import { SHIPPED_RANGES } from '../exo/ranges.js';
import { newestRanges, rangesStatePath, readRefreshedRanges, saveRefreshedRanges } from '../exo/ranges-refresh.js';

const DAY = 86_400_000;
const age = (asOf: string, now: Date) => Math.floor((now.getTime() - Date.parse(asOf)) / DAY);

export function rangesCommand(from: string | undefined, now = new Date()): string {
  const path = rangesStatePath();
  if (from) {
    let saved;
    try {
      saved = saveRefreshedRanges(from, path);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new UsageError([{ file: from, message: e.code ? `cannot read or write: ${e.code} (${e.path ?? from})` : `${e.message}` }]);
    }
    const used = saved.asOf > SHIPPED_RANGES.asOf ? 'relaycheck uses it from now on' : `the shipped copy (as of ${SHIPPED_RANGES.asOf}) is newer and stays in use`;
    return `Wrote ${saved.ipv4.length} IPv4 and ${saved.ipv6.length} IPv6 ranges (Exchange, TCP 25, as of ${saved.asOf}) to ${path}; ${used}.\n`;
  }
  const refreshed = readRefreshedRanges(path);
  const list = newestRanges(SHIPPED_RANGES, refreshed instanceof Error ? undefined : refreshed);
  const which = list === SHIPPED_RANGES ? 'the copy shipped with relaycheck' : `the refreshed copy in ${path}`;
  const lines = [`In use: ${which}, as of ${list.asOf} (${age(list.asOf, now)} days old)`, ...list.ipv4.map((r) => `  ${r}`), ...list.ipv6.map((r) => `  ${r}`)];
  if (refreshed instanceof Error) lines.push(`Not used: ${refreshed.message}`);
  if (age(list.asOf, now) > 60) lines.push('Older than 60 days: download https://endpoints.office.com/endpoints/worldwide?ServiceAreas=Exchange&clientrequestid=<a new GUID> and run relaycheck ranges --from that file.');
  return `${lines.join('\n')}\n`;
}
