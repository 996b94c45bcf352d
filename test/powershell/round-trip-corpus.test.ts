// Issue 14 item 5: every connector property `relaycheck powershell` can set survives
// `import` → plan → `powershell`. The corpus (fixtures/exports/) holds one tenant as PowerShell 7
// writes it (enum names, UTF-8), as Windows PowerShell 5.1 writes it (enum numbers, UTF-16 LE and
// UTF-8 BOMs, {"value": […], "Count": n}, CRLF, \u0027) and as single objects. The expected values
// are read from the raw files here with nothing but a BOM check, JSON.parse and the enum numbers of
// Microsoft.Exchange.Data, and compared with the New-*Connector parameters by their effect: a
// parameter left out counts as the cmdlet's default.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { buildImport } from '../../src/commands/import.js';
import { powershellCommand } from '../../src/commands/powershell.js';
import { parsePlan } from '../../src/plan/load.js';
import { validatePlanData } from '../../src/plan/schema.js';
import { parsePowerShell, type PsCommand, type PsValue } from '../../src/powershell/parse.js';

const CORPUS = fileURLToPath(new URL('../../fixtures/exports/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'relaycheck-corpus-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Raw = Record<string, any>;

function rawRecords(file: string): Raw[] {
  const bytes = readFileSync(join(CORPUS, file));
  const text =
    bytes[0] === 0xff && bytes[1] === 0xfe ? new TextDecoder('utf-16le').decode(bytes.subarray(2)) : bytes[0] === 0xef ? new TextDecoder('utf-8').decode(bytes.subarray(3)) : bytes.toString('utf8');
  const data = JSON.parse(text);
  const list = Array.isArray(data) ? data : Array.isArray(data.value) ? data.value : [data];
  return list;
}

// Microsoft.Exchange.Data: TenantConnectorType OnPremises 1, Partner 2; TlsAuthLevel 1, 2, 4.
const CONNECTOR_TYPE: Record<string, string> = { 1: 'OnPremises', 2: 'Partner' };
const TLS_SETTINGS: Record<string, string> = { 1: 'EncryptionOnly', 2: 'CertificateValidation', 4: 'DomainValidation' };
const enumName = (v: unknown, table: Record<string, string>) => (typeof v === 'number' ? table[v] : v);
const asList = (v: unknown): string[] => (v === null || v === undefined ? [] : Array.isArray(v) ? v : Array.isArray((v as Raw).value) ? (v as Raw).value : [v as string]);
const stripSmtp = (d: string) => d.replace(/^smtp:/i, '').replace(/;\d+$/, '');

/** IPv4 addresses, CIDR blocks and a-b ranges as the sorted, merged list of [first, last] address numbers they cover. */
function addressSpans(entries: string[]): string {
  const n = (ip: string) => ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const spans = entries.map((e): [number, number] => {
    if (e.includes('-')) {
      const [a, b] = e.split('-').map((x) => x.trim());
      return [n(a), n(b)];
    }
    const [ip, bits = '32'] = e.split('/');
    const size = 2 ** (32 - Number(bits));
    const start = Math.floor(n(ip) / size) * size;
    return [start, start + size - 1];
  });
  spans.sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s[0] <= last[1] + 1) last[1] = Math.max(last[1], s[1]);
    else merged.push([...s]);
  }
  return JSON.stringify(merged);
}

/** What New-InboundConnector / New-OutboundConnector set for a parameter that is not given. */
const INBOUND_DEFAULTS: Raw = {
  Enabled: true, Comment: '', SenderIPAddresses: addressSpans([]), TlsSenderCertificateName: null, RestrictDomainsToCertificate: false, RestrictDomainsToIPAddresses: false,
  TreatMessagesAsInternal: false, CloudServicesMailEnabled: false, TrustedOrganizations: [], AssociatedAcceptedDomains: [],
};
const OUTBOUND_DEFAULTS: Raw = {
  Enabled: true, Comment: '', TlsSettings: null, TlsDomain: null, RecipientDomains: [], AllAcceptedDomains: false, IsTransportRuleScoped: false,
  RouteAllMessagesViaOnPremises: false, CloudServicesMailEnabled: false, SenderRewritingEnabled: false, TestMode: false, SmtpDaneMode: 'Opportunistic', MtaStsMode: 'Opportunistic',
};

