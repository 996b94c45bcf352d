import check from '../../../checks/auth/sender-match.js';
import type { SendProbeData, SubmissionProbeData } from '../../../src/evidence/sending.js';
import { testCheck } from '../../helpers/check-tester.js';
import { attempt, okAuth, reply, sent, submissionPlan } from './fixtures.js';

const probes = (data: SubmissionProbeData, send: SendProbeData = sent(attempt())) => ({ 'auth.submission': data, send });
const asCeo = submissionPlan({ from: 'ceo@contoso.com', sendAs: ['ceo@contoso.com'] });
const ceoUnlisted = submissionPlan({ from: 'ceo@contoso.com' });
const expectsForeignRefused = submissionPlan({ expectForeignSenderRejected: true });
const grant = "Add-RecipientPermission -Identity 'ceo@contoso.com' -Trustee 'scanner@contoso.com' -AccessRights SendAs -Confirm:$false";
const notSent = (reason: 'prerequisite' | 'no-send', message: string) => sent(attempt({ status: 'not-sent', notSent: { reason, message } }));
const ceoEnvelopeAccepted = okAuth({ senderMatch: { from: 'ceo@contoso.com', recipient: 'it@contoso.com', accepted: true, mail: reply('250 2.1.0 Sender OK'), rcpt: reply('250 2.1.5 Recipient OK') } });
const refusedAtEndOfData = (responseCode: number, response: string) => sent(attempt({ status: 'refused', from: 'ceo@contoso.com', error: { stage: 'end-of-data', responseCode, response, message: 'Message failed' } }));
const foreign = (accepted: boolean, mail: string, rcpt?: string) =>
  okAuth({ foreignSender: { from: 'relaycheck-foreign@example.invalid', recipient: 'it@contoso.com', accepted, refused: !accepted, ...(accepted ? {} : { refusedAt: 'mail' as const }), mail: reply(mail), ...(rcpt ? { rcpt: reply(rcpt) } : {}) } });

