// Counting and ranking result statuses: the runner's summary and verdict, and the reporters'
// per-section counts, use the same two functions.
import { STATUS_RANK, type Status, type Summary } from './types.js';

export function countStatuses(statuses: Iterable<Status>): Summary {
  const summary: Summary = { pass: 0, warn: 0, fail: 0, error: 0, skipped: 0 };
  for (const s of statuses) summary[s]++;
  return summary;
}

/** The worst status by STATUS_RANK; "pass" for nothing at all. */
export function worstStatus(statuses: Status[]): Status {
  let worst: Status = statuses.length ? 'skipped' : 'pass';
  for (const s of statuses) if (STATUS_RANK[s] > STATUS_RANK[worst]) worst = s;
  return worst;
}
