import { beforeAll, describe, expect, it } from 'vitest';
import check from '../../../checks/dns/dane.js';
import { createRootCa, issueLeaf, type Issued } from '../../../src/pki/generate.js';
import { tlsaAssociation } from '../../../src/dns/tlsa.js';
import type { SmtpSession } from '../../../src/evidence/smtp.js';
import type { Zone } from '../../helpers/dns-server.js';
import { evaluate, smartHostSubject, tlsaData } from './fixtures.js';

let leaf: Issued;
let other: Issued;
beforeAll(async () => {
  const root = await createRootCa({ cn: 'DANE Root', key: { kind: 'ec', curve: 'P-256' } });
  leaf = await issueLeaf(root, { cn: 'mail.contoso.com' });
  other = await issueLeaf(root, { cn: 'mail.contoso.com' });
});

const session = (chain: Uint8Array[]): SmtpSession => ({ endpoint: 'mail.contoso.com:25', tls: { protocol: 'TLSv1.3', cipher: null, authorized: true, peerChain: chain.map((c) => Buffer.from(c).toString('base64')), handshakeMs: 3 }, transcript: [], durationMs: 10 });
const zoneFor = (der: Uint8Array, usage = 3): Zone => ({ '_25._tcp.mail.contoso.com': { TLSA: [{ usage, selector: 1, matchingType: 1, data: tlsaAssociation(der, 1, 1)!.toString('hex') }] } });
const run = (zone: Zone, s: SmtpSession, extra: { ad?: boolean; signed?: boolean } = {}) => evaluate(check, { 'dns-tlsa': tlsaData(zone, 'mail.contoso.com', 25, extra), 'smtp-session': s }, smartHostSubject('mail.contoso.com'));

describe('dns.dane', () => {
  it('applies to smart hosts named by FQDN only', () => {
    expect(check.appliesTo!(smartHostSubject('mail.contoso.com'), undefined as never)).toBe(true);
    expect(check.appliesTo!(smartHostSubject('192.0.2.99'), undefined as never)).toBe(false);
  });

  it('passes a 3 1 1 record that matches the presented certificate, validated (AD)', () => {
    const f = run(zoneFor(leaf.certDer), session([leaf.certDer]), { ad: true });
    expect(f.status).toBe('pass');
    expect(f.message).toBe('TLSA 3 1 1 (DANE-EE, public key, SHA-256) matches the certificate mail.contoso.com presented; the answer was DNSSEC-validated (AD)');
  });

  it('passes a signed but unvalidated answer, and says so', () => {
    expect(run(zoneFor(leaf.certDer), session([leaf.certDer]), { signed: true }).message).toMatch(/the zone is signed \(RRSIG served\), but the resolver .* did not validate it \(AD clear\)/);
  });

  it('warns when the matching record is not DNSSEC-signed', () => {
    const f = run(zoneFor(leaf.certDer), session([leaf.certDer]));
    expect(f.status).toBe('warn');
    expect(f.message).toMatch(/not DNSSEC-signed \(no AD, no RRSIG\): senders ignore TLSA records without DNSSEC/);
  });

  it('fails when no record matches and gives the record for the current certificate', () => {
    const f = run(zoneFor(other.certDer), session([leaf.certDer]), { ad: true });
    expect(f.status).toBe('fail');
    expect(f.message).toBe('none of the 1 usable TLSA record(s) at _25._tcp.mail.contoso.com matches the certificate mail.contoso.com presented: 3 1 1 (DANE-EE, public key, SHA-256)');
    expect(f.remediation).toContain(`_25._tcp.mail.contoso.com. 3600 IN TLSA 3 1 1 ${tlsaAssociation(leaf.certDer, 1, 1)!.toString('hex')}`);
    expect(f.exchangeOnline).toMatch(/4\.7\.323 tlsa-invalid/);
  });

  it('is skipped without TLSA records: DANE is optional', () => {
    const f = run({}, session([leaf.certDer]));
    expect(f.status).toBe('skipped');
    expect(f.message).toMatch(/DANE is optional/);
  });

  it('cannot decide when the session saw no certificate', () => {
    const f = run(zoneFor(leaf.certDer), { endpoint: 'mail.contoso.com:25', failure: { kind: 'refused', phase: 'connect', message: 'ECONNREFUSED' }, transcript: [], durationMs: 1 });
    expect(f.status).toBe('error');
    expect(f.message).toMatch(/the SMTP session stopped \(connect: ECONNREFUSED\)/);
  });

  it('fails when TLSA records exist but the smart host offers no STARTTLS (RFC 7672 §2.2)', () => {
    const noStarttls: SmtpSession = {
      endpoint: 'mail.contoso.com:25',
      greeting: { code: 220, lines: ['mail.contoso.com ESMTP'] },
      ehlo: { reply: { code: 250, lines: ['mail.contoso.com'] }, capabilities: {} },
      starttls: { offered: false },
      transcript: [],
      durationMs: 5,
    };
    const f = run(zoneFor(leaf.certDer), noStarttls, { ad: true });
    expect(f.status).toBe('fail');
    expect(f.message).toBe('1 TLSA record(s) at _25._tcp.mail.contoso.com, but the smart host does not offer STARTTLS: DANE senders (Exchange Online with SmtpDaneMode Mandatory among them) defer mail to it (RFC 7672 §2.2)');
  });
});
