// History and drift as the nightly job sees them: every run recorded, and each run saying what
// changed since the previous run of the same plan — a renewed certificate, new failures, fixed
// ones, a new TLS version — while a broken store never costs the run.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, storePathFor, type Db } from '../../src/store/db.js';
import { computeChanges, KEEP_FULL_REPORTS, listRuns, planIdentity, recordRun, selectionOf } from '../../src/store/history.js';
import { afterRunHooks } from '../../src/runner/hooks.js';
import { fixtureReport } from '../report/fixtures.js';
import { planFromYaml } from '../helpers/plans.js';
import type { CertificateSummary, CheckResult, RunReport } from '../../src/types.js';

const PLAN = planIdentity('/etc/relaycheck/relaycheck.yaml', 'contoso.com');
const open: Db[] = [];

function tempStore(): { db: Db; file: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'relaycheck-history-')), 'relaycheck.sqlite');
  const db = openStore(file);
  open.push(db);
  return { db, file };
}

afterEach(() => {
  while (open.length) open.pop()!.close();
});

function nextNight(report: RunReport, days = 1): RunReport {
  const copy = structuredClone(report);
  copy.startedAt = new Date(Date.parse(report.startedAt) + days * 86_400_000).toISOString();
  return copy;
}

function find(report: RunReport, check: string, endpoint: string | null, connector?: string): CheckResult {
  const r = report.results.find((x) => x.check === check && x.endpoint === endpoint && (connector === undefined || x.connector === connector));
  if (!r) throw new Error(`no ${check} at ${endpoint}`);
  return r;
}

/** The renewal of mail2.contoso.com's expired certificate: new key, new fingerprint, a year ahead. */
function renew(report: RunReport): { renewed: CertificateSummary; old: CertificateSummary } {
  const oldSha = find(report, 'tls.certificate-expiry', 'mail2.contoso.com:25').evidence!.certSha256 as string;
  const old = report.certificates![oldSha];
  const renewed: CertificateSummary = { ...old, notBefore: '2026-11-27T00:00:00.000Z', notAfter: '2027-11-27T00:00:00.000Z', sha256: '5E:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:0F:A1' };
  report.certificates![renewed.sha256] = renewed;
  for (const r of report.results) {
    if (r.endpoint !== 'mail2.contoso.com:25' || !r.evidence?.certSha256) continue;
    r.evidence.certSha256 = renewed.sha256;
    r.evidence.chainSha256 = [renewed.sha256, ...(r.evidence.chainSha256 as string[]).slice(1)];
  }
  Object.assign(find(report, 'tls.certificate-expiry', 'mail2.contoso.com:25'), { status: 'pass', message: 'valid until 2027-11-27 (365 days)', remediation: '' });
  return { renewed, old };
}

