// Message Center MC1226222 (updated 4 Feb 2026): how Exchange Online attributes relay to an
// OnPremises inbound connector, and the anti-patterns it warns about (shared/reference/exchange-online.md,
// "Inbound connector").

/** The certificate name may sit in the subject or in a SAN: either attributes the relay. */
export const SAN_MATCH_NOTE = 'Exchange Online reads the subject and the SANs (MC1226222)';

/** Why an IP-only OnPremises connector is warned about, in Microsoft's words' sense. */
export const IP_ONLY_REASON =
  'Microsoft warns (MC1226222, Feb 2026) that IP-based OnPremises connectors work today and may stop without notice when other tenants send from the same addresses (shared relays, third-party services, tenant moves)';

/** Microsoft's guidance: certificate-based, one unique client certificate (and send connector) per tenant. */
export const CERTIFICATE_GUIDANCE =
  'Attribute the relay by certificate instead: give the relay a client certificate from a public CA whose name is in an accepted domain, unique to this tenant (one certificate and send connector per tenant), present it with its intermediates, set TlsSenderCertificateName to its name, and remove senderIPs once tls.client-certificate and send.validation pass';
