// The Exchange Online PowerShell that creates connectors matching a plan, splatted as the seed
// shows ($splat = @{ … }; New-InboundConnector @splat). Parameters: New-InboundConnector /
// New-OutboundConnector reference (ConnectorType, SenderDomains, RequireTls,
// TlsSenderCertificateName, SenderIPAddresses, RestrictDomainsTo*; SmartHosts, UseMXRecord,
// TlsSettings, TlsDomain, AllAcceptedDomains / RecipientDomains, IsTransportRuleScoped), plus the
// plan's other Exchange Online settings (Enabled, Comment, SmtpDaneMode, …: src/exo/connector-settings.ts).
import { isIP } from 'node:net';
import { settingsFor, type ConnectorDirection } from '../exo/connector-settings.js';
import type { FromOffice365Connector, Plan, ToOffice365Connector } from '../types.js';
import { oauthScript } from './oauth.js';
import { psArray, psComment, psQuote } from './quote.js';

/** The Exchange Online TlsSettings value of each plan tls.mode. */
export const TLS_SETTINGS = { any: 'EncryptionOnly', 'trusted-ca': 'CertificateValidation', domain: 'DomainValidation' } as const;

export type SplatValue = string | boolean | string[];

export interface Splat {
  cmdlet: 'New-InboundConnector' | 'New-OutboundConnector';
  /** parameter → value, in the order written */
  params: [string, SplatValue][];
  /** comment lines above the splat */
  comments: string[];
  /** lines after the command (e.g. Validate-OutboundConnector), already PowerShell */
  after: string[];
}

function value(v: SplatValue): string {
  if (typeof v === 'boolean') return v ? '$true' : '$false';
  if (Array.isArray(v)) return psArray(v);
  return psQuote(v);
}

export function renderSplat(s: Splat): string {
  const width = Math.max(...s.params.map(([k]) => k.length));
  return [
    ...s.comments.map((c) => `# ${psComment(c)}`),
    '$splat = @{',
    ...s.params.map(([k, v]) => `    ${k.padEnd(width)} = ${value(v)}`),
    '}',
    `${s.cmdlet} @splat`,
    ...s.after,
  ].join('\n');
}

/** Keys the splat functions write themselves (they have a relaycheck default when the plan is silent). */
const WRITTEN_BY_SPLAT = new Set(['connectorType', 'restrictDomainsToCertificate', 'restrictDomainsToIPAddresses', 'recipientDomains', 'allAcceptedDomains', 'isTransportRuleScoped']);

/** The plan's other Exchange Online settings (Enabled, Comment, …), in table order, as the plan states them. */
function planSettings(c: object, direction: ConnectorDirection): [string, SplatValue][] {
  const out: [string, SplatValue][] = [];
  for (const spec of settingsFor(direction)) {
    if (WRITTEN_BY_SPLAT.has(spec.key)) continue;
    const v = (c as Record<string, unknown>)[spec.key];
    if (typeof v === 'string' || typeof v === 'boolean' || Array.isArray(v)) out.push([spec.ps, v as SplatValue]);
  }
  return out;
}

function disabledComment(c: { enabled?: boolean }, cmdlet: string): string[] {
  return c.enabled === false ? [`Enabled $false, as in the plan: the connector is created disabled; turn it on with ${cmdlet} -Identity <name> -Enabled $true.`] : [];
}

export function inboundSplat(c: ToOffice365Connector): Splat {
  const params: [string, SplatValue][] = [
    ['Name', c.name],
    ['ConnectorType', c.connectorType],
    ['SenderDomains', c.senderDomains],
    ['RequireTls', c.requireTls],
  ];
  const comments = [`Inbound connector ${c.name}: your mail server -> Office 365 (${c.path}).`];
  if (c.tlsSenderCertificateName) params.push(['TlsSenderCertificateName', c.tlsSenderCertificateName]);
  if (c.senderIPs.length) params.push(['SenderIPAddresses', c.senderIPs]);
  if (c.tlsSenderCertificateName && c.senderIPs.length) comments.push('Both a certificate name and sender IPs: either one attributes the mail to your tenant.');
  // Partner connectors accept by default from anyone claiming the sender domains: unless the plan
  // says otherwise, hold them to the certificate or the addresses the plan names.
  const partner = c.connectorType === 'Partner';
  const toCertificate = c.restrictDomainsToCertificate ?? (partner && Boolean(c.tlsSenderCertificateName) ? true : undefined);
  const toIPs = c.restrictDomainsToIPAddresses ?? (partner && c.senderIPs.length ? true : undefined);
  if (toCertificate !== undefined) params.push(['RestrictDomainsToCertificate', toCertificate]);
  if (toIPs !== undefined) params.push(['RestrictDomainsToIPAddresses', toIPs]);
  params.push(...planSettings(c, 'to-office365'));
  comments.push(...disabledComment(c, 'Set-InboundConnector'));
  if (partner) {
    if (toCertificate || toIPs) comments.push('Partner: accepts mail from the sender domains only with this certificate / from these addresses (RestrictDomainsTo*).');
  } else {
    comments.push('OnPremises: relays to internet recipients for senders in your accepted domains.');
  }
  if (!c.tlsSenderCertificateName && c.senderIPs.length === 0) comments.push('FILL IN: the plan names neither tlsSenderCertificateName nor senderIPs; Exchange Online needs one to attribute the mail.');
  if (!c.requireTls) comments.push('RequireTls $false: mail over this connector may arrive unencrypted (config.connector-tls fails this).');
  return { cmdlet: 'New-InboundConnector', params, comments, after: [] };
}

