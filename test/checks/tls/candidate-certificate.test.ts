// tls.candidate-certificate: the next certificate, judged before it is installed, by the same checks
// and in the same words as the live one — on the lab's PKI, and from certificate files on the command line.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../../checks/tls/candidate-certificate.js';
import certificateName from '../../../checks/tls/certificate-name.js';
import { writePkiFiles, type Issued, type LabPki } from '../../../src/pki/generate.js';
import { setSystemRoots } from '../../../src/tls/trust.js';
import type { Plan } from '../../../src/types.js';
import { evaluateCase, testCheck } from '../../helpers/check-tester.js';
import { runCli } from '../../helpers/cli.js';
import { labPki, tempDir, writeAndLoadPlan } from '../../helpers/exo.js';

const NOW = new Date();
let pki: LabPki;
beforeAll(async () => {
  pki = await labPki();
  setSystemRoots(() => [pki.root.certPem]); // the lab root plays a public root
});
afterAll(() => setSystemRoots(() => rootCertificates));

function planWith(direction: 'smart-host' | 'relay', cert: string, key?: string): Plan {
  const candidate = `    candidateCertificate: { cert: next.pem${key ? ', key: { file: next.key }' : ''} }\n`;
  const connector =
    direction === 'smart-host'
      ? `  - name: Office 365 to smart hosts\n    direction: from-office365\n    smartHosts: [smtp.contoso.test]\n    tls: { mode: domain, domain: smtp.contoso.test }\n${candidate}`
      : `  - name: Relay\n    direction: to-office365\n    endpoint: contoso-test.mail.protection.outlook.com\n    tlsSenderCertificateName: "*.contoso.test"\n${candidate}`;
  return writeAndLoadPlan(tempDir(), `version: 1\ndomain: contoso.test\ntrust: { system: false, ca: [root.pem] }\nconnectors:\n${connector}`, { 'root.pem': pki.root.certPem, 'next.pem': cert, ...(key ? { 'next.key': key } : {}) });
}

const smartHost = (leaf: () => Issued, key?: () => string) => () => planWith('smart-host', leaf().chainPem, key ? key() : leaf().keyPem);
const relay = (cert: () => string, key?: () => string) => () => planWith('relay', cert(), key?.());

/** What tls.certificate-name says of the same certificate once it is live on the smart host. */
function liveNameMessage(leaf: Issued): string {
  const chain = leaf.chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)!.map((b) => b.replace(/-----[A-Z ]+-----|\s/g, ''));
  const session = { endpoint: 'smtp.contoso.test:25', tls: { protocol: 'TLSv1.3', cipher: null, authorized: false, peerChain: chain, handshakeMs: 1 }, transcript: [], durationMs: 1 };
  return evaluateCase(certificateName, { plan: planWith('smart-host', leaf.chainPem), probes: { 'smtp-session': session }, now: NOW }).message;
}

