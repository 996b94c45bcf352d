import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { parseAcceptedDomainsExport, parseInboundExport, parseOutboundExport, senderDomainOf, textOf } from '../../src/import/exports.js';

const inbound = (records: Record<string, unknown>[]) => parseInboundExport({ file: 'in.json', records });
const outbound = (records: Record<string, unknown>[]) => parseOutboundExport({ file: 'out.json', records });

describe('Get-OutboundConnector TlsSettings', () => {
  it.each([
    ['EncryptionOnly', 'EncryptionOnly'],
    ['CertificateValidation', 'CertificateValidation'],
    ['DomainValidation', 'DomainValidation'],
    ['domainvalidation', 'DomainValidation'],
    [1, 'EncryptionOnly'],
    [2, 'CertificateValidation'],
    [4, 'DomainValidation'],
    ['4', 'DomainValidation'],
    [{ value__: 2, Name: 'CertificateValidation' }, 'CertificateValidation'],
    [null, null],
    ['', null],
    [undefined, null],
  ])('reads %j as %s', (value, expected) => {
    const record: Record<string, unknown> = { Name: 'X', SmartHosts: ['mail.contoso.com'] };
    if (value !== undefined) record.TlsSettings = value;
    expect(outbound([record])[0].tlsSettings).toBe(expected);
  });

  it('rejects an integer that is no TlsAuthLevel, naming the file, the connector and the values it knows', () => {
    expect(() => outbound([{ Name: 'X', SmartHosts: [], TlsSettings: 3 }])).toThrow(/out\.json: \[0\]\.TlsSettings: 3 is not a TlsSettings \(TlsAuthLevel\) value: expected one of EncryptionOnly \(1\), CertificateValidation \(2\), DomainValidation \(4\)/);
  });
});

describe('ConnectorType', () => {
  it.each([
    ['OnPremises', 'OnPremises'],
    ['Partner', 'Partner'],
    [1, 'OnPremises'],
    [2, 'Partner'],
  ])('reads %j as %s', (value, expected) => {
    expect(inbound([{ Name: 'X', SenderDomains: ['smtp:*;1'], ConnectorType: value }])[0].connectorType).toBe(expected);
  });
});

describe('inbound connector fields', () => {
  it('strips smtp: and ;cost from sender domains and drops other address types', () => {
    const [c] = inbound([{ Name: 'X', SenderDomains: ['smtp:*;1', 'SMTP:contoso.com;1', 'smtp:*.contoso.de; 2', 'fabrikam.com', 'x400:c=DE;a= ;p=Contoso;1', 'smtp:contoso.com;1'] }]);
    expect(c.senderDomains).toEqual(['*', 'contoso.com', '*.contoso.de', 'fabrikam.com']);
    expect(senderDomainOf('smtp:*;1')).toBe('*');
  });

  it('keeps an absent RequireTls absent instead of reading it as false', () => {
    const [absent, off, on] = inbound([
      { Name: 'A', SenderDomains: '*' },
      { Name: 'B', SenderDomains: '*', RequireTls: false },
      { Name: 'C', SenderDomains: '*', RequireTLS: 'True' },
    ]);
    expect(absent.requireTls).toBeUndefined();
    expect(off.requireTls).toBe(false);
    expect(on.requireTls).toBe(true);
  });

  it('reads lists given as null, a single value, a comma-separated string or a wrapped array', () => {
    const [a, b, c, d] = inbound([
      { Name: 'A', SenderIPAddresses: null, SenderDomains: null },
      { Name: 'B', SenderIPAddresses: '198.51.100.25', SenderDomains: 'smtp:*;1' },
      { Name: 'C', SenderIPAddresses: '198.51.100.25, 203.0.113.0/28', SenderDomains: '*' },
      { Name: 'D', SenderIPAddresses: { value: ['198.51.100.25'], Count: 1 }, SenderDomains: ['*'] },
    ]);
    expect(a.senderIPAddresses).toEqual([]);
    expect(a.senderDomains).toEqual([]);
    expect(b.senderIPAddresses).toEqual(['198.51.100.25']);
    expect(c.senderIPAddresses).toEqual(['198.51.100.25', '203.0.113.0/28']);
    expect(d.senderIPAddresses).toEqual(['198.51.100.25']);
  });

  it('ignores extra properties and reads property names in any case', () => {
    const [c] = inbound([{ name: 'A', senderdomains: ['smtp:*;1'], TLSSENDERCERTIFICATENAME: '*.contoso.com', PSComputerName: 'outlook.office365.com', RunspaceId: 'x', ObjectState: 'Unchanged' }]);
    expect(c).toMatchObject({ name: 'A', senderDomains: ['*'], tlsSenderCertificateName: '*.contoso.com' });
  });

  it('falls back to the last part of Identity when Name is missing', () => {
    expect(inbound([{ Identity: 'contoso.onmicrosoft.com\\Relay A', SenderDomains: '*' }])[0].name).toBe('Relay A');
  });

  it('rejects a boolean field holding something else', () => {
    expect(() => inbound([{ Name: 'A', SenderDomains: '*', RequireTls: 'maybe' }])).toThrow(/in\.json: \[0\]\.RequireTls: expected true or false/);
  });
});

