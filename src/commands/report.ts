// `relaycheck report RUN.json`: re-render a saved run in another format (console, json, html,
// junit, nagios, prometheus). Exits 0, or the plugin code under --format nagios.
import { ReadFileError, readTextFile } from '../fs/read.js';
import { UsageError } from '../errors.js';
import { writeReports } from '../report/write.js';
import { parseFormats, prepareOutputFolder } from '../report/output.js';
import { nagiosExitCode } from '../report/nagios.js';
import type { RunReport } from '../types.js';
import type { Io } from './run.js';

export function readRunReport(file: string): RunReport {
  let text: string;
  try {
    text = readTextFile(file, 'saved run');
  } catch (err) {
    throw new UsageError([{ file, message: `cannot read the run: ${err instanceof ReadFileError ? err.reason : (err as Error).message}` }]);
  }
  let data: RunReport;
  try {
    data = JSON.parse(text) as RunReport;
  } catch (err) {
    throw new UsageError([{ file, message: `not JSON: ${(err as Error).message}` }]);
  }
  if (!data || data.schemaVersion !== 1 || !Array.isArray(data.results)) {
    throw new UsageError([{ file, message: 'not a relaycheck JSON report (schemaVersion 1 with results)' }]);
  }
  return data;
}

/**
 * Where a re-render goes without --out: on a terminal into reports/ like `run` (80 KB of HTML
 * in a terminal helps nobody), piped to stdout (`> ticket.html`) when it is one format.
 */
export function defaultReportOut(formats: string[], stdoutIsTty: boolean): string {
  return !stdoutIsTty && formats.length === 1 ? '-' : 'reports';
}

export function reportCommand(file: string, format: string[], outOption: string | undefined, io: Io): number {
  const report = readRunReport(file);
  const formats = parseFormats(format);
  const out = outOption ?? defaultReportOut(formats, io.stdoutIsTty);
  prepareOutputFolder(formats, out);
  const written = writeReports(report, formats, out, { color: io.color, width: io.width });
  if (written.stdout) io.stdout(written.stdout);
  if (written.files.length) io.stderr(`Wrote ${written.files.join(', ')}\n`);
  for (const err of written.errors) io.stderr(`relaycheck: ${err.message}\n`);
  if (written.errors.length) return formats.includes('nagios') ? 3 : 1;
  // A saved run re-rendered for monitoring exits as the plugin would have (0/1/2/3).
  return formats.includes('nagios') ? nagiosExitCode(report) : 0;
}
