// Tolerant readers for exported Get-InboundConnector, Get-OutboundConnector and Get-AcceptedDomain
// objects (ConvertTo-Json output of Exchange Online PowerShell, or the same objects from an API):
// property names in any case, enum values as names or integers, lists as arrays, single values,
// null or {"value": [...]} wrappers, sender domains as `smtp:*;1`, extra properties ignored, and an
// absent property kept absent (absent is not false).
import { UsageError } from '../errors.js';
import { settingsFor, type ConnectorDirection } from '../exo/connector-settings.js';
import { unwrapArray, type ExportFile, type ExportRecord } from './read.js';

/**
 * Integer values of the two enums, as compiled into Microsoft.Exchange.Data (decompiled copies of
 * the Exchange Server assemblies in public repositories; Exchange Online's -TlsSettings and
 * -ConnectorType parameters take the same types): TlsAuthLevel EncryptionOnly = 1,
 * CertificateValidation = 2, DomainValidation = 4; TenantConnectorType OnPremises = 1, Partner = 2.
 */
export const TLS_AUTH_LEVEL = { EncryptionOnly: 1, CertificateValidation: 2, DomainValidation: 4 } as const;
export const TENANT_CONNECTOR_TYPE = { OnPremises: 1, Partner: 2 } as const;

export type TlsSettingsValue = keyof typeof TLS_AUTH_LEVEL;
export type ConnectorTypeValue = keyof typeof TENANT_CONNECTOR_TYPE;

export interface InboundConnectorExport {
  index: number;
  name: string;
  /** undefined when the export does not say */
  enabled?: boolean;
  connectorType?: ConnectorTypeValue;
  /** `smtp:` and `;cost` stripped: "*", "contoso.com", "*.contoso.com" */
  senderDomains: string[];
  senderIPAddresses: string[];
  requireTls?: boolean;
  tlsSenderCertificateName?: string;
  restrictDomainsToCertificate?: boolean;
  restrictDomainsToIPAddresses?: boolean;
  treatMessagesAsInternal?: boolean;
  comment?: string;
  /** the exported values of the settings in CONNECTOR_SETTINGS, by plan key (absent: not exported) */
  settings?: Record<string, unknown>;
  /** settings the export holds in a form relaycheck cannot carry over */
  settingNotes?: string[];
}

export interface OutboundConnectorExport {
  index: number;
  name: string;
  enabled?: boolean;
  connectorType?: ConnectorTypeValue;
  useMxRecord?: boolean;
  smartHosts: string[];
  /** null: not set (Exchange Online uses opportunistic TLS) */
  tlsSettings: TlsSettingsValue | null;
  tlsDomain?: string;
  recipientDomains: string[];
  allAcceptedDomains?: boolean;
  isTransportRuleScoped?: boolean;
  validationRecipients: string[];
  comment?: string;
  /** true when the export has any of RecipientDomains, AllAcceptedDomains, IsTransportRuleScoped */
  scopeExported?: boolean;
  settings?: Record<string, unknown>;
  settingNotes?: string[];
}

export interface AcceptedDomainExport {
  index: number;
  domainName: string;
  isDefault?: boolean;
  domainType?: string;
  initialDomain?: boolean;
}

export const EXPORT_HINTS = {
  inbound: 'Get-InboundConnector | ConvertTo-Json -Depth 5 | Out-File in.json -Encoding utf8',
  outbound: 'Get-OutboundConnector | ConvertTo-Json -Depth 5 | Out-File out.json -Encoding utf8',
  accepted: 'Get-AcceptedDomain | ConvertTo-Json -Depth 5 | Out-File domains.json -Encoding utf8',
} as const;

// ─── Reading one property tolerantly ─────────────────────────────────────────────────────────

export class Fields {
  private readonly byLower = new Map<string, string>();
  constructor(
    readonly record: ExportRecord,
    readonly file: string,
    readonly index: number,
  ) {
    for (const key of Object.keys(record)) if (!this.byLower.has(key.toLowerCase())) this.byLower.set(key.toLowerCase(), key);
  }

