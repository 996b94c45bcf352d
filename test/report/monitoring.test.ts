// The monitoring formats: a Nagios/Icinga plugin line with performance data and plugin exit
// codes, and a Prometheus textfile-collector file written atomically under a stable name.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nagiosExitCode, nagiosState, renderNagios } from '../../src/report/nagios.js';
import { labelValue, prometheusFileName, renderPrometheus } from '../../src/report/prometheus.js';

const PROMETHEUS_FILE = prometheusFileName('contoso.com');
import { writeReports } from '../../src/report/write.js';
import { fixtureReport } from './fixtures.js';
import type { CheckResult, RunReport, Status } from '../../src/types.js';

function withStatuses(statuses: Status[]): RunReport {
  const base = fixtureReport('five-connectors');
  const results: CheckResult[] = statuses.map((status, i) => ({ ...base.results[i], status }));
  return { ...base, results };
}

describe('the nagios format', () => {
  it('prints one status line with performance data, then what is wrong', () => {
    const out = renderNagios(fixtureReport('five-connectors'));
    const [first, ...rest] = out.trimEnd().split('\n');
    expect(first).toBe(
      'RELAYCHECK CRITICAL - 4 fail, 2 warn: tls.certificate-expiry at mail2.contoso.com:25 (Office 365 SMTP relay TLS 2): Expired 35 days ago (notAfter 2026-10-23T02:00:00Z) | pass=81 warn=2 fail=4 error=0 skipped=7 duration=8.7s cert_days_min=-35',
    );
    expect(rest).toHaveLength(6);
    expect(rest[0]).toBe('FAIL tls.certificate-expiry at mail2.contoso.com:25 (Office 365 SMTP relay TLS 2): Expired 35 days ago (notAfter 2026-10-23T02:00:00Z)');
    expect(rest[5]).toMatch(/^WARN tls\.client-certificate/);
  });

  it('maps results to plugin states: fail is CRITICAL, an undecided check UNKNOWN, warn WARNING', () => {
    const cases: [Status[], string, number][] = [
      [['pass', 'skipped'], 'OK', 0],
      [['pass', 'warn'], 'WARNING', 1],
      [['warn', 'error'], 'UNKNOWN', 3],
      [['error', 'fail', 'warn'], 'CRITICAL', 2],
      [[], 'OK', 0],
    ];
    for (const [statuses, state, code] of cases) {
      const report = withStatuses(statuses);
      expect(nagiosState(report), statuses.join()).toBe(state);
      expect(nagiosExitCode(report)).toBe(code);
      expect(renderNagios(report)).toMatch(new RegExp(`^RELAYCHECK ${state} - `));
    }
    expect(renderNagios(withStatuses(['pass', 'pass', 'skipped']))).toMatch(/^RELAYCHECK OK - 2 checks pass, 1 skipped \| pass=2 warn=0 fail=0 error=0 skipped=1 duration=8\.7s cert_days_min=-35\n$/);
  });

  it('keeps a hostile server from adding lines or fake performance data', () => {
    const out = renderNagios(fixtureReport('hostile'));
    const lines = out.trimEnd().split('\n');
    expect(lines[0].split('|')).toHaveLength(2);
    for (const line of lines.slice(1)) expect(line).not.toContain('|');
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(lines[0]).toMatch(/ \| pass=1 warn=2 fail=2 error=1 skipped=1 duration=8\.7s cert_days_min=3 changes=2$/);
    expect(lines).toContain('CHANGED The certificate of evil.example:25 changed: <img src="http://127.0.0.1:9/beacon.png" onerror="window.__pwned=1">');
  });

  it('goes to stdout with the console, never to a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaycheck-nagios-'));
    const written = writeReports(fixtureReport('five-connectors'), ['nagios', 'json'], dir, { color: false });
    expect(written.stdout).toMatch(/^RELAYCHECK CRITICAL - /);
    expect(written.files).toHaveLength(1);
    expect(written.files[0]).toMatch(/relaycheck-[\w.-]+-[0-9a-f]{6}-20261127T020000\.000Z\.json$/);
  });
});

/** The text exposition format, line by line (what node_exporter's textfile collector parses). */
function exposition(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  expect(text.endsWith('\n')).toBe(true);
  const samples: { name: string; labels: Record<string, string>; value: number }[] = [];
  const typed = new Set<string>();
  const seen = new Set<string>();
  const finished = new Set<string>();
  let current = '';
  for (const line of text.trimEnd().split('\n')) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        expect(meta[3]).toMatch(/^(gauge|counter)$/);
        typed.add(meta[2]);
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (-?[0-9.e+]+|NaN|[+-]Inf)$/.exec(line);
    expect(m, line).not.toBeNull();
    const [, name, , body, value] = m!;
    expect(typed.has(name), `${name} has a TYPE line`).toBe(true);
    if (name !== current) {
      expect(finished.has(name), `${name} samples are grouped`).toBe(false);
      if (current) finished.add(current);
      current = name;
    }
    const labels: Record<string, string> = {};
    if (body) {
      const rest = body.replace(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)",?/g, (_, k: string, v: string) => {
        labels[k] = v.replace(/\\(.)/g, (_x, c: string) => (c === 'n' ? '\n' : c));
        return '';
      });
      expect(rest, line).toBe('');
    }
    const id = `${name}${JSON.stringify(labels)}`;
    expect(seen.has(id), `duplicate series ${id}`).toBe(false);
    seen.add(id);
    samples.push({ name, labels, value: Number(value) });
  }
  return samples;
}