export function outboundSplat(c: FromOffice365Connector, plan: Plan): Splat {
  const comments = [`Outbound connector ${c.name}: Office 365 -> your smart hosts (${c.path}).`];
  const hosts: string[] = [];
  for (const h of c.smartHosts) {
    if (!hosts.includes(h.host)) hosts.push(h.host);
    if (h.port !== 25) comments.push(`The plan tests ${h.host} on port ${h.port}; Exchange Online always connects to smart hosts on port 25.`);
  }
  const params: [string, SplatValue][] = [
    ['Name', c.name],
    ['ConnectorType', c.connectorType ?? 'OnPremises'],
    ['UseMXRecord', false],
    ['SmartHosts', hosts],
  ];
  if (c.tls) {
    params.push(['TlsSettings', TLS_SETTINGS[c.tls.mode]]);
    if (c.tls.mode === 'domain' && c.tls.domain) params.push(['TlsDomain', c.tls.domain]);
  } else {
    comments.push('No TlsSettings (the plan has no tls.mode): Exchange Online uses opportunistic TLS; config.connector-tls fails this.');
  }
  const scopeInPlan = c.recipientDomains !== undefined || c.allAcceptedDomains !== undefined || c.isTransportRuleScoped !== undefined;
  if (scopeInPlan) {
    if (c.recipientDomains !== undefined) params.push(['RecipientDomains', c.recipientDomains]);
    if (c.allAcceptedDomains !== undefined) params.push(['AllAcceptedDomains', c.allAcceptedDomains]);
    if (c.isTransportRuleScoped !== undefined) params.push(['IsTransportRuleScoped', c.isTransportRuleScoped]);
    if (!c.recipientDomains?.length && !c.allAcceptedDomains && !c.isTransportRuleScoped) comments.push('As in the plan: no RecipientDomains, AllAcceptedDomains or IsTransportRuleScoped, so no mail is routed through this connector.');
  } else scopeDefault(c, plan, params, comments);
  params.push(...planSettings(c, 'from-office365'));
  comments.push(...disabledComment(c, 'Set-OutboundConnector'));
  const ipHosts = hosts.filter((h) => isIP(h));
  if (c.smtpDaneMode === 'Mandatory' && ipHosts.length) comments.push(`SmtpDaneMode Mandatory: DANE needs a host name with DNSSEC-signed TLSA records; Exchange Online cannot deliver to ${ipHosts.join(', ')} this way.`);
  const after: string[] = [];
  const to = c.validation?.to ?? [];
  if (to.length) after.push(`# Then test it (connects to every smart host and sends test mail):`, `Validate-OutboundConnector -Identity ${psQuote(c.name)} -Recipients ${psArray(to)}`);
  if (hosts.some((h) => isIP(h) === 6)) comments.push('IPv6 smart hosts: check that Exchange Online accepts them for your tenant.');
  return { cmdlet: 'New-OutboundConnector', params, comments, after };
}

/**
 * Which mail uses the connector, when the plan does not say. One outbound connector takes the
 * seed's choice ("for email sent to all accepted domains of your organization"); several would
 * compete for the same mail, so each is created rule-scoped (it routes nothing until a transport
 * rule or RecipientDomains says so) and the admin names its domains.
 */
function scopeDefault(c: FromOffice365Connector, plan: Plan, params: [string, SplatValue][], comments: string[]): void {
  const domains = (plan.acceptedDomains.length ? plan.acceptedDomains : [plan.domain]).filter((d) => !/\.onmicrosoft\.com$/i.test(d));
  const suggestion = `RecipientDomains = @(${(domains.length ? domains : [plan.domain]).map(psQuote).join(', ')})`;
  const outboundCount = plan.connectors.filter((x) => x.direction === 'from-office365').length;
  if (outboundCount <= 1) {
    params.push(['AllAcceptedDomains', true]);
    params.push(['IsTransportRuleScoped', false]);
    comments.push(`AllAcceptedDomains: mail to every accepted domain goes to these smart hosts, as the usual relay set-up does. To route only some domains, replace it with ${suggestion}.`);
  } else {
    params.push(['IsTransportRuleScoped', true]);
    comments.push(
      `FILL IN: the plan has ${outboundCount} outbound connectors and does not say which domains each serves, so this one is rule-scoped (it routes nothing by itself). To route domains through it, replace IsTransportRuleScoped = $true with e.g. ${suggestion}.`,
    );
  }
}

/** The whole script for a plan: one splat per connector, in plan order. */
export function connectorScript(plan: Plan): string {
  const parts = [
    `# relaycheck: Exchange Online connectors for ${psComment(plan.organization ? `${plan.organization} (${plan.domain})` : plan.domain)}, from ${psComment(plan.file)}.`,
    '# Run in Exchange Online PowerShell (Connect-ExchangeOnline) as a member of Organization Management.',
    '# Each block creates one connector; existing connectors of the same name make New-* fail: change them with Set-InboundConnector / Set-OutboundConnector.',
  ];
  const blocks: string[] = [];
  for (const c of plan.connectors) blocks.push(renderSplat(c.direction === 'to-office365' ? inboundSplat(c) : outboundSplat(c, plan)));
  const oauth = oauthScript(plan);
  if (blocks.length === 0) blocks.push(`# The plan has no connectors (only submission accounts): no connector to create.`);
  if (oauth) blocks.push(oauth);
  return `${parts.join('\n')}\n\n${blocks.join('\n\n')}\n`;
}