  has(name: string): boolean {
    return this.byLower.has(name.toLowerCase());
  }

  raw(name: string): unknown {
    const key = this.byLower.get(name.toLowerCase());
    return key === undefined ? undefined : this.record[key];
  }

  fail(name: string, message: string): never {
    throw new UsageError([{ file: this.file, path: `[${this.index}].${this.byLower.get(name.toLowerCase()) ?? name}`, message }]);
  }

  /** true/false, "True"/"False", 1/0; absent or null → undefined */
  bool(name: string): boolean | undefined {
    const v = this.raw(name);
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number' && (v === 0 || v === 1)) return v === 1;
    if (typeof v === 'string' && /^(true|false|\$true|\$false)$/i.test(v.trim())) return /true/i.test(v);
    return this.fail(name, `expected true or false (found ${JSON.stringify(v)})`);
  }

  /** a string, or an object's text (see textOf); absent, null or blank → undefined */
  text(name: string): string | undefined {
    const v = this.raw(name);
    if (v === undefined || v === null) return undefined;
    const t = textOf(v);
    if (t === undefined) return this.fail(name, `expected a text value (found ${JSON.stringify(v).slice(0, 60)})`);
    return t.trim() === '' ? undefined : t.trim();
  }

  /** an array, a single value, null, {"value": [...]}, or a comma-separated string */
  list(name: string): string[] {
    let v = unwrapArray(this.raw(name));
    if (v === undefined || v === null || v === '') return [];
    if (!Array.isArray(v)) v = typeof v === 'string' ? v.split(',') : [v];
    const out: string[] = [];
    for (const item of v as unknown[]) {
      if (item === null || item === undefined) continue;
      const t = textOf(item);
      if (t === undefined) this.fail(name, `expected a list of text values (found ${JSON.stringify(item).slice(0, 60)})`);
      if (t.trim()) out.push(t.trim());
    }
    return out;
  }

  enumValue<T extends Record<string, number>>(name: string, values: T, what: string): keyof T | undefined {
    const v = this.raw(name);
    if (v === undefined || v === null || v === '') return undefined;
    const names = Object.keys(values) as (keyof T & string)[];
    if (typeof v === 'number' || (typeof v === 'string' && /^\s*\d+\s*$/.test(v))) {
      const n = Number(v);
      const hit = names.find((k) => values[k] === n);
      if (hit) return hit;
    } else if (typeof v === 'string') {
      const hit = names.find((k) => k.toLowerCase() === v.trim().toLowerCase());
      if (hit) return hit;
    } else if (v && typeof v === 'object') {
      // {"Value": 2} or {"value__": 2, "Name": "CertificateValidation"} from deeper serialisations
      const o = v as Record<string, unknown>;
      const inner = o.Name ?? o.name ?? o.Value ?? o.value ?? o.value__;
      if (inner !== undefined && inner !== v) return new Fields({ [name]: inner }, this.file, this.index).enumValue(name, values, what);
    }
    const allowed = names.map((k) => `${k} (${values[k]})`).join(', ');
    return this.fail(name, `${JSON.stringify(v)} is not a ${what} value: expected one of ${allowed}`);
  }
}

/**
 * The text of a value: strings as they are, numbers as digits, and the objects deeper
 * serialisations produce for domains and hosts ({"Domain": "contoso.com", "IncludeSubDomains": true},
 * {"Address": "…"}, {"HostnameString": "…"}, {"SmtpDomain": {"Domain": "…"}}).
 */
export function textOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const get = (k: string) => {
    const key = Object.keys(o).find((x) => x.toLowerCase() === k.toLowerCase());
    return key === undefined ? undefined : o[key];
  };
  for (const k of ['Address', 'HostnameString', 'Domain', 'SmtpDomain', 'DomainName', 'Name']) {
    const inner = get(k);
    if (inner === undefined || inner === null) continue;
    const t = textOf(inner);
    if (t === undefined || t === '') continue;
    if (get('IncludeSubDomains') === true && !t.startsWith('*')) return `*.${t}`;
    return t;
  }
  return undefined;
}

