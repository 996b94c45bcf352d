import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExoMx, type ExoMxOptions, type ExoMxServer } from '../../src/lab/exo-mx.js';
import { issueLeaf, type LabPki } from '../../src/pki/generate.js';
import { SmtpClient, replyText } from '../../src/probes/smtp-client.js';
import { labPki, serverCert, tempDir, TEST_TIMEOUTS } from '../helpers/exo.js';

let pki: LabPki;
let pair: { key: string; cert: string };
const servers: ExoMxServer[] = [];

beforeAll(async () => {
  pki = await labPki();
  pair = await serverCert(pki, 'contoso-test.mail.protection.outlook.com');
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function mx(options: Partial<ExoMxOptions> = {}): Promise<ExoMxServer> {
  const s = await startExoMx({ ...pair, acceptedDomains: ['contoso.test'], tlsSenderCertificateName: '*.contoso.test', ...options });
  servers.push(s);
  return s;
}

/** MAIL FROM and RCPT TO over STARTTLS, presenting `client` (certificate chain PEM + key) if given. */
async function relay(server: ExoMxServer, opts: { client?: { cert: string; key: string }; from?: string; to?: string; tls?: boolean; data?: boolean } = {}) {
  const c = new SmtpClient({ timeouts: TEST_TIMEOUTS });
  await c.connect({ host: server.host, port: server.port });
  await c.greeting();
  await c.ehlo('relay.contoso.test');
  if (opts.tls !== false) {
    await c.startTls({ servername: 'contoso-test.mail.protection.outlook.com', ca: pki.root.certPem, ...(opts.client ? { cert: opts.client.cert, key: opts.client.key, clientCertificate: true } : {}) });
    await c.ehlo('relay.contoso.test');
  }
  const mail = await c.command(`MAIL FROM:<${opts.from ?? 'relay@contoso.test'}>`, 'mail');
  const rcpt = mail.code === 250 ? await c.command(`RCPT TO:<${opts.to ?? 'someone@fabrikam.test'}>`, 'rcpt') : undefined;
  let end;
  if (opts.data && rcpt?.code === 250) end = (await c.data('X-Relaycheck-Token: rc-mx\r\nSubject: relay\r\n\r\nbody\r\n')).end;
  const requested = c.tlsInfo?.clientCertificateRequested;
  await c.quit();
  return { mail: replyText(mail), rcpt: rcpt ? replyText(rcpt) : undefined, end: end ? replyText(end) : undefined, requested };
}

describe('the Exchange Online MX emulator', () => {
  it('takes Direct Send (no certificate, no AUTH) to a tenant mailbox, and still refuses relay to another domain with 5.7.64', async () => {
    const s = await mx({ directSend: 'accept' });
    expect(await relay(s, { from: 'printer@contoso.test', to: 'it@contoso.test' })).toMatchObject({ mail: expect.stringMatching(/^250/), rcpt: expect.stringMatching(/^250/) });
    expect((await relay(s, { from: 'printer@contoso.test' })).rcpt).toMatch(/^550 5\.7\.64 TenantAttribution; Relay Access Denied/);
  });

  it('refuses Direct Send with 550 5.7.68 TenantInboundAttribution when RejectDirectSend is on', async () => {
    const s = await mx({ directSend: 'reject' });
    expect((await relay(s, { from: 'printer@contoso.test', to: 'it@contoso.test' })).rcpt).toMatch(/^550 5\.7\.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources \[/);
  });

  it('asks for a client certificate and relays when its subject CN matches TlsSenderCertificateName', async () => {
    const server = await mx();
    const client = { cert: pki.leaves.client.chainPem, key: pki.leaves.client.keyPem }; // CN relay.contoso.test
    const r = await relay(server, { client, data: true });
    expect(r.requested).toBe(true);
    expect(r.rcpt).toMatch(/^250/);
    expect(r.end).toMatch(/^250 2\.6\.0 <[0-9a-f]+@\S+> \[InternalId=\d+, Hostname=\S+\] Queued mail for delivery$/);
    expect(server.messages[0]).toMatchObject({ server: 'mx', attributedBy: 'certificate-cn', token: 'rc-mx', clientCertificate: { subjectCn: 'relay.contoso.test' } });
  });

  it('relays too when only a subject alternative name matches', async () => {
    const server = await mx();
    const leaf = await issueLeaf(pki.intermediate, { cn: 'Relay Server', dnsNames: ['relay.contoso.test'], clientAuth: true });
    const r = await relay(server, { client: { cert: leaf.chainPem, key: leaf.keyPem }, data: true });
    expect(r.rcpt).toMatch(/^250/);
    expect(server.messages[0].attributedBy).toBe('certificate-san');
  });

  it('answers 550 5.7.64 TenantAttribution at RCPT TO when the certificate names do not match', async () => {
    const server = await mx();
    const r = await relay(server, { client: { cert: pki.leaves.clientWrongName.chainPem, key: pki.leaves.clientWrongName.keyPem } });
    expect(r.mail).toMatch(/^250/);
    expect(r.rcpt).toMatch(/^550 5\.7\.64 TenantAttribution; Relay Access Denied/);
    expect(server.decisions[0]).toMatchObject({ rcpt: 'someone@fabrikam.test', attributedBy: undefined, certificate: { subjectCn: 'relay.other-org.test' } });
  });

  it('answers 550 5.7.64 without a certificate unless the client IP is one of the connector\'s SenderIPAddresses', async () => {
    expect((await relay(await mx())).rcpt).toMatch(/^550 5\.7\.64 TenantAttribution/);
    const byIp = await mx({ tlsSenderCertificateName: undefined, senderIPs: ['127.0.0.0/8'] });
    expect((await relay(byIp, { data: true })).rcpt).toMatch(/^250/);
    expect(byIp.messages[0].attributedBy).toBe('ip');
  });

  it('answers 550 5.7.64 … ATTR36 when neither the certificate domain nor the MAIL FROM domain is accepted', async () => {
    const server = await mx({ tlsSenderCertificateName: undefined, senderIPs: ['127.0.0.1'] });
    expect((await relay(server, { from: 'someone@fabrikam.test' })).rcpt).toMatch(/^550 5\.7\.64 .*ATTR36/);
    expect((await relay(server, { from: 'relay@contoso.test' })).rcpt).toMatch(/^250/);
  });

  it('does not attribute an incomplete chain when it verifies client certificates (no intermediates are fetched)', async () => {
    const server = await mx({ trustedCa: [pki.root.certPem] });
    const leafOnly = await relay(server, { client: { cert: pki.leaves.client.certPem, key: pki.leaves.client.keyPem } });
    expect(leafOnly.rcpt).toMatch(/^550 5\.7\.64/);
    expect(server.decisions[0].certificate).toMatchObject({ authorized: false, subjectCn: 'relay.contoso.test' });
    const full = await relay(server, { client: { cert: pki.leaves.client.chainPem, key: pki.leaves.client.keyPem } });
    expect(full.rcpt).toMatch(/^250/);
  });

  it('refuses MAIL FROM without TLS with 451 5.7.3 when the connector requires TLS', async () => {
    const server = await mx({ requireTls: true });
    expect((await relay(server, { tls: false })).mail).toMatch(/^451 5\.7\.3 STARTTLS is required to send mail/);
  });

  it('delivers accepted messages into each recipient\'s Maildir in Dovecot\'s layout and calls onMessage', async () => {
    const dir = tempDir();
    const seen: string[] = [];
    const server = await mx({ maildir: dir, onMessage: (m) => seen.push(m.id) });
    await relay(server, { client: { cert: pki.leaves.client.chainPem, key: pki.leaves.client.keyPem }, data: true });
    const folder = join(dir, 'fabrikam.test', 'someone', 'new');
    const files = readdirSync(folder);
    expect(files).toHaveLength(1);
    const text = readFileSync(join(folder, files[0]), 'utf8');
    expect(text).toMatch(/^Return-Path: <relay@contoso\.test>\r\nDelivered-To: someone@fabrikam\.test\r\nX-Relaycheck-Token: rc-mx/);
    expect(seen).toEqual([server.messages[0].id]);
  });
});
