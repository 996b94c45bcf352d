import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlan, parsePlan, parseResolveFlag } from '../../src/plan/load.js';
import { parseHostPort, parseIpPort } from '../../src/plan/address.js';
import { PLAN_TEMPLATE } from '../../src/plan/template.js';
import { schemaFile } from '../../src/plan/schema.js';

describe('the plan loader', () => {
  it('accepts the plan that init writes, with the seed defaults for limits and TLS policy', () => {
    const plan = parsePlan(PLAN_TEMPLATE, 'relaycheck.yaml', { env: { SCANNER_PASSWORD: 'pw' } });
    expect(plan.connectors.map((c) => c.direction)).toEqual(['to-office365', 'from-office365']);
    expect(plan.submission[0].endpoint).toEqual({ host: 'smtp.office365.com', port: 587 });
    expect(plan.limits).toMatchObject({ messagesPerDay: 1500, messagesPerMinute: 30 });
    expect(plan.tlsPolicy.expiryWarnDays).toBe(30);
    expect(plan.secrets).toEqual(['pw']);
  });

  it('applies default ports per connector direction and keeps explicit ones', () => {
    const plan = parsePlan(
      'version: 1\ndomain: contoso.com\nconnectors:\n  - {name: in, direction: to-office365, endpoint: contoso-com.mail.protection.outlook.com}\n  - {name: out, direction: from-office365, smartHosts: [mail.contoso.com, "192.0.2.10:2525", "[2001:db8::25]:25", "2001:db8::26"], tls: {mode: any}}\n',
      'p.yaml',
    );
    const [inbound, outbound] = plan.connectors;
    expect(inbound.direction === 'to-office365' && inbound.endpoint.port).toBe(25);
    expect(outbound.direction === 'from-office365' && outbound.smartHosts).toEqual([
      { host: 'mail.contoso.com', port: 25 },
      { host: '192.0.2.10', port: 2525 },
      { host: '2001:db8::25', port: 25 },
      { host: '2001:db8::26', port: 25 },
    ]);
  });

  it('resolves relative paths and secret files against the plan folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaycheck-plan-'));
    writeFileSync(join(dir, 'root.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    writeFileSync(join(dir, 'pw.txt'), 'from-a-file\n');
    writeFileSync(
      join(dir, 'relaycheck.yaml'),
      'version: 1\ndomain: contoso.com\ntrust: {system: false, ca: [./root.pem]}\nsubmission:\n  - {name: s, endpoint: smtp.office365.com, username: a@contoso.com, password: {file: pw.txt}, from: a@contoso.com}\n',
    );
    const plan = loadPlan(join(dir, 'relaycheck.yaml'));
    expect(plan.trust.ca[0].file).toBe(join(dir, 'root.pem'));
    expect(plan.submission[0].password).toEqual({ value: 'from-a-file', source: 'file pw.txt' });
  });

  it('lets --resolve override the plan\'s resolve entries, for IPv4 and IPv6', () => {
    const plan = parsePlan('version: 1\ndomain: contoso.com\nresolve: {"mail.contoso.com:25": 192.0.2.10}\nconnectors:\n  - {name: out, direction: from-office365, smartHosts: [mail.contoso.com], tls: {mode: any}}\n', 'p.yaml', {
      resolve: ['mail.contoso.com:25:[2001:db8::10]'],
    });
    expect(plan.resolve).toEqual({ 'mail.contoso.com:25': '2001:db8::10' });
    expect(() => parsePlan('version: 1\ndomain: c.com\nsubmission: []\nconnectors: [{name: o, direction: from-office365, smartHosts: [a.c.com]}]\n', 'p.yaml', { resolve: ['mail.contoso.com:192.0.2.1'] })).toThrow(
      '--resolve: expected HOST:PORT:ADDRESS (found "mail.contoso.com:192.0.2.1")',
    );
  });

  it('reports every problem of a plan at once', () => {
    expect(() =>
      parsePlan('version: 1\ndomain: contoso.com\nsurprise: 1\nconnectors:\n  - {name: o, direction: from-office365, smartHosts: [], tls: {mode: any}}\n', 'p.yaml'),
    ).toThrow('p.yaml:3:1: surprise: unknown key\np.yaml:5:42: connectors[0].smartHosts: must list at least 1 item');
  });

  it('ships the schema file that editors can point at', () => {
    expect(schemaFile()).toMatch(/schema[\\/]relaycheck\.schema\.json$/);
  });
});

describe('address parsing', () => {
  it.each([
    ['mail.contoso.com', 25, { host: 'mail.contoso.com', port: 25 }],
    ['Mail.Contoso.com:587', 25, { host: 'mail.contoso.com', port: 587 }],
    ['[::1]:2525', 25, { host: '::1', port: 2525 }],
    ['::1', 25, { host: '::1', port: 25 }],
    ['192.0.2.1:0', 25, null],
    ['bad host:25', 25, null],
    ['[mail.contoso.com]:25', 25, null],
  ])('reads %s', (text, port, expected) => {
    expect(parseHostPort(text, port)).toEqual(expected);
  });

  it('takes only IP literals for resolvers', () => {
    expect(parseIpPort('192.0.2.53', 53)).toEqual({ host: '192.0.2.53', port: 53 });
    expect(parseIpPort('[2001:db8::53]:5353', 53)).toEqual({ host: '2001:db8::53', port: 5353 });
    expect(parseIpPort('dns.contoso.com', 53)).toBeNull();
    expect(parseResolveFlag('h.contoso.com:25:192.0.2.1')).toEqual({ key: 'h.contoso.com:25', address: '192.0.2.1' });
  });
});
