// What the exo-ranges probe hands to firewall.office365-ranges: the refreshed copy of the Exchange
// Online ranges from the per-user state folder (relaycheck ranges --from FILE), if there is one.
import type { ExoRanges } from '../exo/ranges.js';

export const EXO_RANGES_PROBE = 'exo-ranges';

export interface ExoRangesProbeData {
  /** the state file looked at */
  file: string;
  refreshed?: ExoRanges;
  /** the file is there but cannot be used */
  problem?: string;
}
