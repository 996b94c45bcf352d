// Reads the refreshed Exchange Online ranges (relaycheck ranges --from FILE) from the per-user state
// folder, once per run. Never fails: a missing file is "none", a damaged one is reported as data.
import { EXO_RANGES_PROBE, type ExoRangesProbeData } from '../evidence/ranges.js';
import { rangesStatePath, readRefreshedRanges } from '../exo/ranges-refresh.js';
import type { ProbeDefinition } from '../types.js';

/** ctx.shared key that points the probe at another file (tests). */
export const SHARED_RANGES_PATH = 'exo-ranges.path';

export const exoRangesProbe: ProbeDefinition<ExoRangesProbeData> = {
  id: EXO_RANGES_PROBE,
  scope: 'plan',
  key: () => 'plan',
  async run(_subject, ctx) {
    const file = (ctx.shared.get(SHARED_RANGES_PATH) as string | undefined) ?? rangesStatePath();
    const read = readRefreshedRanges(file);
    if (read instanceof Error) return { file, problem: read.message };
    return read ? { file, refreshed: read } : { file };
  },
};