describe('the prometheus format', () => {
  it('exposes each check\'s status one-hot, certificate days left, session seconds and the run time', () => {
    const report = fixtureReport('five-connectors');
    const samples = exposition(renderPrometheus(report));
    const status = samples.filter((s) => s.name === 'relaycheck_check_status');
    expect(status).toHaveLength(report.results.length * 5);
    expect(status.filter((s) => s.value === 1)).toHaveLength(report.results.length);
    expect(status).toContainEqual({ name: 'relaycheck_check_status', labels: { check: 'tls.certificate-expiry', connector: 'Office 365 SMTP relay TLS 2', endpoint: 'mail2.contoso.com:25', status: 'fail' }, value: 1 });
    expect(status).toContainEqual({ name: 'relaycheck_check_status', labels: { check: 'dns.mx', connector: '', endpoint: '', status: 'pass' }, value: 1 });

    const expiry = samples.filter((s) => s.name === 'relaycheck_certificate_expiry_days');
    const expired = expiry.find((s) => s.labels.endpoint === 'mail2.contoso.com:25')!;
    expect(expired.value).toBe(-35);
    expect(expired.labels.sha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(expiry.find((s) => s.labels.role === 'client' && s.labels.endpoint === 'contoso-com.mail.protection.outlook.com:25' && s.value === 12)).toBeDefined();

    const sessions = samples.filter((s) => s.name === 'relaycheck_smtp_session_seconds');
    expect(sessions.map((s) => s.labels.endpoint).sort()).toEqual(['archive.fabrikam.net:25', 'archive2.fabrikam.net:25', 'contoso-com.mail.protection.outlook.com:25', 'mail.contoso.com:25', 'mail2.contoso.com:25', 'smtp.office365.com:587']);
    expect(sessions.find((s) => s.labels.endpoint === 'smtp.office365.com:587')!.value).toBe(0.291);

    expect(samples.find((s) => s.name === 'relaycheck_last_run_timestamp_seconds')!.value).toBe(Date.parse('2026-11-27T02:00:08.734Z') / 1000);
    expect(samples.find((s) => s.name === 'relaycheck_results' && s.labels.status === 'fail')!.value).toBe(4);
  });

  it('escapes label values as the exposition format says, whatever a server sent', () => {
    expect(labelValue('a\\b"c\nd\u0000\u001b[31m')).toBe('a\\\\b\\"c\\nd');
    const samples = exposition(renderPrometheus(fixtureReport('hostile')));
    const evil = samples.find((s) => s.name === 'relaycheck_check_status' && s.labels.check === 'smtp.connect' && s.value === 1)!;
    expect(evil.labels.connector).toBe('Evil relay " onmouseover="window.__pwned=1" x="<b>bold</b> <script>window.__pwned=1;alert(1)</script>');
    expect(samples.filter((s) => s.name === 'relaycheck_changes' && s.value > 0).map((s) => s.labels.kind)).toEqual(['new-failure', 'certificate-changed']);
  });

  it('writes relaycheck-<domain>.prom under a stable name, replacing the last run\'s file atomically', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaycheck-prom-'));
    const first = writeReports(fixtureReport('five-connectors'), ['prometheus'], dir, { color: false });
    expect(first.files).toEqual([join(dir, PROMETHEUS_FILE)]);
    const later = { ...fixtureReport('five-connectors'), startedAt: '2026-11-28T02:00:00.000Z' };
    writeReports(later, ['prometheus'], dir, { color: false });
    expect(readdirSync(dir)).toEqual([PROMETHEUS_FILE]); // no temporary file left, no second file
    expect(readFileSync(join(dir, PROMETHEUS_FILE), 'utf8')).toContain(`relaycheck_last_run_timestamp_seconds ${Date.parse('2026-11-28T02:00:08.734Z') / 1000}`);
    expect(existsSync(join(dir, `.${PROMETHEUS_FILE}.${process.pid}.tmp`))).toBe(false);
    // A second plan writing to the same textfile folder keeps its own file.
    const other = fixtureReport('five-connectors');
    writeReports({ ...other, plan: { ...other.plan, domain: 'Fabrikam.com' } }, ['prometheus'], dir, { color: false });
    expect(readdirSync(dir).sort()).toEqual(['relaycheck-contoso.com.prom', 'relaycheck-fabrikam.com.prom']);
  });
});
