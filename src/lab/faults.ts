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
  'hve-external-recipient',
  'acs-unverified-domain',
  'direct-send-rejected',
] as const;
export type LabFault = (typeof LAB_FAULTS)[number];

export interface FaultInfo {
  /** what the lab does */
  does: string;
  /** the check ids that fail because of it (status fail or error) */
  expected: string[];
}

export const FAULTS: Record<LabFault, FaultInfo> = {
  'expired-cert': {
    does: 'the smart host presents a certificate that expired 35 days ago',
    expected: ['tls.certificate-expiry', 'send.validation'],
  },
  'wrong-name': {
    does: 'the smart host presents a certificate for wrong.invalid-name.test (DomainValidation expects the smart host name)',
    expected: ['tls.certificate-name', 'send.validation'],
  },
  'missing-intermediate': {
    does: 'the smart host sends its certificate without the issuing CA (leaf only)',
    expected: ['tls.certificate-trust', 'tls.certificate-chain', 'send.validation'],
  },
  'self-signed': {
    does: 'the smart host presents a self-signed certificate',
    expected: ['tls.certificate-trust', 'send.validation'],
  },
  'no-starttls': {
    does: 'the smart host does not offer STARTTLS',
    // dns.dane: the lab publishes TLSA for the smart host, which now shows no certificate
    expected: ['smtp.starttls', 'send.validation', 'dns.dane'],
  },
  'sender-mismatch': {
    does: 'the tenant has not granted the submission account Send As on the sender the plan lists under sendAs (refused at the end of DATA, as Exchange Online does)',
    expected: ['auth.sender-match', 'send.validation'],
  },
  'client-cert-mismatch': {
    does: 'the relay presents a client certificate for relay.other-org.test, not the inbound connector\'s TlsSenderCertificateName',
    expected: ['tls.client-certificate', 'send.validation'],
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
