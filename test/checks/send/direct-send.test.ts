import { describe, expect, it } from 'vitest';
import check from '../../../checks/send/direct-send.js';
import { entrySubject, evaluate, reply } from '../auth/fixtures.js';
import { planFromYaml } from '../../helpers/plans.js';
import type { DirectSendProbeData } from '../../../src/evidence/sending.js';

const plan = (extra = '', to = 'it@contoso.com') =>
  planFromYaml(`version: 1\ndomain: contoso.com\ndirectSend:\n  - {name: Printer, endpoint: contoso-com.mail.protection.outlook.com, ${extra}validation: {from: printer@contoso.com, to: [${to}]}}\n`);
const data = (envelope: DirectSendProbeData['envelope'], extra: Partial<DirectSendProbeData> = {}): DirectSendProbeData => ({ applicable: true, endpoint: 'contoso-com.mail.protection.outlook.com:25', tls: { protocol: 'TLSv1.3' }, envelope, transcript: [], durationMs: 5, ...extra });
const judge = (p: ReturnType<typeof plan>, d: DirectSendProbeData) => evaluate(check, p, entrySubject(p), { 'direct-send': d });

describe('send.direct-send', () => {
  it('passes when the tenant MX accepts the device at MAIL FROM and RCPT TO without AUTH', () => {
    const f = judge(plan('rejectDirectSend: false, '), data({ from: 'printer@contoso.com', recipient: 'it@contoso.com', accepted: true, mail: reply('250 2.1.0 Sender OK'), rcpt: reply('250 2.1.5 Recipient OK') }));
    expect(f).toMatchObject({ status: 'pass', message: 'Direct Send from printer@contoso.com to it@contoso.com is accepted over TLSv1.3: MAIL FROM → “250 2.1.0 Sender OK”, RCPT TO → “250 2.1.5 Recipient OK” (the plan says RejectDirectSend is off)' });
  });

  it('fails on 550 5.7.68 with RejectDirectSend explained and the Partner connector that fixes it', () => {
    const f = judge(plan(), data({ from: 'printer@contoso.com', recipient: 'it@contoso.com', accepted: false, refusedAt: 'rcpt', mail: reply('250 2.1.0 Sender OK'), rcpt: reply('550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources') }));
    expect(f.status).toBe('fail');
    expect(f.message).toBe('Direct Send from printer@contoso.com to it@contoso.com is refused at RCPT TO: “550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources” — Reject Direct Send is on (Set-OrganizationConfig -RejectDirectSend $true) and no inbound connector matched this connection, so mail sent to the tenant MX without a connector is refused');
    expect(f.remediation).toMatch(/^Create a Partner inbound connector for this source/);
    expect(f.powershell).toMatch(/^New-InboundConnector -Name 'Partner: contoso\.com' -ConnectorType Partner/);
  });

  it('fails without a session when a recipient is outside the accepted domains', () => {
    const f = judge(plan('', 'someone@tailspin.com'), data(undefined));
    expect(f).toMatchObject({ status: 'fail', message: expect.stringMatching(/^Direct Send delivers to the tenant's own mailboxes only, and someone@tailspin\.com is outside the accepted domains/) });
  });

  it('could not decide when the MX was not reached', () => {
    const f = judge(plan(), data(undefined, { tls: undefined, failure: { kind: 'connect-error', phase: 'connect', message: 'ECONNREFUSED 127.0.0.1:25' } }));
    expect(f).toMatchObject({ status: 'error', message: expect.stringContaining('stopped at connect: ECONNREFUSED') });
  });
});
