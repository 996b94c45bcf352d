// Exchange Online connector settings a plan carries so that `relaycheck import` → `relaycheck
// powershell` round-trips a tenant: properties relaycheck does not probe, but New-/Set-InboundConnector
// and New-/Set-OutboundConnector take (cmdlet reference; SmtpDaneMode / MtaStsMode: Exchange Team
// blog, 10 Mar 2026, MC1220759). One table drives the loader, the import and the PowerShell, so a
// setting cannot be read by one and forgotten by another. All fields are optional plan fields.

export type ConnectorDirection = 'to-office365' | 'from-office365';

export const SMTP_DANE_MODES = ['Opportunistic', 'Mandatory', 'None'] as const;
export const MTA_STS_MODES = ['Opportunistic', 'None'] as const;
export type SmtpDaneMode = (typeof SMTP_DANE_MODES)[number];
export type MtaStsMode = (typeof MTA_STS_MODES)[number];

export interface InboundSettings {
  /** false: the connector is disabled in Exchange Online; its checks are skipped */
  enabled?: boolean;
  comment?: string;
  restrictDomainsToCertificate?: boolean;
  restrictDomainsToIPAddresses?: boolean;
  treatMessagesAsInternal?: boolean;
  cloudServicesMailEnabled?: boolean;
  trustedOrganizations?: string[];
  associatedAcceptedDomains?: string[];
}

export interface OutboundSettings {
  enabled?: boolean;
  comment?: string;
  connectorType?: 'OnPremises' | 'Partner';
  recipientDomains?: string[];
  allAcceptedDomains?: boolean;
  isTransportRuleScoped?: boolean;
  routeAllMessagesViaOnPremises?: boolean;
  cloudServicesMailEnabled?: boolean;
  senderRewritingEnabled?: boolean;
  testMode?: boolean;
  smtpDaneMode?: SmtpDaneMode;
  mtaStsMode?: MtaStsMode;
}

export type SettingKind = 'bool' | 'text' | 'list' | { enum: readonly string[] };

export interface SettingSpec {
  /** plan key */
  key: string;
  /** the cmdlet parameter and the Get-*Connector property */
  ps: string;
  kind: SettingKind;
  on: ConnectorDirection[];
  /**
   * What New-*Connector sets when the parameter is not given. The import leaves a setting out of
   * the plan when the export holds this value, so plans stay short; undefined: always copied.
   */
  cmdletDefault?: boolean | string;
}

const BOTH: ConnectorDirection[] = ['to-office365', 'from-office365'];
const IN: ConnectorDirection[] = ['to-office365'];
const OUT: ConnectorDirection[] = ['from-office365'];

/** Settings beyond the ones relaycheck tests (name, connectorType of inbound, requireTls, senderDomains, senderIPs, tlsSenderCertificateName, smartHosts, tls). */
export const CONNECTOR_SETTINGS: SettingSpec[] = [
  { key: 'connectorType', ps: 'ConnectorType', kind: { enum: ['OnPremises', 'Partner'] }, on: OUT },
  { key: 'enabled', ps: 'Enabled', kind: 'bool', on: BOTH, cmdletDefault: true },
  { key: 'comment', ps: 'Comment', kind: 'text', on: BOTH },
  { key: 'restrictDomainsToCertificate', ps: 'RestrictDomainsToCertificate', kind: 'bool', on: IN, cmdletDefault: false },
  { key: 'restrictDomainsToIPAddresses', ps: 'RestrictDomainsToIPAddresses', kind: 'bool', on: IN, cmdletDefault: false },
  { key: 'treatMessagesAsInternal', ps: 'TreatMessagesAsInternal', kind: 'bool', on: IN, cmdletDefault: false },
  { key: 'trustedOrganizations', ps: 'TrustedOrganizations', kind: 'list', on: IN },
  { key: 'associatedAcceptedDomains', ps: 'AssociatedAcceptedDomains', kind: 'list', on: IN },
  { key: 'recipientDomains', ps: 'RecipientDomains', kind: 'list', on: OUT },
  { key: 'allAcceptedDomains', ps: 'AllAcceptedDomains', kind: 'bool', on: OUT, cmdletDefault: false },
  { key: 'isTransportRuleScoped', ps: 'IsTransportRuleScoped', kind: 'bool', on: OUT, cmdletDefault: false },
  { key: 'routeAllMessagesViaOnPremises', ps: 'RouteAllMessagesViaOnPremises', kind: 'bool', on: OUT, cmdletDefault: false },
  { key: 'cloudServicesMailEnabled', ps: 'CloudServicesMailEnabled', kind: 'bool', on: BOTH, cmdletDefault: false },
  { key: 'senderRewritingEnabled', ps: 'SenderRewritingEnabled', kind: 'bool', on: OUT, cmdletDefault: false },
  { key: 'testMode', ps: 'TestMode', kind: 'bool', on: OUT, cmdletDefault: false },
  { key: 'smtpDaneMode', ps: 'SmtpDaneMode', kind: { enum: SMTP_DANE_MODES }, on: OUT },
  { key: 'mtaStsMode', ps: 'MtaStsMode', kind: { enum: MTA_STS_MODES }, on: OUT },
];

export function settingsFor(direction: ConnectorDirection): SettingSpec[] {
  return CONNECTOR_SETTINGS.filter((s) => s.on.includes(direction));
}

/** The settings of a raw (schema-valid) plan connector, copied as they are; absent stays absent. */
export function readSettings(raw: Record<string, unknown>, direction: ConnectorDirection): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of settingsFor(direction)) {
    const v = raw[s.key];
    if (v !== undefined) out[s.key] = Array.isArray(v) ? [...v] : v;
  }
  return out;
}

/** "not tested: …" when a plan connector is disabled, else undefined. */
export function disabledReason(entry: { name: string; enabled?: boolean; direction?: string }): string | undefined {
  if (entry.enabled !== false) return undefined;
  const cmdlet = entry.direction === 'from-office365' ? 'Set-OutboundConnector' : 'Set-InboundConnector';
  return `not tested: "${entry.name}" is disabled in Exchange Online (enabled: false in the plan); once it is enabled (${cmdlet} -Enabled $true), remove enabled: false to test it`;
}
