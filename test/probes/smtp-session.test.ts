import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEGACY_SERVER_TLS_OPTIONS, createLabPki, type LabPki } from '../../src/pki/generate.js';
import { runSmtpSession, type SessionOptions } from '../../src/probes/smtp-session.js';
import type { SmtpSession } from '../../src/evidence/smtp.js';
import { hostile, startRawServer, type ConnectionHandler } from '../helpers/raw-smtp-server.js';
import { startTlsSmtpServer, type TlsSmtpServer, type TlsSmtpServerOptions } from '../helpers/tls-smtp-server.js';

const HOST = 'mail.example.test';
const timeouts = { connectMs: 1000, greetingMs: 500, commandMs: 500, tlsMs: 1000 };
let pki: LabPki;
const open: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  pki = await createLabPki({ domain: 'example.test', host: HOST });
});
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
});

async function tlsServer(options: TlsSmtpServerOptions = {}): Promise<TlsSmtpServer> {
  const s = await startTlsSmtpServer({ key: pki.leaves.valid.keyPem, cert: pki.leaves.valid.chainPem, ...options });
  open.push(s);
  return s;
}

function session(host: string, port: number, extra: Partial<SessionOptions> = {}): Promise<SmtpSession> {
  return runSmtpSession({
    endpoint: { key: `${HOST}:${port}`, host: HOST, port, address: host },
    ehloName: 'relaycheck.example.test',
    timeouts,
    trust: { system: false, ca: [pki.root.certPem] },
    ...extra,
  });
}

