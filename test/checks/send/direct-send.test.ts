import check from '../../../checks/send/direct-send.js';
import type { DirectSendProbeData } from '../../../src/evidence/sending.js';
import { testCheck } from '../../helpers/check-tester.js';
import { planFromYaml } from '../../helpers/plans.js';
import { reply } from '../auth/fixtures.js';

const plan = (extra = '', to = 'it@contoso.com') =>
  planFromYaml(`version: 1\ndomain: contoso.com\ndirectSend:\n  - {name: Printer, endpoint: contoso-com.mail.protection.outlook.com, ${extra}validation: {from: printer@contoso.com, to: [${to}]}}\n`);
const data = (envelope: DirectSendProbeData['envelope'], extra: Partial<DirectSendProbeData> = {}) => ({
  'direct-send': { applicable: true, endpoint: 'contoso-com.mail.protection.outlook.com:25', tls: { protocol: 'TLSv1.3' }, envelope, transcript: [], durationMs: 5, ...extra } satisfies DirectSendProbeData,
});
const accepted = data({ from: 'printer@contoso.com', recipient: 'it@contoso.com', accepted: true, mail: reply('250 2.1.0 Sender OK'), rcpt: reply('250 2.1.5 Recipient OK') });

testCheck(check, {
  defaults: { plan: plan() },
  valid: [
    {
      name: 'passes when the tenant MX accepts the device at MAIL FROM and RCPT TO without AUTH',
      plan: plan('rejectDirectSend: false, '),
      probes: accepted,
      message: 'Direct Send from printer@contoso.com to it@contoso.com is accepted over TLSv1.3: MAIL FROM → “250 2.1.0 Sender OK”, RCPT TO → “250 2.1.5 Recipient OK” (the plan says RejectDirectSend is off)',
      evidence: { from: 'printer@contoso.com', recipient: 'it@contoso.com', tls: 'TLSv1.3' },
    },
    {
      name: 'passes with RejectDirectSend on, noting that a Partner connector must be matching the source',
      plan: plan('rejectDirectSend: true, '),
      probes: accepted,
      message: ['(the plan says RejectDirectSend is on); a Partner connector must be matching this source'],
    },
  ],
  invalid: [
    {
      name: 'fails on 550 5.7.68 with RejectDirectSend explained and the Partner connector that fixes it',
      status: 'fail',
      probes: data({ from: 'printer@contoso.com', recipient: 'it@contoso.com', accepted: false, refusedAt: 'rcpt', mail: reply('250 2.1.0 Sender OK'), rcpt: reply('550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources') }),
      message:
        'Direct Send from printer@contoso.com to it@contoso.com is refused at RCPT TO: “550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources” — Reject Direct Send is on (Set-OrganizationConfig -RejectDirectSend $true) and no inbound connector matched this connection, so mail sent to the tenant MX without a connector is refused',
      remediation: /^Create a Partner inbound connector for this source/,
      powershell: /^New-InboundConnector -Name 'Partner: contoso\.com' -ConnectorType Partner/,
      evidence: { step: 'rcpt' },
    },
    {
      name: 'fails without a session when a recipient is outside the accepted domains',
      status: 'fail',
      plan: plan('', 'someone@tailspin.com'),
      probes: data(undefined),
      message: /^Direct Send delivers to the tenant's own mailboxes only, and someone@tailspin\.com is outside the accepted domains/,
    },
    {
      name: 'could not decide when the MX was not reached',
      status: 'error',
      probes: data(undefined, { tls: undefined, failure: { kind: 'refused', phase: 'connect', message: 'ECONNREFUSED 127.0.0.1:25', code: 'ECONNREFUSED' } }),
      message: ['stopped at connect: ECONNREFUSED'],
      remediation: ['port 25 must be open outbound'],
    },
  ],
});
