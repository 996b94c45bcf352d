import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { CasMailboxExport } from '../../src/import/smtp-auth-exports.js';
import { assessExposure } from '../../src/import/smtp-auth-exposure.js';
import { exposureText, UNKNOWN_USE_ENTRIES } from '../../src/import/smtp-auth-plan.js';

const mailbox = (address: string, smtpAuth: CasMailboxExport['smtpAuth']): CasMailboxExport => ({ index: 0, address, name: address, addresses: [address], smtpAuth });

describe('exposureText', () => {
  it('keeps a big tenant readable: entries for the first inheriting mailboxes of unknown use, the rest listed by address', () => {
    const mailboxes = [mailbox('own@contoso.com', 'on'), ...Array.from({ length: 120 }, (_, i) => mailbox(`user${String(i).padStart(3, '0')}@contoso.com`, 'inherit'))];
    const e = assessExposure({ cas: { file: 'cas.json', mailboxes }, transport: { file: 't.json', smtpAuthDisabled: false } });
    const t = exposureText(e, 'contoso-com.mail.protection.outlook.com', 'contoso.com');
    expect(e.exposed).toHaveLength(121);
    const entries = t.end.split('\n').filter((l) => /^ {2}- name: /.test(l));
    expect(entries).toHaveLength(1 + UNKNOWN_USE_ENTRIES);
    expect(t.end).toContain(`70 more mailboxes inherit SMTP AUTH and may use it (give --smtp-auth-report`);
    expect(t.end).toContain('  user050@contoso.com, user051@contoso.com,');
    expect(t.end).toContain('turn it off for the tenant (Set-TransportConfig -SmtpClientAuthenticationDisabled $true)');
    expect(t.summary.at(-1)).toBe('  … and 96 more in the plan (search for "SMTP AUTH:")');
  });

  it('writes entries that parse as YAML even for addresses with quotes and control characters', () => {
    const e = assessExposure({ cas: { file: 'cas.json', mailboxes: [mailbox('o"brien\u2028x@contoso.com', 'on')] } });
    const block = exposureText(e, 'mx.contoso.test', 'contoso.com').end;
    const start = block.split('\n').indexOf('submission:');
    const body = block.split('\n').slice(start).join('\n');
    const parsed = parseYaml(body) as { submission: { username: string; oauth2: { tenantId: string } }[] };
    expect(parsed.submission[0].username).toBe('o"brien x@contoso.com');
    expect(parsed.submission[0].oauth2.tenantId).toMatch(/^FILL IN/);
  });
});
