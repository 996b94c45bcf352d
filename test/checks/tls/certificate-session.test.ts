// End to end on loopback: the real smtp-session probe against in-process STARTTLS servers serving
// each lab certificate, then the runner with the built-in registry, judged by the tls.* checks.
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEGACY_SERVER_TLS_OPTIONS } from '../../../src/pki/generate.js';
import { builtinChecks, builtinProbes } from '../../../src/registry.js';
import { DEFAULT_TIMEOUTS, runPlan } from '../../../src/runner/run.js';
import { setSystemRoots } from '../../../src/tls/trust.js';
import type { Plan, RunReport, Status } from '../../../src/types.js';
import { startTlsSmtpServer, type TlsSmtpServer, type TlsSmtpServerOptions } from '../../helpers/tls-smtp-server.js';
import { fixtures, HOST, planFor, type Fixtures, type Kind, type PlanOptions } from '../../tls/fixtures.js';

let f: Fixtures;
const servers: TlsSmtpServer[] = [];
beforeAll(async () => {
  f = await fixtures();
  setSystemRoots(() => [f.root.certPem]);
});
afterAll(async () => {
  setSystemRoots(() => rootCertificates);
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(options: TlsSmtpServerOptions): Promise<TlsSmtpServer> {
  const server = await startTlsSmtpServer({ host: '127.0.0.1', hostname: HOST, ...options });
  servers.push(server);
  return server;
}

const TLS_CHECKS = ['tls.certificate-name', 'tls.certificate-trust', 'tls.certificate-chain', 'tls.certificate-expiry', 'tls.certificate-strength', 'tls.client-certificate'];

/** A run of the built-in registry over the plan, limited to `only`, on the fixtures' clock. */
function run(plan: Plan, only: string[]): Promise<RunReport> {
  return runPlan(plan, { checks: builtinChecks, probes: builtinProbes }, { send: false, timeouts: { ...DEFAULT_TIMEOUTS, deadlineMs: 20_000 }, concurrency: 4, now: () => f.now, only });
}

async function statuses(kind: Kind, server: TlsSmtpServer, o: PlanOptions = {}): Promise<Record<string, Status>> {
  const { plan } = planFor(kind, { ...o, port: server.port, address: '127.0.0.1' });
  const report = await run(plan, TLS_CHECKS);
  return Object.fromEntries(report.results.map((r) => [r.check, r.status]));
}

const allPass = { 'tls.certificate-name': 'pass', 'tls.certificate-trust': 'pass', 'tls.certificate-chain': 'pass', 'tls.certificate-expiry': 'pass', 'tls.certificate-strength': 'pass' };

describe('certificate checks over a real STARTTLS session', () => {
  it('passes a valid chain on a DomainValidation smart host', async () => {
    const s = await serve({ key: f.pki.leaves.valid.keyPem, cert: f.pki.leaves.valid.chainPem });
    expect(await statuses('sh-domain', s)).toEqual(allPass);
  });

  it('sees that the server sends only its leaf, even when the plan\'s CA file holds the intermediate', async () => {
    const s = await serve({ key: f.pki.leaves.leafOnly.keyPem, cert: f.pki.leaves.leafOnly.chainPem });
    const trust = { system: true, ca: [{ file: '/plan/pki/issuing.pem', pem: f.intermediate.certPem }] };
    expect(await statuses('sh-trusted', s, { trust })).toEqual({ ...allPass, 'tls.certificate-chain': 'fail' });
  });

  it('fails a self-signed certificate at the submission endpoint', async () => {
    const s = await serve({ key: f.pki.leaves.selfSigned.keyPem, cert: f.pki.leaves.selfSigned.chainPem });
    expect(await statuses('submission', s)).toEqual({ ...allPass, 'tls.certificate-trust': 'fail' });
  });

  it('fails a SHA-1 certificate and a wrong name', async () => {
    const sha1 = await serve({ key: f.pki.leaves.sha1.keyPem, cert: f.pki.leaves.sha1.chainPem, ...LEGACY_SERVER_TLS_OPTIONS });
    expect(await statuses('sh-domain', sha1)).toEqual({ ...allPass, 'tls.certificate-strength': 'fail' });
    const wrong = await serve({ key: f.pki.leaves.wrongName.keyPem, cert: f.pki.leaves.wrongName.chainPem });
    expect(await statuses('mx', wrong)).toEqual({ ...allPass, 'tls.certificate-name': 'fail' });
  });

  it('skips every certificate check when the server offers no STARTTLS (only the certificate checks selected)', async () => {
    const s = await serve({});
    const got = await statuses('sh-domain', s);
    expect(new Set(Object.values(got))).toEqual(new Set(['skipped']));
  });

  it('shows the client certificate presented to a server that asks for one', async () => {
    const s = await serve({ key: f.pki.leaves.valid.keyPem, cert: f.pki.leaves.valid.chainPem, requestCert: true });
    const client = f.pki.leaves.client;
    const { plan } = planFor('mx', { port: s.port, address: '127.0.0.1', tlsSenderCertificateName: '*.contoso.test', clientCertificate: { certPem: client.chainPem, keyPem: client.keyPem } });
    const report = await run(plan, ['tls.client-certificate']);
    expect(report.results).toHaveLength(1);
    expect(report.results[0]).toMatchObject({ status: 'pass', message: expect.stringMatching(/presented and accepted in the TLS handshake/) });
    expect(s.sessions.at(-1)?.clientCertificateSubject).toMatch(/relay\.contoso\.test/);
    expect(JSON.stringify(report)).not.toContain(client.keyPem.split('\n')[1]!);
  });
});
