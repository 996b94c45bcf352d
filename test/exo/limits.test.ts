import { describe, expect, it } from 'vitest';
import { limitsFor, terrl } from '../../src/exo/limits.js';
import { planFromYaml } from '../helpers/plans.js';

const plan = (extra: string) =>
  planFromYaml(
    `version: 1\ndomain: contoso.com\n${extra}connectors:\n  - {name: Relay, direction: to-office365, endpoint: contoso-com.mail.protection.outlook.com, validation: {from: relay@contoso.com, to: [it@contoso.com]}}\nsubmission:\n  - {name: Mailbox, endpoint: smtp.office365.com, username: a@contoso.com, password: {env: PW}, from: a@contoso.com}\n  - {name: HVE, endpoint: smtp-hve.office365.com, username: h@contoso.com, password: {env: PW}, from: h@contoso.com}\n  - {name: ACS, endpoint: smtp.azurecomm.net, username: acs-user, password: {env: PW}, from: n@contoso.com}\n`,
    { PW: 'pw' },
  );

describe('the limits of each sending path', () => {
  it('computes TERRL as 500 × licences^0.7 + 9,500, and 5,000 for a trial tenant', () => {
    expect(terrl(1)).toBe(10_000);
    expect(terrl(100)).toBe(22_059);
    expect(terrl(100, true)).toBe(5_000);
  });

  it("gives mailbox submission Microsoft's figures and no messagesPerDay unless the plan sets one", () => {
    const p = plan('');
    const [mailbox, hve, acs] = p.submission.map((s) => limitsFor(s, p));
    expect(mailbox).toMatchObject({ path: 'mailbox', recipientsPerDay: 10_000, messagesPerMinute: 30, recipientsPerMessage: 500, source: { recipientsPerDay: 'Microsoft' } });
    expect(mailbox.messagesPerDay).toBeUndefined();
    expect(hve).toEqual({ path: 'hve', recipientsPerDay: 100_000, source: { recipientsPerDay: 'Microsoft' } });
    expect(acs).toEqual({ path: 'acs', source: {} });
  });

  it('holds a connector to the tenant limit only, and only when tenant.licenses gives it', () => {
    expect(limitsFor(plan('').connectors[0], plan(''))).toEqual({ path: 'connector', source: {} });
    const p = plan('tenant: {licenses: 100}\nlimits: {recipientsPerDay: 50}\n');
    expect(limitsFor(p.connectors[0], p)).toEqual({ path: 'connector', tenantExternalPerDay: 22_059, source: { tenantExternalPerDay: 'Microsoft' } });
  });

  it("applies the plan's own messagesPerDay (the seed's 1,500) to every path", () => {
    const p = plan('limits: {messagesPerDay: 1500}\n');
    expect([p.connectors[0], ...p.submission].map((e) => limitsFor(e, p).messagesPerDay)).toEqual([1500, 1500, 1500, 1500]);
  });
});
