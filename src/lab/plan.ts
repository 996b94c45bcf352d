// The plan the lab writes and runs: the set-up a newcomer would describe for a tenant "Contoso"
// (domain contoso.test) — an inbound connector authenticated by certificate, an outbound
// connector with DomainValidation to an on-prem smart host, an SMTP AUTH account that sends as a
// shared mailbox with Send As (XOAUTH2 with a token the app obtains with its certificate from the
// lab's Entra ID), validation mail with IMAP delivery confirmation — with
// lab host names mapped to the loopback servers through `resolve:` and explicit ports. Written as
// commented YAML (src/import/plan-writer.ts) so it can be read and re-run with `relaycheck run`.
import { renderPlan, type PlanComment, type PlanData } from '../import/plan-writer.js';
import { FAULTS, scannerUsesBasic, type LabFault } from './faults.js';

/** The lab's names: what the plan says, and what the servers present. */
export const LAB = {
  organization: 'Contoso (relaycheck lab)',
  domain: 'contoso.test',
  /** Exchange Online's tenant MX host, as <domain with dashes>.mail.protection.outlook.com */
  mxHost: 'contoso-test.mail.protection.outlook.test',
  /** the MX endpoint's certificate names, as Exchange Online's (mail.protection.outlook.com + wildcard) */
  mxCertNames: ['mail.protection.outlook.test', '*.mail.protection.outlook.test'],
  submissionHost: 'smtp.office365.lab.test',
  /** Exchange Online's mailboxes over IMAP (outlook.office365.com) */
  exoImapHost: 'outlook.office365.lab.test',
  smartHost: 'mail.contoso.test',
  /** the MTA-STS policy host, mta-sts.<domain> */
  mtaStsHost: 'mta-sts.contoso.test',
  /** the inbound connector's TlsSenderCertificateName */
  tlsSenderCertificateName: '*.contoso.test',
  /** the relay's client certificate name (createLabPki's `client` leaf: relay.<domain>) */
  relayName: 'relay.contoso.test',
  relaySender: 'relay@contoso.test',
  exoMailbox: 'it@contoso.test',
  outboundSender: 'connector-check@contoso.test',
  onPremMailbox: 'admin@contoso.test',
  submissionUser: 'scanner@contoso.test',
  submissionFrom: 'scans@contoso.test',
  /** what the lab's DNS publishes for the smart host (TEST-NET-3, RFC 5737: nothing connects there) */
  smartHostPublicAddress: '203.0.113.25',
  mxPublicAddress: '203.0.113.40',
  hveHost: 'smtp-hve.office365.lab.test',
  hveUser: 'hve-notify@contoso.test',
  acsHost: 'smtp.azurecomm.lab.test',
  /** <ACS resource>.<Entra app id>.<Entra tenant id> */
  acsUser: 'contoso-acs.6f1d2c3b-4a5e-4f60-8b7c-9d0e1f2a3b4c.72f988bf-86f1-41af-91ab-2d7cd011db47',
  acsFrom: 'donotreply@contoso.test',
  /** a domain that is not verified on the ACS resource (acs-unverified-domain) */
  unverifiedFrom: 'donotreply@fabrikam.test',
  externalRecipient: 'partner@fabrikam.test',
  directSendFrom: 'printer@contoso.test',
  connectorIn: 'Lab relay to Exchange Online',
  connectorOut: 'Lab Exchange Online to on-prem',
  submissionName: 'Lab scanner (SMTP AUTH)',
  /** Microsoft Entra ID's sign-in host (login.microsoftonline.com) */
  entraHost: 'login.microsoftonline.lab.test',
  tenantDomain: 'contoso-lab.onmicrosoft.com',
  appName: 'relaycheck lab scanner',
  hveName: 'Lab notifications (High Volume Email)',
  acsName: 'Lab newsletter (Azure Communication Services)',
  directSendName: 'Lab printer (Direct Send)',
} as const;

/** Where the plan's referenced files live, relative to the plan's folder. */
export const LAB_FILES = {
  plan: 'relaycheck-lab.yaml',
  root: 'pki/root.pem',
  relayChain: 'pki/relay.pem',
  /** the relay's next client certificate, judged before it is installed (tls.candidate-certificate) */
  relayNext: 'pki/relay-next.pem',
  relayKey: 'secrets/relay.key',
  appCert: 'pki/scanner-app.pem',
  appKey: 'secrets/scanner-app.key',
  appSecret: 'secrets/scanner-app.secret',
  scannerPassword: 'secrets/scanner.password',
  exoImapPassword: 'secrets/it-mailbox.password',
  hvePassword: 'secrets/hve.password',
  acsSecret: 'secrets/acs-client.secret',
  onPremImapPassword: 'secrets/admin-mailbox.password',
} as const;

