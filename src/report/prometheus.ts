// Prometheus text exposition for node_exporter's textfile collector. `relaycheck run --format
// prometheus --out /var/lib/node_exporter/textfile` writes `relaycheck-<domain>.prom` there — a
// stable name per plan domain, replaced atomically (written to a temporary file in the same folder, then renamed), so
// the collector never reads half a file and old runs do not pile up.
//
// relaycheck_check_status is one-hot: one series per status, 1 for the result's status, so
// `relaycheck_check_status{status=~"fail|error"} == 1` alerts on problems. Label values are
// escaped as the exposition format says (\\, \", \n) after control characters are stripped.
import { stripControl } from './sanitize.js';
import { certificateOf, daysLeft, endpointCertificates, sessionSecondsByEndpoint, STATUSES, statusOf, summaryOf } from './model.js';
import type { RunReport } from '../types.js';

export { prometheusFileName } from './output.js';

export function labelValue(value: unknown): string {
  const text = stripControl(String(value ?? '')).slice(0, 512);
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(pairs: Record<string, unknown>): string {
  return `{${Object.entries(pairs)
    .map(([k, v]) => `${k}="${labelValue(v)}"`)
    .join(',')}}`;
}

function num(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  return String(Math.round(n * 1000) / 1000);
}

export function renderPrometheus(report: RunReport): string {
  const out: string[] = [];
  const metric = (name: string, type: 'gauge', help: string, samples: [Record<string, unknown> | null, number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [l, v] of samples) out.push(`${name}${l && Object.keys(l).length ? labels(l) : ''} ${num(v)}`);
  };

  const seen = new Set<string>();
  const status: [Record<string, unknown>, number][] = [];
  for (const r of report.results) {
    const base = { check: r.check, connector: r.connector ?? '', endpoint: r.endpoint ?? '' };
    const id = JSON.stringify(base);
    if (seen.has(id)) continue; // one result per check and subject; a duplicate would break the exposition
    seen.add(id);
    const st = statusOf(r.status);
    for (const s of STATUSES) status.push([{ ...base, status: s }, s === st ? 1 : 0]);
  }
  metric('relaycheck_check_status', 'gauge', 'Result of each check per connector and endpoint, one-hot by status (pass, warn, fail, error, skipped).', status);

  const summary = summaryOf(report);
  metric('relaycheck_results', 'gauge', 'Number of results of the last run by status.', STATUSES.map((s) => [{ status: s }, summary[s]]));

  const expiry: [Record<string, unknown>, number][] = [];
  const certSeen = new Set<string>();
  for (const c of endpointCertificates(report)) {
    const cert = certificateOf(report, c.sha256);
    const days = cert ? daysLeft(cert, report.startedAt) : undefined;
    const key = `${c.where}|${c.sha256}`;
    if (days === undefined || certSeen.has(key)) continue;
    certSeen.add(key);
    expiry.push([{ endpoint: c.where, role: c.role, sha256: c.sha256 }, days]);
  }
  metric('relaycheck_certificate_expiry_days', 'gauge', 'Days from the run to the notAfter of the certificate each endpoint presented (negative when expired).', expiry);

  const sessions = [...sessionSecondsByEndpoint(report)].map(([endpoint, s]): [Record<string, unknown>, number] => [{ endpoint }, s]);
  metric('relaycheck_smtp_session_seconds', 'gauge', 'Duration of the longest SMTP dialogue recorded for each endpoint, in seconds.', sessions);

  const changes = report.changes;
  if (changes) {
    const kinds = ['new-failure', 'fixed', 'certificate-changed', 'tls-version-changed', 'status-changed'] as const;
    metric('relaycheck_changes', 'gauge', 'What changed since the previous run of the same plan, by kind.', kinds.map((k) => [{ kind: k }, changes.filter((c) => c.kind === k).length]));
  }

  const started = Date.parse(report.startedAt);
  metric('relaycheck_run_duration_seconds', 'gauge', 'Duration of the last run in seconds.', [[null, (Number(report.durationMs) || 0) / 1000]]);
  if (report.history) {
    metric('relaycheck_store_ok', 'gauge', '1 when the run was recorded in the local store (history and drift available), 0 when the store could not be used.', [
      [null, report.history.storeError ? 0 : 1],
    ]);
  }
  if (!Number.isNaN(started)) {
    metric('relaycheck_last_run_timestamp_seconds', 'gauge', 'When the last run finished, in seconds since the Unix epoch.', [[null, (started + (Number(report.durationMs) || 0)) / 1000]]);
  }
  return `${out.join('\n')}\n`;
}