/** "smtp:*;1" → "*", "smtp:contoso.com;1" → "contoso.com", "contoso.com" → "contoso.com"; other address types → null */
export function senderDomainOf(entry: string): string | null {
  let s = entry.trim();
  const type = /^([A-Za-z0-9]+):/.exec(s);
  if (type) {
    if (type[1].toLowerCase() !== 'smtp') return null;
    s = s.slice(type[0].length);
  }
  s = s.replace(/;\s*\d+\s*$/, '').trim();
  return s || null;
}

// ─── Connector settings (src/exo/connector-settings.ts) ─────────────────────────────────────

const ENUM_NUMBERS: Record<string, Record<string, number>> = { ConnectorType: TENANT_CONNECTOR_TYPE };

function readSettingsOf(f: Fields, direction: ConnectorDirection): { settings: Record<string, unknown>; settingNotes: string[] } {
  const settings: Record<string, unknown> = {};
  const settingNotes: string[] = [];
  for (const spec of settingsFor(direction)) {
    if (!f.has(spec.ps)) continue;
    if (spec.kind === 'bool') {
      const v = f.bool(spec.ps);
      if (v !== undefined) settings[spec.key] = v;
    } else if (spec.kind === 'text') {
      const v = f.text(spec.ps);
      if (v !== undefined) settings[spec.key] = v;
    } else if (spec.kind === 'list') {
      settings[spec.key] = f.list(spec.ps).map((d) => (/Domains$/.test(spec.ps) ? (senderDomainOf(d) ?? d) : d));
    } else {
      const numbers = ENUM_NUMBERS[spec.ps];
      if (numbers) {
        const v = f.enumValue(spec.ps, numbers, spec.ps);
        if (v !== undefined) settings[spec.key] = v;
        continue;
      }
      // SmtpDaneMode and MtaStsMode are strings in the cmdlet reference; their integer values are
      // not published, so a number is reported rather than guessed.
      const raw = f.raw(spec.ps);
      if (raw === null || raw === undefined || raw === '') continue;
      const text = typeof raw === 'string' ? raw.trim() : undefined;
      const hit = text === undefined ? undefined : spec.kind.enum.find((e) => e.toLowerCase() === text.toLowerCase());
      if (hit) settings[spec.key] = hit;
      else settingNotes.push(`${spec.ps} ${JSON.stringify(raw).slice(0, 40)} is not one of ${spec.kind.enum.join(', ')}; left out (export it with ConvertTo-Json -EnumsAsStrings in PowerShell 7).`);
    }
  }
  return { settings, settingNotes };
}

// ─── The three exports ───────────────────────────────────────────────────────────────────────

const INBOUND_MARKERS = ['SenderDomains', 'SenderIPAddresses', 'TlsSenderCertificateName', 'RequireTls', 'RestrictDomainsToCertificate', 'RestrictDomainsToIPAddresses'];
const OUTBOUND_MARKERS = ['SmartHosts', 'UseMXRecord', 'TlsSettings', 'TlsDomain', 'RecipientDomains', 'AllAcceptedDomains', 'IsTransportRuleScoped'];
const ACCEPTED_MARKERS = ['DomainName'];

function kindOf(f: Fields): 'inbound' | 'outbound' | 'accepted' | null {
  if (ACCEPTED_MARKERS.some((m) => f.has(m)) && !f.has('SmartHosts') && !f.has('SenderDomains')) return 'accepted';
  if (OUTBOUND_MARKERS.some((m) => f.has(m))) return 'outbound';
  if (INBOUND_MARKERS.some((m) => f.has(m))) return 'inbound';
  return null;
}

const CMDLET = { inbound: 'Get-InboundConnector', outbound: 'Get-OutboundConnector', accepted: 'Get-AcceptedDomain' } as const;

