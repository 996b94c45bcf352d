import check from '../../../checks/config/sender-account-match.js';
import { testCheck } from '../../helpers/check-tester.js';
import { planFromYaml } from '../../helpers/plans.js';

const account = (from: string, sendAs = '[]') =>
  planFromYaml(`version: 1\ndomain: contoso.com\nacceptedDomains: [contoso.com, fabrikam.com]\nsubmission:\n  - {name: s, endpoint: smtp.office365.com, username: scanner@contoso.com, password: {env: PW}, from: ${from}, sendAs: ${sendAs}}\n`, { PW: 'x' });

testCheck(check, {
  valid: [
    { name: 'passes a sender that is the account itself', plan: account('Scanner@Contoso.com'), message: 'from Scanner@Contoso.com is the account itself' },
    { name: 'passes a sender the account may send as', plan: account('helpdesk@contoso.com', '[helpdesk@contoso.com]'), message: 'from helpdesk@contoso.com is listed in sendAs (the mailbox must grant Send As)' },
  ],
  invalid: [
    {
      name: 'fails a sender that is another mailbox, giving the Send As grant that fixes it',
      status: 'fail',
      plan: account('ceo@contoso.com'),
      message: 'from ceo@contoso.com is neither the account scanner@contoso.com nor listed in sendAs',
      powershell: "Add-RecipientPermission -Identity 'ceo@contoso.com' -Trustee 'scanner@contoso.com' -AccessRights SendAs -Confirm:$false",
      exchangeOnline: ['554 5.2.252 SendAsDenied'],
    },
    {
      name: 'warns on a sender in a domain the tenant does not accept',
      status: 'warn',
      plan: account('scanner@tailspin.com', '[scanner@tailspin.com]'),
      message: "the sender domain tailspin.com is not among the plan's accepted domains (contoso.com, fabrikam.com)",
    },
  ],
});
