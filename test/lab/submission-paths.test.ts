import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAcsStandIn, startHveStandIn } from '../../src/lab/submission-paths.js';
import type { ExoSubmissionServer } from '../../src/lab/exo-submission.js';
import { SmtpClient, replyText } from '../../src/probes/smtp-client.js';
import { labPki, serverCert, TEST_TIMEOUTS } from '../helpers/exo.js';

const ACS_LOGIN = 'contoso-acs.6f1d2c3b-4a5e-4f60-8b7c-9d0e1f2a3b4c.72f988bf-86f1-41af-91ab-2d7cd011db47';
let hve: ExoSubmissionServer;
let acs: ExoSubmissionServer;
let ca: string;

beforeAll(async () => {
  const pki = await labPki();
  ca = pki.root.certPem;
  const pair = await serverCert(pki, 'smtp.contoso.test');
  hve = await startHveStandIn({ ...pair, acceptedDomains: ['contoso.test'], users: [{ username: 'notify@contoso.test', password: 'pw-hve' }], authMethods: ['PLAIN', 'LOGIN'] });
  acs = await startAcsStandIn({ ...pair, verifiedDomains: ['contoso.test'], apps: [{ username: ACS_LOGIN, clientSecret: 'secret-acs' }] });
});
afterAll(async () => {
  await hve?.close();
  await acs?.close();
});

async function login(server: ExoSubmissionServer, user: string, pass: string) {
  const c = new SmtpClient({ timeouts: TEST_TIMEOUTS });
  await c.connect({ host: server.host, port: server.port });
  await c.greeting();
  await c.ehlo('client.contoso.test');
  await c.startTls({ servername: 'smtp.contoso.test', ca });
  await c.ehlo('client.contoso.test');
  const said = replyText(await c.command(`AUTH PLAIN ${Buffer.from(`\0${user}\0${pass}`).toString('base64')}`, 'auth'));
  return { c, said };
}

describe('the lab stand-ins of the other submission paths', () => {
  it('High Volume Email takes internal recipients and refuses an external one at RCPT TO', async () => {
    const { c, said } = await login(hve, 'notify@contoso.test', 'pw-hve');
    expect(said).toMatch(/^235/);
    expect((await c.command('MAIL FROM:<notify@contoso.test>', 'mail')).code).toBe(250);
    expect((await c.command('RCPT TO:<it@contoso.test>', 'rcpt')).code).toBe(250);
    expect(replyText(await c.command('RCPT TO:<partner@fabrikam.test>', 'rcpt'))).toMatch(/^550 5\.7\.1 High Volume Email can send to internal recipients only; partner@fabrikam\.test is outside the organization/);
    await c.quit();
  });

  it('Azure Communication Services logs in as <resource>.<app id>.<tenant id> and refuses MAIL FROM outside its verified domains', async () => {
    const { c, said } = await login(acs, ACS_LOGIN, 'secret-acs');
    expect(said).toMatch(/^235/);
    expect((await c.command('MAIL FROM:<donotreply@contoso.test>', 'mail')).code).toBe(250);
    await c.command('RSET', 'mail');
    expect(replyText(await c.command('MAIL FROM:<donotreply@fabrikam.test>', 'mail'))).toMatch(/^550 5\.7\.1 Sender domain fabrikam\.test is not a verified domain of this Email Communication Service resource/);
    await c.quit();
    const wrong = await login(acs, ACS_LOGIN, 'not-the-secret');
    expect(wrong.said).toMatch(/^535 5\.7\.3 Authentication unsuccessful/);
    await wrong.c.quit();
  });
});
