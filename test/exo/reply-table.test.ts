// Every Exchange Online reply of the reference's table, fed through the SMTP client the probes use:
// a loopback server answers the reference's wording at the step the reply comes at, and the
// explanation and fix read from the reply table must be the ones an admin needs.
import { afterAll, describe, expect, it } from 'vitest';
import { SmtpClient } from '../../src/probes/smtp-client.js';
import { REPLY_TABLE, REVERSIBLE_TEXT, type ReplyRow } from '../../src/exo/reply-table.js';
import { explainAuthRefusal, explainReply, explainSendRefusal, isAuthRefusal, isSenderRefusal, isThrottledReply, replyText } from '../../src/exo/replies.js';
import { scripted, startRawServer, type RawServer } from '../helpers/raw-smtp-server.js';

const TIMEOUTS = { connectMs: 2000, greetingMs: 2000, commandMs: 2000, tlsMs: 2000 };
type Step = 'starttls' | 'auth' | 'mail' | 'rcpt' | 'data';

/** Where the loopback server answers the row's wording (message-trace rows: at the end of DATA, as a relay passing on Exchange Online's status). */
function stepOf(row: ReplyRow): Step {
  if (row.step.startsWith('STARTTLS')) return 'starttls';
  if (row.step === 'AUTH') return 'auth';
  if (row.step.startsWith('MAIL FROM')) return 'mail';
  if (row.step.startsWith('RCPT TO')) return 'rcpt';
  return 'data';
}

/** The reply line as the server writes it: the NDR wordings that carry no basic code get the 4xx/5xx the reference gives. */
function wire(row: ReplyRow): string {
  return /^\d{3} /.test(row.wording) ? row.wording : `${row.id === '5.7.321' ? '450 4' : '550 5'}${row.wording.slice(1)}`;
}

/** Runs a session to the row's step against a server that answers there with the wording; returns the reply as recorded. */
async function throughProbe(row: ReplyRow): Promise<string> {
  const step = stepOf(row);
  const answer = `${wire(row)}\r\n`;
  let inData = false;
  const server: RawServer = await startRawServer(
    scripted('220 mx.contoso.test ESMTP\r\n', (line) => {
      if (inData) {
        if (line !== '.') return undefined;
        inData = false;
        return answer;
      }
      const cmd = line.toUpperCase();
      if (cmd.startsWith('EHLO')) return '250-mx.contoso.test\r\n250-STARTTLS\r\n250 AUTH LOGIN PLAIN XOAUTH2\r\n';
      if (cmd === 'STARTTLS') return step === 'starttls' ? answer : '454 4.7.0 not now\r\n';
      if (cmd.startsWith('AUTH')) return step === 'auth' ? answer : '235 2.7.0 Authentication successful\r\n';
      if (cmd.startsWith('MAIL FROM')) return step === 'mail' ? answer : '250 2.1.0 Sender OK\r\n';
      if (cmd.startsWith('RCPT TO')) return step === 'rcpt' ? answer : '250 2.1.5 Recipient OK\r\n';
      if (cmd === 'DATA') {
        inData = true;
        return '354 Start mail input; end with <CRLF>.<CRLF>\r\n';
      }
      if (cmd === 'QUIT') return '221 2.0.0 Service closing transmission channel\r\n';
      return '502 5.5.2 Command not recognized\r\n';
    }),
  );
  servers.push(server);
  const client = new SmtpClient({ timeouts: TIMEOUTS });
  try {
    await client.connect({ host: '127.0.0.1', port: server.port });
    await client.greeting();
    await client.ehlo('relay.contoso.test');
    if (step === 'starttls') return replyText(await client.command('STARTTLS', 'starttls'));
    const auth = await client.command('AUTH PLAIN AHNjYW5uZXJAY29udG9zby5jb20Ac2VjcmV0', 'auth', { secret: true });
    if (step === 'auth') return replyText(auth);
    const mail = await client.command('MAIL FROM:<shared@contoso.com>', 'mail');
    if (step === 'mail') return replyText(mail);
    const rcpt = await client.command('RCPT TO:<it@contoso.com>', 'rcpt');
    if (step === 'rcpt') return replyText(rcpt);
    const { end } = await client.data('Subject: relaycheck\r\n\r\ntest\r\n');
    return replyText(end);
  } finally {
    await client.quit();
  }
}

