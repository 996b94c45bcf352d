import { describe, expect, it } from 'vitest';
import check from '../../../checks/tls/certificate-trust.js';
import { setSystemRoots } from '../../../src/tls/trust.js';
import { evaluateCase, testCheck } from '../../helpers/check-tester.js';
import { b64, session } from '../../tls/fixtures.js';
import { fx, labRoots, matrixCases, presenting, useCertificateFixtures } from './certificate-cases.js';

useCertificateFixtures();
const matrix = matrixCases('trust');
const issuingCaFile = () => ({ trust: { system: true, ca: [{ file: '/plan/pki/issuing.pem', pem: fx().intermediate.certPem }] } });

testCheck(check, {
  valid: [
    {
      name: 'reports a self-signed certificate as accepted under EncryptionOnly',
      ...presenting('sh-any', (f) => [b64(f.pki.leaves.selfSigned)]),
      message: /self-signed, accepted under EncryptionOnly/,
    },
    {
      name: 'names the trust anchor and where it came from',
      ...presenting('mx', (f) => [b64(f.pki.leaves.valid), b64(f.intermediate)]),
      message: "chains to CN=relaycheck Lab Root CA in Node's root store (mail.contoso.test → relaycheck Lab Issuing CA → relaycheck Lab Root CA)",
    },
    {
      name: "passes when the plan's CA file holds the intermediate the server omits, and leaves the gap to tls.certificate-chain",
      ...presenting('sh-domain', (f) => [b64(f.pki.leaves.leafOnly)], issuingCaFile),
      message: /which the server did not send \(see tls\.certificate-chain\)/,
    },
    ...matrix.valid,
  ],
  invalid: [
    {
      name: 'says UntrustedRoot for an untrusted smart host under CertificateValidation',
      status: 'fail',
      ...presenting('sh-trusted', (f) => [b64(f.pki.leaves.selfSigned)]),
      message: "self-signed certificate CN=mail.contoso.test, which is not a trust anchor of the plan (Node's root store)",
      exchangeOnline: ['450 4.4.317 Cannot connect to remote server [Message=UntrustedRoot]', '450 4.7.320 certificate validation failed'],
    },
    {
      name: 'cannot decide when the session never reached the server, so --only tls cannot pass a server that is down',
      status: 'error',
      ...presenting('mx', () => []),
      probes: () => ({ 'smtp-session': { ...session([]), tls: undefined, starttls: undefined, failure: { kind: 'refused' as const, phase: 'connect' as const, message: 'connect ECONNREFUSED 127.0.0.1:25' } } }),
      message: 'could not decide: no certificate, the session stopped at connect (refused: connect ECONNREFUSED 127.0.0.1:25)',
    },
    {
      name: 'fails, without throwing, on a certificate that cannot be parsed',
      status: 'fail',
      ...presenting('mx', () => [Buffer.from('garbage').toString('base64')]),
      message: /cannot be parsed/,
    },
    ...matrix.invalid,
  ],
});

describe('tls.certificate-trust with a private root', () => {
  it('warns when a smart host chains only to a private root from the plan, which Exchange Online does not trust, and passes the same chain at a submission endpoint', () => {
    const privateRoot = () => ({ trust: { system: false, ca: [{ file: '/plan/pki/internal-root.pem', pem: fx().root.certPem }] } });
    const chain = () => [b64(fx().pki.leaves.valid), b64(fx().intermediate)];
    setSystemRoots(() => []);
    try {
      const sh = evaluateCase(check, presenting('sh-trusted', chain, privateRoot));
      expect(sh.status).toBe('warn');
      expect(sh.message).toMatch(/not in the public root store/);
      expect(sh.exchangeOnline).toContain('UntrustedRoot');
      expect(evaluateCase(check, presenting('submission', chain, privateRoot)).status).toBe('pass');
    } finally {
      setSystemRoots(() => labRoots(fx()));
    }
  });
});
