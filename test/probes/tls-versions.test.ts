import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEGACY_SERVER_TLS_OPTIONS, createLabPki, type LabPki } from '../../src/pki/generate.js';
import { clientContext } from '../../src/probes/smtp-session.js';
import { scanTlsVersions } from '../../src/probes/tls-versions.js';
import { hostile, startRawServer } from '../helpers/raw-smtp-server.js';
import { startTlsSmtpServer, type TlsSmtpServer } from '../helpers/tls-smtp-server.js';

const timeouts = { connectMs: 1000, greetingMs: 500, commandMs: 500, tlsMs: 1000 };
let pki: LabPki;
const open: { close(): Promise<void> }[] = [];
beforeAll(async () => {
  pki = await createLabPki({ domain: 'example.test', host: 'mail.example.test' });
});
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
});

function scan(port: number) {
  const shared = new Map<string, unknown>();
  return scanTlsVersions({
    target: { host: '127.0.0.1', port },
    ehloName: 'relaycheck.example.test',
    timeouts,
    contextFor: (v) => clientContext({ minVersion: v, maxVersion: v }, shared),
  });
}

async function server(options: Parameters<typeof startTlsSmtpServer>[0]): Promise<TlsSmtpServer> {
  const s = await startTlsSmtpServer({ key: pki.leaves.valid.keyPem, cert: pki.leaves.valid.chainPem, ...options });
  open.push(s);
  return s;
}

describe('the TLS version scan', () => {
  it('finds TLS 1.2 and 1.3 on a current server and nothing older', async () => {
    const s = await server({});
    const result = await scan(s.port);
    expect(result.accepted).toEqual({ TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': true });
    expect(s.sessions).toHaveLength(4);
  });

  it('finds only TLS 1.1 on a server pinned to it', async () => {
    const s = await server({ minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ...LEGACY_SERVER_TLS_OPTIONS });
    const result = await scan(s.port);
    expect(result.accepted).toEqual({ TLSv1: false, 'TLSv1.1': true, 'TLSv1.2': false, 'TLSv1.3': false });
  });

  it('leaves versions it could not try out of the verdict and says why', async () => {
    const s = await startRawServer(hostile.starttlsRefused);
    open.push(s);
    const result = await scan(s.port);
    expect(result.accepted).toEqual({});
    expect(result.errors?.TLSv1).toMatch(/^not tried: STARTTLS answered 454/);
  });
});