describe('the SMTP session probe against a TLS server', () => {
  it('walks greeting, EHLO, STARTTLS, TLS and EHLO again, and captures the chain the server sent', async () => {
    const server = await tlsServer();
    const s = await session(server.host, server.port);
    expect(s.failure).toBeUndefined();
    expect(s.greeting?.code).toBe(220);
    expect(s.ehlo?.capabilities).toHaveProperty('STARTTLS');
    expect(s.starttls).toEqual({ offered: true, reply: expect.objectContaining({ code: 220 }) });
    expect(s.tls?.protocol).toBe('TLSv1.3');
    expect(s.tls?.authorized).toBe(true);
    expect(s.tls?.servername).toBe(HOST);
    expect(s.ehloAfterTls?.reply.code).toBe(250);
    expect(s.ehloAfterTls?.capabilities).not.toHaveProperty('STARTTLS');
    expect(s.tls?.peerChain.map((b64) => Buffer.from(b64, 'base64').equals(Buffer.from(pki.leaves.valid.certDer)))).toEqual([true, false]);
    expect(s.certificateSummaries?.map((c) => c.sha256)).toEqual([pki.leaves.valid.sha256, pki.intermediate.sha256]);
    expect(s.certificateSummaries?.[0]).toMatchObject({ subject: `CN=${HOST}`, issuer: 'CN=relaycheck Lab Issuing CA', sans: [`DNS:${HOST}`], keyType: 'EC prime256v1', keyBits: 256, signatureAlgorithm: 'sha256WithRSAEncryption' });
    expect(s.certificateSummaries?.[0].notAfter).toBe(pki.leaves.valid.notAfter.toISOString());
    expect(server.sessions[0].servername).toBe(HOST);
    expect(server.sessions[0].commands).toEqual(['EHLO relaycheck.example.test', 'STARTTLS', 'EHLO relaycheck.example.test', 'QUIT']);
    const sent = s.transcript.filter((l) => l.dir === 'send').map((l) => [l.line, l.tls]);
    expect(sent).toEqual([
      ['EHLO relaycheck.example.test', false],
      ['STARTTLS', false],
      ['EHLO relaycheck.example.test', true],
      ['QUIT', true],
    ]);
    expect(s.versionScan).toBeUndefined();
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it('records only the leaf when the server does not send its intermediate, even though the trust store could complete it', async () => {
    const server = await tlsServer({ key: pki.leaves.leafOnly.keyPem, cert: pki.leaves.leafOnly.chainPem });
    const s = await session(server.host, server.port, { trust: { system: false, ca: [pki.root.certPem, pki.intermediate.certPem] } });
    expect(s.tls?.peerChain).toHaveLength(1);
    expect(s.certificateSummaries?.[0].sha256).toBe(pki.leaves.leafOnly.sha256);
  });

  it('sends no SNI to an IP literal and reports Node’s verdict without rejecting the certificate', async () => {
    const server = await tlsServer({ key: pki.leaves.selfSigned.keyPem, cert: pki.leaves.selfSigned.chainPem });
    const s = await runSmtpSession({ endpoint: { key: `127.0.0.1:${server.port}`, host: '127.0.0.1', port: server.port }, ehloName: 'relaycheck.example.test', timeouts });
    expect(s.failure).toBeUndefined();
    expect(s.tls?.servername).toBeUndefined();
    expect(server.sessions[0].servername).toBeUndefined();
    expect(s.tls?.authorized).toBe(false);
    expect(s.tls?.authorizationError).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('presents the client certificate when the server asks for one, and says it was asked', async () => {
    const server = await tlsServer({ requestCert: true });
    const s = await session(server.host, server.port, { clientCertificate: { certPem: pki.leaves.client.chainPem, keyPem: pki.leaves.client.keyPem } });
    expect(s.tls).toMatchObject({ clientCertificateRequested: true, clientCertificatePresented: true });
    expect(server.sessions[0].clientCertificateSubject).toBe('CN=relay.example.test');
    // The plan's client certificate is summarized too, so reports can show it and drift can see it renewed.
    expect(s.certificateSummaries?.map((c) => c.sha256)).toContain(pki.leaves.client.sha256);
  });

  it('says no client certificate was requested when the server does not ask', async () => {
    const server = await tlsServer();
    const s = await session(server.host, server.port, { clientCertificate: { certPem: pki.leaves.client.chainPem, keyPem: pki.leaves.client.keyPem } });
    expect(s.tls).toMatchObject({ clientCertificateRequested: false, clientCertificatePresented: false });
    expect(server.sessions[0].clientCertificateSubject).toBeUndefined();
  });

  it('goes on without a client certificate whose key does not match, and notes why', async () => {
    const server = await tlsServer({ requestCert: true });
    const s = await session(server.host, server.port, { clientCertificate: { certPem: pki.leaves.client.chainPem, keyPem: pki.leaves.valid.keyPem } });
    expect(s.failure).toBeUndefined();
    expect(s.tls).toMatchObject({ clientCertificateRequested: true, clientCertificatePresented: false });
    expect(s.transcript.some((l) => l.dir === 'info' && /client certificate cannot be used/.test(l.line))).toBe(true);
  });

  it('stops before TLS when STARTTLS is not offered, without a failure', async () => {
    const server = await tlsServer({ starttls: false });
    const s = await session(server.host, server.port);
    expect(s.failure).toBeUndefined();
    expect(s.starttls).toEqual({ offered: false });
    expect(s.tls).toBeUndefined();
    expect(server.sessions[0].commands).toEqual(['EHLO relaycheck.example.test', 'QUIT']);
  });

  it('notes plaintext sent after the 220 to STARTTLS and still completes TLS', async () => {
    const server = await tlsServer({ plaintextAfterStarttls: '250 2.0.0 injected\r\n' });
    const s = await session(server.host, server.port);
    expect(s.starttls?.plaintextAfterReply).toEqual({ bytes: 20, preview: '250 2.0.0 injected..' });
    expect(s.tls?.protocol).toBe('TLSv1.3');
    expect(s.failure).toBeUndefined();
  });

  it('negotiates TLS 1.1 with a legacy-only server and scans which versions it accepts', async () => {
    const server = await tlsServer({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ...LEGACY_SERVER_TLS_OPTIONS });
    const s = await session(server.host, server.port);
    expect(s.failure).toBeUndefined();
    expect(s.tls?.protocol).toBe('TLSv1.1');
    expect(s.versionScan?.accepted).toEqual({ TLSv1: true, 'TLSv1.1': true, 'TLSv1.2': false, 'TLSv1.3': false });
    expect(s.versionScan?.errors?.['TLSv1.2']).toMatch(/TLS handshake failed/);
  });

  it('runs over IPv6 when the machine has ::1', async (ctx) => {
    const probe = net.createServer();
    const hasV6 = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen(0, '::1', () => probe.close(() => resolve(true)));
    });
    if (!hasV6) ctx.skip();
    const server = await tlsServer({ host: '::1' });
    const s = await runSmtpSession({ endpoint: { key: server.hostPort, host: '::1', port: server.port }, ehloName: 'relaycheck.example.test', timeouts });
    expect(s.failure).toBeUndefined();
    expect(s).toMatchObject({ address: '::1', family: 6 });
    expect(s.tls?.protocol).toBe('TLSv1.3');
  });
});

describe('the SMTP session probe against broken servers', () => {
  const cases: { name: string; handler: ConnectionHandler; kind: string; phase: string; message: RegExp; scanned?: boolean }[] = [
    { name: 'accepts and never speaks', handler: hostile.silent, kind: 'timeout', phase: 'greeting', message: /^No greeting within 500 ms$/ },
    { name: 'greets with 421', handler: hostile.greeting421, kind: 'unexpected-reply', phase: 'greeting', message: /^421 at connect: 4\.3\.2 Service not available/ },
    { name: 'sends garbage', handler: hostile.garbage, kind: 'protocol-error', phase: 'greeting', message: /^Malformed reply line during greeting/ },
    { name: 'sends a 1 MiB line', handler: hostile.hugeLine, kind: 'protocol-error', phase: 'greeting', message: /longer than 2000 bytes/ },
    { name: 'never answers EHLO', handler: hostile.silentAfterGreeting, kind: 'timeout', phase: 'ehlo', message: /^No reply during ehlo within 500 ms$/ },
    { name: 'answers EHLO with 250- forever', handler: hostile.endlessMultiline, kind: 'protocol-error', phase: 'ehlo', message: /more than 100 lines/ },
    { name: 'refuses STARTTLS with 454', handler: hostile.starttlsRefused, kind: 'unexpected-reply', phase: 'starttls', message: /^STARTTLS refused: 454 4\.7\.0/ },
    { name: 'talks plaintext after 220 to STARTTLS', handler: hostile.plaintextAfterStarttls, kind: 'protocol-error', phase: 'tls-handshake', message: /^The server sent 30 bytes of plaintext after 220 to STARTTLS.*then: TLS handshake failed: wrong version number \(ERR_SSL_WRONG_VERSION_NUMBER\)$/, scanned: true },
    { name: 'resets the connection during the handshake', handler: hostile.resetDuringHandshake, kind: 'reset', phase: 'tls-handshake', message: /during the TLS handshake/, scanned: true },
  ];

  for (const c of cases) {
    it(`ends with a ${c.kind} failure at ${c.phase} when the server ${c.name}`, async () => {
      const server = await startRawServer(c.handler);
      open.push(server);
      const s = await session(server.host, server.port);
      expect(s.failure).toMatchObject({ kind: c.kind, phase: c.phase });
      expect(s.failure?.message).toMatch(c.message);
      expect(s.versionScan !== undefined).toBe(Boolean(c.scanned));
      expect(s.transcript.every((l) => l.line.length <= 2000)).toBe(true);
      expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    });
  }

  it('ends with a refused failure at connect when nothing listens', async () => {
    const server = await startRawServer(hostile.silent);
    await server.close();
    const s = await session('127.0.0.1', server.port);
    expect(s.failure).toMatchObject({ kind: 'refused', phase: 'connect', message: `Connection refused by 127.0.0.1:${server.port}` });
  });

  it('ends as aborted when the run is aborted mid-session', async () => {
    const server = await startRawServer(hostile.silent);
    open.push(server);
    const abort = new AbortController();
    const pending = session(server.host, server.port, { signal: abort.signal, timeouts: { ...timeouts, greetingMs: 30_000 } });
    setTimeout(() => abort.abort(), 50);
    const s = await pending;
    expect(s.failure).toMatchObject({ kind: 'aborted', phase: 'greeting' });
  });
});