export interface LabPorts {
  mx: number;
  submission: number;
  smartHost: number;
  exoImap: number;
  onPremImap: number;
  dns: number;
  /** the MTA-STS policy's HTTPS server (443 in real life) */
  mtaSts: number;
  /** the Entra ID stand-in's HTTPS server (443 in real life) */
  entra: number;
  /** smtp-hve.office365.com (587) */
  hve: number;
  /** smtp.azurecomm.net (587) */
  acs: number;
  /** the tenant MX as a device's Direct Send meets it (25 in real life; its own port in the lab) */
  directSend: number;
}

export interface LabPlanInput {
  ports: LabPorts;
  faults: LabFault[];
  /** the exchange-online ranges the firewall admits (the shipped list) */
  firewallAllowed: string[];
  address?: string;
  /** IMAP delivery timeout, seconds */
  deliveryTimeoutSeconds?: number;
  /** the scanner's app registration in the lab's Entra ID */
  app: { tenantId: string; clientId: string };
}

/** How the scanner authenticates: OAuth with its app certificate (or, for faults, a secret or a password). */
function scannerCredentials(input: LabPlanInput): Record<string, unknown> {
  if (scannerUsesBasic(input.faults)) return { password: { file: `./${LAB_FILES.scannerPassword}` } };
  const credential = input.faults.includes('oauth-bad-secret')
    ? { clientSecret: { file: `./${LAB_FILES.appSecret}` } }
    : { certificate: { cert: `./${LAB_FILES.appCert}`, key: { file: `./${LAB_FILES.appKey}` } } };
  return { oauth2: { tenantId: input.app.tenantId, clientId: input.app.clientId, authority: `https://${LAB.entraHost}:${input.ports.entra}`, ...credential } };
}

