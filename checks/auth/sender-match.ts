// Verifies that each submission account may send as its `from`: statically (from is the username
// or listed in sendAs) and live. Exchange Online accepts MAIL FROM and RCPT TO for a sender the
// mailbox has no Send As on and refuses only at the end of DATA (550 5.7.60, 554 5.2.252
// SendAsDenied), so only an accepted message proves Send As; Postfix refuses at MAIL FROM
// (reject_sender_login_mismatch, 553 5.7.1) or, with smtpd_end_of_data_restrictions, after DATA.
import { combine, defineCheck, type Observation } from '../../src/check-kit/define.js';
import { explainSendRefusal, isExchangeOnlineHost, isSenderRefusal, quote, replyText, sendAsGrant } from '../../src/exo/replies.js';
import { serviceOf } from '../../src/exo/services.js';
import { explainSubmissionReply, STEP_TEXT } from '../../src/exo/submission-replies.js';
import { psQuote } from '../../src/powershell/quote.js';
import type { SendAttempt, SendProbeData, SubmissionProbeData } from '../../src/evidence/sending.js';
import type { Finding } from '../../src/types.js';

const REMEDIATION = "Grant the account Send As on the sender address (Add-RecipientPermission), or set from to the account's own address.";

/** Why no validation message answers the question. */
function whyNoMessage(attempt: SendAttempt | undefined, send: boolean): string {
  if (!send || attempt?.notSent?.reason === 'no-send') return 'no message was sent (--no-send)';
  if (!attempt) return 'the account has no validation: recipients, so no message was sent';
  if (attempt.notSent) return `the validation message was not sent (${attempt.notSent.message.replace(/^not sent: /, '')})`;
  return `the validation message was not accepted (${attempt.error?.response ?? attempt.error?.message ?? attempt.status})`;
}

/**
 * Azure Communication Services has no Send As: MAIL FROM must be in a domain verified on the Email
 * resource, and ACS refuses any other at MAIL FROM — so the envelope answers it before DATA.
 */
function acsSender(from: string, data: SubmissionProbeData, sent: SendProbeData | undefined): Finding {
  const sm = data.senderMatch;
  const attempt = sent?.attempts?.[0];
  const refusal = sm && !sm.notAttempted && !sm.accepted ? { step: sm.refusedAt ?? 'mail', reply: replyText(sm.refusedAt === 'rcpt' ? sm.rcpt : sm.mail) } : attempt?.status === 'refused' && attempt.error?.stage === 'mail' && attempt.error.response ? { step: 'mail' as const, reply: attempt.error.response } : undefined;
  if (refusal) {
    const why = explainSubmissionReply(refusal.reply, { service: 'acs', from, step: refusal.step });
    return {
      status: 'fail',
      message: `Azure Communication Services refused MAIL FROM:<${from}> ${STEP_TEXT[refusal.step]}: ${quote(refusal.reply)}${why ? ` — ${why.meaning}` : ''}`,
      ...(why ? { remediation: why.fix, ...(why.exchangeOnline ? { exchangeOnline: why.exchangeOnline } : {}) } : {}),
    };
  }
  if (sm?.accepted) return { status: 'pass', message: `Azure Communication Services accepted MAIL FROM:<${from}> → ${quote(replyText(sm.mail))}: its domain is verified on the Email resource${attempt?.status === 'accepted' ? ', and the validation message was accepted' : ''}` };
  return { status: 'skipped', message: `not tested live: ${!data.auth.ok ? 'authentication did not succeed (see auth.login)' : (sm?.notAttempted ?? 'the session ended before MAIL FROM')}` };
}

