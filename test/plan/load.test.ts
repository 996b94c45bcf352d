import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { initCommand } from '../../src/commands/init.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlan, parsePlan, parseResolveFlag } from '../../src/plan/load.js';
import { UsageError } from '../../src/errors.js';
import { parseHostPort, parseIpPort } from '../../src/plan/address.js';
import { PLAN_TEMPLATE } from '../../src/plan/template.js';
import { schemaFile } from '../../src/plan/schema.js';
import { createRootCa } from '../../src/pki/generate.js';

describe('the plan loader', () => {
  it("accepts the plan that init writes, with Microsoft's per-mailbox limits and no messagesPerDay unless the plan sets one", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaycheck-init-plan-'));
    await initCommand(join(dir, 'relaycheck.yaml'), false);
    // the template, but for the schema reference, which init points at this installation (test/commands/init.test.ts)
    const withoutSchemaRef = (text: string) => text.replace(/^# yaml-language-server: .*\n/m, '');
    expect(withoutSchemaRef(readFileSync(join(dir, 'relaycheck.yaml'), 'utf8'))).toBe(withoutSchemaRef(PLAN_TEMPLATE));
    const plan = loadPlan(join(dir, 'relaycheck.yaml'));
    expect(plan.connectors.map((c) => c.direction)).toEqual(['to-office365', 'from-office365']);
    expect(plan.submission[0].endpoint).toEqual({ host: 'smtp.office365.com', port: 587 });
    expect(plan.limits).toMatchObject({ messagesPerMinute: 30, recipientsPerDay: 10_000, recipientsPerMessage: 500 });
    expect(plan.limits.messagesPerDay).toBeUndefined();
    expect(PLAN_TEMPLATE).not.toMatch(/^\s*messagesPerDay: 1500/m);
    expect(plan.tlsPolicy.expiryWarnDays).toBe(30);
    // OAuth client credentials with the app certificate init made; the key is the only secret
    expect(plan.submission[0].oauth2?.client).toMatchObject({ tenantId: 'contoso.onmicrosoft.com', scope: 'https://outlook.office365.com/.default' });
    expect(plan.submission[0].password).toBeUndefined();
    expect(plan.secrets).toEqual([readFileSync(join(dir, 'secrets', 'relaycheck-app.key'), 'utf8').trim()]);
  });

  it("keeps the seed's 1,500 messages a day as an explicit value, and reads tenant licences, stateDir and directSend", () => {
    const plan = parsePlan(
      'version: 1\ndomain: contoso.com\nlimits: {messagesPerDay: 1500}\ntenant: {licenses: 300}\nstateDir: ./state\ndirectSend:\n  - {name: printer, endpoint: contoso-com.mail.protection.outlook.com, rejectDirectSend: true, validation: {from: printer@contoso.com, to: [it@contoso.com]}}\n',
      '/etc/relaycheck/p.yaml',
    );
    expect(plan.limits).toMatchObject({ messagesPerDay: 1500, defaulted: { messagesPerDay: false, recipientsPerDay: true } });
    expect(plan.tenant).toEqual({ licenses: 300 });
    expect(plan.stateDir).toBe('/etc/relaycheck/state');
    expect(plan.directSend).toEqual([
      { kind: 'direct-send', name: 'printer', endpoint: { host: 'contoso-com.mail.protection.outlook.com', port: 25 }, rejectDirectSend: true, validation: { from: 'printer@contoso.com', to: ['it@contoso.com'] }, path: 'directSend[0]' },
    ]);
  });

  it('refuses a directSend entry without a validation sender, naming the path', () => {
    expect(() => parsePlan('version: 1\ndomain: contoso.com\ndirectSend:\n  - {name: printer, endpoint: contoso-com.mail.protection.outlook.com, validation: {to: [it@contoso.com]}}\n', 'p.yaml')).toThrow(/directSend\[0\]\.validation\.from: is required/);
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

  it('resolves relative paths and secret files against the plan folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaycheck-plan-'));
    writeFileSync(join(dir, 'root.pem'), (await createRootCa({ cn: 'Plan Test Root' })).certPem);
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

  it('takes a bracketed IPv6 address in the plan\'s resolve entries, as --resolve does', () => {
    const plan = parsePlan('version: 1\ndomain: contoso.com\nresolve: {"mail.contoso.com:25": "[2001:db8::10]"}\nconnectors:\n  - {name: out, direction: from-office365, smartHosts: [mail.contoso.com], tls: {mode: any}}\n', 'p.yaml');
    expect(plan.resolve).toEqual({ 'mail.contoso.com:25': '2001:db8::10' });
  });

  it('refuses an account with both a password and an OAuth token', () => {
    expect(() =>
      parsePlan('version: 1\ndomain: contoso.com\nsubmission:\n  - {name: s, endpoint: smtp.office365.com, username: a@contoso.com, password: {env: PW}, oauth2: {accessToken: {env: TOKEN}}, from: a@contoso.com}\n', 'p.yaml', { env: { PW: 'x', TOKEN: 'y' } }),
    ).toThrow('p.yaml:4:91: submission[0].oauth2: give either password (AUTH PLAIN/LOGIN) or oauth2 (XOAUTH2), not both');
  });

  it('reports every problem of a plan at once', () => {
    expect(() =>
      parsePlan('version: 1\ndomain: contoso.com\nsurprise: 1\nconnectors:\n  - {name: o, direction: from-office365, smartHosts: [], tls: {mode: any}}\n', 'p.yaml'),
    ).toThrow('p.yaml:3:1: surprise: unknown key\np.yaml:5:42: connectors[0].smartHosts: must list at least 1 item');
  });

  it('refuses a trust anchor whose PEM block is damaged, naming the file, instead of failing later in every TLS session', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaycheck-plan-'));
    writeFileSync(join(dir, 'root.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    writeFileSync(join(dir, 'relaycheck.yaml'), 'version: 1\ndomain: contoso.com\ntrust: {ca: [./root.pem]}\nconnectors: [{name: o, direction: from-office365, smartHosts: [a.contoso.com]}]\n');
    expect(() => loadPlan(join(dir, 'relaycheck.yaml'))).toThrow(/relaycheck\.yaml:3:14: trust\.ca\[0\]: \.\/root\.pem: certificate 1 of 1 is damaged and cannot be parsed \(trust anchor\)$/);
  });

  it('reads a plan saved with a UTF-8 byte order mark, as Windows tools write it', () => {
    const json = '\ufeff{"version": 1, "domain": "contoso.com", "connectors": [{"name": "o", "direction": "from-office365", "smartHosts": ["a.contoso.com"]}]}';
    expect(parsePlan(json, 'p.json').domain).toBe('contoso.com');
    expect(parsePlan(json, 'p.yaml').domain).toBe('contoso.com');
  });

  it('refuses a YAML alias bomb as a plan problem, not an internal error', () => {
    const bomb = ['a: &a [x,x,x,x,x,x,x,x,x]', ...'bcdefg'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefg'[i]}`).join(',')}]`), 'h: [*g,*g,*g,*g,*g,*g,*g,*g,*g]'].join('\n');
    let err: unknown;
    try {
      parsePlan(bomb, 'bomb.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe('bomb.yaml: cannot read the plan: Excessive alias count indicates a resource exhaustion attack');
  });

  it('never echoes a password written inline, even one YAML reads as a number', () => {
    expect(() => parsePlan('version: 1\ndomain: contoso.com\nsubmission:\n  - {name: s, endpoint: smtp.office365.com, username: a@contoso.com, password: 918273645, from: a@contoso.com}\n', 'p.yaml')).toThrow(
      /^p\.yaml:4:70: submission\[0\]\.password: secrets are never written in the plan: use \{ env: NAME \} or \{ file: path \}$/,
    );
  });

  it('tells an empty secret variable from a missing one', () => {
    const plan = 'version: 1\ndomain: contoso.com\nsubmission:\n  - {name: s, endpoint: smtp.office365.com, username: a@contoso.com, password: {env: RC_PW}, from: a@contoso.com}\n';
    expect(() => parsePlan(plan, 'p.yaml', { env: {} })).toThrow('submission[0].password: environment variable RC_PW is not set');
    expect(() => parsePlan(plan, 'p.yaml', { env: { RC_PW: '' } })).toThrow('submission[0].password: environment variable RC_PW is empty');
  });

  it('words schema problems as sentences: an integer, an empty name', () => {
    const load = () => parsePlan('version: 1\ndomain: contoso.com\nlimits: {messagesPerMinute: 0.5}\nconnectors: [{name: "", direction: from-office365, smartHosts: [a.contoso.com]}]\n', 'p.yaml');
    expect(load).toThrow('p.yaml:3:10: limits.messagesPerMinute: must be an integer (found number 0.5)');
    expect(load).toThrow('p.yaml:4:15: connectors[0].name: must not be empty');
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
