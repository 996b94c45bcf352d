// The session checks through the real runner against in-process servers, good and hostile: each
// case yields exactly the expected status per check, nothing hangs, the run exits 1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import connect from '../../../checks/smtp/connect.js';
import starttls from '../../../checks/smtp/starttls.js';
import version from '../../../checks/tls/version.js';
import { LEGACY_SERVER_TLS_OPTIONS, createLabPki } from '../../../src/pki/generate.js';
import smtpSessionProbe from '../../../src/probes/smtp-session.js';
import { exitCodeFor, runPlan } from '../../../src/runner/run.js';
import type { ProbeDefinition, RunReport, Status } from '../../../src/types.js';
import { planFromYaml } from '../../helpers/plans.js';
import { hostile, startRawServer, type ConnectionHandler } from '../../helpers/raw-smtp-server.js';
import { startTlsSmtpServer, type TlsSmtpServerOptions } from '../../helpers/tls-smtp-server.js';

type Expect = [connect: Status, starttls: Status, version: Status];
const cases: { name: string; server: { raw: ConnectionHandler } | { tls: TlsSmtpServerOptions } | { closed: true }; expect: Expect }[] = [
  { name: 'valid TLS server', server: { tls: {} }, expect: ['pass', 'pass', 'pass'] },
  { name: 'no STARTTLS', server: { tls: { starttls: false } }, expect: ['pass', 'fail', 'skipped'] },
  { name: 'TLS 1.1 only', server: { tls: { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ...LEGACY_SERVER_TLS_OPTIONS } }, expect: ['pass', 'pass', 'fail'] },
  { name: 'plaintext after 220, then TLS', server: { tls: { plaintextAfterStarttls: '250 injected\r\n' } }, expect: ['pass', 'fail', 'pass'] },
  { name: 'accepts and never speaks', server: { raw: hostile.silent }, expect: ['fail', 'skipped', 'skipped'] },
  { name: '421 at connect', server: { raw: hostile.greeting421 }, expect: ['fail', 'skipped', 'skipped'] },
  { name: 'garbage bytes', server: { raw: hostile.garbage }, expect: ['fail', 'skipped', 'skipped'] },
  { name: '1 MiB line', server: { raw: hostile.hugeLine }, expect: ['fail', 'skipped', 'skipped'] },
  { name: 'endless multi-line EHLO reply', server: { raw: hostile.endlessMultiline }, expect: ['pass', 'fail', 'skipped'] },
  { name: 'silent after the greeting', server: { raw: hostile.silentAfterGreeting }, expect: ['pass', 'fail', 'skipped'] },
  { name: 'STARTTLS refused', server: { raw: hostile.starttlsRefused }, expect: ['pass', 'fail', 'skipped'] },
  { name: 'plaintext after 220 to STARTTLS', server: { raw: hostile.plaintextAfterStarttls }, expect: ['pass', 'fail', 'skipped'] },
  { name: 'reset during the handshake', server: { raw: hostile.resetDuringHandshake }, expect: ['pass', 'fail', 'skipped'] },
  { name: 'nothing listening', server: { closed: true }, expect: ['fail', 'skipped', 'skipped'] },
];

const open: { close(): Promise<void> }[] = [];
let report: RunReport;

beforeAll(async () => {
  const pki = await createLabPki({ domain: 'example.test', host: 'mail.example.test' });
  const ports: number[] = [];
  for (const c of cases) {
    if ('tls' in c.server) {
      const s = await startTlsSmtpServer({ key: pki.leaves.valid.keyPem, cert: pki.leaves.valid.chainPem, ...c.server.tls });
      open.push(s);
      ports.push(s.port);
    } else {
      const s = await startRawServer('raw' in c.server ? c.server.raw : hostile.silent);
      if ('closed' in c.server) await s.close();
      else open.push(s);
      ports.push(s.port);
    }
  }
  const connectors = cases.map((c, i) => `  - name: "${c.name}"\n    direction: from-office365\n    smartHosts: ["127.0.0.1:${ports[i]}"]\n    tls: { mode: any }\n`).join('');
  const plan = planFromYaml(`version: 1\ndomain: example.test\nconnectors:\n${connectors}`);
  report = await runPlan(plan, { checks: [connect, starttls, version], probes: [smtpSessionProbe as ProbeDefinition] }, {
    send: false,
    concurrency: 50,
    timeouts: { connectMs: 1000, greetingMs: 600, commandMs: 600, tlsMs: 1000, deadlineMs: 20_000 },
  });
}, 30_000);

afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
});

describe('session checks against good and hostile servers through the runner', () => {
  for (const c of cases) {
    it(`${c.name}: smtp.connect ${c.expect[0]}, smtp.starttls ${c.expect[1]}, tls.version ${c.expect[2]}`, () => {
      const statuses = ['smtp.connect', 'smtp.starttls', 'tls.version'].map((id) => report.results.find((r) => r.connector === c.name && r.check === id)?.status);
      expect(statuses).toEqual(c.expect);
    });
  }

  it('finishes every session before the deadline, with a transcript linked from each result, and exits 1', () => {
    expect(report.options?.deadlineHit).toBeUndefined();
    expect(report.results).toHaveLength(cases.length * 3);
    // Root causes first: what a failed connection or STARTTLS kept from being tested names it.
    expect(report.results.filter((r) => r.status === 'error')).toEqual([]);
    for (const r of report.results) if (r.status === 'skipped' && r.evidence?.rootCause) expect(r.message).toMatch(/^not tested: smtp\.(connect|starttls) failed at 127\.0\.0\.1:\d+$/);
    for (const r of report.results) {
      if (r.connector === 'nothing listening') continue;
      expect(report.transcripts[String(r.evidence?.transcript)]?.length).toBeGreaterThan(0);
    }
    expect(exitCodeFor(report, 'fail')).toBe(1);
  });

  it('puts the certificates it saw into the report', () => {
    const shas = Object.keys(report.certificates ?? {});
    expect(shas.length).toBeGreaterThanOrEqual(2);
    const leaf = Object.values(report.certificates ?? {}).find((c) => c.subject === 'CN=mail.example.test');
    expect(leaf).toMatchObject({ issuer: 'CN=relaycheck Lab Issuing CA', sans: ['DNS:mail.example.test'] });
  });

  it('names the versions a TLS 1.1-only server offers', () => {
    const r = report.results.find((x) => x.connector === 'TLS 1.1 only' && x.check === 'tls.version');
    expect(r?.message).toMatch(/^Negotiated TLS 1\.1 with .*; the server offers only TLS 1\.0\/1\.1$/);
    expect(r?.exchangeOnline).toMatch(/only TLS 1\.2 and later/);
  });
});