describe('run history', () => {
  it('records every run with its summary and results and lists them newest first', () => {
    const { db } = tempStore();
    const first = fixtureReport('five-connectors');
    recordRun(db, first, PLAN);
    recordRun(db, nextNight(first), PLAN);
    recordRun(db, nextNight(first, 2), planIdentity('/etc/other.yaml', 'fabrikam.com'));
    const runs = listRuns(db);
    expect(runs.map((r) => r.startedAt)).toEqual(['2026-11-29T02:00:00.000Z', '2026-11-28T02:00:00.000Z', '2026-11-27T02:00:00.000Z']);
    expect(runs[1]).toMatchObject({ planKey: '/etc/relaycheck/relaycheck.yaml#contoso.com', planFile: '/etc/relaycheck/relaycheck.yaml', verdict: 'fail', durationMs: 8734, summary: first.summary, changes: 0, partial: false });
    expect(listRuns(db, { planKey: PLAN.key }).map((r) => r.startedAt)).toEqual(['2026-11-28T02:00:00.000Z', '2026-11-27T02:00:00.000Z']);
    expect(listRuns(db, { limit: 1 })).toHaveLength(1);
    const rows = db.prepare('SELECT check_id, endpoint, status, cert_sha256, tls_version FROM run_results WHERE run_id = ?').all(runs[2].id) as { check_id: string; endpoint: string; status: string; cert_sha256: string; tls_version: string }[];
    expect(rows).toHaveLength(first.results.length);
    expect(rows).toContainEqual(expect.objectContaining({ check_id: 'tls.version', endpoint: 'archive2.fabrikam.net:25', status: 'fail', tls_version: 'TLSv1.0' }));
    const stored = JSON.parse((db.prepare('SELECT report FROM runs WHERE id = ?').get(runs[2].id) as { report: string }).report) as RunReport;
    expect(stored.results).toEqual(first.results);
  });

  it('keeps the whole report only for the newest runs, and every run\'s summary and results', () => {
    const { db } = tempStore();
    const first = fixtureReport('five-connectors');
    let last: RunReport = first;
    for (let night = 0; night < KEEP_FULL_REPORTS + 5; night++) last = recordRun(db, nextNight(first, night), PLAN);
    const counts = db.prepare("SELECT count(*) AS runs, sum(report != '') AS full FROM runs").get() as { runs: number; full: number };
    expect(counts).toEqual({ runs: KEEP_FULL_REPORTS + 5, full: KEEP_FULL_REPORTS });
    expect(db.prepare('SELECT count(DISTINCT run_id) AS n FROM run_results').get()).toEqual({ n: KEEP_FULL_REPORTS + 5 });
    expect(last.history?.previous).toBeDefined(); // the baseline is among the kept reports
    expect(listRuns(db, { limit: 1000 })).toHaveLength(KEEP_FULL_REPORTS + 5);
  });

  it('says a plan\'s first run has nothing to compare with', () => {
    const { db } = tempStore();
    const out = recordRun(db, fixtureReport('five-connectors'), PLAN);
    expect(out.changes).toBeUndefined();
    expect(out.history).toEqual({});
  });

  it('reports a certificate renewal as drift: the new fingerprint and the new expiry, and the check that is fixed', () => {
    const { db } = tempStore();
    const before = fixtureReport('five-connectors');
    recordRun(db, before, PLAN);
    const after = nextNight(before);
    const { renewed, old } = renew(after);
    const out = recordRun(db, after, PLAN);
    expect(out.history).toEqual({ previous: { startedAt: before.startedAt, verdict: 'fail' } });
    const cert = out.changes!.filter((c) => c.kind === 'certificate-changed');
    expect(cert).toEqual([
      {
        kind: 'certificate-changed',
        connector: 'Office 365 SMTP relay TLS 2',
        endpoint: 'mail2.contoso.com:25',
        message: `The certificate of mail2.contoso.com:25 changed: SHA-256 5E:11:22:33…0F:A1 (was ${old.sha256.slice(0, 11)}…${old.sha256.slice(-5)}); expires 2027-11-27 (was ${old.notAfter.slice(0, 10)})`,
      },
    ]);
    expect(renewed.sha256.startsWith('5E:11:22:33')).toBe(true);
    expect(out.changes).toContainEqual({ kind: 'fixed', check: 'tls.certificate-expiry', connector: 'Office 365 SMTP relay TLS 2', endpoint: 'mail2.contoso.com:25', message: 'tls.certificate-expiry at mail2.contoso.com:25 (Office 365 SMTP relay TLS 2) passes again (was FAIL)' });
    expect(listRuns(db, { limit: 1 })[0].changes).toBe(out.changes!.length);
    // The third night compares with the renewed certificate: nothing changed.
    expect(recordRun(db, nextNight(after), PLAN).changes).toEqual([]);
  });

  it('names new failures first, then certificate and TLS changes, other status changes, and fixes last', () => {
    const before = fixtureReport('five-connectors');
    const after = nextNight(before);
    Object.assign(find(after, 'dns.dmarc', null), { status: 'fail', message: 'no DMARC record' });
    const version = find(after, 'tls.version', 'archive2.fabrikam.net:25');
    Object.assign(version, { status: 'pass', message: 'negotiated TLSv1.3' });
    for (const r of after.results) if (r.endpoint === 'archive2.fabrikam.net:25' && r.evidence?.tlsVersion) r.evidence.tlsVersion = 'TLSv1.3';
    Object.assign(find(after, 'auth.sender-match', null), { status: 'warn', message: 'accepted after a retry' });
    Object.assign(find(after, 'send.delivery', null, 'ERP relay (SAP)'), { status: 'fail', message: 'not skipped any more, and failing' });
    Object.assign(find(after, 'smtp.connect', 'mail.contoso.com:25'), { status: 'skipped', message: 'not tested tonight' });
    after.results.push({ check: 'dns.dane', status: 'error', severity: 'low', title: 'DANE', connector: null, endpoint: null, message: 'resolver timed out', remediation: '', durationMs: 1 });
    const kinds = computeChanges(before, after).map((c) => `${c.kind} ${c.check ?? c.endpoint}`);
    expect(kinds).toEqual([
      'new-failure dns.dmarc',
      'new-failure send.delivery',
      'new-failure dns.dane',
      'tls-version-changed archive2.fabrikam.net:25',
      'status-changed auth.sender-match',
      'fixed tls.version',
    ]);
    const changes = computeChanges(before, after);
    expect(changes.find((c) => c.kind === 'tls-version-changed')!.message).toBe('archive2.fabrikam.net:25 now negotiates TLSv1.3 (was TLSv1.0)');
    expect(changes[0].message).toBe('dns.dmarc at the domain is now FAIL (was WARN): no DMARC record');
    expect(changes[2].message).toBe('dns.dane at the domain is now ERROR (was not tested before): resolver timed out');
  });

  it('notices a changed client certificate separately from the server certificate of the same endpoint', () => {
    const before = fixtureReport('five-connectors');
    const after = nextNight(before);
    const client = find(after, 'tls.client-certificate', 'contoso-com.mail.protection.outlook.com:25', 'Scanner relay Berlin');
    const cert = { ...after.certificates![client.evidence!.certSha256 as string], sha256: 'AB'.repeat(32), notAfter: '2027-12-01T00:00:00.000Z' };
    after.certificates![cert.sha256] = cert;
    client.evidence!.certSha256 = cert.sha256;
    const changes = computeChanges(before, after).filter((c) => c.kind === 'certificate-changed');
    expect(changes).toHaveLength(1);
    expect(changes[0].message).toMatch(/^The client certificate relaycheck presents for Scanner relay Berlin changed: SHA-256 AB:AB:AB:AB…AB:AB \(was [0-9A-F:]{11}…[0-9A-F:]{5}\); expires 2027-12-01 \(was 2026-12-09\)$/);
  });

  it('compares with the last complete run of the same plan and selection only', () => {
    const { db } = tempStore();
    const nightly = fixtureReport('five-connectors');
    recordRun(db, nightly, PLAN);
    const adhoc = { ...nextNight(nightly), options: { send: false, only: ['tls'] } };
    expect(recordRun(db, adhoc, PLAN).history).toEqual({}); // its own selection: a first run
    const interrupted = { ...nextNight(nightly, 2), options: { send: true, interrupted: true } };
    expect(recordRun(db, interrupted, PLAN).history!.previous!.startedAt).toBe(nightly.startedAt);
    const next = recordRun(db, nextNight(nightly, 3), PLAN);
    expect(next.history!.previous!.startedAt).toBe(nightly.startedAt); // not the ad-hoc, not the partial run
    expect(recordRun(db, nextNight(nightly, 4), planIdentity('/etc/relaycheck/relaycheck.yaml', 'fabrikam.com')).history).toEqual({});
    expect(selectionOf({ options: { send: true, only: ['TLS', 'dns'] } })).toBe(selectionOf({ options: { send: false, only: ['dns', 'tls'] } }));
    expect(listRuns(db, { planKey: PLAN.key }).map((r) => r.partial)).toEqual([false, true, false, false]);
  });

  it('knows a plan by its absolute path and domain, however the path was typed', () => {
    expect(planIdentity('relaycheck.yaml', 'Contoso.COM', '/etc/relaycheck')).toEqual({ key: '/etc/relaycheck/relaycheck.yaml#contoso.com', file: '/etc/relaycheck/relaycheck.yaml' });
    expect(planIdentity('../relaycheck/./relaycheck.yaml', 'contoso.com', '/etc/x').key).toBe(PLAN.key);
  });
});

