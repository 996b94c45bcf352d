// The report formats relaycheck can write: name → file extension and pure renderer.
import { renderConsole } from './console.js';
import { renderJson } from './json.js';
import { renderHtml } from './html.js';
import { renderJunit } from './junit.js';
import { renderNagios } from './nagios.js';
import { PROMETHEUS_FILE, renderPrometheus } from './prometheus.js';
import type { RunReport } from '../types.js';

export interface RenderContext {
  color: boolean;
  width?: number;
}

export interface ReportFormat {
  name: string;
  extension: string;
  render(report: RunReport, ctx: RenderContext): string;
  /** always printed to stdout, like the console (a monitoring plugin's status line) */
  stdout?: boolean;
  /** a stable file name instead of relaycheck-<stamp>.<ext> (replaced atomically at each run) */
  fileName?: string;
}

export const FORMATS: ReportFormat[] = [
  { name: 'console', extension: 'txt', render: (r, ctx) => renderConsole(r, { color: ctx.color, width: ctx.width }) },
  { name: 'json', extension: 'json', render: (r) => renderJson(r) },
  { name: 'html', extension: 'html', render: (r) => renderHtml(r) },
  { name: 'junit', extension: 'xml', render: (r) => renderJunit(r) },
  { name: 'nagios', extension: 'txt', render: (r) => renderNagios(r), stdout: true },
  { name: 'prometheus', extension: 'prom', render: (r) => renderPrometheus(r), fileName: PROMETHEUS_FILE },
];

export function formatByName(name: string): ReportFormat | undefined {
  return FORMATS.find((f) => f.name === name);
}