export function labPlanData(input: LabPlanInput): PlanData {
  const { ports } = input;
  const addr = input.address ?? '127.0.0.1';
  const hp = (host: string, port: number) => `${host}:${port}`;
  const imap = (host: string, port: number, username: string, password?: string) => ({
    host: hp(host, port),
    secure: true,
    username,
    ...(password ? { password: { file: `./${password}` } } : {}),
    mailbox: 'INBOX',
    timeoutSeconds: input.deliveryTimeoutSeconds ?? 10,
  });
  return {
    version: 1,
    organization: LAB.organization,
    domain: LAB.domain,
    acceptedDomains: [LAB.domain],
    store: './relaycheck.sqlite',
    trust: { system: false, ca: [`./${LAB_FILES.root}`] },
    resolve: {
      [hp(LAB.mxHost, ports.mx)]: addr,
      [hp(LAB.submissionHost, ports.submission)]: addr,
      [hp(LAB.smartHost, ports.smartHost)]: addr,
      [hp(LAB.exoImapHost, ports.exoImap)]: addr,
      [hp(LAB.smartHost, ports.onPremImap)]: addr,
      [hp(LAB.mtaStsHost, 443)]: addr,
      [hp(LAB.entraHost, ports.entra)]: addr,
      [hp(LAB.hveHost, ports.hve)]: addr,
      [hp(LAB.acsHost, ports.acs)]: addr,
      [hp(LAB.mxHost, ports.directSend)]: addr,
    },
    dns: { servers: [`${addr}:${ports.dns}`] },
    connectors: [
      {
        name: LAB.connectorIn,
        direction: 'to-office365',
        endpoint: hp(LAB.mxHost, ports.mx),
        connectorType: 'OnPremises',
        requireTls: true,
        tlsSenderCertificateName: LAB.tlsSenderCertificateName,
        clientCertificate: { cert: `./${LAB_FILES.relayChain}`, key: { file: `./${LAB_FILES.relayKey}` } },
        candidateCertificate: { cert: `./${LAB_FILES.relayNext}` },
        senderDomains: ['*'],
        validation: { from: LAB.relaySender, to: [LAB.exoMailbox], imap: imap(LAB.exoImapHost, ports.exoImap, LAB.exoMailbox, LAB_FILES.exoImapPassword) },
      },
      {
        name: LAB.connectorOut,
        direction: 'from-office365',
        smartHosts: [hp(LAB.smartHost, ports.smartHost)],
        tls: { mode: 'domain', domain: LAB.smartHost },
        validation: { from: LAB.outboundSender, to: [LAB.onPremMailbox], imap: imap(LAB.smartHost, ports.onPremImap, LAB.onPremMailbox, LAB_FILES.onPremImapPassword) },
      },
    ],
    submission: [
      {
        name: LAB.submissionName,
        endpoint: hp(LAB.submissionHost, ports.submission),
        // the lab's host name is not smtp.office365.com: say which service it stands for
        service: 'exchange-online',
        username: LAB.submissionUser,
        ...scannerCredentials(input),
        from: LAB.submissionFrom,
        sendAs: [LAB.submissionFrom],
        expectForeignSenderRejected: true,
        // Without a password the mailbox is read with the entry's own oauth2 (IMAP.AccessAsApp).
        validation: { to: [LAB.exoMailbox], imap: imap(LAB.exoImapHost, ports.exoImap, LAB.exoMailbox, scannerUsesBasic(input.faults) ? LAB_FILES.exoImapPassword : undefined) },
      },
      {
        name: LAB.hveName,
        endpoint: hp(LAB.hveHost, ports.hve),
        service: 'hve',
        username: LAB.hveUser,
        password: { file: `./${LAB_FILES.hvePassword}` },
        from: LAB.hveUser,
        validation: {
          to: input.faults.includes('hve-external-recipient') ? [LAB.exoMailbox, LAB.externalRecipient] : [LAB.exoMailbox],
          imap: imap(LAB.exoImapHost, ports.exoImap, LAB.exoMailbox, LAB_FILES.exoImapPassword),
        },
      },
      {
        name: LAB.acsName,
        endpoint: hp(LAB.acsHost, ports.acs),
        service: 'acs',
        username: LAB.acsUser,
        password: { file: `./${LAB_FILES.acsSecret}` },
        from: input.faults.includes('acs-unverified-domain') ? LAB.unverifiedFrom : LAB.acsFrom,
        validation: { to: [LAB.exoMailbox], imap: imap(LAB.exoImapHost, ports.exoImap, LAB.exoMailbox, LAB_FILES.exoImapPassword) },
      },
    ],
    directSend: [
      {
        name: LAB.directSendName,
        endpoint: hp(LAB.mxHost, ports.directSend),
        rejectDirectSend: false,
        validation: { from: LAB.directSendFrom, to: [LAB.exoMailbox], imap: imap(LAB.exoImapHost, ports.exoImap, LAB.exoMailbox, LAB_FILES.exoImapPassword) },
      },
    ],
    limits: { recipientsPerDay: 10_000, messagesPerMinute: 30, recipientsPerMessage: 500 },
    tenant: { licenses: 25 },
    stateDir: './state',
    // The lab carries its own ranges, so firewall.office365-ranges never warns about the age of
    // the shipped copy: the lab stays green whatever the date.
    firewall: { allowed: input.firewallAllowed, ranges: input.firewallAllowed },
  };
}

