// Verifies that each submission account may send as its `from`: statically (from is the username
// or listed in sendAs) and live (after AUTH the server accepts MAIL FROM:<from> and RCPT TO, and
// the validation message is not refused after DATA). Microsoft: the sender must be the
// authenticated mailbox or one it has Send As on (550 5.7.60, 554 5.2.252 SendAsDenied);
// Postfix: reject_sender_login_mismatch (553 5.7.1).
import { combine, defineCheck, type Observation } from '../../src/check-kit/define.js';
import { explainSendRefusal, isExchangeOnlineHost, isSenderRefusal, quote, replyText, sendAsGrant } from '../../src/exo/replies.js';
import { psQuote } from '../../src/powershell/quote.js';
import type { SendProbeData, SubmissionProbeData } from '../../src/evidence/sending.js';

const REMEDIATION = "Grant the account Send As on the sender address (Add-RecipientPermission), or set from to the account's own address.";

export default defineCheck({
  id: 'auth.sender-match',
  title: 'The submission account may send as its sender address',
  failureTitle: 'The submission account may not send as its sender address',
  severity: 'high',
  scope: 'entry',
  description: 'The from address is the account or listed in sendAs, and after AUTH the server accepts it at MAIL FROM, RCPT TO and after DATA (no 5.7.60, 553 5.7.1 or 554 5.2.252).',
  remediation: REMEDIATION,
  requires: ['auth.submission', 'send'],
  appliesTo: (s) => s.scope === 'entry' && s.entry.kind === 'submission',
  evaluate({ subject, probes }) {
    if (subject.scope !== 'entry' || subject.entry.kind !== 'submission') throw new Error('submission accounts only');
    const account = subject.entry;
    const data = probes['auth.submission'] as SubmissionProbeData;
    const sent = probes.send as SendProbeData;
    const from = account.from.toLowerCase();
    const user = account.username.toLowerCase();
    const listed = from === user || account.sendAs.map((a) => a.toLowerCase()).includes(from);
    const grant = sendAsGrant(account.from, account.username);
    const obs: Observation[] = [];
    const refused = (where: string, reply: string) => {
      const why = explainSendRefusal(reply, { username: account.username, from: account.from });
      obs.push({
        status: 'fail',
        message: `the server refused ${account.username} sending as ${account.from} ${where}: ${quote(reply)}`,
        remediation: why?.fix ?? REMEDIATION,
        exchangeOnline: why?.exchangeOnline ?? 'Exchange Online refuses with 550 5.7.60 (MAIL FROM) or 554 5.2.252 SendAsDenied (after DATA); repeated refusals throttle the account (5.2.25x).',
        powershell: grant,
      });
    };

    // Live, at MAIL FROM / RCPT TO (auth.submission) and after DATA (the validation message).
    let live: 'accepted' | 'refused' | 'unknown' = 'unknown';
    const sm = data.senderMatch;
    if (sm && !sm.notAttempted) {
      if (sm.accepted) live = 'accepted';
      else {
        live = 'refused';
        refused(sm.refusedAt === 'rcpt' ? 'at RCPT TO' : 'at MAIL FROM', replyText(sm.refusedAt === 'rcpt' ? sm.rcpt : sm.mail));
      }
    }
    const attempt = sent?.attempts?.[0];
    let afterData = '';
    if (attempt?.status === 'refused' && attempt.error?.response && isSenderRefusal(attempt.error.response)) {
      live = 'refused';
      const where = attempt.error.stage === 'data' ? 'after DATA' : attempt.error.stage === 'rcpt' ? 'at RCPT TO' : 'at MAIL FROM';
      refused(`${where} (validation message)`, attempt.error.response);
    } else if (attempt?.status === 'accepted') {
      afterData = ', and the validation message was accepted after DATA';
    }

    // Foreign sender: must be refused before DATA.
    const fs = data.foreignSender;
    let foreign = '';
    if (account.expectForeignSenderRejected && fs && !fs.notAttempted) {
      if (fs.refused) foreign = `; MAIL FROM:<${fs.from}> was refused as expected (${quote(replyText(fs.refusedAt === 'rcpt' ? fs.rcpt : fs.mail))})`;
      else if (isExchangeOnlineHost(account.endpoint.host)) {
        // Exchange Online may accept MAIL FROM and refuse a sender without Send As only after
        // DATA (554 5.2.252 SendAsDenied), which relaycheck never sends for a foreign sender.
        obs.push({
          status: 'warn',
          message: `not decided for a foreign sender: MAIL FROM:<${fs.from}> → ${quote(replyText(fs.mail))}, RCPT TO:<${fs.recipient}> → ${quote(replyText(fs.rcpt))}; Exchange Online may refuse it only after DATA, which relaycheck never sends for a foreign sender`,
          remediation: `Check who may send as whom in Exchange Online: Get-RecipientPermission -Trustee ${psQuote(account.username)} lists the addresses ${account.username} has Send As on.`,
          exchangeOnline: 'Exchange Online refuses a sender the mailbox has no Send As on with 550 5.7.60 at MAIL FROM, or with 554 5.2.252 SendAsDenied after DATA when MAIL FROM got 250.',
        });
      } else {
        obs.push({
          status: 'fail',
          message: `the server accepted a foreign sender: MAIL FROM:<${fs.from}> → ${quote(replyText(fs.mail))}, RCPT TO:<${fs.recipient}> → ${quote(replyText(fs.rcpt))} (relaycheck stopped before DATA); ${account.username} can send as anyone`,
          remediation: 'Make the server check the envelope sender against the authenticated account (Postfix: smtpd_sender_login_maps with reject_sender_login_mismatch).',
          exchangeOnline: 'Exchange Online refuses a sender the mailbox has no Send As on with 550 5.7.60 or 554 5.2.252 SendAsDenied.',
        });
      }
    } else if (account.expectForeignSenderRejected && fs?.notAttempted) {
      foreign = `; the foreign-sender probe was not tried (${fs.notAttempted})`;
    }

    // Static: from is the account or listed in sendAs.
    if (!listed) {
      if (live === 'accepted' && attempt?.status === 'accepted') {
        obs.push({ status: 'warn', message: `from ${account.from} is neither ${account.username} nor listed in sendAs, yet the server accepted it`, remediation: `List ${account.from} under sendAs, so the plan says what the tenant allows.` });
      } else if (live !== 'refused') {
        obs.push({
          status: 'fail',
          message: `from ${account.from} is neither the account ${account.username} nor listed in sendAs`,
          exchangeOnline: 'Exchange Online refuses it with 550 5.7.60 (MAIL FROM) or 554 5.2.252 SendAsDenied (after DATA).',
          powershell: grant,
        });
      }
    }

    if (live === 'unknown' && obs.length === 0) {
      const why = data.skippedAfterRefusal
        ? `${account.username} was already refused in this run`
        : !data.auth.ok
          ? 'authentication did not succeed (see auth.login)'
          : (sm?.notAttempted ?? 'the session ended before MAIL FROM');
      return { status: 'skipped', message: `not tested live: ${why}; from ${account.from} ${from === user ? 'is the account itself' : 'is listed in sendAs'}${foreign}` };
    }
    const how = from === user ? 'its own address' : 'an address listed in sendAs';
    const liveText = sm?.mail && sm.rcpt ? ` (MAIL FROM → ${quote(replyText(sm.mail))}, RCPT TO → ${quote(replyText(sm.rcpt))})` : '';
    return combine(obs, `${account.username} may send as ${account.from}, ${how}: the server accepted it after AUTH${liveText}${afterData}${foreign}`);
  },
});