testCheck(check, {
  defaults: { plan: submissionPlan(), probes: probes(okAuth()) },
  valid: [
    {
      name: 'passes when the server accepts the account sending as itself, live and at the end of DATA',
      message: 'scanner@contoso.com may send as scanner@contoso.com, its own address: the server accepted it after AUTH (MAIL FROM → “250 2.1.0 Sender OK”, RCPT TO → “250 2.1.5 Recipient OK”), and the validation message was accepted at the end of DATA',
    },
    {
      name: 'passes a foreign sender only when a message from it was accepted at the end of DATA',
      plan: asCeo,
      probes: probes(ceoEnvelopeAccepted, sent(attempt({ from: 'ceo@contoso.com' }))),
      message: ['ceo@contoso.com, an address listed in sendAs', 'the validation message was accepted at the end of DATA'],
    },
    {
      name: 'does not hold it against Exchange Online that it accepts a foreign sender before DATA: it refuses only at the end of DATA',
      plan: expectsForeignRefused,
      probes: probes(foreign(true, '250 2.1.0 Sender OK', '250 2.1.5 Recipient OK')),
      message: ['MAIL FROM:<relaycheck-foreign@example.invalid> was accepted before DATA, as Exchange Online does for any sender', "Get-RecipientPermission -Trustee 'scanner@contoso.com'"],
      excludes: ['can send as anyone'],
    },
    {
      name: 'passes and says so when the foreign sender is refused as expected',
      plan: expectsForeignRefused,
      probes: probes(foreign(false, '553 5.7.1 <relaycheck-foreign@example.invalid>: Sender address rejected: not owned by user scanner@contoso.com')),
      message: ['was refused as expected (“553 5.7.1'],
    },
  ],
  invalid: [
    {
      name: 'fails quoting 550 5.7.60 when Exchange Online refuses the sender at MAIL FROM',
      status: 'fail',
      plan: asCeo,
      probes: probes(
        okAuth({ senderMatch: { from: 'ceo@contoso.com', recipient: 'it@contoso.com', accepted: false, refusedAt: 'mail', mail: reply('550 5.7.60 SMTP; Client does not have permissions to send as this sender') } }),
        notSent('prerequisite', 'x'),
      ),
      message: 'the server refused scanner@contoso.com sending as ceo@contoso.com at MAIL FROM: “550 5.7.60 SMTP; Client does not have permissions to send as this sender”',
      powershell: grant,
      exchangeOnline: ['5.2.25x'],
    },
    {
      name: "fails quoting Postfix's 553 5.7.1 at RCPT TO",
      status: 'fail',
      plan: asCeo,
      probes: probes(
        okAuth({ senderMatch: { from: 'ceo@contoso.com', recipient: 'it@contoso.com', accepted: false, refusedAt: 'rcpt', mail: reply('250 2.1.0 Ok'), rcpt: reply('553 5.7.1 <ceo@contoso.com>: Sender address rejected: not owned by user scanner@contoso.com') } }),
      ),
      message: ['at RCPT TO: “553 5.7.1 <ceo@contoso.com>: Sender address rejected: not owned by user scanner@contoso.com”'],
    },
    {
      name: 'fails quoting 554 5.2.252 SendAsDenied when the refusal comes only at the end of DATA',
      status: 'fail',
      plan: asCeo,
      probes: probes(ceoEnvelopeAccepted, refusedAtEndOfData(554, '554 5.2.252 SendAsDenied; scanner@contoso.com not allowed to send as ceo@contoso.com')),
      message: ['at the end of DATA (after the final dot) (validation message): “554 5.2.252 SendAsDenied; scanner@contoso.com not allowed to send as ceo@contoso.com”'],
      powershell: grant,
      exchangeOnline: 'Exchange Online answers the end of DATA with 554 5.2.252 SendAsDenied; scanner@contoso.com not allowed to send as ceo@contoso.com.',
    },
    {
      name: "fails quoting Exchange Online's 550 5.7.60 at the end of DATA, after MAIL FROM and RCPT TO were accepted",
      status: 'fail',
      plan: asCeo,
      probes: probes(ceoEnvelopeAccepted, refusedAtEndOfData(550, '550 5.7.60 SMTP; Client does not have permissions to send as this sender')),
      message: 'the server refused scanner@contoso.com sending as ceo@contoso.com at the end of DATA (after the final dot) (validation message): “550 5.7.60 SMTP; Client does not have permissions to send as this sender”',
      remediation: ['Do not retry'],
    },
    {
      name: 'under --no-send leaves a foreign sender undecided (skipped), never passed, with the static Send As facts',
      status: 'skipped',
      plan: asCeo,
      send: false,
      probes: probes(ceoEnvelopeAccepted, sent(attempt({ status: 'not-sent', from: 'ceo@contoso.com', notSent: { reason: 'no-send', message: 'not sent: --no-send' } }))),
      message: /^not decided: only a sent message proves Send As on Exchange Online, and no message was sent \(--no-send\); from ceo@contoso\.com is listed in sendAs \(the plan's statement\), and the server accepted it at MAIL FROM and RCPT TO/,
      powershell: "Get-RecipientPermission -Identity 'ceo@contoso.com' -Trustee 'scanner@contoso.com'",
    },
    {
      name: 'fails statically when from is neither the account nor in sendAs, even without a live test',
      status: 'fail',
      plan: ceoUnlisted,
      probes: probes(okAuth({ auth: { attempted: false, basic: false, ok: false, notAttempted: 'x' }, senderMatch: undefined }), notSent('no-send', 'not sent: --no-send')),
      message: 'from ceo@contoso.com is neither the account scanner@contoso.com nor listed in sendAs',
      powershell: grant,
    },
    {
      name: 'warns when the server accepts a sender the plan does not list',
      status: 'warn',
      plan: ceoUnlisted,
      probes: probes(okAuth({ senderMatch: { from: 'ceo@contoso.com', recipient: 'it@contoso.com', accepted: true, mail: reply('250 OK'), rcpt: reply('250 OK') } })),
      includes: ['ceo@contoso.com'],
    },
    {
      name: 'fails when a foreign sender is accepted although the plan expects it refused',
      status: 'fail',
      plan: submissionPlan({ endpoint: 'mail.contoso.com:587', expectForeignSenderRejected: true }),
      probes: probes(foreign(true, '250 2.1.0 Ok', '250 2.1.5 Ok')),
      message: ['the server accepted a foreign sender: MAIL FROM:<relaycheck-foreign@example.invalid> → “250 2.1.0 Ok”', 'relaycheck stopped before DATA'],
    },
    {
      name: 'is skipped, not failed, when authentication failed and the plan itself is consistent',
      status: 'skipped',
      probes: probes(okAuth({ auth: { attempted: true, mechanism: 'LOGIN', basic: true, ok: false, reply: reply('535 5.7.3 Authentication unsuccessful') }, senderMatch: undefined }), notSent('prerequisite', 'x')),
      message: 'not tested live: authentication did not succeed (see auth.login); from scanner@contoso.com is the account itself',
    },
  ],
});
