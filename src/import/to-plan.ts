// Turns exported Exchange Online connectors and accepted domains into a relaycheck plan: inbound
// connectors become to-office365 entries, outbound connectors with smart hosts from-office365
// entries; what the exports cannot say (the tenant MX host, validation recipients, the client
// certificate, credentials) is left as commented "FILL IN" lines. Mapping: DESIGN §2 and
// reference/exchange-online.md (TlsSettings ↔ tls.mode, SenderDomains `smtp:*;1`).
import { isIP } from 'node:net';
import { isCertName, isCidr, isEmail, isHostname, parseHostPort } from '../plan/address.js';
import { SMTP_AUTH_BASIC_OFF_BY_DEFAULT } from '../exo/facts.js';
import { SUBMISSION_HOSTS } from '../exo/services.js';
import { settingsFor, type ConnectorDirection } from '../exo/connector-settings.js';
import { rangeToCidrs } from './ip-range.js';
import type { AcceptedDomainExport, InboundConnectorExport, OutboundConnectorExport } from './exports.js';
import type { Exposure } from './smtp-auth-exposure.js';
import { exposureText } from './smtp-auth-plan.js';
import { renderPlan, type FromOffice365Data, type PlanComment, type PlanData, type ToOffice365Data } from './plan-writer.js';

export interface ImportInput {
  inbound?: { file: string; connectors: InboundConnectorExport[] };
  outbound?: { file: string; connectors: OutboundConnectorExport[] };
  accepted?: { file: string; domains: AcceptedDomainExport[] };
  /** who can still authenticate with SMTP AUTH (Get-CASMailbox / Get-TransportConfig / SMTP AUTH clients report) */
  exposure?: Exposure;
  /** the file the plan will be written to, for the "then run" hint */
  planFile?: string;
}

export interface ImportResult {
  data: PlanData;
  comments: PlanComment[];
  yaml: string;
  /** one line per connector that is not in the plan, with the reason */
  skipped: string[];
  /** what the admin has to fill in before the first run */
  fillIn: string[];
  /** the SMTP AUTH exposure for the command's summary, when the CAS exports were given */
  exposureSummary?: string[];
  counts: { inbound: number; outbound: number; acceptedDomains: number };
}

const TLS_MODE = { EncryptionOnly: 'any', CertificateValidation: 'trusted-ca', DomainValidation: 'domain' } as const;

/** contoso.com → contoso-com.mail.protection.outlook.com: a placeholder only, newer tenants use *.mx.microsoft. */
export function legacyMxHost(domain: string): string {
  return `${domain.toLowerCase().replace(/\.$/, '').replace(/\./g, '-')}.mail.protection.outlook.com`;
}

function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ').slice(0, 200);
}

function q(name: string): string {
  return `"${oneLine(name)}"`;
}

/** The plan's domain: the default accepted domain, else the first; without an export, derived from the connectors. */
function chooseDomain(input: ImportInput): { domain: string; from: string; placeholder: boolean } {
  const domains = input.accepted?.domains ?? [];
  const def = domains.find((d) => d.isDefault === true && isHostname(d.domainName));
  if (def) return { domain: def.domainName, from: `the default accepted domain (Default: true in ${input.accepted!.file})`, placeholder: false };
  const first = domains.find((d) => isHostname(d.domainName));
  if (first) return { domain: first.domainName, from: `the first accepted domain in ${input.accepted!.file} (none is marked Default)`, placeholder: false };
  const strip = (n: string) => n.replace(/^\*\./, '').toLowerCase();
  for (const c of input.inbound?.connectors ?? []) {
    if (c.tlsSenderCertificateName && isCertName(c.tlsSenderCertificateName) && strip(c.tlsSenderCertificateName).includes('.')) {
      return { domain: strip(c.tlsSenderCertificateName), from: `TlsSenderCertificateName of ${q(c.name)}`, placeholder: true };
    }
    const d = c.senderDomains.find((s) => s !== '*' && isHostname(strip(s)) && strip(s).includes('.'));
    if (d) return { domain: strip(d), from: `SenderDomains of ${q(c.name)}`, placeholder: true };
  }
  for (const c of input.outbound?.connectors ?? []) {
    if (c.tlsDomain && isCertName(c.tlsDomain) && strip(c.tlsDomain).split('.').length > 2) {
      return { domain: strip(c.tlsDomain).split('.').slice(1).join('.'), from: `TlsDomain of ${q(c.name)}`, placeholder: true };
    }
  }
  const mailDomains = new Map<string, number>();
  for (const m of input.exposure?.input.cas.mailboxes ?? []) {
    const d = m.address.split('@')[1];
    if (d && isHostname(d) && !/\.onmicrosoft\.com$/.test(d)) mailDomains.set(d, (mailDomains.get(d) ?? 0) + 1);
  }
  const common = [...mailDomains].sort((a, b) => b[1] - a[1])[0];
  if (common) return { domain: common[0], from: `the most common mailbox domain in ${input.exposure!.input.cas.file}`, placeholder: true };
  return { domain: 'contoso.com', from: 'nothing in the exports', placeholder: true };
}

