// Checks the real-peer helpers against the real daemons, in a loopback block claimed free at start
// (loopback.ts): the host numbers below are the last octet of each address.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePeer } from './available.js';
import { claimLoopbackBlock, type LoopbackBlock } from './loopback.js';
import { startDovecot, type DovecotInstance } from './dovecot.js';
import { startNsd, type NsdInstance } from './nsd.js';
import { startPostfix, type PostfixInstance } from './postfix.js';
import { isBound } from './proc.js';
import { selfSignedCert, type PemPair } from './tls.js';

const HOST = 'mail.example.test';
const MAY = { host: 1, address: '', port: 25 };
const NONE = { host: 2, address: '', port: 25 };
const SUBMISSION = { host: 3, address: '', port: 587 };
const LEGACY = { host: 4, address: '', port: 25 };
const CLIENT_CERT = { host: 5, address: '', port: 25 };
const IMAP = { host: 1, address: '', port: 143 };
const DNS = { host: 53, address: '', port: 53 };
let loopback: LoopbackBlock;
/** Claims the block and fills in every listener's address. */
async function claimAddresses(): Promise<void> {
  loopback = await claimLoopbackBlock([...[MAY, NONE, SUBMISSION, LEGACY, CLIENT_CERT, IMAP].map((l) => ({ host: l.host, tcp: [l.port] })), { host: DNS.host, tcp: [DNS.port], udp: [DNS.port] }]);
  for (const l of [MAY, NONE, SUBMISSION, LEGACY, CLIENT_CERT, IMAP, DNS]) l.address = loopback.at(l.host);
}

const ALICE = { user: 'alice@example.test', password: 'alice-secret' };
const BOB = { user: 'bob@example.test', password: '{PLAIN}bob-secret' };

/** A line-oriented SMTP client over a plain socket that can be upgraded with STARTTLS. */
class SmtpClient {
  private buf = '';
  private waiters: { resolve: (reply: string) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | undefined;

  private constructor(private sock: Socket | TLSSocket) {
    this.attach(sock);
  }

  static async open(address: string, port: number): Promise<{ client: SmtpClient; greeting: string }> {
    const sock = netConnect({ host: address, port });
    await new Promise<void>((res, rej) => {
      sock.once('connect', res);
      sock.once('error', rej);
    });
    const client = new SmtpClient(sock);
    return { client, greeting: await client.read() };
  }

  private attach(sock: Socket | TLSSocket): void {
    sock.setEncoding('latin1');
    sock.on('data', this.onData);
    sock.on('error', this.onError);
    sock.on('close', this.onClose);
  }

  private detach(sock: Socket | TLSSocket): void {
    sock.off('data', this.onData);
    sock.off('error', this.onError);
    sock.off('close', this.onClose);
  }

  private onData = (chunk: string): void => {
    this.buf += chunk;
    this.pump();
  };
  private onError = (e: Error): void => this.fail(e);
  private onClose = (): void => this.fail(new Error('connection closed'));

  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.waiters.splice(0)) w.reject(e);
  }

  private pump(): void {
    for (;;) {
      const m = /^(?:\d{3}-[^\n]*\n)*\d{3}(?: [^\n]*)?\n/.exec(this.buf);
      if (!m || this.waiters.length === 0) return;
      this.buf = this.buf.slice(m[0].length);
      this.waiters.shift()!.resolve(m[0].replace(/\r/g, ''));
    }
  }

  read(): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.pump();
    });
  }

  cmd(line: string): Promise<string> {
    this.sock.write(`${line}\r\n`);
    return this.read();
  }

  /** STARTTLS, then the TLS handshake with these options. Rejects if either fails. */
  async starttls(opts: ConnectionOptions = {}): Promise<TLSSocket> {
    const reply = await this.cmd('STARTTLS');
    if (!reply.startsWith('220')) throw new Error(`STARTTLS refused: ${reply}`);
    const plain = this.sock;
    this.detach(plain);
    const secure = tlsConnect({ socket: plain as Socket, servername: HOST, rejectUnauthorized: false, ...opts });
    await new Promise<void>((res, rej) => {
      secure.once('secureConnect', res);
      secure.once('error', rej);
    });
    this.sock = secure;
    this.attach(secure);
    return secure;
  }

  close(): void {
    this.detach(this.sock);
    this.sock.on('error', () => undefined);
    this.sock.end('QUIT\r\n');
    this.sock.destroy();
  }
}

