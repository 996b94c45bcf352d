// tls.candidate-certificate: the next certificate, judged before it is installed, by the same checks
// and in the same words as the live one — on the lab's PKI, and from certificate files on the command line.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../../checks/tls/candidate-certificate.js';
import certificateName from '../../../checks/tls/certificate-name.js';
import { writePkiFiles, type Issued, type LabPki } from '../../../src/pki/generate.js';
import { subjectsFor } from '../../../src/runner/subjects.js';
import { setSystemRoots } from '../../../src/tls/trust.js';
import type { Finding, Plan } from '../../../src/types.js';
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

function judge(plan: Plan): Finding {
  const subject = subjectsFor('endpoint', plan).find((s) => check.appliesTo!(s, plan))!;
  return check.evaluate({ subject, plan, probes: {}, now: NOW, options: { send: false } }) as Finding;
}

const smartHost = (leaf: Issued, key = leaf.keyPem) => judge(planWith('smart-host', leaf.chainPem, key));

describe('tls.candidate-certificate for the smart hosts', () => {
  it('passes a correct next certificate without touching the network', () => {
    const f = smartHost(pki.leaves.valid);
    expect(f.status).toBe('pass');
    expect(f.message).toMatch(/^candidate next\.pem \(CN=smtp\.contoso\.test.*\) would pass: tls\.certificate-name: .*matches TlsDomain smtp\.contoso\.test/);
  });

  it('fails a certificate for another name, in the words the live check uses', () => {
    const f = smartHost(pki.leaves.wrongName);
    expect(f.status).toBe('fail');
    // the same wording as tls.certificate-name gives the live certificate
    const plan = planWith('smart-host', pki.leaves.wrongName.chainPem);
    const subject = subjectsFor('endpoint', plan)[0]!;
    const chain = pki.leaves.wrongName.chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)!.map((b) => b.replace(/-----[A-Z ]+-----|\s/g, ''));
    const live = certificateName.evaluate({ subject, plan, probes: { 'smtp-session': { endpoint: 'smtp.contoso.test:25', tls: { protocol: 'TLSv1.3', cipher: null, authorized: false, peerChain: chain, handshakeMs: 1 }, transcript: [], durationMs: 1 } }, now: NOW, options: { send: false } }) as Finding;
    expect(f.message).toContain(`tls.certificate-name: ${live.message}`);
    expect(f.exchangeOnline).toMatch(/^Once installed: .*SubjectMismatch/);
  });

  it('fails a certificate file without its intermediate', () => {
    const f = smartHost(pki.leaves.leafOnly);
    expect(f.status).toBe('fail');
    expect(f.message).toMatch(/tls\.certificate-chain: /);
  });

  it('fails an expired certificate and a weak key', () => {
    expect(smartHost(pki.leaves.expired).message).toMatch(/tls\.certificate-expiry: /);
    expect(smartHost(pki.leaves.rsa1024).message).toMatch(/tls\.certificate-strength: .*1024/);
  });

  it('fails a key that belongs to another certificate, without showing the key', () => {
    const f = smartHost(pki.leaves.valid, pki.leaves.wrongName.keyPem);
    expect(f.status).toBe('fail');
    expect(f.message).toMatch(/key: the private key \(file next\.key\) does not belong to next\.pem's certificate/);
    expect(JSON.stringify(f)).not.toContain('PRIVATE KEY');
  });
});

describe('tls.candidate-certificate for the relay (next client certificate)', () => {
  it('passes a client certificate matching TlsSenderCertificateName, with its chain, without a key', () => {
    const f = judge(planWith('relay', pki.leaves.client.chainPem));
    expect(f.status).toBe('pass');
    expect(f.message).toMatch(/tls\.client-certificate: CN=relay\.contoso\.test/);
  });

  it('fails a name outside TlsSenderCertificateName and the accepted domains', () => {
    const f = judge(planWith('relay', pki.leaves.clientWrongName.chainPem, pki.leaves.clientWrongName.keyPem));
    expect(f.status).toBe('fail');
    expect(f.message).toMatch(/tls\.client-certificate: no CN or SAN matches tlsSenderCertificateName \*\.contoso\.test/);
    expect(f.message).toMatch(/accepted-domains: none of its names \(relay\.other-org\.test\) is in an accepted domain \(contoso\.test\)/);
  });

  it('fails a client certificate file without its intermediate (Exchange Online fetches none)', () => {
    const f = judge(planWith('relay', pki.leaves.client.certPem));
    expect(f.status).toBe('fail');
    expect(f.message).toMatch(/issuer .* is neither in the file nor a trust anchor|lacks the intermediate/);
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