function expectedInbound(c: Raw): Raw {
  return {
    Name: c.Name,
    ConnectorType: enumName(c.ConnectorType, CONNECTOR_TYPE),
    SenderDomains: asList(c.SenderDomains).map(stripSmtp),
    RequireTls: c.RequireTls,
    TlsSenderCertificateName: c.TlsSenderCertificateName,
    SenderIPAddresses: addressSpans(asList(c.SenderIPAddresses)),
    RestrictDomainsToCertificate: c.RestrictDomainsToCertificate,
    RestrictDomainsToIPAddresses: c.RestrictDomainsToIPAddresses,
    TreatMessagesAsInternal: c.TreatMessagesAsInternal,
    CloudServicesMailEnabled: c.CloudServicesMailEnabled,
    TrustedOrganizations: asList(c.TrustedOrganizations),
    AssociatedAcceptedDomains: asList(c.AssociatedAcceptedDomains),
    Enabled: c.Enabled,
    Comment: c.Comment ?? '',
  };
}

function expectedOutbound(c: Raw): Raw {
  const tls = enumName(c.TlsSettings, TLS_SETTINGS);
  return {
    Name: c.Name,
    ConnectorType: enumName(c.ConnectorType, CONNECTOR_TYPE),
    UseMXRecord: c.UseMXRecord,
    SmartHosts: asList(c.SmartHosts),
    TlsSettings: tls,
    TlsDomain: tls === 'DomainValidation' ? c.TlsDomain : null,
    RecipientDomains: asList(c.RecipientDomains),
    AllAcceptedDomains: c.AllAcceptedDomains,
    IsTransportRuleScoped: c.IsTransportRuleScoped,
    RouteAllMessagesViaOnPremises: c.RouteAllMessagesViaOnPremises,
    CloudServicesMailEnabled: c.CloudServicesMailEnabled,
    SenderRewritingEnabled: c.SenderRewritingEnabled,
    TestMode: c.TestMode,
    SmtpDaneMode: c.SmtpDaneMode,
    MtaStsMode: c.MtaStsMode,
    Enabled: c.Enabled,
    Comment: c.Comment ?? '',
  };
}

/** The parameters' effect: given values (one-element lists as lists), else the cmdlet default. */
function effective(cmd: PsCommand, expected: Raw, defaults: Raw): Raw {
  const out: Raw = {};
  for (const key of Object.keys(expected)) {
    const v: PsValue | undefined = cmd.params[key];
    if (v === undefined) out[key] = defaults[key];
    else if (key === 'SenderIPAddresses') out[key] = addressSpans(Array.isArray(v) ? (v as string[]) : [v as string]);
    else out[key] = Array.isArray(expected[key]) && !Array.isArray(v) ? [v] : v;
  }
  return out;
}

function importAndPrint(files: { inbound?: string; outbound?: string; accepted?: string }, planName: string) {
  const out = join(tmp, planName);
  const abs = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, join(CORPUS, v)]));
  const result = buildImport({ ...abs, out });
  writeFileSync(out, result.yaml);
  return { result, out, commands: parsePowerShell(powershellCommand({ config: out })) };
}

function byName(commands: PsCommand[], cmdlet: string, name: string): PsCommand {
  const hit = commands.filter((c) => c.cmdlet === cmdlet && c.params.Name === name);
  expect(hit, `${cmdlet} for ${name}`).toHaveLength(1);
  return hit[0];
}

function expectRoundTrip(commands: PsCommand[], inbound: Raw[], outbound: Raw[]) {
  for (const c of inbound) {
    const want = expectedInbound(c);
    const cmd = byName(commands, 'New-InboundConnector', c.Name);
    expect(effective(cmd, want, INBOUND_DEFAULTS), c.Name).toEqual(want);
    // nothing is written that the export does not hold
    for (const key of Object.keys(cmd.params)) expect(Object.keys(want), `${c.Name}: ${key}`).toContain(key);
  }
  for (const c of outbound.filter((x) => !x.UseMXRecord)) {
    const want = expectedOutbound(c);
    const cmd = byName(commands, 'New-OutboundConnector', c.Name);
    expect(effective(cmd, want, OUTBOUND_DEFAULTS), c.Name).toEqual(want);
    for (const key of Object.keys(cmd.params)) expect(Object.keys(want), `${c.Name}: ${key}`).toContain(key);
  }
  // a connector that delivers by MX has no smart host of the org to test: not recreated
  for (const c of outbound.filter((x) => x.UseMXRecord)) expect(commands.some((x) => x.params.Name === c.Name)).toBe(false);
}