function expectKind(f: Fields, want: 'inbound' | 'outbound' | 'accepted'): void {
  const kind = kindOf(f);
  if (kind === want) return;
  const found = kind ? `it looks like ${CMDLET[kind]} output` : `it has none of the properties of ${CMDLET[want]} output (${(want === 'inbound' ? INBOUND_MARKERS : want === 'outbound' ? OUTBOUND_MARKERS : ACCEPTED_MARKERS).slice(0, 3).join(', ')}, …)`;
  throw new UsageError([{ file: f.file, path: `[${f.index}]`, message: `not a ${CMDLET[want]} export: ${found}; export it with: ${EXPORT_HINTS[want]}` }]);
}

function nameOf(f: Fields): string {
  const name = f.text('Name') ?? f.text('Identity')?.split(/[\\/]/).pop();
  if (!name) return f.fail('Name', 'the connector has no Name');
  return name;
}

export function parseInboundExport(exp: ExportFile): InboundConnectorExport[] {
  return exp.records.map((record, index) => {
    const f = new Fields(record, exp.file, index);
    expectKind(f, 'inbound');
    const senderDomains: string[] = [];
    for (const entry of f.list('SenderDomains')) {
      const d = senderDomainOf(entry);
      if (d && !senderDomains.includes(d)) senderDomains.push(d);
    }
    return {
      index,
      name: nameOf(f),
      enabled: f.bool('Enabled'),
      connectorType: f.enumValue('ConnectorType', TENANT_CONNECTOR_TYPE, 'ConnectorType (TenantConnectorType)'),
      senderDomains,
      senderIPAddresses: f.list('SenderIPAddresses'),
      requireTls: f.bool('RequireTls'),
      tlsSenderCertificateName: f.text('TlsSenderCertificateName'),
      restrictDomainsToCertificate: f.bool('RestrictDomainsToCertificate'),
      restrictDomainsToIPAddresses: f.bool('RestrictDomainsToIPAddresses'),
      treatMessagesAsInternal: f.bool('TreatMessagesAsInternal'),
      comment: f.text('Comment'),
      ...readSettingsOf(f, 'to-office365'),
    };
  });
}

export function parseOutboundExport(exp: ExportFile): OutboundConnectorExport[] {
  return exp.records.map((record, index) => {
    const f = new Fields(record, exp.file, index);
    expectKind(f, 'outbound');
    return {
      index,
      name: nameOf(f),
      enabled: f.bool('Enabled'),
      connectorType: f.enumValue('ConnectorType', TENANT_CONNECTOR_TYPE, 'ConnectorType (TenantConnectorType)'),
      useMxRecord: f.bool('UseMXRecord'),
      smartHosts: f.list('SmartHosts'),
      tlsSettings: f.enumValue('TlsSettings', TLS_AUTH_LEVEL, 'TlsSettings (TlsAuthLevel)') ?? null,
      tlsDomain: f.text('TlsDomain'),
      recipientDomains: f.list('RecipientDomains').map((d) => senderDomainOf(d) ?? d),
      allAcceptedDomains: f.bool('AllAcceptedDomains'),
      isTransportRuleScoped: f.bool('IsTransportRuleScoped'),
      validationRecipients: f.list('ValidationRecipients'),
      comment: f.text('Comment'),
      scopeExported: ['RecipientDomains', 'AllAcceptedDomains', 'IsTransportRuleScoped'].some((p) => f.has(p)),
      ...readSettingsOf(f, 'from-office365'),
    };
  });
}

export function parseAcceptedDomainsExport(exp: ExportFile): AcceptedDomainExport[] {
  return exp.records.map((record, index) => {
    const f = new Fields(record, exp.file, index);
    expectKind(f, 'accepted');
    const domainName = f.text('DomainName');
    if (!domainName) return f.fail('DomainName', 'the accepted domain has no DomainName');
    const type = f.raw('DomainType'); // AcceptedDomainType: Authoritative 0, ExternalRelay 1, InternalRelay 2 (same source)
    return {
      index,
      domainName: domainName.toLowerCase(),
      isDefault: f.bool('Default'),
      domainType: typeof type === 'string' ? type : typeof type === 'number' ? (['Authoritative', 'ExternalRelay', 'InternalRelay'][type] ?? String(type)) : undefined,
      initialDomain: f.bool('InitialDomain'),
    };
  });
}
