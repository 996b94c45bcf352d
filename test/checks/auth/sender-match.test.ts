import { describe, expect, it } from 'vitest';
import check from '../../../checks/auth/sender-match.js';
import { attempt, entrySubject, evaluate, okAuth, reply, sent, submissionPlan } from './fixtures.js';
import type { SendProbeData, SubmissionProbeData } from '../../../src/evidence/sending.js';

const judge = (plan: ReturnType<typeof submissionPlan>, data: SubmissionProbeData, send: SendProbeData = sent(attempt())) => evaluate(check, plan, entrySubject(plan), { 'auth.submission': data, send });
const mine = submissionPlan();
const asCeo = submissionPlan({ from: 'ceo@contoso.com', sendAs: ['ceo@contoso.com'] });
const grant = "Add-RecipientPermission -Identity 'ceo@contoso.com' -Trustee 'scanner@contoso.com' -AccessRights SendAs -Confirm:$false";

describe('auth.sender-match', () => {
  it('passes when the server accepts the account sending as itself, live and after DATA', () => {
    const f = judge(mine, okAuth());
    expect(f.status).toBe('pass');
    expect(f.message).toBe('scanner@contoso.com may send as scanner@contoso.com, its own address: the server accepted it after AUTH (MAIL FROM → “250 2.1.0 Sender OK”, RCPT TO → “250 2.1.5 Recipient OK”), and the validation message was accepted at the end of DATA');
  });

  it('fails quoting 550 5.7.60 when Exchange Online refuses the sender at MAIL FROM', () => {
    const f = judge(asCeo, okAuth({ senderMatch: { from: 'ceo@contoso.com', recipient: 'it@contoso.com', accepted: false, refusedAt: 'mail', mail: reply('550 5.7.60 SMTP; Client does not have permissions to send as this sender') } }), sent(attempt({ status: 'not-sent', notSent: { reason: 'prerequisite', message: 'x' } })));
    expect(f.status).toBe('fail');
    expect(f.message).toBe('the server refused scanner@contoso.com sending as ceo@contoso.com at MAIL FROM: “550 5.7.60 SMTP; Client does not have permissions to send as this sender”');
    expect(f.powershell).toBe(grant);
    expect(f.exchangeOnline).toContain('5.2.25x');
  });

  it("fails quoting Postfix's 553 5.7.1 at RCPT TO", () => {
    const f = judge(asCeo, okAuth({ senderMatch: { from: 'ceo@contoso.com', recipient: 'it@contoso.com', accepted: false, refusedAt: 'rcpt', mail: reply('250 2.1.0 Ok'), rcpt: reply('553 5.7.1 <ceo@contoso.com>: Sender address rejected: not owned by user scanner@contoso.com') } }));
    expect(f.status).toBe('fail');
    expect(f.message).toContain('at RCPT TO: “553 5.7.1 <ceo@contoso.com>: Sender address rejected: not owned by user scanner@contoso.com”');
  });

  it('fails quoting 554 5.2.252 SendAsDenied when the refusal comes only at the end of DATA', () => {
    const after = sent(attempt({ status: 'refused', from: 'ceo@contoso.com', error: { stage: 'end-of-data', responseCode: 554, response: '554 5.2.252 SendAsDenied; scanner@contoso.com not allowed to send as ceo@contoso.com', message: 'Message failed' } }));
    const f = judge(asCeo, okAuth({ senderMatch: { from: 'ceo@contoso.com', recipient: 'it@contoso.com', accepted: true, mail: reply('250 2.1.0 Sender OK'), rcpt: reply('250 2.1.5 Recipient OK') } }), after);
    expect(f.status).toBe('fail');
    expect(f.message).toContain('at the end of DATA (after the final dot) (validation message): “554 5.2.252 SendAsDenied; scanner@contoso.com not allowed to send as ceo@contoso.com”');
    expect(f.powershell).toBe(grant);
    expect(f.exchangeOnline).toBe('Exchange Online answers the end of DATA with 554 5.2.252 SendAsDenied; scanner@contoso.com not allowed to send as ceo@contoso.com.');
  });

  it("fails quoting Exchange Online's 550 5.7.60 at the end of DATA, after MAIL FROM and RCPT TO were accepted", () => {
    const after = sent(attempt({ status: 'refused', from: 'ceo@contoso.com', error: { stage: 'end-of-data', responseCode: 550, response: '550 5.7.60 SMTP; Client does not have permissions to send as this sender', message: 'Message failed' } }));
    const f = judge(asCeo, okAuth({ senderMatch: { from: 'ceo@contoso.com', recipient: 'it@contoso.com', accepted: true, mail: reply('250 2.1.0 Sender OK'), rcpt: reply('250 2.1.5 Recipient OK') } }), after);
    expect(f.status).toBe('fail');
    expect(f.message).toBe('the server refused scanner@contoso.com sending as ceo@contoso.com at the end of DATA (after the final dot) (validation message): “550 5.7.60 SMTP; Client does not have permissions to send as this sender”');
    expect(f.remediation).toContain('Do not retry');
  });

  it('passes a foreign sender only when a message from it was accepted at the end of DATA', () => {
    const f = judge(asCeo, okAuth({ senderMatch: { from: 'ceo@contoso.com', recipient: 'it@contoso.com', accepted: true, mail: reply('250 2.1.0 Sender OK'), rcpt: reply('250 2.1.5 Recipient OK') } }), sent(attempt({ from: 'ceo@contoso.com' })));
    expect(f.status).toBe('pass');
    expect(f.message).toContain('ceo@contoso.com, an address listed in sendAs');
    expect(f.message).toContain('the validation message was accepted at the end of DATA');
  });

  it('under --no-send leaves a foreign sender undecided (skipped), never passed, with the static Send As facts', () => {
    const noSend = sent(attempt({ status: 'not-sent', from: 'ceo@contoso.com', notSent: { reason: 'no-send', message: 'not sent: --no-send' } }));
    const data = okAuth({ senderMatch: { from: 'ceo@contoso.com', recipient: 'it@contoso.com', accepted: true, mail: reply('250 2.1.0 Sender OK'), rcpt: reply('250 2.1.5 Recipient OK') } });
    const f = evaluate(check, asCeo, entrySubject(asCeo), { 'auth.submission': data, send: noSend }, false);
    expect(f.status).toBe('skipped');
    expect(f.message).toMatch(/^not decided: only a sent message proves Send As on Exchange Online, and no message was sent \(--no-send\); from ceo@contoso\.com is listed in sendAs \(the plan's statement\), and the server accepted it at MAIL FROM and RCPT TO/);
    expect(f.powershell).toBe("Get-RecipientPermission -Identity 'ceo@contoso.com' -Trustee 'scanner@contoso.com'");
  });

  it('fails statically when from is neither the account nor in sendAs, even without a live test', () => {
    const plan = submissionPlan({ from: 'ceo@contoso.com' });
    const f = judge(plan, okAuth({ auth: { attempted: false, basic: false, ok: false, notAttempted: 'x' }, senderMatch: undefined }), sent(attempt({ status: 'not-sent', notSent: { reason: 'no-send', message: 'not sent: --no-send' } })));
    expect(f.status).toBe('fail');
    expect(f.message).toBe('from ceo@contoso.com is neither the account scanner@contoso.com nor listed in sendAs');
    expect(f.powershell).toBe(grant);
  });

  it('warns when the server accepts a sender the plan does not list', () => {
    const plan = submissionPlan({ from: 'ceo@contoso.com' });
    const f = judge(plan, okAuth({ senderMatch: { from: 'ceo@contoso.com', recipient: 'it@contoso.com', accepted: true, mail: reply('250 OK'), rcpt: reply('250 OK') } }));
    expect(f.status).toBe('warn');
  });

  it('fails when a foreign sender is accepted although the plan expects it refused', () => {
    const plan = submissionPlan({ endpoint: 'mail.contoso.com:587', expectForeignSenderRejected: true });
    const f = judge(plan, okAuth({ foreignSender: { from: 'relaycheck-foreign@example.invalid', recipient: 'it@contoso.com', accepted: true, refused: false, mail: reply('250 2.1.0 Ok'), rcpt: reply('250 2.1.5 Ok') } }));
    expect(f.status).toBe('fail');
    expect(f.message).toContain('the server accepted a foreign sender: MAIL FROM:<relaycheck-foreign@example.invalid> → “250 2.1.0 Ok”');
    expect(f.message).toContain('relaycheck stopped before DATA');
  });

  it('does not hold it against Exchange Online that it accepts a foreign sender before DATA: it refuses only at the end of DATA', () => {
    const plan = submissionPlan({ expectForeignSenderRejected: true });
    const f = judge(plan, okAuth({ foreignSender: { from: 'relaycheck-foreign@example.invalid', recipient: 'it@contoso.com', accepted: true, refused: false, mail: reply('250 2.1.0 Sender OK'), rcpt: reply('250 2.1.5 Recipient OK') } }));
    expect(f.status).toBe('pass');
    expect(f.message).toContain('MAIL FROM:<relaycheck-foreign@example.invalid> was accepted before DATA, as Exchange Online does for any sender');
    expect(f.message).not.toContain('can send as anyone');
    expect(f.message).toContain("Get-RecipientPermission -Trustee 'scanner@contoso.com'");
  });

  it('passes and says so when the foreign sender is refused as expected', () => {
    const plan = submissionPlan({ expectForeignSenderRejected: true });
    const f = judge(plan, okAuth({ foreignSender: { from: 'relaycheck-foreign@example.invalid', recipient: 'it@contoso.com', accepted: false, refused: true, refusedAt: 'mail', mail: reply('553 5.7.1 <relaycheck-foreign@example.invalid>: Sender address rejected: not owned by user scanner@contoso.com') } }));
    expect(f.status).toBe('pass');
    expect(f.message).toContain('was refused as expected (“553 5.7.1');
  });

  it('is skipped, not failed, when authentication failed and the plan itself is consistent', () => {
    const f = judge(mine, okAuth({ auth: { attempted: true, mechanism: 'LOGIN', basic: true, ok: false, reply: reply('535 5.7.3 Authentication unsuccessful') }, senderMatch: undefined }), sent(attempt({ status: 'not-sent', notSent: { reason: 'prerequisite', message: 'x' } })));
    expect(f).toMatchObject({ status: 'skipped', message: 'not tested live: authentication did not succeed (see auth.login); from scanner@contoso.com is the account itself' });
  });
});
