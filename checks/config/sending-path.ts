// Verifies, from the plan alone, that an entry fits the rules of its way into Microsoft 365
// (reference: "Other submission paths in 2026"): High Volume Email and Direct Send reach internal
// recipients only; HVE keeps Basic authentication until September 2028 and takes OAuth with the
// application permission Mail.Send after Add-HVEAppAccess; Azure Communication Services logs in
// as <ACS resource>.<Entra app id>.<Entra tenant id> (or an SMTP Username of the resource).
import { defineCheck } from '../../src/check-kit/define.js';
import { HVE_BASIC_AUTH_END } from '../../src/exo/facts.js';
import { pathRecipientRule } from '../../src/exo/paths.js';
import { SERVICE_NAMES, serviceOf } from '../../src/exo/services.js';
import { acsUsernameShape } from '../../src/exo/submission-replies.js';
import { psQuote } from '../../src/powershell/quote.js';

const day = (d: Date) => d.toISOString().slice(0, 10);

export default defineCheck({
  id: 'config.sending-path',
  title: 'The entry fits the rules of its sending path',
  failureTitle: 'The entry breaks a rule of its sending path',
  severity: 'high',
  scope: 'entry',
  description: 'High Volume Email and Direct Send entries send to internal recipients only; HVE keeps Basic authentication until September 2028; an Azure Communication Services login has the form <resource>.<app id>.<tenant id> or is an SMTP Username.',
  remediation: 'Change the entry to fit its path, or send through the path that carries what it needs (ACS for external bulk mail, a mailbox or connector for external recipients).',
  requires: [],
  appliesTo: (s) => s.scope === 'entry' && (s.entry.kind === 'direct-send' || (s.entry.kind === 'submission' && ['hve', 'acs'].includes(serviceOf(s.entry)))),
  evaluate({ subject, plan, now }) {
    if (subject.scope !== 'entry') throw new Error('entries only');
    const entry = subject.entry;
    const to = entry.validation?.to ?? [];
    const rule = pathRecipientRule(entry, to, plan.acceptedDomains);
    if (rule) return { status: 'fail', message: rule.message, remediation: rule.fix };
    if (entry.kind === 'direct-send') {
      return { status: 'pass', message: `Direct Send to ${to.join(', ')}: tenant mailboxes only, no AUTH; send.direct-send judges it against RejectDirectSend` };
    }
    if (entry.kind !== 'submission') throw new Error('submission or directSend entries only');
    const service = serviceOf(entry);
    if (service === 'hve') {
      const basic = Boolean(entry.password);
      if (basic && now >= HVE_BASIC_AUTH_END) {
        return {
          status: 'fail',
          message: `${entry.username} authenticates to High Volume Email with a password, and HVE accepts Basic authentication only until ${day(new Date(HVE_BASIC_AUTH_END.getTime() - 1))}`,
          remediation: 'Authenticate with OAuth: an app with the application permission Mail.Send (admin consent), given access to the HVE account with Add-HVEAppAccess.',
          powershell: `Add-HVEAppAccess -AppId <application id> -HVEAccount ${psQuote(entry.username)}`,
        };
      }
      const auth = basic
        ? `Basic authentication (allowed for HVE until ${day(new Date(HVE_BASIC_AUTH_END.getTime() - 1))}, unlike mailbox submission)`
        : 'OAuth (the app needs the application permission Mail.Send and Add-HVEAppAccess)';
      return { status: 'pass', message: `${SERVICE_NAMES.hve}: internal recipients only (${to.join(', ') || 'no validation recipients'}), ${auth}; HVE mail does not count against the tenant's external recipient limit` };
    }
    const shape = acsUsernameShape(entry.username);
    if (shape === 'malformed') {
      return {
        status: 'fail',
        message: `${entry.username} is not an Azure Communication Services SMTP login: it must be <ACS resource name>.<Entra app id>.<Entra tenant id> (two GUIDs after the resource name), or an SMTP Username created on the resource`,
        remediation: 'Copy the resource name, the application (client) id and the directory (tenant) id exactly, joined by dots; the password is the app\'s client secret.',
      };
    }
    return {
      status: 'pass',
      message: `${SERVICE_NAMES.acs}: ${shape === 'resource' ? 'the login has the form <resource>.<app id>.<tenant id>' : 'the login is an SMTP Username of the resource'}; MAIL FROM ${entry.from} must be in a domain verified on the Email resource (judged live by auth.sender-match); ACS mail does not count against the tenant's external recipient limit`,
    };
  },
});