testCheck(check, {
  // no probes: the candidate is judged from the plan's files, without touching the network
  defaults: { now: NOW, probes: {}, send: false },
  valid: [
    {
      name: 'passes a correct next certificate for the smart hosts without touching the network',
      plan: smartHost(() => pki.leaves.valid),
      message: /^candidate next\.pem \(CN=smtp\.contoso\.test.*\) would pass: tls\.certificate-name: .*matches TlsDomain smtp\.contoso\.test/,
    },
    {
      name: "passes the relay's next client certificate matching TlsSenderCertificateName, with its chain, without a key",
      plan: relay(() => pki.leaves.client.chainPem),
      message: /tls\.client-certificate: CN=relay\.contoso\.test/,
    },
  ],
  invalid: [
    {
      name: "fails a smart host certificate for another name, in the words the live check uses",
      status: 'fail',
      plan: smartHost(() => pki.leaves.wrongName),
      message: () => [`tls.certificate-name: ${liveNameMessage(pki.leaves.wrongName)}`],
      exchangeOnline: /^Once installed: .*SubjectMismatch/,
    },
    {
      name: 'fails a smart host certificate file without its intermediate',
      status: 'fail',
      plan: smartHost(() => pki.leaves.leafOnly),
      message: /tls\.certificate-chain: /,
    },
    {
      name: 'fails an expired smart host certificate',
      status: 'fail',
      plan: smartHost(() => pki.leaves.expired),
      message: /tls\.certificate-expiry: /,
    },
    {
      name: 'fails a smart host certificate with a weak (RSA 1024) key',
      status: 'fail',
      plan: smartHost(() => pki.leaves.rsa1024),
      message: /tls\.certificate-strength: .*1024/,
    },
    {
      name: 'fails a key that belongs to another certificate, without showing the key',
      status: 'fail',
      plan: smartHost(() => pki.leaves.valid, () => pki.leaves.wrongName.keyPem),
      message: /key: the private key \(file next\.key\) does not belong to next\.pem's certificate/,
      excludes: ['PRIVATE KEY'],
    },
    {
      name: "fails a relay client certificate whose name is outside TlsSenderCertificateName and the accepted domains",
      status: 'fail',
      plan: relay(() => pki.leaves.clientWrongName.chainPem, () => pki.leaves.clientWrongName.keyPem),
      message: [
        /tls\.client-certificate: no CN or SAN matches tlsSenderCertificateName \*\.contoso\.test/,
        /accepted-domains: none of its names \(relay\.other-org\.test\) is in an accepted domain \(contoso\.test\)/,
      ],
    },
    {
      name: 'fails a relay client certificate file without its intermediate (Exchange Online fetches none)',
      status: 'fail',
      plan: relay(() => pki.leaves.client.certPem),
      message: /issuer .* is neither in the file nor a trust anchor|lacks the intermediate/,
    },
  ],
});

describe('tls.candidate-certificate and the private key', () => {
  it('shows the key in no field of the finding, evidence included', () => {
    const f = evaluateCase(check, { plan: smartHost(() => pki.leaves.valid, () => pki.leaves.wrongName.keyPem), probes: {}, now: NOW, send: false });
    expect(f.status).toBe('fail');
    expect(JSON.stringify(f)).not.toContain('PRIVATE KEY');
  });
});

describe('relaycheck run --candidate-cert', () => {
  it('judges certificate files given on the command line, and exits 2 naming the flag for a missing file', async () => {
    const dir = tempDir('relaycheck-candidate-');
    const files = await writePkiFiles(pki, join(dir, 'pki'));
    writeFileSync(
      join(dir, 'relaycheck.yaml'),
      `version: 1\ndomain: contoso.test\ntrust: { system: false, ca: [${files.root.cert}] }\nconnectors:\n  - name: Office 365 to smart hosts\n    direction: from-office365\n    smartHosts: [smtp.contoso.test]\n    tls: { mode: domain, domain: smtp.contoso.test }\n`,
    );
    const args = ['run', '-c', join(dir, 'relaycheck.yaml'), '--only', 'tls.candidate-certificate', '--no-send', '--format', 'json', '--out', '-'];
    const good = await runCli([...args, '--candidate-cert', `${files.valid.chain},${files.valid.key}`]);
    expect(good.code, good.stderr).toBe(0);
    // the lab root is a private CA here (no public root store is faked in the CLI): a warning, as for a live certificate
    expect(JSON.parse(good.stdout).results[0]).toMatchObject({ check: 'tls.candidate-certificate', status: 'warn', endpoint: 'smtp.contoso.test:25' });
    expect(JSON.parse(good.stdout).results[0].message).toMatch(/would pass with warnings: tls\.certificate-trust: .*not in the public root store/);
    const bad = await runCli([...args, `--candidate-cert=${files.wrongName.chain}`]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).results[0].message).toMatch(/would fail: .*tls\.certificate-name: /);
    const missing = await runCli([...args, '--candidate-cert', join(dir, 'nope.pem')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--candidate-cert: cannot read the candidate certificate .*nope\.pem: ENOENT/);
  });
});
