import { describe, expect, it } from 'vitest';
import { acsUsernameShape, explainSubmissionReply, partnerConnectorFix, submissionQuotaView } from '../../src/exo/submission-replies.js';

const ctx = { username: 'scanner@contoso.com', from: 'scanner@contoso.com' };

describe('the replies of the limits, other submission paths and Direct Send', () => {
  it.each([
    ['550 5.1.90 Your message can\'t be sent because you\'ve reached your daily limit for message recipients', 'mail', /daily recipient limit \(Exchange Online counts 10,000 recipients/, /High Volume Email/],
    ['554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception', 'end-of-data', /passed Exchange Online's daily recipient limit/, /limits\.recipientsPerDay/],
    ['550 5.7.233 Message rejected. The tenant has exceeded its external recipient rate limit', 'rcpt', /TERRL: 500 × licences\^0\.7 \+ 9,500/, /tenant\.licenses/],
    ['550 5.7.232 Message rejected. The trial tenant has exceeded its external recipient rate limit', 'rcpt', /5,000 for a trial tenant/, /Azure Communication Services/],
    ['550 5.1.8 Access denied, bad outbound sender', 'mail', /restricted from sending: Exchange Online suspects the account is compromised/, /Restricted entities/],
    ['550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains', 'rcpt', /blocked from sending mail from domains it has not verified/, /accepted domains/],
    ['550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources', 'rcpt', /Reject Direct Send is on/, /Partner inbound connector/],
  ] as const)('explains %s with its meaning and fix', (reply, step, meaning, fix) => {
    const why = explainSubmissionReply(reply, { ...ctx, step })!;
    expect(why.meaning).toMatch(meaning);
    expect(why.fix).toMatch(fix);
    expect(why.exchangeOnline).toContain(reply.slice(0, 12));
  });

  it('gives the Partner connector PowerShell for 5.7.68', () => {
    const why = explainSubmissionReply('550 5.7.68 TenantInboundAttribution; Direct Send not allowed', { service: 'direct-send', from: 'printer@contoso.com', step: 'rcpt' })!;
    expect(why.powershell).toBe(partnerConnectorFix('contoso.com', ['contoso.com']));
    expect(why.powershell).toMatch(/^New-InboundConnector -Name 'Partner: contoso\.com' -ConnectorType Partner -SenderDomains 'smtp:contoso\.com;1' -SenderIPAddresses <the device's public IPv4> -RestrictDomainsToIPAddresses \$true/);
  });

  it('reads a Send As refusal at the end of DATA as Exchange Online gives it, and says not to retry', () => {
    const why = explainSubmissionReply('550 5.7.60 SMTP; Client does not have permissions to send as this sender', { username: 'scanner@contoso.com', from: 'ceo@contoso.com', step: 'end-of-data' })!;
    expect(why.meaning).toBe('scanner@contoso.com has no Send As on ceo@contoso.com: Exchange Online accepted MAIL FROM and RCPT TO and refused the message only after the final dot, as it does for a sender the mailbox may not send as');
    expect(why.fix).toContain('Do not retry');
    expect(why.powershell).toBe("Add-RecipientPermission -Identity 'ceo@contoso.com' -Trustee 'scanner@contoso.com' -AccessRights SendAs -Confirm:$false");
    // the same reply at another step is left to replies.ts
    expect(explainSubmissionReply('550 5.7.60 SMTP; Client does not have permissions to send as this sender', { ...ctx, step: 'mail' })).toBeUndefined();
  });

  it('explains an HVE refusal at RCPT TO as the internal-only rule, and an AUTH refusal with Add-HVEAppAccess', () => {
    expect(explainSubmissionReply('550 5.7.1 Recipient not allowed', { service: 'hve', from: 'notify@contoso.com', step: 'rcpt' })!.meaning).toMatch(/^High Volume Email delivers to internal recipients only/);
    const auth = explainSubmissionReply('535 5.7.3 Authentication unsuccessful', { service: 'hve', username: 'notify@contoso.com', from: 'notify@contoso.com', step: 'auth' })!;
    expect(auth.fix).toContain('Basic works until September 2028');
    expect(auth.powershell).toBe("Add-HVEAppAccess -AppId <application id> -HVEAccount 'notify@contoso.com'");
  });

  it('explains an ACS refusal at MAIL FROM as an unverified domain, and a refused login by its shape', () => {
    expect(explainSubmissionReply('550 5.7.1 Sender not allowed', { service: 'acs', from: 'no-reply@fabrikam.com', step: 'mail' })!.meaning).toMatch(/^no-reply@fabrikam\.com is not in a verified domain of the Azure Communication Services Email resource/);
    expect(explainSubmissionReply('535 5.7.3 Authentication unsuccessful', { service: 'acs', username: 'contoso-acs.6f1d2c3b4a5e4f608b7c9d0e1f2a3b4c', from: 'x@contoso.com', step: 'auth' })!.meaning).toMatch(/is not of the form <ACS resource>\.<app id>\.<tenant id>/);
  });

  it('knows the ACS login shapes', () => {
    expect(acsUsernameShape('contoso-acs.6f1d2c3b-4a5e-4f60-8b7c-9d0e1f2a3b4c.72f988bf-86f1-41af-91ab-2d7cd011db47')).toBe('resource');
    expect(acsUsernameShape('contoso-acs.6f1d2c3b-4a5e-4f60-8b7c.72f988bf-86f1-41af-91ab-2d7cd011db47')).toBe('malformed');
    expect(acsUsernameShape('newsletter-sender')).toBe('smtp-username');
  });

  it('says what Exchange Online answers past each limit relaycheck enforces', () => {
    expect(submissionQuotaView('recipients-day')).toContain('550 5.1.90');
    expect(submissionQuotaView('tenant-external')).toContain('550 5.7.233');
    expect(submissionQuotaView('day')).toContain('SubmissionQuotaExceededException');
  });
});