export default defineCheck({
  id: 'auth.sender-match',
  title: 'The submission account may send as its sender address',
  failureTitle: 'The submission account may not send as its sender address',
  severity: 'high',
  scope: 'entry',
  description:
    'The from address is the account or listed in sendAs, and the server accepts it: a foreign sender passes only when a validation message from it was accepted at the end of DATA (Exchange Online refuses Send As there: 550 5.7.60, 554 5.2.252); refusals at MAIL FROM (Postfix 553 5.7.1) fail too.',
  remediation: REMEDIATION,
  requires: ['auth.submission', 'send'],
  appliesTo: (s) => s.scope === 'entry' && s.entry.kind === 'submission',
  evaluate({ subject, probes, options }) {
    if (subject.scope !== 'entry' || subject.entry.kind !== 'submission') throw new Error('submission accounts only');
    const account = subject.entry;
    const data = probes['auth.submission'] as SubmissionProbeData;
    const sent = probes.send as SendProbeData;
    const from = account.from.toLowerCase();
    const user = account.username.toLowerCase();
    const foreignFrom = from !== user;
    const listed = !foreignFrom || account.sendAs.map((a) => a.toLowerCase()).includes(from);
    const service = serviceOf(account);
    const exoLike = service === 'exchange-online' || service === 'hve' || isExchangeOnlineHost(account.endpoint.host);
    if (service === 'acs') return acsSender(account.from, data, sent);
    const grant = sendAsGrant(account.from, account.username);
    const obs: Observation[] = [];
    const refused = (where: string, reply: string, step?: Parameters<typeof explainSubmissionReply>[1]['step']) => {
      const why = explainSubmissionReply(reply, { service, username: account.username, from: account.from, step }) ?? explainSendRefusal(reply, { username: account.username, from: account.from });
      obs.push({
        status: 'fail',
        message: `the server refused ${account.username} sending as ${account.from} ${where}: ${quote(reply)}`,
        remediation: why?.fix ?? REMEDIATION,
        exchangeOnline: why?.exchangeOnline ?? 'Exchange Online accepts MAIL FROM and RCPT TO and refuses at the end of DATA with 550 5.7.60 or 554 5.2.252 SendAsDenied; repeated refusals throttle the account (5.2.25x).',
        powershell: grant,
      });
    };

    // Live, at MAIL FROM / RCPT TO (auth.submission, never DATA) …
    let live: 'accepted' | 'refused' | 'unknown' = 'unknown';
    const sm = data.senderMatch;
    if (sm && !sm.notAttempted) {
      if (sm.accepted) live = 'accepted';
      else {
        live = 'refused';
        refused(sm.refusedAt === 'rcpt' ? 'at RCPT TO' : 'at MAIL FROM', replyText(sm.refusedAt === 'rcpt' ? sm.rcpt : sm.mail), sm.refusedAt);
      }
    }
    // … and through the end of DATA (the validation message): the only proof for a foreign sender.
    const attempt = sent?.attempts?.[0];
    let proven = false;
    if (attempt?.status === 'refused' && attempt.error?.response && isSenderRefusal(attempt.error.response)) {
      live = 'refused';
      const stage = attempt.error.stage;
      refused(`${STEP_TEXT[stage] || 'after DATA'} (validation message)`, attempt.error.response, stage);
    } else if (attempt?.status === 'accepted') {
      proven = true;
    }

    // Foreign-sender probe: Exchange Online does not refuse before DATA, so only a refusal tells.
    const fs = data.foreignSender;
    let foreign = '';
    if (account.expectForeignSenderRejected && fs && !fs.notAttempted) {
      if (fs.refused) foreign = `; MAIL FROM:<${fs.from}> was refused as expected (${quote(replyText(fs.refusedAt === 'rcpt' ? fs.rcpt : fs.mail))})`;
      else if (exoLike) {
        foreign = `; MAIL FROM:<${fs.from}> was accepted before DATA, as Exchange Online does for any sender (it refuses one without Send As only at the end of DATA, which relaycheck never sends for a foreign sender): not decisive — Get-RecipientPermission -Trustee ${psQuote(account.username)} lists who may`;
      } else {
        obs.push({
          status: 'fail',
          message: `the server accepted a foreign sender: MAIL FROM:<${fs.from}> → ${quote(replyText(fs.mail))}, RCPT TO:<${fs.recipient}> → ${quote(replyText(fs.rcpt))} (relaycheck stopped before DATA); ${account.username} can send as anyone`,
          remediation: 'Make the server check the envelope sender against the authenticated account (Postfix: smtpd_sender_login_maps with reject_sender_login_mismatch).',
          exchangeOnline: 'Exchange Online refuses a sender the mailbox has no Send As on at the end of DATA with 550 5.7.60 or 554 5.2.252 SendAsDenied.',
        });
      }
    } else if (account.expectForeignSenderRejected && fs?.notAttempted) {
      foreign = `; the foreign-sender probe was not tried (${fs.notAttempted})`;
    }

    // Static: from is the account or listed in sendAs.
    if (!listed) {
      if (live !== 'refused' && proven) {
        obs.push({ status: 'warn', message: `from ${account.from} is neither ${account.username} nor listed in sendAs, yet the server accepted a message from it`, remediation: `List ${account.from} under sendAs, so the plan says what the tenant allows.` });
      } else if (live !== 'refused') {
        obs.push({
          status: 'fail',
          message: `from ${account.from} is neither the account ${account.username} nor listed in sendAs`,
          exchangeOnline: 'Exchange Online refuses it at the end of DATA with 550 5.7.60 or 554 5.2.252 SendAsDenied.',
          powershell: grant,
        });
      }
    }
    if (obs.length) return combine(obs, '');

    const liveText = sm?.mail && sm.rcpt ? ` (MAIL FROM → ${quote(replyText(sm.mail))}, RCPT TO → ${quote(replyText(sm.rcpt))})` : '';
    if (foreignFrom && !proven) {
      // A foreign sender that got past MAIL FROM and RCPT TO but no message: not decided.
      const why = live === 'unknown' ? (data.skippedAfterRefusal ? `${account.username} was already refused in this run` : !data.auth.ok ? 'authentication did not succeed (see auth.login)' : (sm?.notAttempted ?? 'the session ended before MAIL FROM')) : whyNoMessage(attempt, options.send);
      return {
        status: 'skipped',
        message: `not decided: only a sent message proves Send As on Exchange Online, and ${why}; from ${account.from} is listed in sendAs (the plan's statement)${live === 'accepted' ? `, and the server accepted it at MAIL FROM and RCPT TO${liveText}, which Exchange Online does also without Send As` : ''}${foreign}`,
        remediation: `Run without --no-send to prove it with the validation message, or check the grant: Get-RecipientPermission -Identity ${psQuote(account.from)} -Trustee ${psQuote(account.username)}.`,
        powershell: `Get-RecipientPermission -Identity ${psQuote(account.from)} -Trustee ${psQuote(account.username)}`,
        evidence: { from: account.from, username: account.username, listedInSendAs: true, envelopeAccepted: live === 'accepted' },
      };
    }
    if (live === 'unknown' && !proven) {
      const why = data.skippedAfterRefusal ? `${account.username} was already refused in this run` : !data.auth.ok ? 'authentication did not succeed (see auth.login)' : (sm?.notAttempted ?? 'the session ended before MAIL FROM');
      return { status: 'skipped', message: `not tested live: ${why}; from ${account.from} is the account itself${foreign}` };
    }
    const how = foreignFrom ? 'an address listed in sendAs' : 'its own address';
    const afterData = proven ? `, and the validation message was accepted at the end of DATA` : '';
    return combine(obs, `${account.username} may send as ${account.from}, ${how}: the server accepted it after AUTH${liveText}${afterData}${foreign}`);
  },
});
