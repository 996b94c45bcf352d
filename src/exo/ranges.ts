// The Exchange Online addresses that connect to smart hosts on TCP 25: one dated copy, read from
// data/exchange-online-ranges.json (Microsoft 365 endpoint list, service area Exchange, TCP 25).
import ranges from '../../data/exchange-online-ranges.json' with { type: 'json' };

export interface ExoRanges {
  /** the day the copy was taken (YYYY-MM-DD) */
  asOf: string;
  source: string;
  ipv4: string[];
  ipv6: string[];
}

export const SHIPPED_RANGES: ExoRanges = ranges;

/** Every shipped range, IPv4 first, as the list writes them. */
export const EXO_SENDING_RANGES: readonly string[] = [...SHIPPED_RANGES.ipv4, ...SHIPPED_RANGES.ipv6];