async function ehloAfterGreeting(address: string, port: number): Promise<{ client: SmtpClient; greeting: string; ehlo: string }> {
  const { client, greeting } = await SmtpClient.open(address, port);
  const ehlo = await client.cmd('EHLO client.example.test');
  return { client, greeting, ehlo };
}

/** nodemailer on the submission listener, logged in as alice: STARTTLS required, any certificate taken. */
function submissionAsAlice(pass: string) {
  return nodemailer.createTransport({ host: SUBMISSION.address, port: SUBMISSION.port, secure: false, requireTLS: true, tls: { rejectUnauthorized: false }, auth: { user: ALICE.user, pass } });
}

function keywords(ehlo: string): string[] {
  return ehlo
    .split('\n')
    .filter(Boolean)
    .slice(1)
    .map((l) => l.slice(4).trim().toUpperCase());
}

describe.skipIf(!requirePeer('postfix', 'dovecot', 'nsd'))('real peers on a free loopback block', () => {
  let tmp: string;
  let postfix: PostfixInstance | undefined;
  let dovecot: DovecotInstance | undefined;
  let nsd: NsdInstance | undefined;
  let clientCert: PemPair;
  const startedAt = Date.now();

  beforeAll(async () => {
    await claimAddresses();
    tmp = mkdtempSync(join(tmpdir(), 'relaycheck-peers-'));
    const mailDir = join(tmp, 'mail');
    const [serverCert, cc] = await Promise.all([selfSignedCert(join(tmp, 'certs'), HOST), selfSignedCert(join(tmp, 'certs'), 'client.example.test')]);
    clientCert = cc;

    const dnsStart = startNsd({
      dir: join(tmp, 'nsd'),
      address: DNS.address,
      port: DNS.port,
      zones: [
        {
          name: 'example.test',
          text: [
            '$TTL 300',
            '@ IN SOA ns1 hostmaster 1 3600 600 86400 300',
            '@ IN NS ns1',
            `ns1 IN A ${DNS.address}`,
            `mail IN A ${MAY.address}`,
            '@ IN MX 10 mail',
            `@ IN TXT "v=spf1 ip4:${loopback.prefix}.0/24 -all"`,
          ].join('\n'),
        },
      ],
    });
    dovecot = await startDovecot({ dir: join(tmp, 'dovecot'), users: [ALICE, BOB], mailDir, imapAddress: IMAP.address, imapPort: IMAP.port });
    const tlsFiles = { keyFile: serverCert.keyFile, chainFile: serverCert.certFile };
    [postfix, nsd] = await Promise.all([
      startPostfix({
        dir: join(tmp, 'postfix'),
        hostname: HOST,
        dovecotAuthSocket: dovecot.authSocket,
        virtualMailbox: { domain: 'example.test', users: ['alice', 'bob'], baseDir: mailDir },
        listeners: [
          { ...MAY, tls: 'may', ...tlsFiles },
          { ...NONE, tls: 'none' },
          {
            ...SUBMISSION,
            tls: 'may',
            ...tlsFiles,
            sasl: true,
            requireAuth: true,
            authOnlyAfterTls: true,
            senderLoginMaps: { [ALICE.user]: ALICE.user, [BOB.user]: BOB.user },
          },
          { ...LEGACY, tls: 'legacy', ...tlsFiles },
          { ...CLIENT_CERT, tls: 'may', ...tlsFiles, requireClientCert: true },
        ],
      }),
      dnsStart,
    ]);
    console.log(`peers up in ${Date.now() - startedAt} ms (Dovecot ${dovecot.version})`);
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled([postfix?.stop(), dovecot?.stop(), nsd?.stop()]);
    // RELAYCHECK_KEEP_PEER_DIRS=1 keeps configs and logs for a look afterwards.
    if (tmp && !process.env.RELAYCHECK_KEEP_PEER_DIRS) rmSync(tmp, { recursive: true, force: true });
    else if (tmp) console.log(`peer dirs kept in ${tmp}`);
  }, 30_000);

  it('greets with 220 and the configured hostname on every Postfix listener', async () => {
    for (const l of [MAY, NONE, SUBMISSION, LEGACY, CLIENT_CERT]) {
      const { client, greeting } = await SmtpClient.open(l.address, l.port);
      client.close();
      expect(greeting).toMatch(/^220 mail\.example\.test ESMTP/);
    }
  });

  it('offers STARTTLS on the "may" listener and not on the "none" listener', async () => {
    const may = await ehloAfterGreeting(MAY.address, MAY.port);
    const none = await ehloAfterGreeting(NONE.address, NONE.port);
    may.client.close();
    none.client.close();
    expect(keywords(may.ehlo)).toContain('STARTTLS');
    expect(keywords(none.ehlo)).not.toContain('STARTTLS');
    expect(none.ehlo).toMatch(/^250-mail\.example\.test/);
  });

  it('negotiates TLS 1.3 with the given certificate on the "may" listener', async () => {
    const { client } = await ehloAfterGreeting(MAY.address, MAY.port);
    const tls = await client.starttls();
    const protocol = tls.getProtocol();
    const cn = tls.getPeerCertificate().subject.CN;
    const ehlo = await client.cmd('EHLO client.example.test');
    client.close();
    expect(protocol).toBe('TLSv1.3');
    expect(cn).toBe(HOST);
    expect(keywords(ehlo)).not.toContain('STARTTLS');
  });

  it('offers AUTH on the submission listener only after STARTTLS', async () => {
    const { client, ehlo } = await ehloAfterGreeting(SUBMISSION.address, SUBMISSION.port);
    await client.starttls();
    const ehloTls = await client.cmd('EHLO client.example.test');
    client.close();
    expect(keywords(ehlo).some((k) => k.startsWith('AUTH'))).toBe(false);
    expect(keywords(ehlo)).toContain('STARTTLS');
    expect(keywords(ehloTls)).toContain('AUTH PLAIN LOGIN');
  });

  it('authenticates through Dovecot after STARTTLS and delivers a message that IMAP shows', async () => {
    const subject = `peer check ${Date.now()}`;
    const transport = submissionAsAlice(ALICE.password);
    const info = await transport.sendMail({ from: ALICE.user, to: BOB.user, subject, text: 'hello from the peer test\n' });
    transport.close();
    expect(info.accepted).toEqual([BOB.user]);
    expect(info.response).toMatch(/^250 2\.0\.0 Ok: queued/);

    await postfix!.waitForLog(/to=<bob@example\.test>.*relay=virtual.*status=sent/, 10_000);
    expect(postfix!.maillog()).toMatch(/sasl_method=PLAIN, sasl_username=alice@example\.test/);

    const imap = new ImapFlow({
      host: IMAP.address,
      port: IMAP.port,
      secure: false,
      doSTARTTLS: false,
      auth: { user: BOB.user, pass: 'bob-secret' },
      logger: false,
    });
    await imap.connect();
    const subjects: string[] = [];
    const lock = await imap.getMailboxLock('INBOX');
    try {
      for await (const msg of imap.fetch('1:*', { envelope: true })) subjects.push(msg.envelope?.subject ?? '');
    } finally {
      lock.release();
    }
    await imap.logout();
    expect(subjects).toContain(subject);
  }, 20_000);

  it('refuses a MAIL FROM that the logged-in account does not own with 553 5.7.1', async () => {
    const transport = submissionAsAlice(ALICE.password);
    const err = await transport.sendMail({ from: BOB.user, to: ALICE.user, subject: 'spoof', text: 'x\n' }).then(
      () => undefined,
      (e: unknown) => e as { response?: string; command?: string; responseCode?: number },
    );
    transport.close();
    expect(err?.responseCode).toBe(553);
    expect(err?.response).toMatch(/^553 5\.7\.1 <bob@example\.test>: Sender address rejected: not owned by user alice@example\.test/);
    expect(err?.command).toBe('MAIL FROM');
  });

  it('refuses AUTH with a wrong password, again and again without growing delays', async () => {
    const transport = submissionAsAlice('wrong');
    const t0 = Date.now();
    for (let i = 0; i < 3; i++) {
      const err = await transport.verify().then(
        () => undefined,
        (e: unknown) => e as { responseCode?: number; response?: string },
      );
      expect(err?.responseCode).toBe(535);
      expect(err?.response).toMatch(/^535 5\.7\.8 Error: authentication failed/);
    }
    transport.close();
    // Dovecot's auth penalty would make this 0.5 + 2.5 + 4.5 s; switched off it is ~3 x 0.5 s.
    expect(Date.now() - t0).toBeLessThan(4_000);
  });

  it('speaks TLS 1.1 on the legacy listener', async () => {
    const { client } = await ehloAfterGreeting(LEGACY.address, LEGACY.port);
    const tls = await client.starttls({ minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' });
    const protocol = tls.getProtocol();
    const ehlo = await client.cmd('EHLO client.example.test');
    client.close();
    expect(protocol).toBe('TLSv1.1');
    expect(ehlo).toMatch(/^250-mail\.example\.test/);
  });

  it('refuses TLS 1.2 and 1.3 on the legacy listener', async () => {
    for (const minVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
      const { client } = await ehloAfterGreeting(LEGACY.address, LEGACY.port);
      await expect(client.starttls({ minVersion })).rejects.toThrow(/protocol|version|alert/i);
      client.close();
    }
  });

  it('asks for a client certificate and logs it on the listener that wants one', async () => {
    const { client } = await ehloAfterGreeting(CLIENT_CERT.address, CLIENT_CERT.port);
    const tls = await client.starttls({ key: readPem(clientCert.keyFile), cert: readPem(clientCert.certFile) });
    const protocol = tls.getProtocol();
    await client.cmd('EHLO client.example.test');
    client.close();
    expect(protocol).toBe('TLSv1.3');
    const line = await postfix!.waitForLog(new RegExp(`${CLIENT_CERT.address.replaceAll('.', '\\.')}:25/smtpd.*(subject_CN|CN)=client\\.example\\.test`), 5_000);
    expect(line).toContain('client.example.test');
  });

  it('answers TXT queries for the test zone over UDP and TCP from nsd', async () => {
    for (const tcp of [false, true]) {
      const res = await nsd!.query('example.test', 'TXT', { tcp });
      expect(res.rcode).toBe('NOERROR');
      expect(res.flag_aa).toBe(true);
      const txt = (res.answers ?? []).filter((a) => a.type === 'TXT').flatMap((a) => (Array.isArray(a.data) ? a.data : [a.data]).map((d) => d.toString()));
      expect(txt).toEqual([`v=spf1 ip4:${loopback.prefix}.0/24 -all`]);
    }
  });

  it('stops every peer and frees its ports', async () => {
    const t0 = Date.now();
    await Promise.all([postfix!.stop(), dovecot!.stop(), nsd!.stop()]);
    console.log(`peers stopped in ${Date.now() - t0} ms`);
    for (const l of [MAY, NONE, SUBMISSION, LEGACY, CLIENT_CERT, IMAP]) expect(isBound(l.address, l.port)).toBe(false);
    expect(isBound(DNS.address, DNS.port, 'udp')).toBe(false);
    expect(isBound(DNS.address, DNS.port, 'tcp')).toBe(false);
  }, 20_000);
});

function readPem(file: string): string {
  return readFileSync(file, 'utf8');
}
