import check from '../../../checks/tls/certificate-expiry.js';
import { testCheck } from '../../helpers/check-tester.js';
import { b64 } from '../../tls/fixtures.js';
import { fx, matrixCases, presenting, useCertificateFixtures } from './certificate-cases.js';

useCertificateFixtures();
const matrix = matrixCases('expiry');
const DAY = 86_400_000;

testCheck(check, {
  valid: [
    {
      name: 'does not warn when the expiry lies beyond the configured number of days',
      ...presenting('mx', (f) => [b64(f.expiring10), b64(f.intermediate)], () => ({ expiryWarnDays: 5 })),
    },
    ...matrix.valid,
  ],
  invalid: [
    {
      name: 'states how long ago the certificate expired, with notAfter',
      status: 'fail',
      ...presenting('sh-domain', (f) => [b64(f.pki.leaves.expired), b64(f.intermediate)]),
      message: () => `Expired 35 days ago (notAfter ${fx().pki.leaves.expired.notAfter.toISOString().replace('.000Z', 'Z')})`,
      exchangeOnline: ['450 4.4.317 Cannot connect to remote server [Message=CertificateExpired]'],
      evidence: () => ({ certSha256: fx().pki.leaves.expired.sha256 }),
    },
    {
      name: 'still fails an expired certificate under EncryptionOnly, and says Exchange Online delivers anyway',
      status: 'fail',
      ...presenting('sh-any', (f) => [b64(f.pki.leaves.expired), b64(f.intermediate)]),
      exchangeOnline: /^With EncryptionOnly Exchange Online does not validate the certificate and still delivers/,
    },
    {
      name: 'warns within the configured number of days',
      status: 'warn',
      ...presenting('mx', (f) => [b64(f.expiring10), b64(f.intermediate)]),
      message: /^Expires in 10 days \(notAfter /,
    },
    {
      name: 'judges the clock it is given, not the wall clock',
      status: 'fail',
      ...presenting('mx', (f) => [b64(f.pki.leaves.valid), b64(f.intermediate)], (f) => ({ now: new Date(f.pki.leaves.valid.notAfter.getTime() + DAY) })),
      message: /^Expired 1 day ago/,
    },
    {
      name: 'names an expired intermediate',
      status: 'fail',
      ...presenting('sh-trusted', (f) => [b64(f.leafOfExpiredIntermediate), b64(f.expiredIntermediate)]),
      message: /^intermediate CN=relaycheck Retired Issuing CA expired 2 days ago/,
    },
    {
      name: 'says when a certificate becomes valid',
      status: 'fail',
      ...presenting('submission', (f) => [b64(f.pki.leaves.notYetValid), b64(f.intermediate)]),
      message: /^Not valid until .* \(in 10 days\)$/,
    },
    ...matrix.invalid,
  ],
});
