import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExoSubmission, type ExoSubmissionServer, type ExoUser } from '../../src/lab/exo-submission.js';
import { SmtpClient, replyText } from '../../src/probes/smtp-client.js';
import { labPki, serverCert, TEST_TIMEOUTS } from '../helpers/exo.js';

const users: ExoUser[] = [
  { username: 'scanner@contoso.test', password: 'pw-scanner', sendAs: ['shared@contoso.test'] },
  { username: 'oauth@contoso.test', accessTokens: ['token-123'] },
  { username: 'mailbox-off@contoso.test', password: 'pw', smtpAuthDisabled: 'mailbox' },
  { username: 'tenant-off@contoso.test', password: 'pw', smtpAuthDisabled: 'tenant' },
  { username: 'defaults@contoso.test', password: 'pw', smtpAuthDisabled: 'security-defaults' },
  { username: 'ca@contoso.test', password: 'pw', smtpAuthDisabled: 'conditional-access' },
  { username: 'basic-off@contoso.test', password: 'pw', basicAuthDisabled: true, accessTokens: ['tok-basic-off'] },
];

let mailFrom: ExoSubmissionServer;
let dataRefusal: ExoSubmissionServer;
let atMailFrom: ExoSubmissionServer;
let ca: string;

beforeAll(async () => {
  const pki = await labPki();
  ca = pki.root.certPem;
  const pair = await serverCert(pki, 'smtp.contoso.test');
  mailFrom = await startExoSubmission({ ...pair, users, authMethods: ['PLAIN', 'LOGIN', 'XOAUTH2'] });
  dataRefusal = await startExoSubmission({ ...pair, users, sendAsRefusal: 'data-storedrv' });
  atMailFrom = await startExoSubmission({ ...pair, users, authMethods: ['PLAIN', 'LOGIN'], sendAsRefusal: 'mail' });
});
afterAll(async () => {
  await mailFrom?.close();
  await dataRefusal?.close();
  await atMailFrom?.close();
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

async function session(server: ExoSubmissionServer, tls = true) {
  const c = new SmtpClient({ timeouts: TEST_TIMEOUTS });
  await c.connect({ host: server.host, port: server.port });
  await c.greeting();
  const before = await c.ehlo('client.contoso.test');
  if (!tls) return { c, before, after: undefined };
  await c.startTls({ servername: 'smtp.contoso.test', ca });
  const after = await c.ehlo('client.contoso.test');
  return { c, before, after };
}

async function plain(server: ExoSubmissionServer, user: string, pass: string) {
  const { c } = await session(server);
  const reply = await c.command(`AUTH PLAIN ${b64(`\0${user}\0${pass}`)}`, 'auth');
  return { c, said: replyText(reply) };
}

describe('the Exchange Online submission emulator', () => {
  it('advertises AUTH only after STARTTLS, and only TLS 1.2 or later', async () => {
    const { c, before, after } = await session(mailFrom);
    expect(before.capabilities.AUTH).toBeUndefined();
    expect(before.capabilities.STARTTLS).toBeDefined();
    expect(after!.capabilities.AUTH).toEqual(['PLAIN', 'LOGIN', 'XOAUTH2']);
    expect(c.tlsInfo?.protocol).toMatch(/^TLSv1\.[23]$/);
    await c.quit();
  });

  it('advertises LOGIN and XOAUTH2 by default, as Exchange Online does', async () => {
    const { c, after } = await session(dataRefusal);
    expect(after!.capabilities.AUTH).toEqual(['LOGIN', 'XOAUTH2']);
    await c.quit();
  });

  it('answers MAIL FROM without authentication with 530 5.7.57', async () => {
    const { c } = await session(mailFrom, false);
    expect(replyText(await c.command('MAIL FROM:<scanner@contoso.test>', 'mail'))).toMatch(/^530 5\.7\.57 Client not authenticated to send mail/);
    await c.quit();
  });

  it.each([
    ['a wrong password', 'scanner@contoso.test', 'nope', /^535 5\.7\.3 Authentication unsuccessful/],
    ['an unknown user', 'nobody@contoso.test', 'pw', /^535 5\.7\.3 Authentication unsuccessful/],
    ['SMTP AUTH disabled for the mailbox', 'mailbox-off@contoso.test', 'pw', /^535 5\.7\.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox/],
    ['SMTP AUTH disabled for the tenant', 'tenant-off@contoso.test', 'pw', /^535 5\.7\.139 .*disabled for the Tenant/],
    ['security defaults', 'defaults@contoso.test', 'pw', /^535 5\.7\.139 .*security defaults/],
    ['Conditional Access', 'ca@contoso.test', 'pw', /^535 5\.7\.139 .*did not meet the criteria/],
    ['Basic authentication retired', 'basic-off@contoso.test', 'pw', /^550 5\.7\.30 Basic authentication is not supported for Client Submission/],
    ['the right password', 'scanner@contoso.test', 'pw-scanner', /^235 /],
  ])('answers AUTH PLAIN with %s as Exchange Online does', async (_n, user, pass, expected) => {
    const { c, said } = await plain(mailFrom, user, pass);
    expect(said).toMatch(expected);
    await c.quit();
  });

  it('takes AUTH LOGIN and XOAUTH2 tokens', async () => {
    const login = (await session(mailFrom)).c;
    expect((await login.command('AUTH LOGIN', 'auth')).code).toBe(334);
    expect((await login.command(b64('scanner@contoso.test'), 'auth', { secret: true })).code).toBe(334);
    expect((await login.command(b64('pw-scanner'), 'auth', { secret: true })).code).toBe(235);
    await login.quit();
    const oauth = (await session(mailFrom)).c;
    expect((await oauth.command(`AUTH XOAUTH2 ${b64('user=oauth@contoso.test\x01auth=Bearer token-123\x01\x01')}`, 'auth')).code).toBe(235);
    await oauth.quit();
    const bad = (await session(mailFrom)).c;
    expect(replyText(await bad.command(`AUTH XOAUTH2 ${b64('user=oauth@contoso.test\x01auth=Bearer wrong\x01\x01')}`, 'auth'))).toMatch(/^535 5\.7\.3/);
    await bad.quit();
  });

  it('accepts MAIL FROM and RCPT TO for a sender without Send As and refuses it at the end of DATA with 550 5.7.60, as Exchange Online does', async () => {
    const { c } = await plain(mailFrom, 'scanner@contoso.test', 'pw-scanner');
    expect((await c.command('MAIL FROM:<ceo@contoso.test>', 'mail')).code).toBe(250);
    expect((await c.command('RCPT TO:<it@contoso.test>', 'rcpt')).code).toBe(250);
    const before = mailFrom.messages.length;
    const { end } = await c.data('Subject: x\r\n\r\nbody\r\n');
    expect(replyText(end!)).toMatch(/^550 5\.7\.60 SMTP; Client does not have permissions to send as this sender \[[A-Za-z0-9.]+\.prod\.outlook\.com\]$/);
    expect(mailFrom.messages).toHaveLength(before);
    await c.quit();
  });

  it('can refuse a sender without Send As at MAIL FROM when told to, and accepts its own and granted ones', async () => {
    const { c } = await plain(atMailFrom, 'scanner@contoso.test', 'pw-scanner');
    expect(replyText(await c.command('MAIL FROM:<ceo@contoso.test>', 'mail'))).toMatch(/^550 5\.7\.60 SMTP; Client does not have permissions to send as this sender/);
    expect((await c.command('MAIL FROM:<shared@contoso.test>', 'mail')).code).toBe(250);
    await c.command('RSET', 'mail');
    expect((await c.command('MAIL FROM:<SCANNER@contoso.test>', 'mail')).code).toBe(250);
    await c.quit();
  });

  it("can give the store driver's 554 5.2.252 SendAsDenied at the end of DATA instead, capturing nothing", async () => {
    const { c } = await session(dataRefusal); // offers no PLAIN: log in with LOGIN
    await c.command('AUTH LOGIN', 'auth');
    await c.command(b64('scanner@contoso.test'), 'auth', { secret: true });
    expect((await c.command(b64('pw-scanner'), 'auth', { secret: true })).code).toBe(235);
    expect((await c.command('MAIL FROM:<ceo@contoso.test>', 'mail')).code).toBe(250);
    expect((await c.command('RCPT TO:<it@contoso.test>', 'rcpt')).code).toBe(250);
    const { end } = await c.data('Subject: x\r\n\r\nbody\r\n');
    expect(replyText(end!)).toMatch(/^554 5\.2\.252 SendAsDenied; scanner@contoso\.test not allowed to send as ceo@contoso\.test/);
    expect(dataRefusal.messages).toHaveLength(0);
    await c.quit();
  });

  it('captures an accepted message with its token and answers 250 with an Exchange Online style id', async () => {
    const { c } = await plain(mailFrom, 'scanner@contoso.test', 'pw-scanner');
    const before = mailFrom.messages.length;
    await c.command('MAIL FROM:<scanner@contoso.test>', 'mail');
    await c.command('RCPT TO:<it@contoso.test>', 'rcpt');
    const { end } = await c.data('X-Relaycheck-Token: rc-abc\r\nSubject: hello\r\n\r\nbody\r\n');
    expect(replyText(end!)).toMatch(/^250 2\.0\.0 OK <[0-9a-f]+@\S+\.prod\.outlook\.com> \[Hostname=/);
    const m = mailFrom.messages[before];
    expect(m).toMatchObject({ server: 'submission', user: 'scanner@contoso.test', mailFrom: 'scanner@contoso.test', rcptTo: ['it@contoso.test'], token: 'rc-abc', subject: 'hello' });
    expect(mailFrom.mailbox.withToken('rc-abc')).toHaveLength(1);
    await c.quit();
  });
});