/**
 * Copies the exported connector settings into a plan entry: everything the export states, except
 * values New-*Connector sets anyway (short plans) — but a Partner connector's RestrictDomainsTo*
 * is always copied, because relaycheck powershell would otherwise set it from the connector's
 * certificate name and IPs.
 */
function copySettings(entry: object, exp: { settings?: Record<string, unknown> }, direction: ConnectorDirection, partner: boolean): void {
  const out = entry as Record<string, unknown>;
  for (const spec of settingsFor(direction)) {
    const v = exp.settings?.[spec.key];
    if (v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    const keep = partner && spec.key.startsWith('restrictDomainsTo');
    if (!keep && spec.cmdletDefault !== undefined && v === spec.cmdletDefault) continue;
    out[spec.key] = v;
  }
}

export function importPlan(input: ImportInput): ImportResult {
  const comments: PlanComment[] = [];
  const skipped: string[] = [];
  const fillIn: string[] = [];
  const { domain, from: domainFrom, placeholder: domainGuessed } = chooseDomain(input);

  const accepted: string[] = [];
  for (const d of input.accepted?.domains ?? []) {
    if (isHostname(d.domainName) && !accepted.includes(d.domainName)) accepted.push(d.domainName);
  }
  const mxDomain = [domain, ...accepted].find((d) => !/\.onmicrosoft\.com$/.test(d)) ?? domain;
  const endpoint = legacyMxHost(mxDomain);

  const data: PlanData = {
    version: 1,
    domain,
    acceptedDomains: accepted.length ? accepted : undefined,
    trust: { system: true },
    connectors: [],
  };

  // Names must be unique across the plan (case-insensitively); Exchange Online only keeps them
  // unique per connector kind, so an inbound and an outbound connector may share one.
  const used = new Map<string, number>();
  for (const c of [...(input.inbound?.connectors ?? []), ...(input.outbound?.connectors ?? [])]) used.set(c.name.toLowerCase(), (used.get(c.name.toLowerCase()) ?? 0) + 1);
  const planName = (name: string, kind: 'inbound' | 'outbound'): { name: string; renamed: boolean } => {
    if ((used.get(name.toLowerCase()) ?? 0) < 2) return { name, renamed: false };
    return { name: `${name} (${kind})`, renamed: true };
  };

  // ── Inbound connectors: your mail server → Office 365 ──
  for (const c of input.inbound?.connectors ?? []) {
    const at = ['connectors', data.connectors!.length];
    const { name, renamed } = planName(c.name, 'inbound');
    const itemNotes: string[] = [];
    const entry: ToOffice365Data = { name, direction: 'to-office365', endpoint };
    const how = c.tlsSenderCertificateName ? `certificate-based: ${oneLine(c.tlsSenderCertificateName)}` : c.senderIPAddresses.length ? `IP-based: ${c.senderIPAddresses.map(oneLine).join(', ')}` : 'no certificate name or sender IPs';
    itemNotes.push(`From Get-InboundConnector ${q(c.name)} (${c.connectorType ?? 'ConnectorType not exported'}, ${how}).`);
    if (renamed) itemNotes.push(`Renamed: an outbound connector is also called ${q(c.name)}; relaycheck needs unique names. Use ${q(c.name)} as -Identity in Exchange Online.`);
    if (c.enabled === false) itemNotes.push('Enabled: false in Exchange Online: this connector attributes nothing until it is enabled (Set-InboundConnector -Identity <name> -Enabled $true); relaycheck reports its checks as skipped while the plan says enabled: false.');
    if (c.connectorType) entry.connectorType = c.connectorType;
    else itemNotes.push('ConnectorType is not in the export: relaycheck assumes OnPremises.');
    if (c.requireTls !== undefined) entry.requireTls = c.requireTls;
    else itemNotes.push('RequireTls is not in the export: relaycheck assumes true; check it with Get-InboundConnector.');
    if (c.tlsSenderCertificateName) {
      if (isCertName(c.tlsSenderCertificateName)) entry.tlsSenderCertificateName = c.tlsSenderCertificateName;
      else itemNotes.push(`TlsSenderCertificateName ${JSON.stringify(oneLine(c.tlsSenderCertificateName))} is not a domain name relaycheck can hold certificates against; left out.`);
    }
    const ips: string[] = [];
    const badIps: string[] = [];
    for (const ip of c.senderIPAddresses) {
      const cidrs = isCidr(ip) ? [ip] : rangeToCidrs(ip);
      if (!cidrs) badIps.push(ip);
      else ips.push(...cidrs.filter((x) => !ips.includes(x)));
      if (cidrs && cidrs[0] !== ip) itemNotes.push(`SenderIPAddresses range ${oneLine(ip)} written as ${cidrs.join(', ')} (the same addresses).`);
    }
    if (ips.length) entry.senderIPs = ips;
    if (badIps.length) itemNotes.push(`SenderIPAddresses not copied (not an IP address, CIDR block or IPv4 range): ${badIps.map((s) => JSON.stringify(oneLine(s))).join(', ')}`);
    if (c.senderDomains.length) entry.senderDomains = c.senderDomains;
    copySettings(entry, c, 'to-office365', c.connectorType === 'Partner');
    itemNotes.push(...(c.settingNotes ?? []));
    if (c.treatMessagesAsInternal) itemNotes.push('TreatMessagesAsInternal: true — mail through this connector bypasses anti-spam filtering.');
    if (!entry.tlsSenderCertificateName && !entry.senderIPs) itemNotes.push('Neither a certificate name nor sender IPs: Exchange Online cannot attribute relayed mail to the tenant.');
    data.connectors!.push(entry);

    comments.push({ path: at, before: itemNotes.join('\n') });
    if (at[1] === 0) {
      comments.push({
        path: [...at, 'endpoint'],
        before:
          'FILL IN: your tenant MX host. The exports cannot say it; this is the classic form, built from the\n' +
          'domain as a placeholder. Copy the real host from the Microsoft 365 admin center (Settings > Domains >\n' +
          `your domain > DNS records, the MX record) or from DNS (dig MX ${mxDomain}): newer domains, and\n` +
          'DNSSEC-enabled ones, use a host under mx.microsoft (e.g. contoso-com.<x>-v1.mx.microsoft).',
      });
    } else comments.push({ path: [...at, 'endpoint'], after: 'FILL IN: your tenant MX host (see the first connector)' });
    const cert = Boolean(entry.tlsSenderCertificateName);
    const ends = [
      ...(cert
        ? [
            'FILL IN (optional): the certificate your mail server presents, so tls.client-certificate can check it:',
            'clientCertificate:',
            '  cert: ./pki/relay.pem   # leaf + intermediates, PEM',
            '  key: { file: ./pki/relay.key }   # or { env: RELAY_KEY }; never the key itself',
          ]
        : []),
      'FILL IN to send a validation message through this connector (send.validation):',
      'validation:',
      `  from: relay@${domain}   # an address in an accepted domain`,
      `  to: [postmaster@${domain}]   # a mailbox you can read`,
    ];
    comments.push({ path: at, end: ends.join('\n') });
  }

  // ── Outbound connectors: Office 365 → your smart hosts ──
  for (const c of input.outbound?.connectors ?? []) {
    const hosts: string[] = [];
    const dropped: string[] = [];
    for (const h of c.smartHosts) {
      const hp = parseHostPort(h, 25);
      if (hp && hp.port === 25 && !h.includes('/') && (isIP(hp.host) || isHostname(hp.host))) hosts.push(hp.host);
      else dropped.push(h);
    }
    if (c.useMxRecord === true || hosts.length === 0) {
      const why = c.useMxRecord === true ? 'it delivers by MX record (UseMXRecord: true), not to smart hosts of yours' : `it has no smart host relaycheck can connect to${dropped.length ? ` (${dropped.map((d) => oneLine(d)).join(', ')})` : ''}`;
      skipped.push(`outbound connector ${q(c.name)}: ${why}`);
      continue;
    }
    const at = ['connectors', data.connectors!.length];
    const { name, renamed } = planName(c.name, 'outbound');
    const itemNotes: string[] = [];
    const entry: FromOffice365Data = { name, direction: 'from-office365', smartHosts: hosts };
    const scope = c.isTransportRuleScoped ? 'only when a transport rule routes to it' : c.allAcceptedDomains ? 'for all accepted domains' : c.recipientDomains.length ? `for ${c.recipientDomains.map(oneLine).join(', ')}` : 'scope not exported';
    itemNotes.push(`From Get-OutboundConnector ${q(c.name)} (${c.connectorType ?? 'ConnectorType not exported'}, TlsSettings ${c.tlsSettings ?? 'not set'}, used ${scope}).`);
    if (renamed) itemNotes.push(`Renamed: an inbound connector is also called ${q(c.name)}; relaycheck needs unique names. Use ${q(c.name)} as -Identity in Exchange Online.`);
    if (c.enabled === false) itemNotes.push('Enabled: false in Exchange Online: no mail uses this connector until it is enabled (Set-OutboundConnector -Identity <name> -Enabled $true); relaycheck reports its checks as skipped while the plan says enabled: false.');
    itemNotes.push(...(c.settingNotes ?? []));
    if (dropped.length) comments.push({ path: [...at, 'smartHosts'], after: `not copied (relaycheck connects to hosts and addresses on port 25, not ranges): ${dropped.map(oneLine).join(', ')}` });

    if (c.tlsSettings === null) {
      itemNotes.push('No TlsSettings: Exchange Online uses opportunistic TLS and may deliver in clear text; config.connector-tls will flag this.');
    } else if (c.tlsSettings === 'DomainValidation') {
      const tlsDomain = c.tlsDomain && isCertName(c.tlsDomain) ? c.tlsDomain : undefined;
      const fallback = hosts.find((h) => !isIP(h)) ?? `mail.${domain}`;
      entry.tls = { mode: 'domain', domain: tlsDomain ?? fallback };
      if (!tlsDomain) comments.push({ path: [...at, 'tls', 'domain'], after: `FILL IN: TlsDomain ${c.tlsDomain ? JSON.stringify(oneLine(c.tlsDomain)) + ' is not a domain name' : 'is not in the export'}; the name in the smart hosts' certificates` });
    } else {
      entry.tls = { mode: TLS_MODE[c.tlsSettings] };
    }
    copySettings(entry, c, 'from-office365', false);
    // The plan states the scope as exported, so relaycheck powershell does not choose one.
    if (c.scopeExported && entry.recipientDomains === undefined && entry.allAcceptedDomains === undefined && entry.isTransportRuleScoped === undefined) entry.isTransportRuleScoped = false;
    const recipients = c.validationRecipients.filter(isEmail);
    if (recipients.length) entry.validation = { to: recipients };
    data.connectors!.push(entry);

    comments.push({ path: at, before: itemNotes.join('\n') });
    if (entry.tls) comments.push({ path: [...at, 'tls', 'mode'], after: `TlsSettings ${c.tlsSettings}` });
    if (recipients.length) comments.push({ path: [...at, 'validation', 'to'], after: 'ValidationRecipients of the connector' });
    else
      comments.push({
        path: at,
        end: ['FILL IN to send a validation message through this connector (send.validation):', 'validation:', `  from: connector-check@${domain}`, `  to: [admin@${domain}]   # a mailbox behind the smart hosts`].join('\n'),
      });
  }

  // ── Document-level comments ──
  const sources = [
    input.inbound && `inbound:  ${oneLine(input.inbound.file)} (Get-InboundConnector, ${input.inbound.connectors.length} connector${input.inbound.connectors.length === 1 ? '' : 's'})`,
    input.outbound && `outbound: ${oneLine(input.outbound.file)} (Get-OutboundConnector, ${input.outbound.connectors.length} connector${input.outbound.connectors.length === 1 ? '' : 's'})`,
    input.accepted && `accepted: ${oneLine(input.accepted.file)} (Get-AcceptedDomain, ${input.accepted.domains.length} domain${input.accepted.domains.length === 1 ? '' : 's'})`,
    input.exposure && `SMTP AUTH: ${oneLine(input.exposure.input.cas.file)} (Get-CASMailbox, ${input.exposure.input.cas.mailboxes.length} mailbox${input.exposure.input.cas.mailboxes.length === 1 ? '' : 'es'})`,
  ].filter(Boolean) as string[];
  const inboundCount = input.inbound?.connectors.length ?? 0;
  if (inboundCount) fillIn.push('endpoint: your tenant MX host (the placeholder is the classic form, built from the domain)');
  if (domainGuessed) fillIn.push(`domain: ${domainFrom === 'nothing in the exports' ? 'a placeholder' : `derived from ${domainFrom}`}; give --accepted for the tenant's accepted domains`);
  if (data.connectors!.length) fillIn.push('validation: recipients for the validation messages (commented out under each connector)');
  if (data.connectors!.some((c) => c.direction === 'to-office365' && c.tlsSenderCertificateName)) fillIn.push('clientCertificate: the certificate your mail server presents (certificate-based connectors)');
  const exposure = input.exposure ? exposureText(input.exposure, endpoint, domain) : undefined;
  if (exposure && input.exposure!.exposed.length) fillIn.push('submission: one commented-out entry per account that can still use SMTP AUTH, testing its way forward (FILL IN tenant id, client id and credentials)');
  else fillIn.push('submission: SMTP AUTH accounts, if any (OAuth 2.0 client credentials; secrets as { env: NAME } or { file: path })');

  const header = [
    'relaycheck test plan, imported from Exchange Online exports:',
    ...sources.map((s) => `  ${s}`),
    'Before the first run, fill in what the exports cannot say (search for FILL IN):',
    ...fillIn.map((f) => `  - ${f}`),
    ...(skipped.length ? ['Not imported:', ...skipped.map((s) => `  - ${s}`)] : []),
    ...(exposure ? ['SMTP AUTH (details at the end of the file):', ...exposure.header.map((l) => `  ${l}`)] : []),
    `Then: relaycheck run -c ${input.planFile ?? 'relaycheck.yaml'} --no-send`,
  ].join('\n');
  comments.unshift({ path: [], before: header });
  comments.push({ path: ['domain'], after: domainGuessed ? `FILL IN: derived from ${domainFrom}` : `from ${domainFrom.replace(/ \(.*$/, '')}` });
  if (accepted.length) comments.push({ path: ['acceptedDomains'], after: 'Get-AcceptedDomain DomainName' });
  else comments.push({ path: ['domain'], before: 'acceptedDomains: not exported (relaycheck uses [domain]); add them, or import with --accepted' });
  comments.push({ path: ['trust', 'system'], after: "public CAs; add ca: [./pki/root.pem] for a private CA" });
  comments.push({
    path: [],
    end: exposure
      ? exposure.end
      : [
          `FILL IN (optional): SMTP AUTH client submission accounts (${SUBMISSION_HOSTS.exchangeOnline}:587), with OAuth 2.0 client credentials`,
          `(Basic authentication for SMTP AUTH is off by default from ${SMTP_AUTH_BASIC_OFF_BY_DEFAULT}).`,
          'submission:',
          '  - name: Scanner account',
          `    endpoint: ${SUBMISSION_HOSTS.exchangeOnline}:587`,
          `    username: scanner@${domain}`,
          '    oauth2:',
          '      tenantId: "FILL IN: tenant id (GUID) or your onmicrosoft.com domain"',
          '      clientId: "FILL IN: application (client) id of the app registration"',
          '      certificate: { cert: ./FILL-IN-app-cert.pem, key: { file: ./FILL-IN-app-key.pem } }   # or clientSecret: { env: SCANNER_CLIENT_SECRET }',
          `    from: scanner@${domain}`,
          `    validation: { to: [it@${domain}] }`,
        ].join('\n'),
  });

  // A plan from the SMTP AUTH exports alone has no connectors list (its entries are commented out).
  if (!input.inbound && !input.outbound && data.connectors!.length === 0) delete data.connectors;
  const yaml = renderPlan(data, { comments });
  return {
    data,
    comments,
    yaml,
    skipped,
    fillIn,
    ...(exposure ? { exposureSummary: exposure.summary } : {}),
    counts: { inbound: inboundCount, outbound: (data.connectors ?? []).filter((c) => c.direction === 'from-office365').length, acceptedDomains: accepted.length },
  };
}
