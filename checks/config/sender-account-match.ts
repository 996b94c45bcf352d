// Verifies, from the plan alone, that each submission account sends as itself or as an address
// it holds Send As on. Microsoft: SMTP AUTH client submission requires the sender to be the
// authenticated mailbox or one it has Send As permission on (550 5.7.60, 554 5.2.252).
import { combine, defineCheck, type Observation } from '../../src/check-kit/define.js';
import { sendAsGrant } from '../../src/exo/replies.js';
import { serviceOf } from '../../src/exo/services.js';

export default defineCheck({
  id: 'config.sender-account-match',
  title: "The submission account's sender address matches the account",
  failureTitle: "The submission account's sender address does not match the account",
  severity: 'high',
  scope: 'entry',
  description: 'A submission account must send as its own address (the username) or as an address listed in sendAs.',
  remediation: 'Set `from` to the account\'s own address, or grant the account Send As on the sender mailbox and list it under sendAs.',
  requires: [],
  // ACS has no Send As: its sender rule (a verified domain) is judged by config.sending-path and auth.sender-match.
  appliesTo: (s) => s.scope === 'entry' && s.entry.kind === 'submission' && serviceOf(s.entry) !== 'acs',
  evaluate({ subject, plan }) {
    if (subject.scope !== 'entry' || subject.entry.kind !== 'submission') throw new Error('submission accounts only');
    const account = subject.entry;
    const from = account.from.toLowerCase();
    const user = account.username.toLowerCase();
    const sendAs = account.sendAs.map((a) => a.toLowerCase());
    const observations: Observation[] = [];
    if (from !== user && !sendAs.includes(from)) {
      observations.push({
        status: 'fail',
        message: `from ${account.from} is neither the account ${account.username} nor listed in sendAs`,
        exchangeOnline: `Exchange Online refuses it with 550 5.7.60 SMTP; Client does not have permissions to send as this sender (at MAIL FROM) or 554 5.2.252 SendAsDenied; ${account.username} not allowed to send as ${account.from} (after DATA); repeated refusals throttle the account (5.2.25x).`,
        powershell: sendAsGrant(account.from, account.username),
      });
    } else if (from !== user && sendAs.includes(from)) {
      observations.push({ status: 'pass', message: '' });
    }
    const domain = from.split('@')[1];
    if (!plan.acceptedDomains.includes(domain)) {
      observations.push({ status: 'warn', message: `the sender domain ${domain} is not among the plan's accepted domains (${plan.acceptedDomains.join(', ')})`, remediation: 'Use a sender in one of the tenant\'s accepted domains, or add the domain to acceptedDomains if the tenant has it.' });
    }
    const how = from === user ? 'is the account itself' : 'is listed in sendAs (the mailbox must grant Send As)';
    return combine(observations, `from ${account.from} ${how}`);
  },
});