describe('recognising the export', () => {
  it('rejects an outbound export given as --inbound, and says what it looks like', () => {
    const err = (() => {
      try {
        inbound([{ Name: 'X', SmartHosts: ['mail.contoso.com'], TlsSettings: 'DomainValidation' }]);
      } catch (e) {
        return e as UsageError;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect(err!.message).toMatch(/in\.json: \[0\]: not a Get-InboundConnector export: it looks like Get-OutboundConnector output/);
  });

  it('rejects objects that are no connector at all (a Get-Mailbox export)', () => {
    expect(() => outbound([{ Name: 'Scanner', PrimarySmtpAddress: 'scanner@contoso.com', RecipientTypeDetails: 'UserMailbox' }])).toThrow(/not a Get-OutboundConnector export: it has none of the properties/);
    expect(() => parseAcceptedDomainsExport({ file: 'd.json', records: [{ Name: 'X', SenderDomains: ['*'] }] })).toThrow(/not a Get-AcceptedDomain export: it looks like Get-InboundConnector output/);
  });
});

describe('accepted domains', () => {
  it('reads DomainName as text or as the object deeper serialisations write, and Default', () => {
    const domains = parseAcceptedDomainsExport({
      file: 'd.json',
      records: [
        { DomainName: 'Contoso.com', Default: true, DomainType: 'Authoritative' },
        { DomainName: { IncludeSubDomains: false, Address: 'contoso.de', Domain: 'contoso.de' }, Default: false, DomainType: 2 },
      ],
    });
    expect(domains.map((d) => [d.domainName, d.isDefault, d.domainType])).toEqual([
      ['contoso.com', true, 'Authoritative'],
      ['contoso.de', false, 'InternalRelay'],
    ]);
  });
});

describe('textOf', () => {
  it('reads domains written as objects, with IncludeSubDomains as a wildcard', () => {
    expect(textOf({ Domain: 'contoso.com', IncludeSubDomains: true })).toBe('*.contoso.com');
    expect(textOf({ SmtpDomain: { Domain: 'mail.contoso.com' } })).toBe('mail.contoso.com');
    expect(textOf({ HostnameString: 'mail.contoso.com' })).toBe('mail.contoso.com');
    expect(textOf({ Foo: 1 })).toBeUndefined();
  });
});

describe('Get-OutboundConnector SmtpDaneMode and MtaStsMode', () => {
  it.each([
    ['Opportunistic', 'Opportunistic'],
    ['mandatory', 'Mandatory'],
    ['None', 'None'],
  ])('reads SmtpDaneMode %j as %s', (value, expected) => {
    expect(outbound([{ Name: 'X', SmartHosts: ['mail.contoso.com'], SmtpDaneMode: value }])[0].settings).toMatchObject({ smtpDaneMode: expected });
  });

  it('leaves out a mode it cannot name (a number, or Mandatory MTA-STS) with a note instead of guessing', () => {
    const [c] = outbound([{ Name: 'X', SmartHosts: ['mail.contoso.com'], SmtpDaneMode: 2, MtaStsMode: 'Mandatory' }]);
    expect(c.settings).not.toHaveProperty('smtpDaneMode');
    expect(c.settings).not.toHaveProperty('mtaStsMode');
    expect(c.settingNotes).toEqual([expect.stringMatching(/^SmtpDaneMode 2 is not one of Opportunistic, Mandatory, None; left out/), expect.stringMatching(/^MtaStsMode "Mandatory" is not one of Opportunistic, None; left out/)]);
  });

  it('reads a disabled Partner outbound connector with its scope and hybrid settings', () => {
    const [c] = outbound([{ Name: 'X', SmartHosts: ['mail.contoso.com'], Enabled: 'False', ConnectorType: 2, RecipientDomains: ['smtp:fabrikam.com;1'], RouteAllMessagesViaOnPremises: true, Comment: null }]);
    expect(c.settings).toEqual({ connectorType: 'Partner', enabled: false, recipientDomains: ['fabrikam.com'], routeAllMessagesViaOnPremises: true });
    expect(c.scopeExported).toBe(true);
  });
});
