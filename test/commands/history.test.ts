// `relaycheck history` and drift end to end: two real runs against an in-process STARTTLS server
// whose certificate is renewed in between; the second run's reports (JSON, HTML, JUnit, Nagios,
// Prometheus) all say what changed, and the history lists both runs.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyCommand, type HistoryArgs } from '../../src/commands/history.js';
import { runCommand, type Io, type RunArgs } from '../../src/commands/run.js';
import { createIntermediateCa, createRootCa, issueLeaf, type Issued } from '../../src/pki/generate.js';
import { openStore } from '../../src/store/db.js';
import { planIdentity, recordRun } from '../../src/store/history.js';
import { UsageError } from '../../src/errors.js';
import { startTlsSmtpServer, type TlsSmtpServer } from '../helpers/tls-smtp-server.js';
import { fixtureReport } from '../report/fixtures.js';
import type { RunReport } from '../../src/types.js';

function captureIo(): Io & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
    stderrIsTty: false,
    stdoutIsTty: false,
    color: false,
    width: 120,
  };
  return io;
}

function history(args: Partial<HistoryArgs>): { code: number; out: string } {
  const io = captureIo();
  const code = historyCommand({ out: 'reports', limit: 20, format: 'table', ...args }, io);
  return { code, out: io.out };
}

describe('relaycheck history', () => {
  it('lists recorded runs newest first, as a table or JSON, for one plan or all', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaycheck-hist-'));
    const planFile = join(dir, 'relaycheck.yaml');
    writeFileSync(planFile, 'version: 1\ndomain: contoso.com\nconnectors: []\n');
    const db = openStore(join(dir, 'reports', 'relaycheck.sqlite'));
    const first = fixtureReport('five-connectors');
    recordRun(db, first, planIdentity(planFile, 'contoso.com'));
    const second: RunReport = { ...structuredClone(first), startedAt: '2026-11-28T02:00:00.000Z' };
    second.results[2].status = 'fail'; // dns.dmarc: was warn, a new failure
    second.summary = { ...second.summary, warn: 1, fail: 5 };
    recordRun(db, second, planIdentity(planFile, 'contoso.com'));
    recordRun(db, { ...first, startedAt: '2026-11-29T02:00:00.000Z' }, planIdentity(join(dir, 'other.yaml'), 'fabrikam.com'));
    db.close();

    const all = history({ out: join(dir, 'reports') });
    expect(all.code).toBe(0);
    const rows = all.out.split('\n').filter((l) => /^│ \d/.test(l));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain('2026-11-29 02:00:00');
    expect(rows[0]).toContain('other.yaml');

    const one = history({ out: join(dir, 'reports'), config: planFile });
    expect(one.out).toContain(`Runs of ${planFile} recorded in`);
    const lines = one.out.split('\n').filter((l) => /^│ \d/.test(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/│ 2 +│ 2026-11-28 02:00:00 │ 8\.7 s +│ FAIL +│ 81 +│ 1 +│ 5 +│ 0 +│ 7 +│ 1 +│/);

    const json = JSON.parse(history({ out: join(dir, 'reports'), config: planFile, format: 'json', limit: 1 }).out) as { startedAt: string; changes: number; summary: { fail: number } }[];
    expect(json).toEqual([expect.objectContaining({ startedAt: '2026-11-28T02:00:00.000Z', changes: 1, summary: expect.objectContaining({ fail: 5 }) })]);
  });

  it('says when nothing is recorded yet, and refuses a bad --limit or a damaged store', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaycheck-hist-empty-'));
    expect(history({ out: dir })).toEqual({ code: 0, out: `No runs recorded yet: ${join(dir, 'relaycheck.sqlite')} does not exist.\n` });
    expect(history({ out: dir, format: 'json' }).out).toBe('[]\n');
    expect(() => history({ out: dir, limit: 0 })).toThrow(UsageError);
    writeFileSync(join(dir, 'relaycheck.sqlite'), 'garbage'.repeat(1000));
    expect(() => history({ out: dir })).toThrow(/is not a relaycheck store or is damaged/);
    expect(() => history({ out: dir, config: join(dir, 'missing.yaml') })).toThrow(/no such file/);
  });

  it('says a store whose pages are damaged is damaged (exit 2), not an internal error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaycheck-hist-pages-'));
    const file = join(dir, 'relaycheck.sqlite');
    const db = openStore(file);
    recordRun(db, fixtureReport('five-connectors'), planIdentity('/etc/relaycheck.yaml', 'contoso.com'));
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const bytes = readFileSync(file);
    bytes.fill(0xa5, bytes.readUInt16BE(16)); // every page after the first (the schema)
    writeFileSync(file, bytes);
    expect(() => history({ out: dir })).toThrow(UsageError);
    expect(() => history({ out: dir })).toThrow(/relaycheck\.sqlite: is not a relaycheck store or is damaged; move it aside/);
  });

  it('uses the plan\'s own store when the plan names one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaycheck-hist-store-'));
    const planFile = join(dir, 'relaycheck.yaml');
    writeFileSync(planFile, 'version: 1\ndomain: contoso.com\nstore: ./state/history.sqlite\n');
    const db = openStore(join(dir, 'state', 'history.sqlite'));
    recordRun(db, fixtureReport('five-connectors'), planIdentity(planFile, 'contoso.com'));
    db.close();
    expect(history({ config: planFile }).out).toContain(`recorded in ${join(dir, 'state', 'history.sqlite')}`);
  });
});