const servers: RawServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** What the explanation and fix of each row must say (a reply explained by the wrong row fails here). */
const EXPECT: Record<string, { meaning: RegExp; fix: RegExp; powershell?: RegExp }> = {
  '4.7.66': { meaning: /TLS 1\.0 or 1\.1.*client submission only over TLS 1\.2/, fix: /TLS 1\.2/ },
  '5.7.57': { meaning: /AUTH did not happen/, fix: /STARTTLS on port 587/ },
  '5.7.139-basic-disabled': { meaning: /Basic authentication is off for this tenant/, fix: /Move this account to OAuth/ },
  '5.7.139-tenant': { meaning: /whole tenant/, fix: /mailbox only/, powershell: /^Set-CASMailbox -Identity 'scanner@contoso\.com' -SmtpClientAuthenticationDisabled \$false$/ },
  '5.7.139-security-defaults': { meaning: /security defaults/, fix: /OAuth/ },
  '5.7.139-conditional-access': { meaning: /Conditional Access/, fix: /sign-in logs/ },
  '5.7.139-mailbox': { meaning: /for this mailbox/, fix: /Enable SMTP AUTH for the mailbox/, powershell: /Set-CASMailbox/ },
  '5.7.139': { meaning: /reason the reply states/, fix: /Get-CASMailbox -Identity 'scanner@contoso\.com'/ },
  '5.7.30': { meaning: /Basic authentication .* no longer accepted/, fix: /OAuth/ },
  '5.7.3': { meaning: /credentials were refused/, fix: /Check the password first/, powershell: /Set-CASMailbox/ },
  '5.2.251-255': { meaning: /throttled scanner@contoso\.com/, fix: /until the throttle expires/ },
  '5.7.60': { meaning: /scanner@contoso\.com send as shared@contoso\.com/, fix: /Grant scanner@contoso\.com Send As on shared@contoso\.com/, powershell: /^Add-RecipientPermission -Identity 'shared@contoso\.com' -Trustee 'scanner@contoso\.com' -AccessRights SendAs/ },
  '5.2.252': { meaning: /send as shared@contoso\.com/, fix: /Grant/, powershell: /Add-RecipientPermission/ },
  'postfix-553-5.7.1': { meaning: /send as shared@contoso\.com/, fix: /Grant/ },
  '5.1.8': { meaning: /Restricted entities/, fix: /Secure the account first.*Remove-BlockedSenderAddress/, powershell: /^Remove-BlockedSenderAddress -SenderAddress 'shared@contoso\.com'$/ },
  '5.1.90': { meaning: /10,000 recipients in a sliding 24 hours/, fix: /High Volume Email/ },
  '5.2.0-quota': { meaning: /daily recipient limit/, fix: /24-hour window/ },
  '4.3.2': { meaning: /more than 3 concurrent connections/, fix: /at most 3 connections/ },
  '5.7.232': { meaning: /trial tenant.*TERRL/, fix: /paid subscription/ },
  '5.7.233': { meaning: /TERRL: 500 × licences\^0\.7 \+ 9,500/, fix: /do not count against TERRL/ },
  '5.7.750': { meaning: /not added and verified/, fix: /verify every domain.*support/ },
  '5.7.64-ATTR36': { meaning: /nor the MAIL FROM domain is an accepted domain/, fix: /MAIL FROM in an accepted domain/ },
  '5.7.64': { meaning: /no inbound connector matched/, fix: /TlsSenderCertificateName \(\*\.contoso\.com\)/ },
  '4.4.62': { meaning: /wrong Office 365 endpoint/, fix: /tenant MX host/ },
  '5.7.68': { meaning: /Reject Direct Send/, fix: /Make the connector match/ },
  '4.7.500-699': { meaning: /source IP is being throttled/, fix: /reputation/ },
  '5.7.606-649': { meaning: /block list/, fix: /sender\.office\.com/ },
  '5.7.321': { meaning: /does not offer STARTTLS/, fix: /Enable STARTTLS/ },
  '5.7.322': { meaning: /expired/, fix: /Renew/ },
  '5.7.323': { meaning: /no TLSA record .* matches/, fix: /3 1 1/ },
  '5.7.324': { meaning: /do not validate/, fix: /Re-sign the zone/ },
  '5.7.325': { meaning: /names neither the host/, fix: /SAN/ },
  '4.4.316': { meaning: /could not connect/, fix: /Open TCP 25/ },
  '4.4.317-untrusted-root': { meaning: /does not reach a root/, fix: /full chain/ },
  '4.4.317-subject-mismatch': { meaning: /TlsDomain/, fix: /TlsDomain/ },
  '4.4.317-certificate-expired': { meaning: /expired/, fix: /Renew/ },
  '4.4.317': { meaning: /could not complete TLS/, fix: /TLS 1\.2 or 1\.3/ },
  '4.4.318': { meaning: /closed the connection/, fix: /firewall/ },
  '4.7.320': { meaning: /failed Exchange Online's validation/, fix: /public CA/ },
};

const CTX = { username: 'scanner@contoso.com', from: 'shared@contoso.com', certificateName: '*.contoso.com' };

describe('the Exchange Online reply table', () => {
  it('has an expectation for every row, and every row a step, a source and a wording', () => {
    expect(Object.keys(EXPECT).sort()).toEqual(REPLY_TABLE.map((r) => r.id).sort());
    for (const row of REPLY_TABLE) {
      expect(row.step, row.id).not.toBe('');
      expect(row.source, row.id).not.toBe('');
      expect(REVERSIBLE_TEXT[row.reversible], row.id).toBeTruthy();
    }
  });

  for (const row of REPLY_TABLE) {
    it(`explains ${row.wording.slice(0, 70)} answered at ${stepOf(row)} by a loopback server`, async () => {
      const recorded = await throughProbe(row);
      expect(recorded).toContain(row.wording.replace(/^\d\.(\d+\.\d+)/, '').slice(0, 20).trim());
      const why = explainReply(recorded, CTX);
      expect(why?.id).toBe(row.id);
      const want = EXPECT[row.id]!;
      expect(why!.meaning).toMatch(want.meaning);
      expect(why!.fix).toMatch(want.fix);
      if (want.powershell) expect(why!.powershell).toMatch(want.powershell);
      expect(why!.step).toBe(row.step);
    });
  }
});

describe('the functions the checks call read from the table', () => {
  it('explains an AUTH refusal for an OAuth account with the token fix', () => {
    const why = explainAuthRefusal('535 5.7.3 Authentication unsuccessful [AM0PR01CA0001.eurprd01.prod.exchangelabs.com]', { username: 'app@contoso.com', oauth: true });
    expect(why.meaning).toMatch(/OAuth access token was refused/);
    expect(why.step).toBe('AUTH');
  });

  it('gives no Exchange Online meaning to a reply outside the table', () => {
    expect(explainSendRefusal('554 5.7.1 <it@example.org>: Relay access denied', { from: 'a@contoso.com' })).toBeUndefined();
    expect(explainReply('250 2.0.0 OK queued as 4ABC')).toBeUndefined();
  });

  it('tells Send As refusals, throttling and credentials apart', () => {
    expect(isSenderRefusal('554 5.2.252 SendAsDenied; scanner@contoso.com not allowed to send as shared@contoso.com')).toBe(true);
    expect(isThrottledReply('554 5.2.252 SendAsDenied; scanner@contoso.com not allowed to send as shared@contoso.com')).toBe(false);
    expect(isThrottledReply('550 5.2.252 Sender throttled due to continuous send as denied errors')).toBe(true);
    expect(isAuthRefusal('535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.')).toBe(true);
    expect(isAuthRefusal('550 5.7.60 SMTP; Client does not have permissions to send as this sender')).toBe(false);
  });
});
