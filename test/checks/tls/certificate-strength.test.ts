import check from '../../../checks/tls/certificate-strength.js';
import { testCheck } from '../../helpers/check-tester.js';
import { b64, withMd5Signature } from '../../tls/fixtures.js';
import { matrixCases, presenting, useCertificateFixtures } from './certificate-cases.js';

useCertificateFixtures();
const matrix = matrixCases('strength');

testCheck(check, {
  valid: [
    {
      name: "ignores a root's own SHA-1 self-signature and says why",
      ...presenting('mx', (f) => [b64(f.sha1RootLeaf), b64(f.sha1RootIntermediate), b64(f.sha1Root)]),
      message: /the root's own sha1WithRSAEncryption self-signature does not matter/,
    },
    ...matrix.valid,
  ],
  invalid: [
    {
      name: 'fails a 1024-bit RSA key',
      status: 'fail',
      ...presenting('sh-trusted', (f) => [b64(f.pki.leaves.rsa1024), b64(f.intermediate)]),
      message: 'the certificate has a 1024-bit RSA key (at least 2048 needed)',
    },
    {
      name: 'fails a SHA-1 signature with what Exchange Online does',
      status: 'fail',
      ...presenting('sh-trusted', (f) => [b64(f.pki.leaves.sha1), b64(f.intermediate)]),
      message: 'the certificate is signed with sha1WithRSAEncryption',
      exchangeOnline: /refuses SHA-1-signed certificates \(since 2016\)/,
    },
    {
      name: 'says MD5 breaks TLS 1.2',
      status: 'fail',
      ...presenting('sh-domain', (f) => [withMd5Signature(f.pki.leaves.rsa1024), b64(f.intermediate)]),
      message: /signed with md5WithRSAEncryption/,
      exchangeOnline: /MD5\/MD2 signatures break TLS 1\.2/,
    },
    ...matrix.invalid,
  ],
});