export function labPlanComments(input: LabPlanInput): PlanComment[] {
  const p = input.ports;
  const faults = input.faults.length
    ? [`Faults injected (--break ${input.faults.join(',')}); the plan is the same, the lab's side is broken:`, ...input.faults.map((f) => `  ${f}: ${FAULTS[f].does}`)]
    : ['No faults injected: every check should pass. Then try relaycheck lab --break expired-cert (see relaycheck lab --help).'];
  return [
    {
      path: [],
      before: [
        'relaycheck lab: the test plan of a made-up tenant "Contoso" (contoso.test), run against loopback',
        'servers that relaycheck lab started for one run and stopped after it:',
        `  ${LAB.mxHost}:${p.mx}  Exchange Online's MX endpoint (inbound connector; 25 in real life)`,
        `  ${LAB.submissionHost}:${p.submission}  smtp.office365.com (SMTP AUTH client submission; 587)`,
        `  ${LAB.smartHost}:${p.smartHost}  the on-premises smart host (outbound connector; 25)`,
        `  ${LAB.exoImapHost}:${p.exoImap}, ${LAB.smartHost}:${p.onPremImap}  IMAP mailboxes that confirm delivery`,
        `  127.0.0.1:${p.dns}  a DNS resolver serving the lab's zone`,
        `  https://${LAB.mtaStsHost}:${p.mtaSts}  the MTA-STS policy (443 in real life: relaycheck lab points the probe here)`,
        `  https://${LAB.entraHost}:${p.entra}  Microsoft Entra ID (login.microsoftonline.com): the scanner app's tokens`,
        `  ${LAB.hveHost}:${p.hve}  smtp-hve.office365.com (High Volume Email; 587)`,
        `  ${LAB.acsHost}:${p.acs}  smtp.azurecomm.net (Azure Communication Services Email; 587)`,
        `  ${LAB.mxHost}:${p.directSend}  the tenant MX as a printer's Direct Send meets it (25 in real life)`,
        'Certificates come from a lab CA made for this run (pki/root.pem); the secrets are in secrets/.',
        'The servers are gone once the run ends: run `relaycheck lab` again rather than this plan.',
        'A plan for your tenant has the same shape, with real names and without resolve: and ports (relaycheck init).',
        '',
        ...faults,
      ].join('\n'),
    },
    { path: ['store'], before: 'The lab\'s send log and run history, next to this plan: relaycheck history -c <this plan> lists the lab\'s runs.' },
    {
      path: ['trust'],
      before: 'Only the lab CA is trusted. In the lab it plays the part of a public CA (Exchange Online trusts public CAs only);\na plan for your tenant keeps system: true and lists a private CA here only if the relay uses one.',
    },
    { path: ['resolve'], before: 'Like curl --resolve: each lab host name and port goes to the loopback server standing in for it.' },
    {
      path: ['dns'],
      before: `The lab's DNS server answers as a validating resolver for the records senders and Exchange Online read: MX, SPF,\nDKIM, DMARC, MTA-STS, TLS-RPT, DANE (TLSA) and the smart host's public address ${LAB.smartHostPublicAddress} with reverse DNS.\n${LAB.smartHostPublicAddress} is a documentation address: relaycheck connects through resolve:, never to it.`,
    },
    { path: ['connectors', 0], before: 'Org mail server -> Exchange Online: the inbound connector, attributed by the relay\'s certificate name.' },
    { path: ['connectors', 0, 'clientCertificate'], before: 'The certificate the relay presents, with its intermediate (Exchange Online fetches none).' },
    { path: ['connectors', 0, 'candidateCertificate'], before: 'The relay\'s next certificate, judged before it is installed (tls.candidate-certificate; relaycheck run --candidate-cert FILE[,KEY] does the same).' },
    { path: ['connectors', 0, 'validation'], before: 'One validation message through the connector; IMAP confirms it arrived.' },
    { path: ['connectors', 1], before: 'Exchange Online -> on-prem: the outbound connector (TlsSettings DomainValidation, TlsDomain mail.contoso.test).' },
    {
      path: ['submission', 0],
      before: 'A scanner that authenticates with OAuth (XOAUTH2) and sends as a shared mailbox it has Send As on: relaycheck obtains\na token with the app\'s certificate (client credentials) on every run; it confirms delivery with the same app (IMAP.AccessAsApp).',
    },
    { path: ['submission', 0, 'expectForeignSenderRejected'], after: 'also prove that a sender without Send As is refused' },
    { path: ['submission', 0, 'service'], after: 'the lab host stands in for smtp.office365.com: judge it by its rules' },
    { path: ['submission', 1], before: 'A notification service on High Volume Email: internal recipients only, Basic authentication until September 2028.' },
    { path: ['submission', 2], before: 'A newsletter on Azure Communication Services: login <resource>.<app id>.<tenant id>, MAIL FROM in a verified domain.' },
    { path: ['directSend'], before: 'A printer that sends to the tenant MX without AUTH (Direct Send): internal recipients only; refused with 5.7.68 when RejectDirectSend is on.' },
    { path: ['limits'], before: "Microsoft's per-mailbox figures (the defaults): 10,000 recipients a day, 30 messages a minute, 500 recipients a message.\nmessagesPerDay (the seed's 1,500) applies only when a plan sets it." },
    { path: ['tenant'], before: "Licences give the tenant external recipient limit (TERRL) that connector relay is held to." },
    { path: ['stateDir'], before: "The lab's own send log (quota), so the lab never counts against your accounts' real one." },
    { path: ['firewall'], before: 'The firewall in front of the smart host admits every Exchange Online range on port 25.' },
  ];
}

/** The plan as commented YAML. */
export function renderLabPlan(input: LabPlanInput): string {
  return renderPlan(labPlanData(input), { comments: labPlanComments(input) });
}
