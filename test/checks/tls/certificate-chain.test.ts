import check from '../../../checks/tls/certificate-chain.js';
import { testCheck } from '../../helpers/check-tester.js';
import { b64 } from '../../tls/fixtures.js';
import { fx, matrixCases, presenting, useCertificateFixtures } from './certificate-cases.js';

useCertificateFixtures();
const matrix = matrixCases('chain');

testCheck(check, {
  valid: [
    {
      name: 'says so when the root is sent along',
      ...presenting('mx', (f) => [b64(f.pki.leaves.valid), b64(f.intermediate), b64(f.root)]),
      message: 'complete: mail.contoso.test → relaycheck Lab Issuing CA → relaycheck Lab Root CA (3 sent, root included, which is harmless)',
    },
    ...matrix.valid,
  ],
  invalid: [
    {
      name: 'names the missing issuer and the Exchange Online reply',
      status: 'fail',
      ...presenting('sh-trusted', (f) => [b64(f.pki.leaves.leafOnly)]),
      message: "the server sends no issuer for CN=mail.contoso.test: the missing issuer is CN=relaycheck Lab Issuing CA (not sent, and not in the plan's trust either)",
      exchangeOnline: ['[Message=UntrustedRoot]', 'does not fetch missing intermediates'],
    },
    {
      name: "fails when the server omits an intermediate that only the plan's CA file holds",
      status: 'fail',
      ...presenting('sh-domain', (f) => [b64(f.pki.leaves.leafOnly)], () => ({ trust: { system: true, ca: [{ file: '/plan/pki/issuing.pem', pem: fx().intermediate.certPem }] } })),
      message: "the server does not send the intermediate CN=relaycheck Lab Issuing CA (it is only in the plan's CA file issuing.pem)",
    },
    ...matrix.invalid,
  ],
});
