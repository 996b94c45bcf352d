// The report formats relaycheck can write: name → file extension and pure renderer.
import { renderConsole } from './console.js';
import { renderJson } from './json.js';
import { renderHtml } from './html.js';
import { renderJunit } from './junit.js';
import { renderNagios } from './nagios.js';
import { renderPrometheus } from './prometheus.js';
import { FORMAT_INFO, type FormatInfo } from './output.js';
import type { RunReport } from '../types.js';

export interface RenderContext {
  color: boolean;
  width?: number;
  /** console: every check as a row */
  verbose?: boolean;
}

export interface ReportFormat extends FormatInfo {
  render(report: RunReport, ctx: RenderContext): string;
}

const RENDERERS: Record<string, ReportFormat['render']> = {
  console: (r, ctx) => renderConsole(r, { color: ctx.color, width: ctx.width, verbose: ctx.verbose }),
  json: (r) => renderJson(r),
  html: (r) => renderHtml(r),
  junit: (r) => renderJunit(r),
  nagios: (r) => renderNagios(r),
  prometheus: (r) => renderPrometheus(r),
};

/** Every format with its renderer, in the order of FORMAT_INFO (src/report/output.ts). */
export const FORMATS: ReportFormat[] = FORMAT_INFO.map((info) => ({ ...info, render: RENDERERS[info.name] }));

export function formatByName(name: string): ReportFormat | undefined {
  return FORMATS.find((f) => f.name === name);
}
