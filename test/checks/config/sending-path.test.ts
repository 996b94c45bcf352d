import { describe, expect, it } from 'vitest';
import check from '../../../checks/config/sending-path.js';
import { subjectsFor } from '../../../src/runner/subjects.js';
import { testCheck } from '../../helpers/check-tester.js';
import { planFromYaml } from '../../helpers/plans.js';

const plan = (entries: string) => planFromYaml(`version: 1\ndomain: contoso.com\nacceptedDomains: [contoso.com, fabrikam.com]\n${entries}`, { PW: 'x' });
const hve = (to: string) => plan(`submission:\n  - {name: h, endpoint: smtp-hve.office365.com, username: notify@contoso.com, password: {env: PW}, from: notify@contoso.com, validation: {to: [${to}]}}\n`);
const acs = (username: string) => plan(`submission:\n  - {name: a, endpoint: smtp.azurecomm.net, username: ${username}, password: {env: PW}, from: no-reply@contoso.com}\n`);
const directSend = (to: string) => plan(`directSend:\n  - {name: d, endpoint: contoso-com.mail.protection.outlook.com, validation: {from: printer@contoso.com, to: [${to}]}}\n`);

testCheck(check, {
  valid: [
    {
      name: 'passes an HVE account with internal recipients, on Basic authentication until September 2028',
      plan: hve('it@contoso.com'),
      message: /^High Volume Email \(HVE\): internal recipients only \(it@contoso\.com\), Basic authentication \(allowed for HVE until 2028-09-30, unlike mailbox submission\)/,
    },
    {
      name: 'passes an ACS login of the documented form',
      plan: acs('contoso-acs.6f1d2c3b-4a5e-4f60-8b7c-9d0e1f2a3b4c.72f988bf-86f1-41af-91ab-2d7cd011db47'),
      message: ['the login has the form <resource>.<app id>.<tenant id>'],
    },
    { name: 'passes Direct Send to a tenant mailbox', plan: directSend('it@contoso.com'), message: /^Direct Send to it@contoso\.com: tenant mailboxes only/ },
  ],
  invalid: [
    {
      name: 'fails an HVE account with a recipient outside the accepted domains',
      status: 'fail',
      plan: hve('it@contoso.com, partner@tailspin.com'),
      message: /^High Volume Email delivers to internal recipients only \(since June 2025\), and partner@tailspin\.com is outside the accepted domains \(contoso\.com, fabrikam\.com\)/,
    },
    {
      name: 'fails an ACS login with a broken GUID',
      status: 'fail',
      plan: acs('contoso-acs.6f1d2c3b-4a5e-4f60.72f988bf-86f1-41af-91ab-2d7cd011db47'),
      message: ['is not an Azure Communication Services SMTP login'],
    },
    { name: 'fails Direct Send to an external recipient', status: 'fail', plan: directSend('someone@tailspin.com'), message: /^Direct Send delivers to the tenant's own mailboxes only/ },
    {
      name: 'fails HVE Basic authentication once September 2028 is over, naming Add-HVEAppAccess',
      status: 'fail',
      plan: hve('it@contoso.com'),
      now: '2028-10-02T00:00:00Z',
      powershell: "Add-HVEAppAccess -AppId <application id> -HVEAccount 'notify@contoso.com'",
    },
  ],
});

describe('config.sending-path applies', () => {
  it('not to mailbox submission or connectors', () => {
    const p = plan(
      'submission:\n  - {name: s, endpoint: smtp.office365.com, username: a@contoso.com, password: {env: PW}, from: a@contoso.com}\nconnectors:\n  - {name: r, direction: to-office365, endpoint: contoso-com.mail.protection.outlook.com, tlsSenderCertificateName: mail.contoso.com}\n',
    );
    const subjects = subjectsFor('entry', p);
    expect(subjects).toHaveLength(2);
    expect(subjects.filter((s) => check.appliesTo!(s, p))).toEqual([]);
  });
});
