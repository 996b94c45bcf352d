import { beforeAll, describe, expect, it } from 'vitest';
import check from '../../../checks/dns/dane.js';
import { createRootCa, issueLeaf, type Issued } from '../../../src/pki/generate.js';
import { tlsaAssociation } from '../../../src/dns/tlsa.js';
import type { SmtpSession } from '../../../src/evidence/smtp.js';
import { testCheck } from '../../helpers/check-tester.js';
import type { Zone } from '../../helpers/dns-server.js';
import { NOW, plan, smartHostSubject, tlsaData } from './fixtures.js';

let leaf: Issued;
let other: Issued;
beforeAll(async () => {
  const root = await createRootCa({ cn: 'DANE Root', key: { kind: 'ec', curve: 'P-256' } });
  leaf = await issueLeaf(root, { cn: 'mail.contoso.com' });
  other = await issueLeaf(root, { cn: 'mail.contoso.com' });
});

const session = (chain: Uint8Array[]): SmtpSession => ({ endpoint: 'mail.contoso.com:25', tls: { protocol: 'TLSv1.3', cipher: null, authorized: true, peerChain: chain.map((c) => Buffer.from(c).toString('base64')), handshakeMs: 3 }, transcript: [], durationMs: 10 });
const zoneFor = (der: Uint8Array, usage = 3): Zone => ({ '_25._tcp.mail.contoso.com': { TLSA: [{ usage, selector: 1, matchingType: 1, data: tlsaAssociation(der, 1, 1)!.toString('hex') }] } });
/** Probe data, built inside the test (the certificates come from beforeAll). */
const probes = (zone: () => Zone, s: () => SmtpSession, extra: { ad?: boolean; signed?: boolean } = {}) => () => ({ 'dns-tlsa': tlsaData(zone(), 'mail.contoso.com', 25, extra), 'smtp-session': s() });
const noStarttls: SmtpSession = {
  endpoint: 'mail.contoso.com:25',
  greeting: { code: 220, lines: ['mail.contoso.com ESMTP'] },
  ehlo: { reply: { code: 250, lines: ['mail.contoso.com'] }, capabilities: {} },
  starttls: { offered: false },
  transcript: [],
  durationMs: 5,
};

testCheck(check, {
  defaults: { plan, now: NOW, subject: smartHostSubject('mail.contoso.com') },
  valid: [
    {
      name: 'passes a 3 1 1 record that matches the presented certificate, validated (AD)',
      probes: probes(() => zoneFor(leaf.certDer), () => session([leaf.certDer]), { ad: true }),
      message: 'TLSA 3 1 1 (DANE-EE, public key, SHA-256) matches the certificate mail.contoso.com presented; the answer was DNSSEC-validated (AD)',
    },
    {
      name: 'passes a signed but unvalidated answer, and says so',
      probes: probes(() => zoneFor(leaf.certDer), () => session([leaf.certDer]), { signed: true }),
      message: /the zone is signed \(RRSIG served\), but the resolver .* did not validate it \(AD clear\)/,
    },
  ],
  invalid: [
    {
      name: 'warns when the matching record is not DNSSEC-signed',
      status: 'warn',
      probes: probes(() => zoneFor(leaf.certDer), () => session([leaf.certDer])),
      message: /not DNSSEC-signed \(no AD, no RRSIG\): senders ignore TLSA records without DNSSEC/,
    },
    {
      name: 'fails when no record matches and gives the record for the current certificate',
      status: 'fail',
      probes: probes(() => zoneFor(other.certDer), () => session([leaf.certDer]), { ad: true }),
      message: 'none of the 1 usable TLSA record(s) at _25._tcp.mail.contoso.com matches the certificate mail.contoso.com presented: 3 1 1 (DANE-EE, public key, SHA-256)',
      remediation: () => [`_25._tcp.mail.contoso.com. 3600 IN TLSA 3 1 1 ${tlsaAssociation(leaf.certDer, 1, 1)!.toString('hex')}`],
      exchangeOnline: /4\.7\.323 tlsa-invalid/,
    },
    { name: 'is skipped without TLSA records: DANE is optional', status: 'skipped', probes: probes(() => ({}), () => session([leaf.certDer])), message: /DANE is optional/ },
    {
      name: 'cannot decide when the session saw no certificate',
      status: 'error',
      probes: probes(() => zoneFor(leaf.certDer), () => ({ endpoint: 'mail.contoso.com:25', failure: { kind: 'refused', phase: 'connect', message: 'ECONNREFUSED' }, transcript: [], durationMs: 1 })),
      message: /the SMTP session stopped \(connect: ECONNREFUSED\)/,
    },
    {
      name: 'fails when TLSA records exist but the smart host offers no STARTTLS (RFC 7672 §2.2)',
      status: 'fail',
      probes: probes(() => zoneFor(leaf.certDer), () => noStarttls, { ad: true }),
      message: '1 TLSA record(s) at _25._tcp.mail.contoso.com, but the smart host does not offer STARTTLS: DANE senders (Exchange Online with SmtpDaneMode Mandatory among them) defer mail to it (RFC 7672 §2.2)',
    },
  ],
});

describe('dns.dane', () => {
  it('applies to smart hosts named by FQDN only', () => {
    expect(check.appliesTo!(smartHostSubject('mail.contoso.com'), plan)).toBe(true);
    expect(check.appliesTo!(smartHostSubject('192.0.2.99'), plan)).toBe(false);
  });
});
