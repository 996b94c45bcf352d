// `relaycheck explain`: texts as admins paste them — a Postfix log line, PHPMailer's debug output, a
// Python traceback, a message trace status, an NDR line — explained from the reply table, offline.
import { describe, expect, it } from 'vitest';
import { explainCommand, explainText } from '../../src/commands/explain.js';
import { runCli } from '../helpers/cli.js';

const POSTFIX_SASL =
  'Dec  3 02:30:01 relay postfix/smtp[4242]: 1A2B3C4D5E: SASL authentication failed; server smtp.office365.com[52.98.152.178] said: 535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [FR0P281CA0042.DEUP281.PROD.OUTLOOK.COM 2026-12-03T02:30:01.123Z 08DD12AB34CD56EF]';

const PHPMAILER = `2026-12-03 08:00:01 CLIENT -> SERVER: .
2026-12-03 08:00:02 SERVER -> CLIENT: 550 5.7.60 SMTP; Client does not have permissions to send as this sender [AM0PR10MB1234.EURPRD10.PROD.OUTLOOK.COM 2026-12-03T08:00:02.000Z 08DD1234567890AB]
2026-12-03 08:00:02 SMTP ERROR: DATA END command failed: 550 5.7.60 SMTP; Client does not have permissions to send as this sender [AM0PR10MB1234.EURPRD10.PROD.OUTLOOK.COM 2026-12-03T08:00:02.000Z 08DD1234567890AB]
SMTP Error: data not accepted.
Message could not be sent. Mailer Error: SMTP Error: data not accepted.`;

const PYTHON = `Traceback (most recent call last):
  File "/opt/scanner/send.py", line 14, in <module>
    server.login(user, password)
  File "/usr/lib/python3.11/smtplib.py", line 750, in login
    raise last_exception
  File "/usr/lib/python3.11/smtplib.py", line 739, in login
    (code, resp) = self.auth(
                   ^^^^^^^^^^
  File "/usr/lib/python3.11/smtplib.py", line 662, in auth
    raise SMTPAuthenticationError(code, resp)
smtplib.SMTPAuthenticationError: (535, b'5.7.3 Authentication unsuccessful [AM0PR10CA0011.EURPRD10.PROD.OUTLOOK.COM 2026-12-03T08:00:00.000Z 08DD1234567890AB]')`;

const PYTHON_RECIPIENTS = `smtplib.SMTPRecipientsRefused: {'buyer@fabrikam.example': (550, b"5.7.233 Your message can't be sent because your tenant exceeded its daily limit for sending email to external recipients (tenant external recipient rate limit). [DB8PR09MB1234.eurprd09.prod.outlook.com 2026-12-03T08:00:00.000Z]")}`;

const MESSAGE_TRACE =
  'Reason: [{LED=450 4.4.317 Cannot connect to remote server [Message=UntrustedRoot] [LastAttemptedServerName=mail.contoso.com] [LastAttemptedIP=192.0.2.10:25] [DM6NAM10FT012.eop-nam10.prod.protection.outlook.com 2026-12-03T01:00:00.000Z 08DD1234567890AB]};{MSG=};{FQDN=mail.contoso.com};{IP=192.0.2.10};{LRT=12/3/2026 1:00:00 AM}]';

const DANE_NDR = "Remote server returned '550 5.7.323 tlsa-invalid: The domain failed DANE validation.'";

const SEND_AS_DENIED = '554 5.2.252 SendAsDenied; scanner@contoso.com not allowed to send as shared@contoso.com; STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied';

describe('relaycheck explain', () => {
  it('explains a Postfix SASL log line: SMTP AUTH off for the tenant, at AUTH, with the mailbox fix', () => {
    const [e] = explainText(POSTFIX_SASL);
    expect(e!.explanation.id).toBe('5.7.139-tenant');
    expect(e!.reply).toMatch(/^535 5\.7\.139 /);
    const out = explainCommand(POSTFIX_SASL, 'text');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/step: +AUTH/);
    expect(out.stdout).toMatch(/meaning: +SMTP AUTH is switched off for the whole tenant/);
    expect(out.stdout).toMatch(/reversible: +yes — once fixed/);
  });

  it('explains PHPMailer debug output once, as a Send As refusal at the end of DATA', () => {
    const found = explainText(PHPMAILER);
    expect(found.map((f) => f.explanation.id)).toEqual(['5.7.60']);
    expect(found[0]!.explanation.step).toMatch(/^end of DATA/);
    expect(found[0]!.explanation.fix).toMatch(/Grant the account Send As/);
  });

  it('explains a Python smtplib traceback from the bytes literal it prints', () => {
    const [e] = explainText(PYTHON);
    expect(e!.reply).toMatch(/^535 5\.7\.3 Authentication unsuccessful/);
    expect(e!.explanation.meaning).toMatch(/credentials were refused/);
  });

  it('reads a refused recipient out of a Python dictionary with a double-quoted bytes literal', () => {
    const [e] = explainText(PYTHON_RECIPIENTS);
    expect(e!.explanation.id).toBe('5.7.233');
    expect(e!.explanation.row.reversible).toBe('wait');
    expect(e!.explanation.step).toBe('RCPT TO');
  });

  it('explains a message trace status of a smart host with an untrusted chain', () => {
    const out = explainCommand(MESSAGE_TRACE, 'json');
    expect(out.code).toBe(0);
    const [e] = JSON.parse(out.stdout) as { id: string; step: string; reversible: string; fix: string }[];
    expect(e).toMatchObject({ id: '4.4.317-untrusted-root', reversible: 'retry' });
    expect(e!.step).toMatch(/^Exchange Online → smart host/);
    expect(e!.fix).toMatch(/full chain/);
  });

  it('explains a DANE NDR line with the TLSA fix', () => {
    const [e] = explainText(DANE_NDR);
    expect(e!.explanation.id).toBe('5.7.323');
    expect(e!.explanation.fix).toMatch(/TLSA record .*\(3 1 1/);
  });

  it('names the account and sender a SendAsDenied line gives in the PowerShell fix', () => {
    const [e] = explainText(SEND_AS_DENIED);
    expect(e!.explanation.powershell).toBe("Add-RecipientPermission -Identity 'shared@contoso.com' -Trustee 'scanner@contoso.com' -AccessRights SendAs -Confirm:$false");
  });

  it('exits 1 and says so for text without a reply it knows', () => {
    const out = explainCommand('Error: Connection timeout\n    at SMTPConnection._formatError (node_modules/nodemailer/lib/smtp-connection/index.js:798:19) { code: "ETIMEDOUT" }', 'text');
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/no Exchange Online reply recognised/);
  });

  it('runs as a command: exit 0 with the explanation, exit 1 for an unknown text, never a network connection', async () => {
    const ok = await runCli(['explain', SEND_AS_DENIED]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('the server does not let scanner@contoso.com send as shared@contoso.com');
    const unknown = await runCli(['explain', '250', '2.0.0', 'OK']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no Exchange Online reply recognised/);
  });
});
