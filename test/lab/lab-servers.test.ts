// The lab's own servers, each on its own: the DNS resolver (through relaycheck's resolver), the
// on-prem smart host (through nodemailer, as Exchange Online would deliver) and the IMAP mailbox
// (through imapflow, as send.delivery searches it); and the --break parser.
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { startLabDns, type LabDnsServer } from '../../src/lab/dns.js';
import { LAB_FAULTS, parseFaults } from '../../src/lab/faults.js';
import { startLabImap } from '../../src/lab/imap.js';
import { startSmartHost } from '../../src/lab/smart-host.js';
import { createLabPki, issueLeaf, type LabPki } from '../../src/pki/generate.js';
import { createResolver } from '../../src/probes/dns/resolver.js';

let pki: LabPki;
beforeAll(async () => {
  pki = await createLabPki({ domain: 'contoso.test', host: 'mail.contoso.test' });
});

describe('the lab DNS server', () => {
  let dns: LabDnsServer;
  beforeAll(async () => {
    dns = await startLabDns({
      zone: {
        'contoso.test': { MX: [{ preference: 0, exchange: 'contoso-test.mail.protection.outlook.test' }], TXT: ['v=spf1 -all'] },
        'selector1._domainkey.contoso.test': { CNAME: ['key1.contoso.onmicrosoft.com'] },
        'key1.contoso.onmicrosoft.com': { TXT: [['v=DKIM1; k=rsa; p=', 'AAAA']] },
        'mail.contoso.test': { A: ['203.0.113.25'] },
      },
    });
  });
  afterAll(() => dns.close());
  const resolver = () => createResolver({ servers: [{ host: '127.0.0.1', port: dns.port }], timeoutMs: 2000, attempts: 1 });

  it('answers from its zone, validated (AD), and follows CNAMEs inside the zone', async () => {
    const r = resolver();
    const mx = await r.query('contoso.test', 'MX');
    expect(mx.status).toBe('ok');
    expect(mx.ad).toBe(true);
    expect(mx.records).toEqual([expect.objectContaining({ type: 'MX', preference: 0, exchange: 'contoso-test.mail.protection.outlook.test' })]);
    const dkim = await r.query('selector1._domainkey.contoso.test', 'TXT');
    expect(dkim.records.find((x) => x.type === 'TXT')).toMatchObject({ data: 'v=DKIM1; k=rsa; p=AAAA' });
  });

  it('says NXDOMAIN for unknown names and NODATA for known names without the type', async () => {
    const r = resolver();
    expect((await r.query('nothing.contoso.test', 'A')).status).toBe('nxdomain');
    expect((await r.query('mail.contoso.test', 'AAAA')).status).toBe('nodata');
    expect((await r.query('_domainkey.contoso.test', 'TXT')).status).toBe('nodata'); // an empty non-terminal
  });
});

describe('the lab smart host', () => {
  it('takes mail for its domain over STARTTLS with its certificate and answers like Postfix', async () => {
    const seen: string[] = [];
    const host = await startSmartHost({ hostname: 'mail.contoso.test', key: pki.leaves.valid.keyPem, cert: pki.leaves.valid.chainPem, domains: ['contoso.test'], onMessage: (m) => seen.push(m.rcptTo.join(',')) });
    try {
      const t = nodemailer.createTransport({ host: '127.0.0.1', port: host.port, secure: false, requireTLS: true, tls: { servername: 'mail.contoso.test', ca: [pki.root.certPem] } });
      const info = await t.sendMail({ from: 'a@contoso.test', to: 'admin@contoso.test', subject: 'hi', text: 'hello' });
      t.close();
      expect(info.response).toMatch(/^250 2\.0\.0 Ok: queued as [0-9A-F]{10}$/);
      expect(seen).toEqual(['admin@contoso.test']);
      expect(host.messages[0].tls).not.toBeNull();
    } finally {
      await host.close();
    }
  });

  it('refuses to relay to other domains, and offers no STARTTLS when told not to', async () => {
    const host = await startSmartHost({ hostname: 'mail.contoso.test', key: pki.leaves.valid.keyPem, cert: pki.leaves.valid.chainPem, domains: ['contoso.test'], starttls: false });
    try {
      const t = nodemailer.createTransport({ host: '127.0.0.1', port: host.port, secure: false, ignoreTLS: true });
      await expect(t.sendMail({ from: 'a@contoso.test', to: 'someone@fabrikam.test', subject: 'x', text: 'x' })).rejects.toMatchObject({ responseCode: 554, response: expect.stringMatching(/5\.7\.1 <someone@fabrikam\.test>: Relay access denied/) });
      const strict = nodemailer.createTransport({ host: '127.0.0.1', port: host.port, secure: false, requireTLS: true });
      await expect(strict.sendMail({ from: 'a@contoso.test', to: 'admin@contoso.test', subject: 'x', text: 'x' })).rejects.toThrow();
      t.close();
      strict.close();
      expect(host.messages).toEqual([]);
    } finally {
      await host.close();
    }
  });
});

