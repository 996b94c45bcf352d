// The misconfigurations `relaycheck lab --break` injects, so a newcomer sees failing checks with
// their remediation. The plan stays the set-up the admin intends; a fault breaks the lab's side:
// a server's certificate or behaviour, the relay's client certificate file, the tenant's Send As
// grants. `expected` lists the check ids that fail for the fault (test/lab/lab-faults.test.ts
// holds the lab to it).
import { UsageError } from '../errors.js';

export const LAB_FAULTS = [
  'expired-cert',
  'wrong-name',
  'missing-intermediate',
  'self-signed',
  'no-starttls',
  'sender-mismatch',
  'client-cert-mismatch',
  'oauth-bad-secret',
  'oauth-no-role',
  'oauth-no-mailbox-permission',
  'basic-auth',
  'basic-disabled',
  'hve-external-recipient',
  'acs-unverified-domain',
  'direct-send-rejected',
] as const;
export type LabFault = (typeof LAB_FAULTS)[number];

export interface FaultInfo {
  /** what the lab does */
  does: string;
  /** the check ids that fail because of it (status fail or error): root causes; their knock-ons are skipped */
  expected: string[];
  /** the verdict depends on the run's date: before 1 January 2027 these checks warn instead */
  warnsBefore2027?: string[];
}

export const FAULTS: Record<LabFault, FaultInfo> = {
  'expired-cert': {
    does: 'the smart host presents a certificate that expired 35 days ago',
    expected: ['tls.certificate-expiry'],
  },
  'wrong-name': {
    does: 'the smart host presents a certificate for wrong.invalid-name.test (DomainValidation expects the smart host name)',
    expected: ['tls.certificate-name'],
  },
  'missing-intermediate': {
    does: 'the smart host sends its certificate without the issuing CA (leaf only)',
    expected: ['tls.certificate-trust', 'tls.certificate-chain'],
  },
  'self-signed': {
    does: 'the smart host presents a self-signed certificate',
    expected: ['tls.certificate-trust'],
  },
  'no-starttls': {
    does: 'the smart host does not offer STARTTLS',
    // send.validation and dns.dane (the lab publishes TLSA for the smart host) are not tested:
    // they need STARTTLS, the root cause
    expected: ['smtp.starttls'],
  },
  'sender-mismatch': {
    does: 'the tenant has not granted the submission account Send As on the sender the plan lists under sendAs (refused at the end of DATA, as Exchange Online does)',
    // the refused validation message is auth.sender-match's evidence; send.validation is its knock-on
    expected: ['auth.sender-match'],
  },
  'client-cert-mismatch': {
    does: 'the relay presents a client certificate for relay.other-org.test, not the inbound connector\'s TlsSenderCertificateName',
    expected: ['tls.client-certificate', 'send.validation'],
  },
  'oauth-bad-secret': {
    does: "the scanner's app authenticates with a client secret (secrets/scanner-app.secret) that is not the one registered in Entra ID (AADSTS7000215)",
    // no token: AUTH is not tried (auth.login cannot decide); nothing is sent
    expected: ['auth.oauth-token', 'auth.login'],
  },
  'oauth-no-role': {
    does: "the scanner's app has no admin consent for SMTP.SendAsApp and IMAP.AccessAsApp: Entra ID issues a token without roles, Exchange Online refuses it (535 5.7.3)",
    expected: ['auth.oauth-token', 'auth.login'],
  },
  'oauth-no-mailbox-permission': {
    does: "Exchange Online knows the scanner's app (New-ServicePrincipal) but the mailbox scanner@contoso.test grants it nothing (no Add-MailboxPermission): 535 5.7.3 to a valid token",
    expected: ['auth.login'],
  },
  'basic-auth': {
    does: 'the scanner logs in with a password (AUTH LOGIN, Basic authentication) instead of OAuth; this tenant still allows it',
    expected: ['auth.login'],
    warnsBefore2027: ['auth.login'],
  },
  'basic-disabled': {
    does: 'the scanner logs in with a password, and the tenant has Basic authentication off (the default from the end of December 2026): 535 5.7.139',
    expected: ['auth.login'],
  },
  'hve-external-recipient': {
    does: 'the High Volume Email account also lists partner@fabrikam.test as a validation recipient, outside the accepted domains (HVE delivers internally only)',
    expected: ['config.sending-path', 'send.validation'],
  },
  'acs-unverified-domain': {
    does: 'the Azure Communication Services account sends from fabrikam.test, a domain not verified on the Email resource',
    expected: ['auth.sender-match'],
  },
  'direct-send-rejected': {
    does: "the tenant has RejectDirectSend on and no Partner connector for the printer's Direct Send (550 5.7.68)",
    expected: ['send.direct-send', 'send.validation'],
  },
};

/** Faults under which the scanner uses a password (Basic) instead of OAuth. */
export function scannerUsesBasic(faults: readonly LabFault[]): boolean {
  return faults.includes('basic-auth') || faults.includes('basic-disabled');
}

/** Parses --break values (comma-separated, repeatable); unknown names are a usage error naming the known ones. */
export function parseFaults(values: string[] | undefined): LabFault[] {
  const names = (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim().toLowerCase()).filter(Boolean);
  const unknown = names.filter((n) => !(LAB_FAULTS as readonly string[]).includes(n));
  if (unknown.length) {
    throw new UsageError([
      {
        path: '--break',
        message: `unknown fault${unknown.length === 1 ? '' : 's'} ${unknown.map((u) => JSON.stringify(u)).join(', ')}; the lab knows: ${LAB_FAULTS.join(', ')}`,
      },
    ]);
  }
  return [...new Set(names)] as LabFault[];
}

/** One line per known fault, for --help and the lab plan's header. */
export function describeFaults(): string {
  return LAB_FAULTS.map((f) => `${f}: ${FAULTS[f].does}`).join('\n');
}