describe('the after-run hook', () => {
  const yaml = (store?: string) => `version: 1\ndomain: contoso.com\n${store ? `store: ${store}\n` : ''}connectors:\n  - name: Relay\n    direction: from-office365\n    smartHosts: [mail.contoso.com]\n    tls: { mode: trusted-ca }\n`;

  it('records the run in <out>/relaycheck.sqlite, or in the plan\'s store', async () => {
    const out = mkdtempSync(join(tmpdir(), 'relaycheck-out-'));
    const plan = planFromYaml(yaml());
    expect(storePathFor(plan, out)).toBe(join(out, 'relaycheck.sqlite'));
    expect(storePathFor(plan, '-')).toBe(join('reports', 'relaycheck.sqlite'));
    const first = await afterRunHooks(fixtureReport('five-connectors'), plan, out, () => undefined);
    expect(first.history).toEqual({});
    const second = await afterRunHooks(nextNight(fixtureReport('five-connectors')), plan, out, () => undefined);
    expect(second.changes).toEqual([]);
    const db = new Database(join(out, 'relaycheck.sqlite'), { readonly: true });
    expect(db.prepare('SELECT plan_key FROM runs').all()).toEqual([{ plan_key: '/tmp/relaycheck-test/relaycheck.yaml#contoso.com' }, { plan_key: '/tmp/relaycheck-test/relaycheck.yaml#contoso.com' }]);
    db.close();

    const own = join(mkdtempSync(join(tmpdir(), 'relaycheck-own-')), 'history.sqlite');
    const withStore = planFromYaml(yaml(own));
    expect(storePathFor(withStore, out)).toBe(own);
    await afterRunHooks(fixtureReport('five-connectors'), withStore, out, () => undefined);
    const db2 = new Database(own, { readonly: true });
    expect(db2.prepare('SELECT COUNT(*) AS n FROM runs').get()).toEqual({ n: 1 });
    db2.close();
  });

  it('never loses the run to a damaged store: the report comes back with a note, and the file is left alone', async () => {
    const out = mkdtempSync(join(tmpdir(), 'relaycheck-broken-'));
    const file = join(out, 'relaycheck.sqlite');
    writeFileSync(file, 'this is not a database, but someone\'s notes'.repeat(200));
    const warnings: string[] = [];
    const report = fixtureReport('five-connectors');
    const out2 = await afterRunHooks(report, planFromYaml(yaml()), out, (t) => warnings.push(t));
    expect(out2.results).toEqual(report.results);
    expect(out2.changes).toBeUndefined();
    expect(out2.history!.storeError).toMatch(/^local store .*relaycheck\.sqlite: is not a relaycheck store or is damaged; .* — this run was not recorded and what changed since the last run is unknown$/);
    expect(warnings).toEqual([`relaycheck: ${out2.history!.storeError}\n`]);
    expect(readFileSync(file, 'utf8')).toBe('this is not a database, but someone\'s notes'.repeat(200));
  });

  it('says a store with damaged pages is damaged when the run reaches them, and leaves the file alone', async () => {
    const out = mkdtempSync(join(tmpdir(), 'relaycheck-damaged-'));
    const file = join(out, 'relaycheck.sqlite');
    const plan = planFromYaml(yaml());
    await afterRunHooks(fixtureReport('five-connectors'), plan, out, () => {});
    // Checkpoint the WAL into the file, then overwrite every page but the first (the schema).
    const db = new Database(file);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const bytes = readFileSync(file);
    const pageSize = bytes.readUInt16BE(16);
    bytes.fill(0xa5, pageSize);
    writeFileSync(file, bytes);
    const warnings: string[] = [];
    const out2 = await afterRunHooks(fixtureReport('five-connectors'), plan, out, (t) => warnings.push(t));
    expect(out2.history!.storeError).toMatch(/^local store .*relaycheck\.sqlite: is not a relaycheck store or is damaged; move it aside to start a new one — relaycheck will not overwrite it — this run was not recorded/);
    expect(warnings).toHaveLength(1);
    expect(readFileSync(file)).toEqual(bytes);
  });

  it('never waits forever on a store another run holds: it says so and goes on', async () => {
    const out = mkdtempSync(join(tmpdir(), 'relaycheck-locked-'));
    const plan = planFromYaml(yaml());
    await afterRunHooks(fixtureReport('five-connectors'), plan, out, () => undefined); // create it
    const holder = new Database(join(out, 'relaycheck.sqlite'));
    holder.exec('BEGIN EXCLUSIVE');
    try {
      const warnings: string[] = [];
      const report = await afterRunHooks(nextNight(fixtureReport('five-connectors')), plan, out, (t) => warnings.push(t));
      expect(report.history!.storeError).toContain('is locked by another relaycheck run');
      expect(warnings[0]).toMatch(/^relaycheck: local store .* is locked by another relaycheck run/);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });
});
