// `relaycheck powershell` prints the Exchange side of each OAuth client-credentials submission
// entry: the service principal, the mailbox permission and SMTP AUTH for the mailbox, with the one
// id the plan cannot know (the enterprise application's object id) left as FILL IN.
import { describe, expect, it } from 'vitest';
import { connectorScript } from '../../src/powershell/connectors.js';
import { FILL_IN_CLIENT_ID, FILL_IN_OBJECT_ID } from '../../src/powershell/oauth.js';
import { parsePowerShell } from '../../src/powershell/parse.js';
import type { Plan } from '../../src/types.js';
import { planFromYaml } from '../helpers/plans.js';

const CLIENT_ID = '9b1f4a52-3c6d-4e7f-8a9b-0c1d2e3f4a5b';
const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';

/**
 * A plan with submission entries; the oauth2 client-credentials fields are set on the loaded plan
 * (the schema and loader for them come with the OAuth token work), exactly as named in the plan.
 */
function plan(entries: { name: string; endpoint: string; username: string; oauth2?: Record<string, string> }[], connectors = ''): Plan {
  const yaml = `version: 1\ndomain: contoso.com\n${connectors}submission:\n${entries
    .map((e) => `  - name: ${e.name}\n    endpoint: ${e.endpoint}\n    username: ${e.username}\n    from: ${e.username}\n    ${e.oauth2 ? 'oauth2: { accessToken: { env: TOKEN } }' : 'password: { env: PASSWORD }'}\n`)
    .join('')}`;
  const p = planFromYaml(yaml, { TOKEN: 'token-value', PASSWORD: 'password-value' });
  entries.forEach((e, i) => {
    if (e.oauth2 && e.oauth2.accessToken === undefined) (p.submission[i] as { oauth2?: unknown }).oauth2 = { ...e.oauth2 };
  });
  return p;
}

describe('OAuth submission entries in relaycheck powershell', () => {
  it('prints New-ServicePrincipal, Add-MailboxPermission and Set-CASMailbox for a client-credentials entry, with the app id and mailbox from the plan', () => {
    const script = connectorScript(plan([{ name: 'Scanner', endpoint: 'smtp.office365.com:587', username: 'scanner@contoso.com', oauth2: { tenantId: TENANT_ID, clientId: CLIENT_ID } }]));
    const commands = parsePowerShell(script);
    expect(commands.map((c) => c.cmdlet)).toEqual(['New-ServicePrincipal', 'Add-MailboxPermission', 'Set-CASMailbox']);
    expect(commands[0].params).toEqual({ AppId: CLIENT_ID, ObjectId: FILL_IN_OBJECT_ID, DisplayName: 'Scanner (SMTP OAuth)' });
    expect(commands[1].params).toEqual({ Identity: 'scanner@contoso.com', User: FILL_IN_OBJECT_ID, AccessRights: 'FullAccess' });
    expect(commands[2].params).toEqual({ Identity: 'scanner@contoso.com', SmtpClientAuthenticationDisabled: false });
    expect(script).toContain('SMTP.SendAsApp');
    expect(script).toContain(`in tenant ${TENANT_ID}`);
    expect(script).toContain('# The plan has no connectors');
  });

  it('leaves FILL IN for a client id the plan does not give, and prints nothing for password or ready-token entries', () => {
    const script = connectorScript(
      plan([
        { name: 'App', endpoint: 'smtp.office365.com:587', username: 'app@contoso.com', oauth2: { tenantId: 'contoso.com', clientId: 'FILL IN: client id' } },
        { name: 'Printer', endpoint: 'smtp.office365.com:587', username: 'printer@contoso.com' },
        { name: 'Token', endpoint: 'smtp.office365.com:587', username: 'token@contoso.com', oauth2: { accessToken: 'x' } },
      ]),
    );
    const commands = parsePowerShell(script);
    expect(commands.filter((c) => c.cmdlet === 'New-ServicePrincipal').map((c) => c.params.AppId)).toEqual([FILL_IN_CLIENT_ID]);
    expect(commands.every((c) => c.params.Identity === undefined || c.params.Identity === 'app@contoso.com')).toBe(true);
  });

  it('tells a High Volume Email entry to use Add-HVEAppAccess instead of a mailbox permission', () => {
    const script = connectorScript(plan([{ name: 'Newsletter', endpoint: 'smtp-hve.office365.com:587', username: 'news@contoso.com', oauth2: { tenantId: TENANT_ID, clientId: CLIENT_ID } }]));
    expect(parsePowerShell(script).map((c) => c.cmdlet)).toEqual(['New-ServicePrincipal']);
    expect(script).toMatch(/Mail\.Send, granted to the HVE account with\n# +Add-HVEAppAccess/);
  });

  it('quotes a hostile entry name and mailbox so the script stays plain literals', () => {
    const p = plan([{ name: 'Scanner', endpoint: 'smtp.office365.com:587', username: "o'brien@contoso.com", oauth2: { tenantId: TENANT_ID, clientId: CLIENT_ID } }]);
    p.submission[0].name = "x'; Remove-Mailbox -Identity ceo #\nInvoke-Expression";
    const commands = parsePowerShell(connectorScript(p));
    expect(commands.map((c) => c.cmdlet)).toEqual(['New-ServicePrincipal', 'Add-MailboxPermission', 'Set-CASMailbox']);
    expect(commands[1].params.Identity).toBe("o'brien@contoso.com");
  });
});