describe('the lab IMAP mailbox', () => {
  it('serves delivered messages over IMAPS to the right password, found by their relaycheck token', async () => {
    const leaf = await issueLeaf(pki.intermediate, { cn: 'outlook.office365.lab.test' });
    const imap = await startLabImap({ key: leaf.keyPem, cert: leaf.chainPem, users: { 'it@contoso.test': 'pw-1' } });
    const client = (pass: string) =>
      new ImapFlow({ host: '127.0.0.1', port: imap.port, secure: true, servername: 'outlook.office365.lab.test', auth: { user: 'it@contoso.test', pass }, logger: false, tls: { ca: [pki.root.certPem] } });
    try {
      imap.deliver('From: a@contoso.test\r\nTo: it@contoso.test\r\nSubject: t\r\nX-Relaycheck-Token: rc-abc-123\r\n\r\nbody\r\n', ['it@contoso.test']);
      expect(imap.count).toBe(1);
      const ok = client('pw-1');
      await ok.connect();
      await ok.mailboxOpen('INBOX', { readOnly: true });
      expect(await ok.search({ header: { 'X-Relaycheck-Token': 'rc-abc-123' } })).toHaveLength(1);
      expect(await ok.search({ header: { 'X-Relaycheck-Token': 'rc-other' } })).toHaveLength(0);
      await ok.logout();
      const wrong = client('nope');
      wrong.on('error', () => undefined);
      await expect(wrong.connect()).rejects.toMatchObject({ authenticationFailed: true });
    } finally {
      await imap.close();
    }
  });

  it('logs in with XOAUTH2 only for a token the verifier accepts for that mailbox, and serves FETCH as imapflow asks', async () => {
    const leaf = await issueLeaf(pki.intermediate, { cn: 'outlook.office365.lab.test' });
    const imap = await startLabImap({ key: leaf.keyPem, cert: leaf.chainPem, users: {}, verifyXoauth2: async (user, token) => user === 'it@contoso.test' && token === 'good.token.sig' });
    const client = (accessToken: string) =>
      new ImapFlow({ host: '127.0.0.1', port: imap.port, secure: true, servername: 'outlook.office365.lab.test', auth: { user: 'it@contoso.test', accessToken }, logger: false, tls: { ca: [pki.root.certPem] } });
    try {
      imap.deliver('From: a@contoso.test\r\nTo: it@contoso.test\r\nSubject: hello\r\nX-Relaycheck-Token: rc-x-1\r\n\r\nbody\r\n');
      const ok = client('good.token.sig');
      await ok.connect();
      await ok.mailboxOpen('INBOX', { readOnly: true });
      const [seq] = (await ok.search({ header: { 'X-Relaycheck-Token': 'rc-x-1' } })) as number[];
      const message = await ok.fetchOne(String(seq), { uid: true, source: true });
      expect(message && message.source?.toString()).toContain('Subject: hello');
      await ok.logout();
      const bad = client('forged.token.sig');
      bad.on('error', () => undefined);
      await expect(bad.connect()).rejects.toMatchObject({ authenticationFailed: true });
      expect(imap.logins.map((l) => `${l.mechanism} ${l.ok}`)).toEqual(['XOAUTH2 true', 'XOAUTH2 false']);
    } finally {
      await imap.close();
    }
  });
});

describe('--break', () => {
  it('takes comma-separated and repeated fault names, once each', () => {
    expect(parseFaults(['expired-cert,no-starttls', 'expired-cert', ' Sender-Mismatch '])).toEqual(['expired-cert', 'no-starttls', 'sender-mismatch']);
    expect(parseFaults(undefined)).toEqual([]);
  });

  it('refuses an unknown fault and names every known one', () => {
    let error: unknown;
    try {
      parseFaults(['expired-cert,tls-is-fine']);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain('--break: unknown fault "tls-is-fine"');
    for (const f of LAB_FAULTS) expect((error as Error).message).toContain(f);
  });
});
