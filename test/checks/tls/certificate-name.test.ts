import check from '../../../checks/tls/certificate-name.js';
import { testCheck } from '../../helpers/check-tester.js';
import { b64 } from '../../tls/fixtures.js';
import { fx, matrixCases, presenting, useCertificateFixtures } from './certificate-cases.js';

useCertificateFixtures();
const matrix = matrixCases('name');

testCheck(check, {
  valid: [
    {
      name: 'matches a deeper subdomain against *.domain, as Exchange Online documents "all subdomains"',
      ...presenting('sh-wildcard', (f) => [b64(f.deepSubdomain), b64(f.intermediate)]),
      message: 'CN smtp.eu.contoso.test matches TlsDomain *.contoso.test (DomainValidation)',
    },
    {
      name: 'reports, without judging, the names under CertificateValidation and EncryptionOnly',
      ...presenting('sh-trusted', (f) => [b64(f.pki.leaves.wrongName), b64(f.intermediate)]),
      message: 'CertificateValidation: Exchange Online does not match the certificate name; the certificate (CN=wrong.invalid-name.test; SAN wrong.invalid-name.test) does not cover the smart host name mail.contoso.test',
    },
    {
      name: 'matches an IP-literal endpoint against an iPAddress subjectAltName',
      ...presenting('submission', (f) => [b64(f.ipLeaf), b64(f.intermediate)], () => ({ host: '192.0.2.10' })),
      message: 'SAN 192.0.2.10 matches 192.0.2.10',
    },
    ...matrix.valid,
  ],
  invalid: [
    {
      name: 'names the expected and presented subject under DomainValidation, and proposes no foreign TlsDomain',
      status: 'fail',
      ...presenting('sh-domain', (f) => [b64(f.pki.leaves.wrongName), b64(f.intermediate)]),
      message: 'no CN or SAN matches TlsDomain mail.contoso.test: the certificate has CN=wrong.invalid-name.test; SAN wrong.invalid-name.test',
      exchangeOnline: ['450 4.4.317 Cannot connect to remote server [Message=SubjectMismatch Expected Subject: mail.contoso.test Presented Subject: CN=wrong.invalid-name.test]'],
      // wrong.invalid-name.test is outside the plan's domains: the certificate is the thing to replace.
      powershell: null,
      evidence: () => ({ certSha256: fx().pki.leaves.wrongName.sha256 }),
    },
    {
      name: 'warns when only the bare domain could match TlsDomain *.domain',
      status: 'warn',
      ...presenting('sh-wildcard', (f) => [b64(f.bareDomain), b64(f.intermediate)]),
      message: /contoso\.test is the bare domain/,
    },
    {
      name: 'fails an IP-literal endpoint whose address is only in the CN, since IP literals match iPAddress subjectAltNames only',
      status: 'fail',
      ...presenting('submission', (f) => [b64(f.ipInCnOnly), b64(f.intermediate)], () => ({ host: '192.0.2.10' })),
      message: /only against iPAddress subjectAltNames/,
    },
    {
      name: "explains the MX case as the relay's problem, not an Exchange Online reply",
      status: 'fail',
      ...presenting('mx', (f) => [b64(f.pki.leaves.wrongName), b64(f.intermediate)]),
      exchangeOnline: /No Exchange Online trace exists: a relay that verifies/,
      remediation: /mail\.protection\.outlook\.com/,
    },
    { name: 'fails a TLS session that carried no certificate at all', status: 'fail', ...presenting('mx', () => []) },
    ...matrix.invalid,
  ],
});
