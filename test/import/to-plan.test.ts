import { parse as parseYaml, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { AcceptedDomainExport, InboundConnectorExport, OutboundConnectorExport } from '../../src/import/exports.js';
import { importPlan, legacyMxHost } from '../../src/import/to-plan.js';
import { renderPlan } from '../../src/import/plan-writer.js';
import { parsePlan } from '../../src/plan/load.js';
import { validatePlanData } from '../../src/plan/schema.js';

const inbound = (c: Partial<InboundConnectorExport> & { name: string }): InboundConnectorExport => ({ index: 0, senderDomains: ['*'], senderIPAddresses: [], ...c });
const outbound = (c: Partial<OutboundConnectorExport> & { name: string }): OutboundConnectorExport => ({
  index: 0,
  smartHosts: ['mail.contoso.com'],
  tlsSettings: 'CertificateValidation',
  recipientDomains: [],
  validationRecipients: [],
  useMxRecord: false,
  ...c,
});
const accepted = (domainName: string, isDefault = false): AcceptedDomainExport => ({ index: 0, domainName, isDefault });

function load(yaml: string) {
  expect(validatePlanData(parseYaml(yaml))).toEqual([]);
  return parsePlan(yaml, 'relaycheck.yaml', { env: {} });
}

describe('outbound connectors: TlsSettings → tls', () => {
  it.each([
    ['EncryptionOnly', { mode: 'any' }],
    ['CertificateValidation', { mode: 'trusted-ca' }],
    ['DomainValidation', { mode: 'domain', domain: 'mail.contoso.com' }],
  ] as const)('maps %s to %j', (tlsSettings, tls) => {
    const r = importPlan({ outbound: { file: 'out.json', connectors: [outbound({ name: 'O', tlsSettings, tlsDomain: 'mail.contoso.com' })] } });
    expect(r.data.connectors![0]).toMatchObject({ direction: 'from-office365', smartHosts: ['mail.contoso.com'], tls });
    expect(load(r.yaml).connectors[0]).toMatchObject({ tls: { mode: tls.mode } });
  });

  it('leaves tls out when TlsSettings is not set, with a comment that Exchange Online then uses opportunistic TLS', () => {
    const r = importPlan({ outbound: { file: 'out.json', connectors: [outbound({ name: 'O', tlsSettings: null })] } });
    expect(r.data.connectors![0]).not.toHaveProperty('tls');
    expect(r.yaml).toMatch(/# No TlsSettings: Exchange Online uses opportunistic TLS .*config\.connector-tls will flag this/);
  });

  it('marks a DomainValidation connector without TlsDomain FILL IN and still writes a valid plan', () => {
    const r = importPlan({ outbound: { file: 'out.json', connectors: [outbound({ name: 'O', tlsSettings: 'DomainValidation', smartHosts: ['192.0.2.10', 'relay.contoso.com'] })] } });
    expect(r.data.connectors![0]).toMatchObject({ tls: { mode: 'domain', domain: 'relay.contoso.com' } });
    expect(r.yaml).toMatch(/domain: relay\.contoso\.com # FILL IN: TlsDomain is not in the export/);
    load(r.yaml);
  });

  it('does not import connectors that deliver by MX record, and says so', () => {
    const r = importPlan({ outbound: { file: 'out.json', connectors: [outbound({ name: 'By MX', useMxRecord: true, smartHosts: [] }), outbound({ name: 'O' })] } });
    expect(r.data.connectors!.map((c) => c.name)).toEqual(['O']);
    expect(r.skipped).toEqual(['outbound connector "By MX": it delivers by MX record (UseMXRecord: true), not to smart hosts of yours']);
    expect(r.yaml).toContain('# Not imported:');
  });

  it('drops CIDR smart hosts, which relaycheck cannot connect to, with a comment', () => {
    const r = importPlan({ outbound: { file: 'out.json', connectors: [outbound({ name: 'O', smartHosts: ['192.0.2.0/28', 'mail.contoso.com'] })] } });
    expect(r.data.connectors![0]).toMatchObject({ smartHosts: ['mail.contoso.com'] });
    expect(r.yaml).toMatch(/smartHosts: \[mail\.contoso\.com\] # not copied .*192\.0\.2\.0\/28/);
  });

  it('copies the connector\'s ValidationRecipients as the validation recipients', () => {
    const r = importPlan({ outbound: { file: 'out.json', connectors: [outbound({ name: 'O', validationRecipients: ['admin@contoso.com', 'not an address'] })] } });
    expect(r.data.connectors![0]).toMatchObject({ validation: { to: ['admin@contoso.com'] } });
  });
});

describe('inbound connectors', () => {
  const r = importPlan({
    inbound: {
      file: 'in.json',
      connectors: [
        inbound({ name: 'Cert', connectorType: 'OnPremises', requireTls: true, tlsSenderCertificateName: '*.contoso.com' }),
        inbound({ name: 'IP', connectorType: 'OnPremises', requireTls: false, senderIPAddresses: ['198.51.100.25', '203.0.113.0/28'], senderDomains: ['contoso.com'] }),
        inbound({ name: 'Off', connectorType: 'OnPremises', requireTls: true, tlsSenderCertificateName: 'old.contoso.com', enabled: false }),
        inbound({ name: 'Bare', tlsSenderCertificateName: 'relay.contoso.com' }),
      ],
    },
    accepted: { file: 'd.json', domains: [accepted('contoso.onmicrosoft.com'), accepted('contoso.com', true)] },
  });
  const plan = load(r.yaml);

  it('maps certificate- and IP-based connectors to to-office365 entries with their settings', () => {
    expect(plan.connectors[0]).toMatchObject({ direction: 'to-office365', connectorType: 'OnPremises', requireTls: true, tlsSenderCertificateName: '*.contoso.com', senderDomains: ['*'], senderIPs: [] });
    expect(plan.connectors[1]).toMatchObject({ requireTls: false, senderIPs: ['198.51.100.25', '203.0.113.0/28'], senderDomains: ['contoso.com'] });
  });

  it('points every inbound connector at the classic MX host of the default domain, marked as a placeholder to replace', () => {
    expect(plan.connectors.map((c) => (c.direction === 'to-office365' ? c.endpoint.host : ''))).toEqual(Array(4).fill('contoso-com.mail.protection.outlook.com'));
    expect(r.yaml).toMatch(/# FILL IN: your tenant MX host[\s\S]*mx\.microsoft[\s\S]*endpoint: contoso-com\.mail\.protection\.outlook\.com/);
    expect(legacyMxHost('contoso.co.uk')).toBe('contoso-co-uk.mail.protection.outlook.com');
  });

  it('keeps a disabled connector, with a comment that it is disabled', () => {
    expect(plan.connectors.map((c) => c.name)).toContain('Off');
    expect(r.yaml).toMatch(/# Enabled: false in Exchange Online[^\n]*\n\s+- name: Off/);
  });

  it('writes nothing for RequireTls and ConnectorType the export did not carry, and says what relaycheck assumes', () => {
    expect(r.data.connectors![3]).not.toHaveProperty('requireTls');
    expect(r.data.connectors![3]).not.toHaveProperty('connectorType');
    expect(r.yaml).toContain('# RequireTls is not in the export: relaycheck assumes true');
  });

  it('offers the client certificate and validation recipients as commented FILL IN blocks, with the key as a reference', () => {
    expect(r.yaml).toMatch(/# clientCertificate:\n\s+#   cert: \.\/pki\/relay\.pem.*\n\s+#   key: \{ file: \.\/pki\/relay\.key \}.*\{ env: RELAY_KEY \}/);
    expect(r.yaml).toMatch(/# validation:\n\s+#   from: relay@contoso\.com.*\n\s+#   to: \[postmaster@contoso\.com\]/);
    expect(r.yaml).toMatch(/#     oauth2:\n#       tenantId: "FILL IN: tenant id[^\n]*\n#       clientId: "FILL IN: application \(client\) id[^\n]*\n#       certificate: \{ cert: \.\/FILL-IN-app-cert\.pem, key: \{ file: \.\/FILL-IN-app-key\.pem \} \}   # or clientSecret: \{ env: SCANNER_CLIENT_SECRET \}/);
  });

  it('takes the default accepted domain as the plan domain and all accepted domains as acceptedDomains', () => {
    expect(plan.domain).toBe('contoso.com');
    expect(plan.acceptedDomains).toEqual(['contoso.onmicrosoft.com', 'contoso.com']);
  });
});

describe('the plan domain without an accepted-domain export', () => {
  it('derives it from a certificate name and marks it FILL IN', () => {
    const r = importPlan({ inbound: { file: 'in.json', connectors: [inbound({ name: 'A', tlsSenderCertificateName: '*.fabrikam.com' })] } });
    expect(r.data.domain).toBe('fabrikam.com');
    expect(r.yaml).toMatch(/domain: fabrikam\.com # FILL IN: derived from TlsSenderCertificateName of "A"/);
    expect(r.fillIn.join('\n')).toMatch(/--accepted/);
  });

  it('uses the first accepted domain when none is the default', () => {
    const r = importPlan({ inbound: { file: 'in.json', connectors: [inbound({ name: 'A', tlsSenderCertificateName: '*.fabrikam.com' })] }, accepted: { file: 'd.json', domains: [accepted('contoso.de'), accepted('contoso.com')] } });
    expect(r.data.domain).toBe('contoso.de');
  });
});

describe('names', () => {
  it('gives an inbound and an outbound connector of the same name distinct plan names, and says why', () => {
    const r = importPlan({ inbound: { file: 'in.json', connectors: [inbound({ name: 'Relay', tlsSenderCertificateName: '*.contoso.com' })] }, outbound: { file: 'out.json', connectors: [outbound({ name: 'relay' })] } });
    expect(r.data.connectors!.map((c) => c.name)).toEqual(['Relay (inbound)', 'relay (outbound)']);
    expect(r.yaml).toContain('# Renamed: an outbound connector is also called "Relay"');
    load(r.yaml);
  });

  it('keeps a name with quotes, colons and a hash intact through YAML', () => {
    const name = `Relay: "main" #1 'TLS'`;
    const r = importPlan({ inbound: { file: 'in.json', connectors: [inbound({ name, tlsSenderCertificateName: '*.contoso.com' })] } });
    expect(load(r.yaml).connectors[0].name).toBe(name);
  });

  it('cannot be turned into YAML structure by a line break in a connector name or comment', () => {
    const name = 'Evil\nversion: 2\n# x';
    const r = importPlan({ inbound: { file: 'in.json\nconnectors: []', connectors: [inbound({ name, tlsSenderCertificateName: '*.contoso.com' })] } });
    const plan = load(r.yaml);
    expect(plan.version).toBe(1);
    expect(plan.connectors[0].name).toBe(name);
  });
});

describe('renderPlan', () => {
  it('writes comments before keys, after values and at the end of a mapping, and the YAML reads back to the same data', () => {
    const data = { version: 1 as const, domain: 'contoso.com', connectors: [{ name: 'A', direction: 'from-office365' as const, smartHosts: ['mail.contoso.com'] }] };
    const yaml = renderPlan(data, {
      comments: [
        { path: [], before: 'header' },
        { path: ['domain'], after: 'the domain' },
        { path: ['connectors', 0], before: 'first', end: 'validation:\n  to: [a@contoso.com]' },
        { path: ['connectors', 0, 'smartHosts'], before: 'hosts' },
      ],
    });
    expect(yaml).toBe(
      ['# header', '', 'version: 1', 'domain: contoso.com # the domain', 'connectors:', '  # first', '  - name: A', '    direction: from-office365', '    # hosts', '    smartHosts: [mail.contoso.com]', '    # validation:', '    #   to: [a@contoso.com]', ''].join('\n'),
    );
    expect(parseDocument(yaml).toJS()).toEqual(data);
  });
});
