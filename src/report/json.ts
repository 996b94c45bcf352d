// The JSON report: the single source of truth (schemaVersion 1, DESIGN §4). Other formats can be
// re-rendered from it with `relaycheck report RUN.json`.
import type { RunReport } from '../types.js';

export function renderJson(report: RunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
