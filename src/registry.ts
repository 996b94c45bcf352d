// The explicit registry of built-in checks and probes (no directory scanning): the order here is
// the order of `relaycheck checks`, the README table and report rows.
import type { CheckDefinition, ProbeDefinition } from './types.js';
import configSenderAccountMatch from '../checks/config/sender-account-match.js';
import configConnectorTls from '../checks/config/connector-tls.js';
import limitsQuota from '../checks/limits/quota.js';
import smtpConnect from '../checks/smtp/connect.js';
import smtpStarttls from '../checks/smtp/starttls.js';
import tlsVersion from '../checks/tls/version.js';
import tlsCertificateName from '../checks/tls/certificate-name.js';
import tlsCertificateTrust from '../checks/tls/certificate-trust.js';
import tlsCertificateChain from '../checks/tls/certificate-chain.js';
import tlsCertificateExpiry from '../checks/tls/certificate-expiry.js';
import tlsCertificateStrength from '../checks/tls/certificate-strength.js';
import tlsClientCertificate from '../checks/tls/client-certificate.js';
import smtpSessionProbe from './probes/smtp-session.js';
import authTlsRequired from '../checks/auth/tls-required.js';
import authLogin from '../checks/auth/login.js';
import authOAuthToken from '../checks/auth/oauth-token.js';
import authSenderMatch from '../checks/auth/sender-match.js';
import sendValidation from '../checks/send/validation.js';
import sendDelivery from '../checks/send/delivery.js';
import sendDirectSend from '../checks/send/direct-send.js';
import configSendingPath from '../checks/config/sending-path.js';
import { submissionProbe } from './probes/submission.js';
import { oauthTokenProbe } from './probes/oauth-token.js';
import { sendProbe } from './probes/send.js';
import { deliveryProbe } from './probes/delivery.js';
import { quotaProbe } from './probes/quota.js';
import { exoRangesProbe } from './probes/exo-ranges.js';
import { directSendProbe } from './probes/direct-send.js';
import dnsMx from '../checks/dns/mx.js';
import dnsSpf from '../checks/dns/spf.js';
import dnsDkim from '../checks/dns/dkim.js';
import dnsDmarc from '../checks/dns/dmarc.js';
import dnsMtaSts from '../checks/dns/mta-sts.js';
import dnsTlsRpt from '../checks/dns/tls-rpt.js';
import dnsDane from '../checks/dns/dane.js';
import tlsCandidateCertificate from '../checks/tls/candidate-certificate.js';
import dnsInboundDane from '../checks/dns/inbound-dane.js';
import dnsSmartHosts from '../checks/dns/smart-hosts.js';
import firewallOffice365Ranges from '../checks/firewall/office365-ranges.js';
import { dnsProbes } from './probes/dns/probes.js';
import { mtaStsProbe } from './probes/mta-sts.js';

export const builtinChecks: CheckDefinition[] = [
  // config: pure from the plan
  configConnectorTls,
  configSenderAccountMatch,
  configSendingPath,
  // smtp: one session per endpoint (src/probes/smtp-session.ts)
  smtpConnect,
  smtpStarttls,
  tlsVersion,
  tlsCertificateName,
  tlsCertificateTrust,
  tlsCertificateChain,
  tlsCertificateExpiry,
  tlsCertificateStrength,
  tlsClientCertificate,
  tlsCandidateCertificate,
  // auth: SMTP AUTH on submission endpoints (src/probes/submission.ts)
  authTlsRequired,
  authOAuthToken,
  authLogin,
  authSenderMatch,
  // send: validation mail and its delivery (src/probes/send.ts, delivery.ts)
  sendValidation,
  sendDelivery,
  sendDirectSend,
  // limits (src/probes/quota.ts reads the send log)
  limitsQuota,
  // dns: one resolver and cache per run (src/probes/dns/), MTA-STS over HTTPS (src/probes/mta-sts.ts)
  dnsMx,
  dnsSpf,
  dnsDkim,
  dnsDmarc,
  dnsMtaSts,
  dnsTlsRpt,
  dnsDane,
  dnsInboundDane,
  dnsSmartHosts,
  // firewall: pure from the plan and the shipped Exchange Online ranges (data/)
  firewallOffice365Ranges,
];

export const builtinProbes: ProbeDefinition[] = [
  smtpSessionProbe as ProbeDefinition,
  oauthTokenProbe as ProbeDefinition,
  submissionProbe as ProbeDefinition,
  sendProbe as ProbeDefinition,
  deliveryProbe as ProbeDefinition,
  quotaProbe as ProbeDefinition,
  exoRangesProbe as ProbeDefinition,
  directSendProbe as ProbeDefinition,
  ...dnsProbes,
  mtaStsProbe as ProbeDefinition,
];