const CORPORA = [
  { label: 'PowerShell 7 (enum names, UTF-8)', inbound: 'ps7/inbound.json', outbound: 'ps7/outbound.json', accepted: 'ps7/accepted-domains.json' },
  { label: 'Windows PowerShell 5.1 (enum numbers, UTF-16 LE, {value, Count}, CRLF)', inbound: 'ps51/inbound.json', outbound: 'ps51/outbound.json' },
  { label: 'single objects (PowerShell 7 without -EnumsAsStrings)', inbound: 'single/inbound.json', outbound: 'single/outbound.json' },
];

describe('import → plan → powershell round trip over the export corpus', () => {
  for (const corpus of CORPORA) {
    it(`recreates every exported connector setting from the ${corpus.label} exports`, () => {
      const { result, out, commands } = importAndPrint({ inbound: corpus.inbound, outbound: corpus.outbound, ...(corpus.accepted ? { accepted: corpus.accepted } : {}) }, `${corpus.inbound.split('/')[0]}.yaml`);
      expect(validatePlanData(parseYaml(result.yaml))).toEqual([]);
      expect(parsePlan(readFileSync(out, 'utf8'), out, { env: {} }).connectors.length).toBeGreaterThan(0);
      expectRoundTrip(commands, rawRecords(corpus.inbound), rawRecords(corpus.outbound));
    });
  }

  it('the corpus covers what the round trip must carry: disabled and Partner connectors in both directions, every DANE and MTA-STS mode, every scope', () => {
    const inbound = rawRecords('ps7/inbound.json');
    const outbound = rawRecords('ps7/outbound.json').filter((c) => !c.UseMXRecord);
    expect(inbound.some((c) => c.Enabled === false && c.ConnectorType === 'Partner')).toBe(true);
    expect(outbound.some((c) => c.Enabled === false && c.ConnectorType === 'Partner')).toBe(true);
    expect(new Set(outbound.map((c) => c.SmtpDaneMode))).toEqual(new Set(['Opportunistic', 'Mandatory', 'None']));
    expect(new Set(outbound.map((c) => c.MtaStsMode))).toEqual(new Set(['Opportunistic', 'None']));
    expect(outbound.some((c) => c.RecipientDomains.length > 0)).toBe(true);
    expect(outbound.some((c) => c.AllAcceptedDomains)).toBe(true);
    expect(outbound.some((c) => c.IsTransportRuleScoped)).toBe(true);
    for (const key of ['CloudServicesMailEnabled', 'RouteAllMessagesViaOnPremises', 'SenderRewritingEnabled', 'TestMode']) expect(outbound.some((c) => c[key] === true), key).toBe(true);
    for (const key of ['TreatMessagesAsInternal', 'CloudServicesMailEnabled', 'RestrictDomainsToCertificate', 'RestrictDomainsToIPAddresses']) expect(inbound.some((c) => c[key] === true), key).toBe(true);
    // sender IPs as a single address, CIDR blocks and an IPv4 range
    expect(inbound.flatMap((c) => c.SenderIPAddresses).some((ip: string) => ip.includes('-'))).toBe(true);
  });

  it('imports disabled connectors as enabled: false and the Windows PowerShell 5.1 export to the same plan as the PowerShell 7 one', () => {
    const ps7 = importAndPrint({ inbound: 'ps7/inbound.json', outbound: 'ps7/outbound.json' }, 'same-7.yaml');
    const ps51 = importAndPrint({ inbound: 'ps51/inbound.json', outbound: 'ps51/outbound.json' }, 'same-51.yaml');
    expect(ps51.result.data.connectors).toEqual(ps7.result.data.connectors);
    const disabled = ps7.result.data.connectors!.filter((c) => c.enabled === false).map((c) => c.name);
    expect(disabled).toEqual(['Tailspin payroll (partner, IP)', 'To Tailspin (partner, DANE required)']);
    expect(ps7.result.yaml).toContain('relaycheck reports its checks as skipped');
    const plan = parsePlan(readFileSync(ps7.out, 'utf8'), ps7.out, { env: {} });
    const tailspin = plan.connectors.find((c) => c.name === 'To Tailspin (partner, DANE required)');
    expect(tailspin).toMatchObject({ enabled: false, connectorType: 'Partner', smtpDaneMode: 'Mandatory', mtaStsMode: 'None', recipientDomains: ['tailspintoys.com'] });
  });
});
