// JUnit XML as a CI server reads it: one suite per connector / account, one case per check and
// endpoint, failures / errors / skips in the right place, and well-formed whatever a server said.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderJunit, xmlAttr, xmlText } from '../../src/report/junit.js';
import { fixtureReport } from './fixtures.js';
import type { RunReport } from '../../src/types.js';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name), processEntities: true, htmlEntities: false, trimValues: false });

interface Case {
  classname: string;
  name: string;
  failure?: { message: string; type: string; '#text': string };
  error?: { message: string };
  skipped?: { message: string };
  'system-out'?: string;
}
interface Suite {
  name: string;
  tests: string;
  failures: string;
  errors: string;
  skipped: string;
  testcase?: Case[];
  properties?: { property: { name: string; value: string }[] };
  'system-out'?: string;
}

function parse(xml: string): { testsuites: { testsuite: Suite[]; tests: string; failures: string } } {
  return parser.parse(xml) as { testsuites: { testsuite: Suite[]; tests: string; failures: string } };
}

describe('the JUnit report', () => {
  it('is well-formed XML for both the realistic and the hostile run', () => {
    for (const name of ['five-connectors', 'hostile'] as const) {
      const xml = renderJunit(fixtureReport(name));
      expect(XMLValidator.validate(xml), name).toBe(true);
      expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    }
  });

  it('has one suite per connector and account, domain-level results in their own, one case per check and endpoint', () => {
    const report = fixtureReport('five-connectors');
    const doc = parse(renderJunit(report)).testsuites;
    expect(doc.testsuite.map((s) => s.name)).toEqual([
      'Domain and plan: contoso.com',
      'Office 365 SMTP relay TLS',
      'Scanner relay Berlin',
      'ERP relay (SAP)',
      'Office 365 SMTP relay TLS 2',
      'Partner archive smart host',
      'Scanner account',
    ]);
    expect(Number(doc.tests)).toBe(report.results.length);
    expect(doc.testsuite.reduce((n, s) => n + (s.testcase?.length ?? 0), 0)).toBe(report.results.length);
    const smartHost = doc.testsuite.find((s) => s.name === 'Office 365 SMTP relay TLS 2')!;
    expect(smartHost).toMatchObject({ tests: '18', failures: '1', errors: '0', skipped: '1' });
    const names = smartHost.testcase!.map((c) => c.name);
    expect(names).toContain('tls.certificate-expiry @ mail.contoso.com:25 (Office 365 SMTP relay TLS 2)');
    expect(names).toContain('tls.certificate-expiry @ mail2.contoso.com:25 (Office 365 SMTP relay TLS 2)');
    expect(names).toContain('config.connector-tls (Office 365 SMTP relay TLS 2)');
    const expired = smartHost.testcase!.find((c) => c.name === 'tls.certificate-expiry @ mail2.contoso.com:25 (Office 365 SMTP relay TLS 2)')!;
    expect(expired.classname).toBe('tls.certificate-expiry');
    expect(expired.failure!.message).toBe('Expired 35 days ago (notAfter 2026-10-23T02:00:00Z)');
    expect(expired.failure!.type).toBe('high');
    expect(expired.failure!['#text']).toContain('What to do: Renew the certificate');
    expect(expired.failure!['#text']).toContain("PowerShell:\nSet-OutboundConnector -Identity 'Office 365 SMTP relay TLS 2'");
    expect(smartHost.testcase!.find((c) => c.classname === 'send.validation')!.skipped!.message).toContain('outbound connectors');
  });

  it('names every case uniquely in the file, though the inbound connectors share the tenant\'s MX endpoint', () => {
    // Jenkins lists cases by classname across suites and GitLab keys them by classname and name:
    // three connectors' "smtp.connect @ contoso-com.mail.protection.outlook.com:25" would read as one.
    const report = fixtureReport('five-connectors');
    const shared = new Set(report.results.filter((r) => r.check === 'smtp.connect' && r.endpoint === 'contoso-com.mail.protection.outlook.com:25').map((r) => r.connector));
    expect(shared.size).toBeGreaterThan(1);
    const cases = parse(renderJunit(report)).testsuites.testsuite.flatMap((s) => s.testcase ?? []);
    const ids = cases.map((c) => `${c.classname}\u0000${c.name}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(cases.map((c) => c.name)).toContain('smtp.connect @ contoso-com.mail.protection.outlook.com:25 (Scanner relay Berlin)');
    expect(cases.map((c) => c.name)).toContain('dns.mx');
  });

  it('reports a warning as a passing case with a WARN note, and an undecided check as an error', () => {
    const doc = parse(renderJunit(fixtureReport('five-connectors'))).testsuites;
    const berlin = doc.testsuite.find((s) => s.name === 'Scanner relay Berlin')!;
    const warn = berlin.testcase!.find((c) => c.classname === 'tls.client-certificate')!;
    expect(warn.failure).toBeUndefined();
    expect(warn['system-out']).toMatch(/^WARN: relay2\.contoso\.com expires in 12 days/);
    expect(berlin.failures).toBe('0');
    const hostile = parse(renderJunit(fixtureReport('hostile'))).testsuites;
    const errored = hostile.testsuite.flatMap((s) => s.testcase ?? []).find((c) => c.classname === 'auth.login')!;
    expect(errored.error!.message).toContain('could not decide');
  });

  it('keeps a hostile server\'s text as text: escaped, control and XML-illegal characters removed, "]]>" harmless', () => {
    const xml = renderJunit(fixtureReport('hostile'));
    expect(xml).not.toMatch(/<script|<img|<!\[CDATA\[|\]\]>/);
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]/);
    expect(xml).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    const doc = parse(xml).testsuites;
    const starttls = doc.testsuite.flatMap((s) => s.testcase ?? []).find((c) => c.classname === 'smtp.starttls')!;
    expect(starttls['system-out']).toContain("reply ' onfocus='window.__pwned=1' autofocus=' ]]><x>&amp;</x><![CDATA[ surrogate  here");
    const suite = doc.testsuite.find((s) => s.name.startsWith('Evil relay'))!;
    expect(suite.name).toBe('Evil relay " onmouseover="window.__pwned=1" x="<b>bold</b> <script>window.__pwned=1;alert(1)</script>');
  });

  it('escapes the five XML specials and keeps line breaks in attributes', () => {
    expect(xmlText(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;');
    expect(xmlAttr('line 1\nline 2\tend')).toBe('line 1&#10;line 2&#9;end');
    expect(xmlText('ok \u{1F600} \ud83d only')).toBe('ok \u{1F600}  only');
    expect(XMLValidator.validate(`<a b="${xmlAttr('\u0000]]>"\'<&\u001b[31m')}">${xmlText('\u0000]]>"\'<&\u001b[31m\uffff')}</a>`)).toBe(true);
  });

  it('carries what changed since the last run in the suites\' properties and output', () => {
    const report: RunReport = {
      ...fixtureReport('five-connectors'),
      history: { previous: { startedAt: '2026-11-26T02:00:00.000Z', verdict: 'pass' } },
      changes: [
        { kind: 'certificate-changed', connector: 'Office 365 SMTP relay TLS 2', endpoint: 'mail.contoso.com:25', message: 'The certificate of mail.contoso.com:25 changed: SHA-256 AA:BB:CC:DD…EE:FF (was 11:22:33:44…55:66); expires 2027-09-23 (was 2026-12-01)' },
        { kind: 'new-failure', check: 'dns.dmarc', connector: null, endpoint: null, message: 'dns.dmarc at the domain is now FAIL (was PASS): p=none' },
      ],
    };
    const doc = parse(renderJunit(report)).testsuites;
    const smartHost = doc.testsuite.find((s) => s.name === 'Office 365 SMTP relay TLS 2')!;
    expect(smartHost.properties!.property).toContainEqual({ name: 'relaycheck.change.1.certificate-changed', value: report.changes![0].message });
    expect(smartHost['system-out']).toContain('Changes since the previous run:\n- The certificate of mail.contoso.com:25 changed');
    const domain = doc.testsuite[0];
    expect(domain.properties!.property).toContainEqual({ name: 'relaycheck.previousRun', value: '2026-11-26T02:00:00.000Z' });
    expect(domain['system-out']).toContain('dns.dmarc at the domain is now FAIL');
  });

  it('says in the first suite when the run could not be recorded', () => {
    const report: RunReport = { ...fixtureReport('five-connectors'), history: { storeError: 'local store /var/lib/relaycheck/relaycheck.sqlite: is locked by another relaycheck run' } };
    const doc = parse(renderJunit(report)).testsuites;
    expect(doc.testsuite[0].properties!.property).toContainEqual({ name: 'relaycheck.storeError', value: report.history!.storeError });
  });
});