describe('drift across a certificate renewal, through every report format', () => {
  const HOST = 'mail.contoso.test';
  let dir: string;
  let root: Awaited<ReturnType<typeof createRootCa>>;
  let before: Issued;
  let renewed: Issued;
  let server: TlsSmtpServer | undefined;
  let port = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'relaycheck-drift-'));
    const now = Date.now();
    const day = 86_400_000;
    root = await createRootCa({ cn: 'Contoso Test Root CA', notBefore: new Date(now - 30 * day), notAfter: new Date(now + 3000 * day) });
    const intermediate = await createIntermediateCa(root, { cn: 'Contoso Test Issuing CA', notBefore: new Date(now - 30 * day), notAfter: new Date(now + 2000 * day) });
    [before, renewed] = await Promise.all([
      issueLeaf(intermediate, { cn: HOST, notBefore: new Date(now - 355 * day), notAfter: new Date(now + 10 * day) }),
      issueLeaf(intermediate, { cn: HOST, notBefore: new Date(now - day), notAfter: new Date(now + 397 * day) }),
    ]);
    writeFileSync(join(dir, 'root.pem'), root.certPem);
  });

  afterAll(async () => {
    await server?.close();
  });

  async function serve(leaf: Issued): Promise<void> {
    await server?.close();
    server = await startTlsSmtpServer({ host: '127.0.0.1', port, hostname: HOST, key: leaf.keyPem, cert: leaf.chainPem });
    port = server.port;
  }

  function writePlan(): string {
    const file = join(dir, 'relaycheck.yaml');
    writeFileSync(
      file,
      [
        'version: 1',
        'organization: Contoso',
        'domain: contoso.test',
        'trust: { system: false, ca: [./root.pem] }',
        'store: ./state/relaycheck.sqlite',
        `resolve: { "${HOST}:${port}": 127.0.0.1 }`,
        'connectors:',
        '  - name: Smart host',
        '    direction: from-office365',
        `    smartHosts: ["${HOST}:${port}"]`,
        `    tls: { mode: domain, domain: ${HOST} }`,
        '',
      ].join('\n'),
    );
    return file;
  }

  // Each run writes to its own folder; the plan's store: keeps one history for both.
  async function run(out: string): Promise<{ code: number; io: ReturnType<typeof captureIo> }> {
    const io = captureIo();
    const args: RunArgs = { config: writePlan(), only: ['smtp', 'tls'], format: ['nagios', 'json', 'html', 'junit', 'prometheus'], out: join(dir, out), failOn: 'fail', send: false, timeout: 5000, concurrency: 4 };
    const code = await runCommand(args, io);
    return { code, io };
  }

  function written(out: string, ext: string): string {
    const files = readdirSync(join(dir, out)).filter((f) => f.endsWith(`.${ext}`) && !f.includes('-latest'));
    expect(files).toHaveLength(1);
    return readFileSync(join(dir, out, files[0]), 'utf8');
  }

  it('shows the renewed certificate\'s fingerprint and expiry as what changed', async () => {
    await serve(before);
    const first = await run('night1');
    // A private CA is a warning for Exchange Online (tls.certificate-trust) on both nights; the
    // certificate that expires in 10 days is the second warning, gone after the renewal.
    expect(first.io.out).toMatch(/^RELAYCHECK WARNING - 2 warn: .* \| pass=\d+ warn=2 fail=0 error=0 skipped=\d+ duration=[\d.]+s cert_days_min=9\n/);
    expect(first.io.out).toMatch(/\nWARN tls\.certificate-expiry at mail\.contoso\.test:\d+ \(Smart host\): /);
    expect(first.code).toBe(1); // the plugin's WARNING
    const firstReport = JSON.parse(written('night1', 'json')) as RunReport;
    expect(firstReport.history).toEqual({});
    expect(firstReport.results.find((r) => r.check === 'tls.certificate-expiry')!.evidence!.certSha256).toBe(before.sha256);

    await serve(renewed);
    const second = await run('night2');
    expect(second.code).toBe(1);
    expect(second.io.out).not.toContain('WARN tls.certificate-expiry');
    const report = JSON.parse(written('night2', 'json')) as RunReport;
    expect(report.history!.previous!.startedAt).toBe(firstReport.startedAt);
    const newDay = renewed.notAfter.toISOString().slice(0, 10);
    const oldDay = before.notAfter.toISOString().slice(0, 10);
    const short = (sha: string) => `${sha.slice(0, 11)}…${sha.slice(-5)}`;
    const message = `The certificate of ${HOST}:${port} changed: SHA-256 ${short(renewed.sha256)} (was ${short(before.sha256)}); expires ${newDay} (was ${oldDay})`;
    expect(report.changes).toContainEqual({ kind: 'certificate-changed', connector: 'Smart host', endpoint: `${HOST}:${port}`, message });
    expect(report.changes).toContainEqual(expect.objectContaining({ kind: 'fixed', check: 'tls.certificate-expiry' }));

    const escaped = message.replace(/&/g, '&amp;');
    expect(written('night2', 'html')).toContain(`<span class="badge s-info">CERTIFICATE</span><div>${escaped}</div>`);
    expect(written('night2', 'html')).toContain(`<dd class="fp">${renewed.sha256}</dd>`);
    expect(written('night2', 'xml')).toContain(`value="${escaped}"`);
    expect(second.io.out).toContain(`CHANGED ${message}`);
    expect(second.io.out).toMatch(/^RELAYCHECK WARNING - 1 warn: .* cert_days_min=39\d changes=2\n/);
    const prom = readFileSync(join(dir, 'night2', 'relaycheck-contoso.test.prom'), 'utf8');
    expect(prom).toContain(`relaycheck_certificate_expiry_days{endpoint="${HOST}:${port}",role="server",sha256="${renewed.sha256}"}`);
    expect(prom).toContain('relaycheck_changes{kind="certificate-changed"} 1');

    const listed = history({ config: join(dir, 'relaycheck.yaml') });
    const rows = listed.out.split('\n').filter((l) => /^│ \d/.test(l));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/│ WARN +│ \d+ +│ 1 +│/);
    expect(rows[1]).toMatch(/│ WARN +│ \d+ +│ 2 +│/);
  });
});
