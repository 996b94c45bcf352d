import { describe, expect, it } from 'vitest';
import { coveringPattern, isMtaStsTxt, mxPatternMatches, parseMtaStsPolicy, parseMtaStsTxt, suggestedPattern } from '../../src/dns/mta-sts.js';
import { isTlsRptTxt, parseTlsRpt } from '../../src/dns/tls-rpt.js';

describe('MTA-STS', () => {
  it('reads the _mta-sts TXT record and its id', () => {
    expect(isMtaStsTxt('v=STSv1; id=20260101T000000;')).toBe(true);
    expect(parseMtaStsTxt('v=STSv1; id=20260101T000000;')).toEqual({ id: '20260101T000000', errors: [] });
    expect(parseMtaStsTxt('v=STSv1;').errors).toEqual(['id= is missing']);
    expect(parseMtaStsTxt('v=STSv1; id=2026-01-01').errors).toEqual(['id=2026-01-01 is not 1 to 32 letters and digits']);
  });

  it('parses a policy file with CRLF or LF lines and several mx lines', () => {
    const p = parseMtaStsPolicy('version: STSv1\r\nmode: enforce\r\nmx: *.mail.protection.outlook.com\r\nmx: backup.contoso.com\r\nmax_age: 604800\r\n');
    expect(p).toEqual({ version: 'STSv1', mode: 'enforce', mx: ['*.mail.protection.outlook.com', 'backup.contoso.com'], maxAge: 604800, errors: [] });
  });

  it('lists what is wrong with a broken policy', () => {
    expect(parseMtaStsPolicy('version: STSv2\nmode: strict\n').errors).toEqual(['version: STSv2 is not STSv1', 'mode: strict is not enforce, testing or none', 'max_age: is missing', 'no mx: line']);
  });

  it('matches a "*." pattern against exactly one label', () => {
    expect(mxPatternMatches('*.mail.protection.outlook.com', 'contoso-com.mail.protection.outlook.com')).toBe(true);
    expect(mxPatternMatches('*.mx.microsoft', 'contoso-com.e-v1.mx.microsoft')).toBe(false);
    expect(mxPatternMatches('*.e-v1.mx.microsoft', 'contoso-com.e-v1.mx.microsoft')).toBe(true);
    expect(mxPatternMatches('*.mx.microsoft', 'mx.microsoft')).toBe(false);
    expect(mxPatternMatches('mail.contoso.com', 'MAIL.contoso.com.')).toBe(true);
    expect(coveringPattern(['*.mx.microsoft', 'contoso-com.e-v1.mx.microsoft'], 'contoso-com.e-v1.mx.microsoft')).toBe('contoso-com.e-v1.mx.microsoft');
  });

  it('suggests the narrowest wildcard for a host', () => {
    expect(suggestedPattern('contoso-com.e-v1.mx.microsoft')).toBe('*.e-v1.mx.microsoft');
    expect(suggestedPattern('contoso.com')).toBe('contoso.com');
  });
});

describe('TLS-RPT', () => {
  it('reads the report addresses', () => {
    expect(isTlsRptTxt('v=TLSRPTv1; rua=mailto:tls@contoso.com')).toBe(true);
    expect(parseTlsRpt('v=TLSRPTv1; rua=mailto:tls@contoso.com,https://reports.contoso.com/tls')).toEqual({ rua: ['mailto:tls@contoso.com', 'https://reports.contoso.com/tls'], errors: [] });
  });

  it('rejects a record without rua or with other schemes', () => {
    expect(parseTlsRpt('v=TLSRPTv1;').errors).toEqual(['rua= (where reports go) is missing']);
    expect(parseTlsRpt('v=TLSRPTv1; rua=ftp://x').errors).toEqual(['rua: "ftp://x" is not a mailto: or https: URI']);
  });
});
