// The report formats relaycheck can write: name → file extension and pure renderer.
import { renderConsole } from './console.js';
import { renderJson } from './json.js';
import type { RunReport } from '../types.js';

export interface RenderContext {
  color: boolean;
  width?: number;
}

export interface ReportFormat {
  name: string;
  extension: string;
  render(report: RunReport, ctx: RenderContext): string;
}

export const FORMATS: ReportFormat[] = [
  { name: 'console', extension: 'txt', render: (r, ctx) => renderConsole(r, { color: ctx.color, width: ctx.width }) },
  { name: 'json', extension: 'json', render: (r) => renderJson(r) },
];

export function formatByName(name: string): ReportFormat | undefined {
  return FORMATS.find((f) => f.name === name);
}
