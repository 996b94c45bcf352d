// Issue 7's must-show: importing the fixture exports yields a plan that validates, and the
// PowerShell `relaycheck powershell` prints for it recreates the same connector settings.
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

const FIX = fileURLToPath(new URL('../../fixtures/exchange/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'relaycheck-roundtrip-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// The expected values come from the PowerShell 7 export, read here with nothing but JSON.parse and
// the two normalisations the reference names: `smtp:*;1` → `*`, and an empty list = not set.
type Raw = Record<string, any>;
const raw = (name: string): Raw[] => JSON.parse(readFileSync(join(FIX, name), 'utf8'));
const inboundRaw = raw('inbound-connectors.json');
const outboundRaw = raw('outbound-connectors.json');
const stripSmtp = (d: string) => d.replace(/^smtp:/i, '').replace(/;\d+$/, '');
const list = (v: PsValue | undefined): string[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? (v as string[]) : [v as string]);
const orUndefined = <T>(v: T[] | null | undefined): T[] | undefined => (v && v.length ? v : undefined);

function byName(commands: PsCommand[], cmdlet: string, name: string): PsCommand {
  const hit = commands.filter((c) => c.cmdlet === cmdlet && c.params.Name === name);
  expect(hit, `${cmdlet} for ${name}`).toHaveLength(1);
  return hit[0];
}

function expectInboundRoundTrip(commands: PsCommand[], names: string[]) {
  for (const c of inboundRaw.filter((x) => names.includes(x.Name))) {
    const p = byName(commands, 'New-InboundConnector', c.Name).params;
    expect(p.ConnectorType).toBe(c.ConnectorType);
    expect(list(p.SenderDomains)).toEqual(c.SenderDomains.map(stripSmtp));
    expect(p.RequireTls).toBe(c.RequireTls);
    expect(p.TlsSenderCertificateName).toBe(c.TlsSenderCertificateName ?? undefined);
    expect(list(p.SenderIPAddresses)).toEqual(orUndefined(c.SenderIPAddresses));
    if (c.ConnectorType === 'Partner') expect(p.RestrictDomainsToCertificate).toBe(c.RestrictDomainsToCertificate);
  }
}

function expectOutboundRoundTrip(commands: PsCommand[], names: string[], expected: Raw[] = outboundRaw) {
  for (const c of expected.filter((x) => names.includes(x.Name))) {
    const p = byName(commands, 'New-OutboundConnector', c.Name).params;
    expect(p.ConnectorType).toBe(c.ConnectorType);
    expect(p.UseMXRecord).toBe(c.UseMXRecord);
    expect(list(p.SmartHosts)).toEqual(c.SmartHosts);
    expect(p.TlsSettings).toBe(c.TlsSettings ?? undefined);
    expect(p.TlsDomain).toBe(c.TlsDomain ?? undefined);
  }
}

function importAndPrint(files: { inbound?: string; outbound?: string; accepted?: string }, planName: string) {
  const out = join(tmp, planName);
  const result = buildImport({ ...files, out });
  writeFileSync(out, result.yaml);
  return { result, script: powershellCommand({ config: out }) };
}

const importable = outboundRaw.filter((c) => !c.UseMXRecord).map((c) => c.Name as string);

// The PowerShell 7 exports, imported once for the tests that read the plan and the splats.
let ps7: ReturnType<typeof importAndPrint> | undefined;
const importPs7 = () => (ps7 ??= importAndPrint({ inbound: join(FIX, 'inbound-connectors.json'), outbound: join(FIX, 'outbound-connectors.json'), accepted: join(FIX, 'accepted-domains.json') }, 'ps7.yaml'));

describe('import → plan → powershell round trip', () => {
  it('an import of the PowerShell 7 exports validates against the schema and loads with the plan loader', () => {
    const { result } = importPs7();
    expect(validatePlanData(parseYaml(result.yaml))).toEqual([]);
    const plan = parsePlan(result.yaml, join(tmp, 'ps7.yaml'), { env: {} });
    expect(plan.connectors.map((c) => c.name)).toEqual([...inboundRaw.map((c) => c.Name), ...importable]);
    expect(plan.domain).toBe('contoso.com');
    expect(plan.acceptedDomains).toEqual(['contoso.onmicrosoft.com', 'contoso.com', 'contoso.de']);
  });

  it('the New-*Connector splats for the imported plan carry the exported settings of every connector and TlsSettings value', () => {
    const { script } = importPs7();
    const commands = parsePowerShell(script);
    expectInboundRoundTrip(commands, inboundRaw.map((c) => c.Name));
    expectOutboundRoundTrip(commands, importable);
    // every TlsSettings value the reference lists is covered by the fixtures
    expect(new Set(outboundRaw.filter((c) => !c.UseMXRecord).map((c) => c.TlsSettings))).toEqual(new Set([null, 'EncryptionOnly', 'CertificateValidation', 'DomainValidation']));
    // the connector that delivers by MX is not recreated as a smart-host connector
    expect(commands.some((c) => c.params.Name === 'Partner Fabrikam (forced TLS via MX)')).toBe(false);
  });

  it('the Windows PowerShell 5.1 exports (integers, BOMs, UTF-16, wrapped lists) round-trip to the same settings', () => {
    const { result, script } = importAndPrint(
      { inbound: join(FIX, 'windows-powershell/inbound-connectors.json'), outbound: join(FIX, 'windows-powershell/outbound-connectors.json'), accepted: join(FIX, 'windows-powershell/accepted-domains.json') },
      'ps51.yaml',
    );
    expect(validatePlanData(parseYaml(result.yaml))).toEqual([]);
    const commands = parsePowerShell(script);
    expectInboundRoundTrip(commands, inboundRaw.map((c) => c.Name));
    expectOutboundRoundTrip(commands, importable);
  });

  it('single-object exports round-trip to the same settings as the array exports', () => {
    const { result, script } = importAndPrint({ inbound: join(FIX, 'inbound-connector.single.json'), outbound: join(FIX, 'outbound-connector.single.json') }, 'single.yaml');
    expect(validatePlanData(parseYaml(result.yaml))).toEqual([]);
    const commands = parsePowerShell(script);
    expectInboundRoundTrip(commands, ['Office 365 SMTP relay TLS']);
    // the single-object export names one smart host, as a plain string
    const expected = [{ ...outboundRaw.find((c) => c.Name === 'Office 365 SMTP relay TLS 2'), SmartHosts: ['mail.contoso.com'] }];
    expectOutboundRoundTrip(commands, ['Office 365 SMTP relay TLS 2'], expected);
  });
});
